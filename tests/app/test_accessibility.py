"""Accessibility of every page of the app, checked by axe-core (bundled) in a real browser.

The pages are read from the navigation, so a new page is checked without a change here. Each
is checked in its empty state (no register chosen) and with data shown (a register with
errors, then a meeting with its forms made). Failing: any serious or critical axe violation
(a control without a label is one), a page whose <html> is not lang="nl", and any console
error (a refusal by the Content-Security-Policy shows as one).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from conftest import MEETING
from playwright.sync_api import Page

from formkit.app.config import AppConfig
from formkit.app.server import RunningApp, start_in_thread
from formkit.core.templates import samples_dir

from .conftest import page_errors, page_problems
from .secretary import Hands, choose_register, make_forms, nav_pages, pick_meeting


def check_every_page(page: Page, base: str) -> dict[str, list[str]]:
    """Open every page of the navigation in turn; return the problems of each page that has any, by address."""
    listed = nav_pages(page)
    assert [title for title, _ in listed][:2] == ["Register", "Overleg"], listed
    found = {}
    for _, href in listed:
        before = len(page_errors(page))
        page.goto(base + href)
        found[href] = page_problems(page, before)
    return {href: p for href, p in found.items() if p}


def report(found: dict[str, list[str]]) -> str:
    """Return the problems per page as a failure message."""
    return "\n".join(f"{href}:\n  " + "\n  ".join(p) for href, p in found.items())


@pytest.fixture
def empty_app(tmp_path) -> Iterator[RunningApp]:
    """The app started without a register, as `formkit app` on its own."""
    running = start_in_thread(AppConfig(register=None, folder=tmp_path / "leeg"))
    try:
        yield running
    finally:
        running.stop()


def test_every_page_without_a_register(new_page, empty_app):
    page = new_page(with_axe=True, url=empty_app.url)
    found = check_every_page(page, empty_app.base)
    assert not found, report(found)


def test_every_page_with_a_register_its_findings_and_a_meeting(new_page, live_app, app_config, tmp_path):
    page = new_page(with_axe=True)
    hands = Hands()
    faulty = shutil.copyfile(samples_dir() / "register_met_fouten.xlsx", tmp_path / "register_met_fouten.xlsx")
    choose_register(page, faulty, hands)  # the findings table, with sheet, row and column
    assert page_problems(page) == []
    choose_register(page, app_config.register, hands)
    page.goto(f"{live_app.base}/overleg")
    pick_meeting(page, MEETING, hands)
    make_forms(page, hands)  # the finished job's result: counts, files, the download link
    assert page_problems(page) == []
    found = check_every_page(page, live_app.base)
    assert not found, report(found)


def test_the_pages_a_refused_or_lost_visitor_sees(new_page, live_app):
    page = new_page(with_axe=True, url=f"{live_app.base}/register")  # no token: refused
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    refused = page_problems(page)
    page.goto(live_app.url)
    before = len(page_errors(page))
    page.goto(f"{live_app.base}/bestaat-niet")
    assert page.get_by_role("heading", level=1).inner_text() == "Niet gevonden"
    lost = page_problems(page, before)
    assert refused == [] and lost == [], (refused, lost)


def test_the_check_finds_an_unlabelled_field_and_an_inline_script_on_a_page_of_the_app(new_page, live_app):
    page = new_page(with_axe=True)
    page.evaluate("""() => {
        const field = document.createElement('input');
        field.type = 'text';
        document.querySelector('main').append(field);
        const script = document.createElement('script');
        script.textContent = 'window.ranInline = true';
        document.body.append(script);
    }""")
    found = "\n".join(page_problems(page))
    assert "label (critical)" in found  # axe runs on the app's pages, under their CSP
    assert "Content Security Policy" in found  # the CSP is in force, and its refusals reach the test
    assert page.evaluate("() => window.ranInline") is None
