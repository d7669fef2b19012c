"""The Mail page: preview each message of a meeting, then write it to the outbox or send it by SMTP.

Five kinds, each the library call of its command: the check reports to each dossier's
regisseur (``formkit mail``: :func:`formkit.delivery.mail.mail_reports`), the score sheets to
each professional and the reminders for forms not yet back (``formkit send forms
[--herinnering]``: :func:`formkit.delivery.send.form_letters`), the findings on their own forms
(``formkit send feedback``: :func:`~formkit.delivery.send.feedback_letters`) and the current
plan as PDF to its distribution list (``formkit send plan``: :func:`~formkit.delivery.send.plan_pdfs`,
:func:`~formkit.delivery.send.plan_letters`), sent with :func:`~formkit.delivery.send.send_letters`.
The preview shows the very messages that go out (to, subject, body, the names of the
attachments), built the same way; for the reminders (which check the returned files) and the
plans (which LibreOffice may convert) the preview is a job of its own.

Each kind keeps its ledger and outbox where the command keeps them (``verzonden.json`` and
``postvak-uit`` in the folder the files come from), so a second send sends nothing and
``formkit purge`` finds the drafts. The server, sender and login rules are those of the
commands (:mod:`formkit.delivery.post`); the SMTP password lives only in the one send job:
never in the app's state, a page, a log or the browser. Encrypted plans: each recipient's
password is shown once on the send's result, like the packs' passwords, and not written to a
list (``formkit send plan --wachtwoorden`` does that for the terminal).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...core.atomic import ensure_writable, ensure_writable_file
from ...core.errors import FormkitError
from ...core.findings import Finding
from ...core.locking import folder_locks
from ...core.settings import PostSettings, load_post_settings
from ...core.text import person_label, visible
from ...delivery.disclosures import OUTBOX as OUTBOX_CHANNEL
from ...delivery.disclosures import SMTP, disclose, mail_disclosures, report_kenmerken
from ...delivery.mail import LEDGER, OUTBOX, Envelope, SmtpSettings, compose, mail_reports
from ...delivery.post import message_envelope, smtp_server
from ...delivery.send import (
    Letter,
    dossier_words,
    encrypt_letters,
    feedback_letters,
    form_letters,
    not_returned,
    plan_letters,
    plan_pdfs,
    send_letters,
)
from ...delivery.summary import read_summary
from ...plan.history import History
from ...register.model import Register
from ...sheets.schema import build_schema
from ...sheets.seal import key_path, load_key
from ..config import MeetingFolders
from ..fields import is_file, shown, typed_path
from ..jobs import Job, ProgressCallback, counted
from ..state import AppState, Workspace
from ..view import finding_rows, fragment, job_for, page, state
from . import Page
from .meetings import COMMAND, NOT_IN_REGISTER, Section, ShownOnce, meetings, workspace

SLUG = "mail"
TITLE = "Mail"
SECTION = Section(SLUG, TITLE, unknown=NOT_IN_REGISTER)
JOB_TITLE = "Berichten versturen"
PREVIEW_TITLE = "Berichten samenstellen"
#: What a send says when the messages are no longer those of the preview: nothing went.
CHANGED = ("de berichten zijn veranderd sinds het voorbeeld (het register of de bestanden zijn gewijzigd); "
           "er is niets verstuurd. Bekijk het voorbeeld opnieuw en verstuur dan")
NO_PREVIEW = "Bekijk eerst het voorbeeld van de berichten; verstuur daarna vanaf die pagina."
SECURITY_CHOICES = (("starttls", "STARTTLS (poort 587)"), ("ssl", "SSL/TLS (poort 465)"), ("none", "geen"))
#: The settings file's `[post] beveiliging` as the send form's choice (the file says "geen", the form "none").
SETTINGS_SECURITY = {"starttls": "starttls", "ssl": "ssl", "geen": "none"}


def post_fields(post: PostSettings) -> dict[str, str]:
    """Return the send form's fields as the settings file's `[post]` fills them in; never a password (none is kept)."""
    return {"afzender": post.afzender or "", "server": post.mailserver or "", "gebruiker": post.gebruiker or "",
            "beveiliging": SETTINGS_SECURITY.get(post.beveiliging or "", "starttls")}


@dataclass(frozen=True)
class Kind:
    """One kind of message the page sends: its address part, its Dutch title and what it is."""

    slug: str
    title: str
    explanation: str
    slow: bool = False  # the preview is a job: it checks the returned files or converts plans


KINDS = {k.slug: k for k in (
    Kind("rapporten", "Controlerapporten aan de regisseur",
         "Per dossier het controlerapport (Word en Excel) aan de regisseur, zoals 'formkit mail'."),
    Kind("formulieren", "Scoreformulieren aan de professionals",
         "Elke professional de scoreformulieren van de eigen huishoudens, zoals 'formkit send forms'."),
    Kind("herinnering", "Herinneringen voor formulieren die nog niet terug zijn",
         "Alleen wie nog formulieren moet terugsturen, met alleen die formulieren (herkend zoals de controle ze "
         "herkent in de map retour), zoals 'formkit send forms --herinnering'; hoogstens één per dag.", slow=True),
    Kind("terugkoppeling", "Terugkoppeling op teruggestuurde formulieren",
         "Elke professional de bevindingen op de eigen formulieren, zoals 'formkit send feedback'."),
    Kind("plan", "Het plan aan de verzendlijst",
         "Na het overleg het actuele plan van elk huishouden als PDF aan elke professional op de verzendlijst, "
         "zoals 'formkit send plan'.", slow=True),
)}


@dataclass(frozen=True)
class Preview:
    """One message as it will go out: to, subject, body and the names of its attachments (never their content)."""

    to: str
    subject: str
    body: str
    attachments: tuple[str, ...]


@dataclass
class Drafts:
    """The messages of one kind for a meeting, before they go: letters or report messages, and the findings."""

    letters: list[Letter] = field(default_factory=list)
    reports: list[EmailMessage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problem: str = ""  # why there is nothing to send yet (no reports, ...)


@dataclass
class MailOutcome(ShownOnce):
    """What a send did, in words for the page: who got what, who had it already, the findings; passwords until shown.

    Its passwords: (recipient, address, password) of each encrypted plan that went.
    """

    kind: Kind
    smtp: bool
    where: str
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    encrypted: bool = False
    note: str = ""  # nothing to send, and why (a normal outcome: every form is back, ...)


@dataclass
class PreviewOutcome:
    """The previews a preview job made, with what the page's send form needs."""

    kind: Kind
    meeting: dt.date
    outbox: str
    csrf: str
    fields: dict[str, str]
    encrypt: bool = False
    previews: list[Preview] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problem: str = ""
    fingerprint: str = ""


def fingerprint(found: Drafts) -> str:
    """Return a sha256 hex over the messages' recipients and their attachments' names and contents.

    The send form carries the preview's; a send whose messages have another sends nothing.
    """
    digest = hashlib.sha256()
    for letter in found.letters:
        digest.update(repr((letter.professional.email, [(a.name, a.fingerprint) for a in letter.attachments])).encode())
    for msg in found.reports:
        parts = [(part.get_filename(), hashlib.sha256(_payload(part)).hexdigest()) for part in msg.iter_attachments()]
        digest.update(repr((str(msg["To"]), parts)).encode())
    return digest.hexdigest()


def _payload(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def preview(msg: EmailMessage) -> Preview:
    """Return what a message shows its reader: To, Subject, the plain body and the attachment names."""
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    names = tuple(visible(part.get_filename() or "") for part in msg.iter_attachments())
    return Preview(visible(str(msg["To"] or "")), visible(str(msg["Subject"] or "")), visible(text, multiline=True),
                   names)


def source_folder(kind: Kind, folders: MeetingFolders) -> Path:
    """Return the folder a kind's files come from: it holds the ledger and the outbox, as the command has them."""
    if kind.slug in ("formulieren", "herinnering"):
        return folders.forms
    return folders.plans if kind.slug == "plan" else folders.reports


def drafts(st: AppState, kind: Kind, register: Register, folders: MeetingFolders, post: PostSettings,
           envelope: Envelope, *, encrypt: bool = False, progress: ProgressCallback | None = None) -> Drafts:
    """Return the messages of a kind for the meeting, built as the command builds them."""
    if kind.slug == "herinnering":
        return _reminders(st, register, folders, post, envelope, progress)
    if kind.slug == "plan":
        if not folders.plans.is_dir():
            return Drafts(problem="Er zijn nog geen plannen voor dit overleg: voeg eerst samen (pagina Plannen).")
        if progress is not None:
            progress(0, 0, "Plannen als PDF klaarzetten")
        pdfs, found = plan_pdfs(register, folders.meeting, folders.plans)
        letters, problems = plan_letters(register, folders.meeting, pdfs, encrypted=encrypt)
        return Drafts(letters=letters, findings=found + problems)
    if kind.slug == "formulieren":
        if not folders.forms.is_dir():
            return Drafts(problem="Voor dit overleg zijn nog geen scoreformulieren gemaakt (pagina Overleg).")
        letters, found = form_letters(register, folders.meeting, folders.forms, working_days=post.terugsturen_werkdagen,
                                      reply_to=envelope.reply_to or envelope.sender)
        return Drafts(letters=letters, findings=found)
    summary, problems = read_summary(folders.reports) if folders.reports.is_dir() else (None, [])
    if summary is None:
        return Drafts(problem="Er zijn nog geen controlerapporten voor dit overleg: controleer eerst de "
                              "teruggestuurde formulieren (pagina Retour).", findings=problems)
    if kind.slug == "terugkoppeling":
        letters, found = feedback_letters(summary, register)
        return Drafts(letters=letters, findings=found)
    result = Drafts()
    for entry in summary.dossiers:
        msg, problem = compose(entry, summary, folders.reports, register, envelope)
        if msg is not None:
            result.reports.append(msg)
        if problem is not None:
            result.findings.append(problem)
    return result


def _reminders(st: AppState, register: Register, folders: MeetingFolders, post: PostSettings, envelope: Envelope,
               progress: ProgressCallback | None) -> Drafts:
    """Return the reminders: each professional's forms of the meeting not accepted by the check of the returns folder."""
    if not folders.forms.is_dir():
        return Drafts(problem="Voor dit overleg zijn nog geen scoreformulieren gemaakt (pagina Overleg).")
    returns = [folders.returns] if folders.returns.is_dir() else []  # as `send forms --herinnering --retour`
    key = load_key(key_path(st.config.key_setting(), explicit=st.config.key), create=False)
    only = not_returned(register, folders.meeting, returns, build_schema(st.settings), key=key,
                        progress=counted(progress, "Teruggestuurde formulieren herkennen") if progress
                        else (lambda items: items))
    letters, found = form_letters(register, folders.meeting, folders.forms, working_days=post.terugsturen_werkdagen,
                                  reply_to=envelope.reply_to or envelope.sender, only=only)
    if not letters and not found:
        return Drafts(problem="Alle formulieren zijn terug; er gaat geen herinnering uit.")
    return Drafts(letters=letters, findings=found)


def letter_preview(letter: Letter) -> Preview:
    """Return what the message of a letter shows its reader, as :func:`formkit.delivery.send.message` writes it.

    Taken from the letter itself: building the MIME message of every letter (headers parsed,
    attachments encoded) would cost a large meeting's page more than its time budget.
    """
    p = letter.professional
    return Preview(f"{visible(p.name)} <{visible(p.email or '')}>", visible(letter.subject),
                   visible(letter.body, multiline=True), tuple(visible(a.name) for a in letter.attachments))


def previews(found: Drafts) -> list[Preview]:
    """Return the preview of each message of a kind."""
    return [letter_preview(letter) for letter in found.letters] + [preview(m) for m in found.reports]


# --- sending -------------------------------------------------------------------------------


def send(st: AppState, space: Workspace, kind: Kind, meeting: dt.date, envelope: Envelope, server: SmtpSettings | None,
         progress: ProgressCallback, *, previewed: str, encrypt: bool = False) -> MailOutcome:
    """Return what sending a kind's messages did: to the outbox, or by `server`; the ledger sends nothing twice.

    `space`: the register and work folder of the request; `previewed`: the fingerprint of the
    messages the secretary saw. When the messages built now differ, nothing is sent.
    """
    folders = space.folders(meeting)
    loaded = space.reread()  # read again, as each command does
    source = source_folder(kind, folders)
    box = source / OUTBOX
    outcome = MailOutcome(kind, server is not None, f"via {server.host}" if server else f"in {box}",
                          encrypted=encrypt and kind.slug == "plan")
    ensure_writable_file(source / LEDGER)
    if server is None:
        ensure_writable(box, create=True)
    history = History(space.history())
    progress(0, 0, "Berichten samenstellen")
    with folder_locks([source], "het versturen van de berichten"):
        found = drafts(st, kind, loaded.register, folders, load_post_settings(st.config.settings), envelope,
                       encrypt=outcome.encrypted, progress=progress)
        if found.problem:  # nothing to send: a normal outcome, as the command ends with 0
            outcome.note, outcome.findings = found.problem, found.findings
            return outcome
        if fingerprint(found) != previewed:
            raise FormkitError(CHANGED)
        if kind.slug == "rapporten":
            _send_reports(loaded.register, folders, envelope, server, history, progress, outcome)
            return outcome
        outcome.findings += found.findings
        letters, passwords = encrypt_letters(found.letters) if outcome.encrypted else (found.letters, [])
        progress(0, 0, f"{len(letters)} berichten versturen")
        result = send_letters(letters, source, envelope, outbox=box, smtp=server, history=history, command=COMMAND)
    outcome.sent = [f"{_who(letter)}: {dossier_words(letter.dossiers)}" for letter in result.sent]
    outcome.sent += [f"{_who(letter)}: {dossier_words(letter.dossiers)} (opnieuw: een bijlage is gewijzigd "
                     "sinds de vorige keer)" for letter in result.resent]
    outcome.already = [_who(letter) for letter in result.already]
    outcome.findings += result.findings
    went = {id(letter.professional) for letter in result.sent + result.resent}
    if outcome.encrypted:  # only the passwords of the plans that went; shown once, written nowhere
        outcome.passwords = [(visible(person_label(p.name, p.organisation)), visible(p.email or ""), password)
                             for p, password in passwords if id(p) in went]
    return outcome


def _send_reports(register: Register, folders: MeetingFolders, envelope: Envelope, server: SmtpSettings | None,
                  history: History, progress: ProgressCallback, outcome: MailOutcome) -> None:
    """Mail the check reports to the regisseurs as `formkit mail` does, and log them as it logs them."""
    result = mail_reports(folders.reports, register, smtp=server, envelope=envelope,
                          progress=counted(progress, "Rapporten versturen"))
    logged = disclose(history, mail_disclosures(result.delivered, register, report_kenmerken(folders.reports),
                                                SMTP if server else OUTBOX_CHANNEL, COMMAND))
    outcome.sent = [f"dossier {d}: {_regisseur(register, d)}" for d in result.delivered]
    outcome.already = [f"dossier {d}" for d in result.already]
    outcome.findings += result.findings + logged


def _regisseur(register: Register, dossier: str) -> str:
    regisseur = register.regisseur_of(dossier)
    return visible(person_label(regisseur.name, regisseur.organisation)) if regisseur else ""


def _who(letter: Letter) -> str:
    return visible(person_label(letter.professional.name, letter.professional.organisation))


def render_outcome(job: Job) -> str:
    """Return the result of a finished send: what went where, what had gone before, and the findings."""
    outcome: MailOutcome = job.result
    passwords = outcome.take_passwords()
    return fragment("mail_result.html", outcome=outcome, rows=finding_rows(outcome.findings), passwords=passwords)


def make_previews(st: AppState, space: Workspace, kind: Kind, meeting: dt.date, encrypt: bool,
                  progress: ProgressCallback) -> PreviewOutcome:
    """Return the previews of a slow kind (reminders, plans), built in a job as the send will build them."""
    folders = space.folders(meeting)
    loaded = space.reread()
    post = load_post_settings(st.config.settings)
    envelope = Envelope(post.afzender, post.antwoordadres)
    found = drafts(st, kind, loaded.register, folders, post, envelope, encrypt=encrypt, progress=progress)
    return PreviewOutcome(kind, meeting, str(source_folder(kind, folders) / OUTBOX), st.keys.csrf, post_fields(post),
                          encrypt, previews(found), found.findings, found.problem, fingerprint(found))


def render_previews(job: Job) -> str:
    """Return the previews of a finished preview job with the send form below them."""
    outcome: PreviewOutcome = job.result
    return fragment("mail_preview.html", kind=outcome.kind, meeting=outcome.meeting, previews=outcome.previews,
                    rows=finding_rows(outcome.findings), nothing=outcome.problem, outbox=outcome.outbox,
                    csrf=outcome.csrf, encrypt=outcome.encrypt, problem="", security_choices=SECURITY_CHOICES,
                    fields=outcome.fields, fingerprint=outcome.fingerprint)


# --- the routes ----------------------------------------------------------------------------


index = SECTION.picker("mail.html")


@SECTION.for_meeting
async def show(request: Request, meeting: dt.date) -> Response:
    """Return a meeting's mail page: the kinds, the preview of the chosen kind and its send form."""
    return await run_in_threadpool(_show, request, meeting)  # the drafts read every file: off the event loop


def _show(request: Request, meeting: dt.date, *, kind_slug: str | None = None, problem: str = "",
          fields: dict[str, str] | None = None, status_code: int = 200) -> Response:
    st = state(request)
    assert st.loaded is not None
    space = workspace(request)
    kind = KINDS.get(kind_slug or request.query_params.get("soort", ""))
    job, job_html = job_for(request, space.scope(SLUG, meeting))
    context: dict[str, object] = {
        "meeting": meeting, "meetings": meetings(st.loaded.register), "kinds": list(KINDS.values()), "kind": kind,
        "problem": problem, "security_choices": SECURITY_CHOICES,
        "job": job_html if job is None or job.title in (JOB_TITLE, PREVIEW_TITLE) else ""}
    try:
        post = load_post_settings(st.config.settings)
    except FormkitError as e:
        return SECTION.message(request, f"De instellingen zijn niet te gebruiken: {visible(str(e))}", 400)
    context["fields"] = {**post_fields(post), **(fields or {})}
    if kind is not None and not kind.slow:
        folders = space.folders(meeting)
        envelope = Envelope(post.afzender, post.antwoordadres)
        found = drafts(st, kind, space.reread().register, folders, post, envelope)  # as the send will read it
        context.update(previews=previews(found), nothing=found.problem, rows=finding_rows(found.findings),
                       outbox=str(source_folder(kind, folders) / OUTBOX), encrypt=False, fingerprint=fingerprint(found))
    return page(request, "mail.html", SLUG, TITLE, status_code=status_code, **context)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@SECTION.for_meeting
async def start(request: Request, meeting: dt.date) -> Response:
    """Start sending a kind's messages (outbox or SMTP); wrong server settings show the page again, without the password."""
    st = state(request)
    form = await request.form()
    kind = KINDS.get(_field(form, "soort"))
    if kind is None:
        return SECTION.message(request, "Kies eerst welke berichten u wilt versturen.", 400)
    kept = {name: _field(form, name) for name in ("wijze", "server", "beveiliging", "gebruiker", "afzender", "certificaat")}
    try:
        server, envelope = _way_out(st, form)
    except FormkitError as e:
        return await run_in_threadpool(partial(_show, request, meeting, kind_slug=kind.slug, fields=kept,
                                               problem=f"Niet verstuurd: {visible(str(e))}.", status_code=400))
    previewed = _field(form, "vingerafdruk")
    if not previewed:
        return await run_in_threadpool(partial(_show, request, meeting, kind_slug=kind.slug, fields=kept,
                                               problem=NO_PREVIEW, status_code=400))
    encrypt = kind.slug == "plan" and _field(form, "versleutelen") == "ja"
    space = workspace(request)
    job = st.jobs.start(JOB_TITLE, _sender(st, space, kind, meeting, envelope, server, encrypt, previewed),
                        scope=space.scope(SLUG, meeting), render=render_outcome)
    return SECTION.to_job(meeting, job, f"soort={kind.slug}&")


def _sender(st: AppState, space: Workspace, kind: Kind, meeting: dt.date, envelope: Envelope,
            server: SmtpSettings | None, encrypt: bool, previewed: str) -> Callable[[ProgressCallback], MailOutcome]:
    """Return the job's work; the server settings (with the password) live only in it, never in the result."""
    return lambda progress: send(st, space, kind, meeting, envelope, server, progress, previewed=previewed,
                                 encrypt=encrypt)


@SECTION.for_meeting
async def preview_start(request: Request, meeting: dt.date) -> Response:
    """Start the job that builds the previews of a slow kind (reminders, plans); the page shows them when done."""
    st = state(request)
    form = await request.form()
    kind = KINDS.get(_field(form, "soort"))
    if kind is None or not kind.slow:
        return SECTION.message(request, "Kies eerst welke berichten u wilt samenstellen.", 400)
    encrypt = kind.slug == "plan" and _field(form, "versleutelen") == "ja"
    space = workspace(request)
    job = st.jobs.start(PREVIEW_TITLE, lambda progress: make_previews(st, space, kind, meeting, encrypt, progress),
                        scope=space.scope(SLUG, meeting),
                        render=render_previews)
    return SECTION.to_job(meeting, job, f"soort={kind.slug}&")


def _way_out(st: AppState, form: FormData) -> tuple[SmtpSettings | None, Envelope]:
    """Return the server (None: the outbox) and the envelope from the form, by the commands' rules."""
    smtp = _field(form, "wijze") == "smtp"
    server = None
    if smtp:
        address = _field(form, "server")
        if not address:
            raise FormkitError("vul de mailserver in (naam of adres, eventueel met :poort)")
        typed = typed_path(_field(form, "certificaat")) if _field(form, "certificaat") else None
        if isinstance(typed, str):
            raise FormkitError(f"het pad van het certificaat is niet te gebruiken: {typed.rstrip('.')}")
        cafile = typed
        if cafile is not None and not is_file(cafile):
            raise FormkitError(f"het certificaat {shown(str(cafile))} bestaat niet")
        password = form.get("wachtwoord")
        server = smtp_server(address, _field(form, "beveiliging") or None, _field(form, "gebruiker") or None,
                             password if isinstance(password, str) else None, cafile)
    return server, message_envelope(_field(form, "afzender") or None, load_post_settings(st.config.settings),
                                    smtp=smtp)


PAGE = Page(SLUG, TITLE, [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}", show, methods=["GET"]),
    Route(f"/{SLUG}/{{datum}}/versturen", start, methods=["POST"]),
    Route(f"/{SLUG}/{{datum}}/voorbeeld", preview_start, methods=["POST"]),
])
