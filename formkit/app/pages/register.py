"""The Register page: choose register.xlsx (a path, or an upload into the work folder) and see it checked.

The register is read and checked with the same call as ``formkit register check``
(:func:`formkit.register.load.load`); an upload first passes the intake of returned files
(:func:`formkit.returns.intake.inspect_file`, the limits of ``check``), so a hostile file gets
its finding and is not kept. An accepted upload goes into a folder of its own inside
``registers`` in the work folder, named after the file and not yet used there: it never
replaces a register, not even one the app uploaded before, and it has its own work folder
and history beside it (need to know: two uploaded registers share nothing). Reading a register (a large one takes half a second) runs
off the event loop. The chosen register is app state, on the server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ...core.atomic import describe_os_error
from ...core.findings import Finding, has_errors
from ...core.messages import plural
from ...register.model import Register
from ...returns.intake import inspect_file
from ..fields import is_dir, is_file, shown, typed_path
from ..security import NO_CSRF, refusal_page
from ..state import AppState
from ..uploads import UploadRefused, accepts_upload, receive_upload
from ..view import finding_rows, page, state
from . import Page
from .retour import returns_name

#: The folder of uploaded registers in the work folder (their history file goes beside them).
UPLOADS = "registers"
SLUG = "register"


@dataclass(frozen=True)
class MeetingRow:
    """One meeting of the register: its date and how many households are on it."""

    date: object
    households: int


def summary_line(register: Register, name: str) -> str:
    """Return the register's counts as `formkit register check` says them."""
    return (f"Register {name}: {len(register.households)} huishoudens, {len(register.members)} gezinsleden, "
            f"{len(register.professionals)} professionals, {len(register.meeting_dates())} overleggen.")


def result_line(findings: list[Finding]) -> str:
    """Return "Resultaat: n fouten, m waarschuwingen." as `formkit register check` ends."""
    errors = sum(f.is_error for f in findings)
    return (f"Resultaat: {plural(errors, 'fout', 'fouten')}, "
            f"{plural(len(findings) - errors, 'waarschuwing', 'waarschuwingen')}.")


def uploads_folder(st: AppState) -> Path:
    """Return the folder uploaded registers go into: `registers` in the work folder."""
    return st.config.folder / UPLOADS


def _stored_upload(st: AppState, name: str | None) -> str:
    """Return where an upload was stored (`?opgeslagen=<folder>/<name>`), when it is a file in the uploads folder; else ""."""
    parts = (name or "").split("/")
    if len(parts) != 2 or any(not p or p in (".", "..") or p != os.path.basename(p) for p in parts):
        return ""
    path = uploads_folder(st).joinpath(*parts)
    return str(path) if is_file(path) else ""


def _view(request: Request, *, problem: str = "", upload_findings: list[Finding] | None = None,
          status_code: int = 200, path: str | None = None) -> HTMLResponse:
    st = state(request)
    loaded = st.loaded
    context: dict[str, object] = {"problem": problem, "upload_rows": finding_rows(upload_findings or []),
                                  "work_folder": str(st.work_folder()),
                                  "path": path if path is not None else str(st.register_path or st.config.register or ""),
                                  "upload_target": str(uploads_folder(st)),
                                  "stored": _stored_upload(st, request.query_params.get("opgeslagen"))}
    if loaded is not None and st.register_path is not None:
        reg = loaded.register
        context.update(
            chosen=str(st.register_path), register=reg, summary=summary_line(reg, st.register_path.name),
            result=result_line(loaded.findings), usable=bool(reg.households),
            errors=has_errors(loaded.findings), rows=finding_rows(loaded.findings),
            meetings=[MeetingRow(d, len(reg.dossiers_on(d))) for d in reg.meeting_dates()])
    return page(request, "register.html", SLUG, "Register", status_code=status_code, **context)


async def show(request: Request) -> Response:
    """Return the register page: the choice, and the chosen register's findings and contents."""
    return await run_in_threadpool(_view, request)  # thousands of households: off the event loop


async def choose(request: Request) -> Response:
    """Read and check the register at the path typed; show it, or say why the path is no register."""
    form = await request.form()
    raw = form.get("pad")
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return _view(request, problem="Vul het pad van het register in (een .xlsx-bestand).", status_code=400)
    path = typed_path(text)
    if isinstance(path, str):
        return _view(request, problem=path, status_code=400, path="")
    if not is_file(path):
        what = "is een map, geen bestand" if is_dir(path) else "bestaat niet"
        return _view(request, problem=f"{shown(text)} {what}. Kies het register (.xlsx).", status_code=400)
    await run_in_threadpool(state(request).choose_register, path)  # a large register: off the event loop
    return RedirectResponse(f"/{SLUG}", status_code=303)


@accepts_upload
async def upload(request: Request) -> Response:
    """Take an uploaded register into the work folder after the intake's checks, and choose it."""
    st = state(request)
    folder = st.config.folder
    try:
        received = await receive_upload(request, folder, st.keys.csrf_ok,
                                        csrf_seen=st.keys.csrf_ok(request.headers.get("x-csrf-token")))
    except UploadRefused as refused:
        if refused.forbidden:
            return HTMLResponse(refusal_page(NO_CSRF), status_code=403)
        return _view(request, problem="Het bestand kwam niet (helemaal) aan; kies het en probeer het opnieuw.",
                     status_code=400)
    except OSError as e:
        return _view(request, problem=f"De werkmap {folder} is niet te gebruiken ({describe_os_error(e)}).",
                     status_code=400)
    try:
        return await run_in_threadpool(partial(_take, request, st, received.files))  # intake and reading
    finally:
        received.discard()


def _take(request: Request, st: AppState, files: list) -> Response:
    """Keep the one uploaded file when the intake accepts it, under a name of its own; otherwise show why not."""
    if len(files) != 1:
        return _view(request, problem="Kies één registerbestand (.xlsx) om te uploaden.", status_code=400)
    item = files[0]
    problem = item.finding or (inspect_file(item.path) if item.path is not None else None)
    if problem is not None or item.path is None:
        return _view(request, upload_findings=[problem] if problem else [], status_code=400,
                     problem=f"{item.name} is niet als register overgenomen.")
    folder = uploads_folder(st)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _own_folder(folder, returns_name(item.name, [])) / returns_name(item.name, [])
        os.replace(item.path, target)
    except OSError as e:
        return _view(request, problem=f"Kan niet schrijven naar {folder} ({describe_os_error(e)}).", status_code=400)
    st.choose_register(target)
    return RedirectResponse(f"/{SLUG}?opgeslagen={quote(f'{target.parent.name}/{target.name}')}", status_code=303)


def _own_folder(folder: Path, name: str) -> Path:
    """Return a new folder in `folder` for one uploaded register, named after it (" (2)", ... when taken)."""
    suffix = Path(name).suffix
    for _ in range(1000):
        own = folder / Path(returns_name(name, [f"{d}{suffix}" for d in os.listdir(folder)])).stem
        try:
            own.mkdir()  # fails when taken meanwhile: never shares another upload's folder
            return own
        except FileExistsError:
            continue
    raise FileExistsError(folder)


PAGE = Page(SLUG, "Register", [
    Route(f"/{SLUG}", show, methods=["GET"]),
    Route(f"/{SLUG}/kiezen", choose, methods=["POST"]),
    Route(f"/{SLUG}/uploaden", upload, methods=["POST"]),
])
