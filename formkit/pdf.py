"""PDF: converting documents with headless LibreOffice, and assembling packs with pypdf.

All documents of a pack go to LibreOffice in one `soffice` call, with a private profile
per run (two runs at once do not collide) and a time limit that grows with the number of
documents; at the limit the whole process group is killed. What did not convert is
retried (a slow document alone, the rest together), so one document that fails or is too
slow costs only its own pages; what still fails is reported per file, never silently
skipped. pypdf assembles the parts with bookmarks, page numbers and metadata,
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

DEFAULT_TIMEOUT = 300.0  # seconds one document may take when it is converted alone
STARTUP_SECONDS = 30.0  # LibreOffice's start in a fresh profile, in a run of several documents
BATCH_SECONDS_PER_DOCUMENT = 20.0  # each document's share of a run's limit (a plan takes about a second)
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
    runs: int = 0  # LibreOffice runs it took: 1, unless a document failed or was too slow


def soffice() -> str:
    """Return the LibreOffice command; raise LibreOfficeMissing with what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise LibreOfficeMissing(
            "LibreOffice (soffice) is niet gevonden; formkit heeft het nodig om PDF's te maken. "
            f"Installeer het, bijvoorbeeld met: apt-get install {PACKAGES}")
    return found


def convert_to_pdf(sources: Iterable[Path], work_dir: Path, timeout: float = DEFAULT_TIMEOUT,
                   per_document: float | None = None) -> Conversion:
    """Convert documents to PDF with LibreOffice; return a PDF per document or the reason it failed.

    All documents go in one run first, with a limit that grows with their number
    (:func:`batch_limit`). What did not convert is retried, so one bad document costs only
    its own pages: LibreOffice converts in argument order, so after a time-out the first
    missing document is the slow one; it is retried alone with the full `timeout`, and the
    rest as a new run. After a plain failure the missing ones are retried in halves, down
    to one document alone, whose failure is then its own.
    """
    import time

    sources = list(dict.fromkeys(Path(s) for s in sources))
    result = Conversion()
    if not sources:
        return result
    command = soffice()
    work_dir = Path(work_dir)
    staged_dir, profile = work_dir / "in", work_dir / "profiel"
    staged_dir.mkdir(parents=True, exist_ok=True)
    staged = {}
    for i, source in enumerate(sources):  # unique names: two parts may share a file name
        target = staged_dir / f"{i:04d}_{re.sub(r'[^A-Za-z0-9._-]+', '_', source.stem)}{source.suffix}"
        try:
            shutil.copyfile(source, target)
        except OSError:
            result.failures[source] = "het document kon niet worden klaargezet voor LibreOffice"
            continue
        staged[source] = target
    started = time.perf_counter()
    pending = [list(staged)]  # groups of documents still to convert, in order
    runs = 0
    while pending:
        group = pending.pop(0)
        alone = len(group) == 1
        limit = timeout if alone else batch_limit(len(group), per_document, timeout)
        runs += 1
        out_dir = work_dir / f"uit{runs}"  # a fresh folder per run: no half file of an earlier run counts
        out_dir.mkdir(parents=True, exist_ok=True)
        args = [command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
                "--convert-to", "pdf", "--outdir", str(out_dir), *(str(staged[s]) for s in group)]
        timed_out = _run(args, limit)
        missing = []
        for source in group:
            pdf = out_dir / f"{staged[source].stem}.pdf"
            if _complete_pdf(pdf):  # a run stopped half-way may leave a half-written file
                result.pdfs[source] = pdf
            else:
                missing.append(source)
        if not missing:
            continue
        if alone:
            result.failures[group[0]] = (f"LibreOffice was na {int(limit)} seconden niet klaar en is gestopt"
                                         if timed_out else "LibreOffice kon het document niet omzetten")
        elif timed_out:  # the first missing one was being converted when time ran out
            pending[:0] = [[missing[0]]] + ([missing[1:]] if missing[1:] else [])
        else:
            half = (len(missing) + 1) // 2
            pending[:0] = [part for part in (missing[:half], missing[half:]) if part]
    result.seconds, result.runs = time.perf_counter() - started, runs
    return result


def batch_limit(documents: int, per_document: float | None = None, timeout: float = DEFAULT_TIMEOUT) -> float:
    """Return the time limit of one LibreOffice run over several documents: start-up plus a share per document.

    It never exceeds what the documents would get one by one, so a slow document in a
    large run is found early and then gets its own full `timeout` alone.
    """
    share = BATCH_SECONDS_PER_DOCUMENT if per_document is None else per_document
    return min(STARTUP_SECONDS + share * documents, timeout * documents)


def _complete_pdf(path: Path) -> bool:
    """True when `path` is a PDF written to its end (a killed run may leave a half one)."""
    try:
        if not path.is_file() or path.stat().st_size < 64:
            return False
        with open(path, "rb") as f:
            f.seek(-1024, os.SEEK_END) if path.stat().st_size > 1024 else f.seek(0)
            return b"%%EOF" in f.read()
    except OSError:
        return False


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
