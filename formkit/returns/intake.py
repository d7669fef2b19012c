"""Inspecting a returned file before any parser sees it: every file is hostile until proven otherwise.

:func:`inspect_file` looks at the bytes and the zip directory only. It refuses what
formkit will not open (macros, ActiveX, embedded objects, external links, DTDs,
legacy or encrypted files, text posing as a workbook) and what would exhaust memory
(zip bombs, huge sheets, and parts holding more records than any score sheet: cell
formats, shared strings, defined names, relationships), before openpyxl parses
anything. Limits are checked on the sizes the zip declares and again on the bytes
actually inflated, so a lying header does not help; records are counted while the
parts are inflated, so a small file with half a million cell formats is refused in
well under a second instead of costing a gigabyte in the parser. The file is only
read, never changed.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..core.findings import Code, Finding, Place, finding

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
#: Content and relationship types of code: VBA, and Excel 4.0 macro sheets and dialog sheets.
_MACRO_TYPES = ("macroenabled", "vbaproject", "macrosheet", "dialogsheet")
_MACRO_PARTS = ("xl/macrosheets/", "xl/intlmacrosheets/", "xl/dialogsheets/")
_MACRO_RELATIONSHIP = re.compile(rb"(?i)Type\s*=\s*[\"'][^\"']*(?:macrosheet|dialogsheet|vbaproject)")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a returned score sheet may weigh; a real one is far below every limit."""

    max_file_bytes: int = 20 * MB
    max_members: int = 500
    max_total_uncompressed: int = 100 * MB
    max_ratio: int = 200  # per member, for members over ratio_floor bytes
    ratio_floor: int = 1 * MB
    max_sheet_rows: int = 5000
    # Record counts per part, counted while inflating. A score sheet formkit writes has 16
    # cell formats, 5 fonts, 6 fills and borders, ~150 defined names, 3 sheets, 5
    # relationships per .rels part, ~30 merged ranges and data validations and ~350 cells
    # on its main sheet; once Excel saved it, ~200 shared strings. Each limit leaves at least
    # 20 times that, and keeps what openpyxl builds from the part to a few tens of MB.
    max_cell_formats: int = 10_000  # <xf> in styles.xml (cellXfs and cellStyleXfs)
    max_style_records: int = 10_000  # each of <font>, <fill>, <border>, <numFmt>, <dxf> in styles.xml
    max_shared_strings: int = 50_000  # <si> in sharedStrings.xml
    max_defined_names: int = 5_000  # <definedName> in workbook.xml
    max_sheets: int = 100  # <sheet> in workbook.xml
    max_relationships: int = 1_000  # <Relationship> per .rels part
    max_sheet_cells: int = 100_000  # <c> per worksheet (reading 100,000 cells takes about 2 s)
    max_merged_cells: int = 5_000  # <mergeCell> per worksheet
    max_validations: int = 2_000  # <dataValidation> and <cfRule> (conditional formats), each per worksheet
    # The reading worker (formkit.returns.isolation): what one file may cost while openpyxl parses it.
    #: Address space the worker may grow by while reading one file (POSIX; enforced on Linux).
    max_read_memory: int = 160 * MB
    #: Processor time for one file (POSIX), and wall-clock time (everywhere, by the parent).
    max_read_cpu_seconds: int = 8
    max_read_seconds: float = 10.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class _Count:
    """A record kind counted in some parts: its tag, the Limits field that bounds it, its Dutch name."""

    tag: str
    limit: str
    what: str


def _counted(part: str) -> tuple[re.Pattern | None, dict[str, _Count]]:
    """Return the pattern of the record tags counted in a part (by its lowered name) and what each is."""
    if part == "xl/styles.xml":
        kinds = [_Count("xf", "max_cell_formats", "celopmaken")] + [
            _Count(tag, "max_style_records", what) for tag, what in
            (("font", "lettertypen"), ("fill", "opvullingen"), ("border", "randen"), ("numFmt", "getalnotaties"),
             ("dxf", "opmaakregels"))]
    elif part == "xl/sharedstrings.xml":
        kinds = [_Count("si", "max_shared_strings", "gedeelde teksten")]
    elif part == "xl/workbook.xml":
        kinds = [_Count("definedName", "max_defined_names", "gedefinieerde namen"),
                 _Count("sheet", "max_sheets", "werkbladen")]
    elif part.endswith(".rels"):
        kinds = [_Count("Relationship", "max_relationships", "relaties")]
    elif part.startswith("xl/worksheets/"):
        kinds = [_Count("row", "max_sheet_rows", "rijen"), _Count("c", "max_sheet_cells", "cellen"),
                 _Count("mergeCell", "max_merged_cells", "samengevoegde cellen"),
                 _Count("dataValidation", "max_validations", "gegevensvalidaties"),
                 _Count("cfRule", "max_validations", "regels voor voorwaardelijke opmaak")]
    else:
        return None, {}
    tags = "|".join(re.escape(k.tag) for k in kinds)
    return re.compile(rf"<(?:[\w.-]+:)?({tags})[\s>/]".encode()), {k.tag: k for k in kinds}


class _Refused(Exception):
    """Internal: the file is refused, with this finding."""

    def __init__(self, result: Finding):
        super().__init__(result.code)
        self.finding = result


def inspect_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> Finding | None:
    """Return why a file must not be opened, or None when openpyxl may read it."""
    path = Path(path)
    where = Place(file=path.name)
    try:
        _inspect(path, limits, where)
    except _Refused as refused:
        return refused.finding
    # the last but one: zipfile's error for a compression method it does not support
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, KeyError):
        return finding(Code.file_damaged, **where)
    except OSError as e:
        return finding(Code.file_unreadable, reason=e.strerror or type(e).__name__, **where)
    return None


def _refuse(code: Code, **values) -> None:
    raise _Refused(finding(code, **values))


def _inspect(path: Path, limits: Limits, where: Place) -> None:
    size = path.stat().st_size
    if size == 0:
        _refuse(Code.file_empty, **where)
    if size > limits.max_file_bytes:
        _refuse(Code.file_too_large, size=round(size / MB, 1), limit=limits.max_file_bytes // MB, **where)
    with path.open("rb") as f:
        head = f.read(8)
        if head == OLE_MAGIC:
            _refuse(Code.file_encrypted if _ENCRYPTION_STREAM in f.read() else Code.file_legacy_xls, **where)
    if not head.startswith(ZIP_MAGIC):
        _refuse(Code.file_text if _looks_like_text(path) else Code.file_unknown_format, suffix=path.suffix, **where)
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        _refuse(Code.file_macros, **where)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        _check_directory(infos, limits, where)
        _check_parts(zf, [i.filename for i in infos], where)
        _scan_xml(zf, infos, limits, where)


def _looks_like_text(path: Path) -> bool:
    sample = path.read_bytes()[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits, where: Place) -> None:
    if len(infos) > limits.max_members:
        _refuse(Code.zip_bomb, limit=limits.max_total_uncompressed // MB, ratio="?", **where)
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_uncompressed:
        _refuse(Code.zip_bomb, limit=limits.max_total_uncompressed // MB, ratio=_ratio(infos), **where)
    for info in infos:
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            _refuse(Code.zip_bomb, limit=limits.max_total_uncompressed // MB, ratio=_ratio([info]), **where)


def _ratio(infos: list[zipfile.ZipInfo]) -> int:
    return round(sum(i.file_size for i in infos) / max(sum(i.compress_size for i in infos), 1))


def _check_parts(zf: zipfile.ZipFile, names: list[str], where: Place) -> None:
    lowered = [n.lower() for n in names]
    if "xl/workbook.xml" not in lowered or "[content_types].xml" not in lowered:
        _refuse(Code.file_unknown_format, **where)
    if any(n.endswith("vbaproject.bin") or n.startswith(_MACRO_PARTS) for n in lowered):
        _refuse(Code.file_macros, **where)
    if any(n.startswith("xl/activex/") for n in lowered):
        _refuse(Code.file_activex, **where)
    if any(n.startswith("xl/embeddings/") for n in lowered):
        _refuse(Code.file_embedded, **where)
    if any(n.startswith("xl/externallinks/") for n in lowered):
        _refuse(Code.file_external_links, **where)
    types_name = names[lowered.index("[content_types].xml")]
    raw = zf.read(types_name)
    if _DTD.search(raw):
        _refuse(Code.xml_unsafe, part=types_name, **where)
    try:
        root = SafeET.fromstring(raw)
    except (SafeET.ParseError, DefusedXmlException):
        _refuse(Code.xml_unsafe, part=types_name, **where)
    for element in root:
        content_type = (element.get("ContentType") or "").lower()
        if any(marker in content_type for marker in _MACRO_TYPES):
            _refuse(Code.file_macros, **where)
        if "activex" in content_type:
            _refuse(Code.file_activex, **where)
        if "oleobject" in content_type:
            _refuse(Code.file_embedded, **where)
        if "externallink" in content_type:
            _refuse(Code.file_external_links, **where)


def _scan_xml(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, where: Place) -> None:
    """Inflate every XML part in chunks: count bytes, look for DTDs and macro relationships, count records."""
    inflated = 0
    for info in infos:
        name = info.filename
        lowered = name.lower()
        if not lowered.endswith((".xml", ".rels", ".vml")):
            continue
        pattern, kinds = _counted(lowered)
        counts = dict.fromkeys(kinds, 0)
        tail = b""
        with zf.open(info) as member:
            while chunk := member.read(64 * 1024):
                inflated += len(chunk)
                if inflated > limits.max_total_uncompressed:
                    _refuse(Code.zip_bomb, limit=limits.max_total_uncompressed // MB, ratio=_ratio(infos), **where)
                window = tail + chunk
                if _DTD.search(window):
                    _refuse(Code.xml_unsafe, part=name, **where)
                if lowered.endswith(".rels") and _MACRO_RELATIONSHIP.search(window):
                    _refuse(Code.file_macros, **where)
                if pattern is not None:
                    _count(pattern, kinds, counts, window, tail, limits, name, where)
                tail = window[-64:]


def _count(pattern: re.Pattern, kinds: dict[str, _Count], counts: dict[str, int], window: bytes, tail: bytes,
           limits: Limits, part: str, where: Place) -> None:
    """Add the records that start in this chunk to `counts`; refuse the file when one passes its limit.

    A tag that starts in the carried-over tail was counted with the previous chunk (the tail
    is longer than any counted tag), so only matches ending past the tail are new.
    """
    for match in pattern.finditer(window):
        if match.end() <= len(tail):
            continue
        tag = match.group(1).decode()
        counts[tag] += 1
        limit = getattr(limits, kinds[tag].limit)
        if counts[tag] > limit:
            if tag == "row":
                _refuse(Code.sheet_too_large, part=part, limit=limit, **where)
            _refuse(Code.part_too_many, part=part, what=kinds[tag].what, limit=limit, **where)
