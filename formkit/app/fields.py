"""What the secretary types into a page's path field: a path, or the Dutch reason it is none.

A typed path is untrusted text: `~nouser/x` (no such user), 5000 characters, a NUL byte
or a name longer than the file system takes must give a Dutch sentence on the page, never
a 500. :func:`typed_path` reads the text; :func:`is_file` and :func:`is_dir` ask the file
system without raising.
"""

from __future__ import annotations

from pathlib import Path

from ..core.text import visible

#: Longer than any path a file system takes (Linux: 4096 bytes); the page says so instead of trying.
MAX_PATH_CHARS = 4096
#: How much of an unusable path a page repeats.
SHOWN_CHARS = 80


def shown(text: str) -> str:
    """Return typed text as a page may repeat it: visible, and cut off after SHOWN_CHARS characters."""
    return visible(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def typed_path(text: str) -> Path | str:
    """Return the path typed (`~` expanded), or the Dutch reason it is no path."""
    if len(text) > MAX_PATH_CHARS:
        return f"Dit pad is te lang (meer dan {MAX_PATH_CHARS} tekens); kies een bestaand bestand of map."
    if "\x00" in text:
        return f"Het pad {shown(text)} bevat een teken dat in geen pad kan staan."
    try:
        return Path(text).expanduser()
    except RuntimeError:  # ~name of a user this computer does not know
        return f"Het pad {shown(text)} begint met ~, maar die gebruiker is op deze computer niet bekend."


def is_file(path: Path) -> bool:
    """True when `path` is a file; False when it is not, or the file system cannot say (name too long, no access)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    """True when `path` is a folder; False when it is not, or the file system cannot say."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False
