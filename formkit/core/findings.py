"""Findings: problems found in a user's input, as values with their place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypedDict

from .messages import MESSAGES, Code
from .text import quote, visible


class Place(TypedDict, total=False):
    """Where a finding is: the keyword arguments of :func:`finding` that set its place.

    A place built once and passed on as ``finding(code, **where)`` is typed with this, so a
    misspelt key is a mypy error and the place's keys never reach `severity`.
    """

    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    dossier: str | None
    professional: str | None
    field: str | None


class Severity(str, Enum):
    """How bad a finding is; the values are the Dutch words users see."""

    ERROR = "fout"
    WARNING = "waarschuwing"


@dataclass(frozen=True)
class Finding:
    """One problem, with where it is and a Dutch message from the catalogue."""

    code: Code
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    dossier: str | None = None
    professional: str | None = None  # a professional's code, for findings about a returned form
    field: str | None = None  # the label of a score sheet field

    @property
    def is_error(self) -> bool:
        """True when the finding is a `fout`."""
        return self.severity is Severity.ERROR

    def place(self) -> str:
        """Return the place of the finding in words: file, sheet, row, column and cell."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"blad {self.sheet}")
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}" + (f" ({self.cell})" if self.cell else ""))
        elif self.cell:
            parts.append(f"cel {self.cell}")
        if self.field:
            parts.append(f"veld '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        place = self.place()
        return f"{self.severity.value}: {place}: {self.message}" if place else (
            f"{self.severity.value}: {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-ready dict."""
        return {
            "code": self.code,
            "ernst": self.severity.value,
            "melding": self.message,
            "bestand": self.file,
            "blad": self.sheet,
            "rij": self.row,
            "kolom": self.column,
            "cel": self.cell,
            "dossier": self.dossier,
            "professional": self.professional,
            "veld": self.field,
        }


def finding(code: Code, *, severity: Severity | None = None, **place_and_values: Any) -> Finding:
    """Return a Finding for catalogue message `code`, formatted with the given values.

    Keyword arguments that are Finding fields (file, sheet, row, column, cell, dossier)
    set the place; all keyword arguments are available to the message template.
    """
    default_severity, template = MESSAGES[code]
    shown = {k: _shown(k, v) for k, v in place_and_values.items()}
    place = {k: shown[k] for k in _PLACE_KEYS if k in shown}
    return Finding(
        code=code,
        severity=severity or Severity(default_severity),
        message=template.format(**shown),
        **place,
    )


_PLACE_KEYS = tuple(Place.__annotations__)  # file, sheet, row, column, cell, dossier, professional, field
#: Message values that quote what someone typed or a file holds: at most QUOTE_LIMIT characters.
_QUOTED_KEYS = ("value", "found", "first")
#: Any other text value is formkit's own words or a name: still bounded, more generously.
_OTHER_LIMIT = 300


def _shown(key: str, value: Any) -> Any:
    """Return a value as a finding may show it: untrusted text visible on one line, quoted values shortened.

    A place (file name, dossier id) is shown whole; a typed value at most 80 characters
    and anything else at most 300, each with its full length (see :func:`formkit.core.text.quote`).
    """
    if not isinstance(value, str):
        return value
    if key in _PLACE_KEYS:
        return visible(value)
    return quote(value) if key in _QUOTED_KEYS else quote(value, _OTHER_LIMIT)


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any of the findings is a `fout`."""
    return any(f.is_error for f in findings)
