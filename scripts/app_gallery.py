"""Screenshots of every page of the app with the demo's data shown, to look at them.

    python scripts/app_gallery.py [--out out/gallery/app]

Starts the app (`formkit app` without a browser window) on a copy of the demo's register and
key, in a temporary work folder, and walks the cycle in Debian's chromium as a secretary does:
the register (first with the sample register's mistakes), the meeting of 1 December 2026 with
its forms made, the sample returned forms uploaded, the plans merged, the pack built, and then
every page of the navigation. Each state is a full-page PNG `out/gallery/app/<nn>-<slug>.png`.
`make gallery` runs it after the documents (scripts/gallery.py calls :func:`screenshots`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "app"))  # the secretary's steps, shared with the browser tests

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from secretary import (  # noqa: E402
    VIEWPORT,
    Hands,
    choose_register,
    go,
    launch_chromium,
    make_forms,
    make_pack,
    merge_plans,
    nav_pages,
    pick_meeting_on,
    upload_returns,
    write_outbox,
)

from formkit.app.config import AppConfig  # noqa: E402
from formkit.app.server import start_in_thread  # noqa: E402
from formkit.core.templates import samples_dir  # noqa: E402
from formkit.sheets.samples import (  # noqa: E402
    SAMPLE_FAULTY_REGISTER,
    SAMPLE_KEY,
    SAMPLE_MEETING,
    SAMPLE_REGISTER,
    SAMPLE_RETURNS,
    SAMPLE_STATUS_DATE,
)


@dataclass
class Shots:
    """Where the screenshots go, numbered in the order they were taken."""

    folder: Path
    taken: int = 0

    def take(self, page: Page, slug: str) -> Path:
        """Return the path of a full-page screenshot of the page as it is now."""
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{slug}.png"
        page.screenshot(path=path, full_page=True)
        print(f"{path}  ({page.url.split('/', 3)[-1] or '/'})")
        return path


def actions(returns: list[Path], hands: Hands) -> dict[str, Callable[[Page], str]]:
    """Return what the secretary does on a meeting's page, by the page's slug, before its screenshot."""
    return {"overleg": lambda page: make_forms(page, hands),
            "retour": lambda page: upload_returns(page, returns, hands),
            "plannen": lambda page: merge_plans(page, hands),
            "pakket": lambda page: make_pack(page, hands, per_recipient=True),
            "mail": lambda page: write_outbox(page, "Controlerapporten aan de regisseur", hands)}


def walk(page: Page, base: str, shots: Shots, work: Path) -> None:
    """Walk the cycle on the demo's data and screenshot every state a secretary sees."""
    hands = Hands()
    samples = samples_dir()
    faulty = shutil.copyfile(samples / SAMPLE_FAULTY_REGISTER, work / SAMPLE_FAULTY_REGISTER)
    choose_register(page, faulty, hands)
    shots.take(page, "register-met-fouten")
    choose_register(page, work / SAMPLE_REGISTER, hands)
    shots.take(page, "register")
    returns = sorted((samples / SAMPLE_RETURNS).iterdir())
    todo = actions(returns, hands)
    for _, href in nav_pages(page):
        slug = href.strip("/")
        if slug == "register":
            continue
        go(page, base, slug)
        shots.take(page, slug)
        if not page.get_by_label("Casusoverleg").count():
            continue
        pick_meeting_on(page, slug, SAMPLE_MEETING, hands)
        if slug in todo:
            try:
                todo[slug](page)
            except AssertionError as e:  # the screenshot shows what the page says instead
                print(f"  {slug}: de stap lukte niet: {str(e).splitlines()[0]}")
        shots.take(page, f"{slug}-{SAMPLE_MEETING.isoformat()}")
        if slug == "plannen":  # one household's plan as a page
            plans = page.get_by_role("table", name=re.compile("^Samengevoegd in")).get_by_role("link")
            if plans.count():
                hands.activate(page, plans.first)
                page.wait_for_load_state()
                shots.take(page, "plan")
    progress(page, base, shots, hands)


def progress(page: Page, base: str, shots: Shots, hands: Hands) -> None:
    """Show the Voortgang page as it stands after the meeting (the demo's status date), then one household's chart."""
    go(page, base, "voortgang")
    as_of = page.get_by_label("Stand op")
    if not as_of.count():
        return
    as_of.fill(SAMPLE_STATUS_DATE.isoformat())
    hands.activate(page, page.get_by_role("button", name="Tonen"))
    page.wait_for_load_state()
    shots.take(page, f"voortgang-{SAMPLE_STATUS_DATE.isoformat()}")
    households = page.locator("main table a")
    if households.count():
        hands.activate(page, households.first)
        page.wait_for_load_state()
        shots.take(page, "voortgang-huishouden")


def screenshots(out: Path) -> int:
    """Write the app's screenshots into `out` (emptied first); return the exit code (1: chromium missing)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium ontbreekt; installeer het met scripts/ensure-chromium.sh (make chromium).", file=sys.stderr)
        return 1
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shots = Shots(out)
    with tempfile.TemporaryDirectory(prefix="formkit-app-galerij-") as tmp:
        work = Path(tmp)
        register = shutil.copyfile(samples_dir() / SAMPLE_REGISTER, work / SAMPLE_REGISTER)  # history goes beside it
        config = AppConfig(register=register, folder=work / "werk", key=samples_dir() / SAMPLE_KEY)
        running = start_in_thread(config)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright, chromium)
                context = browser.new_context(viewport=VIEWPORT, locale="nl-NL", accept_downloads=True)
                page = context.new_page()
                page.goto(running.url)
                walk(page, running.base, shots, work)
                browser.close()
        finally:
            running.stop()
    print(f"\n{shots.taken} schermafdrukken van de app in {out.resolve()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/gallery/app"))
    return screenshots(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
