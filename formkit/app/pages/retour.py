"""The Retour page: returned files dropped onto the page (or taken from a folder), stored and checked.

Each file first passes the intake of ``formkit check`` (:mod:`formkit.returns.intake`: size,
macros, zip bombs, unsafe XML, ...) in a private folder; what the intake refuses is never
stored and shows its finding. What it accepts goes into the meeting's returns folder
(:attr:`formkit.app.config.MeetingFolders.returns`) under a name that stays inside the folder,
is valid on Windows and never overwrites another file there. Then the whole folder is checked
in one job, with the same library calls as ``formkit check RETOUR --register R --meeting D
--report RAPPORTEN``: :func:`formkit.returns.batch.check_batch`, :func:`formkit.delivery.reports.summarise`
and :func:`formkit.delivery.reports.write_reports`, and a disclosure record per report written.
The page shows the typed :class:`formkit.delivery.summary.CheckSummary` (the one the reports are
made from): each file's status, the findings per dossier and the forms still missing by name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import secrets
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from ...core.atomic import describe_os_error, ensure_writable
from ...core.errors import FormkitError
from ...core.findings import Code, Finding, finding, has_errors
from ...core.locking import folder_locks
from ...core.paths import windows_safe
from ...core.templates import REPORT
from ...core.text import person_label, visible
from ...delivery.disclosures import disclose, report_disclosures
from ...delivery.reports import NO_DOSSIER, ReportFiles, summarise, write_reports
from ...delivery.summary import MANIFEST, CheckedFile, CheckSummary, ReportFinding, ReportNames, read_summary
from ...register.model import Register
from ...returns.batch import PROCESSED, REFUSED, SUPERSEDED, check_batch, collect_files
from ...returns.intake import DEFAULT_LIMITS, MB, Limits, inspect_file
from ...returns.mailbox import is_message, safe_name
from ...sheets.schema import build_schema
from ...sheets.seal import key_path, load_key
from ..config import MeetingFolders
from ..fields import is_dir, is_file, shown, typed_path
from ..jobs import Job, ProgressCallback, counted
from ..security import NO_CSRF, refusal_page
from ..state import AppState, Workspace
from ..uploads import MAX_FILES, Refusal, Upload, UploadRefused, accepts_upload, receive_upload
from ..view import fragment, job_for, job_fragment, page, state
from . import Page
from .meetings import (
    COMMAND,
    MeetingOutcome,
    Section,
    meetings,
    refused,
    reread_register,
    servable,
    template_findings,
    workspace,
)

SLUG = "retour"
TITLE = "Retour"
SECTION = Section(SLUG, TITLE)
#: What the file input offers; the intake, not the name, decides what is taken.
ACCEPT = ".xlsx,.xlsm,.eml,.msg"
#: What became of a file brought in.
STORED, KNOWN = "opgeslagen", "al ontvangen"
#: From this many files on, the check reads with two processes (starting the second costs more for fewer).
LARGE_BATCH = 60
#: The check's own words for each status, as the reports use them.
STATUSES = (PROCESSED, SUPERSEDED, REFUSED)


# --- taking files into the returns folder -------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One file brought in: the name it came with, what became of it, the name it got, or the finding why not."""

    name: str
    outcome: str  # STORED, KNOWN or REFUSED
    stored: str = ""
    finding: Finding | None = None


def returns_name(raw: str, taken: Iterable[str]) -> str:
    """Return the name a file gets in the returns folder: safe as an e-mail attachment's, valid on Windows, unused.

    The rule of :func:`formkit.returns.mailbox.safe_name` (no path parts, no hidden name, no
    character Windows forbids); a device name gets a leading "_"; a name already taken (case
    ignored, as Windows and macOS do) gets " (2)", " (3)", ... before its suffix.
    """
    name = windows_safe(safe_name(raw, 1))
    used = {t.casefold() for t in taken}
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    number = 1
    while name.casefold() in used:
        number += 1
        name = f"{stem} ({number}).{suffix}" if suffix else f"{stem} ({number})"
    return name


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_file(path: Path, folder: Path) -> Path | None:
    """Return the file in `folder` with exactly the bytes of `path`, or None."""
    size = path.stat().st_size
    digest: str | None = None
    for other in sorted(folder.iterdir()):
        if other.is_file() and not other.is_symlink() and other.stat().st_size == size:
            digest = digest or _digest(path)
            if _digest(other) == digest:
                return other
    return None


def too_large(size: int, name: str, limits: Limits) -> Finding | None:
    """Return the intake's finding for a file over the size limit, or None."""
    if size <= limits.max_file_bytes:
        return None
    return finding(Code.file_too_large, size=round(size / MB, 1), limit=limits.max_file_bytes // MB, file=name)


def take_in(source: Path, shown: str, folder: Path, staging: Path, *, move: bool,
            limits: Limits = DEFAULT_LIMITS) -> Received:
    """Return what became of one file: refused by the intake (not stored), already there, or stored in `folder`.

    The file is judged under the name it will get, in `staging` (a private folder beside the
    returns), so its finding names it as ``formkit check`` on the returns folder would.
    """
    name = returns_name(shown, (p.name for p in folder.iterdir()))
    problem = too_large(source.stat().st_size, name, limits)
    if problem is not None:
        return Received(shown, REFUSED, finding=problem)
    candidate = staging / secrets.token_hex(4) / name
    candidate.parent.mkdir(parents=True)
    if move:
        os.replace(source, candidate)
    else:
        shutil.copyfile(source, candidate)
    problem = None if is_message(candidate) else inspect_file(candidate, limits)
    if problem is not None:  # a message's attachments pass the same intake during the check
        return Received(shown, REFUSED, finding=problem)
    known = same_file(candidate, folder)
    if known is not None:
        return Received(shown, KNOWN, known.name)
    os.replace(candidate, folder / name)
    return Received(shown, STORED, name)


# --- the check, as `formkit check --report` makes it ----------------------------------------


@dataclass
class RetourOutcome(MeetingOutcome):
    """What a run did: the files brought in, the check summary of the returns folder, the reports, findings.

    Its findings are about the run, not a file: register, templates, the disclosure log.
    """

    received: list[Received] = field(default_factory=list)
    summary: CheckSummary | None = None
    reports_job: Job | None = None  # the job writing the reports, once the check is done


def check_returns(st: AppState, space: Workspace, meeting: dt.date, progress: ProgressCallback,
                  outcome: RetourOutcome) -> None:
    """Check the meeting's returns folder as `formkit check --report` does, into `outcome`; start writing the reports.

    The findings are shown as soon as the check is done; the reports (a Word and an Excel
    file per household, after their template is checked) are written by a second job that
    the result shows with its progress.
    """
    config, folders = st.config, space.folders(meeting)
    progress(0, 0, "Register lezen")
    loaded, unusable = reread_register(space)
    if refused(outcome, unusable):
        return
    key = load_key(key_path(config.key_setting(), explicit=config.key), create=False)
    files = collect_files([folders.returns])
    batch = check_batch(files, loaded.register, build_schema(st.settings), meeting=meeting,
                        progress=counted(progress, "Formulieren controleren"), jobs=check_jobs(len(files)), key=key)
    summary = summarise(batch, loaded.register)
    outcome.summary = summary
    outcome.reports_job = st.jobs.start("Controlerapporten schrijven", lambda report_progress: write_check_reports(
        st, space.history(), folders, summary, loaded.register, report_progress), scope=space.scope(SLUG, meeting),
        render=render_reports)


@dataclass
class ReportsOutcome:
    """What writing the reports did: the reports folder, the summary with the reports' names, findings of the log."""

    folder: Path
    summary: CheckSummary
    findings: list[Finding] = field(default_factory=list)
    written: bool = False  # False when the templates check refused the report template


def write_check_reports(st: AppState, history: Path, folders: MeetingFolders, summary: CheckSummary,
                        register: Register, progress: ProgressCallback) -> ReportsOutcome:
    """Return the reports written for a checked summary, as `check --report` writes and logs them.

    The report template is checked first, as `check --report` does; a refused one: its findings, no reports.
    """
    progress(0, 0, "Sjabloon van het controlerapport controleren")
    outcome = ReportsOutcome(folders.reports, summary, template_findings(st, [REPORT]))
    if has_errors(outcome.findings):
        return outcome
    progress(0, 0, "Controlerapporten schrijven")
    ensure_writable(folders.reports, create=True)
    with folder_locks([folders.reports], "het schrijven van de controlerapporten"):
        written = write_reports(summary, register, folders.reports, templates_dir=st.config.templates)
    outcome.summary = dataclasses.replace(summary, reports=_names(written, folders.reports))
    outcome.written = True
    outcome.findings += disclose(history, report_disclosures(written, register, COMMAND))
    return outcome


def _names(written: list[ReportFiles], folder: Path) -> tuple[ReportNames, ...]:
    """Return the reports' names relative to their folder, as the manifest holds them."""
    return tuple(ReportNames(r.dossier, r.xlsx.relative_to(folder).as_posix(),
                             r.docx.relative_to(folder).as_posix() if r.docx else None) for r in written)


def check_jobs(files: int) -> int:
    """Return how many reading processes the check uses: one for a meeting's batch, two for a large one (2 cores)."""
    return min(2, os.cpu_count() or 1) if files > LARGE_BATCH else 1


def bring_in(st: AppState, space: Workspace, meeting: dt.date, sources: list[tuple[Path, str]], *, move: bool,
             progress: ProgressCallback) -> RetourOutcome:
    """Return the run's outcome: each source file (path, name shown) taken into the returns folder, then the check."""
    folders = space.folders(meeting)
    outcome = RetourOutcome(meeting, folders.returns)
    ensure_writable(folders.returns, create=True)
    staging = folders.returns / f".inname-{secrets.token_hex(8)}"  # hidden: the check never reads it
    staging.mkdir(mode=0o700)
    try:
        for number, (path, shown) in enumerate(sources, 1):
            progress(number - 1, len(sources), "Bestanden opslaan")
            try:
                outcome.received.append(take_in(path, shown, folders.returns, staging, move=move))
            except OSError as e:
                outcome.received.append(Received(shown, REFUSED, finding=finding(
                    Code.file_unreadable, reason=describe_os_error(e), file=shown)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    check_returns(st, space, meeting, progress, outcome)
    return outcome


def recheck(st: AppState, space: Workspace, meeting: dt.date, progress: ProgressCallback) -> RetourOutcome:
    """Return the outcome of checking the returns folder again, nothing brought in."""
    folders = space.folders(meeting)
    outcome = RetourOutcome(meeting, folders.returns)
    ensure_writable(folders.returns, create=True)
    check_returns(st, space, meeting, progress, outcome)
    return outcome


# --- what the page shows ------------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    """One checked file as the page lists it: its name in the returns folder, whose form, its status."""

    name: str
    professional: str
    status: str


@dataclass(frozen=True)
class DossierView:
    """One household's part of the check: its files, its forms still missing by name, its findings."""

    dossier: str
    household: str
    received: int
    expected: int
    errors: int
    warnings: int
    files: list[FileRow]
    missing: list[str]
    findings: list[ReportFinding]
    report_xlsx: str = ""
    report_docx: str = ""


def shown_path(path: str, folder: Path) -> str:
    """Return a checked file's path relative to the returns folder (a message's attachment: message/attachment)."""
    try:
        return PurePath(path).relative_to(folder).as_posix()
    except ValueError:
        return PurePath(path).name


def dossier_views(summary: CheckSummary) -> list[DossierView]:
    """Return each household's part of the summary: only its own files, findings and missing forms."""
    views = []
    for d in summary.dossiers:
        report = summary.report_of(d.dossier)
        views.append(DossierView(
            d.dossier, d.household, d.received, d.expected, d.counts.errors, d.counts.warnings,
            [FileRow(f.file, person_label(f.professional, f.organisation), f.status) for f in d.forms],
            [person_label(m.name, m.organisation) for m in d.missing], list(d.findings),
            report.xlsx if report else "", (report.docx or "") if report else ""))
    return views


def other_files(summary: CheckSummary, folder: Path) -> list[CheckedFile]:
    """Return the checked files that belong to none of the meeting's households (unreadable, another meeting, ...)."""
    ours = {d.dossier for d in summary.dossiers}
    return [dataclasses.replace(f, path=shown_path(f.path, folder)) for f in summary.files if f.dossier not in ours]


def render_summary(summary: CheckSummary, meeting: dt.date, folder: Path) -> str:
    """Return the HTML of a check: totals, then per household its files, missing forms and findings."""
    statuses = {s: sum(f.status == s for f in summary.files) for s in STATUSES}
    report = summary.report_of(NO_DOSSIER)
    return fragment("retour_summary.html", summary=summary, day=meeting.isoformat(), statuses=statuses,
                    dossiers=dossier_views(summary), others=other_files(summary, folder),
                    other_report=report.xlsx if report else "")


def render_reports(job: Job) -> str:
    """Return the result fragment of the reports job: where they are, a download per household, findings."""
    outcome: ReportsOutcome = job.result
    dossiers = {d.dossier: d.household for d in outcome.summary.dossiers}
    return fragment("retour_reports.html", outcome=outcome, reports=outcome.summary.reports or (),
                    dossiers=dossiers, day=outcome.summary.meeting.isoformat() if outcome.summary.meeting else "")


def render_outcome(job: Job) -> str:
    """Return the result fragment of a finished run: the files brought in, then the check."""
    outcome: RetourOutcome = job.result
    summary = render_summary(outcome.summary, outcome.meeting, outcome.folder) if outcome.summary else ""
    reports = job_fragment(outcome.reports_job) if outcome.reports_job is not None else ""
    return fragment("retour_result.html", outcome=outcome, summary=summary, reports=reports,
                    stored=sum(r.outcome == STORED for r in outcome.received),
                    known=sum(r.outcome == KNOWN for r in outcome.received),
                    refused=sum(r.outcome == REFUSED for r in outcome.received))


# --- the routes ---------------------------------------------------------------------------


def last_check(folders: MeetingFolders) -> tuple[CheckSummary | None, list[Finding]]:
    """Return the summary of the meeting's last check (its reports' manifest), or None; a damaged one's finding."""
    if not (folders.reports / MANIFEST).exists():
        return None, []
    return read_summary(folders.reports)


def _view(request: Request, meeting: dt.date | None, *, problem: str = "", status_code: int = 200,
          job: tuple[Job | None, str] = (None, "")) -> HTMLResponse:
    st = state(request)
    context: dict[str, object] = {"meetings": meetings(st.loaded.register) if st.loaded else [], "meeting": meeting, "problem": problem,
                                  "accept": ACCEPT, "max_files": MAX_FILES,
                                  "max_mb": DEFAULT_LIMITS.max_file_bytes // MB}
    if meeting is not None:
        folders = st.folders(meeting)
        last, damaged = (None, []) if job[0] is not None else last_check(folders)
        context.update(day=meeting.isoformat(), folder=str(folders.returns), count=len(_stored(folders.returns)),
                       job=job[1],
                       last=render_summary(last, meeting, folders.returns) if last is not None else "",
                       damaged=damaged)
    return page(request, "retour.html", SLUG, TITLE, status_code=status_code, **context)


def _stored(folder: Path) -> list[Path]:
    """Return the files in the returns folder the check reads."""
    return collect_files([folder]) if folder.is_dir() else []


async def index(request: Request) -> Response:
    """Return the meeting choice; `?datum=` goes on to that meeting's Retour page."""
    return SECTION.pick(request) or _view(request, None)


@SECTION.for_meeting
async def show(request: Request, meeting: dt.date) -> Response:
    """Return a meeting's Retour page: the drop zone, the folder field, and the running or last check."""
    return _view(request, meeting, job=job_for(request, state(request).scope(SLUG, meeting)))


def _start(request: Request, space: Workspace, meeting: dt.date, title: str,
           work: Callable[[ProgressCallback], RetourOutcome]) -> Response:
    """Start a run as a job and send the browser to the meeting's page, which shows its progress."""
    return SECTION.to_job(meeting, state(request).jobs.start(title, work, scope=space.scope(SLUG, meeting),
                                                             render=render_outcome))


@accepts_upload
@SECTION.for_meeting
async def upload(request: Request, meeting: dt.date) -> Response:
    """Receive dropped files into the meeting's folder, then take them in and check them in one job."""
    st, space = state(request), workspace(request)
    folders = space.folders(meeting)
    try:
        received = await receive_upload(request, folders.returns, st.keys.csrf_ok,
                                        csrf_seen=st.keys.csrf_ok(request.headers.get("x-csrf-token")),
                                        prepare=lambda folder: ensure_writable(folder, create=True))
    except UploadRefused as refusal:
        if refusal.forbidden:
            return HTMLResponse(refusal_page(NO_CSRF), status_code=403)
        return _view(request, meeting, status_code=400, problem=_refusal_text(refusal))
    except (OSError, FormkitError) as e:
        return _view(request, meeting, status_code=400, problem=_folder_problem(folders.returns, e))
    if not received.files:
        received.discard()
        return _view(request, meeting, status_code=400, problem="Kies eerst de bestanden (of sleep ze op het vak).")
    return _start(request, space, meeting, "Teruggestuurde bestanden opslaan en controleren",
                  lambda progress: _bring_in_upload(st, space, meeting, received, progress))


def _bring_in_upload(st: AppState, space: Workspace, meeting: dt.date, received: Upload,
                     progress: ProgressCallback) -> RetourOutcome:
    """Return the outcome of an upload: files refused while streaming keep their finding, the rest is taken in."""
    try:
        early = [Received(item.name, REFUSED, finding=item.finding) for item in received.files if item.path is None]
        sources = [(item.path, item.name) for item in received.files if item.path is not None]
        outcome = bring_in(st, space, meeting, sources, move=True, progress=progress)
        outcome.received[:0] = early
        return outcome
    finally:
        received.discard()


def _refusal_text(refusal: UploadRefused) -> str:
    if refusal.kind is Refusal.TOO_MANY_FILES:
        return (f"Te veel bestanden in één keer: hoogstens {MAX_FILES}. Er is niets opgeslagen; "
                "upload ze in delen of neem ze uit een map.")
    return "De bestanden kwamen niet (helemaal) aan; er is niets opgeslagen. Kies ze en probeer het opnieuw."


def overlaps(source: Path, work: Path) -> bool:
    """True when the folder `source` lies inside the work folder `work`, is it, or contains it (resolved)."""
    try:
        a, b = source.resolve(), work.resolve()
    except (OSError, RuntimeError):
        return False
    return a.is_relative_to(b) or b.is_relative_to(a)


def _folder_problem(folder: Path, error: Exception) -> str:
    reason = describe_os_error(error) if isinstance(error, OSError) else visible(str(error))
    return f"De map {folder} is niet te gebruiken ({reason}); er is niets opgeslagen."


@SECTION.for_meeting
async def from_folder(request: Request, meeting: dt.date) -> Response:
    """Take the files of a folder the secretary names into the meeting's folder, then check them in one job."""
    st = state(request)
    form = await request.form()
    raw = form.get("pad")
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return _view(request, meeting, status_code=400, problem="Vul het pad van de map met de bestanden in.")
    source = typed_path(text)
    if isinstance(source, str):
        return _view(request, meeting, status_code=400, problem=source)
    if not is_dir(source):
        what = "is een bestand, geen map" if is_file(source) else "bestaat niet"
        return _view(request, meeting, status_code=400, problem=f"{shown(text)} {what}. Kies een map.")
    space = workspace(request)
    folders = space.folders(meeting)
    if source.resolve() == folders.returns.resolve():
        return _start(request, space, meeting, "Teruggestuurde bestanden controleren",
                      lambda progress: recheck(st, space, meeting, progress))
    if overlaps(source, space.folder):
        return _view(request, meeting, status_code=400, problem=(
            f"{shown(text)} ligt in de werkmap van formkit ({space.folder}) of bevat die; daar staan de bestanden "
            "die formkit zelf maakt. Kies de map waarin de teruggestuurde formulieren zijn opgeslagen."))
    try:
        files = collect_files([source])
    except OSError as e:
        return _view(request, meeting, status_code=400, problem=_folder_problem(source, e))
    if not files:
        return _view(request, meeting, status_code=400, problem=f"In {visible(text)} staan geen bestanden.")
    if len(files) > MAX_FILES:
        return _view(request, meeting, status_code=400, problem=(
            f"In {visible(text)} staan {len(files)} bestanden; hoogstens {MAX_FILES} in één keer. "
            "Er is niets opgeslagen."))
    sources = [(path, visible(path.name)) for path in files]
    return _start(request, space, meeting, "Teruggestuurde bestanden opslaan en controleren",
                  lambda progress: bring_in(st, space, meeting, sources, move=False, progress=progress))


@SECTION.for_meeting
async def check_again(request: Request, meeting: dt.date) -> Response:
    """Check the meeting's returns folder again (after a change to the register, say), in one job."""
    st, space = state(request), workspace(request)
    return _start(request, space, meeting, "Teruggestuurde bestanden controleren",
                  lambda progress: recheck(st, space, meeting, progress))


@SECTION.for_meeting
async def report(request: Request, meeting: dt.date) -> Response:
    """Return one report of the meeting's last check (?dossier=...&soort=xlsx|docx), only from its reports folder."""
    folders = state(request).folders(meeting)
    summary, _ = last_check(folders)
    names = summary.report_of(request.query_params.get("dossier", "")) if summary else None
    kind = request.query_params.get("soort")
    name = (names.xlsx if kind == "xlsx" else names.docx if kind == "docx" else None) if names else None
    path = folders.reports / name if name else None
    if path is None or not servable(path, folders.reports):
        return SECTION.message(request, "Dit controlerapport is er niet (meer); controleer de bestanden opnieuw.", 404)
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")


PAGE = Page(SLUG, TITLE, [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/uploaden", upload, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/map", from_folder, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/controleren", check_again, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/rapport", report, methods=["GET"]),
])
