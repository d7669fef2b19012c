"""The Mail page: previews of each message, the outbox, SMTP with From/Date/Message-ID, the password never kept."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import socket
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import COMPLETE, MEETING, fill, make_register
from starlette.testclient import TestClient

from formkit.app.config import AppConfig, MeetingFolders
from formkit.delivery.reports import summarise, write_reports
from formkit.plan.history import History, default_path
from formkit.register.model import Professional
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.forms import write_forms
from formkit.sheets.schema import build_schema

from .client import config_for, finished, post, previewed, signed_in

DAY = MEETING.isoformat()
SENDER = "secretariaat@casusoverleg.example"
USER, PASSWORD = "secretariaat", "Zeer-Geheim-Wachtwoord-42"


@pytest.fixture
def config(tmp_path, register_path) -> AppConfig:
    return config_for(tmp_path, register_path)


@pytest.fixture
def folders(config) -> MeetingFolders:
    return MeetingFolders(config.folder, MEETING)


@pytest.fixture
def client(config) -> TestClient:
    return signed_in(config)


@pytest.fixture
def forms(folders) -> MeetingFolders:
    """The meeting's score sheets in its forms folder, as the Overleg page makes them."""
    write_forms(make_register(), MEETING, folders.forms)
    return folders


@pytest.fixture
def reports(tmp_path, folders, returned) -> MeetingFolders:
    """The meeting's check reports: one form of 2026-101 returned with a mistake, the others missing."""
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027"})
    register = make_register()
    batch = check_batch([tmp_path / "retour"], register, build_schema(), meeting=MEETING)
    write_reports(summarise(batch, register), register, folders.reports)
    return folders


def articles(html: str) -> dict[str, str]:
    """Return each previewed message's HTML by its addressee line ("Aan: ...")."""
    found = re.findall(r'<article class="bericht".*?<h3[^>]*>Aan: ([^<]+)</h3>(.*?)</article>', html, re.S)
    return {to.replace("&lt;", "<").replace("&gt;", ">"): body for to, body in found}


def send(client: TestClient, kind: str, **fields: str):
    """Post the send form of a kind after its preview; return (redirect response, finished job) or the refusal."""
    if "vingerafdruk" not in fields:
        fields = {"vingerafdruk": previewed(client, DAY, kind), **fields}
    response = post(client, f"/mail/{DAY}/versturen", {"soort": kind, **fields})
    if response.status_code != 303:
        return response, None
    return response, finished(client, response.headers["location"].rsplit("taak=", 1)[1])


def result_page(client: TestClient, response) -> str:
    return client.get(response.headers["location"]).text


# --- previews --------------------------------------------------------------------------------


def test_without_a_register_the_page_says_to_choose_one(tmp_path):
    response = signed_in(config_for(tmp_path)).get(f"/mail/{DAY}?soort=formulieren")
    assert response.status_code == 409
    assert "Kies eerst het register" in response.text


def test_the_page_offers_the_kinds_of_message(client):
    page = client.get(f"/mail/{DAY}").text
    assert "<h1>Mail</h1>" in page
    for title in ("Controlerapporten aan de regisseur", "Scoreformulieren aan de professionals",
                  "Terugkoppeling op teruggestuurde formulieren"):
        assert title in page
    assert client.get(f"/mail?datum={DAY}", follow_redirects=False).headers["location"] == f"/mail/{DAY}"


def test_the_preview_shows_each_professional_only_their_own_households_forms(client, forms):
    page = client.get(f"/mail/{DAY}?soort=formulieren").text
    messages = articles(page)
    assert sorted(messages) == ["Iris Lammers <i.lammers@vt.example>", "Kim Verhoef <k.verhoef@wijkteam.example>",
                                "Rob Claassen <r.claassen@politie.example>"]
    kim, iris = messages["Kim Verhoef <k.verhoef@wijkteam.example>"], messages["Iris Lammers <i.lammers@vt.example>"]
    assert f"<li>scoreformulier_2026-101_P1_{DAY}.xlsx</li>" in kim
    assert "2026-102" not in kim and "Öztürk" not in kim
    assert f"<li>scoreformulier_2026-102_P3_{DAY}.xlsx</li>" in iris
    assert "2026-101" not in iris and "Pietersen" not in iris
    assert "Scoreformulieren casusoverleg 1 december 2026, graag terug vóór" in kim
    assert "Beste Kim Verhoef," in kim
    assert "PK\x03\x04" not in page  # names only, never the attachment's content


def test_the_preview_of_the_reports_goes_to_each_regisseur(client, reports):
    messages = articles(client.get(f"/mail/{DAY}?soort=rapporten").text)
    kim = messages["Kim Verhoef <k.verhoef@wijkteam.example>"]
    assert "Controle scoreformulieren dossier 2026-101, casusoverleg 1 december 2026" in kim
    assert "2026-102" not in kim
    assert re.search(r"<li>controlerapport_2026-101[^<]*\.docx</li>", kim)


def test_without_reports_the_page_says_to_check_first(client):
    page = client.get(f"/mail/{DAY}?soort=rapporten").text
    assert "Er zijn nog geen controlerapporten voor dit overleg" in page
    assert "Versturen</button>" not in page


# --- the outbox ------------------------------------------------------------------------------


def test_the_outbox_gets_eml_drafts_and_a_second_send_sends_nothing(client, forms, config):
    response, job = send(client, "formulieren", wijze="postvak")
    assert job is not None and job.state == "klaar", job and job.text
    page = result_page(client, response)
    box = forms.forms / "postvak-uit"
    assert f"3 berichten klaargezet in {box}" in page
    drafts = sorted(p.name for p in box.glob("*.eml"))
    assert drafts == [f"scoreformulieren_P{n}_{DAY}.eml" for n in (1, 2, 3)]
    draft = email.message_from_bytes((box / drafts[2]).read_bytes(), policy=email.policy.default)
    assert draft["To"] == "Iris Lammers <i.lammers@vt.example>"
    assert [a.get_filename() for a in draft.iter_attachments()] == [f"scoreformulier_2026-102_P3_{DAY}.xlsx"]

    again, job = send(client, "formulieren", wijze="postvak")
    assert job is not None and job.state == "klaar"
    page = result_page(client, again)
    assert "0 berichten klaargezet" in page
    assert "3 berichten waren al eerder zo verstuurd en gaan niet nog een keer" in page
    assert config.register is not None
    log = History(default_path(config.register)).disclosures()
    assert sorted((e.disclosure.dossier, e.disclosure.channel, e.disclosure.command) for e in log) == [
        ("2026-101", "postvak", "formkit app"), ("2026-101", "postvak", "formkit app"),
        ("2026-102", "postvak", "formkit app")]


def test_the_reports_go_to_the_outbox_beside_the_reports_and_into_the_log(client, reports, config):
    response, job = send(client, "rapporten", wijze="postvak")
    assert job is not None and job.state == "klaar", job and job.text
    assert "2 berichten klaargezet" in result_page(client, response)
    assert sorted(p.name for p in (reports.reports / "postvak-uit").glob("*.eml")) == [
        "controlerapport_2026-101.eml", "controlerapport_2026-102.eml"]
    assert config.register is not None
    log = History(default_path(config.register)).disclosures()
    assert sorted((e.disclosure.dossier, e.disclosure.kind, e.disclosure.recipient, e.disclosure.command)
                  for e in log) == [("2026-101", "bericht", "Kim Verhoef (Wijkteam West)", "formkit app"),
                                    ("2026-102", "bericht", "Iris Lammers (Veilig Thuis)", "formkit app")]


# --- SMTP ------------------------------------------------------------------------------------


def test_smtp_delivers_messages_with_from_date_and_message_id(client, forms, smtp):
    sink, address = smtp
    response, job = send(client, "formulieren", wijze="smtp", server=address, beveiliging="none", afzender=SENDER)
    assert job is not None and job.state == "klaar", job and job.text
    assert "3 berichten verstuurd via 127.0.0.1" in result_page(client, response)
    received = sink.messages()
    assert sorted(e.rcpt_tos[0] for e, _ in received) == ["i.lammers@vt.example", "k.verhoef@wijkteam.example",
                                                         "r.claassen@politie.example"]
    for envelope, msg in received:
        assert envelope.mail_from == SENDER and msg["From"] == SENDER
        assert msg["Date"] and msg["Message-ID"].endswith("@casusoverleg.example>")
    assert not (forms.forms / "postvak-uit").exists()
    again, job = send(client, "formulieren", wijze="smtp", server=address, beveiliging="none", afzender=SENDER)
    assert "al eerder zo verstuurd" in result_page(client, again)
    assert len(sink.messages()) == 3


def test_smtp_without_a_sender_is_refused_on_the_page(client, forms, smtp):
    _, address = smtp
    response, job = send(client, "formulieren", wijze="smtp", server=address, beveiliging="none")
    assert job is None and response.status_code == 400
    assert "versturen via een mailserver kan alleen met een afzender" in response.text


def test_a_login_without_encryption_is_refused_and_the_password_not_echoed(client, forms, smtp):
    _, address = smtp
    response, job = send(client, "formulieren", wijze="smtp", server=address, beveiliging="none", afzender=SENDER,
                         gebruiker=USER, wachtwoord=PASSWORD)
    assert job is None and response.status_code == 400
    assert "inloggen zonder versleuteling doet formkit niet" in response.text
    assert PASSWORD not in response.text
    assert f'value="{USER}"' in response.text  # the other fields stay filled in


def test_sending_without_the_csrf_value_is_refused(client, forms):
    response = client.post(f"/mail/{DAY}/versturen", data={"soort": "formulieren", "wijze": "postvak"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert not (forms.forms / "postvak-uit").exists()


@pytest.fixture
def tls_server(tmp_path):
    """A real SMTP server on loopback that requires STARTTLS and a login; yields (sink, port, CA file)."""
    from conftest import Sink

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            server_hostname="127.0.0.1", tls_context=context, require_starttls=True,
                            auth_require_tls=True)
    controller.start()
    yield sink, port, cafile
    controller.stop()


def test_the_smtp_password_is_used_once_and_never_shown_logged_or_kept(client, forms, tls_server, caplog):
    sink, port, cafile = tls_server
    caplog.set_level(logging.DEBUG)
    fields = dict(wijze="smtp", server=f"127.0.0.1:{port}", beveiliging="starttls", gebruiker=USER,
                  wachtwoord=PASSWORD, afzender=SENDER, certificaat=str(cafile))
    response, job = send(client, "formulieren", **fields)
    assert job is not None and job.state == "klaar", job and job.text
    bodies = [result_page(client, response), client.get(f"/mail/{DAY}?soort=formulieren").text,
              client.get(f"/taken/{job.id}").text]
    assert "3 berichten verstuurd via 127.0.0.1" in bodies[0]
    assert len(sink.messages()) == 3
    for body in bodies:
        assert PASSWORD not in body
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(job.result) and PASSWORD not in repr(client.app.state.formkit)


def test_a_wrong_password_is_a_finding_not_a_failure(client, reports, tls_server):
    sink, port, cafile = tls_server
    response, job = send(client, "rapporten", wijze="smtp", server=f"127.0.0.1:{port}", beveiliging="starttls",
                         gebruiker=USER, wachtwoord="fout", afzender=SENDER, certificaat=str(cafile))
    assert job is not None and job.state == "klaar", job.text
    page = result_page(client, response)
    assert "0 berichten verstuurd" in page and "inloggen geweigerd" in page
    assert sink.messages() == []


# --- the rules of the way out, shared with `formkit mail` and `formkit send` -------------------


def test_the_server_rules_are_the_commands_rules():
    from formkit.core.errors import UsageError
    from formkit.core.settings import PostSettings
    from formkit.delivery.post import message_envelope, smtp_server

    assert (smtp_server("mail.example", "starttls", None, None).port, smtp_server("mail.example", "ssl", None, None).port,
            smtp_server("mail.example:2525", None, None, None).port) == (587, 465, 2525)
    assert smtp_server("mail.example", None, None, "weg").password is None  # no login, no password kept
    for address, security, user in (("mail.example:poort", None, None), (":25", None, None),
                                     ("mail.example", None, USER)):
        with pytest.raises(UsageError):
            smtp_server(address, security, user, PASSWORD)
    post = PostSettings(afzender=SENDER, antwoordadres="antwoord@casusoverleg.example")
    assert message_envelope(None, post, smtp=True) == message_envelope("", post, smtp=True)
    assert message_envelope(None, post, smtp=True).sender == SENDER
    with pytest.raises(UsageError):
        message_envelope("secretariaat\r\nBcc: x@y.example", post, smtp=True)
    with pytest.raises(UsageError):
        message_envelope(None, PostSettings(), smtp=True)
    assert message_envelope(None, PostSettings(), smtp=False).sender is None  # drafts need no sender


# --- the reminders and the plan: previews built in a job ----------------------------------------


def preview_job(client: TestClient, kind: str, **fields: str) -> str:
    """Start the preview job of a slow kind; return the page that shows its previews once done."""
    response = post(client, f"/mail/{DAY}/voorbeeld", {"soort": kind, **fields})
    assert response.status_code == 303, response.text
    job = finished(client, response.headers["location"].rsplit("taak=", 1)[1])
    assert job.state == "klaar", job.text
    return client.get(response.headers["location"]).text


def test_reminders_go_only_for_the_forms_not_back(client, forms, returned):
    forms.returns.mkdir(parents=True)
    returned(COMPLETE).rename(forms.returns / "ingevuld.xlsx")  # Kim's form of 2026-101 is back
    page = client.get(f"/mail/{DAY}?soort=herinnering").text
    assert "Berichten samenstellen</button>" in page and "<article" not in page  # the check runs in a job
    messages = articles(preview_job(client, "herinnering"))
    assert sorted(messages) == ["Iris Lammers <i.lammers@vt.example>", "Rob Claassen <r.claassen@politie.example>"]
    assert "Herinnering: scoreformulieren casusoverleg 1 december 2026" in messages[
        "Rob Claassen <r.claassen@politie.example>"]
    response, job = send(client, "herinnering", wijze="postvak")
    assert job is not None and job.state == "klaar", job and job.text
    assert "2 berichten klaargezet" in result_page(client, response)
    assert sorted(p.name for p in (forms.forms / "postvak-uit").glob("*.eml")) == [
        f"herinnering_P2_{DAY}.eml", f"herinnering_P3_{DAY}.eml"]


@pytest.fixture
def plans(tmp_path, folders, returned) -> MeetingFolders:
    """Merged plans of both households in the meeting's plans folder (no archive copy: LibreOffice converts)."""
    from formkit.documents.plan_files import merge_and_write

    returned(COMPLETE)
    returned(COMPLETE, dossier="2026-102", professional="P3")
    register = make_register()
    batch = check_batch([tmp_path / "retour"], register, build_schema(), meeting=MEETING)
    written = list(merge_and_write(batch, register, build_schema(), folders.plans))
    assert len(written) == 2
    return folders


def test_encrypted_plans_go_with_each_recipients_password_shown_once(client, plans):
    import io

    from pypdf import PdfReader

    page = preview_job(client, "plan", versleutelen="ja")
    messages = articles(page)
    assert sorted(messages) == ["Iris Lammers <i.lammers@vt.example>", "Kim Verhoef <k.verhoef@wijkteam.example>",
                                "Rob Claassen <r.claassen@politie.example>"]
    iris = messages["Iris Lammers <i.lammers@vt.example>"]
    assert f"<li>veiligheidsplan_2026-102_{DAY}_v1.pdf</li>" in iris and "2026-101" not in iris
    assert "Dat wachtwoord krijgt u apart" in iris
    response, job = send(client, "plan", wijze="postvak", versleutelen="ja")
    assert job is not None and job.state == "klaar", job and job.text
    first = result_page(client, response)
    assert "3 berichten klaargezet" in first
    shown = dict(re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td><code class=\"wachtwoord\">([^<]+)</code>", first))
    assert sorted(shown) == ["i.lammers@vt.example", "k.verhoef@wijkteam.example", "r.claassen@politie.example"]
    again = result_page(client, response)
    assert "al getoond" in again and not any(password in again for password in shown.values())
    box = plans.plans / "postvak-uit"
    for path in box.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        to = msg["To"].addresses[0].addr_spec
        assert shown[to] not in msg.as_string()
        [attachment] = list(msg.iter_attachments())
        reader = PdfReader(io.BytesIO(attachment.get_content()))
        assert reader.is_encrypted and reader.decrypt(shown[to])
    assert not list(plans.root.rglob("wachtwoorden*"))


def test_a_letters_preview_is_what_its_message_shows(forms):
    from formkit.app.pages.mail import letter_preview, preview
    from formkit.delivery.mail import Envelope
    from formkit.delivery.send import form_letters, message

    letters, _ = form_letters(make_register(), MEETING, forms.forms, working_days=3, reply_to=SENDER)
    assert len(letters) == 3
    for letter in letters:
        assert letter_preview(letter) == preview(message(letter, Envelope(SENDER)))


# --- the send form filled in from the settings file's [post] ------------------------------------


def field_values(html: str) -> dict[str, str]:
    """Return the send form's text and password fields by id, and the security option chosen."""
    form = html.split('class="mail-versturen"', 1)[1].split("</form>", 1)[0]
    values = dict(re.findall(r'<input type="(?:text|password)" id="([^"]+)" name="[^"]+" value="([^"]*)"', form))
    chosen = re.findall(r'<option value="([^"]+)" selected>', form)
    return values | {"beveiliging": chosen[0] if chosen else ""}


@pytest.fixture
def post_settings(tmp_path, register_path) -> TestClient:
    settings = tmp_path / "instellingen.toml"
    settings.write_text(f'[post]\nafzender = "{SENDER}"\nmailserver = "smtp.gemeente.example:2525"\n'
                        f'beveiliging = "ssl"\ngebruiker = "{USER}"\n', encoding="utf-8")
    return signed_in(AppConfig(register=register_path, folder=tmp_path / "werk", settings=settings))


def test_the_send_form_offers_the_mail_server_security_and_user_of_the_settings_file(post_settings, forms):
    page = post_settings.get(f"/mail/{DAY}?soort=formulieren")
    assert page.status_code == 200
    assert field_values(page.text) == {"server": "smtp.gemeente.example:2525", "beveiliging": "ssl", "gebruiker": USER,
                                       "wachtwoord": "", "certificaat": "", "afzender": SENDER}


def test_the_settings_files_geen_is_the_forms_no_encryption_and_a_slow_kinds_form_is_filled_in_too(
        tmp_path, register_path, forms):
    settings = tmp_path / "instellingen.toml"
    settings.write_text('[post]\nmailserver = "10.0.0.5"\nbeveiliging = "geen"\n', encoding="utf-8")
    client = signed_in(AppConfig(register=register_path, folder=tmp_path / "werk", settings=settings))
    assert field_values(client.get(f"/mail/{DAY}?soort=formulieren").text) == {
        "server": "10.0.0.5", "beveiliging": "none", "gebruiker": "", "wachtwoord": "", "certificaat": "",
        "afzender": ""}
    assert field_values(preview_job(client, "herinnering"))["beveiliging"] == "none"


def test_without_post_settings_the_form_is_empty_with_starttls(client, forms):
    assert field_values(client.get(f"/mail/{DAY}?soort=formulieren").text) == {
        "server": "", "beveiliging": "starttls", "gebruiker": "", "wachtwoord": "", "certificaat": "", "afzender": ""}


def test_a_refused_send_keeps_what_was_typed_over_the_settings_but_never_the_password(post_settings, forms):
    response, job = send(post_settings, "formulieren", wijze="smtp", server="ander.example", beveiliging="none",
                         gebruiker=USER, wachtwoord=PASSWORD, afzender=SENDER)
    assert job is None and response.status_code == 400
    assert field_values(response.text) == {
        "server": "ander.example", "beveiliging": "none", "gebruiker": USER, "wachtwoord": "", "certificaat": "",
        "afzender": SENDER}
    assert PASSWORD not in response.text


def test_the_preview_reads_the_register_again_and_a_send_after_a_change_sends_nothing(client, forms, config):
    fingerprint = previewed(client, DAY, "formulieren")
    assert "k.verhoef@wijkteam.example" in client.get(f"/mail/{DAY}?soort=formulieren").text
    changed = make_register()
    changed.professionals[0] = Professional("P1", "Kim Verhoef", "Wijkteam West", "gezinscoach",
                                            "iemand.anders@elders.example")
    write_register(changed, config.register)  # changed on disk after the preview
    page = client.get(f"/mail/{DAY}?soort=formulieren").text
    assert "iemand.anders@elders.example" in page and "k.verhoef@wijkteam.example" not in page  # as it will go
    response, job = send(client, "formulieren", wijze="postvak", vingerafdruk=fingerprint)
    assert job is not None and job.state == "mislukt"
    assert "de berichten zijn veranderd sinds het voorbeeld" in result_page(client, response)
    assert not list((forms.forms / "postvak-uit").glob("*.eml"))
    response, job = send(client, "formulieren", wijze="postvak")  # after looking again: it goes
    assert job is not None and job.state == "klaar", job.text
    assert "iemand.anders@elders.example" in (forms.forms / "postvak-uit" / f"scoreformulieren_P1_{DAY}.eml").read_text()


def test_a_send_without_a_preview_is_refused(client, forms):
    response = post(client, f"/mail/{DAY}/versturen", {"soort": "formulieren", "wijze": "postvak"})
    assert response.status_code == 400
    assert "Bekijk eerst het voorbeeld van de berichten" in response.text
    assert not (forms.forms / "postvak-uit").exists()


def test_reminders_when_every_form_is_back_are_a_result_not_a_failure(client, forms, blank_forms, monkeypatch):
    fingerprint = previewed(client, DAY, "herinnering")  # one form still out at the preview
    forms.returns.mkdir(parents=True)
    for (dossier, professional), path in blank_forms.items():
        fill(path, COMPLETE, forms.returns / f"{dossier}_{professional}.xlsx")
    response, job = send(client, "herinnering", wijze="postvak", vingerafdruk=fingerprint)
    assert job is not None and job.state == "klaar", job.text
    html = result_page(client, response)
    assert "Alle formulieren zijn terug; er gaat geen herinnering uit." in html
    assert "niet gelukt" not in html
    assert not list((forms.forms / "postvak-uit").glob("*.eml"))
