"""The Vergaderpakket page: build a meeting's pack (and one per recipient), list the packs, download them.

Building is a job (:mod:`formkit.app.jobs`) making the same library call as ``formkit pack``
(:func:`formkit.delivery.pack.build_packs`) with the meeting's folders (forms, plans, reports)
and the history beside the register; every household in every pack is recorded in the
disclosure log as the command records it (channel "pakket").

Encryption: the passwords are shown once, on the job's result, and then dropped from the
app's memory (a reload shows "al getoond"). The password list that ``build_packs`` writes
beside the packs is removed at once: encrypted packs with their passwords in the same folder
protect nothing, and the secretariat has just seen the passwords on the page. Whoever loses
them builds the packs again, which gives new packs with new passwords.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ...core.atomic import ensure_writable
from ...core.locking import folder_locks
from ...core.templates import AGENDA, OVERVIEW, TOP3
from ...core.text import person_label
from ...delivery.disclosures import SECRETARIAT, disclose, pack_disclosures
from ...delivery.pack import PACK_KIND, PACKS_PER_RECIPIENT, PackFile, build_packs, pack_path
from ...plan.history import History, file_fingerprint
from ...register.model import Register
from ..config import MeetingFolders
from ..jobs import Job, ProgressCallback, counted
from ..state import AppState, Workspace
from ..view import finding_rows, fragment, job_for, page, state
from . import Page
from .meetings import (
    COMMAND,
    NOT_IN_REGISTER,
    MeetingOutcome,
    Section,
    ShownOnce,
    meetings,
    refused,
    reread_register,
    servable,
    template_findings,
    workspace,
)

SLUG = "pakket"
TITLE = "Vergaderpakket"
SECTION = Section(SLUG, TITLE, unknown=NOT_IN_REGISTER)
JOB_TITLE = "Vergaderpakket maken"


@dataclass(frozen=True)
class PackRow:
    """One pack as the page lists it: file (relative to the packs folder), recipient, households, pages."""

    file: str
    recipient: str
    dossiers: tuple[str, ...] | None  # None: the disclosure log does not know this file's bytes
    pages: int | None = None


@dataclass
class PackOutcome(MeetingOutcome, ShownOnce):
    """What building a meeting's packs did; the passwords (file, recipient, password) until shown once."""

    rows: list[PackRow] = field(default_factory=list)
    not_included: list[str] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    encrypted: bool = False


def recipient_label(pack: PackFile) -> str:
    """Return who a pack is for: "name (organisation)", or the secretariat for the full pack."""
    return person_label(pack.recipient.name, pack.recipient.organisation) if pack.recipient else SECRETARIAT


def make_packs(st: AppState, space: Workspace, meeting: dt.date, per_recipient: bool, encrypt: bool,
               progress: ProgressCallback) -> PackOutcome:
    """Return what building the meeting's packs did, as `formkit pack` with the meeting's folders.

    `space`: the register and work folder chosen when the job started, whatever is chosen since.
    """
    config, folders = st.config, space.folders(meeting)
    outcome = PackOutcome(meeting, folders.packs, encrypted=encrypt)
    progress(0, 0, "Sjablonen controleren")
    if refused(outcome, template_findings(st, [AGENDA, OVERVIEW, TOP3])):
        return outcome
    loaded, unusable = reread_register(space)
    if refused(outcome, unusable):
        return outcome
    ensure_writable(folders.packs, create=True)
    history = History(space.history())
    progress(0, 0, "Documenten omzetten met LibreOffice (dit kan een paar minuten duren)")
    with folder_locks([folders.packs], "het maken van de pakketten"):
        result = build_packs(loaded.register, meeting, folders.packs, forms_dir=_folder(folders.forms),
                             plans_dir=_folder(folders.plans), reports_dir=_folder(folders.reports),
                             per_recipient=per_recipient, encrypt=encrypt, history=history,
                             templates_dir=config.templates, settings=st.settings,
                             progress=counted(progress, "Pakketten samenstellen"),
                             password_list=False)  # a list would lie beside the packs it opens: the page shows them
    outcome.findings += result.findings + disclose(history, pack_disclosures(result.packs, COMMAND))
    outcome.not_included = list(result.not_included)
    outcome.documents, outcome.seconds = result.documents, result.conversion_seconds
    outcome.rows = [PackRow(_relative(p.path, folders.packs), recipient_label(p), p.dossiers, p.pages)
                    for p in result.packs]
    if encrypt:
        outcome.passwords = [(_relative(p.path, folders.packs), recipient_label(p), p.password)
                             for p in result.packs if p.password]
    return outcome


def _folder(path: Path) -> Path | None:
    """Return the folder when it exists (the command takes only folders that exist), else None."""
    return path if path.is_dir() else None


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def render_outcome(job: Job) -> str:
    """Return the result of a finished pack job: the packs with downloads, and the passwords the first time only."""
    outcome: PackOutcome = job.result
    passwords = outcome.take_passwords()
    return fragment("pakket_result.html", outcome=outcome, rows=finding_rows(outcome.findings),
                    passwords=passwords, day=outcome.meeting.isoformat())


# --- the packs on disk ---------------------------------------------------------------------


def pack_files(folders: MeetingFolders) -> list[Path]:
    """Return the meeting's pack files in its packs folder: the full pack and the per-recipient ones, no links."""
    day = folders.meeting.isoformat()
    found = [folders.packs / f"pakket_{day}.pdf"]
    recipients = folders.packs / PACKS_PER_RECIPIENT
    if recipients.is_dir() and not recipients.is_symlink():
        found += sorted(recipients.glob(f"pakket_{day}_*.pdf"))
    return [p for p in found if servable(p, folders.packs)]


def listed_packs(folders: MeetingFolders, register: Register, history_path: Path | None) -> list[PackRow]:
    """Return the meeting's packs on disk with their recipient and the households the disclosure log recorded."""
    logged: dict[str, set[str]] = {}
    if history_path is not None and history_path.is_file():
        for entry in History(history_path).disclosures():
            if entry.disclosure.kind == PACK_KIND:
                logged.setdefault(entry.disclosure.fingerprint, set()).add(entry.disclosure.dossier)
    names = {pack_path(folders.packs, folders.meeting, p.code): person_label(p.name, p.organisation)
             for p in register.professionals}
    rows = []
    for path in pack_files(folders):
        try:
            dossiers = logged.get(file_fingerprint(path))
        except OSError:
            dossiers = None
        who = SECRETARIAT if path.parent == folders.packs else names.get(path, path.stem)
        rows.append(PackRow(_relative(path, folders.packs), who, tuple(sorted(dossiers)) if dossiers else None))
    return rows


# --- the routes ----------------------------------------------------------------------------


index = SECTION.picker("pakket.html")


@SECTION.for_meeting
async def show(request: Request, meeting: dt.date) -> Response:
    """Return a meeting's pack page: what goes in, the build form, the running job and the packs on disk."""
    return await run_in_threadpool(_show, request, meeting)  # every pack hashed, the whole log read: off the loop


def _show(request: Request, meeting: dt.date) -> Response:
    st = state(request)
    loaded, space = st.loaded, workspace(request)
    assert loaded is not None
    folders = space.folders(meeting)
    job, job_html = job_for(request, space.scope(SLUG, meeting))
    sources = [("TOP-3 formulieren", folders.forms), ("Plannen", folders.plans), ("Controlerapporten", folders.reports)]
    return page(request, "pakket.html", SLUG, TITLE, meeting=meeting, meetings=meetings(loaded.register),
                dossiers=loaded.register.dossiers_on(meeting), folder=str(folders.packs),
                sources=[(what, str(path), path.is_dir()) for what, path in sources],
                packs=listed_packs(folders, loaded.register, space.history()),
                job=job_html if job is None or job.title == JOB_TITLE else "")


@SECTION.for_meeting
async def make(request: Request, meeting: dt.date) -> Response:
    """Start the job that builds the meeting's packs; the page shows its progress."""
    st = state(request)
    form = await request.form()
    per_recipient, encrypt = form.get("per_ontvanger") == "ja", form.get("versleutelen") == "ja"
    space = workspace(request)
    job = st.jobs.start(JOB_TITLE, lambda progress: make_packs(st, space, meeting, per_recipient, encrypt, progress),
                        scope=space.scope(SLUG, meeting), render=render_outcome)
    return SECTION.to_job(meeting, job)


@SECTION.for_meeting
async def download(request: Request, meeting: dt.date) -> Response:
    """Return one of the meeting's packs; only a file the pack folder lists, never a path taken from the address."""
    folders = state(request).folders(meeting)
    wanted = request.path_params["bestand"]
    for path in pack_files(folders):
        if _relative(path, folders.packs) == wanted and servable(path, folders.packs):
            return FileResponse(path, media_type="application/pdf", filename=path.name)
    return SECTION.message(request, "Dit pakket bestaat niet (meer) bij dit overleg. Maak het pakket opnieuw.", 404)


PAGE = Page(SLUG, TITLE, [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/maken", make, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/{{bestand:path}}", download, methods=["GET"]),
])
