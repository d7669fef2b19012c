"""Sending by mail: the envelope of every message, score sheets, reminders and feedback, over a real SMTP server."""

import datetime as dt
import email
import email.policy
import io

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register

from formkit.cli.main import main
from formkit.delivery.mail import XLSX_TYPE, Envelope
from formkit.delivery.reports import summarise, write_reports
from formkit.delivery.send import REMINDER, Attachment, Letter, return_by, send_letters
from formkit.plan.history import History, default_path
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

SENDER = "secretariaat@casusoverleg.example"
MEMBER_NAMES = [m.name for m in make_register().members] + [h.name for h in make_register().households]


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    return path


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "instellingen.toml"
    path.write_text(f'[post]\nafzender = "{SENDER}"\nantwoordadres = "retour@casusoverleg.example"\n'
                    "terugsturen_werkdagen = 3\n", encoding="utf-8")
    return path


def assert_proper(msg, sender=SENDER):
    """A message a real server accepts, with no household member's name in its subject or body."""
    assert msg["From"] == sender
    assert msg["Date"] and email.utils.parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["Message-ID"].endswith("@" + sender.split("@")[1] + ">")
    text = msg["Subject"] + "\n" + msg.get_body(("plain",)).get_content()
    for name in MEMBER_NAMES + ["Pietersen", "Öztürk"]:
        assert name not in text


def send(*args, settings=None):
    prefix = ["--instellingen", str(settings)] if settings else []
    return CliRunner().invoke(main, [*prefix, "send", *args], catch_exceptions=False)


# --- the envelope of the existing `formkit mail` -----------------------------------------


@pytest.fixture
def reports(tmp_path, returned, register):
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027", "situatie_1_omschrijving": "Er is niemand thuis."})
    batch = check_batch([tmp_path / "retour"], make_register(), build_schema())
    out = tmp_path / "rapporten"
    write_reports(summarise(batch, make_register()), make_register(), out)
    return out


def test_mail_with_smtp_and_no_sender_is_a_usage_error_and_sends_nothing(reports, register, smtp):
    sink, address = smtp
    result = CliRunner().invoke(main, ["mail", str(reports), "--register", str(register), "--smtp", address])
    assert result.exit_code == 2
    assert "afzender" in result.output and "Traceback" not in result.output
    assert sink.envelopes == []


def test_mail_envelope_from_the_settings(reports, register, settings, smtp):
    sink, address = smtp
    result = CliRunner().invoke(main, ["--instellingen", str(settings), "mail", str(reports), "--register",
                                       str(register), "--smtp", address])
    assert result.exit_code == 0, result.output
    assert len(sink.envelopes) == 2
    for envelope, msg in sink.messages():
        assert envelope.mail_from == SENDER  # never "None"
        assert msg["Reply-To"] == "retour@casusoverleg.example"
        assert_proper(msg)
    # the report's message names the dossier and the addressee, not who else is involved
    body = sink.to("k.verhoef@wijkteam.example")[0].get_body(("plain",)).get_content()
    assert "Beste Kim Verhoef," in body and "2026-101" in body and "Rob Claassen" not in body
    log = History(default_path(register)).disclosures(dossier="2026-101")
    assert [(d.disclosure.kind, d.disclosure.address, d.disclosure.channel, d.disclosure.command) for d in log] == [
        ("bericht", "k.verhoef@wijkteam.example", "smtp", "formkit mail")]


def test_mail_outbox_drafts_have_date_and_message_id(reports, register, tmp_path):
    outbox = tmp_path / "postvak"
    result = CliRunner().invoke(main, ["mail", str(reports), "--register", str(register), "--outbox", str(outbox),
                                       "--from", SENDER])
    assert result.exit_code == 0, result.output
    for path in outbox.glob("*.eml"):
        assert_proper(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))


def test_a_sender_that_is_no_address_is_refused(reports, register, smtp):
    sink, address = smtp
    result = CliRunner().invoke(main, ["mail", str(reports), "--register", str(register), "--smtp", address,
                                       "--from", "secretariaat\r\nBcc: x@y.example"])
    assert result.exit_code == 2 and sink.envelopes == []


# --- send forms ---------------------------------------------------------------------------


@pytest.fixture
def forms(tmp_path, register):
    out = tmp_path / "formulieren"
    result = CliRunner().invoke(main, ["forms", str(register), "--meeting", MEETING.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def forms_args(register, forms, address, *more):
    return ["forms", "--register", str(register), "--meeting", MEETING.isoformat(), "--forms", str(forms),
            "--smtp", address, *more]


def attachments(msg):
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def test_each_professional_receives_only_their_own_households_forms(register, forms, settings, smtp):
    sink, address = smtp
    result = send(*forms_args(register, forms, address), settings=settings)
    assert result.exit_code == 0, result.output
    assert "3 berichten met scoreformulieren verstuurd" in result.output
    expected = {"k.verhoef@wijkteam.example": ("2026-101", "P1"), "r.claassen@politie.example": ("2026-101", "P2"),
                "i.lammers@vt.example": ("2026-102", "P3")}
    assert sorted(r for e in sink.envelopes for r in e.rcpt_tos) == sorted(expected)
    for to, (dossier, code) in expected.items():
        [msg] = sink.to(to)
        form = forms / dossier / f"scoreformulier_{dossier}_{code}_2026-12-01.xlsx"
        assert attachments(msg) == {form.name: form.read_bytes()}
        assert_proper(msg)
        assert msg["Reply-To"] == "retour@casusoverleg.example"
        body = msg.get_body(("plain",)).get_content()
        # 1 December 2026 is a Tuesday: three working days before is Thursday 26 November
        assert "26 november 2026" in msg["Subject"] and "vóór 26 november 2026 terugsturen" in body
        assert f"dossier {dossier}" in body and "retour@casusoverleg.example" in body
    log = History(default_path(register)).disclosures()
    assert sorted((d.disclosure.dossier, d.disclosure.address, d.disclosure.kind, d.disclosure.channel)
                  for d in log if d.disclosure.channel == "smtp") == sorted((d, to, "scoreformulier", "smtp") for to, (d, _) in expected.items())
    assert History(default_path(register)).verify().intact


def test_a_second_run_sends_nothing_and_a_changed_form_goes_again(register, forms, settings, smtp):
    sink, address = smtp
    assert send(*forms_args(register, forms, address), settings=settings).exit_code == 0
    again = send(*forms_args(register, forms, address), settings=settings)
    assert again.exit_code == 0 and "0 berichten met scoreformulieren verstuurd" in again.output
    assert "3 waren al eerder zo verstuurd" in again.output
    assert len(sink.envelopes) == 3
    form = forms / "2026-102" / "scoreformulier_2026-102_P3_2026-12-01.xlsx"
    form.write_bytes(form.read_bytes() + b"\0")  # made again since
    third = send(*forms_args(register, forms, address), settings=settings)
    assert third.exit_code == 0 and "1 berichten met scoreformulieren verstuurd" in third.output
    assert "Iris Lammers (Veilig Thuis): dossier 2026-102 (opnieuw: een bijlage is gewijzigd" in third.output
    assert [e.rcpt_tos for e in sink.envelopes[3:]] == [["i.lammers@vt.example"]]


def test_reminders_go_only_to_those_whose_forms_have_not_come_back(tmp_path, register, forms, settings, smtp):
    sink, address = smtp
    back = tmp_path / "terug"
    back.mkdir()
    (back / "ingevuld.xlsx").write_bytes((forms / "2026-101" / "scoreformulier_2026-101_P1_2026-12-01.xlsx").read_bytes())
    (back / "oud.xlsx").write_bytes(b"geen werkboek")  # a refused file counts for no one
    result = send(*forms_args(register, forms, address, "--herinnering", "--retour", str(back)), settings=settings)
    assert result.exit_code == 0, result.output
    assert "2 herinneringen verstuurd" in result.output
    assert sorted(r for e in sink.envelopes for r in e.rcpt_tos) == ["i.lammers@vt.example",
                                                                     "r.claassen@politie.example"]
    [msg] = sink.to("r.claassen@politie.example")
    assert msg["Subject"].startswith("Herinnering: ") and list(attachments(msg)) == [
        "scoreformulier_2026-101_P2_2026-12-01.xlsx"]
    assert_proper(msg)
    again = send(*forms_args(register, forms, address, "--herinnering", "--retour", str(back)), settings=settings)
    assert again.exit_code == 0 and "0 herinneringen verstuurd" in again.output and len(sink.envelopes) == 2


def test_one_reminder_a_day_also_when_fewer_forms_are_missing_by_the_second_run(tmp_path):
    # a professional missing two forms in the morning and one in the afternoon gets one reminder that day
    p = make_register().professionals[0]
    def reminder(*dossiers):
        files = tuple(Attachment(f"scoreformulier_{d}.xlsx", d.encode(), XLSX_TYPE, d, "scoreformulier")
                      for d in dossiers)
        return Letter(p, REMINDER, MEETING, "Herinnering", "Graag terugsturen.", files)
    envelope = Envelope(SENDER)
    outbox = tmp_path / "postvak-uit"
    day = MEETING - dt.timedelta(days=5)
    morning = send_letters([reminder("2026-101", "2026-102")], tmp_path, envelope, outbox=outbox, smtp=None, today=day)
    afternoon = send_letters([reminder("2026-102")], tmp_path, envelope, outbox=outbox, smtp=None, today=day)
    next_day = send_letters([reminder("2026-102")], tmp_path, envelope, outbox=outbox, smtp=None,
                            today=day + dt.timedelta(days=1))
    assert (len(morning.sent), len(afternoon.sent), len(afternoon.already), len(next_day.sent)) == (1, 0, 1, 1)


def test_send_forms_usage_and_missing_pieces(tmp_path, register, forms, smtp):
    sink, address = smtp
    no_sender = send(*forms_args(register, forms, address))
    assert no_sender.exit_code == 2 and "afzender" in no_sender.output
    no_returns = send(*forms_args(register, forms, address, "--from", SENDER, "--herinnering"))
    assert no_returns.exit_code == 2 and "--retour" in no_returns.output
    other_day = send("forms", "--register", str(register), "--meeting", "2026-12-02", "--forms", str(forms),
                     "--from", SENDER, "--smtp", address)
    assert other_day.exit_code == 2 and "geen casusoverleg" in other_day.output
    assert sink.envelopes == []
    (forms / "2026-101" / "scoreformulier_2026-101_P2_2026-12-01.xlsx").unlink()
    outbox = tmp_path / "postvak"
    partial = send("forms", "--register", str(register), "--meeting", MEETING.isoformat(), "--forms", str(forms),
                   "--outbox", str(outbox))
    assert partial.exit_code == 1
    assert "het scoreformulier van Rob Claassen (Politie) voor dossier 2026-101 staat niet in" in partial.output
    assert sorted(p.name for p in outbox.iterdir()) == ["scoreformulieren_P1_2026-12-01.eml",
                                                         "scoreformulieren_P3_2026-12-01.eml"]
    draft = email.message_from_bytes((outbox / "scoreformulieren_P1_2026-12-01.eml").read_bytes(),
                                     policy=email.policy.default)
    assert draft["X-Unsent"] == "1" and draft["Date"] and draft["Message-ID"]


def test_return_by_counts_working_days():
    import datetime as dt

    assert return_by(dt.date(2026, 12, 1), 3) == dt.date(2026, 11, 26)  # Tue -> Thu, over a weekend
    assert return_by(dt.date(2026, 12, 7), 1) == dt.date(2026, 12, 4)  # Mon -> Fri
    assert return_by(dt.date(2026, 12, 7), 0) == dt.date(2026, 12, 7)


# --- send feedback ------------------------------------------------------------------------


def test_feedback_only_to_whom_has_findings_on_their_own_forms(reports, register, settings, smtp):
    sink, address = smtp
    args = ["feedback", "--rapporten", str(reports), "--register", str(register), "--smtp", address]
    result = send(*args, settings=settings)
    assert result.exit_code == 0, result.output
    assert [e.rcpt_tos for e in sink.envelopes] == [["k.verhoef@wijkteam.example"]]
    [msg] = sink.to("k.verhoef@wijkteam.example")
    assert_proper(msg)
    [(name, text)] = attachments(msg).items()
    assert name == "bevindingen_2026-101_P1.txt"
    assert "begint niet met de naam van het slachtoffer" in text and "2026-101_P1.xlsx" in text
    assert "\n- fout: " in text and "Severity" not in text
    assert "verbeteren en opnieuw terugsturen" in msg.get_body(("plain",)).get_content()
    again = send(*args, settings=settings)
    assert again.exit_code == 0 and len(sink.envelopes) == 1 and "al eerder zo verstuurd" in again.output
    [logged] = History(default_path(register)).disclosures(recipient="k.verhoef")
    assert logged.disclosure.command == "formkit send feedback" and logged.disclosure.kind == "bericht"


def test_settings_post_table_is_checked(tmp_path, register, reports):
    bad = tmp_path / "fout.toml"
    bad.write_text('[post]\nafzender = "geen adres"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--instellingen", str(bad), "mail", str(reports), "--register", str(register)])
    assert result.exit_code == 2 and "afzender moet een e-mailadres zijn" in result.output
    unknown = tmp_path / "onbekend.toml"
    unknown.write_text('[post]\nafzendr = "a@b.example"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--instellingen", str(unknown), "mail", str(reports), "--register",
                                       str(register)])
    assert result.exit_code == 2 and "afzendr" in result.output


def test_post_table_is_no_method_setting(tmp_path):
    from formkit.core.settings import load_settings

    path = tmp_path / "i.toml"
    path.write_text('max_conditions = 4\n[post]\nafzender = "a@b.example"\n', encoding="utf-8")
    assert load_settings(path).max_conditions == 4


# --- send plan ----------------------------------------------------------------------------


def merged(tmp_path, returned, register, *more):
    returned(COMPLETE)
    returned(COMPLETE, dossier="2026-102", professional="P3")
    plans = tmp_path / "plannen"
    CliRunner().invoke(main, ["merge", str(tmp_path / "retour"), "--register", str(register), "--meeting",
                              MEETING.isoformat(), "--out", str(plans), *more])
    assert (plans / "2026-101" / "2026-12-01" / "v1" / "plan.json").is_file()
    assert (plans / "2026-102" / "2026-12-01" / "v1" / "plan.json").is_file()
    return plans


def test_the_plan_goes_as_pdf_to_each_professional_on_its_list(tmp_path, returned, register, settings, smtp):
    sink, address = smtp
    plans = merged(tmp_path, returned, register)
    args = ["plan", "--plannen", str(plans), "--register", str(register), "--meeting", MEETING.isoformat(),
            "--smtp", address]
    result = send(*args, settings=settings)
    assert result.exit_code == 0, result.output
    expected = {"k.verhoef@wijkteam.example": "2026-101", "r.claassen@politie.example": "2026-101",
                "i.lammers@vt.example": "2026-102"}
    assert sorted(r for e in sink.envelopes for r in e.rcpt_tos) == sorted(expected)
    for to, dossier in expected.items():
        [msg] = sink.to(to)
        assert_proper(msg)
        [(name, data)] = attachments(msg).items()
        assert name == f"veiligheidsplan_{dossier}_2026-12-01_v1.pdf" and data.startswith(b"%PDF")
    again = send(*args, settings=settings)
    assert again.exit_code == 0 and len(sink.envelopes) == 3 and "3 waren al eerder zo verstuurd" in again.output
    kinds = {(d.disclosure.kind, d.disclosure.command) for d in History(default_path(register)).disclosures()
             if d.disclosure.channel == "smtp"}
    assert kinds == {("veiligheidsplan", "formkit send plan")}


def test_an_encrypted_plan_opens_only_with_its_recipients_password(tmp_path, returned, register, monkeypatch):
    from pypdf import PdfReader

    import formkit.delivery.send as sending

    plans = merged(tmp_path, returned, register, "--pdf")  # with archive copies: no LibreOffice when sending

    def no_conversion(*args, **kwargs):
        raise AssertionError("the archive copy should have been used")

    monkeypatch.setattr(sending, "convert_to_pdf", no_conversion)
    outbox = tmp_path / "postvak"
    result = send("plan", "--plannen", str(plans), "--register", str(register), "--meeting", MEETING.isoformat(),
                  "--outbox", str(outbox), "--encrypt", "--wachtwoorden", str(tmp_path / "wachtwoorden.txt"),
                  "--from", SENDER)
    assert result.exit_code == 0, result.output
    listed = (tmp_path / "wachtwoorden.txt").read_text(encoding="utf-8")
    password = {line.split("\t")[2]: line.split("\t")[3] for line in listed.splitlines() if "\t" in line}
    assert sorted(password) == ["i.lammers@vt.example", "k.verhoef@wijkteam.example", "r.claassen@politie.example"]
    assert len(set(password.values())) == 3
    drafts = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox.glob("*.eml")]
    assert len(drafts) == 3
    for msg in drafts:
        to = msg["To"].addresses[0].addr_spec
        assert_proper(msg)
        assert password[to] not in msg.as_string()  # never in the mail
        [(_, data)] = attachments(msg).items()
        reader = PdfReader(io.BytesIO(data))
        assert reader.is_encrypted
        assert not reader.decrypt("fout")
        assert reader.decrypt(password[to]) and len(reader.pages) >= 1


def test_feedback_never_carries_a_colleagues_findings(tmp_path, returned, register, settings, smtp):
    sink, address = smtp
    returned(COMPLETE | {"situatie_1_omschrijving": "Er is niemand thuis."})
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027"}, professional="P2")
    batch = check_batch([tmp_path / "retour"], make_register(), build_schema())
    out = tmp_path / "rapporten2"
    write_reports(summarise(batch, make_register()), make_register(), out)
    result = send("feedback", "--rapporten", str(out), "--register", str(register), "--smtp", address,
                  settings=settings)
    assert result.exit_code == 0, result.output
    assert sorted(r for e in sink.envelopes for r in e.rcpt_tos) == ["k.verhoef@wijkteam.example",
                                                                     "r.claassen@politie.example"]
    for to, own, other in (("k.verhoef@wijkteam.example", "2026-101_P1.xlsx", "2026-101_P2.xlsx"),
                           ("r.claassen@politie.example", "2026-101_P2.xlsx", "2026-101_P1.xlsx")):
        [msg] = sink.to(to)
        [text] = attachments(msg).values()
        assert own in text and other not in text


def test_feedback_follows_the_sealed_author_not_the_file_name(tmp_path, returned, register, settings, smtp):
    sink, address = smtp
    for sub in ("kim", "iris"):
        (tmp_path / "retour" / sub).mkdir()
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027"}, name="kim/ingevuld.xlsx")
    returned(COMPLETE | {"voorwaarde_1_termijn": "16-1-2027"}, dossier="2026-102", professional="P3",
             name="iris/ingevuld.xlsx")  # the same file name, another person and household
    batch = check_batch([tmp_path / "retour"], make_register(), build_schema())
    out = tmp_path / "rapporten2"
    write_reports(summarise(batch, make_register()), make_register(), out)
    result = send("feedback", "--rapporten", str(out), "--register", str(register), "--smtp", address,
                  settings=settings)
    assert result.exit_code == 0, result.output
    [kim] = sink.to("k.verhoef@wijkteam.example")
    [iris] = sink.to("i.lammers@vt.example")
    assert list(attachments(kim)) == ["bevindingen_2026-101_P1.txt"]
    assert list(attachments(iris)) == ["bevindingen_2026-102_P3.txt"]
    assert "15-1-2027" in attachments(kim)["bevindingen_2026-101_P1.txt"]
    assert "16-1-2027" not in attachments(kim)["bevindingen_2026-101_P1.txt"]


def test_feedback_reaches_who_returned_a_form_by_mail(tmp_path, returned, register, settings, smtp):
    import email.message

    sink, address = smtp
    form = returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027"})
    message = email.message.EmailMessage()
    message["From"], message["Subject"] = "k.verhoef@wijkteam.example", "formulier"
    message.set_content("zie bijlage")
    message.add_attachment(form.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=form.name)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "antwoord.eml").write_bytes(message.as_bytes())
    batch = check_batch([inbox], make_register(), build_schema())
    out = tmp_path / "rapporten2"
    write_reports(summarise(batch, make_register()), make_register(), out)
    result = send("feedback", "--rapporten", str(out), "--register", str(register), "--smtp", address,
                  settings=settings)
    assert result.exit_code == 0, result.output
    [kim] = sink.to("k.verhoef@wijkteam.example")
    assert list(attachments(kim)) == ["bevindingen_2026-101_P1.txt"]


def test_encrypting_needs_a_place_for_the_passwords_away_from_the_plans(tmp_path, returned, register):
    plans = merged(tmp_path, returned, register)
    result = send("plan", "--plannen", str(plans), "--register", str(register), "--meeting", MEETING.isoformat(),
                  "--outbox", str(tmp_path / "postvak"), "--encrypt", "--from", SENDER)
    assert result.exit_code == 2 and "--wachtwoorden" in result.output
    assert not (tmp_path / "postvak").exists() and not list(plans.rglob("wachtwoorden*"))


def test_a_list_of_addresses_is_no_sender():
    from formkit.delivery.mail import address_ok

    assert address_ok("secretariaat@casusoverleg.example")
    assert not address_ok("a@b.example, c@d.example") and not address_ok("a@b.example; c@d.example")


def test_the_mail_server_in_the_settings_is_read_and_checked(tmp_path):
    from formkit.core.errors import SettingsError
    from formkit.core.settings import load_post_settings

    path = tmp_path / "instellingen.toml"
    path.write_text('[post]\nmailserver = "smtp.gemeente.example:587"\nbeveiliging = "starttls"\n'
                    'gebruiker = "secretariaat"\n', encoding="utf-8")
    post = load_post_settings(path)
    assert (post.mailserver, post.beveiliging, post.gebruiker) == ("smtp.gemeente.example:587", "starttls", "secretariaat")
    for wrong, word in (('beveiliging = "tls"', "beveiliging"), ('mailserver = "smtp example"', "mailserver"),
                        ("gebruiker = 5", "gebruiker"), ('wachtwoord = "geheim"', "onbekende instelling")):
        path.write_text(f"[post]\n{wrong}\n", encoding="utf-8")
        with pytest.raises(SettingsError, match=word):
            load_post_settings(path)
