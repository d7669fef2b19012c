"""A batch of returned files: belonging, duplicates, missing forms, and the bundled samples."""

import datetime as dt
import json
import os
import shutil

from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from openpyxl import Workbook, load_workbook

from formkit.cli.main import main
from formkit.core.templates import samples_dir
from formkit.register.load import load
from formkit.register.model import MeetingItem
from formkit.register.write import write_register
from formkit.returns.batch import PROCESSED, REFUSED, SUPERSEDED, check_batch
from formkit.sheets.samples import SAMPLE_MEETING, demo_key
from formkit.sheets.schema import META_SHEET, build_schema

SCHEMA = build_schema()


def by_name(batch):
    return {r.path.name: r for r in batch.files}


def test_missing_forms_are_named_with_organisation(returned):
    returned(COMPLETE)
    batch = check_batch([returned(COMPLETE).parent], make_register(), SCHEMA)
    assert batch.meeting == MEETING
    missing = [(f.dossier, f.message) for f in batch.missing]
    assert missing == [("2026-101", "geen scoreformulier ontvangen van Rob Claassen (Politie)."),
                       ("2026-102", "geen scoreformulier ontvangen van Iris Lammers (Veilig Thuis).")]


def test_the_same_form_twice_keeps_the_newest_and_reports_the_other(returned):
    older = returned(COMPLETE, name="eerste versie.xlsx")
    newer = returned(COMPLETE | {"beoordeling_cijfer": 6}, name="scoreformulier def.xlsx")
    for path, saved in ((older, dt.datetime(2026, 11, 20, 9)), (newer, dt.datetime(2026, 11, 25, 9))):
        wb = load_workbook(path)
        wb.properties.modified = saved
        wb.save(path)
    batch = check_batch([older.parent], make_register(), SCHEMA)
    files = by_name(batch)
    assert files["scoreformulier def.xlsx"].status == PROCESSED
    assert files["eerste versie.xlsx"].status == SUPERSEDED
    [superseded] = [f for f in files["eerste versie.xlsx"].findings if f.code == "superseded"]
    assert "Kim Verhoef" in superseded.message and "scoreformulier def.xlsx" in superseded.message
    assert [r.path.name for r in batch.processed("2026-101")] == ["scoreformulier def.xlsx"]


def test_forms_of_another_meeting_household_or_professional_are_refused(tmp_path, returned, blank_forms):
    good = returned(COMPLETE)
    reg = make_register()
    # the register moved household 2026-102 to a later meeting and took P2 off 2026-101
    reg.meeting_items = [MeetingItem(MEETING, "2026-101"), MeetingItem(dt.date(2027, 1, 5), "2026-102")]
    reg.involvements = [i for i in reg.involvements if i.professional != "P2"]
    returned({}, dossier="2026-102", professional="P3", name="ander_huishouden.xlsx")
    returned({}, dossier="2026-101", professional="P2", name="niet_betrokken.xlsx")
    other = tmp_path / "other"
    write_register(make_register(meeting_items=[MeetingItem(dt.date(2026, 10, 6), "2026-101")]), other / "r.xlsx")
    from formkit.sheets.forms import write_forms
    old = write_forms(load(other / "r.xlsx").register, dt.date(2026, 10, 6), other).written[0].path
    shutil.copy(old, good.parent / "oud_formulier.xlsx")
    batch = check_batch([good.parent], reg, SCHEMA, meeting=MEETING)
    files = by_name(batch)
    codes = {name: [f.code for f in r.findings] for name, r in files.items()}
    assert codes["ander_huishouden.xlsx"] == ["not_on_meeting"]
    assert codes["niet_betrokken.xlsx"] == ["professional_not_involved"]
    assert codes["oud_formulier.xlsx"] == ["other_meeting"]
    assert "6 oktober 2026" in files["oud_formulier.xlsx"].findings[0].message
    assert {files[n].status for n in ("ander_huishouden.xlsx", "niet_betrokken.xlsx", "oud_formulier.xlsx")} == {REFUSED}
    assert files[good.name].status == PROCESSED and files[good.name].findings == []


def test_a_workbook_that_is_no_formkit_form(returned):
    folder = returned(COMPLETE).parent
    plain = Workbook()
    plain.active["A1"] = "mijn eigen lijstje"
    plain.save(folder / "lijstje.xlsx")
    batch = check_batch([folder], make_register(), SCHEMA)
    assert [f.code for f in by_name(batch)["lijstje.xlsx"].findings] == ["not_formkit"]


def test_a_form_whose_metadata_copies_differ_is_refused_not_guessed(returned):
    path = returned(COMPLETE)
    wb = load_workbook(path)
    for prop in wb.custom_doc_props.props:
        if prop.name == "formkit_professional":
            prop.value = "P2"
    wb.save(path)
    batch = check_batch([path], make_register(), SCHEMA)
    [result] = batch.files
    assert result.status == REFUSED and result.professional is None  # neither copy is taken
    assert [f.code for f in result.findings] == ["identity_conflict"]
    assert "de professional in de documenteigenschappen (P2) verschilt van die op het verborgen blad (P1)" in \
        result.findings[0].message


def test_folders_are_searched_recursively_without_hidden_and_lock_files(returned):
    path = returned(COMPLETE)
    (path.parent / "sub" / "diep").mkdir(parents=True)
    shutil.copy(path, path.parent / "sub" / "diep" / "kopie.xlsx")
    (path.parent / "~$2026-101_P1.xlsx").write_bytes(b"lock")
    (path.parent / ".verborgen.xlsx").write_bytes(b"x")
    batch = check_batch([path.parent], make_register(), SCHEMA)
    assert sorted(r.path.name for r in batch.files) == ["2026-101_P1.xlsx", "kopie.xlsx"]


def test_every_mistake_in_the_bundled_samples_is_found():
    reg = load(samples_dir() / "register.xlsx").register
    batch = check_batch([samples_dir() / "retour"], reg, SCHEMA, key=demo_key())
    assert batch.meeting == SAMPLE_MEETING
    assert all(r.status == PROCESSED for r in batch.files)  # the renamed and re-saved ones too
    found = {(f.file, f.code, f.severity.value, f.cell) for f in batch.findings()}
    cell = lambda name: SCHEMA.input(name).cell  # noqa: E731
    expected = {
        ("scoreformulier_2026-014_PO01_2026-12-01.xlsx", "text_date", "waarschuwing", cell("situatie_1_datum")),
        ("scoreformulier_2026-014_PO01_2026-12-01.xlsx", "text_date", "waarschuwing", cell("voorwaarde_1_termijn")),
        ("scoreformulier_2026-014_SC01_2026-12-01.xlsx", "description_without_victim", "fout",
         cell("situatie_1_omschrijving")),
        ("scoreformulier_2026-021_WT02_2026-12-01.xlsx", "term_too_far", "fout", cell("voorwaarde_1_termijn")),
        ("scoreformulier_2026-008_GZ01_2026-12-01.xlsx", "field_required", "fout", cell("beoordeling_toelichting")),
        ("scoreformulier_2026-030_HA01_2026-12-01.xlsx", "victim_unknown", "fout", cell("situatie_1_slachtoffer")),
    }
    assert expected <= found
    missing = sorted(f.message for f in batch.missing)
    assert missing == ["geen scoreformulier ontvangen van Johan de Groot (Reclassering).",
                       "geen scoreformulier ontvangen van Pieter van Dijk (GGZ Regio)."]
    renamed = by_name(batch)["ingevuld formulier politie (2).xlsx"]
    assert (renamed.dossier, renamed.professional) == ("2026-008", "PO01")


def test_check_cli_summary_json_reports_and_exit_codes(tmp_path, returned):
    path = returned(COMPLETE)
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(path.parent), "--register", str(register), "--report",
                                  str(tmp_path / "rapporten")])
    assert result.exit_code == 1, result.output  # two forms were not returned
    assert "2026-101 Gezin Pietersen: 1 van 2 formulieren, 1 fout, 0 waarschuwingen" in result.output
    assert (tmp_path / "rapporten" / "2026-101" / "controlerapport_2026-101_2026-12-01.xlsx").is_file()
    as_json = runner.invoke(main, ["check", str(path), "--register", str(register), "--json"])
    data = json.loads(as_json.stdout)  # the progress bar goes to stderr
    assert data["overleg"] == "2026-12-01"
    assert [d["dossier"] for d in data["dossiers"]] == ["2026-101", "2026-102"]
    assert data["dossiers"][0]["bevindingen"][0]["melding"].startswith("geen scoreformulier ontvangen van Rob")
    assert data["totaal"] == {"fouten": 2, "waarschuwingen": 0}


def test_check_exit_0_when_only_warnings(tmp_path, blank_forms):
    from conftest import fill

    folder = tmp_path / "alles"
    answers = {("2026-101", "P1"): COMPLETE, ("2026-101", "P2"): COMPLETE,
               ("2026-102", "P3"): COMPLETE | {"situatie_1_slachtoffer": "Can Öztürk",
                                               "situatie_1_omschrijving": "can wordt geslagen.",
                                               "voorwaarde_1_eigenaar": "Ayşe Öztürk",
                                               "regie_regisseur": "Iris Lammers (Veilig Thuis)",
                                               "voorwaarde_1_termijn": "15-1-2027"}}
    for key, values in answers.items():
        fill(blank_forms[key], values, folder / f"{key[0]}_{key[1]}.xlsx")
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["check", str(folder), "--register", str(register)])
    assert result.exit_code == 0, result.output
    assert "Totaal: 0 fouten, 1 waarschuwing." in result.output


def test_check_needs_a_meeting_when_forms_disagree(tmp_path, returned):
    path = returned(COMPLETE)
    other = tmp_path / "other"
    write_register(make_register(meeting_items=[MeetingItem(dt.date(2026, 10, 6), "2026-101")]), other / "r.xlsx")
    from formkit.sheets.forms import write_forms
    shutil.copy(write_forms(load(other / "r.xlsx").register, dt.date(2026, 10, 6), other).written[0].path,
                path.parent / "oud.xlsx")
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["check", str(path.parent), "--register", str(register)])
    assert result.exit_code == 2 and "geef --meeting op" in result.output
    ok = CliRunner().invoke(main, ["check", str(path.parent), "--register", str(register), "--meeting", "1-12-2026"])
    assert ok.exit_code == 1 and "oud.xlsx (geweigerd)" in ok.output
    assert os.path.exists(path)  # returned files are only read


def test_register_problems_with_the_regisseur_are_in_the_dossiers_report(returned):
    from formkit.register.model import Household

    reg = make_register()
    reg.households[1] = Household("2026-102", "Gezin Öztürk", dt.date(2026, 9, 1), 2, None)
    batch = check_batch([returned(COMPLETE)], reg, SCHEMA)
    [f] = batch.register
    assert (f.code, f.dossier, f.sheet) == ("regisseur_missing", "2026-102", "Huishoudens")
    assert f in batch.by_dossier()["2026-102"]


def test_a_form_without_meeting_read_before_the_others_is_refused_and_the_meeting_still_inferred(returned):
    good = returned(COMPLETE)
    undated = returned(COMPLETE, dossier="2026-102", professional="P3", name="0_zonder_overleg.xlsx")
    wb = load_workbook(undated)
    for prop in wb.custom_doc_props.props:
        if prop.name == "formkit_meeting":
            prop.value = "-"
    for key, value in wb[META_SHEET].iter_rows(min_row=2, max_col=2):
        if key.value == "formkit_meeting":
            value.value = "-"
    wb.save(undated)
    batch = check_batch([good.parent], make_register(), SCHEMA)
    assert batch.meeting == MEETING
    assert [r.path.name for r in batch.files] == ["0_zonder_overleg.xlsx", good.name]  # the files' own order
    first = batch.files[0]
    assert first.status == REFUSED and [f.code for f in first.findings] == ["identity_conflict"]
    assert "het overleg in de formkit-gegevens (-) is geen datum" in first.findings[0].message
    assert batch.files[1].status == PROCESSED and batch.files[1].submission.values["beoordeling_cijfer"] == 5


def test_a_checked_batch_keeps_the_forms_values_packed_not_their_workbooks(returned):
    path = returned(COMPLETE | {"situatie_2_omschrijving": "=1+1"})
    [result] = check_batch([path], make_register(), SCHEMA).files
    assert not hasattr(result, "__dict__")  # slots: nothing else rides along
    assert isinstance(result.packed, bytes) and len(result.packed) < 1500
    submission = result.submission
    assert submission.professional == "P1" and submission.file == path.name
    assert submission.values["situatie_1_omschrijving"] == COMPLETE["situatie_1_omschrijving"]
    assert submission.raw == {"situatie_2_omschrijving": "=1+1"}  # a formula: kept as its text, never typed
    assert submission.cells["beoordeling_cijfer"] == SCHEMA.input("beoordeling_cijfer").cell
