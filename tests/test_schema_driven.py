"""The schema drives the merge and the documents: a field added to a table section reaches the plan unaided."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import COMPLETE, MEETING, fill, make_register
from docx import Document
from openpyxl import load_workbook

from formkit.documents.default_templates import build_plan
from formkit.documents.plan_workbook import write_plan_documents
from formkit.plan.merge import merge_batch, merge_household
from formkit.returns.accepted import Submission
from formkit.returns.batch import PROCESSED, check_batch
from formkit.returns.interpret import Interpreted
from formkit.returns.read import ReturnedForm
from formkit.returns.rules import check_form, names_police_or_om
from formkit.sheets.forms import form_content
from formkit.sheets.schema import FieldDef, FieldType, Schema, build_schema
from formkit.sheets.scoresheet import ScoreSheetWriter, build_template

SOURCE_1 = "Uit het gesprek met moeder op 20 november."
SOURCE_2 = "Melding van school."


def schema_with_source() -> Schema:
    """Return formkit's schema with one field added to the conditions table: "bron" (column B, free there)."""
    sections = tuple(
        dataclasses.replace(s, fields=(*s.fields, FieldDef("bron", "Bron", FieldType.TEXT, "B", required=False,
                                                            help="Waar komt deze voorwaarde vandaan?")))
        if s.key == "voorwaarde" else s
        for s in build_schema().sections)
    return build_schema(build_schema().settings, sections)


def _returned_forms(tmp_path: Path, schema: Schema) -> list[Path]:
    """Write the score sheets of household 2026-101 from `schema` and fill them as two professionals would."""
    register = make_register()
    template = tmp_path / "sjablonen" / "scoreformulier.xlsx"
    template.parent.mkdir()
    build_template(schema, template)
    writer = ScoreSheetWriter(schema, template)
    filled = []
    for code, source in (("P1", SOURCE_1), ("P2", SOURCE_2)):
        blank = tmp_path / "leeg" / f"2026-101_{code}.xlsx"
        blank.parent.mkdir(exist_ok=True)
        writer.write(form_content(register, MEETING, "2026-101", code, schema), blank)
        values = dict(COMPLETE) | {"voorwaarde_1_bron": source}
        filled.append(fill(blank, values, tmp_path / "retour" / blank.name))
    return filled


def _plan_docx_text(path: Path) -> list[list[str]]:
    """Return the rows of every table of a Word document, as lists of cell texts."""
    return [[cell.text for cell in row.cells] for table in Document(str(path)).tables for row in table.rows]


def test_a_new_field_in_a_table_section_reaches_plan_json_docx_and_workbook(tmp_path):
    schema = schema_with_source()
    assert schema.input("voorwaarde_1_bron").cell == f"B{schema.input('voorwaarde_1_voorwaarde').row}"
    register = make_register()
    paths = _returned_forms(tmp_path, schema)

    batch = check_batch(paths, register, schema, meeting=MEETING)
    assert [r.status for r in batch.files] == [PROCESSED, PROCESSED], [r.findings for r in batch.files]
    plan = next(p for p in merge_batch(batch, register, schema) if p.dossier == "2026-101")

    # plan.json: one condition (the same words), both sources, each with its author
    data = json.loads(plan.to_json())
    [condition] = data["conditions"]
    assert [(s["value"], s["source"]["name"]) for s in condition["extra"]["bron"]] == [
        (SOURCE_1, "Kim Verhoef"), (SOURCE_2, "Rob Claassen")]

    # the plan docx, from a template built from this schema, and the workbook, from one context
    template = tmp_path / "veiligheidsplan.docx"
    build_plan(template, schema)
    docx, xlsx = tmp_path / "plan.docx", tmp_path / "plan.xlsx"
    write_plan_documents(plan, docx, xlsx, template, schema)

    rows = _plan_docx_text(docx)
    heading = next(r for r in rows if r[:2] == ["Nr.", "Voorwaarde"])
    assert heading == ["Nr.", "Voorwaarde", "Termijn", "Eigenaar", "Bron", "Door"]
    row = next(r for r in rows if r[1] == COMPLETE["voorwaarde_1_voorwaarde"])
    assert row[4] == f"“{SOURCE_1}” (A)\n“{SOURCE_2}” (B)"  # A = Kim Verhoef, B = Rob Claassen
    assert row[5] == "A, B"

    sheet = load_workbook(xlsx)["Voorwaarden"]
    table = [[c.value for c in r] for r in sheet.iter_rows() if any(c.value for c in r)]
    titles = next(r for r in table if "Voorwaarde" in r)
    assert titles[titles.index("Eigenaar") + 1] == "Bron"
    line = next(r for r in table if COMPLETE["voorwaarde_1_voorwaarde"] in r)
    assert line[titles.index("Bron")] == f"“{SOURCE_1}” (A)\n“{SOURCE_2}” (B)"


def test_without_extra_fields_plan_json_has_no_extra_key(tmp_path, returned):
    """formkit's own schema: every field has its own place in the plan, so plan.json is as it always was."""
    schema = build_schema()
    register = make_register()
    batch = check_batch([returned(COMPLETE)], register, schema, meeting=MEETING)
    plan = next(p for p in merge_batch(batch, register, schema) if p.dossier == "2026-101")
    assert '"extra"' not in plan.to_json()
    assert plan.conditions[0].extra == {}


def test_the_plan_template_from_the_default_schema_is_the_shipped_one(tmp_path):
    import zipfile

    built = tmp_path / "veiligheidsplan.docx"
    build_plan(built)
    shipped = Path(__file__).resolve().parent.parent / "templates" / "docx" / "veiligheidsplan.docx"
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(shipped) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")


def test_rules_and_merge_take_a_sections_rows_from_the_schema(monkeypatch):
    """The check and the merge both ask Schema.rows: a row (here one with the added field) is the same to both."""
    schema = schema_with_source()
    asked: list[str] = []
    real = Schema.rows

    def spy(self, section):
        asked.append(section if isinstance(section, str) else section.key)
        return real(self, section)

    monkeypatch.setattr(Schema, "rows", spy)
    values = dict(COMPLETE) | {"voorwaarde_2_bron": SOURCE_2}  # a second row with only the source filled

    form = Interpreted(ReturnedForm(Path("a.xlsx"), {}, values), dict(values), set(values))
    found = check_form(form, make_register(), MEETING, schema)
    assert "voorwaarde" in asked
    assert {(f.code, f.field) for f in found if f.code == "row_incomplete"} == {
        ("row_incomplete", "Voorwaarde (2)"), ("row_incomplete", "Termijn (2)"), ("row_incomplete", "Eigenaar (2)")}

    asked.clear()
    plan = merge_household(make_register(), "2026-101", MEETING, [Submission("a.xlsx", "P1", values, {}, {})], schema)
    assert "voorwaarde" in asked
    assert [[s.value for s in c.extra.get("bron", [])] for c in plan.conditions] == [[], [SOURCE_2]]


@pytest.mark.parametrize(("text", "named"), [
    ("Wijkagent bespreekt het met vader.", True),
    ("Overleg met het OM over een verbod.", True),
    ("We bespreken het om tien uur.", False),
    ("De politie rijdt extra langs.", True),
])
def test_police_or_om_is_one_rule_for_check_and_merge(text, named):
    assert names_police_or_om(text) is named


def test_member_scores_keep_their_shape_and_take_an_added_field(tmp_path):
    """A member's score is one item a row: its known fields as before, an added field under extra with its author."""
    values = dict(COMPLETE) | {"gezinsscore_1_gezinslid": "Tim Pietersen", "gezinsscore_1_cijfer": 4,
                               "gezinsscore_1_toelichting": "Tim voelt zich 's avonds alleen."}
    plain = merge_household(make_register(), "2026-101", MEETING, [Submission("a.xlsx", "P1", values, {}, {})],
                            build_schema())
    assert json.loads(plain.to_json())["member_scores"] == [{
        "member": "Tim Pietersen", "score": "4", "explanation": "Tim voelt zich 's avonds alleen.",
        "source": {"professional": "P1", "name": "Kim Verhoef", "organisation": "Wijkteam West", "file": "a.xlsx",
                   "cell": build_schema().input("gezinsscore_1_cijfer").cell}}]

    sections = tuple(
        dataclasses.replace(s, fields=(*s.fields, FieldDef("gevraagd", "Gevraagd door", FieldType.TEXT, "E",
                                                            required=False)))
        if s.key == "gezinsscore" else s
        for s in build_schema().sections)
    schema = build_schema(build_schema().settings, sections)
    plan = merge_household(make_register(), "2026-101", MEETING, [Submission(
        "a.xlsx", "P1", values | {"gezinsscore_1_gevraagd": "de jeugdarts"}, {}, {})], schema)
    [score] = plan.member_scores
    assert [(s.value, s.source.name) for s in score.extra["gevraagd"]] == [("de jeugdarts", "Kim Verhoef")]

    template = tmp_path / "veiligheidsplan.docx"
    build_plan(template, schema)
    write_plan_documents(plan, tmp_path / "plan.docx", tmp_path / "plan.xlsx", template, schema)
    rows = _plan_docx_text(tmp_path / "plan.docx")
    assert ["Gezinslid", "Cijfer", "Toelichting", "Gevraagd door", "Door"] in rows
    assert ["Tim Pietersen", "4", "Tim voelt zich 's avonds alleen.", "de jeugdarts", "A"] in rows
    sheet = load_workbook(tmp_path / "plan.xlsx")["Cijfers gezinsleden"]
    assert ["Tim Pietersen", "4", "Tim voelt zich 's avonds alleen.", "de jeugdarts", "Kim Verhoef (Wijkteam West)"] in [
        [c.value for c in r] for r in sheet.iter_rows()]
