"""The method's rules for one returned score sheet, each a small function returning findings.

The rules are those of domain.md ("Rules formkit checks"); their limits come from the
settings and the fields they look at from the schema.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core import dates, dutch
from ..core.findings import Code, Finding, finding
from ..register.model import Register
from ..sheets.schema import FieldType, InputCell, Schema
from .interpret import Interpreted, fold, place

#: Police or public prosecution named in an agreement. "OM" only in capitals: "om" is an everyday word.
POLICE = re.compile(r"\b(politie|wijkagent|openbaar ministerie|officier van justitie|ovj|zedenpolitie)\b")
OM = re.compile(r"\bOM\b")


def names_police_or_om(text: str) -> bool:
    """Return True when a text names the police or the public prosecution (OM): the one home of that rule.

    The check (one form's agreements) and the merge (the plan's agreements) both ask it.
    """
    return bool(POLICE.search(fold(text)) or OM.search(text))


@dataclass(frozen=True)
class FormCheck:
    """What a rule looks at: a form's values, its household and meeting, and the schema."""

    form: Interpreted
    register: Register
    meeting: dt.date
    schema: Schema

    def value(self, name: str):
        """Return the typed value of an input cell, None when empty or unreadable."""
        return self.form.values.get(name)

    def at(self, cell: InputCell) -> dict:
        """Return the place of a finding about `cell`."""
        return place(self.form.form, cell)

    def rows(self, section_key: str) -> list[dict[str, InputCell]]:
        """Return the rows of a table as {field key: cell}, only the rows someone filled."""
        return [row for row in self.schema.rows(section_key) if any(c.name in self.form.filled for c in row.values())]


def required_fields(check: FormCheck) -> list[Finding]:
    """Required fields are filled; a used table row has all its required fields."""
    found = []
    filled = check.form.filled
    for section in check.schema.sections:
        for row in check.schema.rows(section):
            used = any(c.name in filled for c in row.values())
            for c in row.values():
                if c.name in filled:
                    continue
                if c.required:
                    found.append(finding(Code.field_required, label=c.label, **check.at(c)))
                elif used and c.required_if_row_used:
                    found.append(finding(Code.row_incomplete, label=c.label, **check.at(c)))
    return found


def situation_dates(check: FormCheck) -> list[Finding]:
    """An unsafe situation happened already: its date or year is not after the meeting."""
    found = []
    for row in check.rows("situatie"):
        cell = row["datum"]
        when = check.value(cell.name)
        late = (isinstance(when, dt.date) and when > check.meeting) or (
            isinstance(when, int) and when > check.meeting.year)
        if late:
            shown = dutch.long_date(when) if isinstance(when, dt.date) else str(when)
            found.append(finding(Code.situation_after_meeting, date=shown, meeting=dutch.long_date(check.meeting),
                                 **check.at(cell)))
    return found


def terms(check: FormCheck) -> list[Finding]:
    """Deadlines lie on or after the meeting and at most the method's months after it."""
    months = check.schema.settings.max_term_months
    limit = dates.add_months(check.meeting, months)
    found = []
    for cell in check.schema.inputs:
        when = check.value(cell.name)
        if cell.field.type is not FieldType.TERM or not isinstance(when, dt.date):
            continue
        if when < check.meeting:
            found.append(finding(Code.term_before_meeting, date=dutch.long_date(when),
                                 meeting=dutch.long_date(check.meeting), **check.at(cell)))
        elif when > limit:
            found.append(finding(Code.term_too_far, date=dutch.long_date(when), months=months,
                                 limit=dutch.long_date(limit), **check.at(cell)))
    return found


def victim_first(check: FormCheck) -> list[Finding]:
    """Each situation's description begins with the name of its victim."""
    found = []
    for row in check.rows("situatie"):
        victim = check.value(row["slachtoffer"].name)
        text = check.value(row["omschrijving"].name)
        if not victim or not text:
            continue
        first = victim.split()[0]
        if not any(_starts_with(text, name) for name in (victim, first)):
            found.append(finding(Code.description_without_victim, member=victim, first=first,
                                 **check.at(row["omschrijving"])))
    return found


def _starts_with(text: str, name: str) -> bool:
    folded, prefix = fold(text), fold(name)
    return folded.startswith(prefix) and (len(folded) == len(prefix) or not folded[len(prefix)].isalnum())


def proposed_regisseur(check: FormCheck) -> list[Finding]:
    """The proposed regisseur (already one of the household's professionals) has an e-mail address."""
    cell = check.schema.input("regie_regisseur")
    code = check.value(cell.name)
    professional = check.register.professional(code) if code else None
    if professional is not None and not professional.email:
        return [finding(Code.proposed_regisseur_without_email, name=professional.name, **check.at(cell))]
    return []


def condition_count(check: FormCheck) -> list[Finding]:
    """At most the method's number of conditions."""
    rows = check.rows("voorwaarde")
    limit = check.schema.settings.max_conditions
    if len(rows) <= limit:
        return []
    return [finding(Code.too_many_conditions, count=len(rows), limit=limit, **check.at(rows[limit]["voorwaarde"]))]


def offence_with_police(check: FormCheck) -> list[Finding]:
    """A suspected offence has agreements made with police or OM."""
    suspected = [row["strafbaar_feit"] for row in check.rows("situatie") if check.value(row["strafbaar_feit"].name) == "ja"]
    if not suspected:
        return []
    agreements = " ".join(str(check.value(c.name) or "") for row in check.rows("afspraak") for c in row.values())
    if names_police_or_om(agreements):
        return []
    return [finding(Code.offence_without_police, **check.at(suspected[0]))]


RULES: tuple[Callable[[FormCheck], list[Finding]], ...] = (
    required_fields, situation_dates, terms, victim_first, proposed_regisseur, condition_count, offence_with_police,
)


def check_form(form: Interpreted, register: Register, meeting: dt.date, schema: Schema) -> list[Finding]:
    """Return the findings of reading a form and of every rule, in the order of the form."""
    check = FormCheck(form, register, meeting, schema)
    found = list(form.findings)
    for rule in RULES:
        found += rule(check)
    order = {c.cell: i for i, c in enumerate(schema.inputs)}
    return sorted(found, key=lambda f: order.get(f.cell or "", -1))
