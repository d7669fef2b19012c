"""Progress over meetings: the history store, each signal on its day (not a day early), status and dashboard."""

import datetime as dt
import json
import zipfile

from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.documents.dashboard import write_dashboard
from formkit.documents.plan_files import write_version
from formkit.plan.history import History, rebuild
from formkit.plan.merge import merge_household
from formkit.plan.model import Plan
from formkit.plan.signals import signals_for
from formkit.plan.status import household_statuses
from formkit.register.model import Household, MeetingItem
from formkit.register.write import write_register
from formkit.returns.accepted import Submission
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
D = dt.date


def plan_on(meeting: dt.date, scores: dict[str, int], *, conditions=(), check=None, incident=None, missing=(),
            version=1) -> Plan:
    """A plan of household 2026-101 for a meeting."""
    subs = []
    for code, score in scores.items():
        values = {"beoordeling_cijfer": score, "beoordeling_toelichting": "toelichting"}
        if code == "P1":
            for i, (text, deadline) in enumerate(conditions, start=1):
                values |= {f"voorwaarde_{i}_voorwaarde": text, f"voorwaarde_{i}_termijn": deadline,
                           f"voorwaarde_{i}_eigenaar": "Anna Pietersen"}
            if check:
                values["regie_toetsmoment"] = check
            if incident:
                values |= {"situatie_1_slachtoffer": "Tim Pietersen", "situatie_1_omschrijving": "Tim werd geslagen.",
                           "situatie_1_datum": incident, "situatie_1_strafbaar_feit": "ja"}
        subs.append(Submission(f"{code}.xlsx", code, values, dict(values),
                               {n: SCHEMA.input(n).cell for n in values}))
    plan = merge_household(make_register(), "2026-101", meeting, subs, SCHEMA, missing=list(missing))
    plan.version = version
    return plan


def codes(plans, as_of, register=None):
    return [s.code for s in signals_for("2026-101", plans, register or make_register(), as_of)]


def test_escalation_from_the_day_after_the_three_months_month_end():
    plans = [plan_on(D(2026, 11, 30), {"P1": 5, "P2": 7})]
    # 30 November + 3 months = 28 February: the term's last day still belongs to the term
    assert "escalate" not in codes(plans, D(2027, 2, 28))
    assert "escalate" in codes(plans, D(2027, 3, 1))
    signal = next(s for s in signals_for("2026-101", plans, make_register(), D(2027, 3, 1)) if s.code == "escalate")
    assert signal.level == "rood" and "MDA++" in signal.message and "Raad voor de Kinderbescherming" in signal.rule
    # reached by the latest plan: no escalation
    plans.append(plan_on(D(2027, 1, 31), {"P1": 6, "P2": 7}))
    assert "escalate" not in codes(plans, D(2027, 3, 1))


def test_escalation_and_an_overdue_condition_fall_due_on_the_same_day_after_the_term():
    last_day = D(2027, 2, 28)  # 30 November 2026 + 3 months
    plans = [plan_on(D(2026, 11, 30), {"P1": 5, "P2": 7}, conditions=[("Er is een oppas.", last_day)])]
    assert {"escalate", "condition_overdue"}.isdisjoint(codes(plans, last_day))
    assert {"escalate", "condition_overdue"} <= set(codes(plans, last_day + dt.timedelta(days=1)))


def test_escalation_on_a_leap_year_month_end():
    plans = [plan_on(D(2027, 11, 30), {"P1": 4})]  # + 3 months = 29 February 2028
    assert "escalate" not in codes(plans, D(2028, 2, 29))
    assert "escalate" in codes(plans, D(2028, 3, 1))


def test_a_condition_past_its_deadline():
    plans = [plan_on(MEETING, {"P1": 5}, conditions=[("Er is een oppas.", D(2027, 1, 15))])]
    assert "condition_overdue" not in codes(plans, D(2027, 1, 15))
    assert "condition_overdue" in codes(plans, D(2027, 1, 16))


def test_stable_safety_two_meetings_an_interval_apart_and_six_months_without_incidents():
    first = plan_on(D(2027, 1, 31), {"P1": 7, "P2": 8}, incident=D(2026, 8, 28))
    second = plan_on(D(2027, 2, 28), {"P1": 7, "P2": 7})
    # 31 January + 1 month = 28 February: far enough apart; last incident + 6 months = 28 February
    assert "stable" not in codes([first, second], D(2027, 2, 27))
    assert "stable" in codes([first, second], D(2027, 2, 28))
    too_close = plan_on(D(2027, 2, 27), {"P1": 7, "P2": 7})
    assert "stable" not in codes([first, too_close], D(2027, 6, 1))
    one_low = plan_on(D(2027, 2, 28), {"P1": 7, "P2": 6})
    assert "stable" not in codes([first, one_low], D(2027, 6, 1))
    recent = plan_on(D(2027, 2, 28), {"P1": 7, "P2": 7}, incident=D(2027, 1, 5))
    assert "stable" not in codes([first, recent], D(2027, 7, 4))
    assert "stable" in codes([first, recent], D(2027, 7, 5))
    reg = make_register()
    reg.households[0] = Household("2026-101", "Gezin Pietersen", D(2026, 10, 1), 3, "P1")
    assert "stable" not in codes([first, second], D(2027, 6, 1), reg)  # already in the recovery phase


def test_a_score_that_fell_since_the_previous_meeting():
    before = plan_on(MEETING, {"P1": 5, "P2": 6})
    after = plan_on(D(2027, 1, 12), {"P1": 4, "P2": 6})
    found = signals_for("2026-101", [before, after], make_register(), D(2027, 1, 12))
    [fell] = [s for s in found if s.code == "score_fell"]
    assert "Kim Verhoef daalde van 5 naar 4" in fell.message
    assert "score_fell" not in codes([before, after], D(2027, 1, 11))  # the later plan is not known yet


def test_no_regisseur_missing_forms_and_an_overdue_check():
    reg = make_register()
    reg.households[0] = Household("2026-101", "Gezin Pietersen", D(2026, 10, 1), 1, None)
    assert codes([], D(2027, 1, 1), reg) == ["no_regisseur"]
    plans = [plan_on(MEETING, {"P1": 5}, check=D(2027, 1, 12), missing=["Rob Claassen (Politie)"])]
    found = signals_for("2026-101", plans, make_register(), D(2027, 1, 12))
    assert [s.code for s in found] == ["forms_missing"]
    assert "Rob Claassen (Politie)" in found[0].message
    assert "check_overdue" in codes(plans, D(2027, 1, 13))


def test_the_history_keeps_the_latest_version_per_meeting(tmp_path):
    history = History(tmp_path / "historie.sqlite")
    history.record(plan_on(MEETING, {"P1": 4}, version=2))
    history.record(plan_on(MEETING, {"P1": 3}, version=1))  # an older version does not overwrite
    history.record(plan_on(D(2027, 1, 12), {"P1": 6}))
    plans = history.plans("2026-101")
    assert [(p.meeting, p.version, p.scores[0].score) for p in plans] == [
        (D(2026, 12, 1), 2, 4), (D(2027, 1, 12), 1, 6)]
    assert History(tmp_path / "leeg.sqlite").plans("2026-101") == []


def test_rebuild_from_a_folder_of_plans(tmp_path, returned):
    from formkit.plan.merge import merge_batch
    from formkit.returns.batch import check_batch

    returned(COMPLETE)
    reg = make_register()
    batch = check_batch([tmp_path / "retour"], reg, SCHEMA)
    for plan in merge_batch(batch, reg, SCHEMA):
        write_version(plan, tmp_path / "plannen")
        write_version(plan, tmp_path / "plannen")  # v2
    history = History(tmp_path / "h.sqlite")
    assert rebuild(history, tmp_path / "plannen") == 2
    assert history.plans("2026-101")[0].version == 2


def test_dashboard_with_a_chart_opens_in_libreoffice(tmp_path, libreoffice_convert):
    history = History(tmp_path / "h.sqlite")
    for plan in (plan_on(MEETING, {"P1": 4, "P2": 6}), plan_on(D(2027, 1, 12), {"P1": 5, "P2": 5})):
        history.record(plan)
    statuses = household_statuses(make_register(), history, D(2027, 3, 2))  # the day after the term
    path = tmp_path / "dashboard.xlsx"
    write_dashboard(statuses, path, D(2027, 3, 2))
    wb = load_workbook(path)
    row = [c.value for c in wb["Overzicht"][2]]
    assert row[:3] == ["2026-101", "Gezin Pietersen", 1] and row[6] == 5
    assert "[rood] Directe veiligheid" in row[8]
    assert wb["Overzicht"]["A2"].fill.fgColor.rgb.endswith("F8CBAD")
    history_sheet = wb["Cijferverloop"]
    assert [c.value for c in history_sheet[2]][:3] == ["Overleg", "Kim Verhoef", "Rob Claassen"]
    assert len(history_sheet._charts) == 1
    resaved = libreoffice_convert(path, "xlsx", tmp_path / "lo")
    with zipfile.ZipFile(resaved) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    pdf = libreoffice_convert(path, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_status_command_table_json_and_dashboard(tmp_path):
    register = tmp_path / "register.xlsx"
    reg = make_register(meeting_items=[MeetingItem(MEETING, "2026-101"), MeetingItem(MEETING, "2026-102")])
    write_register(reg, register)
    history = History(tmp_path / "formkit-historie.sqlite")  # the default place, beside the register
    history.record(plan_on(MEETING, {"P1": 4}, conditions=[("Er is een oppas.", D(2027, 1, 15))]))
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--register", str(register), "--as-of", "2027-01-16",
                                  "--out", str(tmp_path / "uit")])
    assert result.exit_code == 0, result.output
    assert "2026-101 Gezin Pietersen · fase 1 · laatste overleg 01-12-2026" in result.output
    assert "[rood] Voorwaarde 'Er is een oppas.' had als termijn 15 januari 2027" in result.output
    assert "2026-102 Gezin Öztürk · fase 2 · laatste overleg nog geen plan" in result.output
    assert (tmp_path / "uit" / "dashboard_2027-01-16.xlsx").is_file()
    data = json.loads(runner.invoke(main, ["status", "--register", str(register), "--as-of", "2027-01-16",
                                           "--json"]).stdout)
    [pietersen, _] = data["huishoudens"]
    assert pietersen["cijfers"] == [{"door": "Kim Verhoef", "cijfer": 4}]
    assert [s["code"] for s in pietersen["signalen"]] == ["condition_overdue"]


def test_merge_records_history_and_the_pack_shows_it(tmp_path, returned, libreoffice_convert):
    from pypdf import PdfReader

    from formkit.delivery.pack import build_packs

    returned(COMPLETE)
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(register),
                                       "--meeting", "2026-12-01", "--out", str(tmp_path / "plannen")])
    assert "Historie bijgewerkt" in result.output
    history = History(tmp_path / "formkit-historie.sqlite")
    assert [p.meeting for p in history.plans("2026-101")] == [D(2026, 12, 1)]
    history.record(plan_on(D(2026, 10, 6), {"P1": 6}))  # an earlier meeting
    packs = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=tmp_path / "plannen",
                        history=history)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(packs.packs[0].path).pages).split())
    assert "06-10-2026 Kim Verhoef 6" in text and "01-12-2026 Kim Verhoef 5" in text  # a table's dates: dd-mm-jjjj
    assert "Het cijfer van Kim Verhoef daalde van 6 naar 5" in text
