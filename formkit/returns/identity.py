"""One identity per returned form, proven from every copy and the seal, never guessed.

A form carries its identity several times: the custom document properties, the rows
of the hidden `formkit` sheet, the locked header cells (dossier and meeting) and the
form id derived from dossier, professional and meeting. :func:`prove` compares them
all. When any copy disagrees, is missing or appears twice, the form is refused with a
finding that names the copies; formkit never picks one. Then the seal must verify
under the secretariat's key; a form without a seal is read only when the caller
explicitly allows unsealed forms, with a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..core import dutch
from ..core.findings import Code, Finding, Place, finding
from ..sheets.names import form_id
from ..sheets.seal import SEAL_KEY, SealKey, verify

IDENTITY_KEYS = ("formkit_form_id", "formkit_dossier", "formkit_professional", "formkit_meeting",
                 "formkit_schema_version")
#: The header cells (defined names) that repeat part of the identity.
HEADER_NAMES = {"formkit_dossier": "kop_dossier", "formkit_meeting": "kop_overleg"}

PROPS = "in de documenteigenschappen"
SHEET = "op het verborgen blad"
HEADER = "in de kop van het formulier"
METADATA = "in de formkit-gegevens"

#: How a metadata key is named in a message: (noun with article, demonstrative for 'that of').
_NOUNS = {
    "formkit_form_id": ("het formulierkenmerk", "dat"),
    "formkit_dossier": ("het dossier", "dat"),
    "formkit_professional": ("de professional", "die"),
    "formkit_meeting": ("het overleg", "dat"),
    "formkit_schema_version": ("de schemaversie", "die"),
    "formkit_version": ("de formkit-versie", "die"),
    SEAL_KEY: ("het zegel", "dat"),
}
_SHOWN_MAX = 60


@dataclass(frozen=True)
class Verdict:
    """What proving a form's identity gave: the identity, the refusal (None: accepted) and warnings."""

    meta: dict[str, str]
    refusal: Finding | None = None
    warnings: tuple[Finding, ...] = ()


def shown(value: object) -> str:
    """Return an untrusted value fit for a message: non-printable characters as '?', at most 60 characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _noun(key: str) -> tuple[str, str]:
    return _NOUNS.get(key, (f"het gegeven {shown(key)}", "dat"))


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _ordered(keys: Iterable[str]) -> list[str]:
    known = list(_NOUNS)
    return sorted(set(keys), key=lambda k: (known.index(k) if k in known else len(known), k))


def _duplicates(copies: dict[str, dict[str, list[str]]]) -> list[str]:
    """Return in words every key that appears more than once in one copy."""
    found = []
    for where, grouped in copies.items():
        for key in _ordered(grouped):
            values = grouped[key]
            if len(values) > 1:
                listed = " en ".join(f"({shown(v)})" for v in values)
                found.append(f"{_noun(key)[0]} staat {len(values)} keer {where} {listed}")
    return found


def _disagreements(props: dict[str, str], sheet: dict[str, str]) -> list[str]:
    """Return in words where the properties and the hidden sheet differ or miss a key."""
    found = []
    for key in _ordered(set(props) | set(sheet) | set(IDENTITY_KEYS)):
        noun, that = _noun(key)
        a, b = props.get(key), sheet.get(key)
        if a is None and b is None:
            if key in IDENTITY_KEYS:
                found.append(f"{noun} ontbreekt {PROPS} en {SHEET}")
        elif a is None:
            found.append(f"{noun} ontbreekt {PROPS}")
        elif b is None:
            found.append(f"{noun} ontbreekt {SHEET}")
        elif a != b:
            found.append(f"{noun} {PROPS} ({shown(a)}) verschilt van {that} {SHEET} ({shown(b)})")
    return found


def _header_text(value: object) -> str | None:
    return None if value is None else str(value).strip()


def _against_header_and_id(meta: dict[str, str], header: Mapping[str, object]) -> list[str]:
    """Return in words where the header cells or the derived form id differ from the agreed metadata."""
    found = []
    dossier, professional = meta["formkit_dossier"], meta["formkit_professional"]
    if "kop_dossier" not in header:
        found.append(f"het dossier ontbreekt {HEADER}")
    elif _header_text(header["kop_dossier"]) != dossier:
        found.append(f"het dossier {HEADER} ({shown(header['kop_dossier'])}) verschilt van dat {METADATA} "
                     f"({shown(dossier)})")
    try:
        meeting = dt.date.fromisoformat(meta["formkit_meeting"])
    except ValueError:
        found.append(f"het overleg {METADATA} ({shown(meta['formkit_meeting'])}) is geen datum")
        return found
    if "kop_overleg" not in header:
        found.append(f"het overleg ontbreekt {HEADER}")
    elif _header_text(header["kop_overleg"]) != dutch.long_date(meeting):
        found.append(f"het overleg {HEADER} ({shown(header['kop_overleg'])}) verschilt van dat {METADATA} "
                     f"({dutch.long_date(meeting)})")
    if form_id(dossier, professional, meeting) != meta["formkit_form_id"]:
        found.append(f"het formulierkenmerk {METADATA} hoort niet bij dossier {shown(dossier)}, professional "
                     f"{shown(professional)} en het overleg van {dutch.long_date(meeting)}")
    return found


def _seal_problem(meta: dict[str, str], key: SealKey, allow_unsealed: bool,
                  file: str) -> tuple[Finding | None, tuple[Finding, ...]]:
    """Return (refusal, warnings) for the seal of an identity whose copies agree.

    A refusal names only the file: an identity that is not proven is attributed to no household.
    """
    stored = meta.get(SEAL_KEY)
    if stored is None:
        if allow_unsealed:
            where = Place(file=file, dossier=meta["formkit_dossier"], professional=meta["formkit_professional"])
            return None, (finding(Code.seal_missing_allowed, **where),)
        return finding(Code.seal_missing, file=file), ()
    if not key.present:
        return finding(Code.seal_key_missing, key_path=str(key.path), file=file), ()
    if not verify(key, {k: meta[k] for k in IDENTITY_KEYS}, stored):
        return finding(Code.seal_invalid, file=file), ()
    return None, ()


def prove(file: str, props: Iterable[tuple[str, str]], sheet: Iterable[tuple[str, str]],
          header: Mapping[str, object], key: SealKey, *, allow_unsealed: bool = False) -> Verdict:
    """Return the verdict on a form's identity from all its copies and its seal.

    `props` and `sheet` are every formkit_ (key, value) pair of the custom properties and
    the hidden sheet, duplicates kept; `header` maps the header cells' defined names that
    the workbook has to their values.
    """
    copies = {PROPS: _grouped(props), SHEET: _grouped(sheet)}
    if not any(k in c for c in copies.values() for k in ("formkit_dossier", "formkit_professional")):
        return Verdict({}, finding(Code.not_formkit, file=file))
    first = {where: {k: v[0] for k, v in grouped.items()} for where, grouped in copies.items()}
    meta = first[SHEET] or first[PROPS]
    duplicates = _duplicates(copies)
    if duplicates:
        return Verdict(meta, finding(Code.identity_duplicate, details="; ".join(duplicates), file=file))
    conflicts = _disagreements(first[PROPS], first[SHEET]) or _against_header_and_id(meta, header)
    if conflicts:
        return Verdict(meta, finding(Code.identity_conflict, details="; ".join(conflicts), file=file))
    refusal, warnings = _seal_problem(meta, key, allow_unsealed, file)
    return Verdict(meta, refusal, warnings)
