"""The secretariat's register as plain data: households, members, professionals, meetings.

:class:`Register` answers the look-ups every stage asks (who is involved, who holds the
regie, which dossiers are on a meeting) through indexes rebuilt only after a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

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
    closing_date: dt.date | None = None  # afsluitdatum: the household's case was closed (None: still open)


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
        # involvements_of keeps only known professionals, so none of these is None
        return [p for inv in self.involvements_of(dossier) if (p := self.professional(inv.professional)) is not None]

    def meeting_dates(self) -> list[dt.date]:
        """Return the dates of all meetings, oldest first."""
        return sorted({m.date for m in self.meeting_items})

    def dossiers_on(self, date: dt.date) -> list[str]:
        """Return the dossiers on a meeting's agenda, in agenda order, once each."""
        items = sorted(self._index("meeting_items", lambda m: m.date).get(date, ()), key=_agenda_key)
        return list(dict.fromkeys(item.dossier for item in items))


def _agenda_key(item: MeetingItem) -> tuple:
    return (item.time or "", item.row)
