"""Mailing validation reports to each dossier's regisseur: to an outbox folder, or by SMTP.

The address comes only from the register. A ledger beside the reports records what was
delivered (dossier, address, the report's fingerprint, how), so running again does not
send the same report twice; a changed report is sent again. One failed message does not
stop the others.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from ..core import dates
from ..core.atomic import write_atomic
from ..core.errors import UsageError
from ..core.findings import Code, Finding, finding
from ..core.messages import plural
from ..core.paths import id_part
from ..core.text import visible, visible_data
from ..register.model import Register
from .reports import MANIFEST

LEDGER = "verzonden.json"
OUTBOX = "postvak-uit"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server."""

    host: str
    port: int
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    password: str | None = None
    cafile: Path | None = None
    timeout: float = 30.0


@dataclass
class MailResult:
    """What mailing the reports did."""

    delivered: list[str] = field(default_factory=list)  # dossiers
    already: list[str] = field(default_factory=list)  # dossiers delivered before, unchanged
    findings: list[Finding] = field(default_factory=list)


def load_manifest(report_dir: Path) -> dict:
    """Return the manifest `formkit check --report` wrote; raise UsageError when there is none."""
    path = Path(report_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise UsageError(f"in {report_dir} staan geen controlerapporten ({MANIFEST} ontbreekt); "
                         "maak ze met 'formkit check ... --report MAP'") from e
    except (OSError, ValueError) as e:
        raise UsageError(f"{path} kan niet gelezen worden") from e


def compose(entry: dict, manifest: dict, report_dir: Path, register: Register,
            sender: str | None) -> tuple[EmailMessage | None, Finding | None]:
    """Return the message for one dossier's report, or a finding why there is none."""
    dossier = entry["dossier"]
    regisseur = register.regisseur_of(dossier)
    if regisseur is None or not regisseur.email:
        return None, finding(Code.mail_no_regisseur, dossier=dossier)
    files = next((r for r in manifest.get("rapporten", []) if r["dossier"] == dossier), None)
    if files is None:
        return None, finding(Code.mail_no_report, dossier=dossier)
    meeting = dt.date.fromisoformat(manifest["overleg"]) if manifest.get("overleg") else None
    when = dates.format_dutch(meeting) if meeting else "onbekende datum"
    msg = EmailMessage()
    # Header values pass visible(): a CR or LF in a name or dossier cannot add a header.
    msg["Subject"] = (f"Controle scoreformulieren dossier {visible(dossier)}, casusoverleg {when}: "
                      f"{plural(entry['fouten'], 'fout', 'fouten')}, "
                      f"{plural(entry['waarschuwingen'], 'waarschuwing', 'waarschuwingen')}")
    msg["To"] = formataddr((visible(regisseur.name), visible(regisseur.email)))
    if sender:
        msg["From"] = sender
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain="formkit.local")
    msg["X-Formkit-Kenmerk"] = visible(str(entry["kenmerk"]))
    msg.set_content(_body(visible_data(entry), visible(regisseur.name), when))
    for key, mime in (("docx", DOCX_TYPE), ("xlsx", XLSX_TYPE)):
        if files.get(key):
            path = Path(report_dir) / files[key]
            maintype, subtype = mime.split("/")
            msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=visible(path.name))
    return msg, None


def _body(entry: dict, name: str, when: str) -> str:
    lines = [
        f"Beste {name},",
        "",
        f"U bent regisseur van dossier {entry['dossier']}. Voor het casusoverleg van {when} zijn de "
        "teruggestuurde scoreformulieren gecontroleerd.",
        "",
        f"Ontvangen: {entry['ontvangen']} van de {entry['verwacht']} formulieren.",
        f"Bevindingen: {plural(entry['fouten'], 'fout', 'fouten')} en "
        f"{plural(entry['waarschuwingen'], 'waarschuwing', 'waarschuwingen')}.",
    ]
    if entry["ontbrekend"]:
        lines += ["", "Nog niet ontvangen van:"]
        lines += [f"- {m['naam']} ({m['organisatie']})" for m in entry["ontbrekend"]]
    lines += [
        "",
        "Het volledige controlerapport zit in de bijlage (Word en Excel). Een fout moet vóór het "
        "overleg hersteld worden; een waarschuwing is een punt om na te lopen.",
        "",
        f"Kenmerk van dit rapport: {entry['kenmerk']}",
        "",
        "Met vriendelijke groet,",
        "het secretariaat van het casusoverleg",
    ]
    return "\n".join(lines) + "\n"


def _load_ledger(report_dir: Path) -> list[dict]:
    path = Path(report_dir) / LEDGER
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise UsageError(f"{path} is beschadigd; verwijder het alleen als u zeker weet wat al verstuurd is") from e


def _save_ledger(report_dir: Path, ledger: list[dict]) -> None:
    data = json.dumps(ledger, ensure_ascii=False, indent=2)
    write_atomic(Path(report_dir) / LEDGER, lambda tmp: Path(tmp).write_text(data, encoding="utf-8"))


#: Errors that concern one message; after any other error the connection is not trusted.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class _ConnectFailed(Exception):
    """Internal: connecting, securing or logging in failed; no message can go out this run."""


def _smtp_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """Return a connected, secured and logged-in SMTP client; raise _ConnectFailed from the cause."""
    context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
    server = None
    try:
        if settings.security == "ssl":
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            if settings.security == "starttls":
                server.starttls(context=context)
        if settings.user:
            server.login(settings.user, settings.password or "")
        return server
    except (smtplib.SMTPException, OSError) as e:
        if server is not None:
            server.close()
        raise _ConnectFailed(_reason(e)) from e


def mail_reports(
    report_dir: Path, register: Register, *, outbox: Path | None = None, smtp: SmtpSettings | None = None,
    sender: str | None = None, progress: Callable[[list[dict]], Iterable[dict]] = lambda items: items,
) -> MailResult:
    """Deliver every dossier's report to its regisseur: as .eml files in `outbox`, or by `smtp`."""
    report_dir = Path(report_dir)
    manifest = load_manifest(report_dir)
    ledger = _load_ledger(report_dir)
    channel = "smtp" if smtp else "postvak"
    outbox = Path(outbox) if outbox else report_dir / OUTBOX
    result = MailResult()
    server = None
    connect_failure = None  # once connecting fails, the rest is reported, not retried
    try:
        for entry in progress(manifest["dossiers"]):
            msg, problem = compose(entry, manifest, report_dir, register, sender)
            if problem:
                result.findings.append(problem)
                continue
            key = {"dossier": entry["dossier"], "aan": msg["To"].addresses[0].addr_spec,
                   "kenmerk": entry["kenmerk"], "via": channel}
            if any(all(done.get(k) == v for k, v in key.items()) for done in ledger):
                result.already.append(entry["dossier"])
                continue
            try:
                if smtp:
                    if connect_failure is not None:
                        raise connect_failure
                    if server is None:
                        server = _smtp_connection(smtp)
                    server.send_message(msg)
                else:
                    msg["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
                    name = f"controlerapport_{id_part(entry['dossier'])}.eml"
                    write_atomic(outbox / name, lambda tmp, data=bytes(msg): Path(tmp).write_bytes(data))
            except _ConnectFailed as e:
                connect_failure = e
                result.findings.append(finding(Code.mail_failed, dossier=entry["dossier"], recipient=key["aan"],
                                               reason=str(e)))
                continue
            except (smtplib.SMTPException, OSError) as e:
                result.findings.append(finding(Code.mail_failed, dossier=entry["dossier"], recipient=key["aan"],
                                               reason=_reason(e)))
                if server is not None and not isinstance(e, _MESSAGE_ERRORS):
                    server.close()
                    server = None  # connect again for the next message
                continue
            ledger.append({**key, "wanneer": dt.datetime.now().isoformat(timespec="seconds")})
            _save_ledger(report_dir, ledger)
            result.delivered.append(entry["dossier"])
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return result


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "inloggen geweigerd"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "adres geweigerd door de mailserver"
    if isinstance(error, ssl.SSLError):
        return "beveiligde verbinding mislukt"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"de mailserver antwoordde {error.smtp_code} ({reply.strip().rstrip('.')})"
    if isinstance(error, smtplib.SMTPException):
        return f"mailserver: {str(error).rstrip('.')}"
    return f"verbinding mislukt ({error.strerror or type(error).__name__})"
