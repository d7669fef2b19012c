import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MEETING, make_register
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.core.dates import excel_serial
from formkit.core.errors import TemplateError
from formkit.core.templates import SCORE_SHEET, default_templates_dir
from formkit.register.model import Household, Member
from formkit.register.write import write_register
from formkit.sheets.forms import write_forms
from formkit.sheets.names import read_meta, resolve_names
from formkit.sheets.schema import LISTS, LISTS_SHEET, META_SHEET, SHEET, FieldType, build_schema
from formkit.sheets.scoresheet import DATE_OR_YEAR_FORMAT

SCHEMA = build_schema()


def generate(tmp_path, reg=None, meeting=MEETING, **kwargs):
    path = tmp_path / "register.xlsx"
    write_register(reg or make_register(), path)
    result = CliRunner().invoke(main, ["forms", str(path), "--meeting", meeting.isoformat(),
                                       "--out", str(tmp_path / "uit"), *kwargs.get("args", [])])
    return result, sorted((tmp_path / "uit").rglob("*.xlsx"))


def validation_of(ws, cell):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} validaties"
    return found[0]


def test_one_form_per_professional_per_household_without_personal_names(tmp_path):
    result, files = generate(tmp_path)
    assert result.exit_code == 0, result.output
    assert [f.name for f in files] == [
        "scoreformulier_2026-101_P1_2026-12-01.xlsx",
        "scoreformulier_2026-101_P2_2026-12-01.xlsx",
        "scoreformulier_2026-102_P3_2026-12-01.xlsx",
    ]
    reg = make_register()
    names = [m.name for m in reg.members] + [p.name for p in reg.professionals] + [h.name for h in reg.households]
    for f in files:
        for name in names:
            for part in name.split():
                assert part.lower() not in f.name.lower()
    assert "3 scoreformulieren geschreven" in result.output


def test_every_schema_field_is_a_defined_name_on_an_unlocked_cell_with_validation(tmp_path):
    _, files = generate(tmp_path)
    wb = load_workbook(files[0])
    ws = wb[SHEET]
    places, missing = resolve_names(wb, [c.name for c in SCHEMA.inputs])
    assert missing == []
    last_term = dt.date(2027, 3, 1)
    for c in SCHEMA.inputs:
        assert places[c.name] == (SHEET, c.cell), c.name
        cell = ws[c.cell]
        assert cell.protection.locked is False, c.name
        dv = validation_of(ws, c.cell)
        assert dv.showInputMessage and dv.showErrorMessage, c.name
        assert dv.prompt and dv.error and dv.promptTitle, c.name
        t = c.field.type
        if t in LISTS:
            assert (dv.type, dv.formula1) == ("list", LISTS[t][0]), c.name
        elif t is FieldType.TERM:
            assert (dv.type, dv.operator) == ("date", "between")
            assert (int(dv.formula1), int(dv.formula2)) == (excel_serial(MEETING), excel_serial(last_term))
            assert cell.number_format == "dd-mm-yyyy"
        elif t is FieldType.DATE_OR_YEAR:
            assert dv.type == "custom" and c.cell in dv.formula1
        else:
            assert dv.type == "textLength"


def test_header_prefilled_and_locked_and_sheet_protected(tmp_path):
    _, files = generate(tmp_path)
    wb = load_workbook(files[0])
    ws = wb[SHEET]
    header = {h.key: ws[h.cell] for h in SCHEMA.header}
    assert header["dossier"].value == "2026-101"
    assert header["huishouden"].value == "Gezin Pietersen"
    assert header["overleg"].value == "1 december 2026"
    assert header["professional"].value == "Kim Verhoef"
    assert header["organisatie"].value == "Wijkteam West"
    assert header["gezinsleden"].value == "Anna Pietersen (moeder, 1990)\nTim Pietersen (kind, 2015)"
    assert all(c.protection.locked for c in header.values())
    assert ws.protection.sheet is True
    assert wb.security.lockStructure
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb[LISTS_SHEET].sheet_state == "hidden" and wb[META_SHEET].sheet_state == "hidden"


def list_values(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]


def test_dropdowns_hold_this_households_members_and_professionals(tmp_path):
    _, files = generate(tmp_path)
    wb = load_workbook(files[0])  # household 2026-101
    assert list_values(wb, "lijst_gezinsleden") == ["Anna Pietersen", "Tim Pietersen"]
    assert list_values(wb, "lijst_professionals") == ["Kim Verhoef (Wijkteam West)", "Rob Claassen (Politie)"]
    assert list_values(wb, "lijst_cijfers") == list(range(0, 11))
    assert list_values(wb, "lijst_ja_nee") == ["ja", "nee"]
    other = load_workbook(files[2])  # household 2026-102
    assert list_values(other, "lijst_gezinsleden") == ["Ayşe Öztürk", "Can Öztürk"]


def test_metadata_in_properties_and_on_hidden_sheet(tmp_path):
    _, files = generate(tmp_path)
    props, sheet = read_meta(load_workbook(files[1]))
    assert props == sheet
    assert props["formkit_dossier"] == "2026-101"
    assert props["formkit_professional"] == "P2"
    assert props["formkit_meeting"] == "2026-12-01"
    assert props["formkit_schema_version"] == SCHEMA.version
    ids = {read_meta(load_workbook(f))[0]["formkit_form_id"] for f in files}
    assert len(ids) == 3


def test_special_characters_and_formulas_stay_text(tmp_path):
    reg = make_register()
    reg.households[0] = Household("2026-101", 'Gezin "De Boer" & Zn <test>', dt.date(2026, 10, 1), 1, "P1")
    reg.members[0] = Member("2026-101", '=HYPERLINK("http://x.example","klik")', 1990, "moeder")
    reg.members[1] = Member("2026-101", "Zoë 't Hart & <b>", 2015, "kind")
    result, files = generate(tmp_path, reg)
    assert result.exit_code == 0, result.output
    wb = load_workbook(files[0])
    ws = wb[SHEET]
    header = {h.key: ws[h.cell] for h in SCHEMA.header}
    assert header["huishouden"].value == 'Gezin "De Boer" & Zn <test>'
    assert 'Gezin "De Boer" & Zn <test>' in header["samenvatting"].value
    members = list_values(wb, "lijst_gezinsleden")
    assert members == ['=HYPERLINK("http://x.example","klik")', "Zoë 't Hart & <b>"]
    sheet, ref = next(iter(wb.defined_names["lijst_gezinsleden"].destinations))
    assert wb[sheet][ref.replace("$", "").split(":")[0]].data_type == "s"


def test_term_validation_is_month_end_aware(tmp_path):
    meeting = dt.date(2026, 11, 30)
    reg = make_register()
    reg.meeting_items = [type(reg.meeting_items[0])(meeting, "2026-101")]
    _, files = generate(tmp_path, reg, meeting)
    ws = load_workbook(files[0])[SHEET]
    dv = validation_of(ws, SCHEMA.input("voorwaarde_1_termijn").cell)
    assert int(dv.formula2) == excel_serial(dt.date(2027, 2, 28))


def test_existing_forms_need_force(tmp_path):
    first, files = generate(tmp_path)
    stamp = files[0].stat().st_mtime_ns
    again, _ = generate(tmp_path)
    assert again.exit_code == 0
    assert "3 bestonden al" in again.output and "--force" in again.output
    assert files[0].stat().st_mtime_ns == stamp
    forced, _ = generate(tmp_path, args=["--force"])
    assert "3 scoreformulieren geschreven" in forced.output


def test_dossier_filter_and_unknown_meeting(tmp_path):
    result, files = generate(tmp_path, args=["--dossier", "2026-102"])
    assert result.exit_code == 0
    assert [f.name for f in files] == ["scoreformulier_2026-102_P3_2026-12-01.xlsx"]
    wrong, _ = generate(tmp_path, args=["--dossier", "2026-999"])
    assert wrong.exit_code == 2 and "2026-999" in wrong.output
    none, _ = generate(tmp_path, meeting=dt.date(2026, 12, 2))
    assert none.exit_code == 2
    assert "geen casusoverleg op 02-12-2026" in none.output


def test_household_without_members_gets_no_forms_and_a_finding(tmp_path):
    reg = make_register()
    reg.members = [m for m in reg.members if m.dossier != "2026-102"]
    result, files = generate(tmp_path, reg)
    assert result.exit_code == 1
    assert [f.name for f in files] == ["scoreformulier_2026-101_P1_2026-12-01.xlsx",
                                       "scoreformulier_2026-101_P2_2026-12-01.xlsx"]
    assert result.output.count("heeft geen gezinsleden") == 1


def restyled_template(tmp_path) -> Path:
    target = tmp_path / "eigen" / SCORE_SHEET
    target.parent.mkdir(parents=True)
    shutil.copyfile(default_templates_dir() / SCORE_SHEET, target)
    return target


def test_restyled_template_with_moved_cells_is_filled_through_its_names(tmp_path):
    template = restyled_template(tmp_path)
    wb = load_workbook(template)
    ws = wb[SHEET]
    ws["A1"] = "Scoreformulier Gemeente Voorbeeld"
    # the organisation moved the score input to the right, past the merged answer cells
    wb.defined_names["beoordeling_cijfer"].attr_text = f"{SHEET}!$F${SCHEMA.input('beoordeling_cijfer').row}"
    wb.save(template)
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    reg_result = CliRunner().invoke(main, ["forms", str(path), "--meeting", "2026-12-01", "--out",
                                           str(tmp_path / "uit"), "--templates", str(tmp_path / "eigen")])
    assert reg_result.exit_code == 0, reg_result.output
    out = load_workbook(next((tmp_path / "uit").rglob("*P1*.xlsx")))
    ws = out[SHEET]
    assert ws["A1"].value == "Scoreformulier Gemeente Voorbeeld"
    moved = f"F{SCHEMA.input('beoordeling_cijfer').row}"
    assert validation_of(ws, moved).formula1 == "lijst_cijfers"
    assert ws[moved].protection.locked is False


def test_template_missing_a_name_is_a_clear_error(tmp_path):
    template = restyled_template(tmp_path)
    wb = load_workbook(template)
    del wb.defined_names["regie_regisseur"]
    wb.save(template)
    with pytest.raises(TemplateError, match="regie_regisseur"):
        write_forms(make_register(), MEETING, tmp_path / "uit", templates_dir=tmp_path / "eigen")
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    result = CliRunner().invoke(main, ["forms", str(path), "--meeting", "2026-12-01", "--out",
                                       str(tmp_path / "uit"), "--templates", str(tmp_path / "eigen")])
    assert result.exit_code == 1
    assert "naam 'regie_regisseur'" in result.output and "Traceback" not in result.output


def test_committed_template_matches_the_schema(tmp_path):
    """The committed default template is what scripts/build_templates.py makes today."""
    wb = load_workbook(default_templates_dir() / SCORE_SHEET)
    places, missing = resolve_names(wb, [c.name for c in SCHEMA.inputs] + [h.name for h in SCHEMA.header])
    assert missing == []
    assert all(places[c.name] == (SHEET, c.cell) for c in SCHEMA.inputs)
    assert wb[SHEET][SCHEMA.input("situatie_1_slachtoffer").cell].protection.locked is False


def test_unwritable_output_is_a_finding_and_the_batch_goes_on(tmp_path):
    (tmp_path / "uit").mkdir()
    (tmp_path / "uit" / "2026-101").write_text("in de weg", encoding="utf-8")  # a file where a folder must go
    result, files = generate(tmp_path)
    assert result.exit_code == 1
    assert [f.name for f in files] == ["scoreformulier_2026-102_P3_2026-12-01.xlsx"]
    assert result.output.count("kan niet worden geschreven") == 2
    assert "Traceback" not in result.output


def test_forms_from_an_unreadable_register_exit_1(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK\x03\x04 kapot")
    result = CliRunner().invoke(main, ["forms", str(path), "--meeting", "2026-12-01", "--out", str(tmp_path / "uit")])
    assert result.exit_code == 1
    assert "kan niet worden geopend" in result.output and "Traceback" not in result.output


def test_a_name_inside_merged_cells_is_a_template_error(tmp_path):
    from formkit.delivery.template_check import check_templates, export_templates

    custom = tmp_path / "eigen"
    export_templates(custom)
    template = custom / SCORE_SHEET
    wb = load_workbook(template)
    wb.defined_names["beoordeling_cijfer"].attr_text = f"{SHEET}!$D${SCHEMA.input('beoordeling_cijfer').row}"
    wb.save(template)
    with pytest.raises(TemplateError, match="samengevoegde cellen"):
        write_forms(make_register(), MEETING, tmp_path / "uit", templates_dir=custom)
    assert [f.code for f in check_templates(custom)] == ["template_name_merged"]


def test_prefilled_answers_read_back_as_given(tmp_path):
    from formkit.returns.interpret import interpret
    from formkit.returns.read import read_form
    from formkit.sheets.forms import form_content
    from formkit.sheets.scoresheet import ScoreSheetWriter

    reg = make_register()
    dossier = reg.dossiers_on(MEETING)[0]
    code = reg.professionals_of(dossier)[0].code
    writer = ScoreSheetWriter(SCHEMA, default_templates_dir() / SCORE_SHEET)
    answers = {"situatie_1_datum": dt.date(2026, 10, 1), "situatie_2_datum": 2025,
               "situatie_1_omschrijving": "=SUM(A1:A3) is geen formule", "voorwaarde_1_termijn": dt.date(2027, 1, 15)}
    for n in range(2):  # the template is reused: the second form must not inherit the first one's formats
        path = tmp_path / f"{n}.xlsx"
        writer.write(form_content(reg, MEETING, dossier, code, SCHEMA), path, answers if n == 0 else
                     {"situatie_1_datum": 2024})
    first = interpret(read_form(tmp_path / "0.xlsx", SCHEMA), reg, SCHEMA)
    assert first.findings == []
    assert first.values["situatie_1_datum"] == dt.date(2026, 10, 1)
    assert first.values["situatie_2_datum"] == 2025
    assert first.values["situatie_1_omschrijving"] == "=SUM(A1:A3) is geen formule"
    assert first.values["voorwaarde_1_termijn"] == dt.date(2027, 1, 15)
    second = interpret(read_form(tmp_path / "1.xlsx", SCHEMA), reg, SCHEMA)
    assert second.values["situatie_1_datum"] == 2024 and second.findings == []
    sheet, cell = resolve_names(load_workbook(tmp_path / "1.xlsx"), ["situatie_1_datum"])[0]["situatie_1_datum"]
    assert load_workbook(tmp_path / "1.xlsx")[sheet][cell].number_format == DATE_OR_YEAR_FORMAT
