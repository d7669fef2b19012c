"""The disclosure records of documents written (issue 15), made from what the library calls return.

Moved down from :mod:`formkit.cli.log` so the app (:mod:`formkit.app`) logs exactly what the
commands log: the same kind of document, recipient and channel per file. The records are
appended to the log beside the register with :func:`disclose`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.findings import Finding
from ..core.text import person_label
from ..plan.history import Disclosure, History, file_fingerprint

if TYPE_CHECKING:
    from ..register.model import Register
    from ..sheets.forms import FormJob

SECRETARIAT = "secretariaat"
FILE, OUTBOX, SMTP, PACK = "bestand", "postvak", "smtp", "pakket"


def fingerprint(path: Path) -> str:
    """Return the sha256 of a file written; "onleesbaar" when it cannot be read back (the record still counts)."""
    try:
        return file_fingerprint(path)
    except OSError:
        return "onleesbaar"


def professional_label(register: Register, code: str) -> str:
    """Return "name (organisation)" of a professional by code; the code itself when the register lacks them."""
    professional = register.professional(code)
    return person_label(professional.name, professional.organisation) if professional else code


def form_disclosures(written: Iterable[FormJob], register: Register, command: str) -> list[Disclosure]:
    """Return one record per score sheet written: to its professional, as a file."""
    return [Disclosure(job.dossier, "scoreformulier", fingerprint(job.path),
                       professional_label(register, job.professional), str(job.path), FILE, command)
            for job in written]


def file_disclosures(files: Iterable[tuple[str, Path]], kind: str, recipient: str, command: str) -> list[Disclosure]:
    """Return one record per (dossier, file) written for `recipient`, as a file."""
    return [Disclosure(dossier, kind, fingerprint(path), recipient, str(path), FILE, command)
            for dossier, path in files]


def top3_disclosures(written: Iterable[Path], dossiers: Iterable[str], out_dir: Path, meeting: dt.date,
                     command: str) -> list[Disclosure]:
    """Return one record per TOP-3 form written (for the meeting: to the secretariat), its dossier found by its path."""
    from ..documents.word import top3_path

    dossier_of = {top3_path(out_dir, dossier, meeting): dossier for dossier in dossiers}
    return file_disclosures([(dossier_of[path], path) for path in written if path in dossier_of],
                            "TOP-3 formulier", SECRETARIAT, command)


def disclose(history: History | Path, records: Iterable[Disclosure]) -> list[Finding]:
    """Append records to the log of a history store (or the store at a path); return the findings when it could not."""
    store = history if isinstance(history, History) else History(history)
    before = len(store.findings)
    store.disclose(records)
    return store.findings[before:]
