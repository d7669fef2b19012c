"""A secretary's whole session in a real browser (Debian's chromium), by mouse and by keyboard only.

From the link `formkit app` prints to the downloads: choose a register with errors and see its
findings, choose the right one and see its households, pick the meeting, make the forms and
download them, upload returned forms (and a broken file), merge them into plans and read one,
build the packs and download one, put the check reports in the outbox, and look at the progress
three months on. Each step asserts what
the page shows; after each, axe-core checks the page as it is then (with its data). A new page of the app adds a step
function (from tests/app/secretary.py) and one line in STEPS.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import COMPLETE, MEETING, fill
from playwright.sync_api import Page, expect

from formkit.app.config import MeetingFolders
from formkit.core.templates import samples_dir

from .conftest import page_problems
from .secretary import (
    Hands,
    choose_register,
    download_forms,
    go,
    make_forms,
    make_pack,
    meeting_page,
    merge_plans,
    pick_meeting,
    register_findings,
    show_progress,
    upload_returns,
    write_outbox,
)

#: The forms of the small register's meeting (tests/conftest.make_register), as the zip names them.
FORMS = [
    "2026-101/scoreformulier_2026-101_P1_2026-12-01.xlsx",
    "2026-101/scoreformulier_2026-101_P2_2026-12-01.xlsx",
    "2026-101/top3_2026-101_2026-12-01.docx",
    "2026-102/scoreformulier_2026-102_P3_2026-12-01.xlsx",
    "2026-102/top3_2026-102_2026-12-01.docx",
]


@dataclass
class Session:
    """One secretary at work: the page, how they use it, and where things are."""

    page: Page
    base: str
    hands: Hands
    register: Path
    faulty_register: Path
    downloads: Path
    folder: Path  # the app's work folder
    meeting: dt.date = MEETING


def register_with_errors(s: Session) -> None:
    """The secretary opens a register with mistakes: the page lists each with sheet, row and column."""
    expect(s.page).to_have_url(re.compile(r"/register$"))  # the link's token led to the first page
    choose_register(s.page, s.faulty_register, s.hands)
    expect(s.page.get_by_text("Resultaat: 2 fouten, 0 waarschuwingen.")).to_be_visible()
    rows = register_findings(s.page)
    assert [(r["Soort"], r["Blad"], r["Rij"], r["Kolom"]) for r in rows] == [
        ("fout", "Gezinsleden", "24", "geboortejaar (C24)"),
        ("fout", "Huishoudens", "3", "regisseur (E3)")]
    assert "'2091' is geen geldig geboortejaar" in rows[0]["Melding"]


def register(s: Session) -> None:
    """The secretary opens the right register: no findings, its households, professionals and meeting at a glance."""
    choose_register(s.page, s.register, s.hands)
    page = s.page
    expect(page.get_by_text("Register register.xlsx: 2 huishoudens, 4 gezinsleden, 3 professionals")).to_be_visible()
    expect(page.get_by_text("Resultaat: 0 fouten, 0 waarschuwingen.")).to_be_visible()
    expect(page.get_by_role("table", name="Bevindingen in het register")).to_have_count(0)
    expect(page.get_by_role("heading", name="Huishoudens (2)")).to_be_visible()
    households = page.get_by_role("table", name="Huishoudens met hun regisseur")
    expect(households.locator("tbody tr")).to_have_count(2)
    expect(households).to_contain_text("Gezin Öztürk")
    expect(households).to_contain_text("Kim Verhoef (Wijkteam West)")
    expect(page.get_by_role("heading", name="Professionals (3)")).to_be_visible()
    expect(page.get_by_role("table", name="Casusoverleggen in het register")).to_contain_text("1 december 2026")


def overleg(s: Session) -> None:
    """The secretary picks the meeting, sees its households, makes the forms and downloads them as one zip."""
    go(s.page, s.base, "overleg")
    pick_meeting(s.page, s.meeting, s.hands)
    page = s.page
    expect(page.get_by_role("heading", name="Casusoverleg 1 december 2026: 2 huishoudens")).to_be_visible()
    agenda = page.get_by_role("table", name="Huishoudens op de agenda met hun professionals")
    expect(agenda.locator("tbody tr")).to_have_count(2)
    expect(agenda.locator("tbody tr").first).to_contain_text("Rob Claassen (Politie)")
    expect(page.get_by_text("Nog geen formulieren gemaakt voor dit overleg.")).to_be_visible()
    said = make_forms(page, s.hands)
    assert "3 scoreformulieren en 2 TOP-3 formulieren geschreven" in said
    assert download_forms(page, s.hands, s.downloads) == FORMS
    page.reload()
    expect(page.get_by_role("heading", name="Formulieren van dit overleg (5)")).to_be_visible()


def retour(s: Session) -> None:
    """Two professionals of 2026-101 return their forms (one without its explanation), a broken file comes along;
    each file gets its status, the findings are per dossier, and the form still missing is named."""
    meeting_page(s.page, s.base, "retour", s.meeting, s.hands)
    forms = MeetingFolders(s.folder, s.meeting).forms / "2026-101"
    mailbox = s.downloads.parent / "bijlagen"
    good = fill(forms / "scoreformulier_2026-101_P1_2026-12-01.xlsx", COMPLETE, mailbox / "formulier Kim.xlsx")
    wrong = fill(forms / "scoreformulier_2026-101_P2_2026-12-01.xlsx", {**COMPLETE, "beoordeling_toelichting": None},
                 mailbox / "formulier Rob.xlsx")
    broken = mailbox / "kapot.xlsx"
    broken.write_bytes(b"PK\x03\x04 dit is geen werkmap")
    upload_returns(s.page, [good, wrong, broken], s.hands)
    page = s.page
    expect(page.get_by_text("3 bestanden ontvangen: 2 opgeslagen, 1 geweigerd.")).to_be_visible()
    received = page.get_by_role("table", name="Ontvangen bestanden").first
    expect(received.locator("tr", has_text="kapot.xlsx")).to_contain_text("geweigerd, niet opgeslagen")
    expect(received.locator("tr", has_text="kapot.xlsx")).to_contain_text("beschadigd of onvolledig")
    expect(page.get_by_text("2 bestanden gecontroleerd: 2 verwerkt, 0 vervangen, 0 geweigerd.")).to_be_visible()
    ours = page.get_by_role("table", name="Bevindingen in 2026-101")
    expect(ours.locator("tbody tr")).to_have_count(1)
    expect(ours).to_contain_text("'Waarom dit cijfer' is verplicht maar leeg.")
    expect(ours).to_contain_text("Rob Claassen (Politie)")
    expect(page.get_by_text("Nog niet ontvangen van: Iris Lammers (Veilig Thuis).")).to_be_visible()
    assert not (MeetingFolders(s.folder, s.meeting).returns / "kapot.xlsx").exists()


def plannen(s: Session) -> None:
    """The secretary merges: a plan for 2026-101, none for 2026-102 (nothing returned); the plan shown as a page."""
    meeting_page(s.page, s.base, "plannen", s.meeting, s.hands)
    merge_plans(s.page, s.hands)
    page = s.page
    merged = page.get_by_role("table", name=re.compile("^Samengevoegd in"))
    expect(merged.locator("tr", has_text="2026-101")).to_contain_text(re.compile(r"versie 1 \(kenmerk [0-9A-F-]+\)"))
    expect(merged.locator("tr", has_text="2026-102")).to_contain_text("geen formulieren ontvangen")
    s.hands.activate(page, merged.get_by_role("link", name="2026-101"))
    expect(page.get_by_role("heading", name="Veiligheidsplan Gezin Pietersen · dossier 2026-101")).to_be_visible()
    shown = page.locator("main").inner_text()
    assert "Tim Pietersen" in shown
    assert "Öztürk" not in shown and "Iris Lammers" not in shown  # need to know: no other household on this page


def pakket(s: Session) -> None:
    """The secretary builds the pack and one per professional, and downloads the pack."""
    meeting_page(s.page, s.base, "pakket", s.meeting, s.hands)
    make_pack(s.page, s.hands, per_recipient=True)
    packs = s.page.get_by_role("table", name="Gemaakte pakketten")
    expect(packs.locator("tbody tr")).to_have_count(4)
    expect(packs.locator("tr", has_text="Iris Lammers (Veilig Thuis)")).to_contain_text("2026-102")
    expect(packs.locator("tr", has_text="Iris Lammers (Veilig Thuis)")).not_to_contain_text("2026-101")
    with s.page.expect_download() as info:
        s.hands.activate(s.page, packs.get_by_role("link", name="pakket_2026-12-01.pdf"))
    target = s.downloads / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "pakket_2026-12-01.pdf" and target.read_bytes().startswith(b"%PDF")


def mail(s: Session) -> None:
    """The secretary previews the check reports for the regisseurs and puts them in the outbox."""
    meeting_page(s.page, s.base, "mail", s.meeting, s.hands)
    said = write_outbox(s.page, "Controlerapporten aan de regisseur", s.hands)
    assert said.startswith("2 berichten klaargezet in ")
    assert "dossier 2026-101: Kim Verhoef (Wijkteam West)" in said and "dossier 2026-102: Iris Lammers (Veilig Thuis)" in said
    outbox = MeetingFolders(s.folder, s.meeting).reports / "postvak-uit"
    assert len(list(outbox.glob("*.eml"))) == 2


def voortgang(s: Session) -> None:
    """Three months on, the secretary looks at the progress: 2026-101 with its signals and the rule behind each,
    its scores as a chart; 2026-102 has no plan yet."""
    show_progress(s.page, s.base, dt.date(2027, 3, 2), s.hands)
    page = s.page
    overview = page.get_by_role("table", name="Stand van zaken op 2 maart 2027")
    expect(overview.locator("tr", has_text="2026-102")).to_contain_text("nog geen plan")
    expect(overview.locator("tr", has_text="2026-101")).to_contain_text("01-12-2026")
    s.hands.activate(page, overview.get_by_role("link", name="2026-101"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang dossier 2026-101")
    signals = page.locator("ul.signalen li")
    expect(signals.first).to_contain_text("Regel van de methode:")
    expect(page.locator("figure.grafiek svg")).to_be_visible()
    expect(page.get_by_role("table", name="Cijfers per overleg").locator("tbody tr")).to_have_count(1)
    assert "Öztürk" not in page.locator("main").inner_text()


#: The session, in the order a secretary works; each step starts where the previous one left the page.
STEPS: list[Callable[[Session], None]] = [register_with_errors, register, overleg, retour, plannen, pakket, mail,
                                               voortgang]


@pytest.mark.parametrize("keyboard", [False, True], ids=["muis", "toetsenbord"])
def test_a_secretarys_session(new_page, live_app, app_config, tmp_path, keyboard):
    faulty = tmp_path / "register_met_fouten.xlsx"
    shutil.copyfile(samples_dir() / "register_met_fouten.xlsx", faulty)
    (tmp_path / "downloads").mkdir()
    session = Session(new_page(with_axe=True), live_app.base, Hands(keyboard=keyboard), app_config.register, faulty,
                      tmp_path / "downloads", app_config.folder)
    problems = {}
    for step in STEPS:
        step(session)
        # each page as the step left it, with its data: axe, lang="nl", no script error, no refusal by the CSP
        problems[step.__name__] = page_problems(session.page)
    assert not any(problems.values()), problems
