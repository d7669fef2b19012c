"""Reading returned score sheets back: values through their defined names, never by position.

Every file first passes :func:`formkit.returns.intake.inspect_file`; only then does openpyxl
parse it (with defusedxml). A form is recognised by the metadata formkit embedded,
never by its file name; every copy of its identity must agree and its seal must verify
(see :mod:`formkit.returns.identity`). Files are only read, never saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import FormkitError
from ..core.findings import Code, Finding, Place, finding
from ..core.text import visible
from ..sheets.names import meta_copies, resolve_names
from ..sheets.schema import Schema
from ..sheets.seal import SealKey, default_key
from ..xlsx.workbook import TooLong, WorkbookUnreadable, as_formula, open_workbook
from .identity import HEADER_NAMES, prove
from .intake import DEFAULT_LIMITS, Limits, inspect_file

META_KEYS = ("formkit_form_id", "formkit_dossier", "formkit_professional", "formkit_meeting",
             "formkit_schema_version")
IDENTITY_HEADER_NAMES = tuple(HEADER_NAMES.values())


class FormRejected(FormkitError):
    """Het bestand is geen bruikbaar scoreformulier."""

    def __init__(self, result: Finding):
        super().__init__(f"{result.file}: {result.message}")
        self.finding = result


@dataclass(frozen=True)
class ReturnedForm:
    """One returned score sheet: where it came from, its metadata and its filled values."""

    path: Path
    meta: dict[str, str]
    #: Filled input cells by defined name; formulas are kept as Formula text, never evaluated,
    #: and a text longer than its field allows only as TooLong (its length).
    values: dict[str, object] = field(default_factory=dict)
    #: Where each value was found: defined name -> (sheet, cell).
    places: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: When the file was last saved, by its own properties (or the file system).
    saved: dt.datetime | None = None
    #: Findings about the file as a whole (its metadata).
    findings: tuple[Finding, ...] = ()

    @property
    def dossier(self) -> str:
        """Return the dossier the form is about."""
        return self.meta.get("formkit_dossier", "")

    @property
    def professional(self) -> str:
        """Return the code of the professional the form was made for."""
        return self.meta.get("formkit_professional", "")

    @property
    def meeting(self) -> dt.date | None:
        """Return the meeting date the form was made for."""
        try:
            return dt.date.fromisoformat(self.meta.get("formkit_meeting", ""))
        except ValueError:
            return None


_LAYOUTS: dict[tuple, dict] = {}


def shared_layout(layout: dict) -> dict:
    """Return one shared copy of a layout (a name-to-place map): forms from one template have the same.

    A batch of thousands of forms then holds one map instead of one per form.
    """
    key = tuple(layout.items())
    return _LAYOUTS.setdefault(key, layout) if len(_LAYOUTS) < 64 else layout


def _cells(wb, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[object, str]]:
    """Return {(sheet, cell): (value, data type)} for the wanted cells, reading each sheet once."""
    found = {}
    for sheet in {s for s, _ in wanted}:
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        ws.reset_dimensions()  # don't trust the size the file declares
        refs = {ref for s, ref in wanted if s == sheet}
        for row in ws.iter_rows():
            for cell in row:
                coordinate = getattr(cell, "coordinate", None)
                if coordinate in refs:
                    found[(sheet, coordinate)] = (cell.value, cell.data_type)
    return found


def _text_limits(schema: Schema) -> dict[str, int]:
    """Return the longest text each input field allows, by defined name."""
    return {c.name: c.field.max_length for c in schema.inputs}


def _cell_value(value, data_type: str | None, limit: int):
    """Return a cell's value as formkit keeps it: a formula as its text, text stripped and made
    visible (see :mod:`formkit.core.text`), a text longer than `limit` withheld as TooLong, a date as a date."""
    if data_type == "f":
        return as_formula(value)
    if isinstance(value, str):
        value = value.strip()
        if len(value) > limit:
            return TooLong(len(value), limit)
        return visible(value, multiline=True)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def read_form(path: Path, schema: Schema, limits: Limits = DEFAULT_LIMITS, *, key: SealKey | None = None,
              allow_unsealed: bool = False) -> ReturnedForm:
    """Return the metadata and filled values of a returned score sheet; raise FormRejected if unusable.

    The form's identity must agree in every copy and its seal must verify under `key`
    (default: the secretariat's usual key, never created here); a form without a seal is
    read, with a warning, only when `allow_unsealed`.
    """
    path = Path(path)
    key = key if key is not None else default_key()
    refused = inspect_file(path, limits)
    if refused is not None:
        raise FormRejected(refused)
    try:
        wb = open_workbook(path, read_only=True)  # streams the sheet once; far less memory
    except WorkbookUnreadable as e:
        raise FormRejected(finding(Code.file_damaged, file=path.name)) from e
    try:
        props, sheet_meta = meta_copies(wb)
        if not props and not sheet_meta:
            raise FormRejected(finding(Code.not_formkit, file=path.name))
        places, _ = resolve_names(wb, [c.name for c in schema.inputs])
        places = shared_layout(places)
        header_places, _ = resolve_names(wb, IDENTITY_HEADER_NAMES)
        cells = _cells(wb, set(places.values()) | set(header_places.values()))
        header = {name: cells.get(place, (None, None))[0] for name, place in header_places.items()}
        verdict = prove(path.name, props, sheet_meta, header, key, allow_unsealed=allow_unsealed)
        if verdict.refusal is not None:
            raise FormRejected(verdict.refusal)
        meta = verdict.meta
        where = Place(file=path.name, dossier=meta.get("formkit_dossier"),
                      professional=meta.get("formkit_professional"))
        found = list(verdict.warnings)
        if meta.get("formkit_schema_version") != schema.version:
            found.append(finding(Code.schema_version, found=meta.get("formkit_schema_version") or "onbekend",
                                 expected=schema.version, **where))
        values = {}
        text_limits = _text_limits(schema)
        for name, place in places.items():
            value, data_type = cells.get(place, (None, None))
            if value is not None:
                value = _cell_value(value, data_type, text_limits[name])
            if value not in (None, ""):
                values[name] = value
        saved = wb.properties.modified or dt.datetime.fromtimestamp(path.stat().st_mtime)
    except FormRejected:
        raise
    except Exception as e:  # a package that passed the intake but that openpyxl cannot read
        raise FormRejected(finding(Code.file_damaged, file=path.name)) from e
    finally:
        wb.close()
    return ReturnedForm(path, meta, values, places, saved, tuple(found))
