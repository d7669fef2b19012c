"""Issue 13: a meeting pack fit to file and read (one page numbering, tagged, Dutch, bookmarks shown),
and the plans' archive copies as PDF/A-2b, made in one LibreOffice run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from formkit.cli.main import main
from formkit.core.messages import MESSAGES
from formkit.delivery import pdf
from formkit.delivery.archive import ArchivePlan, archive_path, write_archive_copies
from formkit.delivery.pack import build_packs, overview_context
from formkit.delivery.summary import Counts, DossierSummary
from formkit.documents.plan_files import write_version
from formkit.plan.merge import merge_batch
from formkit.plan.model import Plan, Score, ScoreSummary, Source
from formkit.plan.versions import StoredPlan
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()


@pytest.fixture
def plans(tmp_path, returned, libreoffice_convert):
    """Both households' merged plans (version 1) under tmp_path/plannen; returns that folder."""
    returned(COMPLETE)
    reg = make_register()
    for plan in merge_batch(check_batch([tmp_path / "retour"], reg, SCHEMA), reg, SCHEMA):
        write_version(plan, tmp_path / "plannen")
    return tmp_path / "plannen"


def plan_docxs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*/v*/*.docx"))


def structure(reader: PdfReader) -> tuple[set[int], int]:
    """Return the page indexes the structure tree's elements point at, and how many elements it has."""
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    seen, pointed = set(), set()
    todo = [reader.trailer["/Root"]["/StructTreeRoot"].raw_get("/K")]
    while todo:
        item = todo.pop()
        ref = item.idnum if isinstance(item, IndirectObject) else id(item)
        element = item.get_object()
        if ref in seen or not isinstance(element, (DictionaryObject, ArrayObject)):
            continue
        seen.add(ref)
        if isinstance(element, ArrayObject):
            todo += list(element)
            continue
        if "/Pg" in element:
            pointed.add(pages[element.raw_get("/Pg").idnum])
        kids = element.raw_get("/K") if "/K" in element else None
        todo += list(kids.get_object()) if isinstance(kids, (ArrayObject,)) or (
            isinstance(kids, IndirectObject) and isinstance(kids.get_object(), ArrayObject)) else [kids] if kids is not None else []
    return pointed, len(seen)


def parent_tree_keys(reader: PdfReader) -> set[int]:
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    return {int(nums[i]) for i in range(0, len(nums), 2)}


def test_the_pack_is_tagged_dutch_and_opens_with_its_bookmarks(tmp_path, plans):
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans)
    [pack] = result.packs
    reader = PdfReader(pack.path)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "nl-NL" and catalog["/PageMode"] == "/UseOutlines"
    assert catalog["/MarkInfo"]["/Marked"] is True or catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712
    pointed, elements = structure(reader)
    assert elements > 50
    # every part's pages are in the one tree: agenda, plans, TOP-3 forms, overviews
    assert pointed == set(range(len(reader.pages)))
    keys = parent_tree_keys(reader)
    assert all(page["/StructParents"] in keys for page in reader.pages)
    assert len({page["/StructParents"] for page in reader.pages}) == len(reader.pages)
    assert catalog["/StructTreeRoot"]["/ParentTreeNextKey"] > max(keys)
    # the parts' own roots are not carried along as dead copies
    assert pack.path.read_bytes().count(b"/Type /StructTreeRoot") == 1


def test_each_pack_page_has_one_page_number_the_packs_own(tmp_path, plans):
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans)
    [pack] = result.packs
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(pack.path).pages]
    for number, text in enumerate(texts, start=1):
        assert re.findall(r"pagina \d+ van \d+", text) == [f"pagina {number} van {len(texts)}"], number
        assert re.search(rf"Casusoverleg 1 december 2026 · [^–]+ – pagina {number} van {len(texts)}", text), number
    # one footer per page: the pack's, naming the part; the parts' own footers are gone
    assert "Casusoverleg 1 december 2026 · Agenda – pagina 1 van" in texts[0]
    assert any("· dossier 2026-101 · Veiligheidsplan versie 1 – pagina" in t for t in texts)
    assert not any("Veiligheidsplan dossier 2026-101" in t for t in texts)


def test_the_pack_number_is_an_artifact_not_content(tmp_path, plans):
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans)
    page = PdfReader(result.packs[0].path).pages[0]
    data = page.get_contents().get_data()
    stamp = b" ".join(data[data.rindex(b"/Artifact"):].split())
    assert stamp.startswith(b"/Artifact << /Type /Pagination /Subtype /Footer >> BDC BT")
    assert b"pagina 1 van" in stamp and stamp.index(b"pagina 1 van") < stamp.index(b"EMC")


def test_a_missing_part_page_is_a_paragraph_in_the_structure(tmp_path, monkeypatch):
    import formkit.delivery.pack

    real = formkit.delivery.pack.convert_to_pdf

    def losing_overviews(documents, work, timeout, **options):
        result = real(documents, work, timeout, **options)
        for source in [s for s in result.pdfs if "overzicht_" in s.name]:
            result.failures[source] = "LibreOffice kon het document niet omzetten"
            del result.pdfs[source]
        return result

    monkeypatch.setattr(formkit.delivery.pack, "convert_to_pdf", losing_overviews)
    [pack] = build_packs(make_register(), MEETING, tmp_path / "pakket").packs
    reader = PdfReader(pack.path)
    notices = [i for i, p in enumerate(reader.pages) if "niet opgenomen" in p.extract_text()]
    assert len(notices) == 2
    pointed, _ = structure(reader)
    assert set(notices) <= pointed and all(reader.pages[i]["/StructParents"] in parent_tree_keys(reader) for i in notices)


def stored_plan(summary: ScoreSummary, scores: list[Score] = ()) -> StoredPlan:
    """A plan of household 2026-101 as read from its plan.json, fingerprint AB."""
    return StoredPlan(Plan("2026-101", "Gezin Pietersen", 1, MEETING, [], scores=list(scores), summary=summary), "AB", "")


def test_the_overview_writes_dutch_numbers():
    kim = Source("P1", "Kim Verhoef", "Wijkteam", "f.xlsx", "B25")
    plan = stored_plan(ScoreSummary(3, 3.5, 5), [Score(kim, None, "3,5", "x")])  # a score as written: text
    context = overview_context(make_register(), "2026-101", MEETING, plan, None)
    assert context["samenvatting"] == "3 – 3,5 – 5"
    assert context["cijfers"][0] == {"door": "Kim Verhoef", "cijfer": "3,5", "toelichting": "x"}
    assert context["plan"] == "versie 1, kenmerk AB"
    assert context["overleg"] == "1 december 2026"


def test_the_overview_does_not_claim_consensus_over_an_unread_score():
    plan = stored_plan(ScoreSummary(6, 6, 7, consensus=True, determined=False,
                                    reason="het cijfer van Kim Verhoef kon niet worden gelezen"))
    context = overview_context(make_register(), "2026-101", MEETING, plan, None)
    assert context["samenvatting"] == ("6 – 6 – 7; nog niet vast te stellen: "
                                       "het cijfer van Kim Verhoef kon niet worden gelezen")


def test_a_household_without_forms_is_named_so_in_the_overview():
    report = DossierSummary("2026-102", "", expected=2, received=0, counts=Counts(0, 0), forms=(),
                            missing=(), findings=(), fingerprint="")
    context = overview_context(make_register(), "2026-102", MEETING, None, report, no_forms=True)
    assert context["plan"] == "geen formulieren ontvangen"


def test_the_pack_writes_an_archive_copy_beside_each_plan_and_reuses_it(tmp_path, plans):
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans)
    copies = [archive_path(d) for d in plan_docxs(plans)]
    assert sorted(result.archive_copies) == sorted(copies) and all(c.is_file() for c in copies)
    assert_pdfa_2b(copies[0])
    before = [c.stat().st_mtime_ns for c in copies]
    again = build_packs(make_register(), MEETING, tmp_path / "pakket2", plans_dir=plans)
    assert again.archive_copies == [] and [c.stat().st_mtime_ns for c in copies] == before
    assert again.documents == result.documents - len(copies)


def assert_pdfa_2b(path: Path) -> None:
    reader = PdfReader(path)
    assert not reader.is_encrypted
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", xmp)
    assert reader.trailer["/Root"]["/Lang"] == "nl-NL" and "/StructTreeRoot" in reader.trailer["/Root"]
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_archive_copies_of_all_plans_in_one_libreoffice_run(tmp_path, plans):
    docs = plan_docxs(plans)
    assert len(docs) == 2
    result = write_archive_copies([ArchivePlan(d.parts[-4], 1, d) for d in docs])
    assert result.findings == [] and result.runs == 1
    for doc in docs:
        assert result.copies[doc] == doc.with_suffix(".pdf")
        assert_pdfa_2b(doc.with_suffix(".pdf"))
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(doc.with_suffix(".pdf")).pages).split())
        assert "Veiligheidsplan" in text and "pagina 1 van" in text  # the plan numbers its own pages here


@pytest.mark.skipif(os.name == "nt", reason="chmod does not make a folder read-only on Windows")
def test_a_read_only_plan_folder_is_a_finding_not_a_traceback(tmp_path, plans):
    docs = plan_docxs(plans)
    folder = docs[0].parent
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root: the kernel does not refuse; make the copy's place a folder
            folder.chmod(0o755)
            docs[0].with_suffix(".pdf").mkdir()
        result = write_archive_copies([ArchivePlan(d.parts[-4], 1, d) for d in docs])
    finally:
        folder.chmod(0o755)
    [problem] = result.findings
    assert problem.code == "plan_archive_failed" and problem.dossier == docs[0].parts[-4]
    assert problem.message.startswith("de archiefkopie (PDF/A) van versie 1 van het plan van dossier")
    assert list(result.copies) == [docs[1]]


def test_merge_pdf_writes_the_archive_copies(tmp_path, returned, libreoffice_convert):
    returned(COMPLETE)
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    out = tmp_path / "plannen"
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(register),
                                       "--meeting", MEETING.isoformat(), "--out", str(out), "--pdf"])
    assert "Traceback" not in result.output
    docs = plan_docxs(out)
    assert docs and all(archive_path(d).is_file() for d in docs), result.output
    assert "Archiefkopieën (PDF/A)" in result.output
    assert_pdfa_2b(archive_path(docs[0]))


def test_the_pack_copy_of_a_part_loses_its_footer_and_the_plan_keeps_it(tmp_path, plans):
    doc = plan_docxs(plans)[0]
    copy = pdf.without_page_numbers(doc, tmp_path / "kopie.docx")
    footer = lambda path: zipfile.ZipFile(path).read("word/footer1.xml").decode("utf-8")  # noqa: E731
    assert "NUMPAGES" in footer(doc) and "kenmerk" in footer(doc)  # the plan on disk is untouched
    assert "NUMPAGES" not in footer(copy) and " PAGE " not in footer(copy) and "kenmerk" not in footer(copy)
    assert "<w:p" in footer(copy)  # the footer's paragraph stays, so the page layout does not move


def test_the_pdf_export_is_tagged_and_the_archive_export_pdfa():
    assert '"UseTaggedPDF"' in pdf.export_filter() and "SelectPdfVersion" not in pdf.export_filter()
    assert '"SelectPdfVersion":{"type":"long","value":"2"}' in pdf.export_filter(archive=True)
    assert MESSAGES["plan_archive_failed"][0] == "fout"


def test_a_household_without_forms_says_so_in_the_agenda_and_overview(tmp_path):
    from formkit.plan.history import History

    history = History(tmp_path / "historie.sqlite")
    if not hasattr(history, "no_forms"):
        pytest.skip("the history does not record households without forms yet")
    assert history.record_no_forms("2026-102", MEETING) is not False
    [pack] = build_packs(make_register(), MEETING, tmp_path / "pakket", history=history).packs
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(pack.path).pages]
    assert "geen plan (geen formulieren ontvangen)" in texts[0]
    assert texts[0].count("geen formulieren ontvangen") == 1  # only Öztürk's row; Pietersen is just not merged yet
    assert any("Gezamenlijk plan: geen formulieren ontvangen" in t for t in texts[1:])


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_no_damage_in_a_tagged_encrypted_pack(tmp_path, plans):
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans, per_recipient=True,
                         encrypt=True)
    pack = next(p for p in result.packs if p.recipient is None)
    check = subprocess.run(["qpdf", f"--password={pack.password}", "--check", str(pack.path)],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


@pytest.mark.skipif(os.name == "nt", reason="chmod does not make a folder read-only on Windows")
def test_a_pack_whose_plans_folder_is_read_only_is_made_with_a_warning(tmp_path, plans):
    folders = [d.parent for d in plan_docxs(plans)]
    for folder in folders:
        folder.chmod(0o555)
    try:
        if os.access(folders[0], os.W_OK):  # root: the kernel does not refuse; make the copies' places folders
            for folder in folders:
                folder.chmod(0o755)
            for doc in plan_docxs(plans):
                doc.with_suffix(".pdf").mkdir()
        result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert len(result.packs) == 1 and result.not_included == [] and result.archive_copies == []
    assert [f.code for f in result.findings] == ["plan_archive_failed"] * 2
    assert all(f.severity.value == "waarschuwing" for f in result.findings)


def test_the_agenda_names_the_regisseur_once_and_the_other_participants():
    from formkit.delivery.pack import HouseholdDocs, agenda_context

    register = make_register()
    regisseur = register.regisseur_of("2026-101")
    others = [p for p in register.professionals_of("2026-101") if p.code != regisseur.code]
    households = {"2026-101": HouseholdDocs("2026-101", None, None, Path("t.docx"), Path("o.docx"))}
    [row] = agenda_context(register, MEETING, ["2026-101"], households, None)["agenda"]
    assert regisseur.name in row["regisseur"] and regisseur.name not in row["deelnemers"]
    assert others and all(p.name in row["deelnemers"] for p in others)
    assert row["onderdelen"] == "TOP-3 formulier, overzicht"
