"""The rows of a read-only worksheet, read with lxml: the same values as openpyxl, several times faster.

openpyxl's read-only mode parses a sheet with Python callbacks for every XML element and
builds an object per inline string, which makes a register of 10,000 households (about
320,000 cells) take some ten seconds to read. This reader walks the same sheet part
with lxml's C parser, one ``<row>`` at a time (cleared after use, so memory stays flat),
and converts each cell exactly as openpyxl's ``WorkSheetParser.parse_cell`` does: shared
and inline strings, numbers, booleans, errors, dates through the workbook's date styles
and epoch, and formulas (array, shared, data table) as openpyxl would give them.
Entities are never resolved and no DTD or network access is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _RUN = f"{_NS}is", f"{_NS}t", f"{_NS}r"


def fast_rows(ws, formula: Callable[[object], object]) -> Iterator[tuple[int, list]] | None:
    """Return an iterator of (row number, values from column A) of a read-only sheet, None for any other sheet.

    `formula` turns openpyxl's formula value (text, ArrayFormula, DataTableFormula) into
    what the caller keeps. Rows without cells are skipped, as :func:`formkit.xlsx.workbook.iter_rows` does.
    """
    parent = getattr(ws, "parent", None)
    if parent is None or not hasattr(ws, "_worksheet_path") or getattr(parent, "_archive", None) is None \
            or parent.data_only:
        return None
    return _rows(ws, formula)


def _rows(ws, formula: Callable) -> Iterator[tuple[int, list]]:
    book = ws.parent
    cells = _CellReader(ws._shared_strings, book._date_formats, book._timedelta_formats, book.epoch, formula)
    number = 0
    with book._archive.open(ws._worksheet_path) as source:
        parse = etree.iterparse(source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True,
                                load_dtd=False, huge_tree=False, remove_comments=True)
        for _, row in parse:
            number = _row_number(row.get("r"), number)
            values = cells.row(row, number)
            row.clear(keep_tail=True)
            while row.getprevious() is not None:  # drop rows already read
                del row.getparent()[0]
            if values is not None:
                yield number, values


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    value = float(text)
    if not value.is_integer():
        raise ValueError(f"{text} is not a valid row number")
    return int(value)


class _CellReader:
    """Converts the cells of one row as openpyxl's parser does."""

    def __init__(self, shared_strings, date_formats, timedelta_formats, epoch, formula: Callable):
        self.shared_strings = shared_strings
        self.date_formats = date_formats
        self.timedelta_formats = timedelta_formats
        self.epoch = epoch
        self.formula = formula
        self.shared_formulae: dict[str, Translator] = {}
        self.columns: dict[str, int] = {}  # column letters seen, to their number

    def row(self, row, number: int) -> list | None:
        """Return the values of a row from column A to its last cell, None when it has no cells."""
        values: list = []
        column = 0
        last = 0
        columns = self.columns
        for cell in row:
            if cell.tag != _CELL:
                continue
            coordinate = cell.get("r")
            if coordinate:
                column = columns.get(coordinate.rstrip("0123456789")) or self._column(coordinate)
            else:
                column += 1
            value = self.value(cell, coordinate)
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
            last = column
        if not last:
            return None
        del values[last:]  # openpyxl sizes a row by its last cell
        return values

    def _column(self, coordinate: str) -> int:
        letters = coordinate.rstrip("0123456789")
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = coordinate_to_tuple(coordinate)[1]
        return column

    def value(self, cell, coordinate: str | None):
        """Return one cell's value as openpyxl's read-only cell would hold it."""
        kind = cell.get("t", "n")
        if len(cell) == 1:  # the usual cell: one <v> or one <is> holding one <t>
            child = cell[0]
            tag = child.tag
            if tag == _INLINE and kind == "inlineStr":
                return _inline_text(child)
            if tag == _VALUE and kind == "s":
                return self.shared_strings[int(child.text)] if child.text else None
        value = formula = inline = None
        for child in cell:  # one pass over <v>, <f>, <is>: cheaper than a find() for each
            tag = child.tag
            if tag == _VALUE:
                value = child.text
            elif tag == _FORMULA:
                formula = child
            elif tag == _INLINE:
                inline = child
        if formula is not None:
            return self.formula(self._formula(formula, coordinate))
        if kind == "inlineStr":
            return None if inline is None else _inline_text(inline)
        if not value:
            return None
        if kind == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            style = cell.get("s")
            if style and int(style) in self.date_formats:
                try:
                    return from_excel(number, self.epoch, timedelta=int(style) in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.shared_strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # str (a formula's cached text), e (an error such as #N/A)

    def _formula(self, element, coordinate: str | None):
        kind = element.get("t")
        value = "=" + (element.text or "")
        if kind == "array":
            return ArrayFormula(ref=element.get("ref"), text=value)
        if kind == "shared":
            index = element.get("si")
            if index in self.shared_formulae:
                return self.shared_formulae[index].translate_formula(coordinate)
            if value != "=":
                self.shared_formulae[index] = Translator(value, coordinate)
            return value
        if kind == "dataTable":
            return DataTableFormula(**element.attrib)
        return value


def _inline_text(inline) -> str:
    """Return an inline string's text: its ``<t>`` and the ``<t>`` of its runs, phonetic hints left out."""
    if len(inline) == 1 and inline[0].tag == _TEXT:  # the usual case: one plain text
        return inline[0].text or ""
    parts = []
    for child in inline:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.extend(t.text or "" for t in child.iterchildren(_TEXT))
    return "".join(parts)
