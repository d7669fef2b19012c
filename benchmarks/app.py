"""The app's pages for a 20-household meeting: response times beside the floor, and 20 dropped forms to findings.

Run: .venv/bin/python benchmarks/app.py   (make bench runs it after the cycle)

The app runs as `formkit app` runs it (uvicorn on loopback, in a thread of this process) on a
fictional register of 20 households on one meeting, 5 professionals each. After the forms are
made, 20 returned forms (one per household) are uploaded to the Retour page: the time from the
upload to the finished check (the findings on the page) is measured. The plans are merged.
Then every page of the navigation, as the secretary sees it with this meeting chosen, is
fetched 20 times; the median is printed beside the floor: the same server sending a small
static file (the app's stylesheet) through the same gate.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx  # what Starlette 1.x and the test extra use (pyproject.toml)
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).parent))
from run import MEETING, answers, region  # noqa: E402

from formkit.app.config import AppConfig, MeetingFolders  # noqa: E402
from formkit.app.server import start_in_thread  # noqa: E402
from formkit.register.model import Register  # noqa: E402
from formkit.register.write import write_register  # noqa: E402
from formkit.sheets.names import resolve_names  # noqa: E402

HOUSEHOLDS, REPETITIONS = 20, 20
PAGE_TARGET_MS, DROP_TARGET_S = 200, 3.0
#: The browser asks for a running job's progress every 500 ms (htmx, job.html): the most a user waits longer.
POLL_INTERVAL_S = 0.5
FLOOR = "/static/app.css"


@dataclass
class App:
    """A signed-in client of a running app and its CSRF value."""

    client: httpx.Client
    csrf: str

    def post(self, url: str, **kwargs) -> httpx.Response:
        """Return the response to a form POST carrying the CSRF value, as the page's forms send it."""
        data = {"csrf": self.csrf, **kwargs.pop("data", {})}
        return self.client.post(url, data=data, **kwargs)

    def wait(self, response: httpx.Response, poll: float = 0.02, limit: float = 600) -> float:
        """Return the seconds until the job a POST started has finished (its fragment stops polling)."""
        assert response.status_code == 303, f"{response.request.url}: {response.status_code} {response.text[:300]}"
        job = re.search(r"taak=([\w-]+)", response.headers["location"])
        assert job, response.headers["location"]
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            fragment = self.client.get(f"/taken/{job.group(1)}").text
            if f'hx-get="/taken/{job.group(1)}"' not in fragment:
                assert "status-klaar" in fragment, fragment[:500]
                return time.perf_counter() - started
            time.sleep(poll)
        raise TimeoutError(f"taak {job.group(1)} niet klaar na {limit} s")


def sign_in(url: str, base: str) -> App:
    """Return a client that opened the app's link (the token becomes the session cookie)."""
    client = httpx.Client(base_url=base, timeout=120)
    first = client.get(url, follow_redirects=True)
    csrf = re.search(r'<meta name="csrf" content="([^"]+)"', first.text)
    assert first.status_code == 200 and csrf, first.text[:300]
    return App(client, csrf.group(1))


def fill_returns(reg: Register, forms: Path, target: Path) -> list[Path]:
    """Return the first professional's form of each household, filled in as returned, in `target`."""
    target.mkdir(parents=True)
    returned = []
    for n, dossier in enumerate(reg.dossiers_on(MEETING)):
        blank = sorted((forms / dossier).glob("scoreformulier_*.xlsx"))[0]
        code = blank.stem.split("_")[2]
        values = answers(reg, dossier, code, n)
        wb = load_workbook(blank)
        places, missing = resolve_names(wb, list(values))
        assert not missing, missing
        for name, value in values.items():
            sheet, cell = places[name]
            wb[sheet][cell].value = value
        wb.save(target / blank.name)
        returned.append(target / blank.name)
    return returned


def median_ms(client: httpx.Client, path: str, times: int = REPETITIONS) -> tuple[float, int]:
    """Return the median response time of GET path in ms (body read) and the status code."""
    client.get(path)  # warm: templates compiled, files in the page cache
    seconds, status = [], 0
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        status = response.status_code
    return statistics.median(seconds) * 1000, status


def fresh_connection_ms(app: App, path: str, times: int = REPETITIONS) -> float:
    """Return the median response time of GET path in ms, each on a new connection (no keep-alive)."""
    cookies = dict(app.client.cookies)
    seconds = []
    for _ in range(times):
        with httpx.Client(base_url=str(app.client.base_url), cookies=cookies) as client:
            started = time.perf_counter()
            client.get(path)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


def nav_paths(app: App) -> list[str]:
    """Return the address of every page in the navigation, with the meeting chosen where a page has one."""
    html = app.client.get("/register").text
    nav = html[html.index("<nav"):html.index("</nav>")]
    paths = []
    for slug in re.findall(r'href="/([a-z]+)"', nav):
        with_meeting = f"/{slug}/{MEETING.isoformat()}"
        paths.append(with_meeting if app.client.get(with_meeting).status_code == 200 else f"/{slug}")
    return paths


def measure(work: Path) -> dict:
    """Run the app on a 20-household meeting and return its figures."""
    reg = region(HOUSEHOLDS)
    register = work / "register.xlsx"
    write_register(reg, register)
    config = AppConfig(register=register, folder=work / "werk", key=work / "sleutel.key")
    running = start_in_thread(config)
    figures: dict = {}
    try:
        app = sign_in(running.url, running.base)
        day = MEETING.isoformat()
        figures["forms_s"] = app.wait(app.post(f"/overleg/{day}/formulieren"))
        returned = fill_returns(reg, MeetingFolders(config.folder, MEETING).forms, work / "bijlagen")
        files = [("bestand", (p.name, p.read_bytes(), "application/octet-stream")) for p in returned]
        started = time.perf_counter()
        app.wait(app.post(f"/retour/{day}/uploaden", files=files))
        figures["drop_s"] = time.perf_counter() - started  # the upload, the intake, the check: findings on the page
        figures["drop_files"] = len(returned)
        if app.client.get(f"/plannen/{day}").status_code == 200:
            figures["merge_s"] = app.wait(app.post(f"/plannen/{day}/samenvoegen"))
        figures["floor"] = median_ms(app.client, FLOOR)
        figures["floor_fresh"] = fresh_connection_ms(app, FLOOR)
        figures["pages"] = {path: median_ms(app.client, path) for path in nav_paths(app)}
    finally:
        running.stop()
    return figures


def report(f: dict) -> None:
    """Print the page times beside the floor, and the time from dropping the forms to their findings."""
    floor_ms = f["floor"][0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"formkit app: casusoverleg met {HOUSEHOLDS} huishoudens, {HOUSEHOLDS * 5} formulieren; "
          f"mediaan van {REPETITIONS} keer, {os.cpu_count()} cores (belasting {load}; ander werk op de machine vertraagt beide kolommen)")
    print(f"  {'pagina':34} {'ms':>7} {'x floor':>8}")
    print(f"  {'floor: ' + FLOOR:34} {floor_ms:7.1f} {1:8.1f}")
    fresh = f["floor_fresh"]
    print(f"  {'  zelfde, elke keer nieuwe verbinding':34} {fresh:7.1f} {fresh / floor_ms:8.1f}" +
          ("  LET OP: een open verbinding is trager dan een nieuwe (TCP_NODELAY niet gezet?)"
           if floor_ms > 2 * fresh + 5 else ""))
    for path, (ms, status) in f["pages"].items():
        verdict = "ok" if ms < PAGE_TARGET_MS and status == 200 else f"TE TRAAG (doel < {PAGE_TARGET_MS} ms)" \
            if status == 200 else f"status {status}"
        print(f"  {path:34} {ms:7.1f} {ms / floor_ms:8.1f}  {verdict}")
    print(f"  formulieren maken (taak): {f['forms_s']:.1f} s" +
          (f"; samenvoegen (taak): {f['merge_s']:.1f} s" if "merge_s" in f else ""))
    drop = f["drop_s"]
    print(f"  {f['drop_files']} teruggestuurde formulieren uploaden tot hun bevindingen: {drop:.2f} s "
          f"(de browser vraagt elke {POLL_INTERVAL_S:.1f} s: hoogstens {drop + POLL_INTERVAL_S:.2f} s op het scherm; "
          f"doel < {DROP_TARGET_S:.0f} s: {'ok' if drop + POLL_INTERVAL_S < DROP_TARGET_S else 'TE TRAAG'})")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="formkit-bench-app-") as tmp:
        report(measure(Path(tmp)))


if __name__ == "__main__":
    main()
