"""The Retour page: returned files dropped or taken from a folder, stored in the meeting's folder and checked as `check`."""

from __future__ import annotations

import json
import os
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING
from starlette.testclient import TestClient
from test_hostile_files import zip_bomb

from formkit.app.config import AppConfig, MeetingFolders
from formkit.app.pages import retour
from formkit.app.pages.retour import RetourOutcome, returns_name
from formkit.app.uploads import stored_name
from formkit.cli.main import main
from formkit.plan.history import History, default_path
from formkit.returns.intake import DEFAULT_LIMITS

from .client import config_for, csrf, finished, post, signed_in, wait

DAY = MEETING.isoformat()
PAGE = f"/retour/{DAY}"
#: A form of household 2026-101 by P2 (Rob Claassen) that breaks rules: no explanation with its score.
SCORE_ONLY = {"situatie_1_slachtoffer": "Tim Pietersen", "beoordeling_cijfer": 3}
#: A form of household 2026-102 by P3 whose victim is not one of that household's members.
WRONG_VICTIM = {"situatie_1_slachtoffer": "Tim Pietersen", "situatie_1_omschrijving": "Ruzie thuis.",
                "beoordeling_cijfer": 4, "beoordeling_toelichting": "Nog onrustig."}


def returns_folder(config: AppConfig) -> Path:
    return MeetingFolders(config.folder, MEETING).returns


def send_files(client: TestClient, files: list[tuple[str, bytes]], *, with_csrf: bool = True):
    """Return the response to the upload form with these files, the csrf field first as the page sends it."""
    data = {"csrf": csrf(client)} if with_csrf else {}
    return client.post(f"{PAGE}/uploaden", data=data, follow_redirects=False,
                       files=[("bestand", (name, content, "application/octet-stream")) for name, content in files])


def run(client: TestClient, response) -> tuple[RetourOutcome, str]:
    """Return the finished job's outcome and the page that shows it, after a POST that started the job."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{PAGE}?taak=")
    job = finished(client, location.split("taak=", 1)[1])
    assert job.state == "klaar", job.text
    if job.result.reports_job is not None:  # started by the check: the reports follow the findings
        reports = wait(job.result.reports_job)
        assert reports.state == "klaar", reports.text
    shown = client.get(location)
    assert shown.status_code == 200
    return job.result, unescape(shown.text)


def section(html: str, dossier: str) -> str:
    """Return the HTML of one household's section of the check."""
    for match in re.finditer(r'<section class="retour-dossier" id="retour-dossier-\d+".*?</section>', html, re.S):
        if "<h3 id=" in match.group(0) and f">{dossier} " in match.group(0):
            return match.group(0)
    raise AssertionError(f"geen sectie voor {dossier}")


@pytest.fixture
def batch(tmp_path, returned) -> Path:
    """Three returned forms (P1 twice for 2026-101: the second replaces the first; P3 for 2026-102) and a zip bomb."""
    first = returned({"situatie_1_slachtoffer": "Tim Pietersen"}, "2026-101", "P1", name="p1_eerst.xlsx")
    returned(COMPLETE, "2026-101", "P1", name="p1_later.xlsx")
    returned(WRONG_VICTIM, "2026-102", "P3", name="p3.xlsx")
    zip_bomb(first.parent / "zipbom.xlsx")
    return first.parent


def cli_check(folder: Path, register: Path) -> dict:
    """Return `formkit check --json` on a folder, as the secretariat would run it."""
    result = CliRunner().invoke(main, ["check", str(folder), "--register", str(register), "--meeting", DAY, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output[result.output.index("{"):])


# --- a batch dropped onto the page --------------------------------------------------------


def test_dropped_forms_get_the_statuses_and_findings_formkit_check_gives(client, config, batch):
    files = sorted(batch.iterdir())
    outcome, html = run(client, send_files(client, [(p.name, p.read_bytes()) for p in files]))
    expected = cli_check(batch, config.register)

    # the three forms are stored and checked; the zip bomb is refused with the intake's finding and not stored
    assert {r.name: r.outcome for r in outcome.received} == {
        "p1_eerst.xlsx": "opgeslagen", "p1_later.xlsx": "opgeslagen", "p3.xlsx": "opgeslagen", "zipbom.xlsx": "geweigerd"}
    assert sorted(p.name for p in returns_folder(config).iterdir()) == ["p1_eerst.xlsx", "p1_later.xlsx", "p3.xlsx"]
    cli_files = {Path(f["bestand"]).name: f["status"] for f in expected["bestanden"]}
    assert cli_files["zipbom.xlsx"] == "geweigerd"
    bomb = next(r for r in outcome.received if r.name == "zipbom.xlsx")
    cli_bomb = next(f for f in expected["zonder_dossier"] if f["bestand"] == "zipbom.xlsx")
    assert bomb.finding is not None and bomb.finding.message == cli_bomb["melding"]
    assert "mogelijk een zip-bom" in html

    # every other file has the status `check` gives it, and each household the same summary, kenmerk included
    assert outcome.summary is not None
    app_files = {Path(f.path).name: f.status for f in outcome.summary.files}
    assert app_files == {name: status for name, status in cli_files.items() if name != "zipbom.xlsx"}
    assert app_files == {"p1_eerst.xlsx": "vervangen", "p1_later.xlsx": "verwerkt", "p3.xlsx": "verwerkt"}
    assert [d.to_json() for d in outcome.summary.dossiers] == expected["dossiers"]
    for name, status in app_files.items():
        assert f"<td>{name}</td>" in html and f"<td>{status}</td>" in html


def test_each_household_shows_only_its_own_files_findings_and_missing_forms(client, config, batch):
    files = sorted(batch.iterdir())
    outcome, html = run(client, send_files(client, [(p.name, p.read_bytes()) for p in files]))
    first, second = section(html, "2026-101"), section(html, "2026-102")
    assert "Nog niet ontvangen van: Rob Claassen (Politie)." in first
    assert "p1_later.xlsx" in first and "p1_eerst.xlsx" in first and "vervangen" in first
    assert "Kim Verhoef (Wijkteam West)" in first
    assert "Iris Lammers" not in first and "p3.xlsx" not in first and "Gezin Öztürk" not in first
    assert "p3.xlsx" in second and "Iris Lammers (Veilig Thuis)" in second
    assert "Kim Verhoef" not in second and "Rob Claassen" not in second and "p1_" not in second
    assert "Gezin Pietersen" not in second
    assert outcome.summary is not None
    messages = {d.dossier: {f.message for f in d.findings} for d in outcome.summary.dossiers}
    assert messages["2026-101"] and messages["2026-102"]
    for dossier, own, other in (("2026-101", first, second), ("2026-102", second, first)):
        theirs = messages["2026-102" if dossier == "2026-101" else "2026-101"]
        for message in messages[dossier]:  # each finding in its own section; one only it has, only there
            assert message in own
            assert message in theirs or message not in other


def test_the_check_writes_the_reports_and_logs_them_as_check_does(client, config, batch):
    files = [batch / "p1_later.xlsx", batch / "p3.xlsx"]
    outcome, html = run(client, send_files(client, [(p.name, p.read_bytes()) for p in files]))
    reports = MeetingFolders(config.folder, MEETING).reports
    assert outcome.reports_job is not None and outcome.reports_job.result.folder == reports
    assert f"Controlerapporten staan in {reports}." in html
    assert (reports / "2026-101" / f"controlerapport_2026-101_{DAY}.xlsx").is_file()
    logged = History(default_path(config.register)).disclosures()
    assert {(e.disclosure.dossier, e.disclosure.kind, e.disclosure.command) for e in logged} == {
        ("2026-101", "controlerapport", "formkit app"), ("2026-102", "controlerapport", "formkit app")}
    assert {e.disclosure.recipient for e in logged if e.disclosure.dossier == "2026-101"} == {
        "Kim Verhoef (Wijkteam West)"}
    assert len(logged) == 4  # Excel and Word per household

    download = client.get(f"{PAGE}/rapport?dossier=2026-101&soort=docx")
    assert download.status_code == 200
    assert f'filename="controlerapport_2026-101_{DAY}.docx"' in download.headers["content-disposition"]
    assert download.content == (reports / "2026-101" / f"controlerapport_2026-101_{DAY}.docx").read_bytes()


def test_a_refused_report_template_writes_no_report_but_the_findings_still_show(tmp_path, register_path, custom, batch):
    (custom / "docx" / "controlerapport.docx").write_bytes(b"geen Word-bestand")
    config = AppConfig(register=register_path, folder=tmp_path / "werk", templates=custom)
    client = signed_in(config)
    outcome, html = run(client, send_files(client, [("p3.xlsx", (batch / "p3.xlsx").read_bytes())]))
    assert outcome.summary is not None and outcome.summary.dossiers[1].findings  # the check itself is shown
    assert "Er zijn geen controlerapporten geschreven: het sjabloon is afgekeurd." in html
    assert not MeetingFolders(config.folder, MEETING).reports.exists()
    assert History(default_path(register_path)).disclosures() == []


@pytest.mark.parametrize("query", ["dossier=../../register&soort=xlsx", "dossier=2026-101&soort=json",
                                   "dossier=2026-999&soort=xlsx", "soort=xlsx"])
def test_a_report_download_never_leaves_the_reports_folder(client, batch, query):
    run(client, send_files(client, [("p3.xlsx", (batch / "p3.xlsx").read_bytes())]))
    response = client.get(f"{PAGE}/rapport?{query}")
    assert response.status_code == 404
    assert "Dit controlerapport is er niet (meer)" in response.text


def test_the_page_shows_the_last_check_after_a_reload(client, batch):
    run(client, send_files(client, [("p3.xlsx", (batch / "p3.xlsx").read_bytes())]))
    html = unescape(client.get(PAGE).text)
    assert "Laatste controle" in html
    assert "1 bestand gecontroleerd: 1 verwerkt, 0 vervangen, 0 geweigerd." in html
    assert "Nog niet ontvangen van: Kim Verhoef (Wijkteam West); Rob Claassen (Politie)." in html


def test_a_mail_with_the_form_attached_is_stored_whole_and_its_attachment_checked(client, config, batch):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "k.verhoef@wijkteam.example", "secretariaat@example", "Formulier"
    message["Date"] = "Mon, 23 Nov 2026 10:00:00 +0100"
    message.set_content("Hierbij mijn formulier.")
    message.add_attachment((batch / "p1_later.xlsx").read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="formulier.xlsx")
    outcome, html = run(client, send_files(client, [("antwoord.eml", message.as_bytes())]))
    assert [p.name for p in returns_folder(config).iterdir()] == ["antwoord.eml"]
    assert outcome.summary is not None
    assert [(f.path, f.status) for f in outcome.summary.files] == [
        (str(returns_folder(config) / "antwoord.eml" / "formulier.xlsx"), "verwerkt")]
    assert "<td>formulier.xlsx</td><td>Kim Verhoef (Wijkteam West)</td><td>verwerkt</td>" in html


# --- limits and names ----------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_in_dutch_and_not_stored(client, config, batch):
    big = b"PK\x03\x04" + b"\0" * DEFAULT_LIMITS.max_file_bytes
    outcome, html = run(client, send_files(client, [("groot.xlsx", big), ("p3.xlsx", (batch / "p3.xlsx").read_bytes())]))
    refused = outcome.received[0]
    assert (refused.name, refused.outcome) == ("groot.xlsx", "geweigerd")
    assert "het bestand is te groot" in html and "een scoreformulier is hoogstens 20 MB" in html
    assert [p.name for p in returns_folder(config).iterdir()] == ["p3.xlsx"]  # nor a scrap of it left behind


def test_too_many_files_at_once_are_refused_and_nothing_is_stored(client, config, batch, monkeypatch):
    monkeypatch.setattr("formkit.app.uploads.MAX_FILES", 2)
    monkeypatch.setattr(retour, "MAX_FILES", 2)
    content = (batch / "p3.xlsx").read_bytes()
    response = send_files(client, [(f"f{i}.xlsx", content) for i in range(3)])
    assert response.status_code == 400
    assert "Te veel bestanden in één keer: hoogstens 2. Er is niets opgeslagen" in unescape(response.text)
    assert list(returns_folder(config).iterdir()) == []


def test_an_upload_without_the_csrf_value_stores_nothing(client, config, batch):
    response = send_files(client, [("p3.xlsx", (batch / "p3.xlsx").read_bytes())], with_csrf=False)
    assert response.status_code == 403
    assert not returns_folder(config).exists() or list(returns_folder(config).iterdir()) == []
    assert post(client, f"{PAGE}/map", {"pad": str(batch), "csrf": "fout"}).status_code == 403


def test_hostile_names_stay_inside_the_returns_folder_with_valid_windows_names(client, config, batch, tmp_path):
    content = (batch / "p3.xlsx").read_bytes()
    other = (batch / "p1_later.xlsx").read_bytes()
    outcome, html = run(client, send_files(client, [("../../x.xlsx", content), ("CON.xlsx", other),
                                                    ("..\\..\\X.xlsx", (batch / "p1_eerst.xlsx").read_bytes()),
                                                    ("kopie.xlsx", content)]))
    stored = sorted(p.name for p in returns_folder(config).iterdir())
    assert stored == ["X (2).xlsx", "_CON.xlsx", "x.xlsx"]  # X.xlsx is x.xlsx on Windows and macOS
    assert not (tmp_path / "x.xlsx").exists() and not (config.folder / "x.xlsx").exists()
    assert [(r.name, r.outcome, r.stored) for r in outcome.received] == [
        ("x.xlsx", "opgeslagen", "x.xlsx"), ("CON.xlsx", "opgeslagen", "_CON.xlsx"),
        ("X.xlsx", "opgeslagen", "X (2).xlsx"), ("kopie.xlsx", "al ontvangen", "x.xlsx")]
    assert "opgeslagen als _CON.xlsx" in html
    assert "al ontvangen (zelfde inhoud als x.xlsx), niet nog eens opgeslagen" in html


@pytest.mark.parametrize(("raw", "taken", "expected"), [
    ("../../x.xlsx", [], "x.xlsx"),
    ("..\\..\\x.xlsx", ["X.XLSX"], "x (2).xlsx"),
    ("CON.xlsx", [], "_CON.xlsx"),
    ("com1.tar.xlsx", [], "_com1.tar.xlsx"),
    ("nul", [], "_nul"),
    ("a:b*c?.xlsx", [], "a_b_c_.xlsx"),
    (".verborgen.xlsx", [], "verborgen.xlsx"),
    ("punt. ", [], "punt"),
    ("", [], "bijlage-1"),
    ("f.xlsx", ["f.xlsx", "f (2).xlsx"], "f (3).xlsx"),
])
def test_a_stored_name_is_safe_valid_on_windows_and_unused(raw, taken, expected):
    assert returns_name(raw, taken) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("CON.xlsx", "_CON.xlsx"), ("lpt9.xlsx", "_lpt9.xlsx"), ("Nul .txt", "_Nul .txt"), ("COM¹.xlsx", "_COM¹.xlsx"),
    ("CONTROLE.xlsx", "CONTROLE.xlsx"), ("com10.xlsx", "com10.xlsx"),
])
def test_an_uploaded_file_is_never_kept_under_a_windows_device_name(raw, expected):
    assert stored_name(raw) == expected
    assert returns_name(raw, []) == expected


def test_a_private_upload_folder_going_away_while_the_page_lists_the_folder_is_passed_over(client, config, batch,
                                                                                           monkeypatch):
    folder = returns_folder(config)
    inbox = folder / ".inname-0123456789abcdef" / "0001"
    inbox.mkdir(parents=True)
    (inbox / "halfweg.xlsx").write_bytes(b"nog niet helemaal")
    shutil.copy(batch / "p3.xlsx", folder / "p3.xlsx")
    real = os.scandir

    def vanishing(path=".", *args):  # the upload's private folder is removed just as it is listed
        if ".inname-" in str(path):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real(path, *args)

    monkeypatch.setattr(os, "scandir", vanishing)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "halfweg" not in response.text
    assert retour._stored(folder) == [folder / "p3.xlsx"]


# --- a folder --------------------------------------------------------------------------------


def test_a_folder_is_copied_into_the_meeting_and_checked(client, config, batch):
    (batch / "zipbom.xlsx").unlink()
    outcome, html = run(client, post(client, f"{PAGE}/map", {"pad": str(batch)}))
    assert sorted(p.name for p in returns_folder(config).iterdir()) == ["p1_eerst.xlsx", "p1_later.xlsx", "p3.xlsx"]
    assert sorted(p.name for p in batch.iterdir()) == ["p1_eerst.xlsx", "p1_later.xlsx", "p3.xlsx"]  # copied
    assert outcome.summary is not None and len(outcome.summary.files) == 3
    again, _ = run(client, post(client, f"{PAGE}/map", {"pad": str(batch)}))
    assert {r.outcome for r in again.received} == {"al ontvangen"}
    assert len(list(returns_folder(config).iterdir())) == 3


@pytest.mark.parametrize(("pad", "text"), [("", "Vul het pad van de map"), ("/bestaat/niet", "bestaat niet")])
def test_a_wrong_folder_gets_a_dutch_answer(client, pad, text):
    response = post(client, f"{PAGE}/map", {"pad": pad})
    assert response.status_code == 400
    assert text in unescape(response.text)


def test_check_again_reads_the_folder_once_more(client, config, batch):
    returns_folder(config).mkdir(parents=True)
    shutil.copy(batch / "p3.xlsx", returns_folder(config) / "p3.xlsx")
    outcome, html = run(client, post(client, f"{PAGE}/controleren"))
    assert outcome.received == [] and outcome.summary is not None
    assert [Path(f.path).name for f in outcome.summary.files] == ["p3.xlsx"]


# --- the page itself -------------------------------------------------------------------------


def test_the_page_has_the_drop_zone_the_folder_field_and_no_meeting_it_does_not_know(client):
    html = unescape(client.get(PAGE).text)
    assert "<h1>Retour</h1>" in html
    assert 'type="file" id="bestanden" name="bestand" multiple' in html
    assert '<label for="bestanden"' in html and '<label for="map"' in html
    assert '<script src="/static/retour.js" defer></script>' in html
    assert client.get("/retour?datum=" + DAY, follow_redirects=False).headers["location"] == PAGE
    unknown = client.get("/retour/2030-01-01")
    assert unknown.status_code == 404 and "Er staat geen casusoverleg op 2030-01-01" in unknown.text


def test_without_a_register_the_page_says_where_to_choose_it(tmp_path):
    client = signed_in(config_for(tmp_path))
    response = client.get(PAGE)
    assert response.status_code == 409
    assert "Kies eerst het register" in response.text


# --- in a real browser: the drop zone and the page with a check shown ----------------------


def test_files_dropped_on_the_zone_are_checked_and_the_page_passes_axe(new_page, live_app, returned, tmp_path):
    from playwright.sync_api import expect

    from .conftest import axe_violations, describe_violations, page_errors
    from .secretary import wait_for_job

    forms = [returned(COMPLETE, "2026-101", "P1", name="kim.xlsx"), returned(WRONG_VICTIM, "2026-102", "P3")]
    page = new_page(with_axe=True)
    page.goto(f"{live_app.base}/retour")
    page.get_by_label("Casusoverleg").select_option(DAY)
    page.get_by_role("button", name="Tonen").click()
    expect(page).to_have_url(f"{live_app.base}{PAGE}")
    # a drop as the browser delivers it: the files in a DataTransfer on the form (retour.js sends it)
    page.evaluate("""async (files) => {
        const transfer = new DataTransfer();
        for (const [name, bytes] of files) transfer.items.add(new File([new Uint8Array(bytes)], name));
        const zone = document.getElementById("retour-upload");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [[p.name, list(p.read_bytes())] for p in forms])
    expect(page).to_have_url(re.compile(r"\?taak="))
    wait_for_job(page)
    first = page.get_by_role("region", name=re.compile("^2026-101 Gezin Pietersen"))
    expect(first).to_contain_text("Nog niet ontvangen van: Rob Claassen (Politie).")
    expect(first.get_by_role("table", name="Ontvangen bestanden van 2026-101")).to_contain_text("kim.xlsx")
    second = page.get_by_role("region", name=re.compile("^2026-102 Gezin Öztürk"))
    expect(second).to_contain_text("Alle formulieren zijn binnen.")
    expect(second).not_to_contain_text("kim.xlsx")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert page_errors(page) == []
    page.screenshot(path=str(tmp_path / "retour.png"), full_page=True)
    if shot := __import__("os").environ.get("FORMKIT_RETOUR_SCREENSHOT"):  # to look at the page by hand
        shutil.copy(tmp_path / "retour.png", shot)


@pytest.mark.parametrize("where", ["werkmap", "overleg", "erboven"])
def test_the_work_folder_a_folder_in_it_or_around_it_is_no_source(client, config, batch, where):
    MeetingFolders(config.folder, MEETING).forms.mkdir(parents=True)
    folder = {"werkmap": config.folder, "overleg": MeetingFolders(config.folder, MEETING).root,
              "erboven": config.folder.parent}[where]
    response = post(client, f"{PAGE}/map", {"pad": str(folder)})
    assert response.status_code == 400
    assert "ligt in de werkmap van formkit" in unescape(response.text)
    assert not returns_folder(config).exists()  # nothing taken in
