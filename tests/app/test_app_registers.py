"""Two registers in one app: a job keeps the register it was started for, and each register has its own work folder.

Need to know: register B's households are not register A's. After the secretary switches
from A to B, nothing of A (households, findings, forms, plans, packs, jobs) shows on any page
or download of B, even when both have a meeting on the same date; and a job started for A
works on A's register, folder and history, whatever is chosen while it waits its turn.
"""

from __future__ import annotations

import datetime as dt
import threading
from html import unescape
from pathlib import Path

from conftest import COMPLETE, MEETING, fill, make_register
from starlette.testclient import TestClient

from formkit.app.config import WORK_FOLDER, AppConfig, MeetingFolders, work_folder_beside
from formkit.plan.history import default_path
from formkit.register.model import Household, Involvement, MeetingItem
from formkit.register.write import write_register

from .client import finished, post, signed_in, upload, wait

DAY = MEETING.isoformat()
#: What register A's pages show of its households: none of it may appear on register B's pages.
A_TEXTS = ("2026-101", "2026-102", "Pietersen", "Öztürk")


def two_registers(tmp_path: Path) -> tuple[Path, Path]:
    """Return register A (the small register) and register B (one other household), each in its own folder, same date."""
    a = tmp_path / "a" / "register.xlsx"
    b = tmp_path / "b" / "register.xlsx"
    a.parent.mkdir()
    b.parent.mkdir()
    write_register(make_register(), a)
    write_register(make_register(households=[Household("2027-555", "Gezin Anders", dt.date(2026, 9, 1), 1, "P1")],
                                 members=[], involvements=[Involvement("2027-555", "P1", None)],
                                 meeting_items=[MeetingItem(MEETING, "2027-555", "10:00")]), b)
    return a, b


def job_id(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("taak=", 1)[1]


def run(client: TestClient, url: str, data: dict | None = None) -> str:
    """Return the id of the finished job a POST started (and of the reports job a check starts after it)."""
    found = job_id(post(client, url, data))
    job = finished(client, found)
    assert job.state == "klaar", job.text
    reports = getattr(job.result, "reports_job", None)
    if reports is not None:
        wait(reports)
    return found


def test_a_job_keeps_the_register_it_was_started_for(tmp_path):
    a, b = two_registers(tmp_path)
    client = signed_in(AppConfig.make(register=a))
    st = client.app.state.formkit  # type: ignore[attr-defined]
    gate = threading.Event()
    st.jobs.start("Een lange taak ervoor", lambda progress: gate.wait(10))  # a pack in LibreOffice, say
    started = job_id(post(client, f"/overleg/{DAY}/formulieren"))  # the forms of A's meeting
    assert post(client, "/register/kiezen", {"pad": str(b)}).status_code == 303  # meanwhile, B in another tab
    gate.set()
    job = finished(client, started)
    assert job.state == "klaar", job.text
    made = {p.parent.name for p in job.result.score_sheets}
    assert made == {"2026-101", "2026-102"}  # A's households, not B's 2027-555
    assert all(p.is_relative_to(a.parent / WORK_FOLDER) for p in job.result.score_sheets)  # in A's work folder
    assert default_path(a).exists() and not default_path(b).exists()  # logged beside A, not beside B
    assert st.register_path == b and "2027-555" in st.loaded.register.dossiers_on(MEETING)  # the choice stays B
    html = unescape(client.get(f"/overleg/{DAY}?taak={started}").text)
    assert "Deze taak hoort niet bij deze pagina." in html  # A's job is not shown on B's page
    assert not any(text in html for text in A_TEXTS)


def a_meeting_done(client: TestClient, a_work: Path) -> list[str]:
    """Run A's meeting through the app: forms, a returned form checked, plans merged; return the jobs' ids."""
    jobs = [run(client, f"/overleg/{DAY}/formulieren")]
    folders = MeetingFolders(a_work, MEETING)
    filled = fill(folders.forms / "2026-101" / f"scoreformulier_2026-101_P1_{DAY}.xlsx", COMPLETE, a_work.parent / "ingevuld.xlsx")
    jobs.append(job_id(upload(client, f"/retour/{DAY}/uploaden", filled.name, filled.read_bytes())))
    outcome = finished(client, jobs[-1])
    assert outcome.state == "klaar", outcome.text
    wait(outcome.result.reports_job)
    jobs.append(run(client, f"/plannen/{DAY}/samenvoegen"))
    return jobs


PAGES = ["/register", "/overleg", f"/overleg/{DAY}", "/retour", f"/retour/{DAY}", "/plannen", f"/plannen/{DAY}",
         "/pakket", f"/pakket/{DAY}", "/mail", f"/mail/{DAY}", *(f"/mail/{DAY}?soort={kind}" for kind in
         ("rapporten", "formulieren", "terugkoppeling")), "/voortgang"]


def test_nothing_of_register_a_shows_on_register_bs_pages_after_switching(tmp_path):
    a, b = two_registers(tmp_path)
    config = AppConfig.make(register=a, folder=tmp_path / "werk-a")  # --map: the work folder of A
    client = signed_in(config)
    jobs = a_meeting_done(client, config.folder)
    seen_on_a = unescape(client.get(f"/retour/{DAY}").text)
    assert "2026-101" in seen_on_a and "Pietersen" in seen_on_a  # A's own page shows A's household
    assert post(client, "/register/kiezen", {"pad": str(b)}).status_code == 303
    register_page = unescape(client.get("/register").text)
    assert f"Werkmap van dit register: {b.parent / WORK_FOLDER}" in register_page  # the page says where B works
    for url in PAGES + [f"/{slug}/{DAY}?taak={job}" for job in jobs for slug in ("overleg", "retour", "plannen")]:
        response = client.get(url)
        html = unescape(response.text)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert not any(text in html for text in A_TEXTS), url
        assert str(config.folder / f"overleg-{DAY}") not in html, url  # not A's meeting folder
    for job in jobs:
        poll = unescape(client.get(f"/taken/{job}", params={"pagina": "retour", "datum": DAY}).text)
        assert not any(text in poll for text in A_TEXTS)
    assert client.get(f"/overleg/{DAY}/formulieren.zip").status_code == 404  # B has no forms made
    assert client.get(f"/retour/{DAY}/rapport", params={"dossier": "2026-101", "soort": "xlsx"}).status_code == 404
    assert client.get(f"/plannen/{DAY}/2026-101").status_code == 404
    assert post(client, "/register/kiezen", {"pad": str(a)}).status_code == 303  # back to A: it is all still there
    assert "Pietersen" in unescape(client.get(f"/retour/{DAY}").text)


def test_a_register_chosen_in_the_app_works_beside_its_own_file(tmp_path):
    a, b = two_registers(tmp_path)
    client = signed_in(AppConfig.make(register=a, folder=tmp_path / "werk-a"))
    st = client.app.state.formkit  # type: ignore[attr-defined]
    assert st.work_folder() == tmp_path / "werk-a"  # --map belongs to the register given at start
    post(client, "/register/kiezen", {"pad": str(b)})
    assert st.work_folder() == b.parent / WORK_FOLDER
    run(client, f"/overleg/{DAY}/formulieren")
    assert (b.parent / WORK_FOLDER / f"overleg-{DAY}" / "formulieren" / "2027-555").is_dir()
    assert not (tmp_path / "werk-a" / f"overleg-{DAY}").exists()


def test_two_registers_in_one_folder_each_have_their_own_work_folder(tmp_path):
    a, b = two_registers(tmp_path)
    shared = tmp_path / "samen"
    shared.mkdir()
    a = Path(a.replace(shared / "register.xlsx"))
    b = Path(b.replace(shared / "register 2027.xlsx"))
    odd = shared / "regio: noord.xlsx"  # a name Windows refuses in a folder name: cleaned, made unique by a hash
    client = signed_in(AppConfig.make(register=a))
    st = client.app.state.formkit  # type: ignore[attr-defined]
    assert st.work_folder() == shared / WORK_FOLDER
    a_meeting_done(client, st.work_folder())
    post(client, "/register/kiezen", {"pad": str(b)})
    assert st.work_folder() == shared / f"{WORK_FOLDER}-register 2027"
    for url in PAGES:
        html = unescape(client.get(url).text)
        assert not any(text in html for text in A_TEXTS), url
    assert work_folder_beside(odd).name.startswith(f"{WORK_FOLDER}-regio_ noord-")
    assert len({work_folder_beside(shared / n) for n in ("a:b.xlsx", "a_b.xlsx", "A_b.xlsx", "register.xlsx")}) == 4
