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

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ...core.atomic import ensure_writable
from ...core.findings import Code, Finding, finding, has_errors
from ...core.locking import folder_locks
from ...core.paths import id_part
from ...core.templates import SCORE_SHEET, TOP3
from ...core.text import person_label, visible
from ...delivery.disclosures import disclose, form_disclosures, top3_disclosures
from ...delivery.template_check import preflight
from ...documents.word import write_top3_forms
from ...plan.history import default_path
from ...register.check import relevant
from ...register.model import Register
from ...sheets.forms import write_forms
from ...sheets.seal import key_path, load_key
from ..config import MeetingFolders
from ..jobs import Job, ProgressCallback, counted
from ..state import AppState
from ..view import finding_rows, fragment, job_fragment, page, state
from . import Page

SLUG = "overleg"
#: The command the disclosure log names for files the app made.
COMMAND = "formkit app"
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
class FormsOutcome:
    """What making a meeting's forms did: files written (and left alone), findings, a new key."""

    meeting: dt.date
    folder: Path
    score_sheets: list[Path] = field(default_factory=list)
    top3: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
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


def parse_meeting(text: str) -> dt.date | None:
    """Return the date of an address part (jjjj-mm-dd), or None."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def make_forms(st: AppState, meeting: dt.date, force: bool, progress: ProgressCallback) -> FormsOutcome:
    """Return what writing the meeting's score sheets and TOP-3 forms did, as `formkit forms` and `formkit docs`."""
    config, folders = st.config, MeetingFolders(st.config.folder, meeting)
    outcome = FormsOutcome(meeting, folders.forms)
    progress(0, 0, "Sjablonen controleren")
    checked = preflight(config.templates, [SCORE_SHEET, TOP3], st.settings)
    outcome.findings += checked
    if has_errors(checked):
        outcome.findings.append(finding(Code.templates_refused, folder=str(config.templates or "van formkit")))
        return outcome
    assert st.register_path is not None
    loaded = st.choose_register(st.register_path)  # read again, as each command does: it may have been changed
    if not loaded.register.households and has_errors(loaded.findings):
        outcome.findings += loaded.findings
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
    history = default_path(st.register_path)
    outcome.findings += disclose(history, form_disclosures(sheets.written, loaded.register, COMMAND)
                                 + top3_disclosures(docs.written, docs.dossiers, folders.forms, meeting, COMMAND))
    return outcome


def render_outcome(job: Job) -> str:
    """Return the result fragment of a finished forms job: counts, files, findings and the download."""
    outcome: FormsOutcome = job.result
    written = sorted(outcome.score_sheets + outcome.top3)
    return fragment("overleg_result.html", outcome=outcome, rows=finding_rows(outcome.findings),
                    written=[str(p.relative_to(outcome.folder)) for p in written],
                    existing=len(outcome.existing), day=outcome.meeting.isoformat())


def _no_register(request: Request) -> HTMLResponse:
    return page(request, "message.html", SLUG, "Overleg", status_code=409,
                text="Kies eerst het register op de pagina Register; daarin staan de overleggen.")


async def index(request: Request) -> Response:
    """Return the list of meetings to pick from; `?datum=` goes on to that meeting's page."""
    st = state(request)
    chosen = request.query_params.get("datum")
    if chosen and parse_meeting(chosen) is not None:
        return RedirectResponse(f"/{SLUG}/{chosen}", status_code=303)
    if st.loaded is None:
        return _no_register(request)
    register = st.loaded.register
    return page(request, "overleg.html", SLUG, "Overleg", meetings=[
        (d, len(register.dossiers_on(d))) for d in register.meeting_dates()], meeting=None)


async def show(request: Request) -> Response:
    """Return a meeting's page: its households, the forms made so far and the button to make them."""
    st = state(request)
    if st.loaded is None:
        return _no_register(request)
    register = st.loaded.register
    meeting = parse_meeting(request.path_params["datum"])
    if meeting is None or meeting not in register.meeting_dates():
        return page(request, "message.html", SLUG, "Overleg", status_code=404,
                    text=f"Er staat geen casusoverleg op {visible(request.path_params['datum'])} in het register.")
    folders = MeetingFolders(st.config.folder, meeting)
    job = st.jobs.get(request.query_params.get("taak", ""))
    files = meeting_files(folders, register)
    return page(request, "overleg.html", SLUG, "Overleg", meeting=meeting, rows=agenda(register, meeting),
                meetings=[(d, len(register.dossiers_on(d))) for d in register.meeting_dates()],
                folder=str(folders.forms), files=[str(p.relative_to(folders.forms)) for _, p in files],
                job=job_fragment(job) if job is not None else "",
                show_files=job is None or job.finished)  # while a job runs, its result will list the files


async def make(request: Request) -> Response:
    """Start the job that makes the meeting's forms; the page shows its progress."""
    st = state(request)
    if st.loaded is None or st.register_path is None:
        return _no_register(request)
    meeting = parse_meeting(request.path_params["datum"])
    if meeting is None or meeting not in st.loaded.register.meeting_dates():
        return page(request, "message.html", SLUG, "Overleg", status_code=404,
                    text="Dit casusoverleg staat niet in het register.")
    form = await request.form()
    force = form.get("overschrijven") == "ja"
    job = st.jobs.start("Scoreformulieren en TOP-3 formulieren maken",
                        lambda progress: make_forms(st, meeting, force, progress), render=render_outcome)
    return RedirectResponse(f"/{SLUG}/{meeting.isoformat()}?taak={job.id}", status_code=303)


async def download(request: Request) -> Response:
    """Return the meeting's forms as one zip; only the files of the households on this meeting."""
    st = state(request)
    if st.loaded is None:
        return _no_register(request)
    meeting = parse_meeting(request.path_params["datum"])
    if meeting is None or meeting not in st.loaded.register.meeting_dates():
        return page(request, "message.html", SLUG, "Overleg", status_code=404,
                    text="Dit casusoverleg staat niet in het register.")
    folders = MeetingFolders(st.config.folder, meeting)
    files = meeting_files(folders, st.loaded.register)
    if not files:
        return page(request, "message.html", SLUG, "Overleg", status_code=404,
                    text="Voor dit overleg zijn nog geen formulieren gemaakt.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for _, path in files:
            zf.write(path, path.relative_to(folders.forms).as_posix())
    name = f"formulieren_{meeting.isoformat()}.zip"
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


PAGE = Page(SLUG, "Overleg", [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/formulieren", make, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/formulieren.zip", download, methods=["GET"]),
])
