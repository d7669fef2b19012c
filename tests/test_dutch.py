"""Dutch numbers and dates, as every document shows them."""

import datetime as dt

from formkit.core import dutch


def test_numbers_have_a_decimal_comma_and_no_needless_decimals():
    assert dutch.number(3) == "3"
    assert dutch.number(3.0) == "3"
    assert dutch.number(3.5) == "3,5"
    assert dutch.number(None) == ""
    assert dutch.number("6.5") == "6.5"  # text as written (an unreadable score) stays what it was


def test_a_list_of_numbers_is_not_joined_by_a_comma():
    assert dutch.numbers([3, 3.5, 5]) == "3 – 3,5 – 5"
    assert dutch.numbers([None, 4]) == "– – 4"


def test_dates_have_four_digit_years_and_accept_iso_text():
    day = dt.date(2026, 12, 1)
    assert dutch.long_date(day) == "1 december 2026"
    assert dutch.short_date(day) == "01-12-2026"
    assert dutch.short_date("2027-01-05") == "05-01-2027"
    assert dutch.long_date(dt.datetime(2026, 12, 1, 9, 30)) == "1 december 2026"
    assert dutch.short_date("volgende week") == "volgende week"
