"""Values typed on the command line, read the Dutch way: one definition for every command."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ..core import dates


class MeetingDate(click.ParamType):
    """A date as jjjj-mm-dd or dd-mm-jjjj: a meeting's, or any day an option asks for."""

    name = "datum"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        """Return the date typed (or already given as a date); a wrong one stops with a Dutch message."""
        if hasattr(value, "year"):
            return value
        try:
            parsed = dates.parse_date(value)
        except dates.NotADate:
            parsed = None
        if parsed is None:
            self.fail(f"'{value}' is geen datum; gebruik jjjj-mm-dd of dd-mm-jjjj", param, ctx)
        return parsed
