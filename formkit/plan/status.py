"""Where every household stands, as of a date: latest scores, next deadline, signals, history.

:func:`household_statuses` gives plain data; the terminal table and ``--json`` are made
from it here, the dashboard workbook in :mod:`formkit.documents.dashboard`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core import dutch
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..register.model import Register
from .history import History
from .merge import NO_FORMS
from .model import Plan
from .signals import LEVEL_ORDER, Signal, iso_date, meeting_of, next_check, scores_of, signals_for


@dataclass
class HouseholdStatus:
    """One household as of a date."""

    dossier: str
    household: str
    phase: int | None
    regisseur: str
    last_meeting: dt.date | None
    scores: list[tuple[str, int]]  # (who, score) at the last meeting
    next_deadline: tuple[dt.date, str] | None
    signals: list[Signal]
    #: Per meeting, oldest first: (date, {who: score}).
    history: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)
    #: Meetings after the last plan (up to the date asked about) with no form received, so without a plan.
    no_forms: list[dt.date] = field(default_factory=list)

    @property
    def level(self) -> str | None:
        """Return the most urgent signal level, None without signals."""
        return min((s.level for s in self.signals), key=lambda level: LEVEL_ORDER[level], default=None)

    def to_dict(self) -> dict:
        """Return the status as JSON-ready data."""
        return {
            "dossier": self.dossier, "huishouden": self.household, "fase": self.phase, "regisseur": self.regisseur,
            "laatste_overleg": self.last_meeting.isoformat() if self.last_meeting else None,
            "cijfers": [{"door": who, "cijfer": score} for who, score in self.scores],
            "volgende_termijn": ({"datum": self.next_deadline[0].isoformat(), "wat": self.next_deadline[1]}
                                 if self.next_deadline else None),
            "signalen": [s.to_dict() for s in self.signals],
            "verloop": [{"overleg": d.isoformat(), "cijfers": scores} for d, scores in self.history],
            "geen_formulieren_ontvangen": [d.isoformat() for d in self.no_forms],
        }


def _next_deadline(plan: Plan, as_of: dt.date) -> tuple[dt.date, str] | None:
    found = []
    for c in plan.conditions:
        if (day := iso_date(c.deadline)) and day >= as_of:
            found.append((day, f"voorwaarde: {c.texts[0].value if c.texts else ''}"))
    for a in plan.agreements:
        if (day := iso_date(a.deadline)) and day >= as_of:
            found.append((day, f"afspraak: {a.what[0].value if a.what else ''}"))
    if (check := next_check(plan)) and check >= as_of:
        found.append((check, "toetsmoment"))
    return min(found, default=None)


def household_statuses(register: Register, history: History, as_of: dt.date,
                       settings: MethodSettings = DEFAULT_SETTINGS) -> list[HouseholdStatus]:
    """Return the status of every household in the register, in register order."""
    result = []
    for h in register.households:
        plans = [p for p in history.plans(h.dossier) if meeting_of(p) <= as_of]
        latest = plans[-1] if plans else None
        no_forms = [d for d in history.no_forms(h.dossier)
                    if d <= as_of and (latest is None or d > meeting_of(latest))]
        regisseur = register.regisseur_of(h.dossier)
        result.append(HouseholdStatus(
            dossier=h.dossier, household=h.name, phase=h.phase,
            regisseur=regisseur.name if regisseur else "",
            last_meeting=meeting_of(latest) if latest else None,
            scores=[(who, score) for _, who, score in scores_of(latest)] if latest else [],
            next_deadline=_next_deadline(latest, as_of) if latest else None,
            signals=signals_for(h.dossier, plans, register, as_of, settings, no_forms),
            history=[(meeting_of(p), {who: score for _, who, score in scores_of(p)}) for p in plans],
            no_forms=no_forms,
        ))
    return result


def format_table(statuses: list[HouseholdStatus], as_of: dt.date) -> list[str]:
    """Return the statuses as Dutch lines for the terminal."""
    lines = [f"Stand van zaken op {dutch.long_date(as_of)}:"]
    for s in statuses:
        scores = ", ".join(f"{who} {score}" for who, score in s.scores) or "geen cijfers"
        last = dutch.short_date(s.last_meeting) if s.last_meeting else "nog geen plan"
        if s.no_forms:
            last += f" ({NO_FORMS} voor {', '.join(dutch.short_date(d) for d in s.no_forms)})"
        deadline = (f"{dutch.short_date(s.next_deadline[0])} ({s.next_deadline[1]})" if s.next_deadline else "–")
        lines.append(f"{s.dossier} {s.household} · fase {s.phase or '?'} · laatste overleg {last} · "
                     f"volgende termijn {deadline}")
        lines.append(f"    cijfers: {scores}")
        lines += [f"    [{sig.level}] {sig.message}" for sig in s.signals]
    return lines
