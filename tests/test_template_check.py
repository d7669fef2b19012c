"""Templates are checked before every command renders, in Dutch with their place; outputs carry no revisions."""

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MEETING, codes, make_register
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from formkit.cli.main import main
from formkit.core.messages import MESSAGES
from formkit.core.templates import PLAN, REPORT, TEMPLATE_FILES, TOP3, default_templates_dir
from formkit.delivery.template_check import check_templates, preflight
from formkit.documents.rendering import accept_revisions, dutch_syntax_message, render_docx
from formkit.register.write import write_register

#: Words of Jinja's English messages that must never reach a secretariat.
ENGLISH = re.compile(r"unexpected|expected|encountered|unknown|jinja|looking for|statement|innermost|end of|"
                     r"template|got\b", re.IGNORECASE)


def blocks(doc):
    """Yield (heading above, table number or None, block) for every paragraph and table of the body."""
    heading, tables = "", 0
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            yield heading, tables, block
        else:
            if block.style.name.startswith("Heading") and block.text.strip():
                heading = block.text.strip()
            yield heading, None, block


def cell_with(doc, text: str):
    """Return (heading above, table number, cell) of the first table cell whose text is `text`."""
    for heading, number, block in blocks(doc):
        if number:
            for cell in block._cells:
                if cell.text == text:
                    return heading, number, cell
    raise AssertionError(text)


def clear(paragraph: Paragraph) -> None:
    for run in paragraph.runs:
        run.text = ""


def assert_dutch(message: str) -> None:
    assert not ENGLISH.search(message), message


# --- the default templates ----------------------------------------------------------------


def test_default_templates_pass_the_preflight_and_the_full_check():
    assert preflight(None, TEMPLATE_FILES) == []
    assert check_templates(default_templates_dir()) == []


def test_restyled_folder_that_is_unchanged_passes_the_preflight(custom):
    assert preflight(custom, TEMPLATE_FILES) == []


# --- Dutch messages that name the place -------------------------------------------------------


def test_deleted_row_endfor_names_heading_table_and_paragraph(custom):
    doc = Document(custom / PLAN)
    title = doc.paragraphs[0].text
    heading, number, opener = cell_with(doc, "{%tr for c in cijfers %}")
    table = [b for _, n, b in blocks(doc) if n == number][0]
    closer = next(c for c in table._cells if c.text == "{%tr endfor %}")
    clear(closer.paragraphs[0])
    doc.save(custom / PLAN)

    found = check_templates(custom)

    assert codes(found) == ["template_syntax"]
    message = found[0].message
    assert found[0].file == "docx/veiligheidsplan.docx"
    assert "een blok is niet afgesloten" in message and "{%tr endfor %}" in message
    assert f"onder de kop '{heading}'" in message
    assert f"in tabel {number}," in message
    assert "bij de tekst '{% for c in cijfers %}'" in message
    assert title not in message
    assert_dutch(message)


def test_deleted_paragraph_endif_is_named_with_p_tag(custom):
    doc = Document(custom / PLAN)
    opener = next(p for p in doc.paragraphs if p.text == "{%p if risicofactoren %}")
    ends = [p for p in doc.paragraphs if p.text == "{%p endif %}"]
    after = next(p for p in ends if p._p in opener._p.itersiblings())
    after._p.getparent().remove(after._p)
    doc.save(custom / PLAN)

    found = check_templates(custom)

    assert codes(found) == ["template_syntax"]
    message = found[0].message
    assert "een blok is niet afgesloten: bij deze {% if %}-tag ontbreekt {%p endif %}" in message
    assert "bij de tekst '{% if risicofactoren %}'" in message
    assert "in tabel" not in message
    assert_dutch(message)


def test_unclosed_field_tag_names_its_paragraph(custom):
    doc = Document(custom / TOP3)
    paragraph = next(p for p in doc.paragraphs if "{{ overleg }}" in p.text)
    clear(paragraph)
    paragraph.runs[0].text = "Casusoverleg: {{ overleg"
    doc.save(custom / TOP3)

    found = check_templates(custom)

    assert codes(found) == ["template_syntax"]
    assert "een {{ … }}-tag is niet afgesloten: }} ontbreekt" in found[0].message
    assert "bij de tekst 'Casusoverleg: {{ overleg" in found[0].message
    assert_dutch(found[0].message)


def test_end_tag_without_its_opening_tag_is_named(custom):
    doc = Document(custom / TOP3)
    heading, number, opener = cell_with(doc, "{%tr for p in professionals %}")
    clear(opener.paragraphs[0])
    doc.save(custom / TOP3)

    found = check_templates(custom)

    assert codes(found) == ["template_syntax"]
    message = found[0].message
    assert "de tag {% endfor %} sluit een blok af dat niet is geopend" in message
    assert f"onder de kop '{heading}', in tabel {number}," in message
    assert_dutch(message)


def test_a_malformed_expression_gets_a_dutch_message_with_its_place(custom):
    doc = Document(custom / TOP3)
    paragraph = next(p for p in doc.paragraphs if "{{ overleg }}" in p.text)
    clear(paragraph)
    paragraph.runs[0].text = "Casusoverleg: {{ overleg | }}"
    doc.save(custom / TOP3)

    found = check_templates(custom)

    assert codes(found) == ["template_syntax"]
    assert "na | of . ontbreekt een naam" in found[0].message
    assert "bij de tekst 'Casusoverleg: {{ overleg | }}" in found[0].message
    assert_dutch(found[0].message)


@pytest.mark.parametrize("english", [
    "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'.",
    "Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'.",
    "expected token 'end of print statement', got 'b'",
    "unexpected char '\"' at 3",
    "tag name expected",
    "Expected an expression, got 'end of statement block'",
    "something Jinja says in a future version",
])
def test_every_jinja_syntax_message_becomes_dutch(english):
    dutch = dutch_syntax_message(english)
    assert dutch
    assert_dutch(dutch)


# --- every command that renders checks first -------------------------------------------------


def broken_top3(custom: Path) -> None:
    doc = Document(custom / TOP3)
    _, _, closer = cell_with(doc, "{%tr endfor %}")
    clear(closer.paragraphs[0])
    doc.save(custom / TOP3)


def register_file(tmp_path) -> Path:
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    return path


def refused(result, custom) -> None:
    assert result.exit_code == 1, result.output
    assert "docx/top3.docx" in result.output
    assert "een blok is niet afgesloten" in result.output
    assert MESSAGES["templates_refused"][1].format(folder=custom) in result.output
    assert "Traceback" not in result.output
    assert_dutch(result.output.replace(str(custom), "").replace("formkit templates check", ""))


def test_docs_refuses_a_broken_template_and_writes_nothing(tmp_path, custom):
    broken_top3(custom)
    result = CliRunner().invoke(main, ["docs", str(register_file(tmp_path)), "--meeting", MEETING.isoformat(),
                                       "--out", str(tmp_path / "docs"), "--templates", str(custom)])
    refused(result, custom)
    assert not (tmp_path / "docs").exists()


def test_pack_refuses_a_broken_template_and_writes_nothing(tmp_path, custom):
    broken_top3(custom)
    result = CliRunner().invoke(main, ["pack", "--register", str(register_file(tmp_path)), "--meeting",
                                       MEETING.isoformat(), "--out", str(tmp_path / "pakket"),
                                       "--templates", str(custom)])
    refused(result, custom)
    assert not (tmp_path / "pakket").exists()


def test_merge_refuses_a_broken_plan_template_and_writes_nothing(tmp_path, custom):
    doc = Document(custom / PLAN)
    _, _, closer = cell_with(doc, "{%tr endfor %}")
    clear(closer.paragraphs[0])
    doc.save(custom / PLAN)
    (tmp_path / "retour").mkdir()
    register = register_file(tmp_path)
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(register),
                                       "--meeting", MEETING.isoformat(), "--out", str(tmp_path / "plannen"),
                                       "--templates", str(custom)])
    assert result.exit_code == 1, result.output
    assert "docx/veiligheidsplan.docx" in result.output and "een blok is niet afgesloten" in result.output
    assert not (tmp_path / "plannen").exists()
    assert not list(tmp_path.glob("*.sqlite"))


def test_check_report_refuses_a_broken_report_template_before_writing(tmp_path, custom):
    (custom / REPORT).write_bytes(b"geen docx")
    (tmp_path / "retour").mkdir()
    result = CliRunner().invoke(main, ["check", str(tmp_path / "retour"), "--register", str(register_file(tmp_path)),
                                       "--report", str(tmp_path / "rapporten"), "--templates", str(custom)])
    assert result.exit_code == 1, result.output
    assert "docx/controlerapport.docx" in result.output
    assert not (tmp_path / "rapporten").exists()


def test_templates_check_prints_file_and_place(custom):
    broken_top3(custom)
    result = CliRunner().invoke(main, ["templates", "check", str(custom)])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "docx/top3.docx" in line)
    assert line.strip().startswith("fout: docx/top3.docx: een tag klopt niet: een blok is niet afgesloten")
    assert "in tabel" in line and "bij de tekst" in line


def test_preflight_sees_a_template_changed_after_an_earlier_check(custom):
    assert preflight(custom, [TOP3]) == []
    broken_top3(custom)
    assert codes(preflight(custom, [TOP3])) == ["template_syntax"]


# --- tracked changes and comments ---------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REVISION_MARKS = re.compile(r"<w:(ins|del|moveFrom|moveTo|comment\w*|\w+Change)[\s>/]|trackRevisions")


def with_revisions(path: Path) -> None:
    """Give a Word file an insertion, a deletion, a comment and change tracking switched on, as Word writes them."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    body = parts["word/document.xml"].decode()
    revisions = (
        '<w:p><w:ins w:id="901" w:author="Secretariaat" w:date="2026-11-01T10:00:00Z"><w:r><w:t>Ingevoegd door '
        'het secretariaat.</w:t></w:r></w:ins><w:del w:id="902" w:author="Secretariaat" '
        'w:date="2026-11-01T10:00:00Z"><w:r><w:delText>Weggehaalde zin {{ kapot</w:delText></w:r></w:del></w:p>'
        '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Tekst met opmerking.</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>')
    body = body.replace("<w:body>", "<w:body>" + revisions, 1)
    parts["word/document.xml"] = body.encode()
    parts["word/comments.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {W}><w:comment w:id="0" '
        'w:author="Secretariaat"><w:p><w:r><w:t>Nog navragen</w:t></w:r></w:p></w:comment></w:comments>').encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdOpm1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'comments" Target="comments.xml"/></Relationships>')).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.comments+xml"/></Types>')).encode()
    settings = parts["word/settings.xml"].decode()
    parts["word/settings.xml"] = re.sub(r"(<w:settings[^>]*>)", r"\1<w:trackRevisions/>", settings, count=1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def xml_of(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def test_tracked_changes_and_comments_are_a_warning_and_accepted(custom):
    with_revisions(custom / TOP3)
    found = check_templates(custom)
    assert codes(found) == ["template_revisions_accepted"]
    assert not found[0].is_error
    assert found[0].file == "docx/top3.docx"
    assert "bijgehouden wijzigingen (2) of opmerkingen (1)" in found[0].message


def test_documents_from_a_template_with_revisions_carry_none(tmp_path, custom):
    with_revisions(custom / TOP3)
    result = CliRunner().invoke(main, ["docs", str(register_file(tmp_path)), "--meeting", MEETING.isoformat(),
                                       "--out", str(tmp_path / "docs"), "--templates", str(custom)])
    assert result.exit_code == 0, result.output
    assert "template_revisions_accepted" not in result.output
    assert "bijgehouden wijzigingen" in result.output  # the warning is shown, the run goes on
    out = sorted((tmp_path / "docs").rglob("*.docx"))[0]
    parts = xml_of(out)
    for name, xml in parts.items():
        assert not REVISION_MARKS.search(xml), name
    assert "word/comments.xml" not in parts
    assert "comments" not in parts["word/_rels/document.xml.rels"]
    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "Ingevoegd door het secretariaat." in text
    assert "Weggehaalde zin" not in text
    assert "Tekst met opmerking." in text
    assert "Nog navragen" not in text


def test_render_docx_never_leaves_change_tracking_on(tmp_path):
    template = tmp_path / "plan.docx"
    template.write_bytes((default_templates_dir() / TOP3).read_bytes())
    with_revisions(template)
    from formkit.documents.word import top3_context
    from formkit.sheets.schema import build_schema

    context = top3_context(make_register(), "2026-101", MEETING, build_schema().settings)
    render_docx(template, context, tmp_path / "uit.docx")
    parts = xml_of(tmp_path / "uit.docx")
    assert "trackRevisions" not in parts["word/settings.xml"]
    assert not any(REVISION_MARKS.search(xml) for xml in parts.values())
    # a file without revisions passes unchanged
    clean = (default_templates_dir() / TOP3).read_bytes()
    assert accept_revisions(clean) == (clean, accept_revisions(clean)[1])
    assert not accept_revisions(clean)[1]


def test_render_docx_called_directly_names_the_place_in_dutch(tmp_path, custom):
    broken_top3(custom)
    from formkit.core.errors import TemplateError
    from formkit.documents.word import top3_context
    from formkit.sheets.schema import build_schema

    context = top3_context(make_register(), "2026-101", MEETING, build_schema().settings)
    with pytest.raises(TemplateError) as raised:
        render_docx(custom / TOP3, context, tmp_path / "uit.docx")
    assert "top3.docx: een tag klopt niet: een blok is niet afgesloten" in str(raised.value)
    assert "in tabel" in str(raised.value)
    assert_dutch(str(raised.value).replace("top3.docx", ""))
    assert not (tmp_path / "uit.docx").exists()
