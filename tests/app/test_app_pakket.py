"""The Vergaderpakket page: the pack job, its packs and downloads, passwords shown once, refused paths."""

from __future__ import annotations

import io
import re

import pytest
from conftest import MEETING, make_register
from pypdf import PdfReader
from starlette.testclient import TestClient

from formkit.app.config import AppConfig, MeetingFolders
from formkit.plan.history import History, default_path
from formkit.register.write import write_register

from .client import config_for, finished, post, signed_in

DAY = MEETING.isoformat()
PASSWORD = re.compile(r'<code class="wachtwoord">([^<]+)</code>')


class Built:
    """An app whose encrypted per-recipient packs were built once for this module, and the first result page."""

    def __init__(self, client: TestClient, config: AppConfig, job_id: str, first: str):
        self.client, self.config, self.job_id, self.first = client, config, job_id, first

    @property
    def folders(self) -> MeetingFolders:
        return MeetingFolders(self.config.folder, MEETING)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    """Build the packs of the small register's meeting (both households, per recipient, encrypted) through the page."""
    tmp_path = tmp_path_factory.mktemp("pakket")
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    config = config_for(tmp_path, register)
    client = signed_in(config)
    started = post(client, f"/pakket/{DAY}/maken", {"per_ontvanger": "ja", "versleutelen": "ja"})
    assert started.status_code == 303
    job_id = started.headers["location"].rsplit("taak=", 1)[1]
    job = finished(client, job_id)
    assert job.state == "klaar", job.text
    first = client.get(started.headers["location"]).text
    return Built(client, config, job_id, first)


def test_without_a_register_the_page_says_to_choose_one(tmp_path):
    client = signed_in(config_for(tmp_path))
    response = client.get(f"/pakket/{DAY}")
    assert response.status_code == 409
    assert "Kies eerst het register" in response.text


def test_a_meeting_not_in_the_register_is_not_found(built):
    response = built.client.get("/pakket/2030-01-01")
    assert response.status_code == 404
    assert "staat niet in het register" in response.text


def test_the_meeting_picker_goes_to_the_meeting(built):
    picker = built.client.get("/pakket")
    assert picker.status_code == 200
    assert "<h1>Vergaderpakket</h1>" in picker.text
    assert '<label for="datum">Casusoverleg</label>' in picker.text
    assert built.client.get(f"/pakket?datum={DAY}", follow_redirects=False).headers["location"] == f"/pakket/{DAY}"


def test_building_without_the_csrf_value_is_refused(built):
    response = built.client.post(f"/pakket/{DAY}/maken", data={"per_ontvanger": "ja"}, follow_redirects=False)
    assert response.status_code == 403


def test_the_job_lists_each_pack_with_its_recipient_households_and_pages(built):
    first = built.first
    assert "4 pakketten geschreven" in first
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td><td><a href=\"([^\"]+)\"", first)
    assert [(who, dossiers, link) for who, dossiers, _, link in rows] == [
        ("secretariaat", "2026-101, 2026-102", f"/pakket/{DAY}/pakket_{DAY}.pdf"),
        ("Kim Verhoef (Wijkteam West)", "2026-101", f"/pakket/{DAY}/ontvangers/pakket_{DAY}_P1.pdf"),
        ("Rob Claassen (Politie)", "2026-101", f"/pakket/{DAY}/ontvangers/pakket_{DAY}_P2.pdf"),
        ("Iris Lammers (Veilig Thuis)", "2026-102", f"/pakket/{DAY}/ontvangers/pakket_{DAY}_P3.pdf"),
    ]
    assert all(int(pages) > 1 for _, _, pages, _ in rows)


def test_the_page_lists_the_packs_on_disk_with_the_households_the_log_recorded(built):
    page = built.client.get(f"/pakket/{DAY}").text
    assert "Pakketten van dit overleg (4)" in page
    assert f'<a href="/pakket/{DAY}/ontvangers/pakket_{DAY}_P3.pdf" download>' in page
    assert "<td>Iris Lammers (Veilig Thuis)</td><td>2026-102</td>" in page


def test_a_download_serves_the_pack_itself(built):
    response = built.client.get(f"/pakket/{DAY}/ontvangers/pakket_{DAY}_P3.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="pakket_{DAY}_P3.pdf"' in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    assert response.content == (built.folders.packs / "ontvangers" / f"pakket_{DAY}_P3.pdf").read_bytes()


def test_a_recipients_pack_holds_only_their_household(built):
    passwords = dict(zip(re.findall(r"<tr><td>([^<]+\.pdf)</td>", built.first), PASSWORD.findall(built.first)))
    data = built.client.get(f"/pakket/{DAY}/ontvangers/pakket_{DAY}_P3.pdf").content
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert reader.decrypt(passwords[f"ontvangers/pakket_{DAY}_P3.pdf"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Öztürk" in text
    assert "Pietersen" not in text and "2026-101" not in text


@pytest.mark.parametrize("path", [
    "../register.xlsx", "..%2fregister.xlsx", "%2e%2e/%2e%2e/register.xlsx", "ontvangers/../../register.xlsx",
    f"wachtwoorden_{DAY}.txt", "/etc/passwd", f"pakket_{DAY}.pdf/../../formulieren", "pakket_2030-01-01.pdf",
])
def test_a_path_outside_the_meetings_packs_is_refused(built, path):
    response = built.client.get(f"/pakket/{DAY}/{path}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert any(refusal in response.text for refusal in (
        "Dit pakket bestaat niet", "Deze pagina bestaat niet", "Dit casusoverleg staat niet in het register"))


def test_a_link_in_the_packs_folder_is_not_served(built, tmp_path):
    secret = tmp_path / "geheim.pdf"
    secret.write_bytes(b"%PDF-1.7 geheim")
    link = built.folders.packs / "ontvangers" / f"pakket_{DAY}_ZZ.pdf"
    link.symlink_to(secret)
    try:
        response = built.client.get(f"/pakket/{DAY}/ontvangers/pakket_{DAY}_ZZ.pdf")
        assert response.status_code == 404
        assert b"geheim" not in response.content
    finally:
        link.unlink()


def test_passwords_are_shown_once_then_gone(built):
    shown = PASSWORD.findall(built.first)
    assert len(shown) == 4 and len(set(shown)) == 4
    assert "worden maar één keer getoond" in built.first
    again = built.client.get(f"/pakket/{DAY}?taak={built.job_id}").text
    assert "al getoond" in again
    later = [again, built.client.get(f"/taken/{built.job_id}").text, built.client.get(f"/pakket/{DAY}").text,
             built.client.get("/pakket").text]
    for body in later:
        assert not any(password in body for password in shown)
    job = built.client.app.state.formkit.jobs.get(built.job_id)  # type: ignore[attr-defined]
    assert job.result.passwords is None


def test_no_password_list_is_left_beside_the_packs(built):
    assert not list(built.folders.packs.rglob("wachtwoorden*"))
    assert built.client.get(f"/pakket/{DAY}/wachtwoorden_{DAY}.txt").status_code == 404


def test_each_household_in_each_pack_is_in_the_disclosure_log(built):
    assert built.config.register is not None
    log = History(default_path(built.config.register)).disclosures()
    records = sorted((e.disclosure.dossier, e.disclosure.recipient, e.disclosure.channel, e.disclosure.command)
                     for e in log if e.disclosure.kind == "vergaderpakket")
    assert records == sorted([
        ("2026-101", "secretariaat", "pakket", "formkit app"), ("2026-102", "secretariaat", "pakket", "formkit app"),
        ("2026-101", "Kim Verhoef (Wijkteam West)", "pakket", "formkit app"),
        ("2026-101", "Rob Claassen (Politie)", "pakket", "formkit app"),
        ("2026-102", "Iris Lammers (Veilig Thuis)", "pakket", "formkit app"),
    ])


def test_the_apps_build_never_writes_a_password_list(tmp_path, monkeypatch):
    written = []
    monkeypatch.setattr("formkit.delivery.pack._write_passwords", lambda *args: written.append(args))
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    config = config_for(tmp_path, register)
    client = signed_in(config)
    started = post(client, f"/pakket/{DAY}/maken", {"versleutelen": "ja"})
    job = finished(client, started.headers["location"].rsplit("taak=", 1)[1])
    assert job.state == "klaar", job.text
    assert len(PASSWORD.findall(client.get(started.headers["location"]).text)) == 1
    assert written == []
    assert not list(tmp_path.rglob("wachtwoorden*"))


def test_the_page_lists_the_packs_off_the_event_loop(tmp_path, register_path, monkeypatch):
    """Hashing every pack and reading the whole log runs in the threadpool, never on the event loop."""
    import asyncio

    from formkit.app.pages import pakket

    loops: list[bool] = []

    def listed(*args):
        try:
            asyncio.get_running_loop()
            loops.append(True)
        except RuntimeError:  # no loop running in this thread: a worker thread
            loops.append(False)
        return []

    monkeypatch.setattr(pakket, "listed_packs", listed)
    client = signed_in(config_for(tmp_path, register_path))
    assert client.get(f"/pakket/{DAY}").status_code == 200
    assert loops == [False]
