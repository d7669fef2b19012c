"""Values typed on the command line, read the Dutch way: one definition for every command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
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


def history_option(help: str, *, exists: bool = False) -> Callable[[Any], Any]:
    """Return the option for the history store, the same names in every command: --historie (or --history)."""
    return click.option("--historie", "--history", "history_pad",
                        type=click.Path(exists=exists, dir_okay=False, path_type=Path), help=help)
