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

from ..core.dutch import XLSX_DATE, XLSX_NUMBER
from ..core.text import visible
from .workbook import set_text

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
WRAP_TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")

#: Points per line of 11-point Calibri, the workbook's default font, with its spacing.
LINE_HEIGHT = 15.0
#: The highest row Excel allows, in points.
MAX_ROW_HEIGHT = 409.0
#: Column width units one A4 page holds at 100 % between 0.5" margins: portrait, landscape.
#: A unit is the width of a "0" in the default font; where Calibri is missing, LibreOffice
#: measures with a wider font (DejaVu Sans: 9.3 pixels a unit), so these hold for both.
#: LibreOffice does not shrink a single column that is wider than the page: it is cut, so
#: every table is kept within these widths (see :func:`fit_to_page`).
PORTRAIT_WIDTH = 72
LANDSCAPE_WIDTH = 108
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
    narrow: bool = True  # False: an identifier (a file name); keeps its content's width when the page is tight


def write_table(ws, columns: Sequence[Column], rows: Sequence[Sequence], *, document: str,
                top: int = 1, empty: str | None = "Geen.",
                row_style: Callable[[int, Sequence], dict] | None = None, min_scale: float = 1.0) -> int:
    """Return the last row used after writing a table at row `top` of `ws` and laying out its sheet.

    Values are written as data (:func:`formkit.xlsx.workbook.set_text`); dates get a four-digit
    date format, numbers the Dutch number format. A table without rows shows `empty`
    under its header (None: nothing). `row_style(index, row)` may return a PatternFill per
    column number ({column: fill}) for a row. The sheet gets the page setup of
    :func:`page_setup` with the header row as print title; the table prints at 100 %, or
    at no less than `min_scale` for a long appendix that would otherwise wrap every cell.
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
    widths, landscape = fit_to_page(columns, column_widths(columns, rows), min_scale)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    fit_row_heights(ws, top, last, widths)
    ws.freeze_panes = ws.cell(top + 1, 1).coordinate
    if rows:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{last}"
    page_setup(ws, document=document, landscape=landscape, title_rows=(top, top))
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
        heading = heading_width(column)
        content = max((text_units(line) for row in rows if c < len(row)
                       for line in display_text(row[c]).splitlines() or [""]), default=0)
        wanted = max(column.min_width, min(column.max_width, content + PADDING + 1))
        widths.append(float(round(max(wanted, heading), 1)))
    return widths


def heading_width(column: Column) -> float:
    """Return the narrowest width at which a column's heading breaks between words only (with its filter button)."""
    return float(max((len(word) for word in column.title.split()), default=0) + 2 + 2)


def fit_to_page(columns: Sequence[Column], widths: Sequence[float],
                min_scale: float = 1.0) -> tuple[list[float], bool]:
    """Return the widths capped so the table fits an A4 page at `min_scale`, and whether the page is landscape.

    A table that fits a portrait page keeps its widths; a table of one or two columns is
    narrowed to the portrait page, a wider one goes landscape and is narrowed to that page.
    Narrowing takes from every column in proportion to its width above its heading's
    (never below the heading, a fixed width or an identifier's content), so a long text
    keeps the widest column; a table that still does not fit is shrunk by the fit to the page width.
    No column is ever wider than the page: LibreOffice cuts such a column instead of shrinking it.
    """
    natural = sum(widths)
    portrait = PORTRAIT_WIDTH / min_scale
    landscape = natural > portrait and (len(columns) > 2 or natural > 1.5 * portrait)
    widths = [min(w, LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH) for w in widths]
    natural = sum(widths)
    page = (LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH) / min_scale
    if natural <= page:
        return list(widths), landscape
    floors = [w if column.width is not None or not column.narrow
              else min(w, max(column.min_width, heading_width(column)))
              for column, w in zip(columns, widths)]
    room, wanted = page - sum(floors), sum(w - f for f, w in zip(floors, widths))
    share = max(0.0, room) / wanted if wanted else 0.0  # each column keeps this part of its width above its floor
    return [f + math.floor((w - f) * share * 10) / 10 for f, w in zip(floors, widths)], landscape


#: Width of characters in units of a "0", the larger of Calibri's and DejaVu Sans's (the font
#: LibreOffice prints with where Calibri is missing); other characters count as 1.
_NARROW = dict.fromkeys("ijlI|.,:;'!", 0.46) | dict.fromkeys(" ()[]/-", 0.52) | dict.fromkeys("ftr", 0.69)
_WIDE = dict.fromkeys("mwMW%", 1.6) | dict.fromkeys("ABCDEGHKNOQRUVXY&", 1.2)
_MIDDLE = dict.fromkeys("sczvxykg", 0.9) | dict.fromkeys("aeo", 0.98)
_CHAR_UNITS = _NARROW | _WIDE | _MIDDLE


def text_units(text: str) -> float:
    """Return the width of `text` in units of a column width (the width of a "0")."""
    return sum(_CHAR_UNITS.get(ch, 1.0) for ch in text)


def lines_needed(text: str, width: float) -> int:
    """Return how many lines `text` takes when wrapped in a column `width` units wide."""
    per_line = max(1.0, width - PADDING)
    total = 0
    for line in text.splitlines() or [""]:
        total += _wrapped_lines(line, per_line)
    return max(1, total)


def _wrapped_lines(line: str, per_line: float) -> int:
    """Return the lines one paragraph takes, wrapping at spaces as a spreadsheet does."""
    if text_units(line) <= per_line:
        return 1
    space = text_units(" ")
    lines, used = 1, 0.0
    for word in line.split(" "):
        length = text_units(word)
        if used and used + space + length > per_line:
            lines, used = lines + 1, 0.0
        if length > per_line:  # a word longer than the column is broken over several lines
            extra = math.ceil(length / per_line) - 1
            lines, used = lines + extra, length - extra * per_line
            continue
        used = used + space + length if used else length
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
