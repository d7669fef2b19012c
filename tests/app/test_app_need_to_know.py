"""Need to know in the app: a job (``?taak=``) shows only on its own page, meeting and household.

The register has two meetings: 1 December (Gezin Pietersen, 2026-101, with Kim Verhoef) and
15 December (Gezin Öztürk, 2026-102, with Iris Lammers). A job started for the first meeting
must show nothing of Pietersen on any page of the second, nor on another page of the same meeting.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from html import unescape

import pytest
from conftest import MEETING, make_register
from starlette.testclient import TestClient

from formkit.app.config import AppConfig
from formkit.app.jobs import NOT_HERE
from formkit.core.paths import id_part
from formkit.register.model import MeetingItem
from formkit.register.write import write_register

from .client import config_for, finished, post, previewed, signed_in, wait

OTHER = dt.date(2026, 12, 15)
A, B = MEETING.isoformat(), OTHER.isoformat()
#: What of the first meeting's household may never show on a page of the second.
FOREIGN = ("2026-101", "Pietersen", "Verhoef")


@pytest.fixture
def config(tmp_path) -> AppConfig:
    register = tmp_path / "register.xlsx"
    write_register(make_register(meeting_items=[MeetingItem(MEETING, "2026-101", "09:00"),
                                                MeetingItem(OTHER, "2026-102", "09:30")]), register)
    return config_for(tmp_path, register)


@pytest.fixture
def client(config) -> TestClient:
    return signed_in(config)


def started(client: TestClient, url: str, fields: dict[str, str] | None = None) -> str:
    """Return the id of the job a POST started, once it is finished."""
    response = post(client, url, fields)
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("taak=", 1)[1]
    finished(client, job_id)
    return job_id


def shown(client: TestClient, url: str) -> str:
    """Return the page's text as a user reads it (entities resolved)."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    return unescape(response.text)


def assert_nothing_foreign(html: str, job_id: str) -> None:
    assert NOT_HERE in html
    assert job_id not in html  # not the job's fragment, not its poll
    for text in FOREIGN:
        assert text not in html, text


# Each page's job on the first meeting: where it is started, what to post, its title.
JOBS = {
    "overleg": (f"/overleg/{A}/formulieren", {}, "Scoreformulieren en TOP-3 formulieren maken"),
    "retour": (f"/retour/{A}/controleren", {}, "Teruggestuurde bestanden controleren"),
    "plannen": (f"/plannen/{A}/samenvoegen", {}, "Samenvoegen tot plannen"),
    "pakket": (f"/pakket/{A}/maken", {}, "Vergaderpakket maken"),
    "mail": (f"/mail/{A}/versturen", {"soort": "formulieren", "wijze": "uitbak"}, "Berichten versturen"),
}


def job_of(client: TestClient, slug: str) -> tuple[str, str]:
    """Return a finished job of `slug` on the first meeting and its title as its own page shows it."""
    if slug in ("retour", "plannen", "pakket", "mail"):
        started(client, *JOBS["overleg"][:2])  # the forms exist, so the job has the household to name
    url, fields, _ = JOBS[slug]
    if slug == "mail":  # a send goes only after its preview
        fields = fields | {"vingerafdruk": previewed(client, A, "formulieren")}
    job_id = started(client, url, fields)
    job = client.app.state.formkit.jobs.get(job_id)  # type: ignore[attr-defined]
    return job_id, job.title


@pytest.mark.parametrize("slug", list(JOBS))
def test_a_job_of_one_meeting_shows_nothing_on_the_page_of_another(client, slug):
    job_id, title = job_of(client, slug)
    own = shown(client, f"/{slug}/{A}?taak={job_id}")
    assert title in own and NOT_HERE not in own  # on its own page the job shows
    assert_nothing_foreign(shown(client, f"/{slug}/{B}?taak={job_id}"), job_id)


@pytest.mark.parametrize("slug", list(JOBS))
def test_a_job_of_one_page_shows_nothing_on_another_page_of_the_same_meeting(client, slug):
    job_id, _ = job_of(client, slug)
    for other in JOBS:
        if other != slug:
            html = shown(client, f"/{other}/{A}?taak={job_id}")
            assert NOT_HERE in html and f'id="taak-{job_id}"' not in html, other


def test_a_household_page_shows_no_job_of_another_household(client):
    job_id, _ = job_of(client, "plannen")
    st = client.app.state.formkit  # type: ignore[attr-defined]
    jobs = st.jobs
    pdf = wait(jobs.start("PDF maken", lambda progress: None, scope=st.scope("plannen", MEETING, "2026-101"),
                               render=lambda job: "<p>Plan van Gezin Pietersen</p>"))
    own = shown(client, f"/plannen/{A}/{id_part('2026-101')}?taak={pdf.id}")
    assert "Plan van Gezin Pietersen" in own
    other_household = shown(client, f"/plannen/{B}/{id_part('2026-102')}?taak={pdf.id}")
    assert_nothing_foreign(other_household, pdf.id)
    meeting_page = shown(client, f"/plannen/{A}?taak={pdf.id}")  # the household's job is not the meeting's
    assert NOT_HERE in meeting_page and "Plan van Gezin Pietersen" not in meeting_page
    merge_on_household = shown(client, f"/plannen/{B}/{id_part('2026-102')}?taak={job_id}")
    assert_nothing_foreign(merge_on_household, job_id)


def test_the_passwords_shown_once_are_not_used_up_by_another_meeting_page(client):
    st = client.app.state.formkit  # type: ignore[attr-defined]
    jobs = st.jobs
    job = wait(jobs.start("Vergaderpakket maken", lambda progress: None, scope=st.scope("pakket", MEETING),
                               render=lambda job: "<p>wachtwoord van Kim Verhoef: geheim-123</p>"))
    html = shown(client, f"/pakket/{B}?taak={job.id}")
    assert_nothing_foreign(html, job.id)
    assert "geheim-123" not in html
    assert "geheim-123" in shown(client, f"/pakket/{A}?taak={job.id}")


def test_polling_a_job_with_another_pages_scope_shows_nothing_of_it(client):
    job_id, title = job_of(client, "overleg")
    foreign = unescape(client.get(f"/taken/{job_id}", params={"pagina": "overleg", "datum": B}).text)
    assert_nothing_foreign(foreign, job_id)
    assert title not in foreign
    other_page = unescape(client.get(f"/taken/{job_id}", params={"pagina": "retour", "datum": A}).text)
    assert NOT_HERE in other_page and "2026-101" not in other_page
    odd_date = unescape(client.get(f"/taken/{job_id}", params={"pagina": "overleg", "datum": "²"}).text)
    assert NOT_HERE in odd_date
    own = unescape(client.get(f"/taken/{job_id}", params={"pagina": "overleg", "datum": A}).text)
    assert title in own and "2026-101" in own


def test_a_running_job_polls_with_its_pages_scope(client):
    st = client.app.state.formkit  # type: ignore[attr-defined]
    jobs = st.jobs
    go_on = threading.Event()
    job = jobs.start("Een lange taak", lambda progress: go_on.wait(10), scope=st.scope("retour", MEETING))
    try:
        html = client.get(f"/retour/{A}?taak={job.id}").text
        assert f'hx-get="/taken/{job.id}"' in html
        vals = re.search(r"hx-vals='([^']*)'", html)
        assert vals is not None and json.loads(unescape(vals.group(1))) == {"pagina": "retour", "datum": A}
    finally:
        go_on.set()
        wait(job)
