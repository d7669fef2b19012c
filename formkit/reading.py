"""Reading returned score sheets back: values through their defined names, never by position.

A form is recognised by the metadata formkit embedded, not by its file name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FormkitError
from .schema import Schema
from .scoresheet import read_meta, resolve_names
from .xlsx import Formula, WorkbookUnreadable, open_workbook


class FormUnreadable(FormkitError):
    """Het formulier kan niet worden gelezen."""


@dataclass(frozen=True)
class ReturnedForm:
    """One returned score sheet: where it came from, its metadata and its filled values."""

    path: Path
    meta: dict[str, str]
    #: Filled input cells by defined name; formulas are kept as Formula text, never evaluated.
    values: dict[str, object] = field(default_factory=dict)
    #: Where each value was found: defined name -> (sheet, cell).
    places: dict[str, tuple[str, str]] = field(default_factory=dict)

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


def read_form(path: Path, schema: Schema) -> ReturnedForm:
    """Return the metadata and filled values of a returned score sheet."""
    path = Path(path)
    try:
        wb = open_workbook(path)
    except WorkbookUnreadable as e:
        raise FormUnreadable(f"{path.name}: {e}") from e
    props, sheet_meta = read_meta(wb)
    meta = props or sheet_meta
    if not meta.get("formkit_dossier"):
        raise FormUnreadable(f"{path.name}: dit is geen scoreformulier van formkit (geen formkit-gegevens)")
    places, _ = resolve_names(wb, [c.name for c in schema.inputs])
    values = {}
    for name, (sheet, ref) in places.items():
        cell = wb[sheet][ref]
        value = cell.value
        if cell.data_type == "f" and value is not None:
            value = Formula(str(value))
        elif isinstance(value, str):
            value = value.strip()
        elif isinstance(value, dt.datetime):
            value = value.date()
        if value not in (None, ""):
            values[name] = value
    return ReturnedForm(path, meta, values, places)
