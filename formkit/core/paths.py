"""Ids to file names: the one mapping from dossier ids and professional codes to name parts.

Every output whose name holds an id (score sheets, TOP-3 forms, reports, outbox messages,
plan versions, packs, scratch documents) takes that part from :func:`id_part`. Two
distinct ids never give the same part, also on file systems that ignore case (Windows,
macOS) and on Windows with its reserved device names:

* ``A-Z``, ``0-9`` and ``-`` stay as they are, so common ids stay readable
  (``2026-014`` -> ``2026-014``, ``WT01`` -> ``WT01``);
* every other character, lowercase letters and ``_`` included, becomes ``_xx`` per
  UTF-8 byte, in lowercase hex (``2026/201`` -> ``2026_2f201``, ``p1`` -> ``_701``);
* the first character of a reserved device name is escaped (``CON`` -> ``_43ON``);
* the empty id becomes ``_``.

Why this is injective even after case folding: a plain part never holds a lowercase
letter, and ``_`` always starts an escape of exactly two hex digits. So a part folded to
lowercase can still be read back: ``_xx`` is a byte, any other character is a plain one
in upper case (:func:`decode_part`). Two ids whose parts fold to the same text would
decode to the same id, so they are the same id.

A part never ends in a dot or a space (both are escaped) and holds only characters
Windows allows. A part longer than :data:`MAX_PART` is shortened to a readable prefix,
``~`` and 20 hex digits (80 bits) of the id's SHA-256; ``~`` never occurs in an
unshortened part, so the two kinds cannot meet, and shortened parts differ unless
SHA-256 collides. The register check refuses ids longer than :data:`MAX_ID_LENGTH`
characters, so shortening only happens to ids the secretariat was told to change.

Names made of several parts stay injective because each id has its own place: a score
sheet is ``{dossier}/scoreformulier_{dossier}_{code}_{date}.xlsx``; the folder fixes the
dossier, and given the dossier the rest of the name fixes the code. Fixed names beside
id parts (the report folder for files without a dossier, the secretariat's agenda) come
from :func:`fixed_part`, which no id can produce.
"""

from __future__ import annotations

import hashlib
import re
import string

#: Longest id the register accepts. A real dossier number or professional code is far
#: shorter (``2026-014``, ``VT-2026-000123``, ``WT01``); 40 characters leave room for
#: numbering schemes with a prefix, while the longest output path (a plan version:
#: ``{dossier}/{date}/v12/veiligheidsplan_{dossier}_{date}_v12.docx``, about 150
#: characters with two parts of :data:`MAX_PART`) stays well within the 260 characters
#: Windows can open, leaving over 100 for the output folder itself.
MAX_ID_LENGTH = 40
#: Longest name part; a longer one is shortened with a hash (see the module docstring).
MAX_PART = 48
_HASH_DIGITS = 20
_PLAIN = frozenset(string.ascii_uppercase + string.digits + "-")
_HEX = frozenset("0123456789abcdef")
#: Names Windows keeps for devices (also with a suffix: CON.xlsx; COM¹ too). An id part never is
#: one (plain parts hold no superscript); a stored file name never is one (:func:`windows_safe`).
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                      | {f"{p}{n}" for p in ("COM", "LPT") for n in "0123456789¹²³"})
_ESCAPE = re.compile(r"_([0-9a-f]{2})")


def id_part(value: str) -> str:
    """Return the file-name part for a dossier id or professional code; distinct ids give distinct parts."""
    part = "".join(c if c in _PLAIN else _escape(c) for c in value) or "_"
    if part in _RESERVED:  # only reachable with plain characters: CON, COM1, ...
        part = _escape(part[0]) + part[1:]
    if len(part) > MAX_PART:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_DIGITS]
        part = _cut(part, MAX_PART - _HASH_DIGITS - 1) + "~" + digest
    return part


def is_device_name(name: str) -> bool:
    """Return True when Windows takes the file name `name` for a device: CON, com1.xlsx, "Nul .txt", any case."""
    return name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED


def windows_safe(name: str) -> str:
    """Return the file name `name` unchanged, or with a leading "_" when Windows would take it for a device."""
    return f"_{name}" if is_device_name(name) else name


def _escape(char: str) -> str:
    return "".join(f"_{b:02x}" for b in char.encode("utf-8", "surrogatepass"))


def _cut(part: str, length: int) -> str:
    """Return the first `length` characters of a part, without splitting an escape."""
    cut = part[:length]
    last = cut.rfind("_")
    return cut[:last] if last >= 0 and last > length - 3 else cut


def decode_part(part: str) -> str | None:
    """Return the id a part was made from (also from a part folded to lower case), None when it is not one.

    A shortened part (with ``~``) cannot be read back and gives None.
    """
    if part == "_":
        return ""
    if "~" in part:
        return None
    data, i = bytearray(), 0
    while i < len(part):
        if part[i] == "_":
            match = _ESCAPE.match(part.lower(), i)
            if match is None:
                return None
            data.append(int(match.group(1), 16))
            i += 3
        elif part[i].upper() in _PLAIN:
            data += part[i].upper().encode("ascii")
            i += 1
        else:
            return None
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def fixed_part(name: str) -> str:
    """Return a fixed name (not an id) as a part no id can produce: ``_`` and the name."""
    if not name or name[0].lower() in _HEX or not all(c.isascii() and c.isalnum() for c in name):
        raise ValueError("a fixed part is ASCII letters and digits, not starting with a hex digit")
    return "_" + name
