"""A plan is a typed value end to end: plan.json in and out at the boundary, the folder layout in one place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing

import pytest
from conftest import MEETING, make_register

from formkit.core.templates import samples_dir
from formkit.documents.plan_files import write_version
from formkit.plan.history import History, rebuild
from formkit.plan.merge import merge_batch
from formkit.plan.model import CONSENSUS_YES, Plan, Said, consensus_words
from formkit.plan.signals import signals_for
from formkit.plan.versions import (
    PLAN_JSON,
    PlanDataError,
    changes,
    dataclass_from_json,
    latest_intact,
    meeting_dir,
    plan_from_json,
    plan_problem,
    read_plan,
    version_dir,
    version_numbers,
)
from formkit.register.load import load
from formkit.returns.batch import check_batch
from formkit.sheets.samples import SAMPLE_MEETING, demo_key
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()


def example(hint, depth: int = 0):
    """Return a filled value of a type: every list two items long, every optional value set."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return example(next(a for a in typing.get_args(hint) if a is not type(None)), depth)
    if origin is list:
        return [example(typing.get_args(hint)[0], depth + 1) for _ in range(2)]
    if origin is dict:
        return {f"sleutel{i}": example(typing.get_args(hint)[1], depth + 1) for i in range(2)}
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: example(hints[f.name], depth + 1) for f in dataclasses.fields(hint) if f.init})
    return {str: f"tekst {depth}", int: depth + 1, float: 2.5, bool: True, dt.date: dt.date(2026, 12, 1)}[hint]


def filled_plan() -> Plan:
    """Return a hand-made plan with every field set and every list filled; its TOP-3 points at its situations."""
    plan = example(Plan)
    plan.top = [1, 0]
    return plan


def demo_plans() -> list[Plan]:
    samples = samples_dir()
    register = load(samples / "register.xlsx").register
    batch = check_batch([samples / "retour"], register, SCHEMA, meeting=SAMPLE_MEETING, key=demo_key())
    return merge_batch(batch, register, SCHEMA)


def test_plan_json_round_trips_for_the_demo_plans():
    plans = demo_plans()
    assert plans
    for plan in plans:
        text = plan.to_json()
        again = plan_from_json(json.loads(text))
        assert again.to_json() == text
        assert again.meeting == plan.meeting and isinstance(again.meeting, dt.date)


def test_plan_json_round_trips_with_every_field_and_list_filled():
    plan = filled_plan()
    assert plan.situations and plan.situations[0].descriptions and plan.conditions[0].owners  # really filled
    text = plan.to_json()
    again = plan_from_json(json.loads(text))
    assert again == plan
    assert again.to_json() == text


def test_fields_added_to_the_plan_are_read_without_a_change_in_the_reader():
    class Kind(enum.StrEnum):
        POLICE = "politie"

    extended = dataclasses.make_dataclass("ExtendedPlan", [
        ("sources", dict[str, list[Said]], dataclasses.field(default_factory=dict)),
        ("window", tuple[dt.date, dt.date] | None, None),
        ("kind", Kind, Kind.POLICE),
    ], bases=(Plan,))
    plan = filled_plan()
    said = plan.situations[0].descriptions[0]
    wide = extended(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(Plan)},
                    sources={"bron": [said]}, window=(MEETING, dt.date(2027, 1, 12)))
    data = json.loads(json.dumps(dataclasses.asdict(wide), default=str))
    again = dataclass_from_json(extended, data)
    assert again == wide and again.sources["bron"][0].source.label == said.source.label
    del data["sources"], data["window"]  # an older file
    older = dataclass_from_json(extended, data)
    assert older.sources == {} and older.window is None and older.kind is Kind.POLICE
    with pytest.raises(PlanDataError):
        dataclass_from_json(extended, {**data, "window": ["2026-12-01"]})


def test_an_old_plan_json_without_newer_keys_is_read_with_their_defaults():
    data = json.loads(filled_plan().to_json())
    data["schemaversie"] = "1"
    for key in ("risk_factors", "recovery_needs", "strengths", "inputs", "excluded", "max_conditions"):
        del data[key]
    del data["summary"]["determined"]
    data["summary"]["consensus"] = False
    plan = plan_from_json(data)
    assert plan.risk_factors == [] and plan.inputs == [] and plan.max_conditions == 5
    assert consensus_words(plan.summary) == "geen consensus"  # an old plan's summary was always determined
    data["summary"]["consensus"] = True
    assert consensus_words(plan_from_json(data).summary) == CONSENSUS_YES


@pytest.mark.parametrize("damage, reason", [
    (lambda d: d.update(meeting="gisteren"), "de inhoud klopt niet"),
    (lambda d: d.update(scores={}), "de inhoud klopt niet"),
    (lambda d: d.update(version="2"), "de inhoud klopt niet"),
    (lambda d: d["situations"].append("een tekst"), "de inhoud klopt niet"),
    (lambda d: d["scores"][0].update(score="vijf"), "de inhoud klopt niet"),
    (lambda d: d["scores"][0]["source"].pop("name"), "onderdelen ontbreken: name"),
    (lambda d: d.pop("checks"), "onderdelen ontbreken: checks"),
])
def test_a_wrong_typed_plan_json_is_refused_with_a_reason_and_no_traceback(tmp_path, damage, reason):
    data = json.loads(filled_plan().to_json())
    damage(data)
    assert plan_problem(data) == reason
    path = tmp_path / PLAN_JSON
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_plan(path) is None


def test_not_a_plan_at_all_is_refused(tmp_path):
    assert plan_problem([1, 2]) == "geen plan"
    assert plan_problem({"dossier": "2026-101"}).startswith("onderdelen ontbreken: meeting, version, kenmerk")
    (tmp_path / "kapot.json").write_text('{"dossier": ', encoding="utf-8")
    assert read_plan(tmp_path / "kapot.json") is None
    assert read_plan(tmp_path / "er-niet.json") is None


def test_the_folder_layout_versions_and_the_newest_intact_one(tmp_path):
    plan = demo_plans()[0]
    folder = meeting_dir(tmp_path, plan.dossier, plan.meeting)
    assert folder == tmp_path / plan.dossier / plan.meeting.isoformat()
    assert version_numbers(folder) == [] and latest_intact(folder) == (None, None, [])
    first = write_version(plan, tmp_path)
    second = write_version(plan, tmp_path)
    assert (first, second) == (version_dir(folder, 1), version_dir(folder, 2))
    (second / PLAN_JSON).write_text('{"dossier": ', encoding="utf-8")  # a damaged newer version
    number, found, damaged = latest_intact(folder)
    assert (number, damaged) == (1, [2])
    assert found is not None and found.plan.version == 1
    assert found.fingerprint == json.loads((first / PLAN_JSON).read_text(encoding="utf-8"))["kenmerk"]
    third = write_version(plan, tmp_path)  # never over the damaged one; compared with v1
    data = json.loads((third / PLAN_JSON).read_text(encoding="utf-8"))
    assert third.name == "v3" and data["previous"] == found.fingerprint
    assert data["changes"][0].startswith("Let op: versie v2 is beschadigd")
    assert "vergeleken met versie 1" in data["changes"][0]
    history = History(tmp_path / "h.sqlite")
    assert rebuild(history, tmp_path) == 1
    [recorded] = history.plans(plan.dossier)
    assert isinstance(recorded, Plan) and recorded.version == 3 and recorded.meeting == plan.meeting


def test_changes_compare_typed_plans():
    before = filled_plan()
    assert changes(None, before) == ["Eerste versie van het plan voor dit casusoverleg."]
    after = plan_from_json(json.loads(before.to_json()))
    after.version = 2
    assert changes(before, after) == ["Geen inhoudelijke wijzigingen sinds versie 1."]
    after.conditions[0].texts[0] = dataclasses.replace(after.conditions[0].texts[0], value="Er is een oppas.")
    after.scores[0].shown = "7"
    found = changes(before, after)
    assert "Nieuw bij voorwaarden: Er is een oppas." in found
    assert f"Cijfer van {before.scores[0].source.name}: {before.scores[0].shown} → 7." in found


def test_an_old_version_without_risk_factors_still_gives_the_changes():
    before = filled_plan()
    data = json.loads(before.to_json())
    del data["risk_factors"]  # a plan.json of schema version 1
    old = plan_from_json(data)
    found = changes(old, before)
    assert f"Nieuw bij risicofactoren: {before.risk_factors[0].texts[0].value}" in found


def test_the_history_hands_out_plans_and_skips_a_damaged_row(tmp_path):
    history = History(tmp_path / "h.sqlite")
    plan = demo_plans()[0]
    assert history.record(plan)
    [again] = history.plans(plan.dossier)
    assert again.to_json() == plan.to_json()
    import sqlite3  # only the test damages the store directly

    with sqlite3.connect(history.path) as db:
        db.execute("UPDATE plans SET plan = ? WHERE dossier = ?", ('{"dossier": 5}', plan.dossier))
    assert history.plans(plan.dossier) == []
    assert [f.code for f in history.findings] == ["history_entry_damaged"]


def test_signals_read_dates_from_a_typed_plan():
    plan = plan_from_json(json.loads(demo_plans()[0].to_json()))
    codes = [s.code for s in signals_for(plan.dossier, [plan], make_register(), MEETING)]
    assert "escalate" not in codes  # the first plan: the term has only begun


def test_a_version_makes_its_plan_context_and_plan_json_once(tmp_path, monkeypatch):
    import formkit.documents.plan_workbook as plan_workbook

    calls = {"context": 0, "json": 0}
    real_context, real_json = plan_workbook.plan_context, Plan.to_json

    def context(plan):
        calls["context"] += 1
        return real_context(plan)

    def to_json(self):
        calls["json"] += 1
        return real_json(self)

    monkeypatch.setattr(plan_workbook, "plan_context", context)
    monkeypatch.setattr(Plan, "to_json", to_json)
    plan = demo_plans()[0]
    folder = write_version(plan, tmp_path)
    assert calls == {"context": 1, "json": 1}
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".json", ".xlsx"]
    history = History(tmp_path / "h.sqlite")
    history.record(read_plan(folder / PLAN_JSON))  # a plan read back brings its text: nothing made again
    assert calls["json"] == 1 and history.plans(plan.dossier)[0].version == 1


def test_a_text_with_an_unsafe_character_is_no_change_when_merged_again(tmp_path):
    plan = demo_plans()[0]
    plan.conditions[0].texts[0] = Said("Er is een oppas\x07 aanwezig.", plan.conditions[0].texts[0].source)
    plan.situations[0].descriptions[0] = Said("Jan\u202e ging alleen naar huis.", plan.situations[0].descriptions[0].source)
    write_version(plan, tmp_path)
    again = dataclasses.replace(plan, changes=[])
    second = read_plan(write_version(again, tmp_path) / PLAN_JSON)
    assert second is not None and second.plan.changes == ["Geen inhoudelijke wijzigingen sinds versie 1."]


def test_a_finished_plan_changed_after_all_is_written_with_its_new_fingerprint(tmp_path):
    plan = demo_plans()[0]  # finished by the merge
    first = plan.fingerprint()
    plan.open_points.append("Een punt dat later is toegevoegd.")
    folder = write_version(plan, tmp_path)
    written = read_plan(folder / PLAN_JSON)
    assert written is not None and written.fingerprint != first
    assert written.fingerprint == written.plan.fingerprint() == plan.fingerprint()
    from docx import Document
    docx = next(folder.glob("*.docx"))
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert written.fingerprint in text and first not in text


@pytest.mark.parametrize("written", ["99999", "0", "0000", "٢٠٢٦", "zes"])
def test_a_situation_date_that_is_no_year_does_not_stop_the_signals(written):
    from formkit.plan.signals import last_incident
    plan = demo_plans()[0]
    for situation in plan.situations:
        situation.dates = [Said(written, s.source) for s in situation.descriptions]
    assert last_incident([plan]) is None
    signals_for(plan.dossier, [plan], make_register(), dt.date(2027, 9, 1))  # no ValueError
    situation = plan.situations[0]
    situation.dates = [Said("2025", situation.descriptions[0].source)]
    assert last_incident([plan]) == dt.date(2025, 12, 31)
