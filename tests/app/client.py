"""A signed-in test client for the app's handler tests (Starlette's TestClient, no server, no browser)."""

from __future__ import annotations

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
    state = client.app.state.formkit  # type: ignore[attr-defined]
    job = state.jobs.get(job_id)
    assert job is not None
    return state.jobs.wait(job)
