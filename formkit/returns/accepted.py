"""An accepted form as the check hands it to the merge: typed values, raw values and their cells."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.findings import Finding
from ..core.text import visible
from ..xlsx.workbook import TooLong
from .read import shared_layout


@dataclass(frozen=True)
class Submission:
    """One accepted form as the merge sees it: typed values, raw values and their cells."""

    file: str
    professional: str
    values: dict[str, object]  # typed, as values.interpret made them
    raw: dict[str, object]  # as read from the cells; kept when a value could not be typed
    cells: dict[str, str]  # defined name -> cell
    #: The check's findings on this form (see household_inputs); its errors become open points.
    findings: tuple[Finding, ...] = ()


def submission_from(form, interpreted) -> Submission:
    """Return the merge's view of an accepted form (a ReturnedForm and its Interpreted values).

    Raw values are kept only where no typed value could be made: that is all the merge
    ever shows of them.
    """
    raw = {name: value for name, value in form.values.items()
           if name not in interpreted.values and not isinstance(value, TooLong)}  # too long: never passed on
    cells = shared_layout({name: cell for name, (_, cell) in form.places.items()})
    return Submission(visible(form.path.name), form.professional, dict(interpreted.values), raw, cells)
