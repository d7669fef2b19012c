"""Plan versions on disk: v1, v2, ... per household and meeting, each written whole or not at all.

A version is written into a hidden temporary folder beside the others and renamed into
place in one step, so an interrupted merge leaves the earlier versions as they were and
no half version. Each version states what changed since the one before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.findings import Code, Finding, finding
from ..core.parallel import one_by_one, run_chunks
from ..core.paths import id_part
from ..core.templates import PLAN, template_path
from ..plan.history import read_plan_json
from ..plan.merge import HouseholdInputs, NoFormsReceived, household_inputs, merge_inputs, no_forms_received, normal
from ..plan.model import Plan
from ..register.model import Register
from ..sheets.schema import Schema
from .plan_workbook import write_plan_workbook
from .rendering import render_docx
from .word import plan_context

PLAN_JSON = "plan.json"
_VERSION = re.compile(r"^v(\d+)$")


def meeting_dir(out_dir: Path, plan: Plan) -> Path:
    """Return the folder of a household's plans for one meeting."""
    return Path(out_dir) / id_part(plan.dossier) / plan.meeting.isoformat()


def versions(folder: Path) -> list[int]:
    """Return the complete versions in a folder, oldest first."""
    if not folder.is_dir():
        return []
    found = [int(m.group(1)) for p in folder.iterdir() if (m := _VERSION.match(p.name)) and (p / PLAN_JSON).is_file()]
    return sorted(found)


def version_numbers(folder: Path) -> list[int]:
    """Return every version number that has a folder, complete or damaged, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _VERSION.match(p.name)) and p.is_dir())


def latest_intact(folder: Path) -> tuple[int | None, dict | None, list[int]]:
    """Return the newest version whose plan.json is intact (number and data) and the newer damaged ones.

    A version folder without its plan.json, or with one that is truncated or not a plan,
    is damaged: it is skipped, never read as a plan, and never written over.
    """
    damaged = []
    for number in reversed(version_numbers(folder)):
        data = read_plan_json(folder / f"v{number}" / PLAN_JSON)
        if data is not None:
            return number, data, sorted(damaged)
        damaged.append(number)
    return None, None, sorted(damaged)


def plan_file_stem(plan: Plan) -> str:
    """Return the name of a version's documents: ids, date and version, no personal names."""
    return f"veiligheidsplan_{id_part(plan.dossier)}_{plan.meeting.isoformat()}_v{plan.version}"


def write_version(plan: Plan, out_dir: Path, templates_dir: Path | None = None) -> Path:
    """Write the next version of `plan` (docx, xlsx, plan.json) and return its folder."""
    folder = meeting_dir(out_dir, plan)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = version_numbers(folder)
    _, previous, damaged = latest_intact(folder)
    plan.version = (numbers[-1] + 1) if numbers else 1  # never the number of a damaged version: it stays as it is
    plan.previous = previous["kenmerk"] if previous else None
    plan.changes = damaged_notes(damaged, previous) + _changes_or_note(previous, plan)
    template = template_path(PLAN, templates_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".v{plan.version}.", suffix=".tmp", dir=folder))
    try:
        stem = plan_file_stem(plan)
        render_docx(template, plan_context(plan), tmp / f"{stem}.docx")
        write_plan_workbook(plan, tmp / f"{stem}.xlsx")
        (tmp / PLAN_JSON).write_text(plan.to_json(), encoding="utf-8")
        target = folder / f"v{plan.version}"
        os.rename(tmp, target)  # one step: the version is there whole, or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def damaged_notes(damaged: list[int], previous: dict | None) -> list[str]:
    """Return in Dutch which earlier versions were damaged and what the changes are compared with."""
    if not damaged:
        return []
    which = ", ".join(f"v{n}" for n in damaged)
    against = (f"de wijzigingen hieronder zijn vergeleken met versie {previous['version']}" if previous
               else "er is geen intacte eerdere versie om mee te vergelijken")
    return [f"Let op: {'versie' if len(damaged) == 1 else 'versies'} {which} {'is' if len(damaged) == 1 else 'zijn'} "
            f"beschadigd of onvolledig en {'is' if len(damaged) == 1 else 'zijn'} niet gebruikt; {against}."]


def _changes_or_note(previous: dict | None, plan: Plan) -> list[str]:
    """Return the changes since `previous`; a previous version whose content does not compare is said so."""
    try:
        return changes(previous, plan)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return [f"De wijzigingen sinds versie {previous.get('version', '?')} konden niet worden bepaald: die versie "
                "is onvolledig."]


def changes(previous: dict | None, plan: Plan) -> list[str]:
    """Return in Dutch what changed in the plan since the previous version."""
    if previous is None:
        return ["Eerste versie van het plan voor dit casusoverleg."]
    now = json.loads(plan.to_json())
    found: list[str] = []
    before_regisseur = next((p["name"] for p in previous["participants"] if p["is_regisseur"]), None)
    after_regisseur = plan.regisseur.name if plan.regisseur else None
    if before_regisseur != after_regisseur:
        found.append(f"Regisseur: {before_regisseur or 'geen'} → {after_regisseur or 'geen'}.")
    for label, key, describe in _PARTS:
        old = {normal(describe(item)): describe(item) for item in previous[key]}
        new = {normal(describe(item)): describe(item) for item in now[key]}
        found += [f"Nieuw bij {label}: {shown}" for k, shown in new.items() if k not in old]
        found += [f"Vervallen bij {label}: {shown}" for k, shown in old.items() if k not in new]
    old_scores = {s["source"]["name"]: s["shown"] for s in previous["scores"]}
    for s in now["scores"]:
        name, score = s["source"]["name"], s["shown"]
        if name in old_scores and old_scores[name] != score:
            found.append(f"Cijfer van {name}: {old_scores[name]} → {score}.")
        elif name not in old_scores:
            found.append(f"Nieuw cijfer van {name}: {score}.")
    old_top = [_situation(previous["situations"][i]) for i in previous["top"]]
    new_top = [_situation(now["situations"][i]) for i in now["top"]]
    if old_top != new_top:
        found.append("De voorgestelde gezamenlijke TOP-3 is veranderd.")
    return found or [f"Geen inhoudelijke wijzigingen sinds versie {plan.version - 1}."]


def _situation(item: dict) -> str:
    return f"{item['victim']}: {item['descriptions'][0]['value']}" if item["descriptions"] else item["victim"]


def _first(key: str):
    def describe(item: dict) -> str:
        return item[key][0]["value"] if item[key] else ""
    return describe


_PARTS = (
    ("onveilige situaties", "situations", _situation),
    ("voorwaarden", "conditions", _first("texts")),
    ("afspraken", "agreements", lambda a: f"{_first('who')(a)}: {_first('what')(a)}"),
    ("risicofactoren", "risk_factors", _first("texts")),
    ("herstelbehoeften", "recovery_needs", _first("texts")),
)


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
    done = []
    for inputs in one_by_one(chunk):
        plan = merge_inputs(register, schema, meeting, inputs)
        if not inputs.received:  # nothing to merge: no version that would claim anything
            done.append((plan, no_forms_received(register, meeting, inputs)))
            continue
        try:
            done.append((plan, write_version(plan, out_dir, templates_dir)))
        except OSError as e:  # a full disk or lost rights: this household's problem, the others go on
            done.append((plan, finding(Code.plan_write_failed, dossier=plan.dossier, target=meeting_dir(out_dir, plan),
                                       reason=describe_os_error(e))))
    return done
