"""Validation reports: per dossier an Excel list of findings and a Word report for the regisseur.

:func:`summarise` turns a checked batch into plain data (used for the terminal, for
``--json`` and for the manifest the mail command reads); :func:`write_reports` writes
the files. Every value from a returned form is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..core import dates
from ..core.atomic import write_atomic
from ..core.findings import Finding
from ..core.messages import plural
from ..core.paths import fixed_part, id_part
from ..core.templates import REPORT, template_path
from ..core.text import visible_data
from ..documents.rendering import render_docx
from ..documents.word import regisseur_text, text
from ..register.model import Register
from ..returns.batch import PROCESSED, BatchResult
from ..xlsx import PatternFill, Workbook
from ..xlsx.tables import Column, write_table
from ..xlsx.workbook import save_atomic

MANIFEST = "rapporten.json"
REPORT_SCHEMA_VERSION = "1"
NO_DOSSIER = "overig"

_FILLS = {"fout": PatternFill("solid", fgColor="F8CBAD"), "waarschuwing": PatternFill("solid", fgColor="FFE699")}


def _professional(register: Register, code: str | None) -> tuple[str, str]:
    p = register.professional(code) if code else None
    return (p.name, p.organisation or "") if p else (code or "", "")


def _counts(findings: list[Finding]) -> dict:
    errors = sum(f.is_error for f in findings)
    return {"fouten": errors, "waarschuwingen": len(findings) - errors}


def _finding_row(f: Finding, register: Register) -> dict:
    name, organisation = _professional(register, f.professional)
    return {"ernst": f.severity.value, "professional": name, "organisatie": organisation, "bestand": f.file or "",
            "blad": f.sheet or "", "cel": f.cell or "", "veld": f.field or "", "melding": f.message}


def summarise(batch: BatchResult, register: Register) -> dict:
    """Return the batch as plain, JSON-ready data: per dossier, per file, and the rest."""
    grouped = batch.by_dossier()
    dossiers = []
    for dossier in batch.dossiers:
        findings = sorted(grouped.get(dossier, []), key=lambda f: not f.is_error)  # errors first, stable
        household = register.household(dossier)
        expected = register.professionals_of(dossier)
        received = [r for r in batch.files if r.dossier == dossier]
        rows = [_finding_row(f, register) for f in findings]
        dossiers.append({
            "dossier": dossier,
            "huishouden": household.name if household else "",
            "verwacht": len(expected),
            "ontvangen": len(batch.processed(dossier)),
            **_counts(findings),
            "formulieren": [{"professional": _professional(register, r.professional)[0],
                             "organisatie": _professional(register, r.professional)[1],
                             "bestand": r.path.name, "status": r.status} for r in received],
            "ontbrekend": [{"naam": _professional(register, f.professional)[0],
                            "organisatie": _professional(register, f.professional)[1]}
                           for f in batch.missing if f.dossier == dossier],
            "bevindingen": rows,
            "kenmerk": _fingerprint(batch.meeting, dossier, rows),
        })
    rest = grouped.get(None, [])
    return visible_data({  # file names and register texts: safe for the terminal, JSON and the reports
        "schemaversie": REPORT_SCHEMA_VERSION,
        "overleg": batch.meeting.isoformat() if batch.meeting else None,
        "dossiers": dossiers,
        "bestanden": [{"bestand": str(r.path), "status": r.status, "dossier": r.dossier,
                       "professional": r.professional, **_counts(r.findings)} for r in batch.files],
        "zonder_dossier": [_finding_row(f, register) for f in rest],
        "totaal": _counts(batch.findings()),
    })


def _fingerprint(meeting: dt.date | None, dossier: str, rows: list[dict]) -> str:
    """Return a short fingerprint of a report's content: the same findings give the same one."""
    canonical = json.dumps({"overleg": str(meeting), "dossier": dossier, "bevindingen": rows},
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


def write_reports(summary: dict, register: Register, out_dir: Path,
                  templates_dir: Path | None = None, today: dt.date | None = None) -> list[ReportFiles]:
    """Write every dossier's report (xlsx and docx), the rest's list and the manifest."""
    out_dir = Path(out_dir)
    meeting = dt.date.fromisoformat(summary["overleg"]) if summary["overleg"] else None
    template = template_path(REPORT, templates_dir)
    today = today or dt.date.today()
    written = []
    for entry in summary["dossiers"]:
        folder = out_dir / id_part(entry["dossier"])
        stem = report_stem(entry["dossier"], meeting)
        xlsx = folder / f"{stem}.xlsx"
        _write_xlsx(entry["bevindingen"], entry["formulieren"], xlsx)
        docx = folder / f"{stem}.docx"
        render_docx(template, report_context(entry, register, meeting, today), docx)
        written.append(ReportFiles(entry["dossier"], xlsx, docx))
    if summary["zonder_dossier"]:
        # a folder name no dossier id can produce (paths.fixed_part), also on case-insensitive disks
        stem = f"controlerapport_{NO_DOSSIER}_{meeting.isoformat() if meeting else 'onbekend'}"
        xlsx = out_dir / fixed_part(NO_DOSSIER) / f"{stem}.xlsx"
        _write_xlsx(summary["zonder_dossier"], [], xlsx)
        written.append(ReportFiles(NO_DOSSIER, xlsx, None))
    manifest = {**summary, "rapporten": [
        {"dossier": r.dossier, "xlsx": r.xlsx.relative_to(out_dir).as_posix(),
         "docx": r.docx.relative_to(out_dir).as_posix() if r.docx else None} for r in written]}
    data = json.dumps(manifest, ensure_ascii=False, indent=2)
    write_atomic(out_dir / MANIFEST, lambda tmp: Path(tmp).write_text(data, encoding="utf-8"))
    return written


def report_context(entry: dict, register: Register, meeting: dt.date | None, today: dt.date) -> dict:
    """Return what one dossier's Word report shows, as template variables."""
    regisseur = register.regisseur_of(entry["dossier"])
    clean = lambda rows: [{k: text(v) for k, v in row.items()} for row in rows]  # noqa: E731
    return {
        "huishouden": text(entry["huishouden"]),
        "dossier": text(entry["dossier"]),
        "overleg": text(meeting) if meeting else "onbekend",
        "regisseur": regisseur_text(regisseur),
        "datum": text(today),
        "fouten": plural(entry["fouten"], "fout", "fouten"),
        "waarschuwingen": plural(entry["waarschuwingen"], "waarschuwing", "waarschuwingen"),
        "ontvangen": str(entry["ontvangen"]),
        "verwacht": str(entry["verwacht"]),
        "formulieren": clean(entry["formulieren"]),
        "ontbrekend": clean(entry["ontbrekend"]),
        "bevindingen": clean({**row, "veld": " ".join(x for x in (row["veld"], row["cel"] and f"({row['cel']})") if x)}
                             for row in entry["bevindingen"]),
        "kenmerk": entry["kenmerk"],
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


def _write_xlsx(rows: list[dict], forms: list[dict], path: Path) -> None:
    """Write a report's workbook: its findings, errors first, and the forms received."""
    document = f"Controlerapport {path.stem.removeprefix('controlerapport_').replace('_', ' ')}"
    wb = Workbook()
    ws = wb.active
    ws.title = "Bevindingen"
    columns = [Column(title, max_width=width, min_width=MIN_WIDTHS.get(key, 6), narrow=key not in WHOLE)
               for key, title, width in COLUMNS]
    write_table(ws, columns, [[row[key] for key, _, _ in COLUMNS] for row in rows], document=document,
                row_style=lambda _, values: {1: _FILLS[values[0]]}, min_scale=FINDINGS_SCALE)
    received = wb.create_sheet("Ontvangen")
    write_table(received, [Column(t, max_width=w) for t, w in (("Professional", 24), ("Organisatie", 28),
                                                              ("Bestand", 40), ("Status", 12))],
                [[form[key] for key in ("professional", "organisatie", "bestand", "status")] for form in forms],
                document=document)
    save_atomic(wb, path)


def format_summary(summary: dict) -> list[str]:
    """Return the summary across all dossiers as Dutch lines for the terminal."""
    meeting = dt.date.fromisoformat(summary["overleg"]) if summary["overleg"] else None
    lines = [f"Casusoverleg {dates.format_dutch(meeting)}:" if meeting else "Casusoverleg onbekend:"]
    for d in summary["dossiers"]:
        lines.append(f"  {d['dossier']} {d['huishouden']}: {d['ontvangen']} van {d['verwacht']} formulieren, "
                     f"{plural(d['fouten'], 'fout', 'fouten')}, "
                     f"{plural(d['waarschuwingen'], 'waarschuwing', 'waarschuwingen')}")
    refused = [f for f in summary["bestanden"] if f["status"] != PROCESSED]
    if refused:
        lines.append(f"  {len(refused)} bestanden niet meegeteld (geweigerd of vervangen)")
    total = summary["totaal"]
    lines.append(f"Totaal: {plural(total['fouten'], 'fout', 'fouten')}, "
                 f"{plural(total['waarschuwingen'], 'waarschuwing', 'waarschuwingen')}.")
    return lines
