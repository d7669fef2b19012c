"""Dates as Dutch users write them, and calendar arithmetic for the method's terms.

This module reads dates; :mod:`formkit.core.dutch` is the one place that writes them.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
_MONTH_LOOKUP = {name: i for i, name in enumerate(MONTHS_NL, start=1)}
_MONTH_LOOKUP.update({name[:3]: i for i, name in enumerate(MONTHS_NL, start=1)})
_MONTH_LOOKUP["mrt"] = 3
_MONTH_LOOKUP["sept"] = 9

_EXCEL_EPOCH = dt.date(1899, 12, 30)

_NUMERIC = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$")
_WORDS = re.compile(r"^(\d{1,2})\s*\.?\s*([a-z]+)\.?\s+(\d{2,4})$")


class NotADate(ValueError):
    """The value is not a real date."""


def parse_date(value: object) -> dt.date | None:
    """Return the date a cell value stands for, None when it is empty.

    Accepts real dates and datetimes, and Dutch text dates: ``3-2-2026`` (day first),
    ``03-02-26``, ``3/2/2026``, ``3 februari 2026``, ``3 feb 2026`` and ISO ``2026-02-03``.
    Raises NotADate for anything else, including impossible dates such as 31-02-2026.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise NotADate(str(value))
    text = " ".join(value.strip().lower().split())
    if not text:
        return None
    try:
        if m := _NUMERIC.match(text):
            a, b, c = m.groups()
            if len(a) == 4:  # ISO: year first
                return dt.date(int(a), int(b), int(c))
            return dt.date(_full_year(c), int(b), int(a))
        if m := _WORDS.match(text):
            day, month_name, year = m.groups()
            month = _MONTH_LOOKUP.get(month_name)
            if month is not None:
                return dt.date(_full_year(year), month, int(day))
    except ValueError as e:
        raise NotADate(value) from e
    raise NotADate(value)


def _full_year(text: str) -> int:
    """Return a four-digit year; two digits mean 20xx (these forms are about now)."""
    if len(text) == 2:
        return 2000 + int(text)
    if len(text) == 4:
        return int(text)
    raise ValueError(text)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` plus whole calendar months, month-end aware (30 Nov + 3 = 28 Feb)."""
    return day + relativedelta(months=months)


def excel_serial(day: dt.date) -> int:
    """Return the Excel (1900 date system) serial number of a date."""
    return (day - _EXCEL_EPOCH).days
