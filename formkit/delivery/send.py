"""The secretariat's loop by mail: score sheets out, reminders, feedback on returned forms.

Every message goes to one professional, with only their own households' files attached.
Subject and body name no one but the addressee and carry no case content beyond dossier
numbers (NTA 7516): what a household is about travels only in the attachments. A ledger
in the folder the files come from makes a second run send nothing new; a file changed
since it was sent goes again, and the result says so.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formataddr
from functools import partial
from pathlib import Path

from ..core import dutch
from ..core.findings import Code, Finding, finding
from ..core.messages import plural
from ..core.parallel import Progress
from ..core.paths import id_part
from ..core.text import person_label, visible
from ..plan.history import Disclosure, History
from ..plan.versions import StoredPlan, archive_path
from ..register.model import Professional, Register
from ..returns.batch import check_batch, collect_files
from ..sheets.forms import form_path
from ..sheets.schema import Schema
from ..sheets.seal import SealKey
from .mail import LEDGER, XLSX_TYPE, Delivery, Envelope, Outgoing, SmtpSettings, deliver, read_ledger, seal_envelope
from .pack import latest_plan, new_password
from .pdf import DEFAULT_TIMEOUT, convert_to_pdf, encrypted, scratch_dir
from .summary import CheckSummary, ReportFinding

FORMS = "scoreformulieren"
REMINDER = "herinnering"
FEEDBACK = "terugkoppeling"
PLAN = "veiligheidsplan"
TEXT_TYPE = "text/plain"
PDF_TYPE = "application/pdf"
DOSSIERS_HEADER = "X-Formkit-Dossiers"  # the households a message's attachments are about, as name parts
_HEADER_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Attachment:
    """One file attached to a message: its name in the mail, its bytes and media type, and its dossier."""

    name: str
    data: bytes
    mime: str
    dossier: str
    kind: str  # the disclosure log's kind: "scoreformulier", "bericht", "veiligheidsplan"
    #: What identifies the content when its bytes differ per run (a plan's kenmerk); None: the bytes' sha256.
    mark: str | None = None

    @property
    def fingerprint(self) -> str:
        """Return the mark, or the sha256 hex of the attachment's bytes."""
        return self.mark or hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Letter:
    """A message for one professional before it has an envelope: who, what it is, text and files."""

    professional: Professional
    kind: str  # FORMS, REMINDER, FEEDBACK, ...
    meeting: dt.date | None
    subject: str
    body: str
    attachments: tuple[Attachment, ...]

    @property
    def fingerprint(self) -> str:
        """Return one sha256 hex over the names and bytes of all attachments (the ledger's kenmerk)."""
        digest = hashlib.sha256()
        for a in sorted(self.attachments, key=lambda a: a.name):
            digest.update(f"{a.name}\0{a.fingerprint}\0".encode())
        return digest.hexdigest()

    @property
    def dossiers(self) -> list[str]:
        """Return the dossiers the attachments are about, once each, in order."""
        return list(dict.fromkeys(a.dossier for a in self.attachments))


@dataclass
class SendResult:
    """What a send run did, per professional (their codes)."""

    sent: list[Letter] = field(default_factory=list)
    resent: list[Letter] = field(default_factory=list)  # sent again because a file changed since
    already: list[Letter] = field(default_factory=list)  # sent before, unchanged: not again
    findings: list[Finding] = field(default_factory=list)
    channel: str = "postvak"


def return_by(meeting: dt.date, working_days: int) -> dt.date:
    """Return the date `working_days` working days (Monday to Friday) before the meeting."""
    day = meeting
    left = working_days
    while left > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def to_address(p: Professional) -> str:
    """Return the To header value of a professional (name and address, header-safe)."""
    return formataddr((visible(p.name), visible(p.email or "")))


def message(letter: Letter, envelope: Envelope) -> EmailMessage:
    """Return the e-mail for a letter, with its envelope (From, Reply-To, Date, Message-ID) and attachments."""
    msg = EmailMessage()
    msg["Subject"] = visible(letter.subject)
    msg["To"] = to_address(letter.professional)
    seal_envelope(msg, envelope)
    msg["X-Formkit-Kenmerk"] = letter.fingerprint
    msg[DOSSIERS_HEADER] = " ".join(id_part(d) for d in letter.dossiers)  # for `formkit purge`: no names, only ids
    msg.set_content(letter.body)
    for a in letter.attachments:
        maintype, subtype = a.mime.split("/")
        if maintype == "text":
            msg.add_attachment(a.data.decode("utf-8"), subtype=subtype, filename=visible(a.name))
        else:
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=visible(a.name))
    return msg


def draft_dossiers(path: Path) -> frozenset[str]:
    """Return the households a message written by formkit send holds, as name parts (:func:`~formkit.core.paths.id_part`); empty when it does not say.

    Only the headers are read (at most the first 64 KiB): a message in an outbox folder may be anyone's.
    Headers that do not end within that, or the header twice, say nothing: the message stays.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(_HEADER_LIMIT)
    except OSError:
        return frozenset()
    if b"\n\n" not in head.replace(b"\r\n", b"\n"):
        return frozenset()  # headers longer than the limit: not formkit's, or a list cut short
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(head, headersonly=True)
    values = headers.get_all(DOSSIERS_HEADER) or []
    return frozenset(str(values[0]).split()) if len(values) == 1 else frozenset()


# --- who gets what --------------------------------------------------------------------


def households_per_professional(register: Register, dossiers: Iterable[str]) -> list[tuple[Professional, list[str]]]:
    """Return each professional involved in any of `dossiers`, in register order, with their dossiers among them."""
    theirs: dict[str, list[str]] = {}
    for d in dossiers:
        for p in register.professionals_of(d):
            theirs.setdefault(p.code, []).append(d)
    return [(p, theirs[p.code]) for p in register.professionals if p.code in theirs and theirs[p.code]]


def form_letters(register: Register, meeting: dt.date, forms_dir: Path, *, working_days: int,
                 reply_to: str | None, only: set[tuple[str, str]] | None = None,
                 ) -> tuple[list[Letter], list[Finding]]:
    """Return per professional the letter with the score sheets of their households on the meeting.

    With `only` (the (dossier, professional code) pairs not returned yet) the letters are
    reminders carrying just those forms, and professionals with all forms back get none.
    A form missing from `forms_dir` or a professional without an address is a finding.
    """
    letters, found = [], []
    due = return_by(meeting, working_days)
    for p, dossiers in households_per_professional(register, register.dossiers_on(meeting)):
        wanted = [d for d in dossiers if only is None or (d, p.code) in only]
        if not wanted:
            continue
        if not p.email:
            found.append(_no_address(p, _what("het scoreformulier", "de scoreformulieren", len(wanted)), wanted))
            continue
        attachments = []
        for d in wanted:
            path = form_path(forms_dir, d, p.code, meeting)
            if not path.is_file():
                found.append(finding(Code.send_form_missing, name=person_label(p.name, p.organisation), dossier=d,
                                     folder=str(forms_dir), professional=p.code))
                continue
            attachments.append(Attachment(path.name, path.read_bytes(), XLSX_TYPE, d, "scoreformulier"))
        if attachments:
            kind = FORMS if only is None else REMINDER
            letters.append(_form_letter(p, kind, meeting, due, reply_to, tuple(attachments)))
    return letters, found


def not_returned(register: Register, meeting: dt.date, returns: Iterable[Path], schema: Schema, *,
                 key: SealKey | None = None, allow_unsealed: bool = False,
                 progress: Progress = lambda items: items) -> set[tuple[str, str]]:
    """Return the (dossier, professional) forms of the meeting that have not come back in `returns`.

    A form counts as back when the check accepts it as that professional's form for that
    household on this meeting (identified by its sealed formkit data, not its file name), the
    same as `formkit check` does; a refused file does not count. With no file in `returns`
    nothing is back (and nothing is read). Raises FormkitError as :func:`check_batch` does.
    """
    expected = {(d, p.code) for d in register.dossiers_on(meeting) for p in register.professionals_of(d)}
    paths = list(returns)
    if not collect_files(paths):
        return expected
    batch = check_batch(paths, register, schema, meeting=meeting, key=key, allow_unsealed=allow_unsealed,
                        progress=progress)
    return expected - {(r.dossier, r.professional) for r in batch.processed()}


def _form_letter(p: Professional, kind: str, meeting: dt.date, due: dt.date, reply_to: str | None,
                 attachments: tuple[Attachment, ...]) -> Letter:
    """Return the letter with score sheets (or the reminder) for one professional."""
    when, by = dutch.long_date(meeting), dutch.long_date(due)
    count = plural(len(attachments), "scoreformulier", "scoreformulieren")
    dossiers = dossier_words(a.dossier for a in attachments)
    subject = (f"Scoreformulieren casusoverleg {when}, graag terug vóór {by}" if kind == FORMS
               else f"Herinnering: scoreformulieren casusoverleg {when}, graag terug vóór {by}")
    to = f" naar {reply_to}" if reply_to else " als antwoord op dit bericht"
    opening = ([f"Voor het casusoverleg van {when} vindt u in de bijlage {count}: "
                f"voor {dossiers}."] if kind == FORMS else
               [f"Voor het casusoverleg van {when} hebben wij van u nog niet terug: {count}, "
                f"voor {dossiers}. U vindt ze opnieuw in de bijlage."])
    lines = [
        f"Beste {visible(p.name)},", "", *opening, "",
        f"Wilt u ze invullen en vóór {by} terugsturen{to}? Laat de bestandsnaam en de bladen zoals ze zijn; "
        "formkit herkent uw formulier aan de gegevens erin.", "",
        "Zet geen gegevens over het huishouden in de tekst van uw antwoord; alleen in het formulier.", "",
        "Met vriendelijke groet,", "het secretariaat van het casusoverleg",
    ]
    return Letter(p, kind, meeting, subject, "\n".join(lines) + "\n", attachments)


def feedback_letters(summary: CheckSummary, register: Register) -> tuple[list[Letter], list[Finding]]:
    """Return per professional with findings on their own returned forms a letter asking to correct and resend.

    The findings travel as a text attachment (they may quote the form); forms not returned
    are not this letter's business (the reminder's). Nobody without findings gets one.
    """
    theirs: dict[str, dict[str, list]] = {}
    for entry in summary.dossiers:
        for rf in entry.findings:
            code = _author(register, entry.dossier, rf) if rf.file else None  # no file: a form not returned
            if code is not None:
                theirs.setdefault(code, {}).setdefault(entry.dossier, []).append(rf)
    letters, found = [], []
    for p in register.professionals:
        per_dossier = theirs.get(p.code)
        if not per_dossier:
            continue
        if not p.email:
            found.append(_no_address(p, "de terugkoppeling", per_dossier))
            continue
        attachments = tuple(Attachment(f"bevindingen_{id_part(d)}_{id_part(p.code)}.txt",
                                       _findings_text(d, items, summary.meeting).encode("utf-8"), TEXT_TYPE, d,
                                       "bericht")
                            for d, items in per_dossier.items())
        letters.append(_feedback_letter(p, summary.meeting, attachments))
    return letters, found


def _author(register: Register, dossier: str, rf: ReportFinding) -> str | None:
    """Return the code of the professional whose form a finding is about, or None when that is not certain.

    The report names the professional the form's seal proved (name and organisation, or the
    code when the register does not know it); among the professionals of this dossier exactly
    one must match. A file's name is never used: two people may send files of the same name,
    and a form that came by mail is named after its message.
    """
    shown = (rf.professional, rf.organisation)
    matches = {p.code for p in register.professionals_of(dossier)
               if shown in ((p.name, p.organisation or ""), (visible(p.name), visible(p.organisation or "")), (p.code, ""))}
    return matches.pop() if len(matches) == 1 else None


def _findings_text(dossier: str, items: list, meeting: dt.date | None) -> str:
    """Return the findings on one professional's form of one dossier, as plain text for the attachment."""
    when = dutch.long_date(meeting) if meeting else "onbekende datum"
    lines = [f"Bevindingen op uw scoreformulier, dossier {dossier}, casusoverleg {when}", ""]
    for rf in items:
        where = ", ".join(part for part in (rf.file, rf.sheet, f"cel {rf.cell}" if rf.cell else "", rf.field) if part)
        lines.append(f"- {rf.severity.value}: {rf.message} ({where})")
    return "\n".join(lines) + "\n"


def _feedback_letter(p: Professional, meeting: dt.date | None, attachments: tuple[Attachment, ...]) -> Letter:
    """Return the letter asking one professional to correct and resend their forms."""
    when = dutch.long_date(meeting) if meeting else "het casusoverleg"
    dossiers = dossier_words(a.dossier for a in attachments)
    forms = _what("uw scoreformulier", "uw scoreformulieren", len(set(a.dossier for a in attachments)))
    lines = [
        f"Beste {visible(p.name)},", "",
        f"Wij hebben {forms} voor {dossiers} voor het casusoverleg van {when} gecontroleerd. "
        "In de bijlage staat per formulier wat er verbeterd moet worden of nagelopen kan worden.", "",
        "Wilt u het formulier verbeteren en opnieuw terugsturen? Een fout moet vóór het overleg hersteld zijn; "
        "een waarschuwing is een punt om na te lopen.", "",
        "Met vriendelijke groet,", "het secretariaat van het casusoverleg",
    ]
    return Letter(p, FEEDBACK, meeting, f"Controle van uw scoreformulieren, casusoverleg {when}",
                  "\n".join(lines) + "\n", attachments)


@dataclass(frozen=True)
class PlanPdf:
    """The current plan of one household as PDF, with its kenmerk and distribution list (codes)."""

    dossier: str
    name: str
    data: bytes
    mark: str  # the version and the plan's kenmerk: the same plan gives the same one
    participants: tuple[str, ...]


def plan_pdfs(register: Register, meeting: dt.date, plans_dir: Path, *,
              timeout: float = DEFAULT_TIMEOUT) -> tuple[list[PlanPdf], list[Finding]]:
    """Return the newest intact plan of each household on the meeting as PDF, and findings for the others.

    The PDF is the archive copy beside the plan's Word file when there is one; the others are
    converted by LibreOffice in one run (raise LibreOfficeMissing when it is not installed).
    """
    found: list[Finding] = []
    plans: dict[str, tuple[Path, StoredPlan]] = {}
    for d in register.dossiers_on(meeting):
        docx, stored = latest_plan(plans_dir, d, meeting, found)
        if docx is None or stored is None:
            found.append(finding(Code.send_no_plan, dossier=d, meeting=dutch.long_date(meeting), folder=str(plans_dir),
                                 reason=""))
            continue
        plans[d] = (docx, stored)
    pdfs = {d: archive_path(docx).read_bytes() for d, (docx, _) in plans.items() if archive_path(docx).is_file()}
    missing = [docx for d, (docx, _) in plans.items() if d not in pdfs]
    if missing:
        with scratch_dir() as work:
            conversion = convert_to_pdf(missing, Path(work), timeout=timeout)
            for d, (docx, _) in plans.items():
                if docx in conversion.pdfs:
                    pdfs[d] = conversion.pdfs[docx].read_bytes()
                elif docx in conversion.failures:
                    found.append(finding(Code.send_no_plan, dossier=d, meeting=dutch.long_date(meeting),
                                         folder=str(plans_dir), reason=f" als PDF ({conversion.failures[docx]})"))
    result = []
    for d, (docx, stored) in plans.items():
        if d in pdfs:
            plan = stored.plan
            result.append(PlanPdf(d, docx.with_suffix(".pdf").name, pdfs[d], f"v{plan.version}:{stored.fingerprint}",
                                  tuple(p.code for p in plan.participants)))
    return result, found


def plan_letters(register: Register, meeting: dt.date, plans: list[PlanPdf], *,
                 encrypted: bool) -> tuple[list[Letter], list[Finding]]:
    """Return per professional on a plan's distribution list the letter with their households' plans (PDF).

    The addresses come only from the register. With `encrypted` the body says the files open
    with a password that comes by another channel (the files are encrypted when sent).
    """
    theirs: dict[str, list[PlanPdf]] = {}
    for plan in plans:
        for code in dict.fromkeys(plan.participants):
            theirs.setdefault(code, []).append(plan)
    letters, found = [], []
    for p in register.professionals:
        mine = theirs.get(p.code)
        if not mine:
            continue
        if not p.email:
            found.append(_no_address(p, _what("het veiligheidsplan", "de veiligheidsplannen", len(mine)),
                                     [x.dossier for x in mine]))
            continue
        attachments = tuple(Attachment(x.name, x.data, PDF_TYPE, x.dossier, "veiligheidsplan", x.mark) for x in mine)
        letters.append(_plan_letter(p, meeting, attachments, encrypted))
    return letters, found


def _plan_letter(p: Professional, meeting: dt.date, attachments: tuple[Attachment, ...], encrypted: bool) -> Letter:
    """Return the letter with the current plans for one professional."""
    when = dutch.long_date(meeting)
    lines = [
        f"Beste {visible(p.name)},", "",
        f"In de bijlage vindt u {_what('het veiligheidsplan', 'de veiligheidsplannen', len(attachments))} na het "
        f"casusoverleg van {when}, voor {dossier_words(a.dossier for a in attachments)} (PDF).",
    ]
    if encrypted:
        lines += ["", "Het bestand is beveiligd met een wachtwoord. Dat wachtwoord krijgt u apart, via een ander "
                      "kanaal; het staat nooit in een e-mail."]
    lines += ["", "Met vriendelijke groet,", "het secretariaat van het casusoverleg"]
    return Letter(p, PLAN, meeting, f"Veiligheidsplan casusoverleg {when}", "\n".join(lines) + "\n", attachments)


def encrypt_letters(letters: list[Letter]) -> tuple[list[Letter], list[tuple[Professional, str]]]:
    """Return the letters with every PDF encrypted by a password of its own recipient, and those passwords."""
    result, passwords = [], []
    for letter in letters:
        password = new_password()
        locked = tuple(replace(a, data=encrypted(a.data, password)) for a in letter.attachments)
        result.append(replace(letter, attachments=locked))
        passwords.append((letter.professional, password))
    return result, passwords


def _and(items: list[str]) -> str:
    """Return items joined the Dutch way: a, b en c."""
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"


def dossier_words(ids) -> str:
    """Return dossier numbers as a sentence names them: 'dossier 2026-008' or 'dossiers 2026-008 en 2026-033'."""
    ids = list(dict.fromkeys(ids))
    return f"{'dossier' if len(ids) == 1 else 'dossiers'} {_and(ids)}"


def _what(one: str, many: str, count: int) -> str:
    """Return 'het scoreformulier' or 'de scoreformulieren': the article and noun for a count."""
    return one if count == 1 else many


# --- sending --------------------------------------------------------------------------


def send_letters(letters: list[Letter], ledger_dir: Path, envelope: Envelope, *, outbox: Path,
                 smtp: SmtpSettings | None, history: History | None = None, command: str = "formkit send",
                 today: dt.date | None = None) -> SendResult:
    """Return what delivering the letters not sent before did (ledger `verzonden.json` in `ledger_dir`).

    A letter counts as sent before when the same kind went to the same professional for the
    same meeting with the same attachments; a reminder goes at most once a day per professional
    and meeting, whatever is still missing. Raise UsageError
    when sending by SMTP without a sender. Every letter written or sent is recorded in the
    disclosure log of `history`, one record per attachment, by `command`.
    """
    ledger = Path(ledger_dir) / LEDGER
    channel = "smtp" if smtp else "postvak"
    previous = read_ledger(ledger)
    items = list(_outgoing(letters, envelope, today or dt.date.today(), command))
    done: Delivery = deliver(iter(items), ledger, outbox=outbox, smtp=smtp, sender=envelope.sender, history=history)
    result = SendResult(findings=done.findings, channel=done.channel)
    by_id = {id(o): letter for o, letter in zip(items, letters, strict=True)}
    for o in done.already:
        result.already.append(by_id[id(o)])
    for o in done.sent:
        loose = {k: v for k, v in o.key.items() if k != "kenmerk"} | {"via": channel}
        before = any(all(old.get(k) == v for k, v in loose.items()) for old in previous)
        (result.resent if before else result.sent).append(by_id[id(o)])
    return result


def _outgoing(letters: list[Letter], envelope: Envelope, today: dt.date, command: str) -> Iterator[Outgoing]:
    """Yield each letter as a message to deliver, with its ledger key and outbox name."""
    for letter in letters:
        p = letter.professional
        key = {"soort": letter.kind, "professional": p.code, "aan": visible(p.email or ""),
               "overleg": letter.meeting.isoformat() if letter.meeting else "", "kenmerk": letter.fingerprint}
        if letter.kind == REMINDER:  # one reminder a day, also when fewer forms are missing by the second run
            key["dag"] = today.isoformat()
            del key["kenmerk"]
        name = f"{letter.kind}_{id_part(p.code)}_{key['overleg'] or 'zonder-datum'}.eml"
        address = visible(p.email or "")
        disclosures = tuple(Disclosure(a.dossier, a.kind, a.fingerprint, person_label(p.name, p.organisation),
                                       address, "", command) for a in letter.attachments)
        yield Outgoing(message(letter, envelope), key, name, p.code, partial(_send_failed, letter.kind, address),
                       disclosures)


def _no_address(p: Professional, what: str, dossiers: Iterable[str]) -> Finding:
    """Return the finding of a professional the register gives no e-mail address: `what` for `dossiers` is not sent."""
    return finding(Code.send_no_address, name=person_label(p.name, p.organisation), what=what,
                   dossiers=dossier_words(dossiers), professional=p.code)


def _send_failed(kind: str, recipient: str, reason: str) -> Finding:
    """Return the finding of a letter that could not go out."""
    return finding(Code.send_failed, what=f"het bericht ({kind})", recipient=recipient, reason=reason)
