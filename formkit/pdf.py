"""PDF: converting documents with headless LibreOffice, and assembling packs with pypdf.

All documents of a pack go to LibreOffice in one `soffice` call, with a private profile
per run (two runs at once do not collide) and a time limit; at the limit the whole
process group is killed. What LibreOffice could not convert is reported per file, never
silently skipped. pypdf assembles the parts with bookmarks, page numbers and metadata,
and shares the fonts the parts each embed (compress_identical_objects).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from .atomic import write_atomic
from .errors import FormkitError

DEFAULT_TIMEOUT = 300.0
A4 = (595.28, 841.89)
PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui"


class LibreOfficeMissing(FormkitError):
    """LibreOffice (soffice) is niet gevonden."""


@dataclass
class Conversion:
    """What one LibreOffice run made: a PDF per document, or why not."""

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failures: dict[Path, str] = field(default_factory=dict)
    seconds: float = 0.0


def soffice() -> str:
    """Return the LibreOffice command; raise LibreOfficeMissing with what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise LibreOfficeMissing(
            "LibreOffice (soffice) is niet gevonden; formkit heeft het nodig om PDF's te maken. "
            f"Installeer het, bijvoorbeeld met: apt-get install {PACKAGES}")
    return found


def convert_to_pdf(sources: Iterable[Path], work_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> Conversion:
    """Convert documents to PDF in one LibreOffice run; return a PDF per document or the reason it failed."""
    import time

    sources = list(dict.fromkeys(Path(s) for s in sources))
    result = Conversion()
    if not sources:
        return result
    command = soffice()
    work_dir = Path(work_dir)
    staged_dir, out_dir, profile = work_dir / "in", work_dir / "uit", work_dir / "profiel"
    for folder in (staged_dir, out_dir):
        folder.mkdir(parents=True, exist_ok=True)
    staged = {}
    for i, source in enumerate(sources):  # unique names: two parts may share a file name
        target = staged_dir / f"{i:04d}_{re.sub(r'[^A-Za-z0-9._-]+', '_', source.stem)}{source.suffix}"
        shutil.copyfile(source, target)
        staged[source] = target
    args = [command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, staged.values())]
    started = time.perf_counter()
    timed_out = _run(args, timeout)
    result.seconds = time.perf_counter() - started
    for source, target in staged.items():
        pdf = out_dir / f"{target.stem}.pdf"
        if pdf.is_file() and pdf.stat().st_size > 0:
            result.pdfs[source] = pdf
        elif timed_out:
            result.failures[source] = f"LibreOffice was na {int(timeout)} seconden niet klaar en is gestopt"
        else:
            result.failures[source] = "LibreOffice kon het document niet omzetten"
    return result


def _run(args: list[str], timeout: float) -> bool:
    """Run LibreOffice in its own process group; return True when it had to be killed."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # soffice starts helpers: stop them all
        except ProcessLookupError:
            pass
        process.wait()
        return True


# --- assembling -------------------------------------------------------------------------


@dataclass
class Part:
    """A part of a pack: its bookmark title and its PDF, or the reason it is missing."""

    title: str
    pdf: Path | None = None
    missing: str | None = None


@dataclass
class Section:
    """A bookmarked section of a pack (a household), made of parts."""

    title: str
    parts: list[Part]


def _font() -> DictionaryObject:
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })


def text_page(lines: list[str], *, size: int = 11, top: float = 780.0, left: float = 56.0,
              width: float = A4[0], height: float = A4[1]) -> PageObject:
    """Return a page with lines of plain text (Helvetica, Western European characters)."""
    page = PageObject.create_blank_page(None, width, height)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/FkHelv"): _font()})})
    ops, y = [], top
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")
        ops.append(b"BT /FkHelv %d Tf %.1f %.1f Td (" % (size, left, y) + escaped + b") Tj ET")
        y -= size * 1.5
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops))
    page.replace_contents(stream)
    return page


def assemble(front: Part, sections: list[Section], out: Path, *, title: str, subject: str,
             footer: str, password: str | None = None) -> int:
    """Write one PDF: the front part, then each section's parts, bookmarked and numbered; return its pages."""
    writer = PdfWriter()
    writer.add_outline_item(title=front.title, page_number=_add_pages(writer, front))
    for section in sections:
        starts = [_add_pages(writer, part) for part in section.parts]  # pages first: a bookmark needs its page
        parent = writer.add_outline_item(title=section.title, page_number=starts[0])
        for part, start in zip(section.parts, starts):
            writer.add_outline_item(title=part.title, page_number=start, parent=parent)
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        width = float(page.mediabox.width)
        page.merge_page(text_page([f"{footer} - pagina {number} van {total}"], size=7, top=14,
                                  left=width - 250, width=width, height=float(page.mediabox.height)))
    writer.add_metadata({"/Title": title, "/Subject": subject, "/Creator": "formkit", "/Producer": "formkit"})
    writer.compress_identical_objects()  # share the fonts every converted part embeds
    if password:
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    write_atomic(Path(out), writer.write)
    return total


def _add_pages(writer: PdfWriter, part: Part) -> int:
    """Add a part's pages (or a page saying why it is missing); return the index of its first page."""
    start = len(writer.pages)
    if part.pdf is not None:
        reader = PdfReader(part.pdf)
        for page in reader.pages:
            writer.add_page(page)
    else:
        writer.add_page(text_page([f"{part.title}: niet opgenomen.", f"Reden: {part.missing}.",
                                   "Het secretariaat kan het los nasturen."]))
    return start


def page_count(pdf: Path) -> int:
    """Return the number of pages of a PDF."""
    return len(PdfReader(pdf).pages)


def scratch_dir() -> tempfile.TemporaryDirectory:
    """Return a private temporary folder for one run (LibreOffice profile, staged and converted files)."""
    return tempfile.TemporaryDirectory(prefix="formkit-pdf-")
