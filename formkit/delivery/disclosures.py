"""The disclosure records of documents written (issue 15), made from what the library calls return.

One place for the records of every kind (forms, TOP-3 forms, reports, plans, packs, mailed
reports, exports), so the commands (:mod:`formkit.cli`) and the app (:mod:`formkit.app`) log
exactly the same: the same kind of document, recipient and channel per file. The records are
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
    from ..plan.model import Plan
    from ..register.model import Register
    from ..sheets.forms import FormJob
    from .pack import PackFile
    from .reports import ReportFiles

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


def report_disclosures(reports: Iterable[ReportFiles], register: Register, command: str) -> list[Disclosure]:
    """Return one record per report file written: to the household's regisseur (the secretariat when none)."""
    records = []
    for report in reports:
        regisseur = register.regisseur_of(report.dossier)
        recipient = person_label(regisseur.name, regisseur.organisation) if regisseur else SECRETARIAT
        records += file_disclosures([(report.dossier, path) for path in (report.xlsx, report.docx) if path],
                                    "controlerapport", recipient, command)
    return records


def plan_disclosure(plan: Plan, folder: Path, command: str) -> Disclosure:
    """Return the record of a plan version written into `folder`: to the secretariat, fingerprinted by its kenmerk."""
    return Disclosure(plan.dossier, "veiligheidsplan", plan.fingerprint(), SECRETARIAT, str(folder), FILE, command)


def pack_disclosures(packs: Iterable[PackFile], command: str) -> list[Disclosure]:
    """Return one record per household in each pack: to the pack's professional, or the secretariat's full pack."""
    from .pack import PACK_KIND  # imported here: the records load no pack builder

    records = []
    for pack in packs:
        recipient = person_label(pack.recipient.name, pack.recipient.organisation) if pack.recipient else SECRETARIAT
        digest = fingerprint(pack.path)
        records += [Disclosure(dossier, PACK_KIND, digest, recipient, str(pack.path), PACK, command)
                    for dossier in pack.dossiers]
    return records


def mail_disclosures(dossiers: Iterable[str], register: Register, kenmerken: dict[str, str], channel: str,
                     command: str) -> list[Disclosure]:
    """Return one record per report mailed: to the regisseur's address, fingerprinted by the report's kenmerk."""
    records = []
    for dossier in dossiers:
        regisseur = register.regisseur_of(dossier)
        address = (regisseur.email or "") if regisseur else ""
        recipient = person_label(regisseur.name, regisseur.organisation) if regisseur else address
        records.append(Disclosure(dossier, "bericht", kenmerken.get(dossier, ""), recipient, address, channel,
                                  command))
    return records


def report_kenmerken(report_dir: Path) -> dict[str, str]:
    """Return each dossier's report kenmerk from a reports folder's summary; empty when it cannot be read."""
    from .summary import read_summary

    summary, _ = read_summary(report_dir)
    return {entry.dossier: entry.fingerprint for entry in summary.dossiers} if summary else {}


def disclose(history: History | Path, records: Iterable[Disclosure]) -> list[Finding]:
    """Append records to the log of a history store (or the store at a path); return the findings when it could not."""
    store = history if isinstance(history, History) else History(history)
    before = len(store.findings)
    store.disclose(records)
    return store.findings[before:]
