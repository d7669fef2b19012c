"""Tables in workbooks, laid out to read on screen and to print on A4.

Every workbook formkit writes (plan workbook, check report, status dashboard, register)
puts its tables through :func:`write_table`: a styled header row that is frozen, filtered
and repeated on every printed page, column widths from the content, row heights for
wrapped text (openpyxl does not compute them and LibreOffice and Excel do not always
do it on opening), and an A4 page setup that fits the table to the page width, with the
document's name and "pagina X van Y" in the footer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .dutch import XLSX_DATE, XLSX_NUMBER
from .text import visible
from .xlsx import set_text

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
WRAP_TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")

#: Points per line of 11-point Calibri, the workbook's default font, with its spacing.
LINE_HEIGHT = 15.0
#: The highest row Excel allows, in points.
MAX_ROW_HEIGHT = 409.0
#: Width, in characters, that one A4 page holds at 100 %: portrait, landscape (narrow margins).
PORTRAIT_WIDTH = 95
LANDSCAPE_WIDTH = 140
#: Characters per unit of column width: texts are mostly lower case, narrower than a "0".
CHARS_PER_UNIT = 1.2
#: Width a cell loses to its padding, in characters.
PADDING = 2.0


@dataclass(frozen=True)
class Column:
    """A table column: its heading, and optionally a fixed width, a width range and a number format."""

    title: str
    width: float | None = None  # None: from the content, between min_width and max_width
    min_width: float = 6
    max_width: float = 60
    number_format: str | None = None


def write_table(ws, columns: Sequence[Column], rows: Sequence[Sequence], *, document: str,
                top: int = 1, empty: str | None = "Geen.",
                row_style: Callable[[int, Sequence], dict] | None = None) -> int:
    """Return the last row used after writing a table at row `top` of `ws` and laying out its sheet.

    Values are written as data (:func:`formkit.xlsx.set_text`); dates get a four-digit
    date format, numbers the Dutch number format. A table without rows shows `empty`
    under its header (None: nothing). `row_style(index, row)` may return a PatternFill per
    column number ({column: fill}) for a row. The sheet gets the page setup of
    :func:`page_setup` with the header row as print title.
    """
    for c, column in enumerate(columns, start=1):
        cell = ws.cell(top, c, column.title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, Alignment(wrap_text=True, vertical="top")
    last = top
    for i, values in enumerate(rows):
        r = top + 1 + i
        fills = row_style(i, values) if row_style else {}
        for c, (column, value) in enumerate(zip(columns, values), start=1):
            cell = ws.cell(r, c)
            set_text(cell, value)
            cell.alignment = WRAP_TOP
            cell.number_format = _number_format(value, column)
            if c in fills:
                cell.fill = fills[c]
        last = r
    if not rows and empty:
        set_text(ws.cell(top + 1, 1), empty)
        last = top + 1
    widths = column_widths(columns, rows)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    fit_row_heights(ws, top, last, widths)
    ws.freeze_panes = ws.cell(top + 1, 1).coordinate
    if rows:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{last}"
    page_setup(ws, document=document, landscape=sum(widths) > PORTRAIT_WIDTH, title_rows=(top, top))
    return last


def _number_format(value, column: Column) -> str:
    if column.number_format:
        return column.number_format
    if isinstance(value, (dt.date, dt.datetime)):
        return XLSX_DATE
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return XLSX_NUMBER
    return "General"


def display_text(value) -> str:
    """Return a value as a reader sees it in a cell, to measure it: dates as dd-mm-jjjj."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return "00-00-0000"
    return str(value)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence]) -> list[float]:
    """Return each column's width in characters: its fixed width, or from its heading and content.

    A heading never breaks inside a word (the column is at least as wide as its longest
    word); the content's longest line sets the rest, within the column's range.
    """
    widths = []
    for c, column in enumerate(columns):
        if column.width is not None:
            widths.append(float(column.width))
            continue
        heading = max((len(word) for word in column.title.split()), default=0) + 2 + 2  # filter button
        content = max((len(line) for row in rows if c < len(row)
                       for line in display_text(row[c]).splitlines() or [""]), default=0)
        wanted = max(column.min_width, min(column.max_width, content / CHARS_PER_UNIT + PADDING + 1))
        widths.append(float(round(max(wanted, heading), 1)))
    return widths


def lines_needed(text: str, width: float) -> int:
    """Return how many lines `text` takes when wrapped in a column `width` characters wide."""
    per_line = max(1.0, (width - PADDING) * CHARS_PER_UNIT)
    total = 0
    for line in text.splitlines() or [""]:
        total += _wrapped_lines(line, per_line)
    return max(1, total)


def _wrapped_lines(line: str, per_line: float) -> int:
    """Return the lines one paragraph takes, wrapping at spaces as a spreadsheet does."""
    if len(line) <= per_line:
        return 1
    lines, used = 1, 0
    for word in line.split(" "):
        length = len(word)
        if used and used + 1 + length > per_line:
            lines, used = lines + 1, 0
        if length > per_line:  # a word longer than the column is broken over several lines
            extra = math.ceil(length / per_line) - 1
            lines, used = lines + extra, length - extra * per_line
            continue
        used = used + 1 + length if used else length
    return lines


def fit_row_heights(ws, first: int, last: int, widths: Sequence[float] | None = None) -> None:
    """Set the height of rows `first` to `last` so that every cell's wrapped text shows whole."""
    if widths is None:
        widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1)]
    for r in range(first, last + 1):
        lines = 1
        for c, width in enumerate(widths, start=1):
            value = ws.cell(r, c).value
            if isinstance(value, str) and value:
                lines = max(lines, lines_needed(value, width))
        ws.row_dimensions[r].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 2)


#: The most characters of a document's name in a footer (Excel allows 255 for the whole footer).
FOOTER_NAME_LIMIT = 120


def _footer_text(text: str) -> str:
    """Return a document's name for a footer: one safe line, not too long, an ampersand doubled (not a code)."""
    line = visible(text)
    if len(line) > FOOTER_NAME_LIMIT:
        line = line[:FOOTER_NAME_LIMIT - 1] + "…"
    return line.replace("&", "&&")


def page_setup(ws, *, document: str, landscape: bool = False, title_rows: tuple[int, int] | None = None) -> None:
    """Set up `ws` to print on A4: orientation, fit to the page width, print titles and a footer.

    The footer names the document on the left and says "pagina X van Y" on the right.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.print_options.horizontalCentered = False
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    ws.oddFooter.left.text = _footer_text(document)
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "pagina &P van &N"
    ws.oddFooter.right.size = 8
