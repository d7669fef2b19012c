"""Fixtures for the app's tests: a register and work folder, the app on loopback, Debian's chromium.

Tests that use the `browser` or `page` fixture are marked `browser`, so a quick local run can
leave them out (`pytest tests/app -m "not browser"`). `make test` runs them: chromium comes from
scripts/ensure-chromium.sh, and on CI (CI=true) a missing chromium fails the test, never skips it.
Playwright drives Debian's chromium; its own browser download (`playwright install`) is never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import make_register

from formkit.register.write import write_register

from .client import config_for, signed_in
from .secretary import VIEWPORT, launch_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
    from starlette.testclient import TestClient

    from formkit.app.config import AppConfig
    from formkit.app.server import RunningApp

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: axe impacts that fail a test; "moderate" and "minor" are reported by axe but do not.
FAILING_IMPACTS = ("serious", "critical")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's chromium (left out by -m 'not browser')")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the browser as `browser`."""
    for item in items:
        if {"browser", "page", "new_page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    """Return the path of Debian's chromium; fail on CI when it is missing, else skip."""
    found = shutil.which("chromium")
    if found:
        return found
    message = "Chromium ontbreekt; 'make test' installeert het (scripts/ensure-chromium.sh)"
    if os.environ.get("CI"):
        pytest.fail(message)  # on CI a missing part is an install bug, never a skip
    pytest.skip(message)


# --- the app ---------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path, register_path) -> AppConfig:
    """The app's config for a handler test: the small register, the work folder in tmp_path."""
    return config_for(tmp_path, register_path)


@pytest.fixture
def client(config) -> TestClient:
    """A test client (no server, no browser) that opened the app's link."""
    return signed_in(config)


@pytest.fixture
def app_config(tmp_path) -> AppConfig:
    """An app configuration: the small register (two households on 1 December 2026), the work folder in tmp_path."""
    from formkit.app.config import AppConfig

    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    return AppConfig(register=register, folder=tmp_path / "werk")


@pytest.fixture
def live_app(app_config) -> Iterator[RunningApp]:
    """The app on a free loopback port, in a thread of this process; stopped after the test."""
    from formkit.app.server import start_in_thread

    running = start_in_thread(app_config)
    try:
        yield running
    finally:
        running.stop()


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, launched once for the whole session with a fresh profile."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, executable)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PageLog:
    """What the browser said while a test ran: console errors (a CSP refusal shows here) and failed requests."""

    errors: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)  # addresses opened as pages: their status is the test's to check

    def response(self, response: Response) -> None:
        if response.request.is_navigation_request():
            self.documents.add(response.url)

    def console(self, message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if message.type != "error" or url.endswith("/favicon.ico"):  # the browser's own guess, no page's link
            return
        if message.text.startswith("Failed to load resource") and url in self.documents:
            return  # a page answered 403, 404 or 409 itself: shown to the user as a Dutch page, no broken part
        self.errors.append(f"console: {message.text} ({url})")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"script: {error}")


def open_context(browser: Browser, *, with_axe: bool = False) -> BrowserContext:
    """Return a new browser context as a Dutch secretary's laptop has it: 1280x900, nl-NL, downloads allowed.

    With `with_axe`, axe-core is added to every document the context opens, through the DevTools
    protocol (add_init_script): such a script is not subject to the page's Content-Security-Policy,
    so the app's CSP stays in force during the accessibility check (no bypass_csp), and a page that
    breaks its own CSP still shows the console error that PageLog collects.
    """
    context = browser.new_context(viewport=VIEWPORT, locale="nl-NL", accept_downloads=True)
    if with_axe:
        context.add_init_script(path=AXE)
    return context


def attach_log(page: Page) -> PageLog:
    """Return a PageLog that collects the page's console errors and uncaught script errors from now on."""
    log = PageLog()
    page.on("response", log.response)
    page.on("console", log.console)
    page.on("pageerror", log.page_error)
    return log


@pytest.fixture
def new_page(browser, live_app) -> Iterator[Callable[..., Page]]:
    """Return a function that opens a fresh context and page on the app's first URL (the token sets the cookie)."""
    contexts: list[BrowserContext] = []

    def make(*, with_axe: bool = False, url: str | None = None) -> Page:
        context = open_context(browser, with_axe=with_axe)
        contexts.append(context)
        page = context.new_page()
        page.formkit_log = attach_log(page)  # type: ignore[attr-defined]
        page.goto(url or live_app.url)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A fresh page (own context: own cookies) opened on live_app.url, 1280x900, locale nl-NL."""
    return new_page()


def page_errors(page: Page) -> list[str]:
    """Return the console and script errors the page reported since it was opened."""
    return list(page.formkit_log.errors)  # type: ignore[attr-defined]


# --- axe-core --------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict]:
    """Return axe-core's serious and critical violations on the page as it is now (rule, impact, help, targets).

    The page must come from a context opened with `with_axe=True`: axe is already in it.
    """
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                       targets: v.nodes.map(n => n.target.join(' ')),
                                       html: v.nodes.map(n => n.html)}));
    }""")
    return [v for v in results if v["impact"] in FAILING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    """Return the violations as lines a developer can act on: rule id, impact, help text and each element."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        lines += [f"    {target}: {html[:160]}" for target, html in zip(v["targets"], v["html"])]
    return "\n".join(lines)


def page_problems(page: Page, errors_since: int = 0) -> list[str]:
    """Return what is wrong with the page as it is now: its language, axe's serious and critical findings, and the
    console errors after the first `errors_since`. The page must come from a context opened with `with_axe=True`."""
    found = []
    lang = page.get_attribute("html", "lang")
    if lang != "nl":
        found.append(f'<html lang="{lang}">, verwacht lang="nl"')
    violations = axe_violations(page)
    if violations:
        found.append(describe_violations(violations))
    found += page_errors(page)[errors_since:]
    return found
