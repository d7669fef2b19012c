"""Checking a batch of returned files for one meeting: each file, and the batch as a whole.

One bad file never stops the batch: every file ends with a status (processed,
superseded or refused) and its findings. The batch adds what no single file shows:
forms expected but not returned, and the same professional's form returned twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import dates
from .checks import check_form
from .errors import UsageError
from .findings import Finding, finding
from .intake import DEFAULT_LIMITS, Limits
from .parallel import run_chunks
from .reading import FormRejected, ReturnedForm, read_form
from .register import Register
from .register import check as check_register
from .schema import Schema
from .values import Interpreted, interpret

PROCESSED = "verwerkt"
SUPERSEDED = "vervangen"
REFUSED = "geweigerd"


@dataclass
class FileResult:
    """What became of one file: its status, the form if it could be read, and its findings."""

    path: Path
    status: str
    form: ReturnedForm | None = None
    interpreted: Interpreted | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def dossier(self) -> str | None:
        """Return the dossier of the form, None when the file is no readable form."""
        return self.form.dossier if self.form else None

    @property
    def professional(self) -> str | None:
        """Return the professional's code of the form, None when the file is no readable form."""
        return self.form.professional if self.form else None


@dataclass
class BatchResult:
    """A checked batch: its meeting, every file, and the forms that were not returned."""

    meeting: dt.date | None
    dossiers: list[str]
    files: list[FileResult]
    missing: list[Finding] = field(default_factory=list)
    #: The register's findings about these households' regisseur (the report goes to them).
    register: list[Finding] = field(default_factory=list)

    def findings(self) -> list[Finding]:
        """Return every finding of the batch: the register's, per file, then the missing forms."""
        return self.register + [f for r in self.files for f in r.findings] + self.missing

    def by_dossier(self) -> dict[str | None, list[Finding]]:
        """Return the findings per dossier of the meeting; None holds those about no dossier."""
        grouped: dict[str | None, list[Finding]] = {d: [] for d in self.dossiers}
        for f in self.findings():
            grouped.setdefault(f.dossier if f.dossier in grouped else None, []).append(f)
        return grouped

    def processed(self, dossier: str | None = None) -> list[FileResult]:
        """Return the files whose forms count, for one dossier or all."""
        return [r for r in self.files if r.status == PROCESSED and (dossier is None or r.dossier == dossier)]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Return the files named and those in folders (recursively), without hidden and lock files."""
    found: list[Path] = []
    for path in map(Path, paths):
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in candidates:
            relative = p.relative_to(path) if path.is_dir() else Path(p.name)
            if any(part.startswith((".", "~$")) for part in relative.parts):
                continue
            if p not in found:
                found.append(p)
    return found


def check_batch(
    paths: Iterable[Path], register: Register, schema: Schema, *, meeting: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS, progress: Callable[[list], Iterable] = lambda items: items, jobs: int = 1,
) -> BatchResult:
    """Read and check every returned file for a meeting (reading over `jobs` processes); infer the meeting."""
    results = []
    for path, read in run_chunks(partial(_read_chunk, schema, limits), collect_files(paths), jobs, progress):
        if isinstance(read, Finding):
            results.append(FileResult(path, REFUSED, findings=[read]))
        else:
            results.append(FileResult(path, PROCESSED, read, findings=list(read.findings)))
    meeting = meeting or _infer_meeting(results)
    if meeting is None and any(r.form is not None for r in results):
        raise UsageError("de formulieren noemen geen casusoverleg; geef --meeting op")
    dossiers = register.dossiers_on(meeting) if meeting else []
    for r in results:
        if r.form is not None:
            _check_belongs(r, register, meeting, dossiers)
        if r.status == PROCESSED:
            r.interpreted = interpret(r.form, register, schema)
            r.findings += check_form(r.interpreted, register, meeting, schema)
    _supersede(results, register)
    batch = BatchResult(meeting, dossiers, results)
    batch.missing = _missing(batch, register)
    batch.register = [f for f in check_register(register) if f.dossier in dossiers and f.code.startswith("regisseur")]
    return batch


def _read_chunk(schema: Schema, limits: Limits, chunk: list[Path]) -> list:
    """Read a chunk of files; runs in a worker process. Returns (path, ReturnedForm or the refusal)."""
    done = []
    for path in chunk:
        try:
            done.append((path, read_form(path, schema, limits)))
        except FormRejected as e:
            done.append((path, e.finding))
    return done


def _infer_meeting(results: list[FileResult]) -> dt.date | None:
    meetings = Counter(r.form.meeting for r in results if r.form is not None and r.form.meeting)
    if len(meetings) > 1:
        shown = ", ".join(dates.format_short(m) for m in sorted(meetings))
        raise UsageError(f"de formulieren horen bij verschillende overleggen ({shown}); geef --meeting op")
    return next(iter(meetings), None)


def _check_belongs(r: FileResult, register: Register, meeting: dt.date, dossiers: list[str]) -> None:
    form = r.form
    where = dict(file=r.path.name, dossier=form.dossier, professional=form.professional)
    problem = None
    if form.meeting != meeting:
        shown = dates.format_dutch(form.meeting) if form.meeting else "onbekend"
        problem = finding("other_meeting", found=shown, expected=dates.format_dutch(meeting), **where)
    elif register.household(form.dossier) is None:
        problem = finding("unknown_household", **where)
    elif form.dossier not in dossiers:
        problem = finding("not_on_meeting", meeting=dates.format_dutch(meeting), **where)
    elif form.professional not in {p.code for p in register.professionals_of(form.dossier)}:
        problem = finding("professional_not_involved", value=form.professional, **where)
    if problem:
        r.status = REFUSED
        r.findings.append(problem)


def _supersede(results: list[FileResult], register: Register) -> None:
    """Keep the newest form per professional and household; report the others, never drop them."""
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in results:
        if r.status == PROCESSED:
            groups.setdefault((r.dossier, r.professional), []).append(r)
    for (dossier, code), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.form.saved or dt.datetime.min, r.path.name), reverse=True)
        newest = group[0]
        professional = register.professional(code)
        for older in group[1:]:
            older.status = SUPERSEDED
            older.findings.append(finding("superseded", name=professional.name if professional else code,
                                          newer=newest.path.name, file=older.path.name, dossier=dossier,
                                          professional=code))


def _missing(batch: BatchResult, register: Register) -> list[Finding]:
    returned = {(r.dossier, r.professional) for r in batch.processed()}
    found = []
    for dossier in batch.dossiers:
        for p in register.professionals_of(dossier):
            if (dossier, p.code) not in returned:
                found.append(finding("not_returned", name=p.name, organisation=p.organisation or "",
                                     dossier=dossier, professional=p.code))
    return found
