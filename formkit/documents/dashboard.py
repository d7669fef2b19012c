"""The dashboard workbook: an overview row per household, its signals, and score history charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core import dutch
from ..core.dutch import XLSX_DATE, XLSX_NUMBER
from ..plan.signals import GREEN, ORANGE, RED
from ..plan.status import HouseholdStatus
from ..xlsx import Alignment, Break, Font, LineChart, PatternFill, Reference, Workbook, get_column_letter
from ..xlsx.tables import LINE_HEIGHT, Column, lines_needed, page_setup, write_table
from ..xlsx.workbook import save_atomic, set_text

_BOLD = Font(name="Calibri", size=11, bold=True)

FILLS = {RED: PatternFill("solid", fgColor="F8CBAD"), ORANGE: PatternFill("solid", fgColor="FFE699"),
         GREEN: PatternFill("solid", fgColor="C6EFCE")}


#: The smallest print scale of the tables Overzicht and Signalen: nine columns of which one
#: holds every signal of a household do not fit a landscape page at 100 %.
OVERVIEW_SCALE = 0.7
#: Rows of 15 points one portrait A4 page holds at 100 % (26 cm of printable height, with room to spare).
PAGE_ROWS = 44
#: A chart's size in cm: it fits the width of a portrait A4 page (19 cm between the margins).
CHART_HEIGHT_CM, CHART_WIDTH_CM = 7.0, 16.0
#: Rows of 15 points (0.53 cm) a chart covers, rounded up.
CHART_ROWS = 14


def write_dashboard(statuses: list[HouseholdStatus], path: Path, as_of: dt.date) -> None:
    """Write the dashboard workbook: an overview row per household, signals, and score history charts."""
    document = f"Dashboard casusoverleg {dutch.short_date(as_of)}"
    wb = Workbook()
    overview = wb.active
    overview.title = "Overzicht"
    rows = [[s.dossier, s.household, s.phase or "", s.regisseur, s.last_meeting,
             "\n".join(f"{who} {dutch.number(score)}" for who, score in s.scores),
             min((score for _, score in s.scores), default=""),
             f"{dutch.short_date(s.next_deadline[0])} {s.next_deadline[1]}" if s.next_deadline else "",
             "\n".join(f"[{sig.level}] {sig.message}" for sig in s.signals)] for s in statuses]
    levels = [s.level for s in statuses]
    last = write_table(overview, [Column("Dossier"), Column("Huishouden", max_width=24), Column("Fase"),
                                  Column("Regisseur", max_width=20), Column("Laatste overleg", width=12),
                                  Column("Cijfers", max_width=26), Column("Laagste"),
                                  Column("Volgende termijn", max_width=30), Column("Signalen", max_width=60)],
                       rows, document=document, empty="Geen huishoudens.", min_scale=OVERVIEW_SCALE,
                       row_style=lambda i, values: _row_fill(levels[i]))
    set_text(overview.cell(last + 2, 1), f"Stand van zaken op {dutch.long_date(as_of)} (formkit)")

    signals = wb.create_sheet("Signalen")
    signal_rows = [(s.dossier, s.household, sig.level, sig.message, sig.rule) for s in statuses for sig in s.signals]
    write_table(signals, [Column("Dossier"), Column("Huishouden", max_width=24), Column("Niveau"),
                          Column("Signaal", max_width=55), Column("Regel van de methode", max_width=55)],
                signal_rows, document=document, min_scale=OVERVIEW_SCALE,
                row_style=lambda _, values: {3: FILLS[values[2]]})
    _history_sheet(wb.create_sheet("Cijferverloop"), statuses, document)
    wb.properties.title = f"Dashboard casusoverleg {as_of.isoformat()}"
    wb.properties.creator = "formkit"
    save_atomic(wb, path)


def _row_fill(level: str | None) -> dict:
    """Return the fill of every overview column for a household's most urgent signal level."""
    return {c: FILLS[level] for c in range(1, 10)} if level else {}


def _history_sheet(ws, statuses: list[HouseholdStatus], document: str) -> None:
    """One block per household (meetings down, people across) with a line chart below it.

    Every row is 15 points high (a header of long names a line more per line), so the
    rows a page holds are known: when a block does not fit on the rest of its page, a
    page break goes before it, and a chart is never cut. A chart is narrower than the page.
    """
    ws.column_dimensions["A"].width = 12
    top, used = 1, 0
    for s in statuses:
        if not s.history:
            continue
        people = list(dict.fromkeys(who for _, scores in s.history for who in scores))
        header = top + 1
        header_lines = _name_row(ws, header, people)
        size = 1 + header_lines + len(s.history) + 1 + CHART_ROWS + 1
        if used and used + size > PAGE_ROWS:
            ws.row_breaks.append(Break(id=top - 1))
            used = 0
        used += size
        set_text(ws.cell(top, 1), f"{s.dossier} {s.household}")
        ws.cell(top, 1).font = _BOLD
        for r, (meeting, scores) in enumerate(s.history, start=header + 1):
            ws.cell(r, 1, meeting).number_format = XLSX_DATE
            ws.cell(r, 1).alignment = Alignment(horizontal="left")
            for c, who in enumerate(people, start=2):
                if who in scores:
                    score = ws.cell(r, c, scores[who])
                    score.number_format, score.alignment = XLSX_NUMBER, Alignment(horizontal="center")
        last = header + len(s.history)
        ws.add_chart(_chart(ws, s.dossier, header, last, len(people)), f"A{last + 2}")
        top = last + 2 + CHART_ROWS + 1
    for r in range(1, top):  # LibreOffice's rows are lower by default: a chart would reach the next block
        if ws.row_dimensions[r].height is None:
            ws.row_dimensions[r].height = LINE_HEIGHT
    page_setup(ws, document=document)


def _name_row(ws, row: int, people: list[str]) -> int:
    """Return the lines the header row takes after writing "Overleg" and the people's names in it."""
    set_text(ws.cell(row, 1), "Overleg")
    ws.cell(row, 1).font = _BOLD
    lines = 1
    for c, who in enumerate(people, start=2):
        cell = ws.cell(row, c)
        set_text(cell, who)
        cell.font, cell.alignment = _BOLD, Alignment(wrap_text=True, vertical="top", horizontal="center")
        letter = get_column_letter(c)
        width = max(ws.column_dimensions[letter].width or 0, min(20, len(who) + 4), 10)
        ws.column_dimensions[letter].width = width
        lines = max(lines, lines_needed(who, width - 2))  # bold letters are wider
    ws.row_dimensions[row].height = LINE_HEIGHT * lines
    return lines


def _chart(ws, dossier: str, header: int, last: int, people: int) -> LineChart:
    """Return the line chart of one household's scores: a line with a dot per meeting for each person."""
    chart = LineChart()
    chart.title = f"Cijferverloop {dossier}"
    chart.y_axis.title = "Veiligheidscijfer"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 10
    chart.x_axis.number_format = XLSX_DATE
    chart.add_data(Reference(ws, min_col=2, max_col=1 + people, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    for series in chart.series:
        series.marker.symbol = "circle"  # one meeting is a dot, not an invisible line
    chart.height, chart.width = CHART_HEIGHT_CM, CHART_WIDTH_CM
    return chart
