"""The dashboard workbook: an overview row per household, its signals, and score history charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

from . import dates
from .signals import GREEN, ORANGE, RED
from .status import HouseholdStatus
from .xlsx import save_atomic, set_text

FILLS = {RED: PatternFill("solid", fgColor="F8CBAD"), ORANGE: PatternFill("solid", fgColor="FFE699"),
         GREEN: PatternFill("solid", fgColor="C6EFCE")}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


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
