"""File names and paths as a page shows them: whole, never broken at their hyphens.

A browser breaks a line after every hyphen, so in a narrow table cell a name such as
``scoreformulier_2026-014_SC01_2026-12-01.xlsx`` came out as four lines cut through its dates.
Here a name is cut into the parts after each ``_``, ``/`` or ``\\``; each part stays on one line
(class ``heel`` in app.css) and a line may break only between them (``<wbr>``), so only where
the name is longer than its cell. In a table on a wide screen a name (class ``naam``) is as wide
as it is whole, so it breaks only on a narrow one. A part too long for any cell may break anywhere
(``breekbaar``). The ``<wbr>`` stay visible to the browser: hidden ones would put spaces into the
name a screen reader reads.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from ..core.text import visible

#: Parts longer than this many characters may break anywhere (a hostile name must not widen the page).
LONGEST_WHOLE = 40
#: Names longer than this are never held whole in a table (they break after '_' or '/').
LONGEST_NAME = 80


def file_name(value: object) -> Markup:
    """Return a file name or path as HTML: its parts kept whole, a line break allowed only after '_', '/' or '\\'."""
    text = visible("" if value is None else str(value))
    parts = [part for part in re.split(r"(?<=[_/\\])", text) if part]
    whole = len(text) <= LONGEST_NAME and all(len(part) <= LONGEST_WHOLE for part in parts)
    shown = Markup("<wbr>").join(
        Markup('<span class="{}">{}</span>').format("heel" if len(part) <= LONGEST_WHOLE else "breekbaar", part)
        for part in parts)
    return Markup('<span class="naam">{}</span>').format(shown) if whole else shown
