"""Score sheets for a meeting: one per professional per household on its agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..core import dutch
from ..core.errors import UsageError
from ..core.findings import Code, Finding, finding
from ..core.parallel import Progress, one_by_one, run_chunks
from ..core.paths import id_part
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..core.templates import SCORE_SHEET, template_path
from ..core.text import person_label
from ..register.check import missing_people
from ..register.model import Member, Register
from .names import FormMeta, form_id
from .schema import Schema, build_schema
from .scoresheet import FormContent, ScoreSheetWriter
from .seal import SealKey, default_key


@dataclass(frozen=True)
class FormJob:
    """One score sheet to write: for whom, about which household, and where."""

    dossier: str
    professional: str
    path: Path


@dataclass
class FormsResult:
    """What writing the forms of a meeting did."""

    dossiers: list[str] = field(default_factory=list)  # the households of the meeting handled
    written: list[FormJob] = field(default_factory=list)
    existing: list[FormJob] = field(default_factory=list)  # left alone without --force
    findings: list[Finding] = field(default_factory=list)


def form_path(out_dir: Path, dossier: str, professional: str, meeting: dt.date) -> Path:
    """Return where a score sheet goes; the name holds ids and the date, no personal names.

    Distinct (dossier, professional) pairs never share a path: the folder is the dossier's
    own part (:func:`formkit.core.paths.id_part`), and within it the name holds the code's part.
    """
    d, p = id_part(dossier), id_part(professional)
    return Path(out_dir) / d / f"scoreformulier_{d}_{p}_{meeting.isoformat()}.xlsx"


def select_dossiers(register: Register, meeting: dt.date, dossiers: Iterable[str] = ()) -> list[str]:
    """Return the dossiers of a meeting, or the chosen ones; raise UsageError for others."""
    agenda = register.dossiers_on(meeting)
    if not agenda:
        known = ", ".join(dutch.short_date(d) for d in register.meeting_dates()) or "geen"
        raise UsageError(f"er staat geen casusoverleg op {dutch.short_date(meeting)} in het register "
                         f"(blad Overleggen); bekende overleggen: {known}")
    chosen = list(dict.fromkeys(dossiers))
    unknown = [d for d in chosen if d not in agenda]
    if unknown:
        raise UsageError(f"dossier {', '.join(unknown)} staat niet op het casusoverleg van "
                         f"{dutch.short_date(meeting)}")
    return chosen or agenda


def plan_forms(register: Register, meeting: dt.date, out_dir: Path,
               dossiers: Iterable[str]) -> tuple[list[FormJob], list[Finding]]:
    """Return the forms to write for these dossiers, and findings for households without any."""
    jobs, found = [], []
    for dossier in dossiers:
        household = register.household(dossier)
        if household is None:
            continue  # the register check reports the unknown dossier
        problems = missing_people(register, household)
        found += problems
        if not register.members_of(dossier):
            continue
        for p in register.professionals_of(dossier):
            jobs.append(FormJob(dossier, p.code, form_path(out_dir, dossier, p.code, meeting)))
    return jobs, found


def form_content(register: Register, meeting: dt.date, dossier: str, code: str,
                 schema: Schema) -> FormContent:
    """Return what goes into the form of professional `code` for household `dossier`.

    Raises UsageError when the register does not know the household or the professional.
    """
    household = register.household(dossier)
    professional = register.professional(code)
    if household is None or professional is None:
        unknown = f"dossier {dossier}" if household is None else f"professional {code}"
        raise UsageError(f"{unknown} staat niet in het register")
    members = register.members_of(dossier)
    return FormContent(
        meta=FormMeta(form_id(dossier, code, meeting), dossier, code, meeting, schema.version),
        household_name=household.name,
        phase=household.phase,
        professional_name=professional.name,
        organisation=professional.organisation or "",
        function=professional.function or "",
        members=tuple(m.name for m in members),
        members_text="\n".join(_member_line(m) for m in members),
        professionals=tuple(person_label(p.name, p.organisation) for p in register.professionals_of(dossier)),
    )


def _member_line(m: Member) -> str:
    details = ", ".join(x for x in (m.role, str(m.birth_year) if m.birth_year else None) if x)
    return f"{m.name} ({details})" if details else m.name


def write_forms(
    register: Register,
    meeting: dt.date,
    out_dir: Path,
    *,
    dossiers: Iterable[str] = (),
    force: bool = False,
    templates_dir: Path | None = None,
    settings: MethodSettings = DEFAULT_SETTINGS,
    progress: Progress = lambda items: items,
    jobs: int = 1,
    key: SealKey | None = None,
) -> FormsResult:
    """Write the score sheets of a meeting into `out_dir`; existing files need `force`; `jobs` processes.

    Every form is sealed with `key` (default: the secretariat's usual key, made when missing).
    """
    schema = build_schema(settings)
    template = template_path(SCORE_SHEET, templates_dir)
    selected = select_dossiers(register, meeting, dossiers)
    planned, found = plan_forms(register, meeting, out_dir, selected)
    key = key if key is not None else default_key(create=True)
    result = FormsResult(dossiers=selected, findings=found)

    def contents(chunk: list[FormJob]) -> list[tuple[FormJob, FormContent]]:  # made as each chunk is handed out, not all at once
        return [(job, form_content(register, meeting, job.dossier, job.professional, schema)) for job in chunk]

    for job, outcome in run_chunks(partial(_write_chunk, schema, template, key, force), planned, jobs, progress,
                                   prepare=contents):
        if outcome == "existing":
            result.existing.append(job)
        elif isinstance(outcome, Finding):
            result.findings.append(outcome)
        else:
            result.written.append(job)
    return result


def _write_chunk(schema: Schema, template: Path, key: SealKey, force: bool,
                 chunk: list[tuple[FormJob, FormContent]]) -> list[tuple[FormJob, str | Finding]]:
    """Return (job, "existing", "written" or a Finding) per form of a chunk, written with one writer.

    One writer means one parse of the template; this runs in a worker process.
    """
    writer = ScoreSheetWriter(schema, template, key)
    done: list[tuple[FormJob, str | Finding]] = []
    for job, content in one_by_one(chunk):
        if job.path.exists() and not force:
            done.append((job, "existing"))
            continue
        try:
            writer.write(content, job.path)
        except OSError as e:
            done.append((job, finding(Code.output_unwritable, target=job.path, reason=e.strerror or e,
                                      dossier=job.dossier)))
            continue
        done.append((job, "written"))
    return done
