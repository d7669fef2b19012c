"""The joint veiligheidsplan of one household as plain data: every item with who said it.

A :class:`Plan` is what :mod:`formkit.plan.merge` makes and what the Word, Excel and JSON
writers show. Every value keeps its :class:`Source` (professional, file, cell); merged
items keep every original wording. Lists are kept in a fixed order, so the same inputs
give the same plan, whatever order the files came in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from ..core.text import person_label, visible_data

PLAN_SCHEMA_VERSION = "2"


@dataclass(frozen=True, order=True)
class Source:
    """Where a value came from: who wrote it, in which file and cell."""

    professional: str  # code
    name: str
    organisation: str
    file: str
    cell: str

    @property
    def label(self) -> str:
        """Return the author as people read it: name (organisation)."""
        return person_label(self.name, self.organisation)


@dataclass(frozen=True, order=True)
class Said:
    """One value as one professional gave it (text, an ISO date, a year, ja/nee)."""

    value: str
    source: Source


@dataclass(frozen=True)
class Participant:
    """A professional on the plan, with their organisation's own file number."""

    code: str
    name: str
    organisation: str
    function: str
    file_number: str
    is_regisseur: bool = False


@dataclass
class Situation:
    """An unsafe situation; the same words from several professionals are one situation."""

    victim: str
    descriptions: list[Said]
    dates: list[Said] = field(default_factory=list)
    offence: list[Said] = field(default_factory=list)
    ranks: list[Said] = field(default_factory=list)  # "1".."3" for a TOP-3 row, "extra" otherwise
    points: int = 0  # rank points: see merge.TOP_RULE
    #: Fields of the section the merge has no rule of its own for, by field key (see Role.VALUE).
    extra: dict[str, list[Said]] = field(default_factory=dict)

    @property
    def suspected_offence(self) -> bool:
        """True when anyone suspects a criminal offence in this situation."""
        return any(s.value == "ja" for s in self.offence)


@dataclass
class Score:
    """A professional's safety score with its explanation; score None when unreadable."""

    source: Source
    score: int | None
    shown: str  # what was written, for an unreadable score
    explanation: str = ""
    higher: str = ""
    lower: str = ""


@dataclass
class MemberScore:
    """A score a household member gave, passed on by a professional."""

    member: str
    score: str
    explanation: str
    source: Source
    #: Fields of the section the merge has no rule of its own for, by field key.
    extra: dict[str, list[Said]] = field(default_factory=dict)


@dataclass
class ScoreSummary:
    """Lowest, median and highest score, and whether they show consensus (see merge.CONSENSUS_RULE).

    `determined` is False when consensus cannot be told yet: no scores, or a score that
    could not be read while the readable ones agree. `consensus` is then False too, and
    `reason` says why ("het cijfer van ... kon niet worden gelezen"). Old plan.json files
    lack `determined`: read them with :func:`consensus_words`, which takes it as True.
    """

    lowest: int | None = None
    median: float | None = None
    highest: int | None = None
    consensus: bool = True
    reason: str = ""
    determined: bool = True


CONSENSUS_YES, CONSENSUS_NO, CONSENSUS_OPEN = "ja", "geen consensus", "nog niet vast te stellen"


def consensus_words(summary: ScoreSummary | dict) -> str:
    """Return the consensus as a plan shows it: 'ja', 'geen consensus' or 'nog niet vast te stellen'.

    Takes a ScoreSummary or plan.json's "summary" (older plans without "determined" included).
    """
    data = summary if isinstance(summary, dict) else asdict(summary)
    if not data.get("determined", True):
        return CONSENSUS_OPEN
    return CONSENSUS_YES if data.get("consensus", True) else CONSENSUS_NO


@dataclass
class Condition:
    """A safety condition; the same words are one condition, with every owner and deadline."""

    texts: list[Said]
    deadlines: list[Said] = field(default_factory=list)
    owners: list[Said] = field(default_factory=list)
    deadline: str | None = None  # the earliest readable deadline, ISO
    conflicting_deadlines: bool = False
    #: Fields of the section the merge has no rule of its own for, by field key (see Role.VALUE).
    extra: dict[str, list[Said]] = field(default_factory=dict)


@dataclass
class Agreement:
    """Who does what by when; the same who and what are one agreement."""

    who: list[Said]
    what: list[Said]
    deadlines: list[Said] = field(default_factory=list)
    deadline: str | None = None
    conflicting_deadlines: bool = False
    #: Fields of the section the merge has no rule of its own for, by field key (see Role.VALUE).
    extra: dict[str, list[Said]] = field(default_factory=dict)


@dataclass
class Merged:
    """A short statement (check date, Veilig Thuis, consequence, strength): one value, all who gave it."""

    value: str
    said: list[Said]


@dataclass
class RiskFactor:
    """A phase 2 risk factor with the views on whether it can be influenced and what protects."""

    texts: list[Said]
    influenceable: list[Said] = field(default_factory=list)
    protective: list[Said] = field(default_factory=list)
    #: Fields of the section the merge has no rule of its own for, by field key (see Role.VALUE).
    extra: dict[str, list[Said]] = field(default_factory=dict)


@dataclass
class RecoveryNeed:
    """A phase 3 recovery need of one member in one domain."""

    member: str
    domain: str
    texts: list[Said]
    #: Fields of the section the merge has no rule of its own for, by field key (see Role.VALUE).
    extra: dict[str, list[Said]] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class InputValue:
    """One filled field of one accepted form, exactly as read: the plan's complete record."""

    professional: str
    file: str
    cell: str
    field: str  # the defined name
    label: str
    value: str


@dataclass(frozen=True, order=True)
class Exclusion:
    """A file of this household that was left out, and why."""

    file: str
    professional: str
    reason: str


@dataclass
class Plan:
    """One household's joint plan for one meeting."""

    dossier: str
    household: str
    phase: int | None
    meeting: dt.date
    participants: list[Participant]
    situations: list[Situation] = field(default_factory=list)
    top: list[int] = field(default_factory=list)  # indexes into situations: the proposed joint TOP-3
    scores: list[Score] = field(default_factory=list)
    member_scores: list[MemberScore] = field(default_factory=list)
    summary: ScoreSummary = field(default_factory=ScoreSummary)
    conditions: list[Condition] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    proposed_regisseurs: list[Merged] = field(default_factory=list)
    checks: list[Merged] = field(default_factory=list)
    veilig_thuis: list[Merged] = field(default_factory=list)
    consequences: list[Merged] = field(default_factory=list)
    risk_factors: list[RiskFactor] = field(default_factory=list)
    recovery_needs: list[RecoveryNeed] = field(default_factory=list)
    strengths: list[Merged] = field(default_factory=list)
    open_points: list[str] = field(default_factory=list)
    missing_forms: list[str] = field(default_factory=list)  # "name (organisation)" of forms not returned
    excluded: list[Exclusion] = field(default_factory=list)
    inputs: list[InputValue] = field(default_factory=list)
    #: The settings the plan was merged with, so the plan states its own rules.
    max_conditions: int = 5
    consensus_spread: int = 3
    direct_safety_score: int = 6
    version: int = 1
    previous: str | None = None  # fingerprint of the version before
    changes: list[str] = field(default_factory=list)

    @property
    def regisseur(self) -> Participant | None:
        """Return the participant who holds the regie, None when nobody does."""
        return next((p for p in self.participants if p.is_regisseur), None)

    def to_dict(self) -> dict:
        """Return the whole plan as JSON-ready data, with the plan schema version and fingerprint."""
        data = self._data()
        value = fingerprint_of(_content(data))  # always from the data written, never from the cache
        if self.__dict__.get(_FINISHED):
            self.__dict__[_FINGERPRINT] = value  # what documents made after it state, too
        return {"schemaversie": PLAN_SCHEMA_VERSION, "kenmerk": value, **data}

    def content(self) -> dict:
        """Return the content only: without version, previous fingerprint and changes."""
        return _content(self._data())

    def _data(self) -> dict:
        """Return every field as JSON-ready data; an item's empty `extra` is left out (plans before it had none)."""
        data = _without_empty_extra(asdict(self))
        data["meeting"] = self.meeting.isoformat()
        return data

    def finish(self) -> Plan:
        """Return this plan, its content now final: its fingerprint is computed once from here on.

        The merge calls it when the plan is complete; only version, previous and changes
        (not part of the content) may change after it. A plan.json is never stale: `to_dict`
        and `to_json` compute the fingerprint from the data they write, and refresh the cache
        (so a caller who changes a finished plan and writes it again gets the right one).
        """
        self.__dict__[_FINISHED] = True
        return self

    def fingerprint(self) -> str:
        """Return a short fingerprint of the content: the same plan has the same one everywhere.

        Cached once the plan is finished (see :meth:`finish`) and refreshed by every `to_json`.
        """
        cached = self.__dict__.get(_FINGERPRINT)
        if cached is not None:
            return str(cached)
        value = fingerprint_of(_content(self._data()))
        if self.__dict__.get(_FINISHED):
            self.__dict__[_FINGERPRINT] = value
        return value

    def to_json(self) -> str:
        """Return plan.json's text: stable for the same plan, byte for byte."""
        return json.dumps(visible_data(self.to_dict()), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


#: Instance attributes (not dataclass fields, so never in plan.json) of a finished plan.
_FINISHED, _FINGERPRINT = "_finished", "_fingerprint"
#: The key under which a plan item keeps the fields the merge has no rule of its own for.
EXTRA = "extra"


def fingerprint_of(content: dict) -> str:
    """Return the short fingerprint of a plan's content (Plan.content()), e.g. ``"1A2B-3C4D-5E6F"``."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 12, 4))


def _content(data: dict) -> dict:
    """Return a plan's data without version, previous fingerprint and changes."""
    return {k: v for k, v in data.items() if k not in ("version", "previous", "changes")}


def _without_empty_extra(data):
    """Return asdict() data with every empty `extra` left out, so a plan without extra fields reads as before."""
    if isinstance(data, dict):
        return {k: _without_empty_extra(v) for k, v in data.items() if not (k == EXTRA and v == {})}
    if isinstance(data, list):
        return [_without_empty_extra(v) for v in data]
    return data
