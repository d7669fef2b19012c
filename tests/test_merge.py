"""Merging professionals' inputs into one joint plan: content, nothing lost, order, versions."""

import datetime as dt
import json
import random

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.documents.plan_files import PLAN_JSON, write_version
from formkit.plan.merge import merge_household
from formkit.register.model import Involvement, Professional
from formkit.register.write import write_register
from formkit.returns.accepted import Submission
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()


def register():
    """The small register with a third professional on household 2026-101."""
    reg = make_register()
    reg.professionals.append(Professional("P4", "Mo Bakkal", "GGZ West", "behandelaar", "m.bakkal@ggz.example"))
    reg.involvements.append(Involvement("2026-101", "P4", "GGZ-77"))
    return reg


def sub(professional: str, values: dict, file: str | None = None) -> Submission:
    return Submission(file or f"{professional}.xlsx", professional, values, dict(values),
                      {name: SCHEMA.input(name).cell for name in values})


def situation(i: int, victim: str, text: str, when=dt.date(2026, 10, 1), offence="nee") -> dict:
    return {f"situatie_{i}_slachtoffer": victim, f"situatie_{i}_omschrijving": text,
            f"situatie_{i}_datum": when, f"situatie_{i}_strafbaar_feit": offence}


A = "Tim wordt 's avonds alleen thuis gelaten."
B = "Anna wordt door haar ex-partner bedreigd via berichten."
C = "Tim komt zonder ontbijt op school."
D = "Anna heeft blauwe plekken op haar arm."


def hand_made() -> list[Submission]:
    return [
        sub("P1", situation(1, "Tim Pietersen", A) | situation(2, "Anna Pietersen", B) | situation(3, "Tim Pietersen", C)
            | {"beoordeling_cijfer": 3, "beoordeling_toelichting": "Recente dreiging.",
               "voorwaarde_1_voorwaarde": "Er is 's avonds altijd een volwassene bij Tim.",
               "voorwaarde_1_termijn": dt.date(2027, 1, 15), "voorwaarde_1_eigenaar": "Anna Pietersen",
               "afspraak_1_wie": "Wijkteam West", "afspraak_1_wat": "Regelt avondopvang.",
               "afspraak_1_wanneer": dt.date(2026, 12, 15), "regie_regisseur": "P1",
               "regie_toetsmoment": dt.date(2027, 1, 12)}),
        sub("P2", situation(1, "Anna Pietersen", B.upper().replace("VIA", "via") + "  ")
            | situation(2, "Anna Pietersen", D, offence="ja") | situation(3, "Tim Pietersen", A)
            | {"beoordeling_cijfer": 7, "beoordeling_toelichting": "Het geweld is gestopt.",
               "voorwaarde_1_voorwaarde": "er is 's avonds altijd een volwassene bij Tim",
               "voorwaarde_1_termijn": dt.date(2027, 1, 1), "voorwaarde_1_eigenaar": "Kim Verhoef",
               "regie_regisseur": "P2", "regie_toetsmoment": dt.date(2027, 1, 12)}),
        sub("P4", situation(1, "Tim Pietersen", A) | situation(2, "Tim Pietersen", C)
            | {"beoordeling_cijfer": 4, "beoordeling_toelichting": "Zorgen over Tim.", "regie_regisseur": "P1"}),
    ]


def merged():
    return merge_household(register(), "2026-101", MEETING, hand_made(), SCHEMA, missing=["Iris Lammers (Veilig Thuis)"])


def test_joint_top3_by_rank_points():
    plan = merged()
    top = [(plan.situations[i].victim, plan.situations[i].descriptions[0].value, plan.situations[i].points)
           for i in plan.top]
    # A: 3 (P1, 1st) + 1 (P2, 3rd) + 3 (P4, 1st) = 7; B: 2 (P1, 2nd) + 3 (P2, 1st) = 5
    assert [(v, p) for v, _, p in top] == [("Tim Pietersen", 7), ("Anna Pietersen", 5), ("Tim Pietersen", 3)]
    assert top[2][1] == C  # C: 1 (P1, 3rd) + 2 (P4, 2nd) = 3, ahead of D: 2 (P2, 2nd)


def test_the_same_words_are_merged_with_every_wording_and_author():
    plan = merged()
    b = next(s for s in plan.situations if s.descriptions[0].value.lower().startswith("anna wordt"))
    assert [(d.value, d.source.name) for d in b.descriptions] == [
        (B, "Kim Verhoef"), (B.upper().replace("VIA", "via") + "  ", "Rob Claassen")]
    assert [d.source.cell for d in b.descriptions] == [SCHEMA.input("situatie_2_omschrijving").cell,
                                                       SCHEMA.input("situatie_1_omschrijving").cell]
    assert len(plan.situations) == 4  # A, B, C, D
    victims = [s.victim for s in plan.situations]
    assert victims == sorted(victims, key=lambda v: victims.index(v))  # grouped per victim


def test_scores_with_summary_and_consensus_flag():
    plan = merged()
    assert [(s.source.name, s.score, s.explanation) for s in plan.scores] == [
        ("Kim Verhoef", 3, "Recente dreiging."), ("Rob Claassen", 7, "Het geweld is gestopt."),
        ("Mo Bakkal", 4, "Zorgen over Tim.")]
    s = plan.summary
    assert (s.lowest, s.median, s.highest, s.consensus) == (3, 4.0, 7, False)
    assert "4 punten uiteen" in s.reason and "directe veiligheid" in s.reason


def test_conditions_merged_with_the_earliest_deadline_and_a_conflict_point():
    plan = merged()
    [condition] = plan.conditions
    assert condition.deadline == "2027-01-01"
    assert {o.value for o in condition.owners} == {"Anna Pietersen", "Kim Verhoef"}
    assert [t.source.name for t in condition.texts] == ["Kim Verhoef", "Rob Claassen"]
    assert any(p.startswith("Verschillende termijnen voor voorwaarde") and "1 januari 2027 (Rob Claassen)" in p
               for p in plan.open_points)


def test_open_points():
    points = merged().open_points
    assert any(p.startswith("Verschillende regisseurs voorgesteld: Kim Verhoef (Wijkteam West) (door Kim Verhoef, "
                            "Mo Bakkal); Rob Claassen (Politie) (door Rob Claassen)") for p in points)
    assert any(p.startswith("Vermoeden van een strafbaar feit, maar geen afspraak met politie of OM") for p in points)
    assert "Geen formulier ontvangen van Iris Lammers (Veilig Thuis)." in points
    assert any(p.startswith("Geen consensus over de veiligheid") for p in points)


def test_the_word_plan_shows_the_merge(tmp_path):
    plan = merged()
    folder = write_version(plan, tmp_path)
    doc = Document(next(folder.glob("*.docx")))
    tables = {}
    for block in doc.iter_inner_content():
        if hasattr(block, "style") and block.style.name.startswith("Heading"):
            heading = block.text
        elif hasattr(block, "rows"):
            tables.setdefault(heading, [[c.text for c in r.cells] for r in block.rows])
    top = tables["Voorstel gezamenlijke TOP-3"][1:]
    assert [(r[0], r[1], r[3]) for r in top] == [("1", "Tim Pietersen", "7"), ("2", "Anna Pietersen", "5"),
                                                 ("3", "Tim Pietersen", "3")]
    b_row = next(r for r in tables["Alle situaties per slachtoffer"] if r[1].startswith("“Anna wordt"))
    letters = {r[1]: r[0] for r in tables["Deelnemers"][1:]}  # each participant once, with a letter
    kim, rob = letters["Kim Verhoef"], letters["Rob Claassen"]
    assert f"({kim})" in b_row[1] and f"({rob})" in b_row[1] and "Wijkteam West" not in b_row[1]
    scores = tables["2. Veiligheidsbeoordeling"]
    assert [f"Rob Claassen ({rob})", "7", "Het geweld is gestopt.", "", ""] in scores
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Cijfers: laagste 3 · mediaan 4 · hoogste 7" in text and "Consensus: nee" in text
    assert tables["3. Veiligheidsvoorwaarden"][1][2].startswith("1 januari 2027")
    assert any("Verschillende regisseurs" in r[0] for r in tables["Open punten voor het overleg"])


def test_formula_like_values_stay_text_in_word_and_excel(tmp_path):
    values = situation(1, "Tim Pietersen", '=HYPERLINK("http://x.example","klik")') | {
        "beoordeling_cijfer": 5, "beoordeling_toelichting": "@SUM(A1)"}
    plan = merge_household(register(), "2026-101", MEETING, [sub("P1", values)], SCHEMA)
    folder = write_version(plan, tmp_path)
    wb = load_workbook(next(folder.glob("*.xlsx")))
    cell = wb["Onveilige situaties"]["B2"]
    assert cell.value == '=HYPERLINK("http://x.example","klik")' and cell.data_type == "s"
    assert wb["Veiligheidsbeoordeling"]["C2"].value == "@SUM(A1)"
    inputs = {r[4].value: r[5] for r in wb["Inbreng"].iter_rows(min_row=2)}
    assert inputs["situatie_1_omschrijving"].data_type == "s"
    doc_text = "\n".join(c.text for t in Document(next(folder.glob("*.docx"))).tables for r in t.rows for c in r.cells)
    assert '=HYPERLINK("http://x.example","klik")' in doc_text and "@SUM(A1)" in doc_text


def test_versions_keep_the_old_and_say_what_changed(tmp_path):
    first = write_version(merged(), tmp_path)
    subs = hand_made()
    subs[0] = sub("P1", {**subs[0].values, "beoordeling_cijfer": 4,
                         "voorwaarde_2_voorwaarde": "Anna blokkeert haar ex-partner.",
                         "voorwaarde_2_termijn": dt.date(2026, 12, 20), "voorwaarde_2_eigenaar": "Anna Pietersen"})
    second = write_version(merge_household(register(), "2026-101", MEETING, subs, SCHEMA), tmp_path)
    assert (first.name, second.name) == ("v1", "v2") and first.is_dir()
    old, new = (json.loads((f / PLAN_JSON).read_text(encoding="utf-8")) for f in (first, second))
    assert new["previous"] == old["kenmerk"] and new["version"] == 2
    assert "Cijfer van Kim Verhoef: 3 → 4." in new["changes"]
    assert "Nieuw bij voorwaarden: Anna blokkeert haar ex-partner." in new["changes"]
    doc = Document(next(second.glob("*.docx")))
    footer = doc.sections[0].footer.paragraphs[0].text
    assert f"versie 2 · 1 december 2026 · kenmerk {new['kenmerk']}" in footer
    assert second.glob("veiligheidsplan_2026-101_2026-12-01_v2.*")


def test_an_interrupted_merge_leaves_the_previous_version_intact(tmp_path, monkeypatch):
    first = write_version(merged(), tmp_path)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    import formkit.documents.plan_workbook

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the machine stops half-way, after the Word plan was written

    monkeypatch.setattr(formkit.documents.plan_workbook, "write_plan_workbook", crash)
    with pytest.raises(KeyboardInterrupt):
        write_version(merged(), tmp_path)
    folder = first.parent
    assert sorted(p.name for p in folder.iterdir()) == ["v1"]  # no v2, no leftovers
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before


def test_same_inputs_give_an_identical_plan_json(tmp_path):
    a = write_version(merged(), tmp_path / "a")
    shuffled = hand_made()
    random.Random(7).shuffle(shuffled)
    b = write_version(merge_household(register(), "2026-101", MEETING, shuffled, SCHEMA,
                                      missing=["Iris Lammers (Veilig Thuis)"]), tmp_path / "b")
    assert (a / PLAN_JSON).read_bytes() == (b / PLAN_JSON).read_bytes()


# --- nothing lost, order does not matter: a property test ------------------------------

VICTIMS = ["Anna Pietersen", "Tim Pietersen"]
TEXTS = ["Tim is alleen.", "tim is alleen", "Anna wordt bedreigd.", "Er is geen geld.", "Tim & Anna <ruzie>", ""]
DAYS = [dt.date(2026, 12, 1) + dt.timedelta(days=d) for d in (0, 10, 45, 90)]


@st.composite
def submissions(draw):
    codes = draw(st.lists(st.sampled_from(["P1", "P2", "P4"]), min_size=1, max_size=3, unique=True))
    result = []
    for code in codes:
        values = {}
        for i in draw(st.sets(st.integers(1, SCHEMA.settings.situation_rows), max_size=4)):
            values |= {f"situatie_{i}_slachtoffer": draw(st.sampled_from(VICTIMS)),
                       f"situatie_{i}_omschrijving": draw(st.sampled_from(TEXTS[:-1])),
                       f"situatie_{i}_datum": draw(st.sampled_from([2025, dt.date(2026, 9, 1)])),
                       f"situatie_{i}_strafbaar_feit": draw(st.sampled_from(["ja", "nee"]))}
        if draw(st.booleans()):
            values |= {"beoordeling_cijfer": draw(st.integers(0, 10)),
                       "beoordeling_toelichting": draw(st.sampled_from(TEXTS))}
        for i in draw(st.sets(st.integers(1, 5), max_size=3)):
            values |= {f"voorwaarde_{i}_voorwaarde": draw(st.sampled_from(TEXTS[:-1])),
                       f"voorwaarde_{i}_termijn": draw(st.sampled_from(DAYS)),
                       f"voorwaarde_{i}_eigenaar": draw(st.sampled_from(VICTIMS))}
        for i in draw(st.sets(st.integers(1, 8), max_size=3)):
            values |= {f"afspraak_{i}_wie": draw(st.sampled_from(["Wijkteam", "Politie", "wijkteam"])),
                       f"afspraak_{i}_wat": draw(st.sampled_from(TEXTS[:-1])),
                       f"afspraak_{i}_wanneer": draw(st.sampled_from(DAYS))}
        for name in draw(st.sets(st.sampled_from(["regie_veilig_thuis", "regie_consequenties", "sterk_1_omschrijving",
                                                  "risicofactor_1_factor", "herstel_1_behoefte"]))):
            values[name] = draw(st.sampled_from(TEXTS[:-1]))
        values = {k: v for k, v in values.items() if v != ""}
        result.append(sub(code, values, file=f"{code}_{draw(st.integers(1, 3))}.xlsx"))
    return result


def _json(plan) -> str:
    return plan.to_json()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subs=submissions(), seed=st.integers(0, 10_000))
def test_every_input_is_traceable_and_merging_does_not_depend_on_order(subs, seed):
    reg = register()
    plan = merge_household(reg, "2026-101", MEETING, subs, SCHEMA)
    data = json.loads(plan.to_json())
    recorded = {(i["professional"], i["file"], i["cell"], i["field"]) for i in data["inputs"]}
    # 1. every filled field of every form is in plan.json with its professional, file and cell
    for s in subs:
        for name in s.values:
            assert (s.professional, s.file, s.cells[name], name) in recorded
    # 2. every used table row and statement is in a merged part, traceable to its source cell
    traced = set()
    for part in ("situations", "conditions", "agreements", "risk_factors", "recovery_needs"):
        for item in data[part]:
            for said in (item.get("descriptions") or item.get("texts") or item.get("what") or []):
                traced.add((said["source"]["file"], said["source"]["cell"]))
    for part in ("veilig_thuis", "consequences", "strengths"):
        for item in data[part]:
            traced |= {(s["source"]["file"], s["source"]["cell"]) for s in item["said"]}
    main_fields = {"situatie": "omschrijving", "voorwaarde": "voorwaarde", "afspraak": "wat",
                   "risicofactor": "factor", "herstel": "behoefte"}
    for s in subs:
        for name in s.values:
            c = SCHEMA.input(name)
            if c.section.key in main_fields:
                main = next(x.name for x in SCHEMA.inputs if x.section is c.section and x.index == c.index
                            and x.field.key == main_fields[c.section.key])
                assert (s.file, SCHEMA.input(main).cell) in traced, name
            elif c.section.key in ("regie", "sterk") and name not in ("regie_regisseur", "regie_toetsmoment"):
                assert (s.file, c.cell) in traced, name
    assert len(data["scores"]) == sum(1 for s in subs if "beoordeling_cijfer" in s.values
                                      or "beoordeling_toelichting" in s.values)
    # 3. the order of the files does not matter
    shuffled = list(subs)
    random.Random(seed).shuffle(shuffled)
    assert _json(merge_household(reg, "2026-101", MEETING, shuffled, SCHEMA)) == plan.to_json()


# --- the command ------------------------------------------------------------------------


def test_merge_command_writes_docx_xlsx_json_per_household(tmp_path, returned):
    returned(COMPLETE)
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(path),
                                       "--meeting", "2026-12-01", "--out", str(tmp_path / "plannen")])
    assert result.exit_code == 1, result.output  # two forms were not returned
    assert "2026-101 Gezin Pietersen: versie 1" in result.output
    folder = tmp_path / "plannen" / "2026-101" / "2026-12-01" / "v1"
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".json", ".xlsx"]
    data = json.loads((folder / PLAN_JSON).read_text(encoding="utf-8"))
    assert data["schemaversie"] and data["kenmerk"] and data["dossier"] == "2026-101"
    assert "Geen formulier ontvangen van Rob Claassen (Politie)." in data["open_points"]
    # a household without any returned form gets no plan version, and the output says so
    assert not (tmp_path / "plannen" / "2026-102").exists()
    assert "2026-102 Gezin Öztürk: geen formulieren ontvangen – geen plan gemaakt" in result.output
