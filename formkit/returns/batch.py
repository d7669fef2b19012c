"""Checking a batch of returned files for one meeting: each file, and the batch as a whole.

One bad file never stops the batch: every file ends with a status (processed,
superseded or refused) and its findings. The batch adds what no single file shows:
forms expected but not returned, and the same professional's form returned twice.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..core import dutch
from ..core.errors import UsageError
from ..core.findings import Code, Finding, Place, finding
from ..core.parallel import Progress
from ..core.text import visible
from ..register.check import check as check_register
from ..register.model import Register
from ..sheets.schema import Schema
from ..sheets.seal import SealKey, default_key
from .accepted import Submission, submission_from
from .intake import DEFAULT_LIMITS, Limits
from .interpret import interpret
from .isolation import read_isolated
from .mailbox import Inbox, unpack_all
from .read import ReturnedForm, read_form
from .rules import check_form

PROCESSED = "verwerkt"
SUPERSEDED = "vervangen"
REFUSED = "geweigerd"


@dataclass(slots=True)
class FileResult:
    """What became of one file: its status, whose form it is, its findings, and what the merge needs.

    The workbook and its reading are let go as soon as the file is checked; what the merge
    needs is kept packed (under 1 KB a form), so a batch of thousands of forms stays small.
    """

    path: Path
    status: str
    findings: list[Finding] = field(default_factory=list)
    #: The form's dossier and professional's code; None when the file is no readable form.
    dossier: str | None = None
    professional: str | None = None
    #: When the file was last saved, by its own properties (or the file system).
    saved: dt.datetime | None = None
    #: The merge's values of a form that counts, packed (see `submission`); None otherwise.
    packed: bytes | None = None
    #: Defined name -> cell of the form's layout, one map shared by all forms of a template.
    cells: dict[str, str] = field(default_factory=dict)
    #: For an e-mail attachment: the attachment and its message in words (what its findings name).
    source: str | None = None

    @property
    def shown(self) -> str:
        """Return the file as findings name it: an e-mail attachment by its message, else its file name."""
        return self.source or self.path.name

    @property
    def submission(self) -> Submission | None:
        """Return the merge's view of the form while it counts (processed), else None."""
        if self.packed is None:
            return None
        values, raw = pickle.loads(zlib.decompress(self.packed))  # bytes this process packed itself
        return Submission(visible(self.path.name), self.professional or "", values, raw, self.cells)

    def keep(self, submission: Submission) -> None:
        """Keep the merge's view of the form, packed."""
        self.packed = zlib.compress(pickle.dumps((submission.values, submission.raw), protocol=5), 1)
        self.cells = submission.cells


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

    def files_by_dossier(self) -> dict[str | None, list[FileResult]]:
        """Return the files per dossier they name (None: no readable form), in batch order."""
        grouped: dict[str | None, list[FileResult]] = {}
        for r in self.files:
            grouped.setdefault(r.dossier, []).append(r)
        return grouped


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Return the files named and those in folders (recursively), without hidden and lock files.

    E-mail messages (.eml, .msg) are among them; `check_batch` opens them (see formkit.returns.mailbox).
    """
    found: list[Path] = []
    for path in map(Path, paths):
        for p in _files_below(path) if path.is_dir() else [path]:
            if p not in found:
                found.append(p)
    return found


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def _files_below(folder: Path) -> list[Path]:
    """Return the files below `folder`, sorted; none hidden, none in a hidden folder (links to folders not followed).

    A hidden folder is not even listed: an upload's private folder (``.ontvangst-*``,
    ``.inname-*``) may be removed meanwhile, and what it holds is not yet in place. A folder or
    file that disappears while the folder is listed is passed over.
    """
    found = []
    for root, folders, files in os.walk(folder):  # errors (a folder gone meanwhile) are passed over
        folders[:] = [name for name in folders if not _hidden(name)]
        found += [Path(root, name) for name in files if not _hidden(name) and Path(root, name).is_file()]
    return sorted(found)


def check_batch(
    paths: Iterable[Path], register: Register, schema: Schema, *, meeting: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS, progress: Progress = lambda items: items, jobs: int = 1,
    key: SealKey | None = None, allow_unsealed: bool = False,
) -> BatchResult:
    """Read and check every returned file for a meeting (reading over `jobs` processes); infer the meeting.

    Each file is checked as soon as it is read; only its findings and the values the merge
    needs are kept, so memory does not grow with the forms' size. Without `meeting` the
    meeting is the one the forms name; forms naming different ones are a usage error.
    Seals are verified under `key` (default: the secretariat's usual key); forms without a
    seal are read, with a warning, only when `allow_unsealed`. E-mail messages (.eml, .msg)
    among the paths are opened and their attachments checked as loose files, in a private
    scratch folder removed afterwards; their findings name the message.
    """
    with tempfile.TemporaryDirectory(prefix="formkit-post-") as scratch:
        inbox = unpack_all(collect_files(paths), Path(scratch), limits, jobs)
        return _check_files(inbox, register, schema, meeting, limits, progress, jobs, key, allow_unsealed)


def _check_files(inbox: Inbox, register: Register, schema: Schema, meeting: dt.date | None, limits: Limits,
                 progress: Progress, jobs: int, key: SealKey | None, allow_unsealed: bool) -> BatchResult:
    """Read and check the batch's files (loose and from messages); return the batch (see `check_batch`)."""
    key = key if key is not None else default_key()
    inferred = meeting is None
    dossiers = register.dossiers_on(meeting) if meeting else []
    results: list[FileResult | None] = [FileResult(path, REFUSED, [problem]) for path, problem in inbox.refused]
    named: set[dt.date] = set()
    waiting: list[tuple[int, ReturnedForm]] = []  # forms read before any form named the meeting
    # every file is parsed in one of `jobs` worker processes under memory and time limits
    reader = partial(read_form, schema=schema, limits=limits, key=key, allow_unsealed=allow_unsealed)
    for path, read in read_isolated(reader, inbox.files, limits, jobs, progress):
        if isinstance(read, Finding):
            results.append(FileResult(path, REFUSED, [read]))
            continue
        if read.meeting:
            named.add(read.meeting)
        if meeting is None and read.meeting:
            meeting, dossiers = read.meeting, register.dossiers_on(read.meeting)
            for i, form in waiting:
                results[i] = _checked(form, register, schema, meeting, dossiers)
            waiting.clear()
        if meeting is None:
            waiting.append((len(results), read))
            results.append(None)
        else:
            results.append(_checked(read, register, schema, meeting, dossiers))
    if inferred and len(named) > 1:
        shown = ", ".join(dutch.short_date(m) for m in sorted(named))
        raise UsageError(f"de formulieren horen bij verschillende overleggen ({shown}); geef --meeting op")
    if waiting:
        raise UsageError("de formulieren noemen geen casusoverleg; geef --meeting op")
    files = [r for r in results if r is not None]
    for r in files:
        r.path, r.source, r.findings = inbox.relabel(r.path, r.findings)
    _supersede(files, register)
    batch = BatchResult(meeting, dossiers, files)
    batch.missing = _missing(batch, register)
    batch.register = [f for f in check_register(register) if f.dossier in dossiers and f.code.startswith("regisseur")]
    return batch


def _checked(form: ReturnedForm, register: Register, schema: Schema, meeting: dt.date,
             dossiers: list[str]) -> FileResult:
    """Check one read form against the register and the method; keep what the batch and merge need."""
    r = FileResult(form.path, PROCESSED, list(form.findings), form.dossier, form.professional, form.saved)
    _check_belongs(r, form, register, meeting, dossiers)
    if r.status == PROCESSED:
        interpreted = interpret(form, register, schema)
        r.findings += check_form(interpreted, register, meeting, schema)
        r.keep(submission_from(form, interpreted))
    return r


def _check_belongs(r: FileResult, form: ReturnedForm, register: Register, meeting: dt.date,
                   dossiers: list[str]) -> None:
    where = Place(file=r.path.name, dossier=form.dossier, professional=form.professional)
    problem = None
    if form.meeting != meeting:
        shown = dutch.long_date(form.meeting) if form.meeting else "onbekend"
        problem = finding(Code.other_meeting, found=shown, expected=dutch.long_date(meeting), **where)
    elif register.household(form.dossier) is None:
        problem = finding(Code.unknown_household, **where)
    elif form.dossier not in dossiers:
        problem = finding(Code.not_on_meeting, meeting=dutch.long_date(meeting), **where)
    elif form.professional not in {p.code for p in register.professionals_of(form.dossier)}:
        problem = finding(Code.professional_not_involved, value=form.professional, **where)
    if problem:
        r.status = REFUSED
        r.findings.append(problem)


def _supersede(results: list[FileResult], register: Register) -> None:
    """Keep the newest form per professional and household; report the others, never drop them."""
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in results:
        if r.status == PROCESSED and r.dossier is not None and r.professional is not None:  # a processed form names both
            groups.setdefault((r.dossier, r.professional), []).append(r)
    for (dossier, code), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.saved or dt.datetime.min, r.path.name), reverse=True)
        newest = group[0]
        professional = register.professional(code)
        for older in group[1:]:
            older.status = SUPERSEDED
            older.packed = None
            older.findings.append(finding(Code.superseded, name=professional.name if professional else code,
                                          newer=newest.shown, file=older.shown, dossier=dossier,
                                          professional=code))


def _missing(batch: BatchResult, register: Register) -> list[Finding]:
    returned = {(r.dossier, r.professional) for r in batch.processed()}
    found = []
    for dossier in batch.dossiers:
        for p in register.professionals_of(dossier):
            if (dossier, p.code) not in returned:
                found.append(finding(Code.not_returned, name=p.name, organisation=p.organisation or "",
                                     dossier=dossier, professional=p.code))
    return found
