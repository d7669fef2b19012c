"""Every workbook formkit writes prints on A4 and reads on screen: page setup, headers, row heights, charts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from conftest import COMPLETE, MEETING, make_register
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from formkit.core.templates import SCORE_SHEET, default_templates_dir
from formkit.delivery.reports import summarise, write_reports
from formkit.documents.dashboard import CHART_WIDTH_CM, PAGE_ROWS, write_dashboard
from formkit.documents.plan_workbook import APPENDIX_SCALE, write_plan_workbook
from formkit.plan.history import History
from formkit.plan.merge import merge_household
from formkit.plan.status import household_statuses
from formkit.register.model import Member
from formkit.register.write import write_register
from formkit.returns.accepted import Submission
from formkit.returns.batch import check_batch
from formkit.sheets.schema import SHEET, FieldType, build_schema
from formkit.sheets.scoresheet import DATE_OR_YEAR_FORMAT
from formkit.xlsx.tables import LANDSCAPE_WIDTH, PORTRAIT_WIDTH, Column, lines_needed, write_table
from formkit.xlsx.workbook import PROMPT_TITLE_LIMIT, short_title

SCHEMA = build_schema()
LONG = ("Tim wordt sinds oktober 's avonds alleen thuis gelaten; de buren horen hem huilen en bellen "
        "dan de moeder, die pas na middernacht thuiskomt en zegt dat er niets aan de hand is.")


def assert_prints_on_a4(ws, *, title_row: int = 1) -> None:
    """The sheet prints on A4 (paper size 9), fitted to the page width, header repeated, frozen, with page numbers."""
    assert int(ws.page_setup.paperSize) == 9, ws.title
    assert ws.page_setup.orientation in ("portrait", "landscape"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), ws.title
    assert ws.print_title_rows == f"${title_row}:${title_row}", ws.title
    assert ws.freeze_panes == f"A{title_row + 1}", ws.title
    assert "pagina &P van &N" in ws.oddFooter.right.text, ws.title
    assert ws.oddFooter.left.text, ws.title


def assert_rows_fit_their_text(ws, first: int = 2) -> None:
    """Every row's height holds its longest wrapped cell: 15 points a line (a cell that does not wrap runs on)."""
    widths = {c: ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, ws.max_column + 1)}
    for r in range(first, ws.max_row + 1):
        texts = [(c, v) for c in widths
                 if isinstance(v := ws.cell(r, c).value, str) and v and ws.cell(r, c).alignment.wrap_text]
        if not texts:
            continue
        lines = max(lines_needed(v, widths[c]) for c, v in texts)
        assert ws.row_dimensions[r].height is not None and ws.row_dimensions[r].height >= 15 * lines, (ws.title, r)


def a_plan():
    values = COMPLETE | {"situatie_1_omschrijving": LONG, "situatie_2_slachtoffer": "Anna Pietersen",
                         "situatie_2_omschrijving": "Anna wordt bedreigd.", "situatie_2_datum": 2025,
                         "situatie_2_strafbaar_feit": "ja"}
    subs = [Submission(f"{code}.xlsx", code, values, dict(values), {n: SCHEMA.input(n).cell for n in values})
            for code in ("P1", "P2")]
    return merge_household(make_register(), "2026-101", MEETING, subs, SCHEMA)


def test_every_sheet_of_the_plan_workbook_prints_on_a4_with_its_header_on_every_page(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert_prints_on_a4(ws)
        assert_rows_fit_their_text(ws)
    situations = wb["Onveilige situaties"]
    long_row = next(r for r in range(2, situations.max_row + 1) if situations.cell(r, 2).value == LONG)
    assert situations.row_dimensions[long_row].height > 15  # the long situation wraps and shows whole
    assert wb["Plan"].cell(1, 1).font.b and wb["Plan"].cell(1, 1).fill.fgColor.rgb.endswith("1F4E79")


def test_an_empty_part_of_the_plan_workbook_says_geen_instead_of_a_bare_header(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    ws = load_workbook(path)["Herstelbehoeften"]
    assert [ws.cell(1, c).value for c in range(1, 3)] == ["Gezinslid", "Domein"]
    assert ws["A2"].value == "Geen." and ws.max_row == 2


def test_the_plan_workbook_shows_dates_with_four_digit_years_and_dutch_numbers(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    wb = load_workbook(path)
    inputs = {r[4].value: r[5].value for r in wb["Inbreng"].iter_rows(min_row=2)}
    assert inputs["situatie_1_datum"] == "15-10-2026"
    overview = {r[0].value: r[1].value for r in wb["Plan"].iter_rows(min_row=2)}
    assert overview["Cijfers laagste – mediaan – hoogste"] == "5 – 5 – 5"


def test_the_plan_workbook_names_who_said_what_by_letter_and_lists_each_participant_once(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    wb = load_workbook(path)
    letters = {r[1].value: r[0].value for r in wb["Deelnemers"].iter_rows(min_row=2)}
    assert letters == {"Kim Verhoef": "A", "Rob Claassen": "B"}
    situations = wb["Onveilige situaties"]
    assert situations.cell(1, 6).value == "Ingebracht door"
    assert situations.cell(2, 6).value == "A, B"
    assert {r[0].value for r in wb["Inbreng"].iter_rows(min_row=2)} == {"P1", "P2"}  # every input, its source


def test_a_column_heading_never_breaks_inside_a_word():
    ws = Workbook().active
    write_table(ws, [Column("Veiligheidscijfer", max_width=8), Column("Nr.")], [["5", "1"]], document="x")
    assert ws.column_dimensions["A"].width >= len("Veiligheidscijfer") + 2


def test_the_check_report_workbook_prints_on_a4_with_rows_that_fit(tmp_path, returned):
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027", "situatie_1_omschrijving": "Er is niemand thuis."})
    register = make_register()
    batch = check_batch([tmp_path / "retour"], register, SCHEMA)
    [files, *_] = write_reports(summarise(batch, register), register, tmp_path / "rapporten")
    wb = load_workbook(files.xlsx)
    for ws in wb.worksheets:
        assert_prints_on_a4(ws)
        assert_rows_fit_their_text(ws)
    findings = wb["Bevindingen"]
    assert findings.page_setup.orientation == "landscape"  # eight columns do not fit a portrait page
    assert any(findings.row_dimensions[r].height > 15 for r in range(2, findings.max_row + 1))
    assert findings.oddFooter.left.text.startswith("Controlerapport 2026-101")


def statuses_with_history(tmp_path, households: int):
    from test_progress import plan_on

    history = History(tmp_path / "h.sqlite")
    for day, scores in ((MEETING, {"P1": 4, "P2": 6}), (dt.date(2027, 1, 12), {"P1": 5, "P2": 5})):
        history.record(plan_on(day, scores))
    statuses = household_statuses(make_register(), history, dt.date(2027, 3, 1))
    with_history = [s for s in statuses if s.history]
    assert with_history
    return [with_history[0]] * households


def test_the_dashboard_prints_on_a4_and_no_chart_is_cut_by_a_page_break(tmp_path):
    statuses = statuses_with_history(tmp_path, households=7)
    path = tmp_path / "dashboard.xlsx"
    write_dashboard(statuses, path, dt.date(2027, 3, 1))
    wb = load_workbook(path)
    for name in ("Overzicht", "Signalen"):
        assert_prints_on_a4(wb[name])
        assert_rows_fit_their_text(wb[name])
    history = wb["Cijferverloop"]
    assert int(history.page_setup.paperSize) == 9 and history.sheet_properties.pageSetUpPr.fitToPage
    breaks = [b.id for b in history.row_breaks.brk]
    assert breaks, "seven charts do not fit on one page"
    pages = list(zip([0] + breaks, breaks + [10 ** 6]))
    charts = history._charts
    assert len(charts) == 7
    for chart in charts:
        top = chart.anchor._from.row + 1  # 0-based in the anchor
        bottom = top + 14
        assert any(start < top and bottom <= end for start, end in pages), (top, breaks)
        assert chart.width <= CHART_WIDTH_CM <= 19  # fits between the margins of a portrait A4 page
    assert all(end - start <= PAGE_ROWS for start, end in zip([0] + breaks, breaks))


def test_the_register_prints_on_a4_with_its_header_on_every_page(tmp_path):
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    wb = load_workbook(path)
    for ws in wb.worksheets[1:]:
        assert_prints_on_a4(ws)
        assert_rows_fit_their_text(ws)
        assert ws.cell(1, 1).font.b
        assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))
    assert int(wb["Uitleg"].page_setup.paperSize) == 9  # A4


def test_input_help_titles_read_whole_within_32_characters():
    assert short_title("Wanneer wordt Veilig Thuis geïnformeerd") == "Wanneer Veilig Thuis informeren"
    assert short_title("Een heel lange titel die nergens in een lijst staat") == "Een heel lange titel die…"
    for c in SCHEMA.inputs:
        title = short_title(c.field.label)
        assert len(title) <= PROMPT_TITLE_LIMIT, c.name
        assert title == c.field.label or title.endswith("…") or " " in title, c.name


def test_the_score_sheet_shows_four_digit_years_and_helps_with_whole_titles(tmp_path, blank_forms):
    wb = load_workbook(next(iter(blank_forms.values())))
    ws = wb[SHEET]
    for c in SCHEMA.inputs:
        fmt = ws[c.cell].number_format
        if c.field.type in (FieldType.DATE, FieldType.TERM):
            assert fmt == "dd-mm-yyyy", c.name
        if c.field.type is FieldType.DATE_OR_YEAR:
            assert fmt == DATE_OR_YEAR_FORMAT and "yyyy" in fmt and "yy-" not in fmt.replace("yyyy", ""), c.name
    titles = [dv.promptTitle for dv in ws.data_validations.dataValidation]
    assert all(len(t) <= 32 for t in titles)
    assert "Wanneer Veilig Thuis informeren" in titles and not any(t.endswith("geïnf") for t in titles)


def test_the_score_sits_next_to_its_label_and_no_section_spreads_over_two_pages():
    wb = load_workbook(default_templates_dir() / SCORE_SHEET)
    ws = wb[SHEET]
    assert ws[SCHEMA.input("beoordeling_cijfer").cell].alignment.horizontal == "left"
    assert ws.print_title_rows == "$1:$2"
    starts = {row - 1 for row in SCHEMA.section_rows.values()}
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks and set(breaks) <= starts  # a page break only ever falls before a section's title


def test_libreoffice_prints_a_date_and_a_year_with_four_digits(tmp_path, blank_forms, libreoffice_convert):
    from conftest import fill

    form = next(iter(blank_forms.values()))
    fill(form, {"situatie_1_datum": dt.date(2026, 11, 15), "situatie_2_datum": 2015})
    pdf = libreoffice_convert(form, "pdf", tmp_path / "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "15-11-2026" in text and "2015" in text
    assert "15-11-26" not in text and "1905" not in text


def test_a_document_name_with_an_ampersand_or_a_control_character_prints_as_written(tmp_path):
    ws = Workbook().active
    write_table(ws, [Column("Naam")], [["x"]], document="Gezin Jansen & Zn\x07")
    path = tmp_path / "naam.xlsx"
    ws.parent.save(path)
    footer = load_workbook(path).active.oddFooter.left.text
    assert footer.startswith("Gezin Jansen && Zn") and "\x07" not in footer


OPEN_POINT = ("Vermoeden van een strafbaar feit, maar geen afspraak met politie of OM: maak de "
              "veiligheidsafspraken in afstemming met politie en OM.")
TWO_POINTS = f"{OPEN_POINT} {OPEN_POINT}"
SCORES = [["Pieter van Dijk (GGZ Regio)", "5", None, "Als de voorwaarden een maand lang worden nageleefd.",
           "Omdat de ouders meewerken en het netwerk meedenkt."],
          ["Eva Mulder (Jeugdbescherming Regio)", "5",
           "Ik geef een 5: er zijn recente incidenten en de afspraken staan nog niet vast.",
           "Als de voorwaarden een maand lang worden nageleefd.", "Omdat de ouders meewerken en het netwerk meedenkt."]]
SCORE_COLUMNS = [Column(t, max_width=50) for t in ("Deelnemer", "Cijfer", "Toelichting", "Hoger als",
                                                    "Niet lager omdat")]


def printed_words(pdf) -> list[tuple[str, float, float, float, float, float]]:
    """Return every printed word of the PDF's first page: text, left, top, right, bottom, and the page's width."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) ontbreekt")
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    return [(text, float(x0), float(y0), float(x1), float(y1), width) for x0, y0, x1, y1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def printed_width(ws) -> float:
    """Return the sum of the sheet's column widths, in width units."""
    return sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1))


def page_width(ws) -> float:
    """Return the width units an A4 page holds at 100 % in the sheet's orientation."""
    return LANDSCAPE_WIDTH if ws.page_setup.orientation == "landscape" else PORTRAIT_WIDTH


def test_every_table_of_the_plan_workbook_fits_its_page_and_no_column_is_wider_than_the_page(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    for ws in load_workbook(path).worksheets:
        widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)]
        assert max(widths) <= page_width(ws), ws.title  # LibreOffice cuts such a column, it does not shrink it
        allowed = page_width(ws) / (APPENDIX_SCALE if ws.title == "Inbreng" else 1)
        assert printed_width(ws) <= allowed, (ws.title, widths)


def test_a_long_open_point_wraps_within_a_portrait_page_and_prints_whole(tmp_path, libreoffice_convert):
    wb = Workbook()
    ws = wb.active
    ws.title = "Open punten"
    write_table(ws, [Column("Open punt", max_width=90)], [[TWO_POINTS]], document="Veiligheidsplan")
    assert ws.page_setup.orientation == "portrait" and printed_width(ws) <= PORTRAIT_WIDTH
    assert ws.row_dimensions[2].height >= 15 * lines_needed(TWO_POINTS, printed_width(ws))
    wb.save(tmp_path / "open.xlsx")
    pdf = libreoffice_convert(tmp_path / "open.xlsx", "pdf", tmp_path / "pdf")
    words = printed_words(pdf)
    assert [w[0] for w in words].count("veiligheidsafspraken") == 2
    margin = 0.5 * 72  # the right margin, in points
    assert all(right <= width - margin + 1 for _, _, _, right, _, width in words)  # wrapped, not cut at the edge


def test_a_wide_table_prints_landscape_at_full_size_and_every_row_holds_its_tallest_cell(tmp_path,
                                                                                          libreoffice_convert):
    wb = Workbook()
    ws = wb.active
    write_table(ws, SCORE_COLUMNS, SCORES, document="Veiligheidsplan")
    assert ws.page_setup.orientation == "landscape"
    assert printed_width(ws) <= LANDSCAPE_WIDTH  # no shrinking to fit: the type stays readable
    assert_rows_fit_their_text(ws)
    first = ws.row_dimensions[2].height  # no Toelichting: the other columns set the height
    assert first >= 15 * lines_needed(SCORES[0][4], ws.column_dimensions["E"].width) and first > 17
    wb.save(tmp_path / "cijfers.xlsx")
    pdf = libreoffice_convert(tmp_path / "cijfers.xlsx", "pdf", tmp_path / "pdf")
    assert len(PdfReader(pdf).pages) == 1
    words = printed_words(pdf)
    next_row = min(top for text, _, top, *_ in words if text == "Eva")
    last_line = max(bottom for text, _, top, _, bottom, _ in words
                    if text in ("meedenkt.", "nageleefd.") and top < next_row)
    assert last_line <= next_row + 2  # the first row's last line is inside the row, not under the next one


def test_an_identifier_column_keeps_its_width_when_the_page_is_tight():
    ws = Workbook().active
    name = "scoreformulier_2026-008_JB01_2026-12-01.xlsx"
    write_table(ws, [Column("Bestand", narrow=False), Column("Waarde"), Column("Toelichting"), Column("Meer")],
                [[name, LONG, LONG, LONG]], document="x")
    assert lines_needed(name, ws.column_dimensions["A"].width) == 1  # on one line, not broken
    assert printed_width(ws) <= LANDSCAPE_WIDTH


def test_the_plan_workbook_leaves_out_an_empty_column_and_writes_the_consensus_reason_after_a_colon(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(a_plan(), path)
    wb = load_workbook(path)
    headings = [c.value for c in wb["Voorwaarden"][1]]
    assert "Alle termijnen" not in headings and "Eigenaar" in headings


def test_the_plan_workbook_says_why_there_is_no_consensus_after_a_colon(tmp_path):
    subs = [Submission(f"{code}.xlsx", code, values, dict(values), {n: SCHEMA.input(n).cell for n in values})
            for code, values in (("P1", COMPLETE | {"beoordeling_cijfer": 4}),
                                 ("P2", COMPLETE | {"beoordeling_cijfer": 7}))]
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(merge_household(make_register(), "2026-101", MEETING, subs, SCHEMA), path)
    overview = {r[0].value: r[1].value for r in load_workbook(path)["Plan"].iter_rows(min_row=2)}
    verdict, _, reason = overview["Consensus"].partition(": ")
    assert verdict == "geen consensus" and "niet iedereen ziet directe veiligheid" in reason


def test_the_household_members_in_a_filled_score_sheet_have_a_line_each_and_sit_top_aligned(tmp_path):
    from formkit.sheets.forms import write_forms

    members = [Member("2026-101", name, year, role) for name, year, role in (
        ("Annemiek de Boer", 1983, "moeder"), ("Kees de Boer", 1980, "vader"), ("Sem de Boer", 2011, "kind"),
        ("Daan de Boer", 2013, "kind"), ("Fleur de Boer", 2017, "kind"))]
    result = write_forms(make_register(members=members), MEETING, tmp_path / "leeg")
    form = next(j.path for j in result.written if j.dossier == "2026-101")
    ws = load_workbook(form)[SHEET]
    value = next(ws[h.cell] for h in SCHEMA.header if h.key == "gezinsleden")
    assert value.value.count("\n") == 4 and "Annemiek de Boer (moeder, 1983)" in value.value
    assert ws.row_dimensions[value.row].height >= 5 * 15 + 4  # five lines and room above and below
    label = ws.cell(value.row, 1)
    assert label.value == "Gezinsleden"
    assert label.alignment.vertical == "top" and value.alignment.vertical == "top"


def test_a_row_without_toelichting_still_holds_the_text_of_its_other_columns(tmp_path, libreoffice_convert):
    wb = Workbook()
    ws = wb.active
    widths = (38.8, 10, 50, 45.5, 44.7)  # as the sheet Veiligheidsbeoordeling had them when text was cut
    write_table(ws, [Column(c.title, width=w) for c, w in zip(SCORE_COLUMNS, widths)], SCORES, document="x")
    wb.save(tmp_path / "cijfers.xlsx")
    words = printed_words(libreoffice_convert(tmp_path / "cijfers.xlsx", "pdf", tmp_path / "pdf"))
    next_row = min(top for text, _, top, *_ in words if text == "Eva")
    assert all(bottom <= next_row + 2 for text, _, top, _, bottom, _ in words if top < next_row)
