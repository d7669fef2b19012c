"""Inspecting a returned file before any parser sees it: every file is hostile until proven otherwise.

:func:`inspect_file` looks at the bytes and the zip directory only. It refuses what
formkit will not open (macros, ActiveX, embedded objects, external links, DTDs,
legacy or encrypted files, text posing as a workbook) and what would exhaust memory
(zip bombs, huge sheets), before openpyxl parses anything. Limits are checked on the
sizes the zip declares and again on the bytes actually inflated, so a lying header
does not help. The file is only read, never changed.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .findings import Finding, finding

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row[ >]")
_MACRO_TYPES = ("macroenabled", "vbaproject")
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


DEFAULT_LIMITS = Limits()


class _Refused(Exception):
    """Internal: the file is refused, with this finding."""

    def __init__(self, result: Finding):
        super().__init__(result.code)
        self.finding = result


def inspect_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> Finding | None:
    """Return why a file must not be opened, or None when openpyxl may read it."""
    path = Path(path)
    where = dict(file=path.name)
    try:
        _inspect(path, limits, where)
    except _Refused as refused:
        return refused.finding
    # the last but one: zipfile's error for a compression method it does not support
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, KeyError):
        return finding("file_damaged", **where)
    except OSError as e:
        return finding("file_unreadable", reason=e.strerror or type(e).__name__, **where)
    return None


def _refuse(code: str, **values) -> None:
    raise _Refused(finding(code, **values))


def _inspect(path: Path, limits: Limits, where: dict) -> None:
    size = path.stat().st_size
    if size == 0:
        _refuse("file_empty", **where)
    if size > limits.max_file_bytes:
        _refuse("file_too_large", size=round(size / MB, 1), limit=limits.max_file_bytes // MB, **where)
    with path.open("rb") as f:
        head = f.read(8)
        if head == OLE_MAGIC:
            _refuse("file_encrypted" if _ENCRYPTION_STREAM in f.read() else "file_legacy_xls", **where)
    if not head.startswith(ZIP_MAGIC):
        _refuse("file_text" if _looks_like_text(path) else "file_unknown_format", suffix=path.suffix, **where)
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        _refuse("file_macros", **where)
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


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits, where: dict) -> None:
    if len(infos) > limits.max_members:
        _refuse("zip_bomb", limit=limits.max_total_uncompressed // MB, ratio="?", **where)
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_uncompressed:
        _refuse("zip_bomb", limit=limits.max_total_uncompressed // MB, ratio=_ratio(infos), **where)
    for info in infos:
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            _refuse("zip_bomb", limit=limits.max_total_uncompressed // MB, ratio=_ratio([info]), **where)


def _ratio(infos: list[zipfile.ZipInfo]) -> int:
    return round(sum(i.file_size for i in infos) / max(sum(i.compress_size for i in infos), 1))


def _check_parts(zf: zipfile.ZipFile, names: list[str], where: dict) -> None:
    lowered = [n.lower() for n in names]
    if "xl/workbook.xml" not in lowered or "[content_types].xml" not in lowered:
        _refuse("file_unknown_format", **where)
    if any(n.endswith("vbaproject.bin") for n in lowered):
        _refuse("file_macros", **where)
    if any(n.startswith("xl/activex/") for n in lowered):
        _refuse("file_activex", **where)
    if any(n.startswith("xl/embeddings/") for n in lowered):
        _refuse("file_embedded", **where)
    if any(n.startswith("xl/externallinks/") for n in lowered):
        _refuse("file_external_links", **where)
    types_name = names[lowered.index("[content_types].xml")]
    raw = zf.read(types_name)
    if _DTD.search(raw):
        _refuse("xml_unsafe", part=types_name, **where)
    try:
        root = SafeET.fromstring(raw)
    except (SafeET.ParseError, DefusedXmlException):
        _refuse("xml_unsafe", part=types_name, **where)
    for element in root:
        content_type = (element.get("ContentType") or "").lower()
        if any(marker in content_type for marker in _MACRO_TYPES):
            _refuse("file_macros", **where)
        if "activex" in content_type:
            _refuse("file_activex", **where)
        if "oleobject" in content_type:
            _refuse("file_embedded", **where)
        if "externallink" in content_type:
            _refuse("file_external_links", **where)


def _scan_xml(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, where: dict) -> None:
    """Inflate every XML part in chunks, counting bytes, looking for DTDs and counting rows."""
    inflated = 0
    for info in infos:
        name = info.filename
        if not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = name.lower().startswith("xl/worksheets/")
        rows = 0
        tail = b""
        with zf.open(info) as member:
            while chunk := member.read(64 * 1024):
                inflated += len(chunk)
                if inflated > limits.max_total_uncompressed:
                    _refuse("zip_bomb", limit=limits.max_total_uncompressed // MB, ratio=_ratio(infos), **where)
                window = tail + chunk
                if _DTD.search(window):
                    _refuse("xml_unsafe", part=name, **where)
                if is_sheet:
                    rows += len(_ROW.findall(window)) - len(_ROW.findall(tail))
                    if rows > limits.max_sheet_rows:
                        _refuse("sheet_too_large", part=name, limit=limits.max_sheet_rows, **where)
                tail = window[-16:]
