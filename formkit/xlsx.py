"""Low-level openpyxl helpers shared by the register and the score sheets.

Values that came from a user are always written as text, never as a formula, and
workbooks are saved atomically (a temporary file next to the target, then a rename).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .atomic import write_atomic
from .errors import FormkitError


class WorkbookUnreadable(FormkitError):
    """De werkmap kan niet worden geopend."""


class Formula(str):
    """A cell's formula text, kept apart from plain values so it is never taken as data."""


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
    """Yield (row number, values) for every row of a sheet, formulas as Formula values."""
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
                value = Formula(str(value))
            values.append(value)
        if number is not None:
            yield number, values


def cell_ref(column: int, row: int) -> str:
    """Return the A1 reference of a 1-based column and row."""
    return f"{get_column_letter(column)}{row}"


def set_text(cell: Cell, value) -> None:
    """Write a value into a cell as data: text stays text even when it starts with '='."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def save_atomic(wb: Workbook, path: Path) -> None:
    """Save a workbook to `path` through a temporary file and a rename."""
    write_atomic(Path(path), wb.save)
