"""Reading a ``register.xlsx`` into a :class:`~formkit.register.model.Register`.

:func:`load` collects every problem as a Finding instead of stopping at the first, then adds
the checks across sheets (:func:`formkit.register.check.check`). Columns are found by their
Dutch header, case- and space-insensitively, in any order.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ..core import dates, dutch
from ..core.findings import Code, Finding, finding
from ..core.text import visible
from ..xlsx.workbook import Formula, WorkbookUnreadable, cell_ref, iter_rows, open_workbook
from .check import check
from .layout import EMAIL, MIN_BIRTH_YEAR, SHEETS, SHEETS_BY_NAME, Column, SheetSpec, normalise
from .model import Household, Involvement, MeetingItem, Member, Professional, Register

# --- reading ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    """A register as read, with the findings of reading and checking it."""

    register: Register
    findings: list[Finding]


def load(path: Path | str, *, today: dt.date | None = None) -> LoadResult:
    """Return the register at `path` with every finding of reading and checking it.

    A register that cannot be opened at all gives an empty Register and one finding.
    """
    path = Path(path)
    register = Register(file=path.name)
    try:
        wb = open_workbook(path, read_only=True)
    except WorkbookUnreadable as e:
        return LoadResult(register, [finding(Code.register_unreadable, file=path.name, reason=str(e))])
    try:
        reader = _Reader(path.name, today or dt.date.today())
        sheets = {normalise(ws.title): ws for ws in wb.worksheets}
        elsewhere = _start_elsewhere(path, sheets, reader.today)
        for spec in SHEETS:
            ws = sheets.get(normalise(spec.name))
            if ws is None:
                reader.findings.append(finding(Code.sheet_missing, file=path.name, sheet=spec.name))
            elif elsewhere and elsewhere[0] == spec.name:
                elsewhere = (spec.name, elsewhere[1], len(reader.findings))  # its findings go here, in sheet order
            else:
                reader.read_sheet(spec, ws, register)
        if elsewhere:
            _finish_elsewhere(elsewhere, sheets, reader, register)
    except Exception:  # noqa: BLE001 - a sheet damaged past its first bytes (XML, zip): a finding, no traceback
        return LoadResult(Register(file=path.name), [finding(Code.register_unreadable, file=path.name,
                                                             reason="het bestand is beschadigd")])
    finally:
        wb.close()
    return LoadResult(register, reader.findings + check(register))


#: A register sheet whose XML is larger than this (about 15,000 rows) is read in a second
#: process while this one reads the other sheets: on two cores that halves the wall time
#: of a large register. A smaller register is read in this process, without the start-up.
PARALLEL_SHEET_BYTES = 3_000_000
_LIST_OF = {"Huishoudens": "households", "Gezinsleden": "members", "Professionals": "professionals",
            "Betrokkenheid": "involvements", "Overleggen": "meeting_items"}


def _start_elsewhere(path: Path, sheets: dict, today: dt.date) -> tuple | None:
    """Start reading the largest register sheet in a worker process; return (sheet, future), None when not worth it."""
    if (os.cpu_count() or 1) < 2:
        return None
    try:
        sizes = {spec.name: ws.parent._archive.getinfo(ws._worksheet_path).file_size
                 for spec in SHEETS if (ws := sheets.get(normalise(spec.name))) is not None}
    except (AttributeError, KeyError):  # not a read-only workbook from a zip: read it here
        return None
    sheet = max(sizes, key=sizes.__getitem__, default=None)
    if sheet is None or sizes[sheet] < PARALLEL_SHEET_BYTES:
        return None
    try:
        pool = ProcessPoolExecutor(max_workers=1)
        return sheet, (pool, pool.submit(_read_sheet_alone, str(path), sheet, today))
    except Exception:  # noqa: BLE001 - no second process here (e.g. inside a daemon worker): read it in this one
        return None


def _finish_elsewhere(elsewhere: tuple, sheets: dict, reader: _Reader, register: Register) -> None:
    """Take in the sheet the worker read (its records, columns and findings); read it here if the worker failed."""
    sheet, (pool, future), position = elsewhere
    try:
        records, found, columns = future.result()
    except Exception:  # noqa: BLE001 - a worker that could not start or died: the sheet is read here instead
        records = None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if records is None:
        rest = reader.findings[position:]
        del reader.findings[position:]
        reader.read_sheet(SHEETS_BY_NAME[sheet], sheets[normalise(sheet)], register)
        reader.findings += rest
        return
    getattr(register, _LIST_OF[sheet]).extend(records)
    if columns is not None:
        register.columns[sheet] = columns
    reader.findings[position:position] = found


def _read_sheet_alone(path: str, sheet: str, today: dt.date) -> tuple[list, list[Finding], dict | None]:
    """Return one sheet's records, findings and columns, read on its own; runs in a worker process."""
    register = Register(file=Path(path).name)
    reader = _Reader(register.file, today)
    wb = open_workbook(Path(path), read_only=True)
    try:
        ws = {normalise(w.title): w for w in wb.worksheets}[normalise(sheet)]
        reader.read_sheet(SHEETS_BY_NAME[sheet], ws, register)
    finally:
        wb.close()
    return list(getattr(register, _LIST_OF[sheet])), reader.findings, register.columns.get(sheet)


class _Reader:
    """Reads the rows of register sheets into records, collecting findings."""

    def __init__(self, file: str, today: dt.date):
        self.file = file
        self.today = today
        self.findings: list[Finding] = []

    def read_sheet(self, spec: SheetSpec, ws, register: Register) -> None:
        rows = list(iter_rows(ws))
        header_row, positions = self._find_header(spec, rows)
        missing = [c for c in spec.columns if c.key not in positions]
        for column in missing:
            self.findings.append(
                finding(Code.column_missing, file=self.file, sheet=spec.name, row=header_row, column=column.header)
            )
        if missing:
            return
        register.columns[spec.name] = {key: i + 1 for key, i in positions.items()}
        make = _RECORD_MAKERS[spec.name]
        absent: dict[str, object] = {c.key: None for c in spec.columns + spec.optional_columns
                                     if c.key not in positions}
        present = [(c, positions[c.key], c.kind in _TEXT_KINDS) for c in spec.columns + spec.optional_columns
                   if c.key in positions]
        for number, values in rows:
            if number <= header_row or _blank(values):
                continue
            record = dict(absent)
            ok = True
            width = len(values)
            for column, index, is_text in present:
                raw = values[index] if index < width else None
                if is_text and type(raw) is str and (stripped := raw.strip()):  # the usual cell, without detours
                    record[column.key] = _text(stripped, self.today)
                    continue
                value, problem = self._convert(column, raw, partial(self._place, spec.name, number, column, index))
                if problem:
                    self.findings.append(problem)
                    ok = ok and not (column.required and column.kind in ("id", "code", "text"))
                record[column.key] = value
            if ok:
                make(register, record, number)

    def _find_header(self, spec: SheetSpec, rows) -> tuple[int, dict[str, int]]:
        """Return the header row number and the 0-based position of each known column."""
        wanted = {normalise(c.header): c.key for c in spec.columns + spec.optional_columns}
        for number, values in rows[:10]:
            positions = {}
            for i, v in enumerate(values):
                key = wanted.get(normalise(v)) if v is not None else None
                if key and key not in positions:
                    positions[key] = i
            if positions:
                return number, positions
        return 1, {}

    def _place(self, sheet: str, row: int, column: Column, index: int) -> dict:
        """Return the place of a cell for a finding; made only when there is one (the register may be large)."""
        return dict(file=self.file, sheet=sheet, row=row, column=column.header, cell=cell_ref(index + 1, row))

    def _convert(self, column: Column, raw, place_of: Callable[[], dict]) -> tuple[object, Finding | None]:
        """Return (value, finding) for one cell: the converted value or None with a finding."""
        if isinstance(raw, Formula):
            return None, finding(Code.formula_in_register, value=raw, **place_of())
        if isinstance(raw, str):
            raw = raw.strip() or None
        if raw is None:
            if column.required:
                return None, finding(Code.value_missing, **place_of())
            return None, None
        converter = _CONVERTERS[column.kind]
        try:
            return converter(raw, self.today), None
        except ValueError:
            code = {"date": Code.date_invalid, "year": Code.year_invalid, "phase": Code.phase_invalid,
                    "email": Code.email_invalid}[column.kind]
            return None, finding(code, value=_shown(raw), min_year=MIN_BIRTH_YEAR,
                                 max_year=self.today.year, **place_of())


def _blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _shown(raw) -> str:
    if isinstance(raw, dt.datetime):
        return dutch.short_date(raw.date())
    return str(raw)


def _text(raw, _today) -> str:
    """Return a register text on one line, unsafe characters (bidi overrides, controls) visible."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date().isoformat()
    return visible(" ".join(str(raw).split()))


def _date(raw, _today) -> dt.date:
    try:
        parsed = dates.parse_date(raw)
    except dates.NotADate as e:
        raise ValueError(str(raw)) from e
    if parsed is None:
        raise ValueError(str(raw))
    return parsed


def _year(raw, today) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(raw)
        raw = int(raw)
    if isinstance(raw, str):
        if not raw.isdigit():
            raise ValueError(raw)
        raw = int(raw)
    if not isinstance(raw, int) or not MIN_BIRTH_YEAR <= raw <= today.year:
        raise ValueError(raw)
    return raw


def _phase(raw, _today) -> int:
    text = _text(raw, _today).lower().removeprefix("fase").strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise ValueError(raw)
    return int(text)


def _email(raw, _today) -> str:
    text = _text(raw, _today)
    if not EMAIL.match(text):
        raise ValueError(raw)
    return text


def _time(raw, _today) -> str:
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, dt.datetime):
        return raw.strftime("%H:%M")
    return _text(raw, _today)


_TEXT_KINDS = frozenset({"text", "id", "code"})  # read with _text, the register's most common cells
_CONVERTERS: dict[str, Callable] = {
    "text": _text, "id": _text, "code": _text, "date": _date, "year": _year,
    "phase": _phase, "email": _email, "time": _time,
}


def _add_household(reg: Register, r: dict[str, Any], row: int) -> None:
    reg.households.append(Household(r["dossier"], r["naam"], r["startdatum"], r["fase"], r["regisseur"], row,
                                    r["afsluitdatum"]))


def _add_member(reg: Register, r: dict[str, Any], row: int) -> None:
    reg.members.append(Member(r["dossier"], r["naam"], r["geboortejaar"], r["rol"], row))


def _add_professional(reg: Register, r: dict[str, Any], row: int) -> None:
    reg.professionals.append(
        Professional(r["code"], r["naam"], r["organisatie"], r["functie"], r["email"], row)
    )


def _add_involvement(reg: Register, r: dict[str, Any], row: int) -> None:
    reg.involvements.append(Involvement(r["dossier"], r["professional"], r["dossiernummer"], row))


def _add_meeting_item(reg: Register, r: dict[str, Any], row: int) -> None:
    if r["datum"] is not None:
        reg.meeting_items.append(MeetingItem(r["datum"], r["dossier"], r["tijd"], row))


#: The values of a row, by column key, are what the sheet's checks let through: typed per column kind.
_RECORD_MAKERS: dict[str, Callable[[Register, dict[str, Any], int], None]] = {
    "Huishoudens": _add_household,
    "Gezinsleden": _add_member,
    "Professionals": _add_professional,
    "Betrokkenheid": _add_involvement,
    "Overleggen": _add_meeting_item,
}
