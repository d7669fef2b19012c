"""Validation reports: per dossier an Excel list of findings and a Word report for the regisseur.

:func:`summarise` turns a checked batch into a :class:`~formkit.delivery.summary.CheckSummary`
(used for the terminal, for ``--json`` and for the manifest that mail and pack read);
:func:`write_reports` writes the files. Every value from a returned form is written as
text, never as a formula.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..core import dutch
from ..core.findings import Finding
from ..core.messages import plural
from ..core.paths import fixed_part, id_part
from ..core.templates import REPORT, template_path
from ..documents.rendering import render_docx
from ..documents.word import regisseur_text, text
from ..register.model import Register
from ..returns.batch import PROCESSED, BatchResult
from ..xlsx import PatternFill, Workbook
from ..xlsx.tables import Column, write_table
from ..xlsx.workbook import save_atomic
from .summary import (
    MANIFEST,
    REPORT_SCHEMA_VERSION,
    CheckedFile,
    CheckSummary,
    Counts,
    DossierSummary,
    MissingForm,
    ReceivedForm,
    ReportFinding,
    ReportNames,
    visible_summary,
    write_manifest,
)

__all__ = ["MANIFEST", "REPORT_SCHEMA_VERSION", "NO_DOSSIER", "ReportFiles", "format_summary", "report_context",
           "report_stem", "summarise", "write_reports"]

NO_DOSSIER = "overig"

_FILLS = {"fout": PatternFill("solid", fgColor="F8CBAD"), "waarschuwing": PatternFill("solid", fgColor="FFE699")}


def _professional(register: Register, code: str | None) -> tuple[str, str]:
    p = register.professional(code) if code else None
    return (p.name, p.organisation or "") if p else (code or "", "")


def _finding_row(f: Finding, register: Register) -> ReportFinding:
    name, organisation = _professional(register, f.professional)
    return ReportFinding(f.severity, name, organisation, f.file or "", f.sheet or "", f.cell or "", f.field or "",
                         f.message)


def _dossier_summary(batch: BatchResult, register: Register, dossier: str, findings: list[Finding]) -> DossierSummary:
    """Return one household's part of the summary, its findings errors first (stable)."""
    findings = sorted(findings, key=lambda f: not f.is_error)
    household = register.household(dossier)
    rows = tuple(_finding_row(f, register) for f in findings)
    return DossierSummary(
        dossier=dossier,
        household=household.name if household else "",
        expected=len(register.professionals_of(dossier)),
        received=len(batch.processed(dossier)),
        counts=Counts.of(findings),
        forms=tuple(ReceivedForm(*_professional(register, r.professional), r.path.name, r.status)
                    for r in batch.files if r.dossier == dossier),
        missing=tuple(MissingForm(*_professional(register, f.professional))
                      for f in batch.missing if f.dossier == dossier),
        findings=rows,
        fingerprint=_fingerprint(batch.meeting, dossier, rows),  # of the texts as found, before visible()
    )


def summarise(batch: BatchResult, register: Register) -> CheckSummary:
    """Return the checked batch as a summary: per dossier, per file, and the rest; every text visible."""
    grouped = batch.by_dossier()
    summary = CheckSummary(
        meeting=batch.meeting,
        dossiers=tuple(_dossier_summary(batch, register, d, grouped.get(d, [])) for d in batch.dossiers),
        files=tuple(CheckedFile(str(r.path), r.status, r.dossier, r.professional, Counts.of(r.findings))
                    for r in batch.files),
        without_dossier=tuple(_finding_row(f, register) for f in grouped.get(None, [])),
        total=Counts.of(batch.findings()),
    )
    return visible_summary(summary)  # file names and register texts: safe for the terminal, JSON and the reports


def _fingerprint(meeting: dt.date | None, dossier: str, rows: tuple[ReportFinding, ...]) -> str:
    """Return a short fingerprint of a report's content: the same findings give the same one."""
    canonical = json.dumps({"overleg": str(meeting), "dossier": dossier, "bevindingen": [r.to_json() for r in rows]},
                           sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12].upper()


@dataclass(frozen=True)
class ReportFiles:
    """The files of one dossier's report."""

    dossier: str
    xlsx: Path
    docx: Path | None


def report_stem(dossier: str, meeting: dt.date | None) -> str:
    """Return the file name stem of a report; ids and the date only."""
    return f"controlerapport_{id_part(dossier)}_{meeting.isoformat() if meeting else 'onbekend'}"


def write_reports(summary: CheckSummary, register: Register, out_dir: Path,
                  templates_dir: Path | None = None, today: dt.date | None = None) -> list[ReportFiles]:
    """Write every dossier's report (xlsx and docx), the rest's list and the manifest; return the reports."""
    out_dir = Path(out_dir)
    meeting = summary.meeting
    template = template_path(REPORT, templates_dir)
    today = today or dt.date.today()
    written = []
    for entry in summary.dossiers:
        folder = out_dir / id_part(entry.dossier)
        stem = report_stem(entry.dossier, meeting)
        xlsx = folder / f"{stem}.xlsx"
        _write_xlsx(entry.findings, entry.forms, xlsx)
        docx = folder / f"{stem}.docx"
        render_docx(template, report_context(entry, register, meeting, today), docx)
        written.append(ReportFiles(entry.dossier, xlsx, docx))
    if summary.without_dossier:
        # a folder name no dossier id can produce (paths.fixed_part), also on case-insensitive disks
        stem = f"controlerapport_{NO_DOSSIER}_{meeting.isoformat() if meeting else 'onbekend'}"
        xlsx = out_dir / fixed_part(NO_DOSSIER) / f"{stem}.xlsx"
        _write_xlsx(summary.without_dossier, (), xlsx)
        written.append(ReportFiles(NO_DOSSIER, xlsx, None))
    names = tuple(ReportNames(r.dossier, r.xlsx.relative_to(out_dir).as_posix(),
                              r.docx.relative_to(out_dir).as_posix() if r.docx else None) for r in written)
    write_manifest(dataclasses.replace(summary, reports=names), out_dir)
    return written


def report_context(entry: DossierSummary, register: Register, meeting: dt.date | None, today: dt.date) -> dict:
    """Return what one dossier's Word report shows, as template variables."""
    regisseur = register.regisseur_of(entry.dossier)
    clean = lambda rows: [{k: text(v) for k, v in row.items()} for row in rows]  # noqa: E731
    return {
        "huishouden": text(entry.household),
        "dossier": text(entry.dossier),
        "overleg": text(meeting) if meeting else "onbekend",
        "regisseur": regisseur_text(regisseur),
        "datum": text(today),
        "fouten": plural(entry.counts.errors, "fout", "fouten"),
        "waarschuwingen": plural(entry.counts.warnings, "waarschuwing", "waarschuwingen"),
        "ontvangen": str(entry.received),
        "verwacht": str(entry.expected),
        "formulieren": clean(f.to_json() for f in entry.forms),
        "ontbrekend": clean(m.to_json() for m in entry.missing),
        "bevindingen": clean({**row.to_json(), "veld": " ".join(x for x in (row.field, row.cell and f"({row.cell})") if x)}
                             for row in entry.findings),
        "kenmerk": entry.fingerprint,
    }


#: The findings' sheet: (field, column title, the most width the column takes in characters).
COLUMNS = (("ernst", "Ernst", 14), ("professional", "Professional", 22), ("organisatie", "Organisatie", 24),
           ("bestand", "Bestand", 30), ("blad", "Blad", 16), ("cel", "Cel", 8), ("veld", "Veld", 28),
           ("melding", "Melding", 70))
#: Columns of one word that are never broken ("waarschuwing", "Scoreformulier", "B26").
WHOLE = frozenset({"ernst", "blad", "cel"})
#: Least widths: a file name keeps "scoreformulier_2026-" on its first line (it wraps at a hyphen).
MIN_WIDTHS = {"bestand": 22}
#: The smallest print scale of the findings: eight columns do not fit a landscape page at 100 %.
FINDINGS_SCALE = 0.75


def _write_xlsx(rows: tuple[ReportFinding, ...], forms: tuple[ReceivedForm, ...], path: Path) -> None:
    """Write a report's workbook: its findings, errors first, and the forms received."""
    document = f"Controlerapport {path.stem.removeprefix('controlerapport_').replace('_', ' ')}"
    wb = Workbook()
    ws = wb.active
    ws.title = "Bevindingen"
    columns = [Column(title, max_width=width, min_width=MIN_WIDTHS.get(key, 6), narrow=key not in WHOLE)
               for key, title, width in COLUMNS]
    write_table(ws, columns, [[row.to_json()[key] for key, _, _ in COLUMNS] for row in rows], document=document,
                row_style=lambda _, values: {1: _FILLS[values[0]]}, min_scale=FINDINGS_SCALE)
    received = wb.create_sheet("Ontvangen")
    write_table(received, [Column(t, max_width=w) for t, w in (("Professional", 24), ("Organisatie", 28),
                                                              ("Bestand", 40), ("Status", 12))],
                [[form.professional, form.organisation, form.file, form.status] for form in forms],
                document=document)
    save_atomic(wb, path)


def format_summary(summary: CheckSummary) -> list[str]:
    """Return the summary across all dossiers as Dutch lines for the terminal."""
    meeting = summary.meeting
    lines = [f"Casusoverleg {dutch.long_date(meeting)}:" if meeting else "Casusoverleg onbekend:"]
    for d in summary.dossiers:
        lines.append(f"  {d.dossier} {d.household}: {d.received} van {d.expected} formulieren, "
                     f"{_counted(d.counts)}")
    refused = [f for f in summary.files if f.status != PROCESSED]
    if refused:
        lines.append(f"  {len(refused)} bestanden niet meegeteld (geweigerd of vervangen)")
    lines.append(f"Totaal: {_counted(summary.total)}.")
    return lines


def _counted(counts: Counts) -> str:
    """Return '2 fouten, 1 waarschuwing'."""
    return f"{plural(counts.errors, 'fout', 'fouten')}, {plural(counts.warnings, 'waarschuwing', 'waarschuwingen')}"
