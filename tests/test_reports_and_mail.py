"""Validation reports per dossier, and mailing them to the regisseur through a real SMTP server."""

import email
import email.policy
import json
import socket
import ssl
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from conftest import COMPLETE, make_register
from docx import Document
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.delivery.mail import LEDGER
from formkit.delivery.reports import MANIFEST, summarise, write_reports
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
USER, PASSWORD = "secretariaat", "geheim wachtwoord"


@pytest.fixture
def reports(tmp_path, returned):
    """Reports for the small register: one form with a mistake, three forms not returned... one returned."""
    returned(COMPLETE | {"voorwaarde_1_termijn": "15-1-2027", "situatie_1_omschrijving": "Er is niemand thuis."})
    register = make_register()
    batch = check_batch([tmp_path / "retour"], register, SCHEMA)
    out = tmp_path / "rapporten"
    write_reports(summarise(batch, register), register, out)
    path = tmp_path / "register.xlsx"
    write_register(register, path)
    return out, path


def test_xlsx_report_one_row_per_finding_filtered_frozen_coloured(reports):
    out, _ = reports
    wb = load_workbook(out / "2026-101" / "controlerapport_2026-101_2026-12-01.xlsx")
    ws = wb["Bevindingen"]
    header = [c.value for c in ws[1]]
    assert header == ["Ernst", "Professional", "Organisatie", "Bestand", "Blad", "Cel", "Veld", "Melding"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["fout", "fout", "waarschuwing"]  # errors first
    described = next(r for r in rows if "begint niet met de naam" in r[7])
    assert described[1:4] == ["Kim Verhoef", "Wijkteam West", "2026-101_P1.xlsx"]
    assert described[6] == "Omschrijving (TOP 1)" and described[5] == SCHEMA.input("situatie_1_omschrijving").cell
    assert any(r[7] == "geen scoreformulier ontvangen van Rob Claassen (Politie)." for r in rows)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H4"
    assert ws["A2"].fill.fgColor.rgb.endswith("F8CBAD") and ws["A4"].fill.fgColor.rgb.endswith("FFE699")
    received = [[c.value for c in row] for row in wb["Ontvangen"].iter_rows(min_row=2)]
    assert received == [["Kim Verhoef", "Wijkteam West", "2026-101_P1.xlsx", "verwerkt"]]


def test_word_report_for_the_regisseur(reports):
    out, _ = reports
    doc = Document(out / "2026-101" / "controlerapport_2026-101_2026-12-01.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Gezin Pietersen · dossier 2026-101" in text
    assert "Resultaat: 2 fouten en 1 waarschuwing in 1 van de 2 verwachte formulieren" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Rob Claassen" in cells
    assert any("begint niet met de naam van het slachtoffer" in c for c in cells)


# --- mail -------------------------------------------------------------------------------


class Sink:
    """An SMTP handler that keeps what it receives and refuses one address."""

    def __init__(self, refuse: str | None = None):
        self.envelopes = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 mailbox niet beschikbaar"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tls(tmp_path):
    """A throw-away CA, a certificate for 127.0.0.1, and the CA file for the client."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return server_context, cafile


@pytest.fixture
def smtp_server(tls):
    """A real SMTP server on loopback that requires STARTTLS and login."""
    servers = []

    def start(refuse: str | None = None, implicit_tls: bool = False):
        context, _ = tls
        sink = Sink(refuse)
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; implicit TLS is TLS from the start
        options = (dict(ssl_context=context, auth_require_tls=False) if implicit_tls
                   else dict(tls_context=context, require_starttls=True, auth_require_tls=True))
        controller = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                                server_hostname="127.0.0.1", **options)
        controller.start()
        servers.append(controller)
        return sink, controller.port

    yield start
    for controller in servers:
        controller.stop()


def run_mail(reports, *args, env=None):
    out, register = reports
    if "--smtp" in args and "--from" not in args:  # SMTP needs a sender (issue 15); the tests send as the secretariat
        args = (*args, "--from", "secretariaat@casusoverleg.example")
    return CliRunner().invoke(main, ["mail", str(out), "--register", str(register), *args],
                              env={"FORMKIT_SMTP_PASSWORD": PASSWORD, **(env or {})})


def test_mail_over_starttls_with_login(reports, smtp_server, tls):
    sink, port = smtp_server()
    out, _ = reports
    result = run_mail(reports, "--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER,
                      "--cafile", str(tls[1]), "--from", "secretariaat@casusoverleg.example")
    assert result.exit_code == 0, result.output
    assert "2 rapporten verstuurd via 127.0.0.1." in result.output
    recipients = sorted(rcpt for e in sink.envelopes for rcpt in e.rcpt_tos)
    assert recipients == ["i.lammers@vt.example", "k.verhoef@wijkteam.example"]
    envelope = next(e for e in sink.envelopes if e.rcpt_tos == ["k.verhoef@wijkteam.example"])
    assert envelope.mail_from == "secretariaat@casusoverleg.example"
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert msg["Subject"] == ("Controle scoreformulieren dossier 2026-101, casusoverleg 1 december 2026: "
                              "2 fouten, 1 waarschuwing")
    assert msg["To"] == "Kim Verhoef <k.verhoef@wijkteam.example>"
    body = msg.get_body(("plain",)).get_content()
    assert "Beste Kim Verhoef," in body and "Ontvangen: 1 van de 2 formulieren." in body
    assert "Nog niet ontvangen: 1 formulier; het rapport in de bijlage zegt van wie." in body
    assert "Rob Claassen" not in body and "Politie" not in body  # who is involved is case content (NTA 7516)
    attachments = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    folder = out / "2026-101"
    assert attachments == {p.name: p.read_bytes() for p in folder.iterdir()}


def test_mail_again_sends_nothing_twice(reports, smtp_server, tls):
    sink, port = smtp_server()
    args = ("--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER, "--cafile", str(tls[1]))
    assert run_mail(reports, *args).exit_code == 0
    again = run_mail(reports, *args)
    assert again.exit_code == 0
    assert "0 rapporten verstuurd" in again.output and "al eerder zo verstuurd" in again.output
    assert len(sink.envelopes) == 2
    ledger = json.loads((reports[0] / LEDGER).read_text(encoding="utf-8"))
    assert {entry["dossier"] for entry in ledger} == {"2026-101", "2026-102"}


def test_a_refused_recipient_does_not_stop_the_others(reports, smtp_server, tls):
    sink, port = smtp_server(refuse="k.verhoef@wijkteam.example")
    result = run_mail(reports, "--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER, "--cafile", str(tls[1]))
    assert result.exit_code == 1
    assert "1 rapporten verstuurd" in result.output
    assert "dossier 2026-101 aan k.verhoef@wijkteam.example is niet verstuurd: adres geweigerd" in result.output
    assert [e.rcpt_tos for e in sink.envelopes] == [["i.lammers@vt.example"]]
    # the failed one goes out on the next run
    sink.refuse = None
    assert run_mail(reports, "--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER,
                    "--cafile", str(tls[1])).exit_code == 0
    assert len(sink.envelopes) == 2


def test_wrong_password_and_implicit_tls(reports, smtp_server, tls):
    _, port = smtp_server()
    wrong = run_mail(reports, "--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER, "--cafile", str(tls[1]),
                     env={"FORMKIT_SMTP_PASSWORD": "fout"})
    assert wrong.exit_code == 1 and "inloggen geweigerd" in wrong.output and "Traceback" not in wrong.output
    sink, ssl_port = smtp_server(implicit_tls=True)
    ok = run_mail(reports, "--smtp", f"127.0.0.1:{ssl_port}", "--ssl", "--user", USER, "--cafile", str(tls[1]))
    assert ok.exit_code == 0, ok.output
    assert len(sink.envelopes) == 2


def test_an_untrusted_certificate_is_refused(reports, smtp_server):
    _, port = smtp_server()
    result = run_mail(reports, "--smtp", f"127.0.0.1:{port}", "--starttls", "--user", USER)
    assert result.exit_code == 1 and "beveiligde verbinding mislukt" in result.output


def test_outbox_writes_eml_drafts_once(reports, tmp_path):
    outbox = tmp_path / "postvak"
    result = run_mail(reports, "--outbox", str(outbox))
    assert result.exit_code == 0 and "2 rapporten klaargezet" in result.output
    msg = email.message_from_bytes((outbox / "controlerapport_2026-101.eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1" and msg["To"] == "Kim Verhoef <k.verhoef@wijkteam.example>"
    assert len(list(msg.iter_attachments())) == 2
    assert "al eerder" in run_mail(reports, "--outbox", str(outbox)).output


def test_mail_usage_errors(reports):
    assert run_mail(reports, "--outbox", "x", "--smtp", "h").exit_code == 2
    assert run_mail(reports, "--starttls").exit_code == 2
    plain_login = run_mail(reports, "--smtp", "127.0.0.1:25", "--user", USER)
    assert plain_login.exit_code == 2 and "zonder versleuteling" in plain_login.output
    empty = Path(reports[0]).parent / "geen_rapporten"
    empty.mkdir()
    missing = CliRunner().invoke(main, ["mail", str(empty), "--register", str(reports[1])])
    assert missing.exit_code == 2 and MANIFEST in missing.output


def test_a_dossier_whose_regisseur_has_no_address_is_reported(reports, tmp_path):
    out, _ = reports
    reg = make_register()
    reg.professionals[2] = type(reg.professionals[2])("P3", "Iris Lammers", "Veilig Thuis", "casemanager", None)
    register = tmp_path / "zonder_adres.xlsx"
    write_register(reg, register)
    result = CliRunner().invoke(main, ["mail", str(out), "--register", str(register), "--outbox",
                                       str(tmp_path / "postvak")])
    assert result.exit_code == 1
    assert "dossier 2026-102 heeft geen regisseur met e-mailadres" in result.output
    assert [p.name for p in (tmp_path / "postvak").iterdir()] == ["controlerapport_2026-101.eml"]
