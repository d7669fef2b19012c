"""The register's checks across sheets: duplicates, unknown codes, look-alike ids, the regisseur."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from ..core import dutch
from ..core.findings import Code, Finding, finding
from ..core.paths import MAX_ID_LENGTH
from ..core.text import MARKER, QUOTE_LIMIT, is_safe, visible
from ..xlsx.workbook import cell_ref
from .layout import normalise
from .model import Household, Register

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
                         lambda h, first: finding(Code.duplicate_id, what="dossier", value=h.dossier,
                                                  first_row=first.row, **at("Huishoudens", h.row, "dossier")))
    found += _duplicates(register.professionals, lambda p: p.code,
                         lambda p, first: finding(Code.duplicate_id, what="code", value=p.code,
                                                  first_row=first.row, **at("Professionals", p.row, "code")))
    found += _duplicates(register.members, lambda m: (m.dossier, normalise(m.name)),
                         lambda m, first: finding(Code.duplicate_member, value=m.name, first_row=first.row,
                                                  **at("Gezinsleden", m.row, "naam", dossier=m.dossier)))
    found += _duplicates(register.involvements, lambda i: (i.dossier, i.professional),
                         lambda i, first: finding(Code.duplicate_involvement, value=i.professional,
                                                  first_row=first.row,
                                                  **at("Betrokkenheid", i.row, "professional", dossier=i.dossier)))
    found += _duplicates(register.meeting_items, lambda m: (m.date, m.dossier),
                         lambda m, first: finding(Code.duplicate_meeting_entry, value=dutch.short_date(m.date),
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
                found.append(finding(Code.unknown_dossier, value=r.dossier, **at(sheet, r.row, "dossier")))
    for inv in register.involvements:
        if inv.professional not in codes:
            found.append(finding(Code.unknown_professional, value=inv.professional,
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


_MARKED = MARKER.split("{")[0]  # how formkit.core.text.visible showed an unsafe character the reader met
_SEPARATORS = re.compile(r"(?:[^\w-]|_)+")


def alike_key(value: str) -> str:
    """Return what an id is compared on for look-alikes: case, spaces and punctuation ignored."""
    return _SEPARATORS.sub("_", unicodedata.normalize("NFKC", value).casefold()).strip("_")


class _OnRow(Protocol):
    """A register record: it knows the row it came from."""

    @property
    def row(self) -> int: ...


_R = TypeVar("_R", bound=_OnRow)


def id_problems(register: Register, records: Iterable[_R], key: Callable[[_R], str], sheet: str,
                column: str) -> list[Finding]:
    """Return findings for ids people or file names would confuse: look-alikes, too long, unsafe characters.

    One pass with a dictionary of look-alike keys, so a register of any size is checked in linear time.
    """
    found: list[Finding] = []
    first: dict[str, _R] = {}
    for r in records:
        value = key(r)
        shown = visible(value if len(value) <= QUOTE_LIMIT else value[:QUOTE_LIMIT] + "…")
        place = _at(register, sheet, r.row, column, what=column, value=shown)
        if len(value) > MAX_ID_LENGTH:
            found.append(finding(Code.id_too_long, length=len(value), limit=MAX_ID_LENGTH, **place))
        if not is_safe(value) or _MARKED in value:
            found.append(finding(Code.id_unsafe_characters, **place))
        other = first.setdefault(alike_key(value), r)
        if other is not r and key(other) != value:  # the same value twice is a duplicate_id
            found.append(finding(Code.id_alike, other=visible(key(other)), other_row=other.row, **place))
    return found


def missing_people(register: Register, h: Household) -> list[Finding]:
    """Return findings when a household has no members or no known professionals."""
    found = []
    place = _at(register, "Huishoudens", h.row, "dossier", dossier=h.dossier)
    if not register.members_of(h.dossier):
        found.append(finding(Code.household_without_members, **place))
    if not register.involvement_rows(h.dossier):
        found.append(finding(Code.household_without_professionals, **place))
    return found


def _check_regisseur(register: Register, h: Household) -> list[Finding]:
    here = dict(dossier=h.dossier)
    if not h.regisseur:
        return [finding(Code.regisseur_missing, **_at(register, "Huishoudens", h.row, "regisseur", **here))]
    regisseur = register.professional(h.regisseur)
    if regisseur is None:
        return [finding(Code.unknown_professional, value=h.regisseur,
                        **_at(register, "Huishoudens", h.row, "regisseur", **here))]
    found = []
    if h.regisseur not in {i.professional for i in register.involvement_rows(h.dossier)}:
        found.append(finding(Code.regisseur_not_involved, value=h.regisseur,
                             **_at(register, "Huishoudens", h.row, "regisseur", **here)))
    if not regisseur.email:
        found.append(finding(Code.regisseur_without_email, value=h.regisseur,
                             **_at(register, "Professionals", regisseur.row, "email", **here)))
    return found


def relevant(findings: Iterable[Finding], dossiers: Iterable[str]) -> list[Finding]:
    """Return the findings about these dossiers and those about no dossier in particular."""
    wanted = set(dossiers)
    return [f for f in findings if f.dossier is None or f.dossier in wanted]
