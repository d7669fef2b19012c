"""Issue 12, point 5 (second half): a document that fails or is too slow in LibreOffice costs only
its own pages; every other household's documents still reach the pack."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import MEETING, make_register
from docx import Document
from pypdf import PdfReader

import formkit.delivery.pdf
from formkit.delivery.pack import build_packs
from formkit.delivery.pdf import batch_limit, convert_to_pdf

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in LibreOffice is a POSIX script")

#: A LibreOffice that hangs on a document whose name holds $FORMKIT_TEST_TRAAG, as on a plan with
#: endless text: like the real one it converts in argument order, so the ones before are done.
SLOW_SOFFICE = """#!{python}
import os, subprocess, sys, time
args = sys.argv[1:]
at = args.index("--outdir") + 2
options, files = args[:at], args[at:]
slow = os.environ.get("FORMKIT_TEST_TRAAG")
for i, name in enumerate(files):
    if slow and slow in os.path.basename(name):
        if i:
            subprocess.run([{real!r}, *options, *files[:i]])
        time.sleep(600)
subprocess.run([{real!r}, *options, *files])
"""


@pytest.fixture
def slow_soffice(tmp_path, monkeypatch):
    """Put the stand-in LibreOffice first on PATH; return a function naming the document it hangs on."""
    real = shutil.which("soffice")
    if real is None:
        pytest.skip("LibreOffice (soffice) ontbreekt")
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(SLOW_SOFFICE.format(python=sys.executable, real=real), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(formkit.delivery.pdf, "STARTUP_SECONDS", 15.0)  # keep the test short; real runs get 30 s
    return lambda part: monkeypatch.setenv("FORMKIT_TEST_TRAAG", part)


def document(folder: Path, name: str, line: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_paragraph(line)
    doc.save(folder / f"{name}.docx")
    return folder / f"{name}.docx"


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_a_slow_document_costs_only_its_own_pdf(tmp_path, slow_soffice):
    slow_soffice("traag")
    docs = [document(tmp_path / "docs", name, f"Inhoud van {name}") for name in ("eerste", "traag", "derde", "vierde")]
    started = time.perf_counter()
    result = convert_to_pdf(docs, tmp_path / "werk", timeout=3, per_document=2)
    assert time.perf_counter() - started < 15 + 4 * 2 + 3 + 60
    assert result.failures == {docs[1]: "LibreOffice was na 3 seconden niet klaar en is gestopt"}
    assert sorted(result.pdfs) == sorted([docs[0], docs[2], docs[3]])
    for doc in (docs[0], docs[2], docs[3]):
        assert f"Inhoud van {doc.stem}" in pdf_text(result.pdfs[doc])


def test_a_document_libreoffice_cannot_read_costs_only_its_own_pdf(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) ontbreekt")
    docs = [document(tmp_path / "docs", "eerste", "Huishouden een"), tmp_path / "docs" / "kapot.docx",
            document(tmp_path / "docs", "derde", "Huishouden drie")]
    docs[1].write_bytes(b"PK\x03\x04 afgebroken bij het versturen")
    result = convert_to_pdf(docs, tmp_path / "werk")
    assert result.failures == {docs[1]: "LibreOffice kon het document niet omzetten"}
    assert "Huishouden een" in pdf_text(result.pdfs[docs[0]])
    assert "Huishouden drie" in pdf_text(result.pdfs[docs[2]])


def test_a_slow_household_in_the_pack_leaves_the_other_households_pages_in_it(tmp_path, slow_soffice):
    slow_soffice("top3_2026-101")
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", timeout=3)
    assert result.not_included == ["TOP-3 formulier van dossier 2026-101: LibreOffice was na 3 seconden niet klaar "
                                   "en is gestopt"]
    [pack] = result.packs
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(pack.path).pages]
    notice = [p for p in pages if "TOP-3 formulier: niet opgenomen." in p]
    assert len(notice) == 1 and "Reden: LibreOffice was na 3 seconden niet klaar en is gestopt." in notice[0]
    text = " ".join(pages)
    assert "Ayşe Öztürk" in text and "Can Öztürk" in text  # the other household's TOP-3 form is there
    assert text.count("nog niet samengevoegd") == 2  # both households' overviews were converted


def test_a_run_of_many_documents_gets_time_per_document_and_one_document_its_own_limit():
    assert batch_limit(1, per_document=20, timeout=300) == 50
    assert batch_limit(13, per_document=20, timeout=300) == 290
    assert batch_limit(13, per_document=20, timeout=10) == 130  # never more than one by one
