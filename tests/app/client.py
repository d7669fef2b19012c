"""A signed-in test client for the app's handler tests (Starlette's TestClient, no server, no browser)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from formkit.app.config import AppConfig
from formkit.app.jobs import Job
from formkit.app.web import create_app

#: The app answers only to itself on loopback: the test client poses as 127.0.0.1 on this port.
BASE = "http://127.0.0.1:8765"
TOKEN = "token-van-de-test"


def signed_in(config: AppConfig) -> TestClient:
    """Return a client that opened the app's link, so it carries the session cookie."""
    client = TestClient(create_app(config, token=TOKEN), base_url=BASE)
    opened = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert opened.status_code == 303, opened.text
    return client


def config_for(tmp_path: Path, register: Path | None = None) -> AppConfig:
    """Return an app config with its work folder in tmp_path."""
    return AppConfig(register=register, folder=tmp_path / "werk")


def csrf(client: TestClient) -> str:
    """Return the app's CSRF value (what every page puts in its forms)."""
    return client.app.state.formkit.keys.csrf  # type: ignore[attr-defined]


def post(client: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
    """Return the response to a form POST carrying the CSRF field, as the page's forms send it."""
    return client.post(url, data={"csrf": csrf(client), **(data or {})}, follow_redirects=False, **kwargs)


def upload(client: TestClient, url: str, name: str, content: bytes, *, with_csrf: bool = True):
    """Return the response to a file upload as the page's form sends it: the csrf field first, then the file."""
    data = {"csrf": csrf(client)} if with_csrf else {}
    return client.post(url, data=data, files={"bestand": (name, content, "application/octet-stream")},
                       follow_redirects=False)


def finished(client: TestClient, job_id: str) -> Job:
    """Return the job once its worker has finished it."""
    job = client.app.state.formkit.jobs.get(job_id)  # type: ignore[attr-defined]
    assert job is not None
    return wait(job)


def wait(job: Job, timeout: float = 60.0) -> Job:
    """Return `job` once it is finished (its state no longer 'bezig'); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not job.finished:
        assert time.monotonic() < deadline, f"taak '{job.title}' niet klaar na {timeout} s"
        time.sleep(0.01)
    return job


def previewed(client: TestClient, day: str, kind: str) -> str:
    """Return the fingerprint the send form of a kind carries after its preview (a slow kind's after its job); "" without one."""
    html = client.get(f"/mail/{day}?soort={kind}").text
    if 'name="vingerafdruk"' not in html:  # a slow kind: its preview is a job
        made = post(client, f"/mail/{day}/voorbeeld", {"soort": kind})
        if made.status_code == 303:
            finished(client, made.headers["location"].rsplit("taak=", 1)[1])
            html = client.get(made.headers["location"]).text
    found = re.search(r'name="vingerafdruk" value="([0-9a-f]+)"', html)
    return found.group(1) if found else ""
