"""The Overleg page: pick a meeting of the register, see its households, make their forms, download them.

Making the forms is a job (:mod:`formkit.app.jobs`) doing what ``formkit forms`` and
``formkit docs`` do, with the same library calls, into the meeting's folder
(:class:`formkit.app.config.MeetingFolders`): the templates checked first, the secretariat's
key (made when missing, as ``formkit forms`` does), the register's findings about these
households, and a record per file in the disclosure log beside the register.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...core.atomic import ensure_writable
from ...core.locking import folder_locks
from ...core.paths import id_part
from ...core.templates import SCORE_SHEET, TOP3
from ...core.text import person_label
from ...delivery.disclosures import disclose, form_disclosures, top3_disclosures
from ...documents.word import write_top3_forms
from ...register.check import relevant
from ...register.model import Register
from ...sheets.forms import write_forms
from ...sheets.seal import key_path, load_key
from ..config import MeetingFolders
from ..jobs import Job, ProgressCallback, counted
from ..state import AppState, Workspace
from ..view import finding_rows, fragment, job_for, page, state
from . import Page
from .meetings import COMMAND, MeetingOutcome, Section, meetings, refused, reread_register, template_findings, workspace

SLUG = "overleg"
SECTION = Section(SLUG, "Overleg")
#: The kinds of file a meeting's forms folder holds: score sheets and TOP-3 forms.
SUFFIXES = (".xlsx", ".docx")


@dataclass(frozen=True)
class HouseholdRow:
    """One household on a meeting's agenda: dossier, name, time and its professionals ("name (organisation)")."""

    dossier: str
    name: str
    time: str
    professionals: list[str]


@dataclass
class FormsOutcome(MeetingOutcome):
    """What making a meeting's forms did: files written (and left alone), findings, a new key."""

    score_sheets: list[Path] = field(default_factory=list)
    top3: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    new_key: Path | None = None


def agenda(register: Register, meeting: dt.date) -> list[HouseholdRow]:
    """Return the households on a meeting, in agenda order, with their professionals."""
    times = {item.dossier: item.time or "" for item in register.meeting_items if item.date == meeting}
    rows = []
    for dossier in register.dossiers_on(meeting):
        household = register.household(dossier)
        rows.append(HouseholdRow(dossier, household.name if household else "", times.get(dossier, ""),
                                 [person_label(p.name, p.organisation) for p in register.professionals_of(dossier)]))
    return rows


def meeting_files(folders: MeetingFolders, register: Register) -> list[tuple[str, Path]]:
    """Return (dossier, file) for each form of this meeting's households in its forms folder; nothing else."""
    day = folders.meeting.isoformat()
    found = []
    for dossier in register.dossiers_on(folders.meeting):
        folder = folders.forms / id_part(dossier)
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (path.suffix in SUFFIXES and path.stem.endswith(f"_{day}") and path.is_file()
                    and not path.is_symlink()):
                found.append((dossier, path))
    return found


def make_forms(st: AppState, space: Workspace, meeting: dt.date, force: bool, progress: ProgressCallback) -> FormsOutcome:
    """Return what writing the meeting's score sheets and TOP-3 forms did, as `formkit forms` and `formkit docs`.

    `space`: the register and work folder chosen when the job started, whatever is chosen since.
    """
    config, folders = st.config, space.folders(meeting)
    outcome = FormsOutcome(meeting, folders.forms)
    progress(0, 0, "Sjablonen controleren")
    if refused(outcome, template_findings(st, [SCORE_SHEET, TOP3])):
        return outcome
    loaded, unusable = reread_register(space)
    if refused(outcome, unusable):
        return outcome
    ensure_writable(folders.forms, create=True)
    path = key_path(config.key_setting(), explicit=config.key)
    existed = path.exists()
    key = load_key(path, create=True)
    outcome.new_key = None if existed else path
    with folder_locks([folders.forms], "het maken van de formulieren"):
        sheets = write_forms(loaded.register, meeting, folders.forms, force=force, templates_dir=config.templates,
                             settings=st.settings, progress=counted(progress, "Scoreformulieren maken"), key=key)
        docs = write_top3_forms(loaded.register, meeting, folders.forms, force=force, templates_dir=config.templates,
                                settings=st.settings, progress=counted(progress, "TOP-3 formulieren maken"))
    outcome.score_sheets = [job.path for job in sheets.written]
    outcome.top3 = list(docs.written)
    outcome.existing = [job.path for job in sheets.existing] + list(docs.existing)
    outcome.findings += list(dict.fromkeys(relevant(loaded.findings, sheets.dossiers) + sheets.findings + docs.findings))
    outcome.findings += disclose(space.history(), form_disclosures(sheets.written, loaded.register, COMMAND)
                                 + top3_disclosures(docs.written, docs.dossiers, folders.forms, meeting, COMMAND))
    return outcome


def render_outcome(job: Job) -> str:
    """Return the result fragment of a finished forms job: counts, files, findings and the download."""
    outcome: FormsOutcome = job.result
    written = sorted(outcome.score_sheets + outcome.top3)
    return fragment("overleg_result.html", outcome=outcome, rows=finding_rows(outcome.findings),
                    written=[str(p.relative_to(outcome.folder)) for p in written],
                    existing=len(outcome.existing), day=outcome.meeting.isoformat())


def zipped(paths: list[Path], folder: Path) -> bytes:
    """Return the files as one zip, each under its path inside `folder`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in paths:
            zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


index = SECTION.picker("overleg.html")


@SECTION.for_meeting
async def show(request: Request, meeting: dt.date) -> Response:
    """Return a meeting's page: its households, the forms made so far and the button to make them."""
    st = state(request)
    assert st.loaded is not None
    register = st.loaded.register
    folders = st.folders(meeting)
    job, job_html = job_for(request, st.scope(SLUG, meeting))
    files = meeting_files(folders, register)
    return page(request, "overleg.html", SLUG, "Overleg", meeting=meeting, rows=agenda(register, meeting),
                meetings=meetings(register), folder=str(folders.forms),
                files=[str(p.relative_to(folders.forms)) for _, p in files],
                job=job_html,
                show_files=job is None or job.finished)  # while a job runs, its result will list the files


@SECTION.for_meeting
async def make(request: Request, meeting: dt.date) -> Response:
    """Start the job that makes the meeting's forms; the page shows its progress."""
    st = state(request)
    form = await request.form()
    force = form.get("overschrijven") == "ja"
    space = workspace(request)
    job = st.jobs.start("Scoreformulieren en TOP-3 formulieren maken",
                        lambda progress: make_forms(st, space, meeting, force, progress), scope=space.scope(SLUG, meeting),
                        render=render_outcome)
    return SECTION.to_job(meeting, job)


@SECTION.for_meeting
async def download(request: Request, meeting: dt.date) -> Response:
    """Return the meeting's forms as one zip; only the files of the households on this meeting."""
    st = state(request)
    assert st.loaded is not None
    folders = st.folders(meeting)
    files = meeting_files(folders, st.loaded.register)
    if not files:
        return SECTION.message(request, "Voor dit overleg zijn nog geen formulieren gemaakt.", 404)
    content = await run_in_threadpool(zipped, [path for _, path in files], folders.forms)  # off the event loop
    name = f"formulieren_{meeting.isoformat()}.zip"
    return Response(content, media_type="application/zip",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


PAGE = Page(SLUG, "Overleg", [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/formulieren", make, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/formulieren.zip", download, methods=["GET"]),
])
