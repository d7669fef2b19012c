"""What a secretary does in the app, step by step, in a real browser: by mouse, or by keyboard only.

Each step finds controls the way a person does, by their Dutch label or text (Playwright's
role and label locators), and waits for what the page shows. The end-to-end test, the
accessibility test and scripts/app_gallery.py share these steps, so a page that changes its
labels breaks one place. A step for a new page is one function here and one line in the
session test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, ViewportSize, expect

#: What headless chromium needs on this machine and on CI (root, no GPU, no network beyond loopback), in Dutch.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=nl"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Return Debian's chromium, headless, with a fresh profile, its own parts (file chooser, date field) in Dutch.

    The browser's own texts come from chromium-l10n (scripts/ensure-chromium.sh) and follow LANGUAGE.
    """
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                      env={**os.environ, "LANGUAGE": "nl", "LANG": "nl_NL.UTF-8"})


#: How long a job (forms, check, merge, pack) may take before a step gives up, in milliseconds.
JOB_TIMEOUT = 120_000
#: At most this many Tab presses to reach a control (skip link, navigation, stop button, then the page).
MAX_TABS = 80


@dataclass
class Hands:
    """How the secretary works: with the mouse (Playwright clicks and fills) or with Tab, typing and Enter only."""

    keyboard: bool = False
    pressed: list[str] = field(default_factory=list)  # what was reached by Tab, for a failure message

    def focus(self, page: Page, control: Locator) -> None:
        """Move the focus to `control` with Tab only, from wherever it is now; fail when Tab never reaches it."""
        expect(control).to_be_visible()
        for _ in range(MAX_TABS):
            if control.evaluate("el => el === document.activeElement"):
                return
            page.keyboard.press("Tab")
            self.pressed.append(page.evaluate("() => (document.activeElement?.textContent || '').trim().slice(0, 40)"))
        raise AssertionError(f"Tab bereikt {control} niet in {MAX_TABS} stappen; bereikt: {self.pressed[-MAX_TABS:]}")

    def activate(self, page: Page, control: Locator) -> None:
        """Press a button or follow a link: click it, or Tab to it and press Enter."""
        if not self.keyboard:
            control.click()
            return
        self.focus(page, control)
        page.keyboard.press("Enter")

    def type_into(self, page: Page, field_: Locator, text: str) -> None:
        """Put `text` into a text field: fill it, or Tab to it, select what is there and type."""
        if not self.keyboard:
            field_.fill(text)
            return
        self.focus(page, field_)
        page.keyboard.press("Control+A")
        page.keyboard.type(text)


def go(page: Page, base: str, slug: str) -> None:
    """Open a page of the app through its link in the navigation (as a person would), else by its address."""
    link = page.locator(f"nav a[href='/{slug}']")
    if link.count():
        link.click()
    else:
        page.goto(f"{base}/{slug}")
    page.wait_for_load_state()


def nav_pages(page: Page) -> list[tuple[str, str]]:
    """Return (title, address) of every page the navigation lists, in order."""
    return [(text.strip(), href) for text, href in page.eval_on_selector_all(
        "nav a[href^='/']", "links => links.map(a => [a.textContent, a.getAttribute('href')])")]


# --- Register ----------------------------------------------------------------------------


def choose_register(page: Page, path: Path, hands: Hands) -> None:
    """On the Register page: type the register's path and have it opened and checked."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    hands.type_into(page, page.get_by_label("Pad van het register (.xlsx)"), str(path))
    hands.activate(page, page.get_by_role("button", name="Openen en controleren"))
    expect(page.get_by_role("heading", name="Controle")).to_be_visible()


def register_findings(page: Page) -> list[dict[str, str]]:
    """Return the rows of the register's findings table as the page shows them (column header -> text)."""
    table = page.get_by_role("table", name="Bevindingen in het register")
    if not table.count():
        return []
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    return [dict(zip(headers, (c.strip() for c in row.locator("td").all_inner_texts())))
            for row in table.locator("tbody tr").all()]


# --- Overleg -------------------------------------------------------------------------------


def pick_meeting(page: Page, meeting: dt.date, hands: Hands) -> None:
    """On the Overleg page: choose the meeting in the list and show it."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Overleg")
    pick_meeting_on(page, "overleg", meeting, hands)


def wait_for_job(page: Page) -> str:
    """Wait until the job on the page has finished; return its status text (a failure fails the step)."""
    status = page.locator(".taak .status").last
    expect(status).to_have_class(re.compile(r"status-(klaar|mislukt)"), timeout=JOB_TIMEOUT)
    text = status.inner_text()
    assert "status-klaar" in (status.get_attribute("class") or ""), f"de taak mislukte: {text}"
    return text


def make_forms(page: Page, hands: Hands) -> str:
    """On a meeting's page: make the score sheets and TOP-3 forms; return what the finished job says it wrote."""
    hands.activate(page, page.get_by_role("button", name="Scoreformulieren en TOP-3 formulieren maken"))
    wait_for_job(page)
    return page.locator(".taak .uitkomst").first.inner_text()


def download_forms(page: Page, hands: Hands, folder: Path) -> list[str]:
    """Download the meeting's forms as one zip into `folder`; return the names of the files in it."""
    link = page.get_by_role("link", name="Alle formulieren downloaden (zip)").first
    with page.expect_download() as info:
        hands.activate(page, link)
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        return sorted(zf.namelist())


def meeting_page(page: Page, base: str, slug: str, meeting: dt.date, hands: Hands) -> None:
    """Open a page of the navigation and show the meeting on it (its list "Casusoverleg", then Tonen)."""
    go(page, base, slug)
    choice = page.get_by_label("Casusoverleg")
    if choice.count():
        pick_meeting_on(page, slug, meeting, hands)


def pick_meeting_on(page: Page, slug: str, meeting: dt.date, hands: Hands) -> None:
    """Choose the meeting in a page's list "Casusoverleg" and show it (the page's address becomes /slug/date)."""
    choice = page.get_by_label("Casusoverleg")
    if hands.keyboard:
        hands.focus(page, choice)
        for _ in range(choice.locator("option").count()):  # arrow keys move a closed select's choice
            if choice.input_value() == meeting.isoformat():
                break
            page.keyboard.press("ArrowDown")
    else:
        choice.select_option(meeting.isoformat())
    expect(choice).to_have_value(meeting.isoformat())
    hands.activate(page, page.get_by_role("button", name="Tonen"))
    expect(page).to_have_url(re.compile(f"/{slug}/{meeting.isoformat()}$"))


def run_job(page: Page, button: str, hands: Hands) -> str:
    """Press the page's button that starts a job, wait until it finished; return what the page says it did."""
    hands.activate(page, page.get_by_role("button", name=button, exact=True))
    return wait_for_job(page)


# --- Retour, Plannen, Vergaderpakket ---------------------------------------------------------


def upload_returns(page: Page, files: list[Path], hands: Hands) -> str:
    """On a meeting's Retour page: choose the returned files and upload them; return the finished check's status."""
    chooser = page.get_by_label("Sleep de bestanden naar dit vak, of kies ze")
    if hands.keyboard:  # a file dialog is the system's: the keyboard opens it, the test answers it
        with page.expect_file_chooser() as info:
            hands.focus(page, chooser)
            page.keyboard.press("Enter")
        info.value.set_files(files)
    else:
        chooser.set_input_files(files)
    return run_job(page, "Uploaden en controleren", hands)


def merge_plans(page: Page, hands: Hands) -> str:
    """On a meeting's Plannen page: merge the returned forms into plans; return the finished job's status."""
    return run_job(page, "Samenvoegen", hands)


def make_pack(page: Page, hands: Hands, *, per_recipient: bool = False) -> str:
    """On a meeting's Vergaderpakket page: build the pack (and one per professional); return the job's status."""
    if per_recipient:
        box = page.get_by_label("Ook per professional een pakket met alleen de eigen huishoudens")
        if hands.keyboard:
            hands.focus(page, box)
            page.keyboard.press("Space")
        else:
            box.check()
        expect(box).to_be_checked()
    return run_job(page, "Vergaderpakket maken", hands)


def write_outbox(page: Page, kind: str, hands: Hands) -> str:
    """On a meeting's Mail page: preview the messages of one kind, then put them in the outbox; return the result."""
    hands.activate(page, page.get_by_role("link", name=kind, exact=True))
    expect(page.get_by_role("heading", name=re.compile(f"^{re.escape(kind)}: voorbeeld"))).to_be_visible()
    outbox = page.get_by_label(re.compile("^Als concept in het postvak"))
    if not outbox.is_checked():
        outbox.check()
    run_job(page, "Versturen", hands)
    return page.locator(".taak .uitkomst").last.inner_text()


def enter_date(page: Page, field_: Locator, day: dt.date, hands: Hands) -> None:
    """Put a date in a date field: fill it, or Tab to it and type day, month and year as a Dutch browser asks them."""
    if not hands.keyboard:
        field_.fill(day.isoformat())
    else:
        hands.focus(page, field_)
        page.keyboard.type(f"{day.day:02d}{day.month:02d}{day.year}")
    expect(field_).to_have_value(day.isoformat())


def show_progress(page: Page, base: str, as_of: dt.date, hands: Hands) -> None:
    """On the Voortgang page: show the state of every household on `as_of`."""
    go(page, base, "voortgang")
    enter_date(page, page.get_by_label("Stand op"), as_of, hands)
    hands.activate(page, page.get_by_role("button", name="Tonen"))
    page.wait_for_load_state()
