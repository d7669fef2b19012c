"""A score sheet opened and re-saved by LibreOffice keeps what formkit relies on."""

from conftest import MEETING, make_register
from openpyxl import load_workbook

from formkit.sheets.forms import write_forms
from formkit.sheets.names import read_meta, resolve_names
from formkit.sheets.schema import LISTS_SHEET, META_SHEET, SHEET, build_schema


def validations(ws):
    """Return {cell: (type, formula1, upper bound, messages, input message on, error alert on)}."""
    result = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    # LibreOffice writes a meaningless formula2 where no operator uses it
                    upper = dv.formula2 if dv.type in ("date", "whole", "decimal", "textLength") and dv.operator == "between" else None
                    result[cell.coordinate] = (dv.type, dv.formula1, upper, dv.prompt, dv.error,
                                               bool(dv.showInputMessage), bool(dv.showErrorMessage))
    return result


def test_libreoffice_resave_keeps_names_validations_and_metadata(tmp_path, libreoffice_convert):
    result = write_forms(make_register(), MEETING, tmp_path / "uit")
    original = result.written[0].path
    resaved = libreoffice_convert(original, "xlsx", tmp_path / "lo")

    before, after = load_workbook(original), load_workbook(resaved)
    schema = build_schema()
    names = [c.name for c in schema.inputs] + [h.name for h in schema.header]
    places_before, _ = resolve_names(before, names)
    places_after, missing = resolve_names(after, names)
    assert missing == []
    assert places_after == places_before

    v_before, v_after = validations(before[SHEET]), validations(after[SHEET])
    for c in schema.inputs:
        assert v_after[c.cell] == v_before[c.cell], c.name

    assert read_meta(after) == read_meta(before)
    props, sheet = read_meta(after)
    assert props == sheet and props["formkit_dossier"] == "2026-101"
    assert after[LISTS_SHEET].sheet_state == "hidden" and after[META_SHEET].sheet_state == "hidden"
    assert after[SHEET][schema.input("beoordeling_cijfer").cell].protection.locked is False
    assert after[SHEET].protection.sheet
