"""Where a score sheet keeps its values and its identity, as the writer puts them and the reader finds them.

Values sit behind workbook-level defined names, never at fixed positions; the identity
(form id, dossier, professional, meeting, schema version) is stored twice, as custom
document properties and on the hidden formkit sheet. The writer (:mod:`.scoresheet`) and
the reader (:mod:`formkit.returns.read`, :mod:`formkit.returns.identity`) share this module,
so the reader does not depend on the writer.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from .. import __version__
from ..xlsx import MergedCell
from .schema import META_SHEET

_FORM_NAMESPACE = uuid.UUID("6f1c2a47-3d1e-4c55-9a43-1b7f0c9e2d10")

# --- metadata ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormMeta:
    """What identifies a returned form, whatever its file is called."""

    form_id: str
    dossier: str
    professional: str
    meeting: dt.date
    schema_version: str
    formkit_version: str = __version__

    def items(self) -> list[tuple[str, str]]:
        """Return the metadata as (key, text) pairs, as stored in the workbook."""
        return [
            ("formkit_form_id", self.form_id),
            ("formkit_dossier", self.dossier),
            ("formkit_professional", self.professional),
            ("formkit_meeting", self.meeting.isoformat()),
            ("formkit_schema_version", self.schema_version),
            ("formkit_version", self.formkit_version),
        ]

    def identity(self) -> dict[str, str]:
        """Return the keys and texts the seal covers: form id, dossier, professional, meeting, schema version."""
        return dict(self.items()[:5])


def form_id(dossier: str, professional: str, meeting: dt.date) -> str:
    """Return the stable id of the form of one professional for one household and meeting."""
    return str(uuid.uuid5(_FORM_NAMESPACE, f"{dossier}\x1f{professional}\x1f{meeting.isoformat()}"))


def meta_copies(wb) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return every formkit_ (key, text) pair twice: (custom properties, hidden sheet rows), duplicates kept."""
    props = [(p.name, str(p.value)) for p in wb.custom_doc_props.props if str(p.name).startswith("formkit_")]
    sheet: list[tuple[str, str]] = []
    if META_SHEET in wb.sheetnames:
        for key, value in wb[META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True):
            if isinstance(key, str) and key.startswith("formkit_"):
                sheet.append((key, "" if value is None else str(value)))
    return props, sheet


def read_meta(wb) -> tuple[dict[str, str], dict[str, str]]:
    """Return the metadata of a workbook twice as dicts: (custom properties, hidden sheet)."""
    props, sheet = meta_copies(wb)
    return dict(props), dict(sheet)


_SIMPLE_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?[A-Z]{1,3}\$?\d+)?$")


def _destination(dn) -> tuple[str, str] | None:
    """Return (sheet, top-left cell) of a defined name, reading the common form directly."""
    m = _SIMPLE_REF.match(dn.attr_text or "")
    if m:
        sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        return sheet, f"{m.group(3)}{m.group(4)}"
    destinations = list(dn.destinations)  # openpyxl's tokenizer, for anything unusual
    return (destinations[0][0], destinations[0][1].replace("$", "").split(":")[0]) if destinations else None


def resolve_names(wb, names) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Return ({name: (sheet, cell)}, missing names) for workbook-level defined names."""
    found, missing = {}, []
    for name in names:
        dn = wb.defined_names.get(name)
        place = _destination(dn) if dn is not None else None
        if place is None or place[0] not in wb.sheetnames:
            missing.append(name)
            continue
        found[name] = place
    return found, missing


def merged_inputs(wb, places: dict[str, tuple[str, str]]) -> list[str]:
    """Return the names that point inside merged cells, where nobody can type."""
    return [name for name, (sheet, cell) in places.items()
            if sheet in wb.sheetnames and isinstance(wb[sheet][cell], MergedCell)]
