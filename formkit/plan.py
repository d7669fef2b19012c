"""The joint veiligheidsplan of one household as plain data, every item with its sources.

:func:`collect_plan` puts the items of a household's returned forms side by side, each
with the professional, file and cell it came from. It does not merge or rank: every
item stays as its author wrote it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from .reading import ReturnedForm
from .register import Register
from .schema import Schema

PLAN_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Source:
    """Where an item came from: who wrote it, in which file and cell."""

    professional: str  # code
    name: str
    organisation: str
    file: str
    cell: str


@dataclass(frozen=True)
class Participant:
    """A professional on the plan, with their organisation's own file number."""

    code: str
    name: str
    organisation: str
    function: str
    file_number: str
    is_regisseur: bool = False


@dataclass(frozen=True)
class Item:
    """One filled row of a part of the plan: its fields by key and its sources."""

    fields: dict[str, object]
    sources: tuple[Source, ...]


@dataclass
class Plan:
    """One household's plan for one meeting."""

    dossier: str
    household: str
    phase: int | None
    meeting: dt.date
    participants: list[Participant]
    #: Items per part, keyed by the schema's section key (situatie, voorwaarde, ...).
    parts: dict[str, list[Item]] = field(default_factory=dict)
    open_points: list[str] = field(default_factory=list)
    version: int = 1
    date: dt.date | None = None

    @property
    def regisseur(self) -> Participant | None:
        """Return the participant who holds the regie, None when nobody does."""
        return next((p for p in self.participants if p.is_regisseur), None)

    def content(self) -> dict:
        """Return the plan's content (without version and date) as JSON-ready data."""
        data = asdict(self)
        data.pop("version")
        data.pop("date")
        return json.loads(json.dumps(data, default=_json_default, sort_keys=True))

    def fingerprint(self) -> str:
        """Return a short fingerprint of the content, the same for the same plan everywhere."""
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12].upper()
        return "-".join(digest[i:i + 4] for i in range(0, 12, 4))


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def participants_of(register: Register, dossier: str) -> list[Participant]:
    """Return the professionals of a household as plan participants."""
    household = register.household(dossier)
    result = []
    for inv in register.involvements_of(dossier):
        p = register.professional(inv.professional)
        result.append(Participant(p.code, p.name, p.organisation or "", p.function or "", inv.file_number or "",
                                  is_regisseur=household is not None and household.regisseur == p.code))
    return result


def collect_plan(register: Register, dossier: str, meeting: dt.date, forms: list[ReturnedForm],
                 schema: Schema) -> Plan:
    """Return the plan of a household with every item of its returned forms and its source."""
    household = register.household(dossier)
    participants = participants_of(register, dossier)
    order = {p.code: i for i, p in enumerate(participants)}
    forms = sorted((f for f in forms if f.dossier == dossier),
                   key=lambda f: (order.get(f.professional, len(order)), f.path.name))
    parts: dict[str, list[Item]] = {s.key: [] for s in schema.sections}
    for form in forms:
        prof = register.professional(form.professional)
        for section in schema.sections:
            for index in range(1, (section.repeat or 1) + 1):
                cells = [c for c in schema.inputs if c.section is section and (c.index == index or not section.is_table)]
                filled = {c.field.key: form.values[c.name] for c in cells if c.name in form.values}
                if not filled:
                    continue
                first = next(c for c in cells if c.name in form.values)
                source = Source(form.professional, prof.name if prof else form.professional,
                                (prof.organisation or "") if prof else "", form.path.name,
                                form.places.get(first.name, ("", first.cell))[1])
                parts[section.key].append(Item(filled, (source,)))
                if not section.is_table:
                    break
    returned = {f.professional for f in forms}
    open_points = [f"Geen formulier ontvangen van {p.name} ({p.organisation})." for p in participants
                   if p.code not in returned]
    return Plan(dossier, household.name if household else dossier, household.phase if household else None,
                meeting, participants, parts, open_points, date=meeting)
