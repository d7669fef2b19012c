"""Signals over a household's history of plans: where action is due, as of a date.

Each signal cites the rule of the method it comes from. Signals look only at plans of
meetings on or before the date asked about, so the same history gives the same signals
for that date, whenever it is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..core import dates, dutch
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..register.model import Register
from .model import Plan

RED, ORANGE, GREEN = "rood", "oranje", "groen"
LEVEL_ORDER = {RED: 0, ORANGE: 1, GREEN: 2}

ESCALATION_RULE = ("Lukt het niet om binnen {months} maanden directe veiligheid (een {direct} voor alle betrokkenen) "
                   "te bereiken, dan wordt extra expertise of een interventie ingezet: Veilig Thuis, de Raad voor "
                   "de Kinderbescherming, de strafketen of MDA++.")
CONDITION_RULE = "Veiligheidsvoorwaarden worden gerealiseerd binnen de afgesproken termijn van hoogstens {months} maanden."
STABLE_RULE = ("Stabiele veiligheid: alle betrokkenen beoordelen de veiligheid meerdere keren, met tussenpozen, met "
               "minstens een {stable}, en er zijn minstens {free} maanden geen incidenten. Dan kan de fase van herstel "
               "beginnen.")
FELL_RULE = "Een lager veiligheidscijfer is informatie om te bespreken: wat is er veranderd sinds het vorige overleg?"
REGISSEUR_RULE = "Eén professional heeft de regie over het plan en is daarop aanspreekbaar."
FORMS_RULE = "Elke deelnemer geeft een veiligheidscijfer met toelichting; wie zijn formulier niet terugstuurde, wordt genoemd."
CHECK_RULE = "Het plan noemt wanneer de veiligheid opnieuw wordt getoetst; na dat toetsmoment hoort er een nieuw plan."


@dataclass(frozen=True)
class Signal:
    """One signal for a household: how urgent, what it says, and the rule behind it."""

    code: str
    level: str
    message: str
    rule: str

    def to_dict(self) -> dict:
        """Return the signal as JSON-ready data."""
        return {"code": self.code, "niveau": self.level, "melding": self.message, "regel": self.rule}


# --- reading a plan ----------------------------------------------------------------------


def meeting_of(plan: Plan) -> dt.date:
    """Return the meeting date of a plan."""
    return plan.meeting


def scores_of(plan: Plan) -> list[tuple[str, str, int]]:
    """Return every readable score of a plan: (key, who, score), professionals and members."""
    found = [(s.source.professional, s.source.name, s.score) for s in plan.scores if s.score is not None]
    for m in plan.member_scores:
        if str(m.score).strip().isdigit():
            found.append((f"lid:{m.member}", m.member, int(m.score)))
    return found


def iso_date(value: str | dt.date | None) -> dt.date | None:
    """Return a date a plan holds as ISO text (a deadline, a check date), None when it holds none."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


def last_incident(plans: list[Plan]) -> dt.date | None:
    """Return the date of the latest unsafe situation in any plan; a year counts as its last day."""
    found = []
    for plan in plans:
        for situation in plan.situations:
            for said in situation.dates:
                day = iso_date(said.value) or _end_of_year(said.value)
                if day:
                    found.append(day)
    return max(found, default=None)


def _end_of_year(value: str) -> dt.date | None:
    """Return the last day of a year written as four digits; None for anything else ("99999", "0", "zes")."""
    if len(value) == 4 and value.isascii() and value.isdigit() and value != "0000":
        return dt.date(int(value), 12, 31)
    return None


def next_check(plan: Plan) -> dt.date | None:
    """Return the plan's first check date on or after its meeting."""
    checks = [d for m in plan.checks if (d := iso_date(m.value)) and d >= plan.meeting]
    return min(checks, default=None)


# --- the signals ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    dossier: str
    plans: list[Plan]  # up to the date asked about, oldest first
    as_of: dt.date
    register: Register
    settings: MethodSettings

    @property
    def latest(self) -> Plan:
        return self.plans[-1]


def escalation(case: _Case) -> list[Signal]:
    """Direct safety not reached (everyone at 6 or more) when the method's months after the first plan are over.

    The term's last day (first meeting + the months; 30 November + 3 months is 28 February)
    still belongs to the term: the signal comes from the day after, as an overdue condition does.
    """
    s = case.settings
    first = meeting_of(case.plans[0])
    limit = dates.add_months(first, s.max_term_months)
    scores = [score for _, _, score in scores_of(case.latest)]
    if case.as_of <= limit or (scores and min(scores) >= s.direct_safety_score):
        return []
    lowest = f"laagste cijfer {min(scores)}" if scores else "geen cijfers"
    return [Signal("escalate", RED,
                   f"Directe veiligheid is {s.max_term_months} maanden na het eerste plan "
                   f"({dutch.long_date(first)}) niet bereikt ({lowest} bij het overleg van "
                   f"{dutch.long_date(meeting_of(case.latest))}): schaal op of bij – Veilig Thuis, Raad voor de "
                   "Kinderbescherming, strafketen of MDA++.",
                   ESCALATION_RULE.format(months=s.max_term_months, direct=s.direct_safety_score))]


def overdue_conditions(case: _Case) -> list[Signal]:
    """Conditions whose deadline has passed: from the day after the deadline."""
    found = []
    for condition in case.latest.conditions:
        deadline = iso_date(condition.deadline)
        if deadline and deadline < case.as_of:
            text = condition.texts[0].value if condition.texts else "(zonder omschrijving)"
            found.append(Signal("condition_overdue", RED,
                                f"Voorwaarde '{text}' had als termijn {dutch.long_date(deadline)}; ga na of ze "
                                "gerealiseerd is.",
                                CONDITION_RULE.format(months=case.settings.max_term_months)))
    return found


def stable_safety(case: _Case) -> list[Signal]:
    """Everyone at 7 or more at two meetings the agreed interval apart, and no incidents for months."""
    s = case.settings
    household = case.register.household(case.dossier)
    if household and household.phase and household.phase >= 3:
        return []

    def all_stable(plan: Plan) -> bool:
        scores = [score for _, _, score in scores_of(plan)]
        return bool(scores) and min(scores) >= s.stable_safety_score

    stable = [meeting_of(p) for p in case.plans if all_stable(p)]
    latest = meeting_of(case.latest)
    if not all_stable(case.latest) or not any(dates.add_months(m, s.stable_interval_months) <= latest
                                              for m in stable):
        return []
    incident = last_incident(case.plans)
    if incident and dates.add_months(incident, s.incident_free_months) > case.as_of:
        return []
    since = f"; laatste incident {dutch.long_date(incident)}" if incident else ""
    return [Signal("stable", GREEN,
                   f"Stabiele veiligheid bereikt: iedereen gaf minstens een {s.stable_safety_score} bij overleggen "
                   f"van {dutch.long_date(stable[0])} tot {dutch.long_date(latest)}{since}. Het huishouden kan "
                   "naar de fase van herstel.",
                   STABLE_RULE.format(stable=s.stable_safety_score, free=s.incident_free_months))]


def fallen_scores(case: _Case) -> list[Signal]:
    """A score lower than the same person gave at the previous meeting."""
    if len(case.plans) < 2:
        return []
    before = {key: (who, score) for key, who, score in scores_of(case.plans[-2])}
    found = []
    for key, who, score in scores_of(case.latest):
        if key in before and score < before[key][1]:
            found.append(Signal("score_fell", ORANGE,
                                f"Het cijfer van {who} daalde van {before[key][1]} naar {score} "
                                f"(overleg van {dutch.long_date(meeting_of(case.latest))}).", FELL_RULE))
    return found


def no_regisseur(case: _Case) -> list[Signal]:
    """A household without a regisseur in the register."""
    if case.register.regisseur_of(case.dossier) is not None:
        return []
    return [Signal("no_regisseur", RED, "Dit huishouden heeft geen regisseur in het register.", REGISSEUR_RULE)]


def missing_forms(case: _Case) -> list[Signal]:
    """Forms that were not returned for the last meeting."""
    missing = case.latest.missing_forms
    if not missing:
        return []
    return [Signal("forms_missing", ORANGE,
                   f"Geen formulier voor het overleg van {dutch.long_date(meeting_of(case.latest))} van: "
                   f"{', '.join(missing)}.", FORMS_RULE)]


def check_overdue(case: _Case) -> list[Signal]:
    """The plan's next check date has passed and no newer plan exists."""
    check = next_check(case.latest)
    if check is None or case.as_of <= check:
        return []
    return [Signal("check_overdue", ORANGE,
                   f"Het toetsmoment van {dutch.long_date(check)} is voorbij, maar er is geen nieuwer plan dan dat "
                   f"van {dutch.long_date(meeting_of(case.latest))}.", CHECK_RULE)]


def no_forms_signals(meetings: list[dt.date], plans: list[Plan], as_of: dt.date) -> list[Signal]:
    """Meetings after the latest plan (up to the date asked about) for which no form came in, so no plan was made."""
    latest = meeting_of(plans[-1]) if plans else None
    return [Signal("no_forms", ORANGE,
                   f"Geen formulieren ontvangen voor het overleg van {dutch.long_date(day)}: voor dat overleg is "
                   "geen plan gemaakt.", FORMS_RULE)
            for day in sorted(set(meetings)) if day <= as_of and (latest is None or day > latest)]


PLAN_SIGNALS: tuple[Callable[[_Case], list[Signal]], ...] = (
    escalation, overdue_conditions, fallen_scores, missing_forms, check_overdue, stable_safety,
)


def signals_for(dossier: str, plans: Iterable[Plan], register: Register, as_of: dt.date,
                settings: MethodSettings = DEFAULT_SETTINGS, no_forms: Iterable[dt.date] = ()) -> list[Signal]:
    """Return a household's signals as of a date, most urgent first.

    `no_forms` are the meetings for which the household returned no form (see History.no_forms).
    """
    known = [p for p in sorted(plans, key=meeting_of) if meeting_of(p) <= as_of]
    case = _Case(dossier, known, as_of, register, settings)
    found = no_regisseur(case) + no_forms_signals(list(no_forms), known, as_of)
    if known:
        for signal in PLAN_SIGNALS:
            found += signal(case)
    return sorted(found, key=lambda s: LEVEL_ORDER[s.level])
