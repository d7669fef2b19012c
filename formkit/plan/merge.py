"""Merging the accepted forms of one household into one joint plan, losing nothing.

Rules, stated once and shown in the plan:

* TOP_RULE: a situation in someone's TOP-3 row 1, 2 or 3 earns 3, 2 or 1 rank points
  (top_n, ..., 1 for other settings); extra rows earn none. The joint TOP-3 is the three
  situations with most points; ties go to the situation more professionals named, then
  to the best single rank, then to the earliest date, then alphabetically.
* SAME_WORDS: two texts are the same item when they are equal after ignoring case,
  accents, spacing and closing punctuation. Every original wording stays, with its author.
* CONSENSUS_RULE: "geen consensus" when the highest and lowest score differ by the
  setting consensus_spread (3) or more, or when some score reaches direct safety (6)
  and others do not.
* An item's deadline is the earliest given; different deadlines are an open point.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core import dates, dutch
from ..core.findings import Code, Finding, finding
from ..core.text import person_label, quote, visible
from ..register.model import Register
from ..returns.accepted import Submission
from ..returns.batch import PROCESSED
from ..returns.interpret import fold
from ..returns.rules import names_police_or_om
from ..sheets.schema import Role, Schema, Section
from .model import (
    Agreement,
    Condition,
    Exclusion,
    InputValue,
    MemberScore,
    Merged,
    Participant,
    Plan,
    Said,
    Score,
    ScoreSummary,
    Situation,
    Source,
)

TOP_RULE = ("Gezamenlijke TOP-3: een situatie op plek 1, 2 of 3 van iemands TOP-3 krijgt 3, 2 of 1 punt; "
            "extra situaties krijgen geen punten. Bij gelijke punten gaat voor: door meer professionals "
            "genoemd, dan de hoogste plek, dan de vroegste datum, dan alfabetisch.")
SAME_WORDS = ("Situaties, voorwaarden en afspraken in dezelfde woorden (hoofdletters, accenten, spaties en "
              "leestekens aan het eind tellen niet) zijn samengevoegd; elke oorspronkelijke formulering staat "
              "erbij, met wie hem gaf.")


def consensus_rule(spread: int, threshold: int) -> str:
    """Return the consensus rule in words, with the settings' numbers."""
    return (f"Geen consensus als het hoogste en laagste cijfer {spread} of meer verschillen, of als de een "
            f"directe veiligheid ziet ({threshold} of hoger) en de ander niet.")


def _by_author(said: Said) -> tuple:
    """Sort key: wordings in the order of their authors (and file and cell), then the words."""
    return (said.source, said.value)


def normal(text: str) -> str:
    """Return the key under which texts count as the same words."""
    return re.sub(r"[\s.!?;,:]+$", "", fold(text))


def _show(value) -> str:
    """Return a value as the plan keeps it: dates as ISO, a number written in a cell the Dutch way ('6,5')."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return dutch.number(value)
    return str(value)


@dataclass
class _Context:
    register: Register
    schema: Schema
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)

    def value(self, sub: Submission, name: str) -> str | None:
        """Return a field's value as text: the typed value, else what was written, else None."""
        if name in sub.values:
            return _show(sub.values[name])
        if name in sub.raw:
            return _show(sub.raw[name])
        return None

    def source(self, sub: Submission, name: str) -> Source:
        p = self.register.professional(sub.professional)
        cell = sub.cells.get(name) or self.schema.input(name).cell
        return Source(sub.professional, p.name if p else sub.professional, (p.organisation or "") if p else "",
                      sub.file, cell)

    def said(self, sub: Submission, name: str) -> Said | None:
        value = self.value(sub, name)
        return Said(value, self.source(sub, name)) if value is not None else None

    def main_text(self, sub: Submission, name: str) -> Said:
        """Return a row's main text, empty (but with its source) when the row has only other fields."""
        return self.said(sub, name) or Said("", self.source(sub, name))

    def rows(self, sub: Submission, section: str) -> list[tuple[int, dict[str, str]]]:
        """Return the used rows of a table (from Schema.rows): (row index, {field key: defined name})."""
        rows = []
        for row in self.schema.rows(section):
            names = {key: c.name for key, c in row.items()}
            if any(self.value(sub, n) is not None for n in names.values()):
                rows.append((next(iter(row.values())).index or 0, names))
        return rows


def merge_household(register: Register, dossier: str, meeting: dt.date, submissions: Iterable[Submission],
                    schema: Schema, *, excluded: Iterable[Exclusion] = (), missing: Iterable[str] = ()) -> Plan:
    """Return the joint plan of one household from its accepted forms."""
    subs = sorted(submissions, key=lambda s: (s.professional, s.file))
    ctx = _Context(register, schema)
    household = register.household(dossier)
    settings = schema.settings
    plan = Plan(
        dossier=dossier,
        household=household.name if household else dossier,
        phase=household.phase if household else None,
        meeting=meeting,
        participants=_participants(register, dossier),
        max_conditions=settings.max_conditions,
        consensus_spread=settings.consensus_spread,
        direct_safety_score=settings.direct_safety_score,
    )
    for section in schema.sections:  # every section that feeds a list of the plan, as the schema says
        if section.plan_part == "situations":
            plan.situations, plan.top = _situations(ctx, subs, section)
        elif _item_type(section.plan_part) is Merged:  # statements: every value of the section, merged
            setattr(plan, section.plan_part, _merged(ctx, subs, [c.name for c in schema.inputs
                                                                 if c.section.key == section.key]))
        elif section.plan_part:
            setattr(plan, section.plan_part, _items(ctx, subs, section))
        for f in section.fields if not section.is_table else ():
            if f.plan_field:  # a single field that is a list of statements
                setattr(plan, f.plan_field, _merged(ctx, subs, [f"{section.key}_{f.key}"]))
    plan.scores, plan.member_scores = _scores(ctx, subs)
    unread = _unreadable_scores(ctx, subs)
    plan.summary = _summary(plan.scores, settings, [u.short for u in unread])
    plan.inputs = sorted(InputValue(s.professional, s.file, ctx.source(s, c.name).cell, c.name, c.label, v)
                         for s in subs for c in schema.inputs if (v := ctx.value(s, c.name)) is not None)
    plan.excluded = sorted(excluded)
    plan.missing_forms = sorted(missing)
    plan.open_points = _open_points(plan, register, list(missing), unread, settings.max_term_months,
                                    _form_error_points(ctx, subs, plan))
    return plan.finish()


def _participants(register: Register, dossier: str) -> list[Participant]:
    regisseur = register.regisseur_of(dossier)
    return [Participant(p.code, p.name, p.organisation or "", p.function or "", inv.file_number or "",
                        is_regisseur=regisseur is not None and regisseur.code == p.code)
            for inv in register.involvements_of(dossier) if (p := register.professional(inv.professional))]


def _situations(ctx: _Context, subs: list[Submission], section: Section) -> tuple[list[Situation], list[int]]:
    top_n = ctx.schema.settings.top_n

    def ranked_row(situation: Situation, index: int, main: Said) -> None:
        rank = str(index) if index <= top_n else "extra"
        situation.ranks.append(Said(rank, main.source))
        situation.points += top_n + 1 - index if index <= top_n else 0

    found: dict[tuple[str, ...], Situation] = _grouped(ctx, subs, section, ranked_row)
    for situation in found.values():
        situation.ranks.sort(key=_by_author)

    def rank_key(item: tuple[tuple[str, ...], Situation]):
        (victim, *words), s = item
        best = min((int(r.value) for r in s.ranks if r.value != "extra"), default=top_n + 1)
        earliest = min((d.value for d in s.dates), default="9999")
        return (-s.points, -len({d.source.professional for d in s.descriptions}), best, earliest, victim, words)

    ranked = sorted(found.items(), key=rank_key)
    top_keys = [k for k, s in ranked if s.points > 0][:top_n]
    # shown per victim (in order of the victim's best situation), each victim's situations by rank
    by_victim: dict[str, list] = {}
    for key, s in ranked:
        by_victim.setdefault(key[0], []).append((key, s))
    ordered = [item for group in by_victim.values() for item in group]
    position = {key: i for i, (key, _) in enumerate(ordered)}
    return [s for _, s in ordered], [position[k] for k in top_keys]


def _scores(ctx: _Context, subs: list[Submission]) -> tuple[list[Score], list[MemberScore]]:
    scores, member_scores = [], []
    members = ctx.schema.section("gezinsscore")
    for sub in subs:
        if any(ctx.value(sub, n) is not None for n in ("beoordeling_cijfer", "beoordeling_toelichting")):
            typed = sub.values.get("beoordeling_cijfer")
            scores.append(Score(ctx.source(sub, "beoordeling_cijfer"), typed if isinstance(typed, int) else None,
                                ctx.value(sub, "beoordeling_cijfer") or "",
                                *(ctx.value(sub, f"beoordeling_{k}") or "" for k in ("toelichting", "hoger", "lager"))))
        for _, names in ctx.rows(sub, members.key):  # one MemberScore a row, its fields as the schema says
            known = {f.plan_field: names[f.key] for f in members.fields if f.plan_field}
            extra = {f.key: [s] for f in members.fields if not f.plan_field and (s := ctx.said(sub, names[f.key]))}
            member_scores.append(MemberScore(**{attr: ctx.value(sub, name) or "" for attr, name in known.items()},
                                             source=ctx.source(sub, known["score"]), extra=extra))
    return sorted(scores, key=lambda s: s.source), sorted(member_scores, key=lambda m: (m.member, m.source))


@dataclass(frozen=True)
class _UnreadScore:
    """An accepted form whose score could not be read (or was left empty), in words for the plan."""

    short: str  # for the consensus reason: "het cijfer van X kon niet worden gelezen"
    point: str  # the open point, with what was written


def _written(value) -> str:
    """Return what someone wrote in a cell as a plan quotes it: a Dutch number, or text in quotes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"'{dutch.number(value)}'"
    return f"'{quote(value)}'"


def _unreadable_scores(ctx: _Context, subs: list[Submission]) -> list[_UnreadScore]:
    """Return every accepted form without a readable score: the consensus cannot be told over the rest."""
    low, high = ctx.schema.settings.score_min, ctx.schema.settings.score_max
    found = []
    for sub in subs:
        if isinstance(sub.values.get("beoordeling_cijfer"), int):
            continue
        who = ctx.source(sub, "beoordeling_cijfer").name
        raw = sub.raw.get("beoordeling_cijfer")
        if raw is None or str(raw).strip() == "":
            found.append(_UnreadScore(f"{who} gaf geen cijfer",
                                      f"{who} gaf geen veiligheidscijfer; vraag het vóór of tijdens het overleg."))
        else:
            found.append(_UnreadScore(
                f"het cijfer van {who} kon niet worden gelezen",
                f"Het veiligheidscijfer van {who} kon niet worden gelezen: ingevuld is {_written(raw)}, gevraagd is "
                f"een heel getal van {low} tot en met {high}. Vraag {who} het cijfer opnieuw te geven."))
    return found


def _summary(scores: list[Score], settings, unread: Sequence[str] = ()) -> ScoreSummary:
    """Return lowest, median, highest and the consensus; never consensus over an incomplete set of scores."""
    values = sorted(s.score for s in scores if s.score is not None)
    unread = list(unread)
    if not values:
        return ScoreSummary(consensus=False, reason="; ".join(unread) or "geen cijfers", determined=False)
    spread = values[-1] - values[0]
    split = values[0] < settings.direct_safety_score <= values[-1]
    reasons = []
    if spread >= settings.consensus_spread:
        reasons.append(f"de cijfers lopen {spread} punten uiteen")
    if split:
        reasons.append(f"niet iedereen ziet directe veiligheid ({settings.direct_safety_score} of hoger)")
    median = float(statistics.median(values))
    if reasons:  # disagreement among the readable scores: no consensus, whatever the unread ones say
        return ScoreSummary(values[0], median, values[-1], False, "; ".join(reasons + unread))
    if unread:
        return ScoreSummary(values[0], median, values[-1], False, "; ".join(unread), determined=False)
    return ScoreSummary(values[0], median, values[-1], True, "")


def _earliest(deadlines: list[Said]) -> tuple[str | None, bool]:
    readable = sorted({d.value for d in deadlines if _is_iso_date(d.value)})
    return (readable[0] if readable else None), len({d.value for d in deadlines}) > 1


def _is_iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


#: The Plan's fields with their types: a section's plan_part names one of its lists.
_PLAN_TYPES = typing.get_type_hints(Plan)


def _item_type(plan_part: str) -> Callable[..., Any] | None:
    """Return the dataclass of the items of a list of the Plan, e.g. Condition for "conditions"; None for ""."""
    return typing.get_args(_PLAN_TYPES[plan_part])[0] if plan_part else None


def _grouped(ctx: _Context, subs: list[Submission], section: Section,
             on_row: Callable[[Any, int, Said], None] | None = None) -> dict[tuple[str, ...], Any]:
    """Return a table section's used rows grouped into plan items, by the fields that identify an item.

    The schema says what each field does (sheets.schema.Role): its choice (GROUP) and its
    words (WORDS, compared by `normal`) identify the item; every other value is kept with its
    author, in the item's attribute `plan_field`, or else in `extra` under its key. `on_row`
    sees each row (item, row index, the row's first wording) for what a part adds of its own.
    """
    make = _item_type(section.plan_part)
    if make is None:
        raise ValueError(f"section {section.key} feeds no list of the plan")  # a schema defined wrongly, not a user mistake
    words = [f for f in section.fields if f.role is Role.WORDS]
    identity = [f for f in section.fields if f.role is Role.GROUP] + words
    found: dict[tuple[str, ...], Any] = {}
    for sub in subs:
        for index, names in ctx.rows(sub, section.key):
            said: dict[str, Said | None] = {
                f.key: ctx.main_text(sub, names[f.key]) if f.role is Role.WORDS else ctx.said(sub, names[f.key])
                for f in section.fields}
            chosen = {f.key: ctx.value(sub, names[f.key]) or "" for f in section.fields if f.role is Role.GROUP}
            key = tuple(chosen[f.key] if f.role is Role.GROUP else normal(_value(said[f.key])) for f in identity)
            item = found.get(key)
            if item is None:
                item = found[key] = make(**{f.plan_field: chosen[f.key] if f.role is Role.GROUP else []
                                            for f in section.fields if f.plan_field})
            for f in section.fields:
                value = said[f.key]
                if value is None or (f.role is Role.GROUP and f.plan_field):
                    continue
                (getattr(item, f.plan_field) if f.plan_field else item.extra.setdefault(f.key, [])).append(value)
            main = said[words[0].key] if words else None  # a wording is never None (main_text)
            if on_row is not None and main is not None:
                on_row(item, index, main)
    for item in found.values():
        for f in section.fields:
            if f.plan_field and f.role is not Role.GROUP:
                getattr(item, f.plan_field).sort(key=_by_author)
        for values in item.extra.values():
            values.sort(key=_by_author)
        deadline = next((f for f in section.fields if f.role is Role.DEADLINE and f.plan_field), None)
        if deadline is not None:
            item.deadline, item.conflicting_deadlines = _earliest(getattr(item, deadline.plan_field))
    return found


def _value(said: Said | None) -> str:
    return said.value if said is not None else ""


#: How a list of the plan is ordered (item, identity key) when not by its identity key alone.
_ORDER: dict[str, Callable[[Any, tuple[str, ...]], tuple]] = {
    "conditions": lambda item, key: (item.deadline or "9999", key),  # earliest deadline first
}


def _items(ctx: _Context, subs: list[Submission], section: Section) -> list:
    """Return the items of a table section for its list of the plan, in the plan's order."""
    found = _grouped(ctx, subs, section)
    order = _ORDER.get(section.plan_part)
    return [found[k] for k in sorted(found, key=(lambda k: order(found[k], k)) if order else None)]


def _merged(ctx: _Context, subs: list[Submission], names: list[str]) -> list[Merged]:
    found: dict[str, Merged] = {}
    for sub in subs:
        for name in names:
            if (s := ctx.said(sub, name)) is not None:
                found.setdefault(normal(s.value), Merged(s.value, [])).said.append(s)
    for m in found.values():
        m.said.sort(key=_by_author)
        m.value = m.said[0].value  # the same words: show the first author's wording
    return [found[k] for k in sorted(found)]


def _words(item: Condition | Agreement) -> str:
    """Return the words an open point names a condition or an agreement by (what, for an agreement)."""
    return (item.texts if isinstance(item, Condition) else item.what)[0].value


def _term_points(plan: Plan, months: int) -> list[str]:
    """Return an open point for every deadline before the meeting, beyond the method's limit or unreadable."""
    limit = dates.add_months(plan.meeting, months)
    points = []
    for kind, items in (("voorwaarde", plan.conditions), ("afspraak", plan.agreements)):
        for item in items:
            text = quote(_words(item))
            for d in item.deadlines:
                day = dutch.as_date(d.value)
                where = f"Termijn van {kind} '{text}' ({d.source.name}):"
                if day is None:
                    points.append(f"{where} {_written(d.value)} kon niet worden gelezen als datum; spreek een "
                                  "datum af.")
                elif day > limit:
                    points.append(f"{where} {dutch.long_date(day)} ligt meer dan {months} maanden na het overleg "
                                  f"(uiterlijk {dutch.long_date(limit)}); spreek een termijn binnen de methode af.")
                elif day < plan.meeting:
                    points.append(f"{where} {dutch.long_date(day)} ligt vóór het overleg van "
                                  f"{dutch.long_date(plan.meeting)}; spreek een nieuwe termijn af.")
    return points


#: Check codes about the score whose open point _unreadable_scores makes.
_SCORE_CODES = {Code.field_required, Code.score_not_whole, Code.score_out_of_range, Code.form_formula, Code.text_too_long}
#: Check codes about a deadline whose open point _term_points makes.
_TERM_CODES = {Code.term_too_far, Code.term_before_meeting, Code.not_a_date}

def _finding_input(ctx: _Context, sub: Submission, found: Finding):
    """Return the score sheet field a finding is about (by its cell, else its label), or None."""
    by_cell = {cell: name for name, cell in sub.cells.items()}
    name = by_cell.get(found.cell or "")
    if name is not None:
        return ctx.schema.input(name)
    return next((c for c in ctx.schema.inputs if found.cell == c.cell or (found.field and found.field == c.label)),
                None)


def _covered(sub: Submission, found: Finding, cell, plan: Plan) -> bool:
    """True when another open point already says what this finding says (do not say it twice)."""
    if found.code == Code.too_many_conditions:
        return len(plan.conditions) > plan.max_conditions
    if cell is None:
        return False
    if cell.name == "beoordeling_cijfer":
        return found.code in _SCORE_CODES and not isinstance(sub.values.get(cell.name), int)
    # a deadline an item keeps (Role.DEADLINE): _term_points says what is wrong with it
    return found.code in _TERM_CODES and cell.field.role is Role.DEADLINE and bool(cell.field.plan_field)


def _where(cell, found: Finding) -> str:
    """Return the place of a finding in the reader's words, e.g. "Onveilige situaties (TOP-3), 'Slachtoffer (TOP 2)'".

    The field's label is left out when the message already names it.
    """
    label = cell.label if cell is not None else visible(found.field or "")
    named = f"'{label}'" if label and f"'{label}'" not in found.message else ""
    section = re.sub(r"^\d+\.\s*", "", cell.section.title) if cell is not None else ""
    return ", ".join(part for part in (section, named) if part)


def _form_error_points(ctx: _Context, subs: list[Submission], plan: Plan) -> list[str]:
    """Return an open point for every error the check found in a merged form, unless another point says it.

    Only errors (severity "fout"): warnings stay in the check report, the meeting needs no
    point for them. Ordered by professional and file (as subs are), then as the check found them.
    """
    points = []
    for sub in subs:
        for found in sub.findings:
            if not found.is_error:
                continue  # a warning stays in the check report only
            cell = _finding_input(ctx, sub, found)
            if _covered(sub, found, cell, plan):
                continue
            who = _professional_name(ctx.register, sub.professional)
            where = _where(cell, found)
            message = found.message[:1].upper() + found.message[1:]
            points.append(f"Formulier van {who}" + (f", {where}" if where else "") + f": {message}")
    return points


def _open_points(plan: Plan, register: Register, missing: list[str], unread: Sequence[_UnreadScore] = (),
                 months: int = 3, form_errors: Sequence[str] = ()) -> list[str]:
    points = []
    proposed = plan.proposed_regisseurs
    if len(proposed) > 1:
        points.append("Verschillende regisseurs voorgesteld: " + "; ".join(
            f"{_professional_name(register, m.value)} (door {', '.join(s.source.name for s in m.said)})"
            for m in proposed) + ".")
    elif proposed and plan.regisseur and proposed[0].value != plan.regisseur.code:
        points.append(f"Voorgestelde regisseur {_professional_name(register, proposed[0].value)} is niet de "
                      f"regisseur in het register ({plan.regisseur.name}).")
    if plan.regisseur is None:
        points.append("Er is nog geen regisseur vastgesteld.")
    for kind, items in (("voorwaarde", plan.conditions), ("afspraak", plan.agreements)):
        for item in items:
            if item.conflicting_deadlines:
                text = _words(item)
                shown = ", ".join(f"{_show_date(d.value)} ({d.source.name})" for d in item.deadlines)
                points.append(f"Verschillende termijnen voor {kind} '{text}': {shown}.")
    points += _term_points(plan, months)
    if len(plan.conditions) > plan.max_conditions:
        points.append(f"{len(plan.conditions)} voorwaarden; de methode staat er hoogstens {plan.max_conditions} toe. "
                      "Kies samen de belangrijkste.")
    if any(s.suspected_offence for s in plan.situations):
        agreements = " ".join(x.value for a in plan.agreements for x in a.who + a.what)
        if not names_police_or_om(agreements):
            points.append("Vermoeden van een strafbaar feit, maar geen afspraak met politie of OM: maak de "
                          "veiligheidsafspraken in afstemming met politie en OM.")
    points += [u.point for u in unread]
    if not plan.summary.determined:
        points.append(f"Consensus over de veiligheid is nog niet vast te stellen: {plan.summary.reason}.")
    elif not plan.summary.consensus:
        points.append(f"Geen consensus over de veiligheid: {plan.summary.reason}.")
    points += form_errors
    points += [f"Geen formulier ontvangen van {name}." for name in missing]
    points += [f"Formulier {e.file} is niet meegenomen: {e.reason}" for e in plan.excluded]
    return points


def _professional_name(register: Register, code: str) -> str:
    p = register.professional(code)
    return person_label(p.name, p.organisation) if p else code


def _show_date(value: str) -> str:
    return dutch.long_date(value)


@dataclass(frozen=True)
class HouseholdInputs:
    """What the merge of one household starts from: accepted forms, left-out files, missing forms."""

    dossier: str
    accepted: list[Submission]
    excluded: list[Exclusion]
    missing: list[str]

    @property
    def received(self) -> bool:
        """True when at least one form of this household was accepted: only then is there a plan."""
        return bool(self.accepted)


NO_FORMS = "geen formulieren ontvangen"


@dataclass(frozen=True)
class NoFormsReceived:
    """A household on the meeting without any accepted form: no plan version and no history entry are made."""

    dossier: str
    household: str
    meeting: dt.date
    missing: list[str]  # "name (organisation)" of who did not return a form
    excluded: list[Exclusion]  # forms that came in but were left out

    def describe(self) -> str:
        """Return one Dutch line for the merge output: 'geen formulieren ontvangen', with what was left out."""
        left_out = (f"; {len(self.excluded)} {'formulier' if len(self.excluded) == 1 else 'formulieren'} niet "
                    "meegenomen (zie 'formkit check')" if self.excluded else "")
        return f"{NO_FORMS}{left_out} – geen plan gemaakt"

    def finding(self) -> Finding:
        """Return this as a warning finding (code no_forms_received) for lists of findings."""
        return finding(Code.no_forms_received, dossier=self.dossier, meeting=dutch.long_date(self.meeting))


def no_forms_received(register: Register, meeting: dt.date, inputs: HouseholdInputs) -> NoFormsReceived:
    """Return what the merge says of a household whose inputs hold no accepted form."""
    household = register.household(inputs.dossier)
    return NoFormsReceived(inputs.dossier, household.name if household else inputs.dossier, meeting,
                           list(inputs.missing), list(inputs.excluded))


def household_inputs(batch, register: Register) -> Callable[[str], HouseholdInputs]:
    """Return a function giving one household's merge inputs from a checked batch.

    The batch's files are grouped once; a household's forms are unpacked only when its
    inputs are asked for, so merging a large meeting holds one household's forms at a time.
    """
    files = batch.files_by_dossier()
    missing: dict[str, list[str]] = {}
    for f in batch.missing:
        if p := register.professional(f.professional):
            missing.setdefault(f.dossier, []).append(person_label(p.name, p.organisation))

    def inputs(dossier: str) -> HouseholdInputs:
        own = files.get(dossier, [])
        return HouseholdInputs(
            dossier,
            [replace(r.submission, findings=tuple(r.findings)) for r in own if r.status == PROCESSED],
            [Exclusion(visible(r.path.name), r.professional or "", _reason(r.findings)) for r in own if r.status != PROCESSED],
            missing.get(dossier, []),
        )
    return inputs


def merge_inputs(register: Register, schema: Schema, meeting: dt.date, inputs: HouseholdInputs) -> Plan:
    """Return the joint plan of one household from its merge inputs."""
    return merge_household(register, inputs.dossier, meeting, inputs.accepted, schema,
                           excluded=inputs.excluded, missing=inputs.missing)


def merge_batch(batch, register: Register, schema: Schema) -> list[Plan]:
    """Return the joint plan of every household of a checked batch's meeting.

    This holds every plan at once; to write plans for a large meeting, use
    :func:`formkit.documents.plan_files.merge_and_write`, which keeps one household at a time. A
    household without any accepted form is here too (with no scores and consensus not
    determined); merge_and_write writes no version for it (see :class:`NoFormsReceived`).
    """
    inputs = household_inputs(batch, register)
    return [merge_inputs(register, schema, batch.meeting, inputs(dossier)) for dossier in batch.dossiers]


def _reason(findings) -> str:
    """Return why a file was left out: its last finding (the one that refused or superseded it)."""
    return findings[-1].message if findings else "onbekend"
