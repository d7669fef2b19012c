"""Archive copies of plan versions: a PDF/A-2b beside each plan's Word file, for the organisations' files.

`veiligheidsplan_<dossier>_<overleg>_vN.pdf` lies beside `veiligheidsplan_..._vN.docx`:
unencrypted (PDF/A forbids encryption), tagged, fonts embedded. All plans are converted
in one LibreOffice run (:func:`formkit.delivery.pdf.convert_to_pdf` with ``archive=True``), each
copy is written atomically, and a plan whose copy could not be made or written gets a
finding of its own; the other households go on.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..core.atomic import describe_os_error, write_atomic
from ..core.findings import Code, Finding, Severity, finding
from ..plan.versions import archive_path
from .pdf import DEFAULT_TIMEOUT, Conversion, convert_to_pdf, scratch_dir


@dataclass(frozen=True)
class ArchivePlan:
    """A plan version that should have an archive copy: its household, version and Word file."""

    dossier: str
    version: int
    docx: Path


@dataclass
class ArchiveResult:
    """What making archive copies did: the copies per plan, findings per household, LibreOffice's effort."""

    copies: dict[Path, Path] = field(default_factory=dict)  # plan's Word file -> its archive copy
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    runs: int = 0


def missing_copies(plans: Iterable[ArchivePlan]) -> list[ArchivePlan]:
    """Return the plans that have no archive copy yet."""
    return [p for p in plans if not archive_path(p.docx).is_file()]


def place_copies(plans: Iterable[ArchivePlan], conversion: Conversion, result: ArchiveResult,
                 progress: Callable[[list], Iterable] = lambda items: items, severity: Severity | None = None) -> None:
    """Write each plan's converted PDF/A beside its Word file; record a copy or a finding per plan in `result`.

    `severity` overrides the finding's (a pack that is complete without the copy makes it a warning).
    """
    for plan in progress(list(plans)):
        target = archive_path(plan.docx)
        pdf = conversion.pdfs.get(plan.docx)
        if pdf is None:
            reason = conversion.failures.get(plan.docx, "LibreOffice kon het document niet omzetten")
            result.findings.append(_failed(plan, reason, severity))
            continue
        try:
            write_atomic(target, partial(shutil.copyfile, pdf))  # copies pdf to the temporary file
        except OSError as e:  # a read-only or full plans folder costs this copy only
            result.findings.append(_failed(plan, describe_os_error(e), severity))
            continue
        result.copies[plan.docx] = target


def _failed(plan: ArchivePlan, reason: str, severity: Severity | None) -> Finding:
    """Return the finding that a plan's archive copy could not be made, and why."""
    return finding(Code.plan_archive_failed, severity=severity, dossier=plan.dossier, version=plan.version, reason=reason,
                   target=plan.docx)


def write_archive_copies(plans: Iterable[ArchivePlan], timeout: float = DEFAULT_TIMEOUT,
                         progress: Callable[[list], Iterable] = lambda items: items) -> ArchiveResult:
    """Make the archive copy (PDF/A-2b) of every plan in one LibreOffice run; return copies and findings."""
    plans = list(plans)
    result = ArchiveResult()
    if not plans:
        return result
    with scratch_dir() as work:
        conversion = convert_to_pdf([p.docx for p in plans], Path(work), timeout=timeout, archive=True)
        result.seconds, result.runs = conversion.seconds, conversion.runs
        place_copies(plans, conversion, result, progress)
    return result
