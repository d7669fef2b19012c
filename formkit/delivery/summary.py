"""The check summary of a meeting as typed values, and rapporten.json, the file that holds it.

:func:`formkit.delivery.reports.summarise` makes a :class:`CheckSummary` from a checked
batch; the reports, the terminal lines, ``check --json``, the mail and the meeting pack all
work on it. JSON appears only at the file boundary: :meth:`CheckSummary.to_json` and
:meth:`CheckSummary.from_json`, :func:`write_manifest` and :func:`read_summary`, the one
reader of rapporten.json with one policy for a missing or damaged file.

Every text in a summary is visible (:func:`formkit.core.text.visible`, line breaks kept):
:func:`summarise` makes it so, and :meth:`CheckSummary.from_json` does it again for what a
file on disk holds, so a hand-edited manifest cannot smuggle a control character into a
mail header or a document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ..core.atomic import describe_os_error, write_atomic
from ..core.findings import Code, Finding, Severity, finding
from ..core.text import visible, visible_data

#: The file beside the reports that lists them, with the whole summary: `formkit mail` and `formkit pack` read it.
MANIFEST = "rapporten.json"
REPORT_SCHEMA_VERSION = "1"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Counts:
    """How many errors and warnings."""

    errors: int
    warnings: int

    @classmethod
    def of(cls, findings: list[Finding]) -> Counts:
        """Return the counts of these findings."""
        errors = sum(f.is_error for f in findings)
        return cls(errors, len(findings) - errors)

    def to_json(self) -> dict[str, int]:
        """Return the counts as the JSON keys of the manifest."""
        return {"fouten": self.errors, "waarschuwingen": self.warnings}


@dataclass(frozen=True)
class ReportFinding:
    """One finding as a report shows it: the professional by name, the place in words."""

    severity: Severity
    professional: str  # the name, or the code when the register does not know it
    organisation: str
    file: str
    sheet: str
    cell: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Return the finding with the manifest's Dutch keys, in the report's column order."""
        return {"ernst": self.severity.value, "professional": self.professional, "organisatie": self.organisation,
                "bestand": self.file, "blad": self.sheet, "cel": self.cell, "veld": self.field,
                "melding": self.message}


@dataclass(frozen=True)
class ReceivedForm:
    """A file of a dossier that came in, and what became of it (verwerkt, geweigerd, vervangen)."""

    professional: str
    organisation: str
    file: str  # the file name
    status: str

    def to_json(self) -> dict[str, str]:
        """Return the form with the manifest's Dutch keys."""
        return {"professional": self.professional, "organisatie": self.organisation, "bestand": self.file,
                "status": self.status}


@dataclass(frozen=True)
class MissingForm:
    """A professional whose form did not come in."""

    name: str
    organisation: str

    def to_json(self) -> dict[str, str]:
        """Return the missing form with the manifest's Dutch keys."""
        return {"naam": self.name, "organisatie": self.organisation}


@dataclass(frozen=True)
class DossierSummary:
    """One household's check: forms expected and received, its findings (errors first), its fingerprint."""

    dossier: str
    household: str
    expected: int
    received: int
    counts: Counts
    forms: tuple[ReceivedForm, ...]
    missing: tuple[MissingForm, ...]
    findings: tuple[ReportFinding, ...]
    fingerprint: str  # the "kenmerk": the same findings give the same one

    def to_json(self) -> dict[str, Any]:
        """Return the dossier with the manifest's Dutch keys."""
        return {"dossier": self.dossier, "huishouden": self.household, "verwacht": self.expected,
                "ontvangen": self.received, **self.counts.to_json(),
                "formulieren": [f.to_json() for f in self.forms],
                "ontbrekend": [m.to_json() for m in self.missing],
                "bevindingen": [f.to_json() for f in self.findings],
                "kenmerk": self.fingerprint}


@dataclass(frozen=True)
class CheckedFile:
    """One checked file of the batch: its path, status, whose form it is and its counts."""

    path: str
    status: str
    dossier: str | None
    professional: str | None  # the professional's code
    counts: Counts

    def to_json(self) -> dict[str, Any]:
        """Return the file with the manifest's Dutch keys."""
        return {"bestand": self.path, "status": self.status, "dossier": self.dossier,
                "professional": self.professional, **self.counts.to_json()}


@dataclass(frozen=True)
class ReportNames:
    """The files of one report, relative to the reports folder; the rest's report has no Word file."""

    dossier: str
    xlsx: str
    docx: str | None

    def to_json(self) -> dict[str, str | None]:
        """Return the report's files with the manifest's keys."""
        return {"dossier": self.dossier, "xlsx": self.xlsx, "docx": self.docx}


@dataclass(frozen=True)
class CheckSummary:
    """A checked batch for one meeting: per household, per file, the findings about no household, the total.

    `reports` is None until the reports are written (`check --json` has no such key);
    rapporten.json always has it.
    """

    meeting: dt.date | None
    dossiers: tuple[DossierSummary, ...]
    files: tuple[CheckedFile, ...]
    without_dossier: tuple[ReportFinding, ...]
    total: Counts
    reports: tuple[ReportNames, ...] | None = None

    def dossier(self, dossier: str) -> DossierSummary | None:
        """Return one household's summary, or None when the batch did not hold it."""
        return next((d for d in self.dossiers if d.dossier == dossier), None)

    def report_of(self, dossier: str) -> ReportNames | None:
        """Return the files of one household's report, or None when none was written."""
        return next((r for r in self.reports or () if r.dossier == dossier), None)

    def to_json(self) -> dict[str, Any]:
        """Return the summary as the JSON-ready data of `check --json` and of the manifest."""
        data: dict[str, Any] = {
            "schemaversie": REPORT_SCHEMA_VERSION,
            "overleg": self.meeting.isoformat() if self.meeting else None,
            "dossiers": [d.to_json() for d in self.dossiers],
            "bestanden": [f.to_json() for f in self.files],
            "zonder_dossier": [f.to_json() for f in self.without_dossier],
            "totaal": self.total.to_json(),
        }
        if self.reports is not None:
            data["rapporten"] = [r.to_json() for r in self.reports]
        return data

    @classmethod
    def from_json(cls, data: object) -> CheckSummary:
        """Return the summary a manifest holds; raise SummaryDamaged (a Dutch reason) when it is not one.

        Every text is made visible, whatever the file holds.
        """
        top = _dict(visible_data(data), "het bestand")
        version = top.get("schemaversie")
        if version != REPORT_SCHEMA_VERSION:
            raise SummaryDamaged(f"schemaversie {version!r} is geen versie die formkit kent"
                                 if version is not None else "geen schemaversie; niet gemaakt door formkit")
        meeting = _opt(top, "overleg", str, "het overzicht")
        try:
            day = dt.date.fromisoformat(meeting) if meeting else None
        except ValueError:
            raise SummaryDamaged(f"'overleg' {meeting!r} is geen datum") from None
        reports = top.get("rapporten")
        return cls(
            meeting=day,
            dossiers=tuple(_dossier(d) for d in _items(top, "dossiers", "het overzicht")),
            files=tuple(_checked_file(f) for f in _items(top, "bestanden", "het overzicht")),
            without_dossier=tuple(_report_finding(f, "zonder_dossier")
                                  for f in _items(top, "zonder_dossier", "het overzicht")),
            total=_counts(_get(top, "totaal", dict, "het overzicht"), "'totaal'"),
            reports=None if reports is None else tuple(_report_names(r)
                                                       for r in _items(top, "rapporten", "het overzicht")),
        )


class SummaryDamaged(ValueError):
    """A manifest that is not a check summary formkit wrote; the message says why, in Dutch."""


def visible_summary(value: _T) -> _T:
    """Return a copy of a summary (or any part of it) with every text made visible; line breaks stay."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return visible(value, multiline=True)  # type: ignore[return-value]  # a str for a str
    if isinstance(value, tuple):
        return tuple(visible_summary(v) for v in value)  # type: ignore[return-value]  # a tuple for a tuple
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: visible_summary(getattr(value, f.name))
                                             for f in dataclasses.fields(value)})
    return value


def write_manifest(summary: CheckSummary, out_dir: Path) -> Path:
    """Return the manifest's path after writing `summary` (with its reports) there, atomically."""
    target = Path(out_dir) / MANIFEST
    data = json.dumps(summary.to_json(), ensure_ascii=False, indent=2)
    write_atomic(target, lambda tmp: Path(tmp).write_text(data, encoding="utf-8"))
    return target


def read_summary(report_dir: Path) -> tuple[CheckSummary | None, list[Finding]]:
    """Return the check summary of a reports folder, or None and the finding why there is none.

    A missing manifest and a damaged one (unreadable, no JSON, not what formkit writes,
    an unknown schema version) each give one Dutch finding naming the file; the caller
    decides what that costs: `formkit mail` stops, `formkit pack` goes on without the results.
    """
    path = Path(report_dir) / MANIFEST
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [finding(Code.reports_manifest_missing, folder=Path(report_dir), name=MANIFEST)]
    except IsADirectoryError:
        return None, [finding(Code.reports_manifest_damaged, target=path, reason="een map in plaats van een bestand")]
    except OSError as e:
        return None, [finding(Code.reports_manifest_damaged, target=path, reason=describe_os_error(e))]
    except ValueError:  # not UTF-8
        return None, [finding(Code.reports_manifest_damaged, target=path, reason="geen geldige JSON van formkit")]
    try:
        data = json.loads(raw)
    except ValueError:
        return None, [finding(Code.reports_manifest_damaged, target=path, reason="geen geldige JSON van formkit")]
    try:
        return CheckSummary.from_json(data), []
    except SummaryDamaged as e:
        return None, [finding(Code.reports_manifest_damaged, target=path, reason=str(e))]


# --- reading the JSON back, strictly: a wrong type anywhere refuses the whole file -------------


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SummaryDamaged(f"{what} is geen JSON-object")
    return value


def _get(data: dict[str, Any], key: str, kind: type[_T], what: str) -> _T:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SummaryDamaged(f"'{key}' van {what} ontbreekt of is geen {_KINDS.get(kind, kind.__name__)}")
    return value


def _opt(data: dict[str, Any], key: str, kind: type[_T], what: str) -> _T | None:
    if key not in data:
        raise SummaryDamaged(f"'{key}' van {what} ontbreekt")
    return None if data[key] is None else _get(data, key, kind, what)


def _items(data: dict[str, Any], key: str, what: str) -> list[dict[str, Any]]:
    return [_dict(item, f"een regel van '{key}'") for item in _get(data, key, list, what)]


_KINDS: dict[type, str] = {str: "tekst", int: "getal", list: "lijst", dict: "JSON-object"}


def _counts(data: dict[str, Any], what: str) -> Counts:
    return Counts(_get(data, "fouten", int, what), _get(data, "waarschuwingen", int, what))


def _report_finding(data: dict[str, Any], where: str) -> ReportFinding:
    what = f"een bevinding in '{where}'"
    text = {key: _get(data, key, str, what)
            for key in ("ernst", "professional", "organisatie", "bestand", "blad", "cel", "veld", "melding")}
    try:
        severity = Severity(text["ernst"])
    except ValueError:
        raise SummaryDamaged(f"'ernst' {text['ernst']!r} van {what} is geen fout of waarschuwing") from None
    return ReportFinding(severity, text["professional"], text["organisatie"], text["bestand"], text["blad"],
                         text["cel"], text["veld"], text["melding"])


def _dossier(data: dict[str, Any]) -> DossierSummary:
    dossier = _get(data, "dossier", str, "een dossier")
    what = f"dossier {dossier}"
    return DossierSummary(
        dossier=dossier,
        household=_get(data, "huishouden", str, what),
        expected=_get(data, "verwacht", int, what),
        received=_get(data, "ontvangen", int, what),
        counts=_counts(data, what),
        forms=tuple(ReceivedForm(*(_get(f, k, str, f"een formulier van {what}")
                                   for k in ("professional", "organisatie", "bestand", "status")))
                    for f in _items(data, "formulieren", what)),
        missing=tuple(MissingForm(*(_get(m, k, str, f"een ontbrekend formulier van {what}")
                                    for k in ("naam", "organisatie")))
                      for m in _items(data, "ontbrekend", what)),
        findings=tuple(_report_finding(f, f"bevindingen van {what}") for f in _items(data, "bevindingen", what)),
        fingerprint=_get(data, "kenmerk", str, what),
    )


def _checked_file(data: dict[str, Any]) -> CheckedFile:
    what = "een bestand in 'bestanden'"
    return CheckedFile(_get(data, "bestand", str, what), _get(data, "status", str, what),
                       _opt(data, "dossier", str, what), _opt(data, "professional", str, what), _counts(data, what))


def _report_names(data: dict[str, Any]) -> ReportNames:
    what = "een rapport in 'rapporten'"
    names = ReportNames(_get(data, "dossier", str, what), _inside(_get(data, "xlsx", str, what)),
                        _opt(data, "docx", str, what))
    if names.docx is not None:
        _inside(names.docx)
    return names


def _inside(name: str) -> str:
    """Return a report's file name relative to the reports folder; refuse one outside it (never mailed)."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise SummaryDamaged(f"het rapport {name!r} ligt niet in de map van de rapporten")
    return name
