"""The Word documents' design: tables that read on A4, compact authorship, room to write on the TOP-3 form."""

from pathlib import Path

from click.testing import CliRunner
from conftest import MEETING, make_register
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from test_documents import sample_plan, table_after

from formkit.cli.main import main
from formkit.core.templates import AGENDA, OVERVIEW, PLAN, REPORT, TOP3, default_templates_dir
from formkit.delivery.reports import summarise, write_reports
from formkit.documents.rendering import render_docx
from formkit.documents.word import mark, mark_list, plan_context
from formkit.plan.model import Condition, Participant, Plan, Said, Score, ScoreSummary, Situation, Source
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

ANNA = Source("P1", "Kim Verhoef", "Wijkteam West", "a.xlsx", "C16")
ROB = Source("P2", "Rob Claassen", "Politie", "b.xlsx", "C16")
PARTICIPANTS = [Participant("P1", "Kim Verhoef", "Wijkteam West", "gezinscoach", "WW-1", True),
                Participant("P2", "Rob Claassen", "Politie", "wijkagent", "")]


def render_plan(plan: Plan, tmp_path: Path) -> Document:
    out = tmp_path / "plan.docx"
    render_docx(default_templates_dir() / PLAN, plan_context(plan), out)
    return Document(out)


def top3_form(tmp_path: Path) -> Path:
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["docs", str(register), "--meeting", MEETING.isoformat(),
                                       "--out", str(tmp_path / "docs")])
    assert result.exit_code == 0, result.output
    return sorted((tmp_path / "docs").rglob("*.docx"))[0]


def row_flags(table: Table, tag: str) -> list[bool]:
    return [row._tr.trPr is not None and row._tr.trPr.find(qn(tag)) is not None for row in table.rows]


def keeps_with_next(paragraph: Paragraph) -> bool:
    """Return whether a paragraph stays on the page of what follows it, directly or through its style."""
    style = paragraph.style
    while style is not None:
        if paragraph.paragraph_format.keep_with_next is not None:
            return paragraph.paragraph_format.keep_with_next
        if style.paragraph_format.keep_with_next is not None:
            return style.paragraph_format.keep_with_next
        style = style.base_style
    return False


def blocks(doc) -> list:
    return list(doc.iter_inner_content())


# --- tables that read on paper ----------------------------------------------------------


def test_every_plan_table_repeats_its_header_on_a_new_page_and_no_row_splits(tmp_path):
    doc = render_plan(sample_plan(), tmp_path)
    assert len(doc.tables) >= 10
    for table in doc.tables:
        assert row_flags(table, "w:tblHeader")[0], table.rows[0].cells[0].text
        assert all(row_flags(table, "w:cantSplit")), table.rows[0].cells[0].text
        assert not any(row_flags(table, "w:tblHeader")[1:])  # only the heading row repeats


def test_headings_and_the_text_before_a_table_stay_with_what_follows(tmp_path):
    doc = render_plan(sample_plan(), tmp_path)
    content = blocks(doc)
    headings = [b for b in content if isinstance(b, Paragraph) and b.style.name.startswith("Heading")]
    assert len(headings) > 10 and all(keeps_with_next(h) for h in headings)
    before_tables = [content[i - 1] for i, b in enumerate(content) if isinstance(b, Table)]
    assert all(keeps_with_next(p) for p in before_tables if isinstance(p, Paragraph)), [
        p.text for p in before_tables if not keeps_with_next(p)]


def test_the_default_templates_style_every_table_the_same_way():
    for relative in (TOP3, PLAN, REPORT, AGENDA, OVERVIEW):
        doc = Document(default_templates_dir() / relative)
        for table in doc.tables:
            assert all(row_flags(table, "w:cantSplit")), relative
            assert row_flags(table, "w:tblHeader")[0], relative
            assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_an_empty_part_of_the_plan_says_geen_instead_of_a_table_with_only_its_header(tmp_path):
    plan = Plan("2026-101", "Gezin Pietersen", 1, MEETING, PARTICIPANTS,
                situations=[Situation("Anna", [Said("Anna wordt bedreigd.", ANNA)])])
    doc = render_plan(plan, tmp_path)
    assert all(len(t.rows) > 1 for t in doc.tables)  # no table is only a header
    content = blocks(doc)
    for heading in ("3. Veiligheidsvoorwaarden", "4. Veiligheidsafspraken", "Toetsmomenten",
                    "Wat gaat goed en wat werkte eerder", "Wijzigingen sinds de vorige versie"):
        at = next(i for i, b in enumerate(content) if isinstance(b, Paragraph) and b.text == heading)
        assert content[at + 1].text == "Geen.", heading
    assert table_after(doc, "Alle situaties per slachtoffer")[1][:2] == ["Anna", "Anna wordt bedreigd."]


def test_the_controlerapport_of_a_household_without_findings_says_geen(tmp_path, returned):
    from conftest import COMPLETE

    returned(COMPLETE)
    returned(COMPLETE | {"situatie_1_omschrijving": "Tim wordt sinds oktober 's avonds alleen gelaten."},
             professional="P2")
    register = make_register()
    batch = check_batch([tmp_path / "retour"], register, build_schema())
    write_reports(summarise(batch, register), register, tmp_path / "rapporten")
    doc = Document(next((tmp_path / "rapporten").rglob("controlerapport_2026-101_*.docx")))
    content = blocks(doc)
    at = next(i for i, b in enumerate(content) if isinstance(b, Paragraph) and b.text == "Bevindingen")
    assert isinstance(content[at + 1], Paragraph) and content[at + 1].text == "Geen."
    assert all(len(t.rows) > 1 for t in doc.tables)


# --- who named what ---------------------------------------------------------------------


def test_participants_are_listed_once_with_a_letter_and_items_carry_the_letters(tmp_path):
    plan = sample_plan()
    doc = render_plan(plan, tmp_path)
    participants = table_after(doc, "Deelnemers")
    assert participants[0][0] == "Letter"
    assert [r[0] for r in participants[1:]] == ["A", "B", "C", "D", "E", "F"]
    situations = table_after(doc, "Alle situaties per slachtoffer")
    assert situations[0][-1] == "Door"
    assert {r[-1] for r in situations[1:]} == {"A–E"}  # all five who returned a form
    item_tables = ["Voorstel gezamenlijke TOP-3", "Alle situaties per slachtoffer", "3. Veiligheidsvoorwaarden",
                   "4. Veiligheidsafspraken"]
    every_cell = "\n".join(c for heading in item_tables for row in table_after(doc, heading) for c in row)
    assert "Pieter van Dijk" not in every_cell  # who named an item is a letter, not a name and organisation per row
    assert "Pieter van Dijk (C)" in [r[0] for r in table_after(doc, "2. Veiligheidsbeoordeling")]


def test_different_wordings_each_show_with_the_letters_of_who_wrote_them(tmp_path):
    condition = Condition([Said("Vader drinkt niet.", ANNA), Said("Vader drinkt geen alcohol.", ROB)],
                          [Said("2027-01-15", ANNA), Said("2027-01-15", ROB)], [Said("vader", ANNA)], "2027-01-15")
    plan = Plan("2026-101", "Gezin Pietersen", 1, MEETING, PARTICIPANTS, conditions=[condition])
    doc = render_plan(plan, tmp_path)
    row = table_after(doc, "3. Veiligheidsvoorwaarden")[1]
    assert row[1] == "“Vader drinkt niet.” (A)\n“Vader drinkt geen alcohol.” (B)"
    assert row[2].strip() == "15 januari 2027" and row[-1] == "A, B"


def test_marks_run_past_z_and_consecutive_letters_read_as_a_range():
    assert [mark(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
    assert mark_list(["C", "A", "B", "E", "A"]) == "A–C, E"
    assert mark_list(["B", "D"]) == "B, D"


def test_the_score_summary_reads_as_three_dutch_numbers(tmp_path):
    plan = Plan("2026-101", "Gezin Pietersen", 1, MEETING, PARTICIPANTS,
                scores=[Score(ANNA, 3, "3"), Score(ROB, 4, "4")],
                summary=ScoreSummary(3, 3.5, 4, False, "niet iedereen ziet directe veiligheid (6 of hoger)"))
    text = "\n".join(p.text for p in render_plan(plan, tmp_path).paragraphs)
    assert "Cijfers: laagste 3 · mediaan 3,5 · hoogste 4" in text
    assert "Consensus: nee: niet iedereen ziet directe veiligheid (6 of hoger)" in text


def test_a_plan_without_scores_shows_dashes_not_empty_numbers(tmp_path):
    plan = Plan("2026-101", "Gezin Pietersen", 1, MEETING, PARTICIPANTS)
    text = "\n".join(p.text for p in render_plan(plan, tmp_path).paragraphs)
    assert "Cijfers: laagste – · mediaan – · hoogste –" in text


# --- the TOP-3 form ---------------------------------------------------------------------


def test_top3_rows_to_fill_in_give_room_to_write_by_hand(tmp_path):
    doc = Document(top3_form(tmp_path))
    situations = next(t for t in doc.tables if t.rows[0].cells[0].text == "Nr." and len(t.columns) == 5)
    for row in situations.rows[1:]:
        assert row.height_rule is not None and row.height_rule.name == "AT_LEAST"
        assert row.height >= Cm(1.2)
    boxes = next(t for t in doc.tables if t.rows[0].cells[0].text == "Wanneer wordt Veilig Thuis geïnformeerd?")
    assert boxes.rows[0].cells[1].text == "Consequenties als voorwaarden niet worden nageleefd"
    assert len(boxes.rows) == 2 and boxes.rows[1].height >= Cm(3) and boxes.rows[1].height_rule.name == "AT_LEAST"
    assert all(row_flags(boxes, "w:cantSplit"))
    assert all(keeps_with_next(p) for c in boxes.rows[0].cells for p in c.paragraphs)  # a label never ends a page


def test_top3_each_part_keeps_its_heading_explanation_and_rows_together(tmp_path):
    doc = Document(top3_form(tmp_path))
    content = blocks(doc)
    at = next(i for i, b in enumerate(content) if isinstance(b, Paragraph) and b.text == "3. Veiligheidsvoorwaarden")
    heading, explanation, table = content[at:at + 3]
    assert keeps_with_next(heading) and keeps_with_next(explanation) and isinstance(table, Table)
    for row in table.rows[:-1]:
        assert all(keeps_with_next(p) for c in row.cells for p in c.paragraphs)


def test_top3_form_printed_keeps_each_part_on_one_page(tmp_path, libreoffice_convert):
    pdf = libreoffice_convert(top3_form(tmp_path), "pdf", tmp_path / "pdf")
    pages = [page.extract_text() for page in PdfReader(pdf).pages]

    def page_of(words: str) -> int:
        return next(i for i, t in enumerate(pages) if words in t)

    assert page_of("1. Onveilige situaties") == page_of("Extra 3")
    assert page_of("2. Veiligheidsbeoordeling") == max(i for i, t in enumerate(pages) if "Tim Pietersen" in t)
    assert page_of("5. Regie en toetsing") == page_of("Toetsmomenten (wanneer")
    assert page_of("Wanneer wordt Veilig Thuis") == page_of("Consequenties als voorwaarden") == len(pages) - 1


def test_a_short_part_of_the_plan_moves_whole_to_the_next_page_and_the_chain_ends_after_it(tmp_path):
    doc = render_plan(sample_plan(), tmp_path)
    content = blocks(doc)
    at = next(i for i, b in enumerate(content) if isinstance(b, Paragraph) and b.text == "4. Veiligheidsafspraken")
    table, after = content[at + 1], content[at + 2]
    assert isinstance(table, Table) and len(table.rows) == 4
    assert all(keeps_with_next(p) for row in table.rows for c in row.cells for p in c.paragraphs)
    assert isinstance(after, Paragraph) and after.text == "" and not keeps_with_next(after)


def test_a_long_table_flows_on_from_its_heading_and_keeps_only_its_first_and_last_rows_together(
        tmp_path, libreoffice_convert):
    situations = [Situation(f"Kind {i:02d}", [Said(f"Situatie {i:02d}, lang genoeg beschreven om de rij van deze "
                                                   "tabel over twee regels te laten lopen.", ANNA)])
                  for i in range(80)]
    doc = render_plan(Plan("2026-101", "Gezin Pietersen", 1, MEETING, PARTICIPANTS, situations=situations), tmp_path)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Slachtoffer")
    kept = [all(keeps_with_next(p) for c in row.cells for p in c.paragraphs) for row in table.rows[1:]]
    assert len(kept) == 80 and kept[:1] == [True] and kept[-2:] == [True, True] and not any(kept[1:-2])
    pdf = libreoffice_convert(tmp_path / "plan.docx", "pdf", tmp_path / "pdf")
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    heading = next(i for i, t in enumerate(pages) if "Alle situaties per slachtoffer" in t)
    assert "Kind 00" in pages[heading]  # the heading is not left alone on its page
    assert sum("Kind 79" in t for t in pages) == 1 and "Kind 78" in next(t for t in pages if "Kind 79" in t)


def test_every_word_template_is_written_in_dutch():
    """Word checks the spelling in Dutch, and a PDF made from it says /Lang nl-NL."""
    for relative in (TOP3, PLAN, REPORT, AGENDA, OVERVIEW):
        styles = Document(default_templates_dir() / relative).styles.element
        language = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
        assert language.get(qn("w:val")) == "nl-NL", relative
