"""PDF: converting documents with headless LibreOffice, and assembling packs with pypdf.

All documents of a pack go to LibreOffice in one `soffice` call, with a private profile
per run (two runs at once do not collide) and a time limit that grows with the number of
documents; at the limit the whole process group is killed. What did not convert is
retried (a slow document alone, the rest together), so one document that fails or is too
slow costs only its own pages; what still fails is reported per file, never silently
skipped. LibreOffice exports tagged PDF (and with ``archive`` PDF/A-2b). pypdf assembles
the parts with bookmarks, the pack's page numbers (marked as artifacts) and metadata,
merges the parts' structure trees into one, says the PDF is Dutch and opens it with its
bookmarks shown, and shares the fonts the parts each embed (compress_identical_objects).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from ..core.atomic import write_atomic
from ..core.errors import FormkitError

DEFAULT_TIMEOUT = 300.0  # seconds one document may take when it is converted alone
STARTUP_SECONDS = 30.0  # LibreOffice's start in a fresh profile, in a run of several documents
BATCH_SECONDS_PER_DOCUMENT = 20.0  # each document's share of a run's limit (a plan takes about a second)
A4 = (595.28, 841.89)
PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui"
LANGUAGE = "nl-NL"
#: LibreOffice's PDF export: tagged (structure for screen readers); ARCHIVE adds PDF/A-2b.
TAGGED = '"UseTaggedPDF":{"type":"boolean","value":"true"}'
ARCHIVE = TAGGED + ',"SelectPdfVersion":{"type":"long","value":"2"}'


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
                   per_document: float | None = None, archive: bool = False) -> Conversion:
    """Convert documents to tagged PDF with LibreOffice; return a PDF per document or the reason it failed.

    With `archive` every PDF is PDF/A-2b (unencrypted, fonts embedded) for the organisations'
    files. Word documents are converted from a staged copy set to Dutch (nl-NL), so the PDF
    names its language; the document itself is not touched.

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
            if target.suffix.lower() == ".docx":
                _set_docx_language(target)
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
                "--convert-to", export_filter(archive), "--outdir", str(out_dir), *(str(staged[s]) for s in group)]
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


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PAGE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES"}
_PAGE_WORDS = re.compile(r"\s*[·|,–-]?\s*(pagina|blz\.?|page)\s*$|^\s*(van|/|of)\s*$", re.IGNORECASE)


def _rewrite_docx(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Rewrite a Word file in place, passing each part through `change(name, data)`."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(info.filename, data))


def _set_docx_language(path: Path) -> None:
    """Set a staged Word file's default language to Dutch, so its PDF says /Lang nl-NL; damage is left to LibreOffice."""
    def dutch(name: str, data: bytes) -> bytes:
        if name != "word/styles.xml":
            return data
        return re.sub(rb'(<w:lang\b[^>]*?\bw:val=")[A-Za-z-]+(")', rb"\g<1>" + LANGUAGE.encode() + rb"\2", data,
                      count=1)
    try:
        _rewrite_docx(path, dutch)
    except (zipfile.BadZipFile, ValueError, KeyError):
        pass


def without_page_numbers(source: Path, target: Path) -> Path:
    """Return `target`: a copy of a Word file without its footers and without page numbers in its headers.

    A part of a meeting pack must not number its own pages, nor carry a second footer
    under the pack's: the pack's one footer names the meeting, the part and the page
    (:func:`assemble`). Footers are emptied (their paragraphs stay, so the page layout
    does not move); in headers only the PAGE and NUMPAGES fields go, with the words around
    them ("pagina", "van"). The source is not touched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)

    def strip(name: str, data: bytes) -> bytes:
        kind = re.fullmatch(r"word/(header|footer)\d*\.xml", name)
        if not kind:
            return data
        root = etree.fromstring(data)
        for paragraph in root.iter(f"{{{_W}}}p"):
            if kind.group(1) == "footer":
                for content in [c for c in paragraph if c.tag != f"{{{_W}}}pPr"]:
                    paragraph.remove(content)
            elif _strip_page_fields(paragraph):
                _strip_page_words(paragraph)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    try:
        _rewrite_docx(target, strip)
    except (zipfile.BadZipFile, ValueError, KeyError, etree.XMLSyntaxError):
        pass  # a damaged file is LibreOffice's to refuse, with its own reason
    return target


def _strip_page_fields(paragraph: etree._Element) -> bool:
    """Remove page-number fields (simple and complex) from a paragraph; return whether there were any."""
    found = False
    for simple in paragraph.findall(f".//{{{_W}}}fldSimple"):
        words = simple.get(f"{{{_W}}}instr", "").split()
        parent = simple.getparent()  # never None: found below the paragraph
        if words and words[0] in _PAGE_FIELDS and parent is not None:
            parent.remove(simple)
            found = True
    runs, depth, is_page = list(paragraph.iter(f"{{{_W}}}r")), 0, False
    field_runs: list[etree._Element] = []
    for run in runs:
        kinds = [c.get(f"{{{_W}}}fldCharType") for c in run.iter(f"{{{_W}}}fldChar")]
        instr = "".join(t.text or "" for t in run.iter(f"{{{_W}}}instrText")).split()
        if "begin" in kinds:
            depth, field_runs, is_page = depth + 1, [], False
        if depth:
            field_runs.append(run)
            is_page = is_page or bool(instr and instr[0] in _PAGE_FIELDS)
        if "end" in kinds and depth:
            depth -= 1
            if is_page:
                for r in field_runs:
                    if (parent := r.getparent()) is not None:  # never None: a run below the paragraph
                        parent.remove(r)
                found = True
    return found


def _strip_page_words(paragraph) -> None:
    """Remove what announced the page number ("pagina", "van") from the paragraph's texts."""
    for t in paragraph.iter(f"{{{_W}}}t"):
        t.text = _PAGE_WORDS.sub("", t.text or "")


def export_filter(archive: bool = False) -> str:
    """Return LibreOffice's --convert-to value: tagged PDF, and with `archive` PDF/A-2b."""
    return "pdf:writer_pdf_Export:{" + (ARCHIVE if archive else TAGGED) + "}"


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
    label: str = ""  # how the pack's footer names the section (the dossier number); the title if empty


def _font() -> DictionaryObject:
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })


def text_page(lines: list[str], *, size: int = 11, top: float = 780.0, left: float = 56.0,
              width: float = A4[0], height: float = A4[1], mark: bytes | None = None) -> PageObject:
    """Return a page with lines of plain text (Helvetica, Western European characters).

    `mark` wraps the text in marked content for a tagged PDF: ``b"/Artifact <</Type /Pagination>>"``
    for a page number, ``b"/P <</MCID 0>>"`` for a paragraph of the structure tree.
    """
    page = PageObject.create_blank_page(None, width, height)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/FkHelv"): _font()})})
    ops, y = [], top
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")
        ops.append(b"BT /FkHelv %d Tf %.1f %.1f Td (" % (size, left, y) + escaped + b") Tj ET")
        y -= size * 1.5
    if mark is not None:
        ops = [mark + b" BDC", *ops, b"EMC"]
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops))
    page[NameObject("/Contents")] = stream  # what replace_contents does for a page not yet in a writer
    return page


FOOTER_MARK = b"/Artifact <</Type /Pagination /Subtype /Footer>>"
STAMP_BASELINE = 24.0  # points above the page's bottom edge (8.5 mm): inside what printers print
STAMP_LEFT = 56.7  # points from the left edge (2 cm): the documents' own left margin


def assemble(front: Part, sections: list[Section], out: Path, *, title: str, subject: str,
             footer: str, password: str | None = None) -> int:
    """Write one tagged PDF: the front part, then each section's parts, bookmarked and numbered; return its pages.

    The pack is the only one that numbers pages (its parts come without their own
    numbers, see :func:`without_page_numbers`); the numbers are artifacts, not content.
    The parts' structure trees become one, so the pack is tagged as its parts were; it
    says it is Dutch (/Lang nl-NL) and opens with its bookmarks shown.
    """
    writer = PdfWriter()
    tree = _StructureTree(writer)
    writer.add_outline_item(title=front.title, page_number=_add_pages(writer, front, tree))
    labels = [front.title] * len(writer.pages)  # what the footer names on each page
    for section in sections:
        starts = [_add_pages(writer, part, tree) for part in section.parts]  # pages first: a bookmark needs its page
        parent = writer.add_outline_item(title=section.title, page_number=starts[0])
        for part, start in zip(section.parts, starts):
            writer.add_outline_item(title=part.title, page_number=start, parent=parent)
        ends = starts[1:] + [len(writer.pages)]
        for part, start, end in zip(section.parts, starts, ends):
            labels += [f"{section.label or section.title} · {part.title}"] * (end - start)
    total = len(writer.pages)
    for number, (page, label) in enumerate(zip(writer.pages, labels), start=1):
        page.merge_page(text_page([f"{footer} · {label} – pagina {number} van {total}"], size=7,
                                  top=STAMP_BASELINE, left=STAMP_LEFT, width=float(page.mediabox.width),
                                  height=float(page.mediabox.height), mark=FOOTER_MARK))
    tree.finish()
    writer._root_object[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    writer._root_object[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    writer._root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": title, "/Subject": subject, "/Creator": "formkit", "/Producer": "formkit"})
    writer.compress_identical_objects()  # share the fonts every converted part embeds; drop what nothing uses
    if password:
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    write_atomic(Path(out), writer.write)
    return total


class _StructureTree:
    """One structure tree for an assembled PDF: a /Document whose kids are a /Sect per part.

    Each part's own tree (LibreOffice's tagged export) is copied under its /Sect with its
    page references mapped to the new pages; its /StructParents keys and /ParentTree
    entries move up by an offset per part, so the keys of all parts stay distinct.
    """

    def __init__(self, writer: PdfWriter):
        self.writer = writer
        # the dictionaries are kept beside their indirect objects: the writer holds these same objects
        self.root_dictionary = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root = writer._add_object(self.root_dictionary)
        self.sections = ArrayObject()  # the /Document's kids: a /Sect per part
        self.document = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): self.root, NameObject("/Lang"): TextStringObject(LANGUAGE),
            NameObject("/K"): self.sections}))
        self.nums = ArrayObject()
        self.next_key = 0
        self.role_map = DictionaryObject()

    def section(self, title: str) -> tuple[IndirectObject, ArrayObject]:
        """Return a new /Sect under the document, titled, and its list of kids."""
        kids = ArrayObject()
        sect = self.writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Sect"),
            NameObject("/P"): self.document, NameObject("/T"): TextStringObject(title), NameObject("/K"): kids}))
        self.sections.append(sect)
        return sect, kids

    def add_part(self, title: str, reader: PdfReader, pages: list[tuple[PageObject, PageObject]]) -> None:
        """Copy a part's structure (if it has one) under a new /Sect; `pages` pairs each source page with its copy."""
        offset = self.next_key
        for source, copy in pages:
            if "/StructParents" in source:  # pypdf leaves it out when it copies a page
                copy[NameObject("/StructParents")] = NumberObject(_number(source["/StructParents"]) + offset)
            for annotation in copy.get("/Annots", ArrayObject()):
                annotation = annotation.get_object()
                if isinstance(annotation, DictionaryObject) and "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(_number(annotation["/StructParent"]) + offset)
        catalog = reader.root_object
        if "/StructTreeRoot" not in catalog:
            return
        source_root = catalog["/StructTreeRoot"]  # DictionaryObject's [] resolves the reference
        if not isinstance(source_root, DictionaryObject):
            return  # a damaged structure tree: the part's pages come without one
        elements, wrappers = _top_elements(catalog.raw_get("/StructTreeRoot"))
        sect, kids = self.section(title)
        # what held the part's elements (its root, its /Document) becomes the /Sect: nothing copies them
        translated = self.writer._id_translated.setdefault(id(reader), {"PreventGC": reader})
        for wrapper in wrappers:
            translated[wrapper.idnum] = sect.idnum
        highest = offset - 1
        for key, value in _number_tree(source_root.get("/ParentTree")):
            self.nums += [NumberObject(key + offset), value.clone(self.writer)]
            highest = max(highest, key + offset)
        self.next_key = max(highest + 1, offset + int(source_root.get("/ParentTreeNextKey", 0)))
        for name, role in source_root.get("/RoleMap", DictionaryObject()).items():
            self.role_map.setdefault(NameObject(name), role)
        for element in elements:
            copy = element.clone(self.writer)
            copy.get_object()[NameObject("/P")] = sect
            kids.append(copy)

    def add_paragraph_page(self, title: str, page: PageObject) -> None:
        """Give a page made by :func:`text_page` with mark /P MCID 0 one paragraph in the tree."""
        sect, kids = self.section(title)
        paragraph = self.writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/P"),
            NameObject("/P"): sect, NameObject("/Pg"): page.indirect_reference, NameObject("/K"): NumberObject(0)}))
        kids.append(paragraph)
        page[NameObject("/StructParents")] = NumberObject(self.next_key)
        self.nums += [NumberObject(self.next_key), ArrayObject([paragraph])]
        self.next_key += 1

    def finish(self) -> None:
        """Hang the tree in the catalog, with its parent tree and next key."""
        root = self.root_dictionary
        root[NameObject("/K")] = self.document
        root[NameObject("/ParentTree")] = self.writer._add_object(DictionaryObject({NameObject("/Nums"): self.nums}))
        root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        if self.role_map:
            root[NameObject("/RoleMap")] = self.role_map
        self.writer._root_object[NameObject("/StructTreeRoot")] = self.root


def _number(value: object) -> int:
    """Return a PDF number as an int; ValueError for a value that is no number."""
    if isinstance(value, int | float | str):
        return int(value)
    raise ValueError(f"geen getal in de PDF: {type(value).__name__}")


def _number_tree(node: PdfObject | None, depth: int = 0) -> list[tuple[int, PdfObject]]:
    """Return the (key, value) pairs of a PDF number tree, leaves in order."""
    if node is None or depth > 32:
        return []
    node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return []  # a damaged tree: nothing to copy from this node
    pairs: list[tuple[int, PdfObject]] = []
    nums = node.get("/Nums", ArrayObject())
    pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids", ArrayObject()):
        pairs += _number_tree(kid, depth + 1)
    return pairs


def _top_elements(root) -> tuple[list, list[IndirectObject]]:
    """Return the elements to copy from a part's tree (the kids of its one /Document, else its root's kids)
    and the indirect objects that held them (the root, and the /Document when its kids are taken)."""
    wrappers = [root] if isinstance(root, IndirectObject) else []
    root = root.get_object()
    kids = _as_list(root.get("/K"))
    if len(kids) == 1 and _is_element(kids[0]) and kids[0].get_object().get("/S") == "/Document":
        inner = _as_list(kids[0].get_object().get("/K"))
        if inner and all(_is_element(k) for k in inner):
            return inner, wrappers + ([kids[0]] if isinstance(kids[0], IndirectObject) else [])
    return [k for k in kids if _is_element(k)], wrappers


def _as_list(value) -> list:
    """Return a PDF value that may be one object or an array as a list."""
    if value is None:
        return []
    value = value.get_object() if isinstance(value, IndirectObject) and isinstance(value.get_object(), ArrayObject) else value
    return list(value) if isinstance(value, ArrayObject) else [value]


def _is_element(value) -> bool:
    """True when a kid of the structure tree is a structure element (not a content id or a reference)."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return isinstance(value, DictionaryObject) and "/S" in value and value.get("/Type", "/StructElem") == "/StructElem"


def _add_pages(writer: PdfWriter, part: Part, tree: _StructureTree | None = None) -> int:
    """Add a part's pages (or a page saying why it is missing) with their structure; return its first page's index."""
    start = len(writer.pages)
    if part.pdf is not None:
        reader = PdfReader(part.pdf)
        pages = [(page, writer.add_page(page)) for page in reader.pages]
        if tree is not None:
            tree.add_part(part.title, reader, pages)
    else:
        page = writer.add_page(text_page([f"{part.title}: niet opgenomen.", f"Reden: {part.missing}.",
                                          "Het secretariaat kan het los nasturen."], mark=b"/P <</MCID 0>>"))
        if tree is not None:
            tree.add_paragraph_page(part.title, page)
    return start


def encrypted(pdf: bytes, password: str) -> bytes:
    """Return the PDF encrypted (AES-256) so that it opens only with `password` (for `formkit send plan`)."""
    import io

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scratch_dir() -> tempfile.TemporaryDirectory:
    """Return a private temporary folder for one run (LibreOffice profile, staged and converted files)."""
    return tempfile.TemporaryDirectory(prefix="formkit-pdf-")
