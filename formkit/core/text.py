"""Untrusted text shown safely: one visible form for every output.

Text from a returned file (its name, its cells) or from the register can hold characters
that break an output or mislead a reader: control characters and escape sequences that
drive a terminal, bidi overrides that show text in another order than it is stored,
and characters XML 1.0 forbids (openpyxl and Word refuse them). formkit never passes
them on raw and never drops them silently: each becomes a visible marker
``⟨U+XXXX⟩`` (its code point), the same on the terminal, in Excel, Word, JSON and mail.

:func:`visible` is idempotent: a marker holds only safe characters, so text that was
made visible at the boundary where it entered passes every later line of defence
unchanged.
"""

from __future__ import annotations

import re
from typing import Any

#: How an unsafe character is shown: its code point between angle brackets.
MARKER = "⟨U+{:04X}⟩"
#: How many characters of a raw value a finding message quotes.
QUOTE_LIMIT = 80

_UNSAFE = (
    "\x00-\x08\x0b-\x1f"  # C0 controls except tab and line feed (ESC among them)
    "\x7f-\x9f"  # DEL and the C1 controls (CSI \x9b among them)
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\ud800-\udfff"  # lone surrogates (also undecodable bytes of a file name)
    "\ufffe\uffff"  # not characters in XML 1.0
)
_UNSAFE_MULTILINE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE = re.compile(f"[{_UNSAFE}\t\n]")


def _mark(match: re.Match) -> str:
    return MARKER.format(ord(match.group()))


def visible(value: str, *, multiline: bool = False) -> str:
    """Return `value` with every unsafe character replaced by a visible ``⟨U+XXXX⟩`` marker.

    With `multiline`, line breaks and tabs stay (a carriage return becomes a line break);
    without it they are unsafe too, so one value is always one line.
    """
    if multiline:
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        pattern = _UNSAFE_MULTILINE
    else:
        pattern = _UNSAFE_LINE
    if pattern.search(value) is None:  # the usual case: nothing to replace
        return value
    return pattern.sub(_mark, value)


def is_safe(value: str, *, multiline: bool = False) -> bool:
    """Return True when `value` holds no character :func:`visible` would replace."""
    return (_UNSAFE_MULTILINE if multiline else _UNSAFE_LINE).search(value) is None


def shorten(value: str, limit: int = QUOTE_LIMIT) -> str:
    """Return `value` cut visibly at `limit` characters: the start, '…' and the full length."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} tekens)"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """Return a raw value as a finding message quotes it: one safe line, shortened visibly."""
    return visible(shorten(str(value), limit))


def visible_data(data: Any) -> Any:
    """Return JSON-ready data with every string (keys too) made visible; line breaks stay."""
    if isinstance(data, str):
        return visible(data, multiline=True)
    if isinstance(data, dict):
        return {visible_data(k): visible_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [visible_data(v) for v in data]
    return data


def person_label(name: str, organisation: str | None = None) -> str:
    """Return how every document, report and message names a person: 'name (organisation)'.

    Without an organisation, the name alone. The one place this label is made.
    """
    return f"{name} ({organisation})" if organisation else name
