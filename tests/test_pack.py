"""Meeting packs: agenda, bookmarks, parts, need-to-know per recipient, encryption, LibreOffice trouble."""

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register
from pypdf import PasswordType, PdfReader

from formkit.cli.main import main
from formkit.delivery.pack import build_packs
from formkit.delivery.pdf import convert_to_pdf
from formkit.delivery.reports import summarise, write_reports
from formkit.documents.plan_files import write_version
from formkit.plan.merge import merge_batch
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
PIETERSEN = ["Anna Pietersen", "Tim Pietersen", "Gezin Pietersen"]
OZTURK = ["Ayşe Öztürk", "Can Öztürk", "Gezin Öztürk"]


@pytest.fixture
def meeting_files(tmp_path, returned, libreoffice_convert):
    """Merged plans and check reports for the small register's meeting; returns the register file and folders."""
    returned(COMPLETE)
    reg = make_register()
    batch = check_batch([tmp_path / "retour"], reg, SCHEMA)
    for plan in merge_batch(batch, reg, SCHEMA):
        if plan.dossier == "2026-101":  # only this household has a merged plan
            write_version(plan, tmp_path / "plannen")
    write_reports(summarise(batch, reg), reg, tmp_path / "rapporten")
    path = tmp_path / "register.xlsx"
    write_register(reg, path)
    return path, tmp_path / "plannen", tmp_path / "rapporten"


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """Return the bookmarks as (depth, title, page index)."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return found


def page_texts(path: Path, password: str | None = None) -> list[str]:
    reader = PdfReader(path)
    if password:
        reader.decrypt(password)
    return [page.extract_text() for page in reader.pages]


def test_the_meeting_pack(tmp_path, meeting_files):
    register, plans, reports = meeting_files
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans, reports_dir=reports)
    [pack] = result.packs
    assert pack.path.name == "pakket_2026-12-01.pdf" and result.not_included == []
    reader = PdfReader(pack.path)
    assert reader.metadata.title == "Casusoverleg 1 december 2026"
    marks = outline(reader)
    assert [(d, t) for d, t, _ in marks] == [
        (0, "Agenda"),
        (0, "2026-101 Gezin Pietersen"), (1, "Veiligheidsplan versie 1"), (1, "TOP-3 formulier"),
        (1, "Overzicht cijfers en bevindingen"),
        (0, "2026-102 Gezin Öztürk"), (1, "TOP-3 formulier"), (1, "Overzicht cijfers en bevindingen")]
    texts = page_texts(pack.path)
    # the parts partition the pack: each starts after the one before and the last runs to the end
    starts = [p for d, _, p in marks if d == 1 or _ == "Agenda"]
    assert starts[0] == 0 and starts == sorted(set(starts)) and starts[-1] < len(texts) == pack.pages
    part_text = {t: "".join(texts[a:b]) for (_, t, a), b in zip(
        [m for m in marks if m[0] == 1 or m[1] == "Agenda"], starts[1:] + [len(texts)])}
    agenda = " ".join(texts[0].split())  # a name may wrap in its column
    assert agenda.index("Gezin Pietersen") < agenda.index("Gezin Öztürk")  # the agenda's order, by time
    assert "09:00" in agenda and "09:30" in agenda and "Kim Verhoef" in agenda
    assert "Veiligheidsplan" in part_text["Veiligheidsplan versie 1"]
    assert all(f"pagina {i} van {len(texts)}" in t for i, t in enumerate(texts, start=1))
    # the overview of the first household shows its scores and its open findings
    overview = " ".join("".join(texts[marks[4][2]:marks[5][2]]).split())  # extraction wraps lines
    assert "Kim Verhoef" in overview and "geen scoreformulier ontvangen van Rob Claassen" in overview


def test_per_recipient_packs_hold_only_their_households(tmp_path, meeting_files):
    register, plans, reports = meeting_files
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans, reports_dir=reports,
                         per_recipient=True)
    by_code = {p.recipient.code: p for p in result.packs if p.recipient}
    assert set(by_code) == {"P1", "P2", "P3"}
    assert by_code["P2"].dossiers == ("2026-101",) and by_code["P3"].dossiers == ("2026-102",)
    for code, present, absent in (("P1", PIETERSEN, OZTURK), ("P2", PIETERSEN, OZTURK), ("P3", OZTURK, PIETERSEN)):
        text = "\n".join(page_texts(by_code[code].path))
        assert all(name in text for name in present), code
        assert not any(name in text for name in absent), code
        assert len([m for m in outline(PdfReader(by_code[code].path)) if m[0] == 0]) == 2  # agenda + 1 household
    # every document was converted once, for all packs together
    # 4 agendas, 1 plan, 2 TOP-3 forms and 2 overviews, and the plan once more for its archive copy
    assert result.documents == 4 + 1 + 2 * 2 + 1 and result.conversion_runs == 1


def test_encrypted_packs_open_only_with_their_password(tmp_path, meeting_files):
    register, plans, reports = meeting_files
    result = build_packs(make_register(), MEETING, tmp_path / "pakket", plans_dir=plans, per_recipient=True,
                         encrypt=True)
    passwords = {p.path: p.password for p in result.packs}
    assert len(set(passwords.values())) == len(passwords) and all(len(pw) >= 20 for pw in passwords.values())
    path, password = next((p.path, p.password) for p in result.packs if p.recipient and p.recipient.code == "P3")
    reader = PdfReader(path)
    assert reader.is_encrypted
    assert reader.decrypt("fout-wachtwoord") == PasswordType.NOT_DECRYPTED
    other = next(pw for p, pw in passwords.items() if p != path)
    assert PdfReader(path).decrypt(other) == PasswordType.NOT_DECRYPTED
    assert "Gezin Öztürk" in "".join(page_texts(path, password))
    listing = result.passwords.read_text(encoding="utf-8")
    assert f"{path.name}\tIris Lammers (Veilig Thuis)\t{password}" in listing
    assert stat.S_IMODE(result.passwords.stat().st_mode) == 0o600


def test_a_part_libreoffice_could_not_convert_is_named_in_the_pack(tmp_path, monkeypatch, meeting_files):
    import formkit.delivery.pack

    real = formkit.delivery.pack.convert_to_pdf

    def losing_top3(documents, work, timeout, **options):
        result = real(documents, work, timeout, **options)
        for source in list(result.pdfs):
            if "top3_2026-102" in source.name:  # the pack converts a numbered copy
                result.failures[source] = "LibreOffice kon het document niet omzetten"
                del result.pdfs[source]
        return result

    monkeypatch.setattr(formkit.delivery.pack, "convert_to_pdf", losing_top3)
    result = build_packs(make_register(), MEETING, tmp_path / "pakket")
    assert result.not_included == ["TOP-3 formulier van dossier 2026-102: LibreOffice kon het document niet omzetten"]
    [pack] = result.packs
    marks = outline(PdfReader(pack.path))
    notice_page = next(p for d, t, p in marks if d == 1 and t == "TOP-3 formulier" and p > marks[2][2])
    assert "TOP-3 formulier: niet opgenomen." in page_texts(pack.path)[notice_page]


def test_a_hanging_libreoffice_is_killed_with_its_children(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    pids = tmp_path / "pids"
    fake.write_text(f"#!/bin/sh\nsleep 600 &\necho $! >> {pids}\necho $$ >> {pids}\nsleep 600\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    started = time.perf_counter()
    result = convert_to_pdf([doc], tmp_path / "werk", timeout=1.0)
    assert time.perf_counter() - started < 10
    assert result.failures == {doc: "LibreOffice was na 1 seconden niet klaar en is gestopt"}
    for pid in map(int, pids.read_text().split()):
        assert not running(pid)  # the helper it started is gone too


def running(pid: int, patience: float = 5.0) -> bool:
    """True when a process still runs after `patience` seconds; a zombie (killed, not yet reaped) does not count.

    A process that got SIGKILL takes a moment to finish exiting on a busy machine.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False
        if "\nState:\tZ" in status:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def test_libreoffice_missing_is_a_clear_message(tmp_path, monkeypatch, meeting_files):
    register, _, _ = meeting_files
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    result = CliRunner().invoke(main, ["pack", "--register", str(register), "--meeting", "2026-12-01",
                                       "--out", str(tmp_path / "pakket")])
    assert result.exit_code == 1
    assert "LibreOffice (soffice) is niet gevonden" in result.output and "apt-get install" in result.output
    assert "Traceback" not in result.output


def test_two_conversions_at_once_do_not_collide(tmp_path, meeting_files):
    docs = []
    from formkit.core.templates import TOP3, default_templates_dir
    from formkit.documents.rendering import render_docx
    from formkit.documents.word import top3_context
    for i in range(2):
        doc = tmp_path / f"d{i}" / "top3.docx"
        render_docx(default_templates_dir() / TOP3, top3_context(make_register(), "2026-101", MEETING), doc)
        docs.append(doc)
    results = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, convert_to_pdf([docs[i]], tmp_path / f"w{i}")))
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(not r.failures and len(r.pdfs) == 1 for r in results.values())


def test_pack_command(tmp_path, meeting_files):
    register, plans, reports = meeting_files
    result = CliRunner().invoke(main, ["pack", "--register", str(register), "--meeting", "2026-12-01",
                                       "--plans", str(plans), "--reports", str(reports), "--out",
                                       str(tmp_path / "pakket"), "--per-recipient"])
    assert result.exit_code == 0, result.output
    assert "secretariaat: 2 huishoudens" in result.output
    assert "in één keer omgezet door LibreOffice" in result.output
    assert len(list((tmp_path / "pakket" / "ontvangers").glob("*.pdf"))) == 3
