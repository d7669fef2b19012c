"""Checking and exporting templates that an organisation restyles itself.

Every command that renders calls :func:`preflight` once, before it writes anything, and
refuses to run when the check refuses a template it needs. formkit's own templates get
the cheap structural check (tracked changes, split tags, syntax, required tags); an
organisation's folder gets the full check that test-renders with the bundled samples.
Results are cached within the process per file (path, size, modification time), so a
demo or a test run checks each template once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from ..core.errors import UsageError
from ..core.findings import Code, Finding, Place, finding
from ..core.settings import MethodSettings
from ..core.templates import (
    AGENDA,
    OVERVIEW,
    PLAN,
    REPORT,
    SCORE_SHEET,
    TEMPLATE_FILES,
    TOP3,
    default_templates_dir,
    samples_dir,
)
from ..documents.rendering import check_docx_template
from ..documents.word import plan_context, top3_context
from ..plan.merge import merge_batch
from ..register.load import load
from ..returns.batch import check_batch
from ..sheets.names import merged_inputs, resolve_names
from ..sheets.samples import SAMPLE_MEETING, demo_key
from ..sheets.schema import LISTS, LISTS_SHEET, META_SHEET, SHEET, Schema, build_schema
from ..xlsx.workbook import WorkbookUnreadable, open_workbook


def export_templates(target: Path, force: bool = False) -> list[Path]:
    """Copy the default templates to `target` (xlsx/ and docx/), for an organisation to restyle."""
    source = default_templates_dir()
    target = Path(target)
    existing = [target / r for r in TEMPLATE_FILES if (target / r).exists()]
    if existing and not force:
        raise UsageError(f"{', '.join(str(p) for p in existing)} bestaat al; gebruik --force om te overschrijven")
    written = []
    for relative in TEMPLATE_FILES:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target / relative)
        written.append(target / relative)
    return written


def check_xlsx_template(path: Path, relative: Path, schema: Schema) -> list[Finding]:
    """Return what a customised score sheet template lacks."""
    where = Place(file=relative.as_posix())
    try:
        wb = open_workbook(path)
    except WorkbookUnreadable as e:
        return [finding(Code.template_unreadable, reason=str(e), **where)]
    found = [finding(Code.template_sheet_missing, sheet=s, **where)
             for s in (SHEET, LISTS_SHEET, META_SHEET) if s not in wb.sheetnames]
    labels = {c.name: c.label for c in schema.inputs} | {h.name: h.label for h in schema.header}
    labels |= {name: f"keuzelijst {name}" for name, _ in LISTS.values()}
    places, missing = resolve_names(wb, list(labels))
    found += [finding(Code.template_name_missing, name=n, label=labels[n], **where) for n in missing]
    found += [finding(Code.template_name_merged, name=n, label=labels[n], **where) for n in merged_inputs(wb, places)]
    return found


def sample_contexts(schema: Schema, only: Iterable[Path] | None = None) -> dict[Path, dict]:
    """Return template variables filled from the bundled samples, to test-render templates with.

    With `only` naming just the TOP-3 form (or the score sheet), the costly part (reading
    and merging the sample forms) is skipped and only the TOP-3 context is returned.
    """
    from ..plan.versions import stored
    from .pack import HouseholdDocs, agenda_context, overview_context
    from .reports import report_context, summarise

    samples = samples_dir()
    register = load(samples / "register.xlsx").register
    dossier = register.dossiers_on(SAMPLE_MEETING)[0]
    top3 = top3_context(register, dossier, SAMPLE_MEETING, schema.settings)
    if only is not None and set(only) <= {TOP3, SCORE_SHEET}:
        return {TOP3: top3}
    batch = check_batch([samples / "retour"], register, schema, meeting=SAMPLE_MEETING, key=demo_key())
    plan = merge_batch(batch, register, schema)[0]
    entry = summarise(batch, register).dossiers[0]
    plan_data = stored(plan)
    households = {dossier: HouseholdDocs(dossier, None, plan_data, Path("top3.docx"), Path("overzicht.docx"))}
    return {TOP3: top3, PLAN: plan_context(plan),
            REPORT: report_context(entry, register, SAMPLE_MEETING, SAMPLE_MEETING),
            AGENDA: agenda_context(register, SAMPLE_MEETING, [dossier], households, None),
            OVERVIEW: overview_context(register, dossier, SAMPLE_MEETING, plan_data, entry)}


def check_templates(directory: Path, schema: Schema | None = None) -> list[Finding]:
    """Return every defect of the templates in `directory` (xlsx/ and docx/ as exported)."""
    schema = schema or build_schema()
    directory = Path(directory)
    contexts = sample_contexts(schema)
    found: list[Finding] = []
    for relative in TEMPLATE_FILES:
        path = directory / relative
        if not path.is_file():
            found.append(finding(Code.template_missing, file=relative.as_posix()))
        elif relative == SCORE_SHEET:
            found += check_xlsx_template(path, relative, schema)
        else:
            found += check_docx_template(path, relative, contexts[relative])
    return found


#: Findings per template file already checked in this process: (path, size, mtime, full check) -> findings.
_CHECKED: dict[tuple[str, int, int, bool, str], list[Finding]] = {}


def preflight(templates_dir: Path | None, needed: Iterable[Path],
              settings: MethodSettings | None = None) -> list[Finding]:
    """Return the findings for the templates a command is about to render (`needed`, relative paths).

    `templates_dir` None means formkit's own templates: checked for structure only, which
    is cheap. An organisation's folder gets the full check of :func:`check_templates`.
    """
    full = templates_dir is not None
    needed = list(dict.fromkeys(needed))
    directory = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    lazy = _Lazy(settings, needed)
    found: list[Finding] = []
    for relative in needed:
        path = directory / relative
        try:
            stat = path.stat()
        except OSError:
            found.append(finding(Code.template_missing, file=relative.as_posix()))
            continue
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, full, repr(settings))
        if key not in _CHECKED:
            if relative == SCORE_SHEET:
                _CHECKED[key] = check_xlsx_template(path, relative, lazy.schema())
            else:
                _CHECKED[key] = check_docx_template(path, relative, lazy.contexts().get(relative) if full else None)
        found += _CHECKED[key]
    return found


class _Lazy:
    """The schema and sample contexts of one preflight, built only when a check needs them."""

    def __init__(self, settings, needed: list[Path]):
        self._settings, self._needed = settings, needed
        self._schema: Schema | None = None
        self._contexts: dict[Path, dict] | None = None

    def schema(self) -> Schema:
        """Return the schema for the run's settings."""
        if self._schema is None:
            self._schema = build_schema(self._settings) if self._settings is not None else build_schema()
        return self._schema

    def contexts(self) -> dict[Path, dict]:
        """Return the sample contexts for the templates this preflight needs."""
        if self._contexts is None:
            self._contexts = sample_contexts(self.schema(), self._needed)
        return self._contexts
