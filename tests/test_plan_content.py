"""What the plan says, and who gets a plan at all: unreadable scores and deadlines beyond the
method's limit are open points, a household without forms gets no plan version."""

import datetime as dt
import json

from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from docx import Document

from formkit.cli.main import main
from formkit.documents.plan_files import PLAN_JSON, merge_and_write, write_version
from formkit.plan.history import History
from formkit.plan.merge import NoFormsReceived, household_inputs, merge_household
from formkit.plan.model import consensus_words
from formkit.register.write import write_register
from formkit.returns.accepted import Submission
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
LIMIT = dt.date(2027, 3, 1)  # MEETING (1 December 2026) + 3 months


def sub(professional: str, values: dict, raw: dict | None = None) -> Submission:
    """A form as the merge sees it; `raw` holds what was written where no typed value could be made."""
    raw = dict(values) | (raw or {})
    return Submission(f"{professional}.xlsx", professional, values, raw,
                      {name: SCHEMA.input(name).cell for name in raw})


def scored(score, **more) -> dict:
    return {"beoordeling_cijfer": score, "beoordeling_toelichting": "toelichting"} | more


def plan_of(*subs: Submission):
    return merge_household(make_register(), "2026-101", MEETING, list(subs), SCHEMA)


def docx_text(folder) -> str:
    """Return every paragraph and table cell of the version's Word plan, as the meeting reads it."""
    doc = Document(next(folder.glob("*.docx")))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_an_out_of_range_score_is_an_open_point_and_consensus_is_not_yet_to_be_told(tmp_path):
    plan = plan_of(sub("P1", scored(7)), sub("P2", {"beoordeling_toelichting": "gaat goed"}, {"beoordeling_cijfer": 11}))
    assert plan.summary.determined is False and plan.summary.consensus is False
    assert consensus_words(plan.summary) == "nog niet vast te stellen"
    assert plan.summary.reason == "het cijfer van Rob Claassen kon niet worden gelezen"
    point = ("Het veiligheidscijfer van Rob Claassen kon niet worden gelezen: ingevuld is '11', gevraagd is een heel "
             "getal van 0 tot en met 10. Vraag Rob Claassen het cijfer opnieuw te geven.")
    assert point in plan.open_points
    assert ("Consensus over de veiligheid is nog niet vast te stellen: het cijfer van Rob Claassen kon niet worden "
            "gelezen.") in plan.open_points
    folder = write_version(plan, tmp_path)
    assert point in json.loads((folder / PLAN_JSON).read_text(encoding="utf-8"))["open_points"]
    assert point in docx_text(folder)
    assert "Consensus: nog niet vast te stellen: het cijfer van Rob Claassen kon niet worden gelezen" in docx_text(folder)


def test_a_half_score_is_quoted_the_dutch_way():
    plan = plan_of(sub("P1", scored(7)), sub("P2", {}, {"beoordeling_cijfer": 6.5}))
    assert any("ingevuld is '6,5'" in p for p in plan.open_points)
    assert [s.shown for s in plan.scores] == ["7", "6,5"]  # what was written, the Dutch way
    assert consensus_words(plan.summary) == "nog niet vast te stellen"


def test_readable_scores_that_disagree_are_no_consensus_and_still_name_the_unread_score():
    plan = plan_of(sub("P1", scored(2)), sub("P2", scored(8)), sub("P3", {}, {"beoordeling_cijfer": "zes"}))
    assert consensus_words(plan.summary) == "geen consensus"
    assert "het cijfer van Iris Lammers kon niet worden gelezen" in plan.summary.reason
    assert any(p.startswith("Geen consensus over de veiligheid: de cijfers lopen 6 punten uiteen") for p in plan.open_points)
    assert any("ingevuld is 'zes'" in p for p in plan.open_points)


def test_readable_scores_only_keep_the_summary_numbers_as_numbers():
    plan = plan_of(sub("P1", scored(3)), sub("P2", scored(4)))
    assert (plan.summary.lowest, plan.summary.median, plan.summary.highest) == (3, 3.5, 4)
    assert consensus_words(plan.summary) == "ja" and plan.summary.determined


def test_a_deadline_beyond_the_methods_limit_is_an_open_point_in_json_and_word(tmp_path):
    far = dt.date(2027, 6, 30)
    plan = plan_of(sub("P1", scored(7, voorwaarde_1_voorwaarde="Er is een oppas.", voorwaarde_1_termijn=far,
                                    voorwaarde_1_eigenaar="Anna Pietersen",
                                    afspraak_1_wie="Wijkteam", afspraak_1_wat="Regelt opvang.",
                                    afspraak_1_wanneer=LIMIT)),
                   sub("P2", scored(7)))
    point = ("Termijn van voorwaarde 'Er is een oppas.' (Kim Verhoef): 30 juni 2027 ligt meer dan 3 maanden na het "
             "overleg (uiterlijk 1 maart 2027); spreek een termijn binnen de methode af.")
    assert point in plan.open_points
    assert not any("Regelt opvang." in p for p in plan.open_points)  # the limit itself is within the method
    folder = write_version(plan, tmp_path)
    assert point in json.loads((folder / PLAN_JSON).read_text(encoding="utf-8"))["open_points"]
    assert point in docx_text(folder)


def test_an_agreement_deadline_that_is_no_date_is_an_open_point():
    plan = plan_of(sub("P1", scored(7, afspraak_1_wie="Wijkteam", afspraak_1_wat="Regelt opvang."),
                       {"afspraak_1_wanneer": "volgende week"}))
    assert ("Termijn van afspraak 'Regelt opvang.' (Kim Verhoef): 'volgende week' kon niet worden gelezen als "
            "datum; spreek een datum af.") in plan.open_points


def test_old_plan_json_without_the_new_field_still_reads():
    assert consensus_words({"lowest": 3, "median": 3.0, "highest": 3, "consensus": True, "reason": ""}) == "ja"
    assert consensus_words({"consensus": False, "reason": "de cijfers lopen 4 punten uiteen"}) == "geen consensus"


def test_merge_and_write_says_which_household_received_no_forms(tmp_path, returned):
    from formkit.returns.batch import check_batch

    returned(COMPLETE)
    reg = make_register()
    batch = check_batch([tmp_path / "retour"], reg, SCHEMA, meeting=MEETING)
    assert household_inputs(batch, reg)("2026-102").received is False
    results = {plan.dossier: folder for plan, folder in merge_and_write(batch, reg, SCHEMA, tmp_path / "plannen")}
    nothing = results["2026-102"]
    assert isinstance(nothing, NoFormsReceived)
    assert (nothing.household, nothing.meeting, nothing.missing) == ("Gezin Öztürk", MEETING,
                                                                      ["Iris Lammers (Veilig Thuis)"])
    assert nothing.finding().code == "no_forms_received" and not nothing.finding().is_error
    assert not (tmp_path / "plannen" / "2026-102").exists()
    assert (results["2026-101"] / PLAN_JSON).is_file()


def test_merge_then_status_names_the_household_without_forms(tmp_path, returned):
    returned(COMPLETE)
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    runner = CliRunner()
    merged = runner.invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(register),
                                  "--meeting", "2026-12-01", "--out", str(tmp_path / "plannen")])
    assert "2026-102 Gezin Öztürk: geen formulieren ontvangen – geen plan gemaakt" in merged.output
    history = History(tmp_path / "formkit-historie.sqlite")
    assert [p.meeting for p in history.plans("2026-102")] == []  # no plan in the history either
    assert history.no_forms("2026-102") == [MEETING]
    status = runner.invoke(main, ["status", "--register", str(register), "--as-of", "2026-12-02"])
    assert "2026-102 Gezin Öztürk · fase 2 · laatste overleg nog geen plan (geen formulieren ontvangen voor " \
           "01-12-2026)" in status.output
    assert "[oranje] Geen formulieren ontvangen voor het overleg van 1 december 2026: voor dat overleg is geen " \
           "plan gemaakt." in status.output
    data = json.loads(runner.invoke(main, ["status", "--register", str(register), "--as-of", "2026-12-02",
                                           "--json"]).stdout)
    oz = next(h for h in data["huishoudens"] if h["dossier"] == "2026-102")
    assert oz["geen_formulieren_ontvangen"] == ["2026-12-01"] and "no_forms" in [s["code"] for s in oz["signalen"]]


def test_a_plan_written_later_for_the_same_meeting_ends_the_no_forms_note(tmp_path):
    history = History(tmp_path / "h.sqlite")
    history.record_no_forms("2026-101", MEETING)
    plan = merge_household(make_register(), "2026-101", MEETING, [sub("P1", scored(7))], SCHEMA)
    history.record(plan)
    assert history.no_forms("2026-101") == []


def test_a_household_whose_only_form_was_left_out_says_so_in_the_merge_line():
    from formkit.plan.merge import HouseholdInputs, no_forms_received
    from formkit.plan.model import Exclusion

    inputs = HouseholdInputs("2026-102", [], [Exclusion("oud.xlsx", "P3", "hoort bij een ander overleg")], [])
    assert not inputs.received
    nothing = no_forms_received(make_register(), MEETING, inputs)
    assert nothing.describe() == ("geen formulieren ontvangen; 1 formulier niet meegenomen (zie 'formkit check') – "
                                  "geen plan gemaakt")
    assert nothing.finding().message == ("geen formulieren ontvangen voor dossier 2026-102 op het overleg van "
                                         "1 december 2026; er is geen plan gemaakt.")


def test_an_older_history_store_without_the_no_forms_table_reads_and_is_not_written(tmp_path):
    history = History(tmp_path / "h.sqlite")
    history.record(merge_household(make_register(), "2026-101", MEETING, [sub("P1", scored(7))], SCHEMA))
    before = (tmp_path / "h.sqlite").read_bytes()
    assert history.no_forms("2026-101") == [] and history.findings == []
    assert (tmp_path / "h.sqlite").read_bytes() == before  # reading status never changes the store


# --- what the check found in a merged form reaches the plan (issue 13, engineer F) -------------------

def checked_plan(tmp_path, returned, *forms: tuple[str, dict]):
    """Return the plan of household 2026-101 after checking the returned forms, as `formkit merge` makes it."""
    from formkit.plan.merge import merge_inputs
    from formkit.returns.batch import check_batch

    for professional, values in forms:
        returned(values, professional=professional)
    reg = make_register()
    batch = check_batch([tmp_path / "retour"], reg, SCHEMA, meeting=MEETING)
    return batch, merge_inputs(reg, SCHEMA, MEETING, household_inputs(batch, reg)("2026-101"))


def test_a_victim_not_in_the_household_is_an_open_point_naming_the_professional_and_the_victim(tmp_path, returned):
    _, plan = checked_plan(tmp_path, returned, ("P1", COMPLETE | {"situatie_2_slachtoffer": "Riet van der Meer",
                                                                  "situatie_2_omschrijving": "Riet van der Meer is bang.",
                                                                  "situatie_2_datum": dt.date(2026, 11, 1),
                                                                  "situatie_2_strafbaar_feit": "nee"}),
                           ("P2", COMPLETE))
    assert ("Formulier van Kim Verhoef (Wijkteam West), Onveilige situaties (TOP-3), 'Slachtoffer (TOP 2)': "
            "'Riet van der Meer' is geen gezinslid van dit huishouden; kies een naam uit de keuzelijst."
            ) in plan.open_points


def test_an_empty_required_reason_is_an_open_point_in_json_and_word(tmp_path, returned):
    without_reason = {k: v for k, v in COMPLETE.items() if k != "beoordeling_toelichting"}
    _, plan = checked_plan(tmp_path, returned, ("P1", COMPLETE), ("P2", without_reason))
    point = "Formulier van Rob Claassen (Politie), Veiligheidsbeoordeling: 'Waarom dit cijfer' is verplicht maar leeg."
    assert point in plan.open_points
    folder = write_version(plan, tmp_path / "plannen")
    assert point in json.loads((folder / PLAN_JSON).read_text(encoding="utf-8"))["open_points"]
    assert point in docx_text(folder)


def test_an_unreadable_score_is_one_open_point_not_two(tmp_path, returned):
    batch, plan = checked_plan(tmp_path, returned, ("P1", COMPLETE), ("P2", COMPLETE | {"beoordeling_cijfer": 11}))
    assert "score_out_of_range" in [f.code for f in batch.findings()]  # the check report has it ...
    about_the_score = [p for p in plan.open_points if "Rob Claassen" in p and "cijfer" in p.lower()
                       and not p.startswith("Consensus")]
    assert about_the_score == [  # ... and the plan says it once, in its own words
        "Het veiligheidscijfer van Rob Claassen kon niet worden gelezen: ingevuld is '11', gevraagd is een heel "
        "getal van 0 tot en met 10. Vraag Rob Claassen het cijfer opnieuw te geven."]
    assert not any(p.startswith("Formulier van Rob Claassen") for p in plan.open_points)


def test_a_deadline_beyond_the_term_is_one_open_point_not_two(tmp_path, returned):
    _, plan = checked_plan(tmp_path, returned, ("P1", COMPLETE | {"voorwaarde_1_termijn": dt.date(2027, 6, 30)}),
                           ("P2", COMPLETE))
    assert [p for p in plan.open_points if p.startswith(("Termijn van", "Formulier van"))] == [
        "Termijn van voorwaarde 'Er is 's avonds altijd een volwassene bij Tim.' (Kim Verhoef): 30 juni 2027 ligt "
        "meer dan 3 maanden na het overleg (uiterlijk 1 maart 2027); spreek een termijn binnen de methode af."]


def test_a_warning_on_a_merged_form_stays_in_the_check_report_only(tmp_path, returned):
    batch, plan = checked_plan(tmp_path, returned, ("P1", COMPLETE | {"situatie_1_slachtoffer": "tim pietersen"}),
                               ("P2", COMPLETE))
    warnings = [f for f in batch.findings() if f.professional == "P1" and not f.is_error]
    assert [f.code for f in warnings] == ["member_spelling"]
    assert not any(p.startswith("Formulier van") for p in plan.open_points)
