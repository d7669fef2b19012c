"""Dutch numbers and dates: the one place every document, workbook and message formats them.

A Dutch reader writes a decimal comma ("3,5"), so a list of numbers needs a separator
that is not a comma: :func:`numbers` joins them with " – ". Dates read long in running
text ("1 december 2026") and as dd-mm-jjjj (four-digit year) in tables and cells.
Workbooks get the same through Excel number formats (:data:`XLSX_DATE`, :data:`XLSX_NUMBER`),
which Excel and LibreOffice show with the reader's own decimal sign.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from . import dates

#: Excel number format for a date: always a four-digit year.
XLSX_DATE = "dd-mm-yyyy"
#: Excel number format for a score or median: whole numbers without decimals, halves with one.
XLSX_NUMBER = "0.#"
#: What a document shows for a value that is not there.
NOTHING = "–"


def number(value: object) -> str:
    """Return a number the Dutch way: ``3``, ``3,5``, ``-0,25``; text passes unchanged, None is empty."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10g}".replace(".", ",")


def numbers(values: Iterable[object], separator: str = " – ") -> str:
    """Return several numbers as one readable text, never joined by a comma: ``3 – 3,5 – 5``."""
    return separator.join(number(v) if v is not None else NOTHING for v in values)


def as_date(value: object) -> dt.date | None:
    """Return a date from a date, a datetime or ISO text (``2026-12-01``); None if it is none of those."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def long_date(value: object) -> str:
    """Return a date for running text: ``1 december 2026``; what is not a date passes as text."""
    day = as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{day.day} {dates.MONTHS_NL[day.month - 1]} {day.year}"


def short_date(value: object) -> str:
    """Return a date for a table or cell: ``01-12-2026`` (four-digit year); what is not a date passes as text."""
    day = as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return day.strftime("%d-%m-%Y")
