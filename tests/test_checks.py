"""The method's rules on one returned form, and the tolerance of reading it."""

import datetime as dt

import pytest
from conftest import COMPLETE, MEETING, make_register

from formkit.core.messages import MESSAGES
from formkit.register.model import Professional
from formkit.returns.interpret import interpret
from formkit.returns.read import read_form
from formkit.returns.rules import check_form
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()


def findings_for(path, register=None):
    register = register or make_register()
    form = read_form(path, SCHEMA)
    return check_form(interpret(form, register, SCHEMA), register, MEETING, SCHEMA)


def only(findings, code):
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [str(f) for f in findings]
    return matching[0]


def with_(**changes):
    values = dict(COMPLETE)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def test_a_complete_form_has_no_findings(returned):
    assert findings_for(returned(COMPLETE)) == []


def test_values_are_typed_and_the_victim_is_the_register_name(returned):
    form = read_form(returned(with_(situatie_1_slachtoffer="tim pietersen ")), SCHEMA)
    values = interpret(form, make_register(), SCHEMA)
    assert values.values["situatie_1_slachtoffer"] == "Tim Pietersen"
    assert values.values["voorwaarde_1_termijn"] == dt.date(2027, 1, 15)
    assert values.values["beoordeling_cijfer"] == 5
    assert values.values["regie_regisseur"] == "P1"


@pytest.mark.parametrize("typed, expected", [
    ("3-12-2026", dt.date(2026, 12, 3)), ("03-12-26", dt.date(2026, 12, 3)),
    ("3 december 2026", dt.date(2026, 12, 3)), (" 3-12-2026 ", dt.date(2026, 12, 3))])
def test_dutch_text_dates_are_read_with_a_warning(returned, typed, expected):
    path = returned(with_(voorwaarde_1_termijn=typed))
    found = findings_for(path)
    f = only(found, "text_date")
    assert f.severity.value == "waarschuwing"
    assert (f.cell, f.field, f.dossier, f.professional) == (
        SCHEMA.input("voorwaarde_1_termijn").cell, "Termijn (1)", "2026-101", "P1")
    assert interpret(read_form(path, SCHEMA), make_register(), SCHEMA).values["voorwaarde_1_termijn"] == expected


def test_numbers_typed_as_text_and_years_are_read(returned):
    path = returned(with_(beoordeling_cijfer=" 6 ", situatie_1_datum="2025"))
    form = interpret(read_form(path, SCHEMA), make_register(), SCHEMA)
    assert form.values["beoordeling_cijfer"] == 6 and form.values["situatie_1_datum"] == 2025
    assert findings_for(path) == []


@pytest.mark.parametrize("typed", ["TIM PIETERSEN", "Tim Piëtersen", "tim"])
def test_a_victim_in_other_spelling_is_a_warning(returned, typed):
    f = only(findings_for(returned(with_(situatie_1_slachtoffer=typed))), "member_spelling")
    assert f.severity.value == "waarschuwing"
    assert f.message == MESSAGES["member_spelling"][1].format(value=typed, member="Tim Pietersen")


def test_an_unknown_victim_is_an_error(returned):
    f = only(findings_for(returned(with_(situatie_1_slachtoffer="Oma Pietersen"))), "victim_unknown")
    assert f.is_error and f.cell == SCHEMA.input("situatie_1_slachtoffer").cell


def test_the_description_begins_with_the_victim(returned):
    f = only(findings_for(returned(with_(situatie_1_omschrijving="Er is 's avonds niemand thuis bij Tim."))),
             "description_without_victim")
    assert f.is_error and f.field == "Omschrijving (TOP 1)"
    assert findings_for(returned(with_(situatie_1_omschrijving="Tim Pietersen is 's avonds alleen."))) == []
    # a name that merely starts with the first name is not the name
    only(findings_for(returned(with_(situatie_1_omschrijving="Timmy is 's avonds alleen."))),
         "description_without_victim")


def test_situation_dates_not_after_the_meeting(returned):
    f = only(findings_for(returned(with_(situatie_1_datum=dt.date(2026, 12, 2)))), "situation_after_meeting")
    assert f.is_error
    only(findings_for(returned(with_(situatie_1_datum=2027))), "situation_after_meeting")
    assert findings_for(returned(with_(situatie_1_datum=dt.date(2026, 12, 1)))) == []


def test_an_impossible_date_is_an_error(returned):
    f = only(findings_for(returned(with_(voorwaarde_1_termijn="31-02-2027"))), "not_a_date")
    assert f.is_error
    assert not [x for x in findings_for(returned(with_(voorwaarde_1_termijn="31-02-2027")))
                if x.code == "row_incomplete"]  # an unreadable value is not also "empty"


@pytest.mark.parametrize("meeting_day, deadline, ok", [
    (dt.date(2026, 12, 1), dt.date(2027, 3, 1), True),
    (dt.date(2026, 12, 1), dt.date(2027, 3, 2), False),
    (dt.date(2026, 11, 30), dt.date(2027, 2, 28), True),   # month end: 30 Nov + 3 months = 28 Feb
    (dt.date(2026, 11, 30), dt.date(2027, 3, 1), False),
    (dt.date(2026, 12, 1), dt.date(2026, 12, 1), True),
])
def test_terms_are_within_three_calendar_months(tmp_path, meeting_day, deadline, ok):
    from conftest import fill

    from formkit.register.model import MeetingItem
    from formkit.sheets.forms import write_forms

    reg = make_register(meeting_items=[MeetingItem(meeting_day, "2026-101")])
    blank = write_forms(reg, meeting_day, tmp_path / "leeg").written[0].path
    path = fill(blank, with_(voorwaarde_1_termijn=deadline, afspraak_1_wanneer=meeting_day,
                             regie_toetsmoment=meeting_day), tmp_path / "f.xlsx")
    form = read_form(path, SCHEMA)
    found = check_form(interpret(form, reg, SCHEMA), reg, meeting_day, SCHEMA)
    assert [f.code for f in found] == ([] if ok else ["term_too_far"])


def test_a_term_before_the_meeting(returned):
    f = only(findings_for(returned(with_(afspraak_1_wanneer=dt.date(2026, 11, 30)))), "term_before_meeting")
    assert f.field == "Uiterlijk (1)"


def test_required_fields_and_incomplete_rows(returned):
    found = findings_for(returned(with_(beoordeling_toelichting=None, voorwaarde_1_eigenaar=None,
                                        regie_regisseur=None, voorwaarde_2_voorwaarde="Een tweede voorwaarde.")))
    assert {(f.code, f.field) for f in found} == {
        ("field_required", "Waarom dit cijfer"), ("field_required", "Eigenaar (1)"),
        ("field_required", "Voorgestelde regisseur"),
        ("row_incomplete", "Termijn (2)"), ("row_incomplete", "Eigenaar (2)")}


@pytest.mark.parametrize("score, code", [(7.5, "score_not_whole"), ("zeven", "score_not_whole"),
                                         (11, "score_out_of_range"), (-1, "score_out_of_range")])
def test_scores_are_whole_numbers_on_the_scale(returned, score, code):
    f = only(findings_for(returned(with_(beoordeling_cijfer=score))), code)
    assert f.is_error and f.field == "Veiligheidscijfer"


def test_member_scores_need_member_and_score(returned):
    found = findings_for(returned(with_(gezinsscore_1_toelichting="Anna voelt zich veiliger.")))
    assert {(f.code, f.field) for f in found} == {("row_incomplete", "Gezinslid (1)"), ("row_incomplete", "Cijfer (1)")}


def test_the_proposed_regisseur_is_involved_and_has_an_email(returned):
    only(findings_for(returned(with_(regie_regisseur="Iris Lammers (Veilig Thuis)"))), "proposed_regisseur_unknown")
    reg = make_register()
    reg.professionals[0] = Professional("P1", "Kim Verhoef", "Wijkteam West", "gezinscoach", None)
    f = only(findings_for(returned(COMPLETE), reg), "proposed_regisseur_without_email")
    assert "Kim Verhoef" in f.message


def test_at_most_the_methods_number_of_conditions(tmp_path):
    from conftest import fill

    from formkit.core.settings import MethodSettings
    from formkit.sheets.forms import write_forms

    schema = build_schema(MethodSettings(max_conditions=2))
    blank = write_forms(make_register(), MEETING, tmp_path / "leeg").written[0].path  # 5 condition rows
    values = dict(COMPLETE)
    for i in (2, 3):
        values |= {f"voorwaarde_{i}_voorwaarde": f"Voorwaarde {i}", f"voorwaarde_{i}_termijn": dt.date(2027, 1, 1),
                   f"voorwaarde_{i}_eigenaar": "Anna Pietersen"}
    path = fill(blank, values, tmp_path / "f.xlsx")
    form = read_form(path, schema)
    found = check_form(interpret(form, make_register(), schema), make_register(), MEETING, schema)
    f = only(found, "too_many_conditions")
    assert f.message == MESSAGES["too_many_conditions"][1].format(count=3, limit=2)


def test_suspected_offence_needs_police_or_om(returned):
    offence = with_(situatie_1_strafbaar_feit="Ja")
    f = only(findings_for(returned(offence)), "offence_without_police")
    assert f.severity.value == "waarschuwing"
    assert findings_for(returned(offence | {"afspraak_2_wie": "Politie", "afspraak_2_wat": "Neemt aangifte op.",
                                            "afspraak_2_wanneer": dt.date(2026, 12, 8)})) == []
    assert findings_for(returned(offence | {"afspraak_1_wat": "Overleg met het OM over vervolging."})) == []
    # "om" is an everyday Dutch word, not the public prosecutor
    only(findings_for(returned(offence | {"afspraak_1_wat": "Belt om 9 uur met moeder."})), "offence_without_police")


def test_a_formula_is_a_finding_and_never_evaluated(returned):
    path = returned(with_(beoordeling_cijfer="=2+3"))
    form = read_form(path, SCHEMA)
    interpreted = interpret(form, make_register(), SCHEMA)
    assert "beoordeling_cijfer" not in interpreted.values
    f = only(check_form(interpreted, make_register(), MEETING, SCHEMA), "form_formula")
    assert "=2+3" in f.message and f.field == "Veiligheidscijfer"


def test_choices_yes_no_are_tolerant(returned):
    assert findings_for(returned(with_(situatie_1_strafbaar_feit=" NEE"))) == []
    only(findings_for(returned(with_(situatie_1_strafbaar_feit="misschien"))), "choice_invalid")


def test_a_form_resaved_by_libreoffice_reads_identically(returned, tmp_path, libreoffice_convert):
    original = returned(with_(situatie_1_datum=2025, voorwaarde_1_termijn="3-1-2027",
                              situatie_1_omschrijving="Tim & Anna: \"<thuis>\"\nregel 2"))
    resaved = libreoffice_convert(original, "xlsx", tmp_path / "lo")
    a, b = read_form(original, SCHEMA), read_form(resaved, SCHEMA)
    assert b.values == a.values and b.meta == a.meta
    reg = make_register()
    assert interpret(b, reg, SCHEMA).values == interpret(a, reg, SCHEMA).values
    assert [(f.code, f.cell) for f in findings_for(resaved)] == [(f.code, f.cell) for f in findings_for(original)]


def test_a_year_typed_in_a_date_cell_reads_as_that_year(returned):
    from openpyxl import load_workbook

    path = returned(COMPLETE)
    wb = load_workbook(path)
    cell = wb["Scoreformulier"][SCHEMA.input("situatie_1_datum").cell]
    cell.value, cell.number_format = 2025, "dd-mm-yyyy"  # Excel shows 17-07-1905
    wb.save(path)
    form = interpret(read_form(path, SCHEMA), make_register(), SCHEMA)
    assert form.values["situatie_1_datum"] == 2025
