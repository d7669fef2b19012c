"""Untrusted text never breaks an output; a text longer than its field allows goes no further.

File names and cell texts of returned forms, and texts of the register, reach the terminal,
the reports (xlsx, docx, JSON), the plans (docx, xlsx, plan.json), the pack and the mail.
Control characters, escape sequences, bidi overrides and characters XML forbids are shown
as a visible marker ``⟨U+XXXX⟩`` everywhere, never raw and never dropped.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, fill, make_register
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from formkit.cli.main import main
from formkit.core.findings import finding
from formkit.core.messages import MESSAGES
from formkit.core.text import is_safe, shorten, visible
from formkit.delivery.mail import compose
from formkit.delivery.summary import CheckSummary, Counts, DossierSummary, ReportNames
from formkit.register.load import load
from formkit.register.write import write_register
from formkit.sheets.names import resolve_names
from formkit.sheets.schema import MAX_TEXT, build_schema

SCHEMA = build_schema()
ESC_NAME = "2026-101_P1\x1b[2J\x1b]0;titel\x07.xlsx"
RLO = "\u202e"
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def unsafe_left(text: str) -> bool:
    """True when `text` still holds a raw character that must have been made visible."""
    return not is_safe(text, multiline=True)


def package_texts(path: Path) -> str:
    """Return the texts and attribute values of every XML part of an xlsx or docx package, as characters."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                for element in ElementTree.fromstring(zf.read(name)).iter():
                    found += [element.text or "", element.tail or "", *element.attrib.values()]
    return "\n".join(found)


def set_cells(path: Path, values: dict, target: Path) -> Path:
    """Fill cells through their defined names with anything openpyxl takes (formula objects too)."""
    wb = load_workbook(path)
    places, missing = resolve_names(wb, list(values))
    assert not missing, missing
    for name, value in values.items():
        sheet, cell = places[name]
        wb[sheet][cell] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def check(folder: Path, register: Path, reports: Path | None = None, *extra: str):
    args = ["check", str(folder), "--register", str(register), *extra]
    if reports is not None:
        args += ["--report", str(reports)]
    return CliRunner().invoke(main, args)


def merge(folder: Path, register: Path, out: Path):
    return CliRunner().invoke(main, ["merge", str(folder), "--register", str(register), "--meeting",
                                     MEETING.isoformat(), "--out", str(out)])


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


# --- one visible form ----------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\r", "\x7f", "\x85", "\x9b", "\u061c", "\u200e",
                                  "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufffe", "\uffff",
                                  "\udcff"])
def test_every_unsafe_character_shows_as_its_code_point(char):
    shown = visible(f"a{char}b")
    assert shown == f"a⟨U+{ord(char):04X}⟩b"
    assert visible(shown) == shown  # a second line of defence changes nothing


def test_a_line_break_stays_in_a_multiline_text_and_is_visible_on_one_line():
    assert visible("regel 1\r\nregel 2\tverder", multiline=True) == "regel 1\nregel 2\tverder"
    assert visible("regel 1\nregel 2") == "regel 1⟨U+000A⟩regel 2"
    assert visible("Ayşe Öztürk 🙂 {{ x }} =SUM(A1)") == "Ayşe Öztürk 🙂 {{ x }} =SUM(A1)"


def test_a_long_value_in_a_finding_is_cut_visibly_with_its_length():
    raw = "x" * 2345
    assert shorten(raw) == "x" * 80 + "… (2345 tekens)"
    found = finding("not_a_date", value=raw, file="a.xlsx")
    assert "x" * 80 + "… (2345 tekens)" in found.message
    assert len(found.message) < 200


def test_a_finding_shows_a_file_name_and_value_visibly_on_one_line():
    found = finding("not_a_date", value=f"13-13\n2026{RLO}", file=ESC_NAME)
    text = str(found)
    assert "\n" not in text and "\x1b" not in text and RLO not in text
    assert "⟨U+001B⟩[2J" in found.file and "⟨U+202E⟩" in found.message
    assert json.dumps(found.to_dict(), ensure_ascii=False).count("⟨U+001B⟩") == 2


# --- file names ------------------------------------------------------------------------------


def test_a_file_name_with_an_escape_sequence_gets_its_reports_and_manifest(tmp_path, returned, register_path):
    returned(COMPLETE, name=ESC_NAME)
    result = check(tmp_path / "retour", register_path, tmp_path / "rapporten")
    no_traceback(result)
    assert result.exit_code == 1  # two professionals did not return their form
    assert "\x1b" not in result.output and "\x07" not in result.output
    manifest = (tmp_path / "rapporten" / "rapporten.json").read_text(encoding="utf-8")
    assert "2026-101_P1⟨U+001B⟩[2J⟨U+001B⟩]0;titel⟨U+0007⟩.xlsx" in json.loads(manifest)["bestanden"][0]["bestand"]
    report = next((tmp_path / "rapporten").rglob("controlerapport_2026-101*.xlsx"))
    received = load_workbook(report)["Ontvangen"]
    assert received["C2"].value == "2026-101_P1⟨U+001B⟩[2J⟨U+001B⟩]0;titel⟨U+0007⟩.xlsx"
    for path in (p for p in (tmp_path / "rapporten").rglob("*") if p.suffix in (".json", ".xlsx", ".docx")):
        content = path.read_text(encoding="utf-8") if path.suffix == ".json" else package_texts(path)
        assert not unsafe_left(content), path.name


def test_a_file_name_with_an_escape_sequence_shows_visibly_on_the_terminal(tmp_path, returned, register_path):
    returned({**COMPLETE, "beoordeling_cijfer": 12}, name=ESC_NAME)  # a finding that names the file
    result = check(tmp_path / "retour", register_path)
    no_traceback(result)
    assert "2026-101_P1⟨U+001B⟩[2J⟨U+001B⟩]0;titel⟨U+0007⟩.xlsx" in result.output
    assert "\x1b" not in result.output


def test_merge_writes_every_households_plan_when_a_file_name_holds_an_escape(tmp_path, returned, register_path):
    returned(COMPLETE, name=ESC_NAME)
    returned({}, dossier="2026-102", professional="P3", name=f"Öztürk{RLO}xslx.xlsx")
    result = merge(tmp_path / "retour", register_path, tmp_path / "plannen")
    no_traceback(result)
    for dossier in ("2026-101", "2026-102"):
        folder = next((tmp_path / "plannen").rglob(f"{dossier}*/**/v1"))
        files = sorted(p.suffix for p in folder.iterdir())
        assert files == [".docx", ".json", ".xlsx"], (dossier, files)
        for path in (p for p in folder.iterdir() if p.suffix in (".json", ".xlsx", ".docx")):
            content = path.read_text(encoding="utf-8") if path.suffix == ".json" else package_texts(path)
            assert not unsafe_left(content), path.name
    plan = json.loads(next((tmp_path / "plannen").rglob("2026-101*/**/v1/*.json")).read_text(encoding="utf-8"))
    assert "2026-101_P1⟨U+001B⟩[2J⟨U+001B⟩]0;titel⟨U+0007⟩.xlsx" in json.dumps(plan, ensure_ascii=False)


# --- cell texts ------------------------------------------------------------------------------


def test_a_bidi_override_in_a_cell_shows_as_a_marker_in_the_plan(tmp_path, returned, register_path):
    text = f"Tim wordt {RLO}sdnova's\u0085 alleen gelaten\x9b31m."
    returned({**COMPLETE, "situatie_1_omschrijving": text})
    result = merge(tmp_path / "retour", register_path, tmp_path / "plannen")
    no_traceback(result)
    folder = next((tmp_path / "plannen").rglob("2026-101*/**/v1"))
    shown = "Tim wordt ⟨U+202E⟩sdnova's⟨U+0085⟩ alleen gelaten⟨U+009B⟩31m."
    for path in (p for p in folder.iterdir() if p.suffix in (".json", ".xlsx", ".docx")):
        content = path.read_text(encoding="utf-8") if path.suffix == ".json" else package_texts(path)
        assert not unsafe_left(content), path.name
        if path.suffix != ".docx":  # Word splits a text into runs; its text is checked below
            assert shown in content, path.name
    docx = next(folder.glob("*.docx"))
    assert shown in "".join(t.text or "" for t in ElementTree.fromstring(
        zipfile.ZipFile(docx).read("word/document.xml")).iter(f"{{{WORD}}}t"))


def test_a_bidi_override_in_the_register_never_reaches_a_document_raw(tmp_path, blank_forms):
    base = make_register()
    reg = make_register(households=[replace(base.households[0], name=f"Gezin {RLO}nesretieP"),
                                    *base.households[1:]])
    path = tmp_path / "register.xlsx"
    write_register(reg, path)
    loaded = load(path)
    assert loaded.register.household("2026-101").name == "Gezin ⟨U+202E⟩nesretieP"
    result = CliRunner().invoke(main, ["docs", str(path), "--meeting", MEETING.isoformat(), "--out",
                                       str(tmp_path / "top3")])
    no_traceback(result)
    document = next((tmp_path / "top3").rglob("*2026-101*.docx"))
    content = package_texts(document)
    assert "Gezin ⟨U+202E⟩nesretieP" in content and not unsafe_left(content)


def test_a_line_break_in_a_regisseur_name_cannot_add_a_mail_header(tmp_path):
    dossier = "2026-101\nBcc: lek@elders.example"
    base = make_register()
    reg = make_register(
        households=[replace(base.households[0], dossier=dossier)],
        professionals=[replace(base.professionals[0], name="Kim\r\nBcc: lek@elders.example")],
        involvements=[replace(base.involvements[0], dossier=dossier)])
    entry = DossierSummary(dossier, "", expected=2, received=1, counts=Counts(0, 0), forms=(), missing=(),
                           findings=(), fingerprint="ABC\r\nX-Lek: ja")
    summary = CheckSummary(MEETING, (entry,), (), (), Counts(0, 0), reports=(ReportNames(dossier, "", None),))
    message, problem = compose(entry, summary, tmp_path, reg, None)
    assert problem is None
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Lek"] is None
    assert "⟨U+000A⟩Bcc: lek@elders.example" in parsed["Subject"]
    assert "Kim⟨U+000D⟩⟨U+000A⟩Bcc" in parsed["To"]


# --- formulas --------------------------------------------------------------------------------


def test_an_array_formula_in_a_form_is_reported_as_a_formula(tmp_path, blank_forms, register_path):
    folder = tmp_path / "retour"
    values = {**COMPLETE}
    values.pop("beoordeling_toelichting")
    form = fill(blank_forms[("2026-101", "P1")], values, folder / "formules.xlsx")
    wb = load_workbook(form)
    places, _ = resolve_names(wb, ["beoordeling_toelichting", "regie_consequenties"])
    sheet, cell = places["beoordeling_toelichting"]
    wb[sheet][cell] = ArrayFormula(cell, "=SUM(A1:A3)")
    sheet, cell = places["regie_consequenties"]
    wb[sheet][cell] = DataTableFormula(cell, r1="B1", r2="B2")
    wb.save(form)
    result = check(folder, register_path, tmp_path / "rapporten")
    no_traceback(result)
    assert MESSAGES["form_formula"][1].format(value="{=SUM(A1:A3)}") in result.output
    assert MESSAGES["form_formula"][1].format(value="{=TABLE(B1,B2)}") in result.output
    assert "object at 0x" not in result.output and "openpyxl" not in result.output
    plans = merge(folder, register_path, tmp_path / "plannen")
    plan = next((tmp_path / "plannen").rglob("2026-101*/**/v1/*.json")).read_text(encoding="utf-8")
    assert "object at 0x" not in plan and "ArrayFormula" not in plan
    no_traceback(plans)


def test_an_array_formula_in_the_register_is_reported_as_a_formula(tmp_path):
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    wb = load_workbook(path)
    ws = wb["Huishoudens"]
    ws["B2"] = ArrayFormula("B2", "=UPPER(A2:A3)")
    wb.save(path)
    result = CliRunner().invoke(main, ["register", "check", str(path)])
    no_traceback(result)
    assert result.exit_code == 1
    assert MESSAGES["formula_in_register"][1].format(value="{=UPPER(A2:A3)}") in result.output
    assert "object at 0x" not in result.output


# --- bounded text ----------------------------------------------------------------------------


def test_a_text_longer_than_the_field_allows_is_an_error_at_its_cell_and_stays_out_of_the_plan(
        tmp_path, returned, register_path):
    long_text = "Tim " + "heel lang verhaal " * 200  # 3604 characters
    returned({**COMPLETE, "beoordeling_toelichting": long_text})
    result = check(tmp_path / "retour", register_path)
    no_traceback(result)
    expected = MESSAGES["text_too_long"][1].format(length=len(long_text.strip()), limit=MAX_TEXT)
    line = next(line for line in result.output.splitlines() if expected in line)
    assert line.strip().startswith("fout:") and "cel B26" in line and "veld 'Waarom dit cijfer'" in line
    assert "heel lang verhaal" not in result.output  # neither quoted nor cut silently
    assert MESSAGES["field_required"][1].format(label="Toelichting") not in result.output  # it counts as filled
    merge(tmp_path / "retour", register_path, tmp_path / "plannen")
    folder = next((tmp_path / "plannen").rglob("2026-101*/**/v1"))
    for path in (p for p in folder.iterdir() if p.suffix in (".json", ".xlsx", ".docx")):
        content = path.read_text(encoding="utf-8") if path.suffix == ".json" else package_texts(path)
        assert "heel lang verhaal heel lang verhaal" not in content, path.name


def test_a_text_of_exactly_the_limit_is_taken_whole(tmp_path, returned, register_path):
    text = ("Moeder werkt mee. " * 200)[:MAX_TEXT]
    returned({**COMPLETE, "beoordeling_toelichting": text})
    merge(tmp_path / "retour", register_path, tmp_path / "plannen")
    plan = next((tmp_path / "plannen").rglob("2026-101*/**/v1/*.json")).read_text(encoding="utf-8")
    assert text.strip() in json.loads(plan)["scores"][0]["explanation"]


def test_a_huge_string_in_a_date_cell_gives_one_short_finding(tmp_path, returned, register_path):
    returned({**COMPLETE, "situatie_1_datum": "1" * 30_000})  # Excel holds at most 32,767 in a cell
    result = check(tmp_path / "retour", register_path, None, "--json")
    no_traceback(result)
    summary = json.loads(result.stdout)
    about = [r for r in summary["dossiers"][0]["bevindingen"] if r["cel"] == "D16"]
    assert len(about) == 1 and "30000 tekens" in about[0]["melding"] and len(about[0]["melding"]) < 400


# --- everything at once, with random names and texts ------------------------------------------

#: Characters a hostile file name or cell may hold: controls, escapes, bidi, XML-forbidden, template syntax.
NASTY = ["\x1b", "\x1b[31m", "\x07", "\x7f", "\x85", "\x9b", "\u202e", "\u202d", "\u2066", "\u200f", "\u061c",
         "\ufffe", "\uffff", "\n", "\t", "\r", "{{ x }}", "{% if 1 %}", "=SUM(A1)", "+1", "@", "<w:t>", "&", "'",
         "Ö", "🙂", "\udcff"]
CELL_NASTY = [s for s in NASTY if s not in ("\x1b", "\x1b[31m", "\x07", "\ufffe", "\uffff", "\r", "\udcff")]
# ^ a cell's XML cannot hold C0 controls, U+FFFE/U+FFFF or lone surrogates: an xlsx file cannot carry them

names = st.lists(st.sampled_from(NASTY) | st.text(alphabet="abcXYZ-_ 0123", min_size=1, max_size=5),
                 min_size=1, max_size=6).map("".join).map(lambda s: s.replace("/", "_"))
texts = st.one_of(
    st.lists(st.sampled_from(CELL_NASTY) | st.text(alphabet="Tim zegt ", min_size=1, max_size=6),
             min_size=1, max_size=12).map("".join),
    st.integers(MAX_TEXT - 2, MAX_TEXT + 300).map(lambda n: ("a\u202e" * n)[:n]),
)


@pytest.fixture(scope="module")
def nasty_setup(tmp_path_factory):
    """A register and blank forms made once, for the random examples."""
    from formkit.sheets.forms import write_forms

    root = tmp_path_factory.mktemp("vijandig")
    register = root / "register.xlsx"
    write_register(make_register(), register)
    written = write_forms(make_register(), MEETING, root / "leeg").written
    return register, {(j.dossier, j.professional): j.path for j in written}


def _write_nasty(folder: Path, blanks: dict, name: str, text: str, other: str) -> None:
    fill(blanks[("2026-101", "P1")], {**COMPLETE, "situatie_1_omschrijving": "Tim " + text,
                                      "beoordeling_toelichting": text}, folder / f"{name}.xlsx")
    fill(blanks[("2026-102", "P3")], {"beoordeling_toelichting": other, "beoordeling_cijfer": other},
         folder / f"{name}x.xlsx")


def _assert_outputs_clean(root: Path) -> None:
    for path in root.rglob("*"):
        if path.suffix in (".xlsx", ".docx") and "retour" not in path.parts:
            assert not unsafe_left(package_texts(path)), path
        elif path.suffix == ".json":
            assert not unsafe_left(path.read_text(encoding="utf-8")), path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, text=texts, other=texts)
def test_random_file_names_and_cell_texts_never_break_check_reports_or_merge(nasty_setup, name, text, other):
    register, blanks = nasty_setup
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "retour"
        folder.mkdir()
        try:
            _write_nasty(folder, blanks, name, text, other)
        except OSError:  # a name this file system cannot hold is not a case
            return
        result = check(folder, register, root / "rapporten")
        no_traceback(result)
        assert result.exit_code in (0, 1)
        assert (root / "rapporten" / "rapporten.json").is_file()
        assert not unsafe_left(result.output.replace("\n", " "))
        plans = merge(folder, register, root / "plannen")
        no_traceback(plans)
        assert not unsafe_left(plans.output.replace("\n", " "))
        for dossier in ("2026-101", "2026-102"):
            folder_v1 = next((root / "plannen").rglob(f"{dossier}*/**/v1"), None)
            if folder_v1 is None:  # its form was refused (a read limit on a busy machine): no plan, and it says so
                assert any(line.startswith(dossier) and "geen formulieren ontvangen" in line
                           for line in plans.output.splitlines()), plans.output
                continue
            assert sorted(p.suffix for p in folder_v1.iterdir()) == [".docx", ".json", ".xlsx"]
        for path in root.rglob("*.xlsx"):
            if "retour" not in path.parts:
                load_workbook(path, read_only=True).close()  # every output opens
        _assert_outputs_clean(root)


def test_a_nasty_form_goes_through_check_merge_and_pack(tmp_path, register_path, blank_forms, libreoffice_convert):
    register, blanks = register_path, blank_forms
    folder = tmp_path / "retour"
    folder.mkdir()
    _write_nasty(folder, blanks, f"vijandig\x1b[2J{RLO}\n", f"Tim {RLO}\x9b31m {{{{ geheim }}}} =1+1",
                 "a" * (MAX_TEXT + 1))
    assert check(folder, register, tmp_path / "rapporten").exit_code == 1
    no_traceback(merge(folder, register, tmp_path / "plannen"))
    result = CliRunner().invoke(main, ["pack", "--register", str(register), "--meeting", MEETING.isoformat(),
                                       "--plans", str(tmp_path / "plannen"), "--reports", str(tmp_path / "rapporten"),
                                       "--out", str(tmp_path / "pakketten")])
    no_traceback(result)
    assert not unsafe_left(result.output.replace("\n", " "))
    pdfs = list((tmp_path / "pakketten").rglob("*.pdf"))
    assert pdfs
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(pdfs[0]).pages)
    assert "U+202E" in text and RLO not in text and "\x1b" not in text
