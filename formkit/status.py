"""Where every household stands, as of a date: latest scores, next deadline, signals, history.

:func:`household_statuses` gives plain data; the terminal table, ``--json`` and the
dashboard workbook (with a score history chart per household) are made from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

from . import dates
from .history import History
from .register import Register
from .settings import DEFAULT_SETTINGS, MethodSettings
from .signals import GREEN, LEVEL_ORDER, ORANGE, RED, Signal, meeting_of, next_check, scores_of, signals_for
from .xlsx import save_atomic, set_text

FILLS = {RED: PatternFill("solid", fgColor="F8CBAD"), ORANGE: PatternFill("solid", fgColor="FFE699"),
         GREEN: PatternFill("solid", fgColor="C6EFCE")}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


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

    @property
    def level(self) -> str | None:
        """Return the most urgent signal level, None without signals."""
        return min((s.level for s in self.signals), key=LEVEL_ORDER.get, default=None)

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
        }


def _next_deadline(plan: dict, as_of: dt.date) -> tuple[dt.date, str] | None:
    found = []
    for c in plan["conditions"]:
        if c["deadline"] and (day := dt.date.fromisoformat(c["deadline"])) >= as_of:
            found.append((day, f"voorwaarde: {c['texts'][0]['value'] if c['texts'] else ''}"))
    for a in plan["agreements"]:
        if a["deadline"] and (day := dt.date.fromisoformat(a["deadline"])) >= as_of:
            found.append((day, f"afspraak: {a['what'][0]['value'] if a['what'] else ''}"))
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
        regisseur = register.regisseur_of(h.dossier)
        result.append(HouseholdStatus(
            dossier=h.dossier, household=h.name, phase=h.phase,
            regisseur=regisseur.name if regisseur else "",
            last_meeting=meeting_of(latest) if latest else None,
            scores=[(who, score) for _, who, score in scores_of(latest)] if latest else [],
            next_deadline=_next_deadline(latest, as_of) if latest else None,
            signals=signals_for(h.dossier, plans, register, as_of, settings),
            history=[(meeting_of(p), {who: score for _, who, score in scores_of(p)}) for p in plans],
        ))
    return result


def format_table(statuses: list[HouseholdStatus], as_of: dt.date) -> list[str]:
    """Return the statuses as Dutch lines for the terminal."""
    lines = [f"Stand van zaken op {dates.format_dutch(as_of)}:"]
    for s in statuses:
        scores = ", ".join(f"{who} {score}" for who, score in s.scores) or "geen cijfers"
        last = dates.format_short(s.last_meeting) if s.last_meeting else "nog geen plan"
        deadline = (f"{dates.format_short(s.next_deadline[0])} ({s.next_deadline[1]})" if s.next_deadline else "–")
        lines.append(f"{s.dossier} {s.household} · fase {s.phase or '?'} · laatste overleg {last} · "
                     f"volgende termijn {deadline}")
        lines.append(f"    cijfers: {scores}")
        lines += [f"    [{sig.level}] {sig.message}" for sig in s.signals]
    return lines


def write_dashboard(statuses: list[HouseholdStatus], path: Path, as_of: dt.date) -> None:
    """Write the dashboard workbook: an overview row per household, signals, and score history charts."""
    wb = Workbook()
    overview = wb.active
    overview.title = "Overzicht"
    _header(overview, ["Dossier", "Huishouden", "Fase", "Regisseur", "Laatste overleg", "Cijfers", "Laagste",
                       "Volgende termijn", "Signalen"], [11, 26, 6, 20, 14, 36, 8, 30, 80])
    for r, s in enumerate(statuses, start=2):
        values = [s.dossier, s.household, s.phase or "", s.regisseur, s.last_meeting,
                  ", ".join(f"{who} {score}" for who, score in s.scores),
                  min((score for _, score in s.scores), default=""),
                  f"{dates.format_short(s.next_deadline[0])} {s.next_deadline[1]}" if s.next_deadline else "",
                  "\n".join(f"[{sig.level}] {sig.message}" for sig in s.signals)]
        for c, value in enumerate(values, start=1):
            cell = overview.cell(r, c)
            set_text(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, dt.date):
                cell.number_format = "dd-mm-yyyy"
            if s.level:
                cell.fill = FILLS[s.level]
    overview.auto_filter.ref = f"A1:I{max(2, len(statuses) + 1)}"
    set_text(overview.cell(len(statuses) + 3, 1), f"Stand van zaken op {dates.format_dutch(as_of)} (formkit)")

    signals = wb.create_sheet("Signalen")
    _header(signals, ["Dossier", "Huishouden", "Niveau", "Signaal", "Regel van de methode"], [11, 26, 10, 70, 70])
    row = 2
    for s in statuses:
        for sig in s.signals:
            for c, value in enumerate([s.dossier, s.household, sig.level, sig.message, sig.rule], start=1):
                cell = signals.cell(row, c)
                set_text(cell, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            signals.cell(row, 3).fill = FILLS[sig.level]
            row += 1
    _history_sheet(wb.create_sheet("Cijferverloop"), statuses)
    wb.properties.title = f"Dashboard casusoverleg {as_of.isoformat()}"
    wb.properties.creator = "formkit"
    save_atomic(wb, path)


def _header(ws, titles: list[str], widths: list[int]) -> None:
    for c, (title, width) in enumerate(zip(titles, widths), start=1):
        cell = ws.cell(1, c, title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _history_sheet(ws, statuses: list[HouseholdStatus]) -> None:
    """One block per household (meetings down, people across) with a line chart beside it."""
    ws.column_dimensions["A"].width = 14
    top = 1
    for s in statuses:
        if not s.history:
            continue
        people = list(dict.fromkeys(who for _, scores in s.history for who in scores))
        set_text(ws.cell(top, 1), f"{s.dossier} {s.household}")
        ws.cell(top, 1).font = Font(bold=True)
        header = top + 1
        set_text(ws.cell(header, 1), "Overleg")
        for c, who in enumerate(people, start=2):
            set_text(ws.cell(header, c), who)
        for r, (meeting, scores) in enumerate(s.history, start=header + 1):
            ws.cell(r, 1, meeting).number_format = "dd-mm-yyyy"
            for c, who in enumerate(people, start=2):
                if who in scores:
                    ws.cell(r, c, scores[who])
        last = header + len(s.history)
        chart = LineChart()
        chart.title = f"Cijferverloop {s.dossier}"
        chart.y_axis.title = "Veiligheidscijfer"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 10
        chart.x_axis.number_format = "dd-mm-yyyy"
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(people), min_row=header, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        chart.height, chart.width = 7, 14
        ws.add_chart(chart, f"{ws.cell(top, len(people) + 3).column_letter}{top}")
        top = max(last + 2, top + 16)
