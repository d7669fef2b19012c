"""The Plannen page: merge a meeting's returned forms into plans, read each household's plan, download its files.

Merging is a job (:mod:`formkit.app.jobs`) making the library calls ``formkit merge`` makes:
the plan template checked first, every file in the meeting's ``retour`` folder read and
checked (:func:`formkit.returns.batch.check_batch`), each household's next version written
into the meeting's ``plannen`` folder (:func:`formkit.documents.plan_files.merge_and_write`),
recorded in the history store beside the register, and disclosed there as the command does.

A household's plan is shown from the same values the Word document is made of
(:func:`formkit.documents.word.plan_context`), its tables with the workbook's columns
(:data:`formkit.documents.plan_workbook.SHEETS`), so the page never states a rule of its own.
A household's address holds its dossier as formkit names its folders (:func:`formkit.core.paths.id_part`):
any dossier id routes, and a part that names no household of the meeting reaches none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ...core.atomic import ensure_writable, ensure_writable_file
from ...core.findings import Code, Finding, finding
from ...core.locking import folder_locks
from ...core.paths import id_part
from ...core.templates import PLAN
from ...core.text import person_label
from ...delivery.archive import ArchivePlan, write_archive_copies
from ...delivery.disclosures import plan_disclosure
from ...delivery.pdf import LibreOfficeMissing
from ...documents.plan_files import merge_and_write
from ...documents.plan_workbook import SHEETS, Fields
from ...documents.word import plan_context
from ...plan.history import History
from ...plan.merge import NoFormsReceived
from ...plan.model import Plan
from ...plan.versions import (
    StoredPlan,
    archive_path,
    latest_intact,
    meeting_dir,
    plan_file_stem,
    read_version,
    version_dir,
    version_numbers,
    word_files,
)
from ...register.model import Register
from ...returns.batch import check_batch
from ...sheets.schema import Schema, build_schema
from ...sheets.seal import key_path, load_key
from ..config import MeetingFolders
from ..fields import shown
from ..jobs import Job, ProgressCallback, counted
from ..state import AppState, Workspace
from ..view import finding_rows, fragment, job_for, page, state
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

SLUG = "plannen"
TITLE = "Plannen"
SECTION = Section(SLUG, TITLE)
#: The kinds of file a version can be downloaded as, by the last part of its address.
KINDS = ("docx", "xlsx", "pdf")
#: The kinds' media types.
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
#: Sheets of the workbook the page shows elsewhere: the overview (the plan's head) and the changes (per version).
NOT_AS_TABLE = ("Plan", "Wijzigingen")


# --- merging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergedRow:
    """One household after a merge: its new version, or why it got none."""

    dossier: str
    household: str
    text: str
    version: int | None = None


@dataclass
class MergeOutcome(MeetingOutcome):
    """What merging a meeting's returned forms did: a row per household, and every finding to show."""

    rows: list[MergedRow] = field(default_factory=list)
    form_errors: int = 0
    history: Path | None = None
    refused: str = ""  # why nothing was merged at all


def merge_meeting(st: AppState, space: Workspace, meeting: dt.date, archive: bool,
                  progress: ProgressCallback) -> MergeOutcome:
    """Return what merging the meeting's returned forms did, with the library calls of `formkit merge`.

    `space`: the register and work folder chosen when the job started, whatever is chosen since.
    """
    folders = space.folders(meeting)
    outcome = MergeOutcome(meeting, folders.plans)
    progress(0, 0, "Sjabloon van het plan controleren")
    if refused(outcome, template_findings(st, [PLAN])):
        return outcome
    loaded, unusable = reread_register(space)
    if refused(outcome, unusable):
        return outcome
    if not folders.returns.is_dir():
        outcome.refused = (f"Er zijn nog geen teruggestuurde formulieren voor dit overleg (de map {folders.returns} "
                           "bestaat niet). Zet ze eerst op de pagina Retour.")
        return outcome
    history = History(space.history())
    outcome.history = history.path
    ensure_writable(folders.plans, create=True)
    ensure_writable_file(history.path)
    schema = build_schema(st.settings)
    key = load_key(key_path(st.config.key_setting(), explicit=st.config.key), create=False)
    batch = check_batch([folders.returns], loaded.register, schema, meeting=meeting, jobs=1, key=key,
                        progress=counted(progress, "Formulieren lezen"))
    archive_plans: list[ArchivePlan] = []
    with folder_locks([folders.plans], "het samenvoegen"):
        for plan, folder in merge_and_write(batch, loaded.register, schema, folders.plans, st.config.templates, 1,
                                            counted(progress, "Plannen schrijven")):
            archive_plans += _merged(outcome, history, plan, folder)
    if archive and archive_plans:
        progress(0, 0, "Archiefkopieën (PDF/A) maken met LibreOffice")
        outcome.findings += archive_copies(archive_plans)
    outcome.findings += history.findings
    outcome.findings += [f for r in batch.files if r.dossier not in batch.dossiers for f in r.findings]
    outcome.form_errors = sum(f.is_error for f in batch.findings())
    return outcome


def archive_copies(plans: list[ArchivePlan]) -> list[Finding]:
    """Return the findings of making the plans' archive copies; without LibreOffice one per plan (the plans stay)."""
    try:
        return write_archive_copies(plans).findings
    except LibreOfficeMissing as e:
        return [finding(Code.plan_archive_failed, dossier=p.dossier, version=p.version, reason=str(e), target=p.docx)
                for p in plans]


def _merged(outcome: MergeOutcome, history: History, plan: Plan,
            folder: Path | Finding | NoFormsReceived) -> list[ArchivePlan]:
    """Record one household's merge as `formkit merge` does; return its plan's Word files for an archive copy."""
    if isinstance(folder, Finding):  # this household's plan could not be written; the rest go on
        outcome.findings.append(folder)
        outcome.rows.append(MergedRow(plan.dossier, plan.household, "niet geschreven (zie de bevindingen)"))
        return []
    if isinstance(folder, NoFormsReceived):  # no accepted form: no plan version, no history entry
        history.record_no_forms(folder.dossier, folder.meeting)
        outcome.rows.append(MergedRow(folder.dossier, folder.household, folder.describe()))
        return []
    history.record(plan)
    history.disclose([plan_disclosure(plan, folder, COMMAND)])
    points = len(plan.open_points)
    outcome.rows.append(MergedRow(plan.dossier, plan.household,
                                  f"versie {plan.version} (kenmerk {plan.fingerprint()}), {points} open "
                                  f"{'punt' if points == 1 else 'punten'}", plan.version))
    return [ArchivePlan(plan.dossier, plan.version, d) for d in word_files(folder)]


def render_merge(job: Job) -> str:
    """Return the result fragment of a finished merge: a row per household with a link, and the findings."""
    outcome: MergeOutcome = job.result
    return fragment("plannen_result.html", outcome=outcome, rows=finding_rows(outcome.findings),
                    day=outcome.meeting.isoformat(), part=id_part)


# --- a household's plan as a page -----------------------------------------------------


@dataclass(frozen=True)
class PlanTable:
    """One part of the plan as a table: the workbook sheet's title and columns, the Word document's rule above it."""

    title: str
    rule: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class VersionRow:
    """One version of a household's plan for a meeting: number, kenmerk and changes; damaged when unreadable."""

    number: int
    fingerprint: str
    changes: list[str]
    damaged: bool


def plan_tables(context: dict, schema: Schema) -> list[PlanTable]:
    """Return the plan's parts as tables: the workbook's sheets (columns from the schema), in the document's order."""
    rules = {"TOP-3": context["regel_top"], "Onveilige situaties": context["regel_woorden"],
             "Veiligheidsbeoordeling": context["regel_consensus"]}
    tables = []
    for title, key, spec in SHEETS:
        if title in NOT_AS_TABLE or key is None:
            continue
        columns = [c for part in spec for c in (part.columns(schema) if isinstance(part, Fields) else [part])]
        items: list[dict[str | None, object]] = [r if isinstance(r, dict) else {None: r} for r in context[key]]
        columns = [(h, k) for h, k in columns if k != "termijnen" or any(r.get(k) for r in items)]
        tables.append(PlanTable(title, rules.get(title, ""), [h for h, _ in columns],
                                [[str(r.get(k) or "") for _, k in columns] for r in items]))
    return tables


def inputs_by_professional(plan: Plan) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Return who said what: per professional every field they filled in (label, value, file and cell)."""
    names = {p.code: person_label(p.name, p.organisation) for p in plan.participants}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for item in plan.inputs:
        who = names.get(item.professional, item.professional)
        found.setdefault(who, []).append((item.label, item.value, f"{item.file} {item.cell}"))
    return list(found.items())


def version_rows(folder: Path) -> list[VersionRow]:
    """Return every version of a household's plan for a meeting, newest first; a damaged one says so."""
    rows = []
    for number in reversed(version_numbers(folder)):
        found = read_version(version_dir(folder, number))
        rows.append(VersionRow(number, found.fingerprint, list(found.plan.changes), False) if found
                    else VersionRow(number, "", [], True))
    return rows


def household_of(register: Register, meeting: dt.date, part: str) -> str | None:
    """Return the dossier of the meeting whose folder name (id_part) is `part`, or None: never another's."""
    return next((d for d in register.dossiers_on(meeting) if id_part(d) == part), None)


def version_files(version: Path, plan: Plan) -> dict[str, Path]:
    """Return a version's files by kind (docx, xlsx, pdf), under formkit's own names; only those that exist."""
    docx = version / f"{plan_file_stem(plan)}.docx"
    candidates = {"docx": docx, "xlsx": docx.with_suffix(".xlsx"), "pdf": archive_path(docx)}
    return {kind: path for kind, path in candidates.items() if path.is_file() and not path.is_symlink()}


@dataclass(frozen=True)
class Chosen:
    """The household and version an address names, once checked against the register and the plans folder."""

    meeting: dt.date
    dossier: str
    folders: MeetingFolders
    folder: Path  # the household's plan versions for this meeting


def for_household(endpoint: Callable[[Request, Chosen], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Return a route running `endpoint(request, chosen)` only for a household of a meeting of the register."""
    @SECTION.for_meeting
    async def route(request: Request, meeting: dt.date) -> Response:
        st = state(request)
        assert st.loaded is not None
        dossier = household_of(st.loaded.register, meeting, request.path_params["deel"])
        if dossier is None:
            return SECTION.message(request, "Dit huishouden staat niet op dit casusoverleg.", 404)
        folders = st.folders(meeting)
        return await endpoint(request, Chosen(meeting, dossier, folders, meeting_dir(folders.plans, dossier, meeting)))
    route.__name__, route.__doc__ = endpoint.__name__, endpoint.__doc__
    return route


def _version(chosen: Chosen, asked: str | None) -> tuple[int, StoredPlan] | None:
    """Return the version asked for (`?versie=`), else the newest intact one; None when there is none."""
    if asked:
        number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 9 else -1  # '²', 5000 digits
        found = read_version(version_dir(chosen.folder, number)) if number in version_numbers(chosen.folder) else None
        return (number, found) if found is not None else None
    number_or_none, latest, _ = latest_intact(chosen.folder)
    return (number_or_none, latest) if number_or_none is not None and latest is not None else None


# --- routes ---------------------------------------------------------------------------


index = SECTION.picker("plannen.html")


@dataclass(frozen=True)
class HouseholdPlans:
    """A household on the meeting page: its address part and its newest intact version (None: no plan yet)."""

    dossier: str
    name: str
    part: str
    version: int | None
    fingerprint: str
    open_points: int


def meeting_households(register: Register, folders: MeetingFolders) -> list[HouseholdPlans]:
    """Return the meeting's households in agenda order, each with its newest intact plan version."""
    rows = []
    for dossier in register.dossiers_on(folders.meeting):
        household = register.household(dossier)
        number, found, _ = latest_intact(meeting_dir(folders.plans, dossier, folders.meeting))
        rows.append(HouseholdPlans(dossier, household.name if household else "", id_part(dossier), number,
                                   found.fingerprint if found else "", len(found.plan.open_points) if found else 0))
    return rows


@SECTION.for_meeting
async def show_meeting(request: Request, meeting: dt.date) -> Response:
    """Return a meeting's plans page: the merge button, its households with their newest plan."""
    st = state(request)
    assert st.loaded is not None
    register = st.loaded.register
    folders = st.folders(meeting)
    _, job_html = job_for(request, st.scope(SLUG, meeting))
    return page(request, "plannen.html", SLUG, TITLE, meeting=meeting, folder=str(folders.plans),
                returns=str(folders.returns), households=meeting_households(register, folders),
                meetings=meetings(register),
                job=job_html)


@SECTION.for_meeting
async def merge(request: Request, meeting: dt.date) -> Response:
    """Start the merge of the meeting's returned forms as a job; the page shows its progress."""
    st = state(request)
    form = await request.form()
    archive = form.get("archief") == "ja"
    space = workspace(request)
    job = st.jobs.start("Samenvoegen tot plannen", lambda progress: merge_meeting(st, space, meeting, archive, progress),
                        scope=space.scope(SLUG, meeting), render=render_merge)
    return SECTION.to_job(meeting, job)


@for_household
async def show_plan(request: Request, chosen: Chosen) -> Response:
    """Return one household's plan: its head, its parts, who said what, its versions and its files."""
    st = state(request)
    found = _version(chosen, request.query_params.get("versie"))
    versions = version_rows(chosen.folder)
    _, job_html = job_for(request, state(request).scope(SLUG, chosen.meeting, chosen.dossier))
    common: dict[str, Any] = {
        "meeting": chosen.meeting, "dossier": chosen.dossier, "part": id_part(chosen.dossier), "versions": versions,
        "job": job_html, "base": f"/{SLUG}/{chosen.meeting.isoformat()}"}
    if found is None:
        asked = request.query_params.get("versie")
        return page(request, "plannen_plan.html", SLUG, f"Plan dossier {chosen.dossier}", plan=None,
                    missing=f"Versie {shown(asked)} van dit plan bestaat niet of is beschadigd." if asked else "",
                    **common)
    number, stored = found
    context = plan_context(stored.plan)
    return page(request, "plannen_plan.html", SLUG, f"Plan dossier {chosen.dossier}", plan=context,
                number=number, latest=versions[0].number == number if versions else True,
                tables=plan_tables(context, build_schema(st.settings)), inputs=inputs_by_professional(stored.plan),
                files=version_files(version_dir(chosen.folder, number), stored.plan), **common)


def _file(request: Request, chosen: Chosen) -> tuple[int, StoredPlan] | Response:
    """Return the version of a download's address, or the page saying there is no such version."""
    number = request.path_params["versie"]
    found = read_version(version_dir(chosen.folder, number)) if number in version_numbers(chosen.folder) else None
    if found is None:
        return SECTION.message(request, f"Versie {number} van dit plan bestaat niet of is beschadigd.", 404)
    return number, found


@for_household
async def download(request: Request, chosen: Chosen) -> Response:
    """Return one file of a plan version (docx, xlsx or pdf) under its own name; only from the meeting's plans."""
    kind = request.path_params["soort"]
    if kind not in KINDS:
        return SECTION.message(request, "Een plan is te downloaden als docx, xlsx of pdf.", 404)
    found = _file(request, chosen)
    if isinstance(found, Response):
        return found
    number, stored = found
    path = version_files(version_dir(chosen.folder, number), stored.plan).get(kind)
    if path is None or not servable(path, chosen.folders.plans):
        text = ("Van deze versie is nog geen PDF gemaakt; maak hem op de pagina van het plan."
                if kind == "pdf" else f"Het {kind}-bestand van deze versie ontbreekt.")
        return SECTION.message(request, text, 404)
    return FileResponse(path, media_type=MEDIA[kind], filename=path.name)


def make_pdf(docx: Path, dossier: str, number: int) -> Callable[[ProgressCallback], list[Finding]]:
    """Return the job making a version's PDF: its archive copy (PDF/A) beside the Word file, as `merge --pdf`."""
    def run(progress: ProgressCallback) -> list[Finding]:
        progress(0, 1, "PDF maken met LibreOffice")
        return write_archive_copies([ArchivePlan(dossier, number, docx)]).findings
    return run


@for_household
async def pdf(request: Request, chosen: Chosen) -> Response:
    """Start the job that makes a version's PDF (archive copy); the plan's page shows its progress."""
    found = _file(request, chosen)
    if isinstance(found, Response):
        return found
    number, stored = found
    docx = version_files(version_dir(chosen.folder, number), stored.plan).get("docx")
    if docx is None or not servable(docx, chosen.folders.plans):
        return SECTION.message(request, "Het Word-bestand van deze versie ontbreekt; er is geen PDF van te maken.", 404)
    address = f"/{SLUG}/{chosen.meeting.isoformat()}/{id_part(chosen.dossier)}"
    st = state(request)
    job = st.jobs.start("PDF maken", make_pdf(docx, chosen.dossier, number),
                        scope=st.scope(SLUG, chosen.meeting, chosen.dossier), render=lambda job: fragment("plannen_pdf.html", rows=finding_rows(job.result),
                                                    href=f"{address}/v{number}/pdf"))
    return RedirectResponse(f"{address}?versie={number}&taak={job.id}", status_code=303)


PAGE = Page(SLUG, TITLE, [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show_meeting, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/samenvoegen", merge, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/{{deel}}", show_plan, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/{{deel}}/v{{versie:int}}/pdf", pdf, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/{{deel}}/v{{versie:int}}/{{soort}}", download, methods=["GET"]),
])
