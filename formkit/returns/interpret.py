"""What people typed, read the way a person would: tolerant per field type, strict in the end.

:func:`interpret` turns a returned form's raw cell values into typed values (dates,
whole numbers, the register's own spelling of a member, a professional's code) and
reports what it had to guess or could not read, each finding at its cell.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core import dates, dutch
from ..core.findings import Code, Finding, finding
from ..core.text import person_label
from ..register.model import Member, Register
from ..sheets.schema import FieldType, InputCell, Schema
from ..xlsx.workbook import Formula, TooLong
from .read import ReturnedForm

YES = {"ja", "j", "yes", "y"}
NO = {"nee", "n", "no"}


@dataclass
class Interpreted:
    """A returned form's values as types, and the findings of reading them."""

    form: ReturnedForm
    #: Typed values by defined name; a value that could not be read is absent here ...
    values: dict[str, object] = field(default_factory=dict)
    #: ... but its name is in `filled`, so it does not count as empty as well.
    filled: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def fold(text: str) -> str:
    """Return text for lenient comparison: no accents, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def place(form: ReturnedForm, cell: InputCell) -> dict:
    """Return the place of a finding about one input cell of a returned form."""
    sheet, ref = form.places.get(cell.name, (None, cell.cell))
    return dict(file=form.path.name, sheet=sheet, cell=ref, field=cell.label,
                dossier=form.dossier or None, professional=form.professional or None)


def interpret(form: ReturnedForm, register: Register, schema: Schema) -> Interpreted:
    """Return the typed values of a returned form and what was odd about them."""
    result = Interpreted(form)
    members = register.members_of(form.dossier)
    professionals = register.professionals_of(form.dossier)
    for cell in schema.inputs:
        if cell.name not in form.values:
            continue
        raw = form.values[cell.name]
        result.filled.add(cell.name)
        here = place(form, cell)
        if isinstance(raw, Formula):
            result.findings.append(finding(Code.form_formula, value=str(raw), **here))
            continue
        if isinstance(raw, TooLong):  # withheld when read: filled, but never passed on
            result.findings.append(finding(Code.text_too_long, length=raw.length, limit=raw.limit, **here))
            continue
        value, problem = _read(cell, raw, schema, members, professionals, here)
        if problem is not None:
            result.findings.append(problem)
        if value is not None:
            result.values[cell.name] = value
    return result


def _read(cell: InputCell, raw, schema: Schema, members, professionals, here: dict):
    """Return (value or None, finding or None) for one raw cell value."""
    t = cell.field.type
    if t is FieldType.TEXT:
        return _text(raw), None
    if t in (FieldType.DATE, FieldType.TERM):
        return _date(raw, here)
    if t is FieldType.DATE_OR_YEAR:
        return _date_or_year(raw, here)
    if t is FieldType.SCORE:
        return _score(raw, schema, here)
    if t is FieldType.YES_NO:
        word = fold(_text(raw))
        if word in YES or word in NO:
            return ("ja" if word in YES else "nee"), None
        return None, finding(Code.choice_invalid, value=_text(raw), choices="ja, nee", **here)
    if t is FieldType.DOMAIN:
        choices = schema.choices(t) or ()  # a domain's choices are fixed: never None
        match = next((c for c in choices if fold(c) == fold(_text(raw))), None)
        if match:
            return match, None
        return None, finding(Code.choice_invalid, value=_text(raw), choices=", ".join(choices), **here)
    if t is FieldType.MEMBER:
        return _member(_text(raw), members, here)
    if t is FieldType.PROFESSIONAL:
        return _professional(_text(raw), professionals, here)
    raise AssertionError(t)  # every FieldType is handled above


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.date):
        return dutch.short_date(raw)
    return str(raw).strip()


def _date(raw, here: dict):
    if isinstance(raw, dt.date):
        return raw, None
    text = _text(raw)
    try:
        parsed = dates.parse_date(text)
    except dates.NotADate:
        return None, finding(Code.not_a_date, value=text, **here)
    return parsed, finding(Code.text_date, value=text, date=dutch.long_date(parsed), **here)


def _date_or_year(raw, here: dict):
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        # a year typed in a cell Excel formats as a date comes back as a date in 1905
        if 1900 <= dates.excel_serial(raw) <= 2100:
            return dates.excel_serial(raw), None
        return raw, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        year = int(raw)
        if 1900 <= year <= 2100:
            return year, None
    text = _text(raw)
    if text.isdigit() and 1900 <= int(text) <= 2100:
        return int(text), None
    try:
        parsed = dates.parse_date(text)
    except dates.NotADate:
        return None, finding(Code.not_a_date_or_year, value=text, **here)
    return parsed, finding(Code.text_date, value=text, date=dutch.long_date(parsed), **here)


def _score(raw, schema: Schema, here: dict):
    low, high = schema.settings.score_min, schema.settings.score_max
    number = raw
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None, finding(Code.score_not_whole, value=raw.strip(), low=low, high=high, **here)
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not float(number).is_integer():
        return None, finding(Code.score_not_whole, value=_text(raw), low=low, high=high, **here)
    number = int(number)
    if not low <= number <= high:
        return None, finding(Code.score_out_of_range, value=number, low=low, high=high, **here)
    return number, None


def match_member(text: str, members: Sequence[Member]) -> tuple[str | None, bool]:
    """Return (the register's name of the member meant, whether it was spelt differently)."""
    for m in members:
        if m.name == text:
            return m.name, False
    folded = fold(text)
    exact = [m for m in members if fold(m.name) == folded]
    if len(exact) == 1:
        return exact[0].name, True
    first = [m for m in members if fold(m.name).split(" ")[0] == folded]
    if len(first) == 1:
        return first[0].name, True
    return None, False


def _member(text: str, members, here: dict):
    name, respelt = match_member(text, members)
    if name is None:
        return None, finding(Code.victim_unknown, value=text, **here)
    return name, (finding(Code.member_spelling, value=text, member=name, **here) if respelt else None)


def _professional(text: str, professionals, here: dict):
    folded = fold(text)
    for p in professionals:
        if folded in (fold(person_label(p.name, p.organisation)), fold(p.name), fold(p.code)):
            return p.code, None
    return None, finding(Code.proposed_regisseur_unknown, value=text, **here)
