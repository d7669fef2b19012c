"""One identity per returned form, proven from every copy and sealed with the secretariat's key."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from openpyxl import load_workbook
from openpyxl.packaging.custom import StringProperty

from formkit.cli.main import main
from formkit.core.messages import MESSAGES
from formkit.returns.batch import PROCESSED, REFUSED, SUPERSEDED, check_batch
from formkit.returns.read import FormRejected, read_form
from formkit.sheets.forms import write_forms
from formkit.sheets.names import form_id, resolve_names
from formkit.sheets.schema import META_SHEET, build_schema
from formkit.sheets.seal import SEAL_KEY, load_key, seal

SCHEMA = build_schema()


def edit_meta(path: Path, *, props: dict | None = None, sheet: dict | None = None, drop: tuple = ()) -> Path:
    """Change formkit metadata as someone editing the file would: in the properties, on the hidden sheet."""
    wb = load_workbook(path)
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name not in drop]
    for p in wb.custom_doc_props.props:
        if p.name in (props or {}):
            p.value = props[p.name]
    ws = wb[META_SHEET]
    for row in range(ws.max_row, 1, -1):
        key = ws.cell(row, 1).value
        if key in drop:
            ws.delete_rows(row)
        elif key in (sheet or {}):
            ws.cell(row, 2).value = sheet[key]
    wb.save(path)
    return path


def the_file(batch):
    [result] = batch.files
    return result


def test_a_form_whose_dossier_was_edited_in_the_properties_only_is_refused_naming_both_copies(returned):
    path = edit_meta(returned(COMPLETE), props={"formkit_dossier": "2026-102"})
    result = the_file(check_batch([path], make_register(), SCHEMA))
    assert result.status == REFUSED and result.dossier is None  # attributed to no household
    [f] = result.findings
    assert f.code == "identity_conflict" and f.is_error
    assert ("het dossier in de documenteigenschappen (2026-102) verschilt van dat op het verborgen blad "
            "(2026-101)") in f.message


def test_a_form_whose_dossier_header_cell_was_retyped_is_refused_naming_the_header(returned):
    path = returned(COMPLETE)
    wb = load_workbook(path)
    places, _ = resolve_names(wb, ["kop_dossier"])
    sheet, cell = places["kop_dossier"]
    wb[sheet][cell].value = "2026-102"
    wb.save(path)
    [f] = the_file(check_batch([path], make_register(), SCHEMA)).findings
    assert f.code == "identity_conflict"
    assert "het dossier in de kop van het formulier (2026-102) verschilt van dat in de formkit-gegevens (2026-101)" \
        in f.message


def test_a_form_moved_to_another_professional_in_both_copies_is_refused_for_its_seal(returned):
    """Everything consistent (both copies, the derived form id), only the seal cannot be recomputed."""
    new_id = form_id("2026-101", "P2", MEETING)
    changes = {"formkit_professional": "P2", "formkit_form_id": new_id}
    path = edit_meta(returned(COMPLETE), props=changes, sheet=changes)
    result = the_file(check_batch([path], make_register(), SCHEMA))
    assert result.status == REFUSED
    assert [f.code for f in result.findings] == ["seal_invalid"]
    assert result.findings[0].message.startswith("het zegel klopt niet: de formkit-gegevens zijn na het maken "
                                                 "gewijzigd of het formulier is met een andere sleutel gemaakt")


def test_a_form_with_a_duplicated_property_is_refused_and_both_values_are_named(returned):
    path = returned(COMPLETE)
    wb = load_workbook(path)
    wb.custom_doc_props.props.append(StringProperty(name="formkit_dossier", value="2026-102"))
    wb.save(path)
    [f] = the_file(check_batch([path], make_register(), SCHEMA)).findings
    assert f.code == "identity_duplicate"
    assert "het dossier staat 2 keer in de documenteigenschappen (2026-101) en (2026-102)" in f.message


def test_a_form_with_a_duplicated_row_on_the_hidden_sheet_is_refused(returned):
    path = returned(COMPLETE)
    wb = load_workbook(path)
    ws = wb[META_SHEET]
    ws.append(["formkit_professional", "P2"])
    wb.save(path)
    [f] = the_file(check_batch([path], make_register(), SCHEMA)).findings
    assert f.code == "identity_duplicate" and "de professional staat 2 keer op het verborgen blad" in f.message


def test_a_form_whose_seal_was_removed_from_one_copy_is_refused(returned):
    path = returned(COMPLETE)
    wb = load_workbook(path)
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != SEAL_KEY]
    wb.save(path)
    [f] = the_file(check_batch([path], make_register(), SCHEMA)).findings
    assert f.code == "identity_conflict" and "het zegel ontbreekt in de documenteigenschappen" in f.message


def test_a_form_made_with_another_key_is_refused(tmp_path, secretariat_key):
    load_key(secretariat_key, create=True)  # this secretariat's own key exists
    other = load_key(tmp_path / "ander" / "sleutel.key", create=True)
    made = write_forms(make_register(), MEETING, tmp_path / "ander_secretariaat", key=other).written[0].path
    result = the_file(check_batch([made], make_register(), SCHEMA))
    assert result.status == REFUSED and [f.code for f in result.findings] == ["seal_invalid"]
    assert the_file(check_batch([made], make_register(), SCHEMA, key=other)).status == PROCESSED


def test_an_unsealed_old_form_is_refused_and_read_with_a_warning_only_with_ongezegeld_toestaan(returned,
                                                                                            register_path):
    path = edit_meta(returned(COMPLETE), drop=(SEAL_KEY,))
    runner = CliRunner()
    refused = runner.invoke(main, ["check", str(path), "--register", str(register_path), "--meeting", "2026-12-01"])
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert "dit formulier heeft geen zegel" in refused.output and "--ongezegeld-toestaan" in refused.output

    allowed = runner.invoke(main, ["check", str(path), "--register", str(register_path), "--meeting", "2026-12-01",
                                   "--ongezegeld-toestaan", "--json"])
    summary = json.loads(allowed.stdout)  # the progress bar goes to stderr
    [entry] = [d for d in summary["dossiers"] if d["dossier"] == "2026-101"]
    assert entry["ontvangen"] == 1
    assert MESSAGES["seal_missing_allowed"][1] in [row["melding"] for row in entry["bevindingen"]]
    batch = check_batch([path], make_register(), SCHEMA, meeting=MEETING, allow_unsealed=True)
    result = batch.files[0]
    assert result.status == PROCESSED and [f.code for f in result.findings] == ["seal_missing_allowed"]
    assert result.findings[0].severity.value == "waarschuwing"


def test_the_key_is_made_with_mode_0600_on_the_first_forms_run_and_never_appears_in_any_output(
        tmp_path, register_path, secretariat_key):
    runner = CliRunner()
    assert not secretariat_key.exists()
    made = runner.invoke(main, ["forms", str(register_path), "--meeting", "2026-12-01", "--out", str(tmp_path / "uit")])
    assert made.exit_code == 0, made.output
    assert secretariat_key.is_file()
    assert f"Nieuwe sleutel van het secretariaat gemaakt: {secretariat_key}" in made.output
    if sys.platform != "win32":
        assert secretariat_key.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(main, ["forms", str(register_path), "--meeting", "2026-12-01", "--out",
                                 str(tmp_path / "uit2")])
    assert "Nieuwe sleutel" not in again.output  # made once, then reused

    secret = load_key(secretariat_key).secret
    forms = sorted((tmp_path / "uit").rglob("*.xlsx"))
    from conftest import fill
    returned = fill(forms[0], COMPLETE, tmp_path / "retour" / forms[0].name)
    checked = runner.invoke(main, ["check", str(returned.parent), "--register", str(register_path),
                                   "--report", str(tmp_path / "rapporten"), "--json"])
    assert checked.exit_code in (0, 1) and "Traceback" not in checked.output, checked.output
    outputs = forms + sorted((tmp_path / "rapporten").rglob("*.*"))
    assert len(outputs) > len(forms)
    texts = [made.output, again.output, checked.output]
    for output in outputs:
        data = output.read_bytes()
        parts = [data]
        if zipfile.is_zipfile(output):
            with zipfile.ZipFile(output) as z:
                parts += [z.read(name) for name in z.namelist()]
        for part in parts:
            assert secret not in part and secret.hex().encode() not in part, output.name
    for text in texts:
        assert secret.hex() not in text


def test_check_without_the_key_file_says_which_key_is_missing_and_makes_none(returned, register_path, tmp_path):
    path = returned(COMPLETE)
    missing = tmp_path / "elders" / "sleutel.key"
    result = CliRunner().invoke(main, ["--sleutel", str(missing), "check", str(path), "--register",
                                       str(register_path), "--meeting", "2026-12-01"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"de sleutel van het secretariaat ontbreekt ({missing})" in result.output
    assert not missing.exists()  # checking never makes a key


def test_a_damaged_key_file_stops_check_with_a_dutch_message(returned, register_path, secretariat_key):
    path = returned(COMPLETE)
    secretariat_key.write_text("# formkit-sleutel\nniet-hex\n", encoding="ascii")
    result = CliRunner().invoke(main, ["check", str(path), "--register", str(register_path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "is geen formkit-sleutel" in result.output


def test_a_sealed_form_copied_under_another_name_still_counts_once_as_that_professionals_form(returned):
    path = returned(COMPLETE)
    shutil.copy(path, path.parent / "kopie van formulier.xlsx")
    batch = check_batch([path.parent], make_register(), SCHEMA)
    statuses = sorted(r.status for r in batch.files)
    assert statuses == sorted([PROCESSED, SUPERSEDED])
    assert len(batch.processed("2026-101")) == 1 and batch.processed("2026-101")[0].professional == "P1"


def test_a_form_re_saved_by_libreoffice_is_still_accepted(returned, tmp_path, libreoffice_convert):
    path = returned(COMPLETE)
    resaved = libreoffice_convert(path, "xlsx", tmp_path / "lo")
    result = the_file(check_batch([resaved], make_register(), SCHEMA))
    assert result.status == PROCESSED and result.findings == []


def test_the_key_in_the_settings_file_is_used_relative_to_it_and_the_method_settings_still_apply(
        tmp_path, register_path, monkeypatch):
    monkeypatch.delenv("FORMKIT_SLEUTEL")
    settings = tmp_path / "instellingen" / "formkit.toml"
    settings.parent.mkdir()
    settings.write_text('[methode]\nmax_conditions = 4\n\n[beveiliging]\nsleutel = "geheim/sleutel.key"\n',
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["--instellingen", str(settings), "forms", str(register_path), "--meeting",
                                       "2026-12-01", "--out", str(tmp_path / "uit")])
    assert result.exit_code == 0, result.output
    key = settings.parent / "geheim" / "sleutel.key"
    assert key.is_file() and str(key) in result.output
    only_security = tmp_path / "alleen.toml"
    only_security.write_text('[beveiliging]\nsleutel = "s.key"\n', encoding="utf-8")
    schema = CliRunner().invoke(main, ["--instellingen", str(only_security), "schema"])
    assert schema.exit_code == 0, schema.output  # [beveiliging] is no unknown method setting


def test_the_sleutel_option_wins_over_the_environment(tmp_path, register_path, secretariat_key):
    chosen = tmp_path / "gekozen.key"
    result = CliRunner().invoke(main, ["--sleutel", str(chosen), "forms", str(register_path), "--meeting",
                                       "2026-12-01", "--out", str(tmp_path / "uit")])
    assert result.exit_code == 0, result.output
    assert chosen.is_file() and not secretariat_key.exists()


def test_the_seal_covers_each_field_separately_so_shifting_text_between_fields_breaks_it(tmp_path):
    key = load_key(tmp_path / "k.key", create=True)
    one = {"formkit_dossier": "2026-1", "formkit_professional": "01P"}
    other = {"formkit_dossier": "2026-10", "formkit_professional": "1P"}
    assert seal(key, one) != seal(key, other)
    assert seal(key, one) == seal(load_key(tmp_path / "k.key"), one)  # the same key file gives the same seal


def test_reading_a_form_in_the_library_refuses_with_a_finding_not_an_exception_of_its_own(returned):
    path = edit_meta(returned(COMPLETE), sheet={"formkit_meeting": "2026-12-02"})
    with pytest.raises(FormRejected) as refused:
        read_form(path, SCHEMA)
    assert refused.value.finding.code == "identity_conflict"
    assert "het overleg in de documenteigenschappen (2026-12-01) verschilt van dat op het verborgen blad " \
           "(2026-12-02)" in refused.value.finding.message
