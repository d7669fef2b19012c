"""Low-level openpyxl helpers shared by the register and the score sheets.

Values that came from a user are always written as text, never as a formula, and
workbooks are saved atomically (a temporary file next to the target, then a rename).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..core.atomic import write_atomic
from ..core.errors import FormkitError
from ..core.text import visible


class WorkbookUnreadable(FormkitError):
    """De werkmap kan niet worden geopend."""


class Formula(str):
    """A cell's formula text, kept apart from plain values so it is never taken as data."""


@dataclass(frozen=True)
class TooLong:
    """A cell's text withheld because it is longer than its field allows: only its length is kept."""

    length: int
    limit: int

    def __str__(self) -> str:
        return f"({self.length} tekens, hoogstens {self.limit})"


def as_formula(value) -> Formula:
    """Return a formula cell's value as its formula text, also for array and data-table formulas.

    openpyxl gives an array formula as an ArrayFormula object and a data table as a
    DataTableFormula object; both are shown as Excel shows them (``{=SUM(A1:A3)}``,
    ``{=TABLE(B1,B2)}``), never as a Python object's text.
    """
    if isinstance(value, ArrayFormula):
        text = str(value.text or "")
        return Formula(f"{{{text if text.startswith('=') else '=' + text}}}")
    if isinstance(value, DataTableFormula):
        inputs = ",".join(str(r) for r in (value.r1, value.r2) if r)
        return Formula(f"{{=TABLE({inputs})}}")
    return Formula(str(value))


def open_workbook(path: Path, *, read_only: bool = False) -> Workbook:
    """Return the workbook at `path`; raise WorkbookUnreadable with a Dutch reason."""
    try:
        return load_workbook(path, read_only=read_only, data_only=False)
    except FileNotFoundError as e:
        raise WorkbookUnreadable("het bestand bestaat niet") from e
    except (zipfile.BadZipFile, InvalidFileException) as e:
        raise WorkbookUnreadable("geen geldig .xlsx-bestand") from e
    except OSError as e:
        raise WorkbookUnreadable(f"het bestand kan niet gelezen worden ({e.strerror})") from e
    except Exception as e:  # openpyxl raises many kinds on damaged packages
        raise WorkbookUnreadable("het bestand is beschadigd") from e


def iter_rows(ws) -> Iterator[tuple[int, list]]:
    """Yield (row number, values) for every row of a sheet, formulas as Formula values.

    A read-only sheet is read with lxml (:mod:`formkit.xlsx.rows`, same values, several
    times faster); any other sheet through openpyxl's cells.
    """
    from .rows import fast_rows

    fast = fast_rows(ws, as_formula)
    if fast is not None:
        yield from fast
        return
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # read-only mode: don't trust the size the file declares
    for row in ws.iter_rows():
        values = []
        number = None
        for cell in row:
            if getattr(cell, "row", None) is not None:
                number = cell.row
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" and value is not None:
                value = as_formula(value)
            values.append(value)
        if number is not None:
            yield number, values


def cell_ref(column: int, row: int) -> str:
    """Return the A1 reference of a 1-based column and row."""
    return f"{get_column_letter(column)}{row}"


def set_text(cell: Cell, value) -> None:
    """Write a value into a cell as data: text stays text even when it starts with '=', unsafe characters visible.

    Every text passes :func:`formkit.core.text.visible` here as a last line of defence, so a
    control character, bidi override or a character XML forbids never reaches a workbook
    (openpyxl would refuse some of them and stop the whole file).
    """
    if isinstance(value, str):
        value = visible(value, multiline=True)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


#: The most characters Excel allows in the title of a cell's input help.
PROMPT_TITLE_LIMIT = 32
#: Titles too long for the input help, by their shorter wording that reads whole.
SHORT_TITLES = {
    "Wanneer wordt Veilig Thuis geïnformeerd": "Wanneer Veilig Thuis informeren",
}


def short_title(text: str, limit: int = PROMPT_TITLE_LIMIT) -> str:
    """Return a title of at most `limit` characters that reads whole: a shorter wording, or cut after a word."""
    text = SHORT_TITLES.get(text, text)
    if len(text) <= limit:
        return text
    words, kept = text.split(), ""
    for word in words:
        if len(kept) + len(word) + (1 if kept else 0) + 1 > limit:
            break
        kept = f"{kept} {word}" if kept else word
    return f"{kept or text[:limit - 1]}…"


def save_atomic(wb: Workbook, path: Path) -> None:
    """Save a workbook to `path` through a temporary file and a rename."""
    write_atomic(Path(path), wb.save)
