"""The Overleg page: a meeting's households, its forms made as a job (as `formkit forms` and `docs`), the zip."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import zipfile
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MEETING, make_register

from formkit.app.config import MeetingFolders
from formkit.app.jobs import FAILED
from formkit.cli.main import main
from formkit.plan.history import History, default_path
from formkit.register.model import Household, Involvement, MeetingItem, Member, Professional
from formkit.register.write import write_register

from .client import config_for, finished, post, signed_in, wait

LATER = dt.date(2026, 12, 15)


def make(client, meeting: dt.date, **fields) -> str:
    """Start making a meeting's forms; return the job id once the job is finished."""
    response = post(client, f"/overleg/{meeting.isoformat()}/formulieren", fields)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/overleg/{meeting.isoformat()}?taak=")
    job_id = location.rsplit("=", 1)[1]
    finished(client, job_id)
    return job_id


def files_under(folder: Path) -> list[str]:
    """Return the files under a folder as sorted relative paths; formkit's own run lock (.formkit-lock) left out."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != ".formkit-lock")


@pytest.fixture
def two_meetings(tmp_path) -> Path:
    """Gezin Pietersen (2026-101) on 1 December, Gezin Öztürk (2026-102) on 15 December only."""
    path = tmp_path / "register.xlsx"
    write_register(make_register(meeting_items=[MeetingItem(MEETING, "2026-101", "09:00"),
                                                MeetingItem(LATER, "2026-102", "10:00")]), path)
    return path


def test_the_meeting_page_lists_its_households_with_their_professionals(tmp_path, register_path):
    client = signed_in(config_for(tmp_path, register_path))
    html = unescape(client.get(f"/overleg/{MEETING.isoformat()}").text)
    assert "Casusoverleg 1 december 2026: 2 huishoudens" in html
    assert ("<tr><td>09:00</td><td>2026-101</td><td>Gezin Pietersen</td><td>Kim Verhoef (Wijkteam West)<br>"
            "Rob Claassen (Politie)</td></tr>") in html
    assert "<tr><td>09:30</td><td>2026-102</td><td>Gezin Öztürk</td><td>Iris Lammers (Veilig Thuis)</td></tr>" in html
    assert "Nog geen formulieren gemaakt voor dit overleg." in html


def test_picking_a_meeting_goes_to_its_page(tmp_path, register_path):
    client = signed_in(config_for(tmp_path, register_path))
    html = client.get("/overleg").text
    assert '<label for="datum">Casusoverleg</label>' in html
    assert '<option value="2026-12-01">1 december 2026 (2 huishoudens)</option>' in html
    picked = client.get("/overleg?datum=2026-12-01", follow_redirects=False)
    assert picked.headers["location"] == "/overleg/2026-12-01"


def test_without_a_register_the_page_says_where_to_choose_one(tmp_path):
    response = signed_in(config_for(tmp_path)).get("/overleg")
    assert response.status_code == 409
    assert "Kies eerst het register op de pagina Register" in response.text


@pytest.mark.parametrize("day", ["2026-12-02", "morgen"])
def test_a_meeting_not_in_the_register_gets_a_dutch_page(tmp_path, register_path, day):
    client = signed_in(config_for(tmp_path, register_path))
    response = client.get(f"/overleg/{day}")
    assert response.status_code == 404
    assert f"Er staat geen casusoverleg op {day} in het register." in response.text
    assert post(client, f"/overleg/{day}/formulieren").status_code == 404


def test_making_the_forms_writes_exactly_what_forms_and_docs_write(tmp_path, register_path):
    config = config_for(tmp_path, register_path)
    client = signed_in(config)
    job_id = make(client, MEETING)
    folder = MeetingFolders(config.folder, MEETING).forms
    assert folder == config.folder / "overleg-2026-12-01" / "formulieren"

    by_cli = tmp_path / "cli"
    for command in ("forms", "docs"):
        ran = CliRunner().invoke(main, [command, str(register_path), "--meeting", "2026-12-01", "--out", str(by_cli)])
        assert ran.exit_code == 0, ran.output
    assert files_under(folder) == files_under(by_cli)
    assert files_under(folder) == [
        "2026-101/scoreformulier_2026-101_P1_2026-12-01.xlsx", "2026-101/scoreformulier_2026-101_P2_2026-12-01.xlsx",
        "2026-101/top3_2026-101_2026-12-01.docx", "2026-102/scoreformulier_2026-102_P3_2026-12-01.xlsx",
        "2026-102/top3_2026-102_2026-12-01.docx"]

    result = unescape(client.get(f"/taken/{job_id}").text)
    assert "3 scoreformulieren en 2 TOP-3 formulieren geschreven in" in result
    assert "Scoreformulieren en TOP-3 formulieren maken: klaar." in result
    assert "hx-get" not in result  # finished: it stops polling
    page = unescape(client.get(f"/overleg/{MEETING.isoformat()}").text)
    assert "Formulieren van dit overleg (5)" in page
    assert "<li>2026-101/top3_2026-101_2026-12-01.docx</li>" in page


def test_every_form_made_is_in_the_disclosure_log(tmp_path, register_path):
    make(signed_in(config_for(tmp_path, register_path)), MEETING)
    records = History(default_path(register_path)).disclosures()
    assert sorted((r.disclosure.dossier, r.disclosure.kind, r.disclosure.recipient) for r in records) == [
        ("2026-101", "TOP-3 formulier", "secretariaat"), ("2026-101", "scoreformulier", "Kim Verhoef (Wijkteam West)"),
        ("2026-101", "scoreformulier", "Rob Claassen (Politie)"), ("2026-102", "TOP-3 formulier", "secretariaat"),
        ("2026-102", "scoreformulier", "Iris Lammers (Veilig Thuis)")]
    assert {r.disclosure.command for r in records} == {"formkit app"}


def test_existing_forms_stay_unless_the_secretary_asks_to_overwrite(tmp_path, register_path):
    client = signed_in(config_for(tmp_path, register_path))
    make(client, MEETING)
    again = unescape(client.get(f"/taken/{make(client, MEETING)}").text)
    assert "0 scoreformulieren en 0 TOP-3 formulieren geschreven" in again
    assert "5 formulieren bestonden al en zijn niet overschreven" in again
    forced = unescape(client.get(f"/taken/{make(client, MEETING, overschrijven='ja')}").text)
    assert "3 scoreformulieren en 2 TOP-3 formulieren geschreven" in forced


def test_the_zip_holds_the_meetings_forms_under_formkits_names(tmp_path, register_path):
    config = config_for(tmp_path, register_path)
    client = signed_in(config)
    assert client.get(f"/overleg/{MEETING.isoformat()}/formulieren.zip").status_code == 404  # nothing made yet
    make(client, MEETING)
    response = client.get(f"/overleg/{MEETING.isoformat()}/formulieren.zip")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="formulieren_2026-12-01.zip"'
    folder = MeetingFolders(config.folder, MEETING).forms
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert sorted(zf.namelist()) == files_under(folder)
        assert zf.read("2026-101/top3_2026-101_2026-12-01.docx") == (folder / "2026-101/top3_2026-101_2026-12-01.docx").read_bytes()


def test_a_household_is_only_on_its_own_meetings_page_and_zip(tmp_path, two_meetings):
    client = signed_in(config_for(tmp_path, two_meetings))
    first, later = make(client, MEETING), make(client, LATER)
    for day, job_id, own, other in ((MEETING, first, "2026-101", "2026-102"), (LATER, later, "2026-102", "2026-101")):
        page = unescape(client.get(f"/overleg/{day.isoformat()}").text)
        result = unescape(client.get(f"/taken/{job_id}").text)
        with zipfile.ZipFile(io.BytesIO(client.get(f"/overleg/{day.isoformat()}/formulieren.zip").content)) as zf:
            names = zf.namelist()
        assert names and all(name.startswith(f"{own}/") for name in names)
        assert own in page and own in result
        assert other not in page and other not in result


def test_need_to_know_household_b_never_shows_on_household_as_meeting(tmp_path, two_meetings):
    client = signed_in(config_for(tmp_path, two_meetings))
    job_id = make(client, MEETING)
    shown = unescape(client.get(f"/overleg/{MEETING.isoformat()}").text) + unescape(client.get(f"/taken/{job_id}").text)
    assert "Gezin Pietersen" in shown
    for of_b in ("Gezin Öztürk", "Ayşe Öztürk", "Can Öztürk", "Iris Lammers", "2026-102", "VT-9"):
        assert of_b not in shown
    later = unescape(client.get(f"/overleg/{LATER.isoformat()}").text)
    assert "Gezin Öztürk" in later
    for of_a in ("Gezin Pietersen", "Kim Verhoef", "Rob Claassen", "2026-101"):
        assert of_a not in later


def test_a_20_household_meeting_works(tmp_path):
    households = [Household(f"2026-{n:03d}", f"Gezin Nummer{n}", dt.date(2026, 9, 1), 1, "P1") for n in range(1, 21)]
    reg = make_register(
        households=households,
        members=[Member(h.dossier, f"Lid {i} van {h.name}", 1980 + i, "ouder") for h in households for i in (1, 2)],
        professionals=[Professional("P1", "Kim Verhoef", "Wijkteam West"), Professional("P2", "Rob Claassen", "Politie")],
        involvements=[Involvement(h.dossier, code) for h in households for code in ("P1", "P2")],
        meeting_items=[MeetingItem(MEETING, h.dossier, f"{9 + n // 4:02d}:{(n % 4) * 15:02d}")
                       for n, h in enumerate(households)])
    path = tmp_path / "register.xlsx"
    write_register(reg, path)
    config = config_for(tmp_path, path)
    client = signed_in(config)
    page = unescape(client.get(f"/overleg/{MEETING.isoformat()}").text)
    assert "Casusoverleg 1 december 2026: 20 huishoudens" in page
    result = unescape(client.get(f"/taken/{make(client, MEETING)}").text)
    assert "40 scoreformulieren en 20 TOP-3 formulieren geschreven" in result
    assert len(files_under(MeetingFolders(config.folder, MEETING).forms)) == 60


# --- jobs ---------------------------------------------------------------------------------


def test_a_running_job_polls_itself_with_its_progress(tmp_path, register_path):
    client = signed_in(config_for(tmp_path, register_path))
    jobs = client.app.state.formkit.jobs
    go_on = threading.Event()

    def work(progress):
        progress(3, 10, "Formulieren lezen")
        go_on.wait(10)
        return None

    job = jobs.start("Een lange taak", work)
    while job.done != 3:
        threading.Event().wait(0.01)
    running = client.get(f"/taken/{job.id}").text
    assert f'hx-get="/taken/{job.id}" hx-trigger="every 500ms" hx-swap="outerHTML"' in running
    assert 'max="10" value="3"' in running
    assert "Formulieren lezen (3 van 10)" in running
    go_on.set()
    wait(job)
    done = client.get(f"/taken/{job.id}").text
    assert "hx-get" not in done
    assert "Een lange taak: klaar." in done


def test_a_job_that_fails_says_so_in_dutch_and_logs_no_case_data(tmp_path, register_path, caplog):
    client = signed_in(config_for(tmp_path, register_path))
    jobs = client.app.state.formkit.jobs

    def broken(progress):
        raise RuntimeError("Gezin Pietersen, Anna Pietersen")

    with caplog.at_level(logging.ERROR, logger="formkit.app"):
        job = wait(jobs.start("Formulieren maken", broken))
    assert job.state == FAILED
    html = client.get(f"/taken/{job.id}").text
    assert "Formulieren maken is niet gelukt door een onverwachte fout." in html
    assert "Pietersen" not in html and "Pietersen" not in caplog.text
    assert "RuntimeError" not in html  # a Dutch text only: the type goes to the log
    assert "RuntimeError" in caplog.text


def test_a_work_folder_that_cannot_be_written_fails_the_job_with_the_folder_named(tmp_path, register_path):
    blocked = tmp_path / "werk"
    blocked.write_text("een bestand, geen map")
    client = signed_in(config_for(tmp_path, register_path))
    job_id = make(client, MEETING)
    html = unescape(client.get(f"/taken/{job_id}").text)
    assert "Scoreformulieren en TOP-3 formulieren maken is niet gelukt: kan niet schrijven naar" in html
    assert "Traceback" not in html


def test_an_unknown_job_gets_a_dutch_answer(tmp_path, register_path):
    response = signed_in(config_for(tmp_path, register_path)).get("/taken/onbekend")
    assert response.status_code == 404
    assert "Deze taak is niet (meer) bekend" in response.text
