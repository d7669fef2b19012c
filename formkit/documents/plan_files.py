"""Plan versions on disk: v1, v2, ... per household and meeting, each written whole or not at all.

A version is written into a hidden temporary folder beside the others and renamed into
place in one step, so an interrupted merge leaves the earlier versions as they were and
no half version. Each version states what changed since the one before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.findings import Code, Finding, finding
from ..core.parallel import one_by_one, run_chunks
from ..core.templates import PLAN, template_path
from ..plan.merge import HouseholdInputs, NoFormsReceived, household_inputs, merge_inputs, no_forms_received
from ..plan.model import Plan
from ..plan.versions import (
    PLAN_JSON,
    changes_or_note,
    damaged_notes,
    latest_intact,
    meeting_dir,
    plan_file_stem,
    version_dir,
    version_numbers,
)
from ..register.model import Register
from ..sheets.schema import Schema
from .plan_workbook import write_plan_documents


def write_version(plan: Plan, out_dir: Path, templates_dir: Path | None = None, schema: Schema | None = None) -> Path:
    """Write the next version of `plan` (docx, xlsx, plan.json) and return its folder.

    The Word file and the workbook come from one plan context, plan.json from one
    to_json(): each is made once per version. `schema` (default formkit's own) gives the
    workbook its columns.
    """
    folder = meeting_dir(out_dir, plan.dossier, plan.meeting)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = version_numbers(folder)
    _, previous, damaged = latest_intact(folder)
    plan.version = (numbers[-1] + 1) if numbers else 1  # never the number of a damaged version: it stays as it is
    plan.previous = previous.fingerprint if previous else None
    before = previous.plan if previous else None
    plan.changes = damaged_notes(damaged, before) + changes_or_note(before, plan)
    template = template_path(PLAN, templates_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".v{plan.version}.", suffix=".tmp", dir=folder))
    try:
        stem = plan_file_stem(plan)
        text = plan.to_json()  # first: it fixes the fingerprint the Word file and workbook state too
        write_plan_documents(plan, tmp / f"{stem}.docx", tmp / f"{stem}.xlsx", template, schema)
        (tmp / PLAN_JSON).write_text(text, encoding="utf-8")
        target = version_dir(folder, plan.version)
        os.rename(tmp, target)  # one step: the version is there whole, or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def merge_and_write(batch, register: Register, schema: Schema, out_dir: Path, templates_dir: Path | None = None,
                    jobs: int = 1, progress=lambda items: items
                    ) -> Iterator[tuple[Plan, Path | Finding | NoFormsReceived]]:
    """Merge each household of a checked batch and write its next plan version, over `jobs` processes.

    Yields each plan (with its version) and folder as it is written, or instead of the
    folder a Finding when that household's version could not be written (disk full, no
    rights): the other households go on. A household without any accepted form gets no
    version at all: instead of the folder comes a :class:`NoFormsReceived` (the plan beside
    it is not written and must not be recorded). Nothing is written until the result is iterated. One household is merged, written and let go at a time,
    so memory hardly grows with the number of households.
    """
    inputs = household_inputs(batch, register)
    yield from run_chunks(partial(_merge_chunk, register, schema, batch.meeting, out_dir, templates_dir),
                          batch.dossiers, jobs, progress, prepare=lambda dossiers: [inputs(d) for d in dossiers])


def _merge_chunk(register: Register, schema: Schema, meeting, out_dir: Path, templates_dir: Path | None,
                 chunk: list[HouseholdInputs]) -> list[tuple[Plan, Path | Finding | NoFormsReceived]]:
    """Merge and write a chunk of households; runs in a worker process."""
    done: list[tuple[Plan, Path | Finding | NoFormsReceived]] = []
    for inputs in one_by_one(chunk):
        plan = merge_inputs(register, schema, meeting, inputs)
        if not inputs.received:  # nothing to merge: no version that would claim anything
            done.append((plan, no_forms_received(register, meeting, inputs)))
            continue
        try:
            done.append((plan, write_version(plan, out_dir, templates_dir, schema)))
        except OSError as e:  # a full disk or lost rights: this household's problem, the others go on
            done.append((plan, finding(Code.plan_write_failed, dossier=plan.dossier,
                                       target=meeting_dir(out_dir, plan.dossier, plan.meeting),
                                       reason=describe_os_error(e))))
    return done
