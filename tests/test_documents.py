import base64
import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from conftest import MEETING, codes, make_register
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.core.messages import MESSAGES
from formkit.core.templates import PLAN, TOP3, default_templates_dir, samples_dir
from formkit.delivery.template_check import check_templates, export_templates
from formkit.documents.rendering import render_docx
from formkit.documents.word import plan_context, text
from formkit.plan.merge import merge_batch
from formkit.plan.model import Participant, Plan, Said, Situation, Source
from formkit.register.load import load
from formkit.register.model import Household, Member
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.samples import SAMPLE_MEETING, demo_key
from formkit.sheets.schema import build_schema

TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def all_text(doc) -> str:
    """Return every paragraph of a document, tables, headers and footers included."""
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def table_after(doc, heading: str):
    """Return the rows (cell texts) of the first table after the heading with this text."""
    seen = False
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph) and block.text.strip() == heading:
            seen = True
        elif seen and isinstance(block, Table):
            return [[c.text for c in row.cells] for row in block.rows]
    raise AssertionError(f"geen tabel na '{heading}'")


def run_docs(tmp_path, reg=None, *extra):
    path = tmp_path / "register.xlsx"
    write_register(reg or make_register(), path)
    result = CliRunner().invoke(main, ["docs", str(path), "--meeting", MEETING.isoformat(),
                                       "--out", str(tmp_path / "docs"), *extra])
    return result, sorted((tmp_path / "docs").rglob("*.docx"))


def test_top3_form_shows_household_members_professionals_and_date(tmp_path):
    result, files = run_docs(tmp_path)
    assert result.exit_code == 0, result.output
    assert [f.name for f in files] == ["top3_2026-101_2026-12-01.docx", "top3_2026-102_2026-12-01.docx"]
    doc = Document(files[0])
    text = all_text(doc)
    assert "Huishouden: Gezin Pietersen" in text
    assert "Casusoverleg: 1 december 2026" in text
    assert "Regisseur: Kim Verhoef (Wijkteam West)" in text
    assert table_after(doc, "Gezinsleden")[1:] == [["Anna Pietersen", "moeder", "1990"],
                                                  ["Tim Pietersen", "kind", "2015"]]
    assert table_after(doc, "Betrokken professionals")[1:] == [
        ["Kim Verhoef", "Wijkteam West", "gezinscoach", "WW-1"], ["Rob Claassen", "Politie", "wijkagent", ""]]
    situations = table_after(doc, "1. Onveilige situaties (TOP-3)")
    assert [r[0] for r in situations[1:]] == ["TOP 1", "TOP 2", "TOP 3", "Extra 1", "Extra 2", "Extra 3"]
    assert all(cell == "" for row in situations[1:] for cell in row[1:])  # rows to write in
    scores = table_after(doc, "2. Veiligheidsbeoordeling")
    assert [r[0] for r in scores[1:]] == ["Kim Verhoef", "Rob Claassen", "Anna Pietersen", "Tim Pietersen"]
    assert "uiterlijk 1 maart 2027" in text
    assert "dossier 2026-101" in text  # footer
    assert "Pietersen" not in files[0].name


def test_special_characters_line_breaks_and_template_code_stay_data(tmp_path):
    reg = make_register()
    reg.households[0] = Household("2026-101", 'Gezin "De Boer" & Zn <test>', dt.date(2026, 10, 1), 1, "P1")
    reg.members[0] = Member("2026-101", "{{ 7*7 }} {% for x in y %}", 1990, "moeder & 'co'")
    reg.members[1] = Member("2026-101", "Tim </w:t> Pietersen", 2015, "kind")
    result, files = run_docs(tmp_path, reg)
    assert result.exit_code == 0, result.output
    doc = Document(files[0])
    text = all_text(doc)
    assert 'Huishouden: Gezin "De Boer" & Zn <test>' in text
    members = table_after(doc, "Gezinsleden")[1:]
    assert members[0] == ["{{ 7*7 }} {% for x in y %}", "moeder & 'co'", "1990"]
    assert members[1][0] == "Tim </w:t> Pietersen"


def test_control_characters_in_values_are_shown_visibly_never_dropped():
    assert text("a\x07b\x0cc\r\nd\x00") == "a⟨U+0007⟩b⟨U+000C⟩c\nd⟨U+0000⟩"
    assert text(dt.date(2026, 3, 1)) == "1 maart 2026"
    assert (text(None), text(True), text(7)) == ("", "ja", "7")


def test_existing_documents_need_force(tmp_path):
    run_docs(tmp_path)
    again, _ = run_docs(tmp_path)
    assert again.exit_code == 0 and "2 bestonden al" in again.output
    forced, _ = run_docs(tmp_path, None, "--force")
    assert "2 TOP-3 formulieren geschreven" in forced.output


def sample_plan() -> Plan:
    schema = build_schema()
    reg = load(samples_dir() / "register.xlsx").register
    batch = check_batch([samples_dir() / "retour"], reg, schema, meeting=SAMPLE_MEETING, key=demo_key())
    return next(p for p in merge_batch(batch, reg, schema) if p.dossier == "2026-008")


def write_plan_document(plan: Plan, out: Path) -> Path:
    render_docx(default_templates_dir() / PLAN, plan_context(plan), out)
    return out


def test_plan_document_from_the_samples(tmp_path):
    plan = sample_plan()
    out = write_plan_document(plan, tmp_path / "plan.docx")
    doc = Document(out)
    text = all_text(doc)
    assert "Gezin De Boer · dossier 2026-008" in text
    assert f"kenmerk {plan.fingerprint()}" in text  # footer
    assert "Regisseur: Eva Mulder (Jeugdbescherming Regio)" in text
    participants = table_after(doc, "Deelnemers")[1:]
    assert ["A", "Eva Mulder", "Jeugdbescherming Regio", "jeugdbeschermer", "JB-26-1102"] in participants
    distribution = table_after(doc, "Verzendlijst")[1:]
    assert ["Reclassering", "RN-26-3301", "Johan de Groot"] in distribution
    scores = table_after(doc, "2. Veiligheidsbeoordeling")
    pieter = next(r for r in scores if r[0] == "Pieter van Dijk (C)")
    assert pieter[1:3] == ["5", ""]  # the form without an explanation
    assert "Geen formulier ontvangen van Johan de Groot (Reclassering)." in [
        r[0] for r in table_after(doc, "Open punten voor het overleg")]
    top = table_after(doc, "Voorstel gezamenlijke TOP-3")[1:]
    assert [r[1] for r in top] == ["Sem de Boer", "Fleur de Boer", "Annemiek de Boer"]
    assert top[0][2] == "Sem wordt door zijn vader uitgescholden en geslagen als hij te laat thuis is."


def test_plan_values_with_markup_render_as_text(tmp_path):
    source = Source("P1", "Kim & Co", "<Wijkteam>", "f.xlsx", "C16")
    plan = Plan("2026-101", "Gezin <A&B>", 1, MEETING, [Participant("P1", "Kim & Co", "<Wijkteam>", "", "", True)],
                situations=[Situation("Anna", [Said('Anna zegt: "<stop> & =SUM(A1)"\nregel 2', source)],
                                      [Said("2026-11-02", source)])])
    doc = Document(write_plan_document(plan, tmp_path / "p.docx"))
    row = table_after(doc, "Alle situaties per slachtoffer")[1]
    assert row == ["Anna", 'Anna zegt: "<stop> & =SUM(A1)"\nregel 2', "2 november 2026", "", "A"]
    assert table_after(doc, "Deelnemers")[1][:3] == ["A", "Kim & Co", "<Wijkteam>"]
    assert plan_context(plan)["huishouden"] == "Gezin <A&B>"


# --- customised templates ---------------------------------------------------------------


def test_customised_template_with_logo_and_reworded_heading_renders(tmp_path):
    custom = tmp_path / "eigen"
    export_templates(custom)
    doc = Document(custom / TOP3)
    logo = tmp_path / "logo.png"
    logo.write_bytes(TINY_PNG)
    first = doc.paragraphs[0]
    first.insert_paragraph_before().add_run().add_picture(str(logo))
    for p in doc.paragraphs:
        if p.text == "Gezinsleden":
            p.runs[0].text = "Wie horen bij het gezin"
    doc.save(custom / TOP3)
    assert check_templates(custom) == []
    result, files = run_docs(tmp_path, None, "--templates", str(custom))
    assert result.exit_code == 0, result.output
    out = Document(files[0])
    assert len(out.inline_shapes) == 1
    assert table_after(out, "Wie horen bij het gezin")[1][0] == "Anna Pietersen"


def edit_paragraph(path: Path, old: str, new_runs: list[str]) -> None:
    doc = Document(path)
    for p in doc.paragraphs:
        if old in p.text:
            for run in p.runs:
                run._r.getparent().remove(run._r)
            for words in new_runs:
                p.add_run(words)
            break
    else:
        raise AssertionError(old)
    doc.save(path)


def test_check_finds_a_missing_tag(custom):
    edit_paragraph(custom / TOP3, "Huishouden: {{ huishouden }}", ["Huishouden: (vult u zelf in)"])
    found = check_templates(custom)
    assert codes(found) == ["template_required_missing"]
    assert found[0].file == "docx/top3.docx"
    assert found[0].message == MESSAGES["template_required_missing"][1].format(
        name="huishouden", label="de naam van het huishouden")
    assert "'{{ huishouden }}'" in found[0].message


def test_check_finds_a_misspelt_variable(custom):
    edit_paragraph(custom / TOP3, "Dossier: {{ dossier }}", ["Dossier: ", "{{ dosier }}"])
    found = check_templates(custom)
    assert codes(found) == ["template_unknown_variable"]
    assert "'dosier'" in found[0].message and "bedoelt u 'dossier'" in found[0].message


def test_check_finds_a_tag_word_split_across_runs(custom):
    # braces in separate runs with only markup between them: docxtpl mends that itself
    edit_paragraph(custom / TOP3, "Casusoverleg: {{ overleg }}", ["Casusoverleg: {", "{ over", "leg }}"])
    assert check_templates(custom) == []
    # an invisible character between the braces: it reads as a tag, but is none
    edit_paragraph(custom / TOP3, "Casusoverleg: {", ["Casusoverleg: {", "\u200b{ overleg }}"])
    found = check_templates(custom)
    assert codes(found) == ["template_split_tag"]
    assert "(bij: 'Casusoverleg: {{ overleg }}')" in found[0].message


def test_check_finds_a_tag_that_does_not_parse(custom):
    edit_paragraph(custom / PLAN, "Fase: {{ fase }}", ["Fase: {{ fase }"])
    found = check_templates(custom)
    assert codes(found) == ["template_syntax"]
    assert found[0].file == "docx/veiligheidsplan.docx"


def test_check_finds_a_misspelt_field_in_a_loop(custom):
    doc = Document(custom / TOP3)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == "{{ lid.naam }}":
                    cell.paragraphs[0].runs[0].text = "{{ lid.nmae }}"
    doc.save(custom / TOP3)
    found = check_templates(custom)
    assert codes(found) == ["template_render_error"]
    assert "onbekend veld 'nmae'" in found[0].message


def test_check_finds_a_missing_defined_name_and_a_missing_file(custom, tmp_path):
    wb = load_workbook(custom / "xlsx" / "scoreformulier.xlsx")
    del wb.defined_names["beoordeling_cijfer"]
    wb.save(custom / "xlsx" / "scoreformulier.xlsx")
    (custom / PLAN).unlink()
    found = check_templates(custom)
    assert sorted(codes(found)) == ["template_missing", "template_name_missing"]
    missing_name = next(f for f in found if f.code == "template_name_missing")
    assert "'beoordeling_cijfer'" in missing_name.message and "Veiligheidscijfer" in missing_name.message
    result = CliRunner().invoke(main, ["templates", "check", str(custom)])
    assert result.exit_code == 1
    assert "docx/veiligheidsplan.docx" in result.output


def test_templates_export_and_check_cli(tmp_path):
    runner = CliRunner()
    target = tmp_path / "sjablonen"
    first = runner.invoke(main, ["templates", "export", str(target)])
    assert first.exit_code == 0, first.output
    assert (target / "docx" / "top3.docx").is_file() and (target / "xlsx" / "scoreformulier.xlsx").is_file()
    again = runner.invoke(main, ["templates", "export", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    ok = runner.invoke(main, ["templates", "check", str(target)])
    assert ok.exit_code == 0 and "Sjablonen in orde." in ok.output


# --- a real client opens them -----------------------------------------------------------


def test_rendered_documents_convert_to_pdf_with_libreoffice(tmp_path, libreoffice_convert):
    _, files = run_docs(tmp_path)
    plan = write_plan_document(sample_plan(), tmp_path / "docs" / "plan.docx")
    for path in (files[0], plan):
        pdf = libreoffice_convert(path, "pdf", tmp_path / "pdf")
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 5000, path.name
