"""The secretariat's register of households, members, professionals and meetings.

:func:`load` reads a ``register.xlsx`` into plain dataclasses and collects every
problem as a Finding instead of stopping at the first; :func:`check` adds the
checks across sheets (duplicates, unknown codes, regisseur). Columns are found by
their Dutch header, case- and space-insensitively, in any order.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import dates
from .findings import Finding, finding
from .paths import MAX_ID_LENGTH
from .text import MARKER, QUOTE_LIMIT, is_safe, visible
from .xlsx import Formula, WorkbookUnreadable, cell_ref, iter_rows, open_workbook

# --- the domain ----------------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    """A household (gezin) with its own dossier id."""

    dossier: str
    name: str
    start_date: dt.date | None
    phase: int | None
    regisseur: str | None  # a professional's code
    row: int = 0


@dataclass(frozen=True)
class Member:
    """A member of a household (gezinslid)."""

    dossier: str
    name: str
    birth_year: int | None = None
    role: str | None = None
    row: int = 0


@dataclass(frozen=True)
class Professional:
    """A professional who may be involved in households."""

    code: str
    name: str
    organisation: str | None = None
    function: str | None = None
    email: str | None = None
    row: int = 0


@dataclass(frozen=True)
class Involvement:
    """A professional involved in a household, with their organisation's file number."""

    dossier: str
    professional: str  # a professional's code
    file_number: str | None = None
    row: int = 0


@dataclass(frozen=True)
class MeetingItem:
    """A household on the agenda of a case meeting."""

    date: dt.date
    dossier: str
    time: str | None = None
    row: int = 0


class _Tracked(list):
    """A list that counts its changes, so the register knows when its look-up index is stale."""

    changes = 0


def _counting(operation):
    def changed(self, *args, **kwargs):
        self.changes += 1
        return operation(self, *args, **kwargs)
    return changed


for _name in ("__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend", "insert", "pop", "remove",
              "clear", "sort", "reverse"):
    setattr(_Tracked, _name, _counting(getattr(list, _name)))

_LISTS = ("households", "members", "professionals", "involvements", "meeting_items")


@dataclass
class Register:
    """The whole register, as plain lists, with look-ups the other modules need.

    Look-ups go through an index per list, rebuilt only when the list changed, so a
    batch of thousands of forms does not scan the whole register for every form.
    """

    households: list[Household] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    professionals: list[Professional] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    meeting_items: list[MeetingItem] = field(default_factory=list)
    file: str = "register.xlsx"
    #: Where each column was found: {sheet: {column key: 1-based column number}}.
    columns: dict[str, dict[str, int]] = field(default_factory=dict)

    def __setattr__(self, name: str, value) -> None:
        if name in _LISTS and not isinstance(value, _Tracked):
            value = _Tracked(value)
        super().__setattr__(name, value)

    def __getstate__(self) -> dict:
        """Pickle (for worker processes) without the look-up indexes; they are rebuilt there."""
        return {k: v for k, v in self.__dict__.items() if k != "_indexes"}

    def _index(self, attr: str, key: Callable) -> dict:
        """Return {key: [items in register order]} for one of the register's lists."""
        items = getattr(self, attr)
        indexes = self.__dict__.setdefault("_indexes", {})
        cached = indexes.get(attr)
        if cached is not None and cached[0] is items and cached[1] == items.changes:
            return cached[2]
        index: dict = {}
        for item in items:
            index.setdefault(key(item), []).append(item)
        indexes[attr] = (items, items.changes, index)
        return index

    def household(self, dossier: str) -> Household | None:
        """Return the household with this dossier id, None when unknown."""
        found = self._index("households", lambda h: h.dossier).get(dossier)
        return found[0] if found else None

    def professional(self, code: str) -> Professional | None:
        """Return the professional with this code, None when unknown."""
        found = self._index("professionals", lambda p: p.code).get(code)
        return found[0] if found else None

    def regisseur_of(self, dossier: str) -> Professional | None:
        """Return the professional who holds the regie of a household, None when unset or unknown."""
        household = self.household(dossier)
        return self.professional(household.regisseur) if household and household.regisseur else None

    def members_of(self, dossier: str) -> list[Member]:
        """Return the members of a household, in register order."""
        return list(self._index("members", lambda m: m.dossier).get(dossier, ()))

    def involvement_rows(self, dossier: str) -> list[Involvement]:
        """Return every Betrokkenheid row of a household as written, unknown professionals included."""
        return list(self._index("involvements", lambda i: i.dossier).get(dossier, ()))

    def involvements_of(self, dossier: str) -> list[Involvement]:
        """Return the involvements of a household whose professional is known, once each."""
        seen, result = set(), []
        for inv in self._index("involvements", lambda i: i.dossier).get(dossier, ()):
            if inv.professional not in seen and self.professional(inv.professional):
                seen.add(inv.professional)
                result.append(inv)
        return result

    def professionals_of(self, dossier: str) -> list[Professional]:
        """Return the known professionals involved in a household, in register order."""
        return [self.professional(inv.professional) for inv in self.involvements_of(dossier)]

    def meeting_dates(self) -> list[dt.date]:
        """Return the dates of all meetings, oldest first."""
        return sorted({m.date for m in self.meeting_items})

    def dossiers_on(self, date: dt.date) -> list[str]:
        """Return the dossiers on a meeting's agenda, in agenda order, once each."""
        items = sorted(self._index("meeting_items", lambda m: m.date).get(date, ()), key=_agenda_key)
        return list(dict.fromkeys(item.dossier for item in items))


def _agenda_key(item: MeetingItem) -> tuple:
    return (item.time or "", item.row)


# --- the sheets and their columns ------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a register sheet: its key, Dutch header, kind of value and help."""

    key: str
    header: str
    kind: str  # text | id | code | date | year | phase | email | time
    required: bool = False  # the value must be filled in every row
    help: str = ""
    width: int = 18


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the register and its columns."""

    name: str
    columns: tuple[Column, ...]
    help: str
    optional_columns: tuple[Column, ...] = ()


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Huishoudens",
        (
            Column("dossier", "dossier", "id", True, "Uniek dossiernummer, bijvoorbeeld 2026-014.", 14),
            Column("naam", "naam", "text", True, "Naam van het huishouden, bijvoorbeeld Gezin Bakker.", 26),
            Column("startdatum", "startdatum", "date", True, "Datum waarop het gezamenlijke plan startte (dd-mm-jjjj).", 14),
            Column("fase", "fase", "phase", True, "Fase 1 tot en met 5 van gefaseerd samenwerken aan veiligheid.", 8),
            Column("regisseur", "regisseur", "code", False, "Code van de professional die de regie heeft.", 14),
        ),
        "Eén rij per huishouden.",
    ),
    SheetSpec(
        "Gezinsleden",
        (
            Column("dossier", "dossier", "code", True, "Dossiernummer van het huishouden.", 14),
            Column("naam", "naam", "text", True, "Voornaam (en achternaam) van het gezinslid.", 24),
            Column("geboortejaar", "geboortejaar", "year", False, "Geboortejaar, bijvoorbeeld 2015.", 14),
            Column("rol", "rol", "text", False, "Bijvoorbeeld moeder, vader, kind, partner.", 16),
        ),
        "Eén rij per gezinslid.",
    ),
    SheetSpec(
        "Professionals",
        (
            Column("code", "code", "id", True, "Unieke korte code, bijvoorbeeld WT01.", 10),
            Column("naam", "naam", "text", True, "Naam van de professional.", 24),
            Column("organisatie", "organisatie", "text", True, "Organisatie, bijvoorbeeld Veilig Thuis.", 28),
            Column("functie", "functie", "text", False, "Functie, bijvoorbeeld gezinsvoogd.", 22),
            Column("email", "email", "email", False, "E-mailadres; verplicht voor een regisseur.", 32),
        ),
        "Eén rij per professional.",
    ),
    SheetSpec(
        "Betrokkenheid",
        (
            Column("dossier", "dossier", "code", True, "Dossiernummer van het huishouden.", 14),
            Column("professional", "professional", "code", True, "Code van de betrokken professional.", 14),
        ),
        "Eén rij per professional per huishouden.",
        optional_columns=(
            Column("dossiernummer", "dossiernummer", "text", False, "Het eigen dossiernummer van die organisatie (mag leeg).", 18),
        ),
    ),
    SheetSpec(
        "Overleggen",
        (
            Column("datum", "datum", "date", True, "Datum van het casusoverleg (dd-mm-jjjj).", 14),
            Column("dossier", "dossier", "code", True, "Dossiernummer van een huishouden dat besproken wordt.", 14),
        ),
        "Eén rij per huishouden per casusoverleg.",
        optional_columns=(
            Column("tijd", "tijd", "time", False, "Tijdstip van de bespreking, bijvoorbeeld 09:30 (mag leeg).", 10),
        ),
    ),
)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}

EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[A-Za-z]{2,}$")
MIN_BIRTH_YEAR = 1900


def normalise(text) -> str:
    """Return a header or sheet name in the form it is matched on: lower case, no spaces."""
    return "".join(str(text).split()).lower()


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
        return LoadResult(register, [finding("register_unreadable", file=path.name, reason=str(e))])
    try:
        reader = _Reader(path.name, today or dt.date.today())
        sheets = {normalise(ws.title): ws for ws in wb.worksheets}
        elsewhere = _start_elsewhere(path, sheets, reader.today)
        for spec in SHEETS:
            ws = sheets.get(normalise(spec.name))
            if ws is None:
                reader.findings.append(finding("sheet_missing", file=path.name, sheet=spec.name))
            elif elsewhere and elsewhere[0] == spec.name:
                elsewhere = (spec.name, elsewhere[1], len(reader.findings))  # its findings go here, in sheet order
            else:
                reader.read_sheet(spec, ws, register)
        if elsewhere:
            _finish_elsewhere(elsewhere, sheets, reader, register)
    except Exception:  # noqa: BLE001 - a sheet damaged past its first bytes (XML, zip): a finding, no traceback
        return LoadResult(Register(file=path.name), [finding("register_unreadable", file=path.name,
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
    sheet = max(sizes, key=sizes.get, default=None)
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
                finding("column_missing", file=self.file, sheet=spec.name, row=header_row, column=column.header)
            )
        if missing:
            return
        register.columns[spec.name] = {key: i + 1 for key, i in positions.items()}
        make = _RECORD_MAKERS[spec.name]
        absent = {c.key: None for c in spec.columns + spec.optional_columns if c.key not in positions}
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
            return None, finding("formula_in_register", value=raw, **place_of())
        if isinstance(raw, str):
            raw = raw.strip() or None
        if raw is None:
            if column.required:
                return None, finding("value_missing", **place_of())
            return None, None
        converter = _CONVERTERS[column.kind]
        try:
            return converter(raw, self.today), None
        except ValueError:
            code = {"date": "date_invalid", "year": "year_invalid", "phase": "phase_invalid",
                    "email": "email_invalid"}[column.kind]
            return None, finding(code, value=_shown(raw), min_year=MIN_BIRTH_YEAR,
                                 max_year=self.today.year, **place_of())


def _blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _shown(raw) -> str:
    if isinstance(raw, dt.datetime):
        return dates.format_short(raw.date())
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


def _add_household(reg: Register, r: dict, row: int) -> None:
    reg.households.append(Household(r["dossier"], r["naam"], r["startdatum"], r["fase"], r["regisseur"], row))


def _add_member(reg: Register, r: dict, row: int) -> None:
    reg.members.append(Member(r["dossier"], r["naam"], r["geboortejaar"], r["rol"], row))


def _add_professional(reg: Register, r: dict, row: int) -> None:
    reg.professionals.append(
        Professional(r["code"], r["naam"], r["organisatie"], r["functie"], r["email"], row)
    )


def _add_involvement(reg: Register, r: dict, row: int) -> None:
    reg.involvements.append(Involvement(r["dossier"], r["professional"], r["dossiernummer"], row))


def _add_meeting_item(reg: Register, r: dict, row: int) -> None:
    if r["datum"] is not None:
        reg.meeting_items.append(MeetingItem(r["datum"], r["dossier"], r["tijd"], row))


_RECORD_MAKERS = {
    "Huishoudens": _add_household,
    "Gezinsleden": _add_member,
    "Professionals": _add_professional,
    "Betrokkenheid": _add_involvement,
    "Overleggen": _add_meeting_item,
}


# --- checks across sheets ---------------------------------------------------------------


def _at(register: Register, sheet: str, row: int, column: str, **values) -> dict:
    """Return the place of a finding about a cell of the register, with its A1 reference."""
    number = register.columns.get(sheet, {}).get(column)
    cell = cell_ref(number, row) if number and row else None
    return dict(file=register.file, sheet=sheet, row=row, column=column, cell=cell, **values)


def check(register: Register) -> list[Finding]:
    """Return the findings across sheets: duplicates, unknown references, regisseurs."""
    found: list[Finding] = []

    def at(sheet: str, row: int, column: str, **values) -> dict:
        return _at(register, sheet, row, column, **values)

    found += _duplicates(register.households, lambda h: h.dossier,
                         lambda h, first: finding("duplicate_id", what="dossier", value=h.dossier,
                                                  first_row=first.row, **at("Huishoudens", h.row, "dossier")))
    found += _duplicates(register.professionals, lambda p: p.code,
                         lambda p, first: finding("duplicate_id", what="code", value=p.code,
                                                  first_row=first.row, **at("Professionals", p.row, "code")))
    found += _duplicates(register.members, lambda m: (m.dossier, normalise(m.name)),
                         lambda m, first: finding("duplicate_member", value=m.name, first_row=first.row,
                                                  **at("Gezinsleden", m.row, "naam", dossier=m.dossier)))
    found += _duplicates(register.involvements, lambda i: (i.dossier, i.professional),
                         lambda i, first: finding("duplicate_involvement", value=i.professional,
                                                  first_row=first.row,
                                                  **at("Betrokkenheid", i.row, "professional", dossier=i.dossier)))
    found += _duplicates(register.meeting_items, lambda m: (m.date, m.dossier),
                         lambda m, first: finding("duplicate_meeting_entry", value=dates.format_short(m.date),
                                                  first_row=first.row,
                                                  **at("Overleggen", m.row, "dossier", dossier=m.dossier)))

    found += id_problems(register, register.households, lambda h: h.dossier, "Huishoudens", "dossier")
    found += id_problems(register, register.professionals, lambda p: p.code, "Professionals", "code")

    dossiers = {h.dossier for h in register.households}
    codes = {p.code for p in register.professionals}
    for sheet, records in (("Gezinsleden", register.members), ("Betrokkenheid", register.involvements),
                           ("Overleggen", register.meeting_items)):
        for r in records:
            if r.dossier not in dossiers:
                found.append(finding("unknown_dossier", value=r.dossier, **at(sheet, r.row, "dossier")))
    for inv in register.involvements:
        if inv.professional not in codes:
            found.append(finding("unknown_professional", value=inv.professional,
                                 **at("Betrokkenheid", inv.row, "professional", dossier=inv.dossier)))
    for h in register.households:
        found += missing_people(register, h)
        found += _check_regisseur(register, h)
    return found


def _duplicates(records: Iterable, key: Callable, make: Callable) -> list[Finding]:
    first_seen: dict = {}
    found = []
    for r in records:
        k = key(r)
        if k in first_seen:
            found.append(make(r, first_seen[k]))
        else:
            first_seen[k] = r
    return found


_MARKED = MARKER.split("{")[0]  # how formkit.text.visible showed an unsafe character the reader met
_SEPARATORS = re.compile(r"(?:[^\w-]|_)+")


def alike_key(value: str) -> str:
    """Return what an id is compared on for look-alikes: case, spaces and punctuation ignored."""
    return _SEPARATORS.sub("_", unicodedata.normalize("NFKC", value).casefold()).strip("_")


def id_problems(register: Register, records: Iterable, key: Callable, sheet: str, column: str) -> list[Finding]:
    """Return findings for ids people or file names would confuse: look-alikes, too long, unsafe characters.

    One pass with a dictionary of look-alike keys, so a register of any size is checked in linear time.
    """
    found: list[Finding] = []
    first: dict[str, object] = {}
    for r in records:
        value = key(r)
        shown = visible(value if len(value) <= QUOTE_LIMIT else value[:QUOTE_LIMIT] + "…")
        place = _at(register, sheet, r.row, column, what=column, value=shown)
        if len(value) > MAX_ID_LENGTH:
            found.append(finding("id_too_long", length=len(value), limit=MAX_ID_LENGTH, **place))
        if not is_safe(value) or _MARKED in value:
            found.append(finding("id_unsafe_characters", **place))
        other = first.setdefault(alike_key(value), r)
        if other is not r and key(other) != value:  # the same value twice is a duplicate_id
            found.append(finding("id_alike", other=visible(key(other)), other_row=other.row, **place))
    return found


def missing_people(register: Register, h: Household) -> list[Finding]:
    """Return findings when a household has no members or no known professionals."""
    found = []
    place = _at(register, "Huishoudens", h.row, "dossier", dossier=h.dossier)
    if not register.members_of(h.dossier):
        found.append(finding("household_without_members", **place))
    if not register.involvement_rows(h.dossier):
        found.append(finding("household_without_professionals", **place))
    return found


def _check_regisseur(register: Register, h: Household) -> list[Finding]:
    here = dict(dossier=h.dossier)
    if not h.regisseur:
        return [finding("regisseur_missing", **_at(register, "Huishoudens", h.row, "regisseur", **here))]
    regisseur = register.professional(h.regisseur)
    if regisseur is None:
        return [finding("unknown_professional", value=h.regisseur,
                        **_at(register, "Huishoudens", h.row, "regisseur", **here))]
    found = []
    if h.regisseur not in {i.professional for i in register.involvement_rows(h.dossier)}:
        found.append(finding("regisseur_not_involved", value=h.regisseur,
                             **_at(register, "Huishoudens", h.row, "regisseur", **here)))
    if not regisseur.email:
        found.append(finding("regisseur_without_email", value=h.regisseur,
                             **_at(register, "Professionals", regisseur.row, "email", **here)))
    return found


def relevant(findings: Iterable[Finding], dossiers: Iterable[str]) -> list[Finding]:
    """Return the findings about these dossiers and those about no dossier in particular."""
    wanted = set(dossiers)
    return [f for f in findings if f.dossier is None or f.dossier in wanted]
