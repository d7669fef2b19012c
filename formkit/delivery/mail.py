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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import partial
from pathlib import Path

from ..core import dutch
from ..core.atomic import write_atomic
from ..core.errors import UsageError
from ..core.findings import Code, Finding, finding
from ..core.messages import plural
from ..core.paths import id_part
from ..core.text import visible
from ..plan.history import Disclosure, History
from ..register.model import Register
from .summary import CheckSummary, DossierSummary, read_summary

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


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and where replies go; the same for every message formkit makes."""

    sender: str | None = None  # required when sending by SMTP
    reply_to: str | None = None


def sender_domain(sender: str | None) -> str:
    """Return the domain of the sender's address for a Message-ID (formkit.local without one)."""
    _, address = parseaddr(sender or "")
    domain = address.rpartition("@")[2] if "@" in address else ""
    return visible(domain).strip() or "formkit.local"


def address_ok(value: str) -> bool:
    """Return whether `value` is one plain e-mail address that fits in a header."""
    if any(c in value for c in "\r\n,;"):  # one address: a list would put several senders in From
        return False
    _, address = parseaddr(value)
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError):
        return False
    return bool(parsed.username and "." in parsed.domain)


def seal_envelope(msg: EmailMessage, envelope: Envelope, when: dt.datetime | None = None) -> EmailMessage:
    """Return `msg` with From, Reply-To, Date and a Message-ID from the sender's domain set (replacing any)."""
    for header in ("From", "Reply-To", "Date", "Message-ID"):
        del msg[header]
    if envelope.sender:
        msg["From"] = envelope.sender
    if envelope.reply_to:
        msg["Reply-To"] = envelope.reply_to
    msg["Date"] = format_datetime(when or dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender_domain(envelope.sender))
    return msg


@dataclass
class MailResult:
    """What mailing the reports did."""

    delivered: list[str] = field(default_factory=list)  # dossiers
    already: list[str] = field(default_factory=list)  # dossiers delivered before, unchanged
    findings: list[Finding] = field(default_factory=list)


def load_summary(report_dir: Path) -> CheckSummary:
    """Return the check summary `formkit check --report` wrote; raise UsageError when there is none.

    The reason is the finding :func:`~formkit.delivery.summary.read_summary` gives (the pack
    gets the same one); without a summary there is nothing to mail, so the command stops.
    """
    summary, problems = read_summary(report_dir)
    if summary is None:
        raise UsageError(problems[0].message if problems else f"in {report_dir} staan geen controlerapporten")
    return summary


def compose(entry: DossierSummary, summary: CheckSummary, report_dir: Path, register: Register,
            envelope: Envelope | None) -> tuple[EmailMessage | None, Finding | None]:
    """Return the message for one dossier's report, or a finding why there is none (no envelope: no From)."""
    dossier = entry.dossier
    regisseur = register.regisseur_of(dossier)
    if regisseur is None or not regisseur.email:
        return None, finding(Code.mail_no_regisseur, dossier=dossier)
    files = summary.report_of(dossier)
    if files is None:
        return None, finding(Code.mail_no_report, dossier=dossier)
    meeting = summary.meeting
    when = dutch.long_date(meeting) if meeting else "onbekende datum"
    msg = EmailMessage()
    # Header values pass visible(): a CR or LF in a name or dossier cannot add a header.
    msg["Subject"] = (f"Controle scoreformulieren dossier {visible(dossier)}, casusoverleg {when}: "
                      f"{plural(entry.counts.errors, 'fout', 'fouten')}, "
                      f"{plural(entry.counts.warnings, 'waarschuwing', 'waarschuwingen')}")
    msg["To"] = formataddr((visible(regisseur.name), visible(regisseur.email)))
    seal_envelope(msg, envelope or Envelope())
    msg["X-Formkit-Kenmerk"] = visible(entry.fingerprint)
    msg.set_content(_body(entry, visible(regisseur.name), when))  # a summary's texts are visible already
    for name, mime in ((files.docx, DOCX_TYPE), (files.xlsx, XLSX_TYPE)):
        if name:
            path = Path(report_dir) / name
            maintype, subtype = mime.split("/")
            msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=visible(path.name))
    return msg, None


def _body(entry: DossierSummary, name: str, when: str) -> str:
    """Return the text of a report's message to the regisseur."""
    lines = [
        f"Beste {name},",
        "",
        f"U bent regisseur van dossier {entry.dossier}. Voor het casusoverleg van {when} zijn de "
        "teruggestuurde scoreformulieren gecontroleerd.",
        "",
        f"Ontvangen: {entry.received} van de {entry.expected} formulieren.",
        f"Bevindingen: {plural(entry.counts.errors, 'fout', 'fouten')} en "
        f"{plural(entry.counts.warnings, 'waarschuwing', 'waarschuwingen')}.",
    ]
    if entry.missing:  # who is involved is case content: the names are in the report, not in the mail
        lines += ["", f"Nog niet ontvangen: {plural(len(entry.missing), 'formulier', 'formulieren')}; "
                      "het rapport in de bijlage zegt van wie."]
    lines += [
        "",
        "Het volledige controlerapport zit in de bijlage (Word en Excel). Een fout moet vóór het "
        "overleg hersteld worden; een waarschuwing is een punt om na te lopen.",
        "",
        f"Kenmerk van dit rapport: {entry.fingerprint}",
        "",
        "Met vriendelijke groet,",
        "het secretariaat van het casusoverleg",
    ]
    return "\n".join(lines) + "\n"


def read_ledger(path: Path) -> list[dict]:
    """Return the entries of a ledger of sent messages ([] when there is none); raise UsageError when damaged."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise UsageError(f"{path} is beschadigd; verwijder het alleen als u zeker weet wat al verstuurd is") from e


def _save_ledger(path: Path, ledger: list[dict]) -> None:
    data = json.dumps(ledger, ensure_ascii=False, indent=2)
    write_atomic(Path(path), lambda tmp: Path(tmp).write_text(data, encoding="utf-8"))


#: Errors that concern one message; after any other error the connection is not trusted.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class _ConnectFailed(Exception):
    """Internal: connecting, securing or logging in failed; no message can go out this run."""


def _smtp_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """Return a connected, secured and logged-in SMTP client; raise _ConnectFailed from the cause."""
    context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
    server: smtplib.SMTP | None = None
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
    sender: str | None = None, envelope: Envelope | None = None,
    progress: Callable[[list[DossierSummary]], Iterable[DossierSummary]] = lambda items: items,
) -> MailResult:
    """Return what delivering every dossier's report to its regisseur did: as .eml files in `outbox`, or by `smtp`.

    Raise UsageError when the folder holds no readable check summary (see :func:`load_summary`),
    or when sending by SMTP without a sender.
    """
    report_dir = Path(report_dir)
    envelope = envelope or Envelope(sender)
    summary = load_summary(report_dir)
    result = MailResult()

    def outgoing() -> Iterator[Outgoing]:
        for entry in progress(list(summary.dossiers)):
            msg, problem = compose(entry, summary, report_dir, register, envelope)
            if msg is None:
                result.findings += [problem] if problem is not None else []
                continue
            recipient = msg["To"].addresses[0].addr_spec
            yield Outgoing(msg, {"dossier": entry.dossier, "aan": recipient, "kenmerk": entry.fingerprint},
                           f"controlerapport_{id_part(entry.dossier)}.eml", entry.dossier,
                           partial(_report_failed, entry.dossier, recipient))

    done = deliver(outgoing(), report_dir / LEDGER, outbox=Path(outbox) if outbox else report_dir / OUTBOX,
                   smtp=smtp, sender=envelope.sender)  # the command logs the disclosures
    result.delivered += [o.label for o in done.sent]
    result.already += [o.label for o in done.already]
    result.findings += done.findings
    return result


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver, with what makes it the same message again in the ledger."""

    msg: EmailMessage
    key: dict[str, str]  # the ledger's key of this message ("via" is added per channel)
    filename: str  # its name in the outbox
    label: str  # what the caller reports it as (a dossier, a professional's code)
    failed: Callable[[str], Finding]  # the finding when it cannot go out, given the reason in Dutch
    #: What the message discloses, one record per household; the channel is filled in when it goes out.
    disclosures: tuple[Disclosure, ...] = ()


@dataclass
class Delivery:
    """What delivering a run of messages did."""

    sent: list[Outgoing] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)  # delivered before, unchanged
    findings: list[Finding] = field(default_factory=list)
    channel: str = "postvak"  # "postvak" (outbox .eml) or "smtp"


def deliver(items: Iterable[Outgoing], ledger: Path, *, outbox: Path, smtp: SmtpSettings | None,
            sender: str | None, history: History | None = None) -> Delivery:
    """Return what delivering each message not yet in the `ledger` did: as .eml in `outbox`, or by `smtp`.

    Each message written or sent is recorded in the disclosure log of `history` (when given);
    a log that cannot be written is a finding, the message has gone all the same.

    Raise UsageError when sending by SMTP without a sender (a message without From is refused by
    real servers). One failed message does not stop the others; once connecting fails, the
    rest is reported, not retried.
    """
    if smtp is not None and not sender:
        raise UsageError("geef een afzender op met --from of [post] afzender in de instellingen; "
                         "zonder afzender weigeren mailservers de berichten")
    done = Delivery(channel="smtp" if smtp else "postvak")
    entries = read_ledger(ledger)
    server = None
    connect_failure = None
    try:
        for item in items:
            key = {**item.key, "via": done.channel}
            if any(all(old.get(k) == v for k, v in key.items()) for old in entries):
                done.already.append(item)
                continue
            try:
                if smtp:
                    if connect_failure is not None:
                        raise connect_failure
                    if server is None:
                        server = _smtp_connection(smtp)
                    server.send_message(item.msg)
                else:
                    del item.msg["X-Unsent"]
                    item.msg["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
                    _write_eml(Path(outbox) / item.filename, bytes(item.msg))
            except _ConnectFailed as e:
                connect_failure = e
                done.findings.append(item.failed(str(e)))
                continue
            except (smtplib.SMTPException, OSError) as e:
                done.findings.append(item.failed(_reason(e)))
                if server is not None and not isinstance(e, _MESSAGE_ERRORS):
                    server.close()
                    server = None  # connect again for the next message
                continue
            entries.append({**key, "wanneer": dt.datetime.now().isoformat(timespec="seconds")})
            _save_ledger(ledger, entries)
            done.sent.append(item)
            if history is not None and item.disclosures:
                logged = len(history.findings)
                history.disclose(replace(d, channel=done.channel) for d in item.disclosures)
                done.findings += history.findings[logged:]
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return done


def _report_failed(dossier: str, recipient: str, reason: str) -> Finding:
    """Return the finding of a report that could not go out."""
    return finding(Code.mail_failed, dossier=dossier, recipient=recipient, reason=reason)


def _write_eml(path: Path, data: bytes) -> None:
    """Write one message to the outbox, atomically."""
    write_atomic(path, lambda tmp: Path(tmp).write_bytes(data))


def _reason(error: Exception) -> str:
    """Return in Dutch why a message could not go out."""
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
    strerror = error.strerror if isinstance(error, OSError) else None
    return f"verbinding mislukt ({strerror or type(error).__name__})"
