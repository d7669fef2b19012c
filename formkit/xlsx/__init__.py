"""The one adapter to openpyxl: every module outside this package reaches Excel through it.

- :mod:`.workbook`: opening untrusted workbooks safely, values as text (never a formula),
  atomic saving;
- :mod:`.rows`: a read-only sheet's rows, read with lxml;
- :mod:`.tables`: tables laid out for screen and A4 (widths, row heights, page set-up);
- below, the openpyxl building blocks formkit's own workbooks are styled with, so an
  openpyxl upgrade or a change of library is a change in this package only.
"""

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.chart import LineChart, Reference
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import absolute_coordinate
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break

__all__ = [
    "Alignment", "Border", "Break", "DataValidation", "DefinedName", "Font", "LineChart", "MergedCell",
    "PatternFill", "Protection", "Reference", "Side", "StringProperty", "Workbook", "WorkbookProtection",
    "absolute_coordinate", "get_column_letter",
]
