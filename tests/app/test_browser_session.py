"""A secretary's whole session in a real browser (Debian's chromium), by mouse and by keyboard only.

From the link `formkit app` prints to the downloads: choose a register with errors and see its
findings, choose the right one and see its households, pick the meeting, make the forms and
download them. Each step asserts what the page shows. A new page of the app adds a step
function (from tests/app/secretary.py) and one line in STEPS.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MEETING
from playwright.sync_api import Page, expect

from formkit.core.templates import samples_dir

from .conftest import page_errors
from .secretary import Hands, choose_register, download_forms, go, make_forms, pick_meeting, register_findings

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
    meeting: dt.date = MEETING
    seen: dict[str, object] = field(default_factory=dict)


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


#: The session, in the order a secretary works; each step starts where the previous one left the page.
STEPS: list[Callable[[Session], None]] = [register_with_errors, register, overleg]


@pytest.mark.parametrize("keyboard", [False, True], ids=["muis", "toetsenbord"])
def test_a_secretarys_session(new_page, live_app, app_config, tmp_path, keyboard):
    faulty = tmp_path / "register_met_fouten.xlsx"
    shutil.copyfile(samples_dir() / "register_met_fouten.xlsx", faulty)
    (tmp_path / "downloads").mkdir()
    session = Session(new_page(), live_app.base, Hands(keyboard=keyboard), app_config.register, faulty,
                      tmp_path / "downloads")
    for step in STEPS:
        step(session)
    assert page_errors(session.page) == []  # no script error, no refusal by the Content-Security-Policy
