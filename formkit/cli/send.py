"""`formkit send forms|feedback|plan`: the secretariat's loop by mail, and the envelope every message gets.

Imported by cli/main.py at its end (main registers the group), so the helpers of main are
complete when this module loads.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..core import dutch
from ..core.errors import FormkitError, UsageError
from ..core.findings import has_errors
from ..core.settings import PostSettings, load_post_settings
from ..core.text import person_label, visible
from ..delivery.mail import OUTBOX, Envelope, SmtpSettings
from ..delivery.send import Letter, SendResult, dossier_words
from .main import (
    DutchGroup,
    MeetingDate,
    _fail,
    _load_register,
    _locked,
    _print_findings,
    _sealing_key,
    _settings,
    _writable,
)
from .params import history_option

# The options main's commands share, declared here again: an option imported from main has a type
# the checker cannot see through the import cycle (main imports this module at its end).
_meeting_option = click.option("--meeting", "--overleg", "meeting", type=MeetingDate(), required=True,
                               help="Datum van het casusoverleg (jjjj-mm-dd of dd-mm-jjjj).")
_unsealed_option = click.option(
    "--ongezegeld-toestaan", "allow_unsealed", is_flag=True,
    help="Lees ook formulieren zonder zegel (gemaakt met een oudere formkit), met een waarschuwing.")
_history_option = history_option(
    "Historiebestand (SQLite) met het verstrekkingenlog; standaard formkit-historie.sqlite naast het register.")


def post_settings() -> PostSettings:
    """Return the `[post]` settings of the file given with --instellingen (defaults without one)."""
    ctx = click.get_current_context()
    path = ctx.find_root().params.get("instellingen")
    try:
        return load_post_settings(path)
    except FormkitError as e:
        raise click.BadParameter(str(e), param_hint="--instellingen") from e


def post_envelope(sender: str | None, *, smtp: bool) -> Envelope:
    """Return the envelope of this run's messages: --from or `[post] afzender`, and `[post] antwoordadres`.

    Sending by SMTP without a sender is a usage error (exit 2): servers refuse such messages.
    """
    from ..delivery.post import message_envelope

    try:
        return message_envelope(sender, post_settings(), smtp=smtp)  # the rules the app follows too
    except UsageError as e:
        raise click.UsageError(f"{e} (optie --from)") from e


def smtp_settings(smtp: str | None, security: str | None, user: str | None, cafile: Path | None,
                  outbox: Path | None) -> SmtpSettings | None:
    """Return how to reach the mail server, None for the outbox; wrong combinations are usage errors."""
    if outbox and smtp:
        raise click.UsageError("kies --outbox of --smtp, niet allebei")
    if security and not smtp:
        raise click.UsageError("--starttls en --ssl horen bij --smtp")
    if smtp is None:
        return None
    from ..delivery.post import smtp_server

    try:
        smtp_server(smtp, security, user, None, cafile)  # the rules the app follows too, before asking a password
    except UsageError as e:
        raise click.UsageError(f"{e} (opties --smtp, --starttls, --ssl, --user)") from e
    password = None
    if user:
        password = os.environ.get("FORMKIT_SMTP_PASSWORD") or click.prompt(
            f"Wachtwoord voor {user}", hide_input=True, err=True)
    return smtp_server(smtp, security, user, password, cafile)


def _mail_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options of the way out: an outbox folder, or an SMTP server with its security and sender."""
    options = [
        click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
                     help="Map voor .eml-bestanden (standaard een map postvak-uit); open ze in Outlook of "
                          "Thunderbird."),
        click.option("--smtp", metavar="HOST[:POORT]", help="Verstuur via deze mailserver in plaats van naar een map."),
        click.option("--starttls", "security", flag_value="starttls", help="Versleutel met STARTTLS (standaardpoort 587)."),
        click.option("--ssl", "security", flag_value="ssl", help="Versleutel met SSL/TLS (standaardpoort 465)."),
        click.option("--user", help="Gebruikersnaam voor de mailserver; het wachtwoord komt uit "
                                    "FORMKIT_SMTP_PASSWORD of wordt gevraagd."),
        click.option("--from", "sender", metavar="ADRES",
                     help="Afzender (standaard 'afzender' uit [post] in de instellingen); verplicht bij --smtp."),
        click.option("--cafile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Certificaat (PEM) van een eigen certificaatautoriteit van de mailserver."),
        _history_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _send_group() -> None:
    """Berichten aan de professionals: scoreformulieren, herinneringen, terugkoppeling en plannen.

    Elk bericht gaat naar één professional en bevat alleen de bestanden van de eigen huishoudens.
    Onderwerp en tekst noemen alleen de geadresseerde en dossiernummers; de inhoud zit in de
    bijlagen. Wat al verstuurd is, gaat niet nog een keer. Elke verstrekking komt in het
    verstrekkingenlog.
    """


#: Annotated, so the type checker need not follow the import cycle with main to know it.
send: click.Group = click.group("send", cls=DutchGroup)(_send_group)


_register_option = click.option(
    "--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Het register; de e-mailadressen komen alleen hieruit.")


@send.command("forms")
@_register_option
@_meeting_option
@click.option("--forms", "forms_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de scoreformulieren van 'formkit forms'.")
@click.option("--herinnering", "reminder", is_flag=True,
              help="Stuur alleen de formulieren die nog niet terug zijn (met --retour); hoogstens één herinnering "
                   "per dag.")
@click.option("--retour", "returns", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Map of bestand met teruggestuurde formulieren (bij --herinnering; mag vaker).")
@_unsealed_option
@_mail_options
@click.pass_context
def send_forms(ctx: click.Context, register_pad: Path, meeting: dt.date, forms_dir: Path, reminder: bool,
               returns: tuple[Path, ...], allow_unsealed: bool, outbox: Path | None, smtp: str | None,
               security: str | None, user: str | None, sender: str | None, cafile: Path | None,
               history_pad: Path | None) -> None:
    """Stuur elke professional de scoreformulieren van de eigen huishoudens op het overleg, met de
    datum waarvoor ze terug moeten ('terugsturen_werkdagen' werkdagen vóór het overleg, standaard 3).

    Met --herinnering alleen aan wie nog formulieren moet terugsturen, met alleen die formulieren.
    Stopt met code 1 als een bericht niet verstuurd kon worden of een formulier ontbreekt.
    """
    from ..delivery.send import form_letters
    from ..sheets.forms import select_dossiers

    if reminder and not returns:
        raise click.UsageError("--herinnering heeft --retour MAP nodig: de map met de teruggestuurde formulieren")
    if returns and not reminder:
        raise click.UsageError("--retour hoort bij --herinnering")
    server = smtp_settings(smtp, security, user, cafile, outbox)
    envelope = post_envelope(sender, smtp=server is not None)
    post = post_settings()
    loaded = _load_register(register_pad)
    try:
        select_dossiers(loaded.register, meeting)  # a meeting not in the register is a usage error
    except FormkitError as e:
        _fail(e)
    only = _not_returned(ctx, loaded.register, meeting, returns, allow_unsealed) if reminder else None
    letters, findings = form_letters(loaded.register, meeting, forms_dir, working_days=post.terugsturen_werkdagen,
                                     reply_to=envelope.reply_to or envelope.sender, only=only)
    if reminder and not letters and not findings:
        click.echo("Alle formulieren zijn terug; er gaat geen herinnering uit.")
        sys.exit(0)
    what = "herinneringen" if reminder else "berichten met scoreformulieren"
    result = _send(letters, forms_dir, envelope, server, outbox, register_pad, history_pad,
                   f"formkit send forms{' --herinnering' if reminder else ''}")
    _report(result, findings, what, server, outbox or forms_dir / OUTBOX)


def _not_returned(ctx: click.Context, register, meeting: dt.date, returns: tuple[Path, ...],
                  allow_unsealed: bool) -> set[tuple[str, str]]:
    """Return the (dossier, professional) forms of the meeting that have not come back in `returns`."""
    from ..delivery.send import not_returned
    from ..sheets.schema import build_schema

    try:
        return not_returned(register, meeting, returns, build_schema(_settings(ctx)),
                            key=_sealing_key(ctx, create=False), allow_unsealed=allow_unsealed)
    except FormkitError as e:
        _fail(e)


@send.command("feedback")
@click.option("--rapporten", "reports_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de controlerapporten van 'formkit check --report'.")
@_register_option
@_mail_options
def send_feedback(reports_dir: Path, register_pad: Path, outbox: Path | None, smtp: str | None,
                  security: str | None, user: str | None, sender: str | None, cafile: Path | None,
                  history_pad: Path | None) -> None:
    """Stuur elke professional de bevindingen op de eigen teruggestuurde formulieren, met het verzoek
    ze te verbeteren en opnieuw te sturen. Wie geen bevindingen heeft, krijgt geen bericht.

    Stopt met code 1 als een bericht niet verstuurd kon worden.
    """
    from ..delivery.mail import load_summary
    from ..delivery.send import feedback_letters

    server = smtp_settings(smtp, security, user, cafile, outbox)
    envelope = post_envelope(sender, smtp=server is not None)
    loaded = _load_register(register_pad)
    try:
        summary = load_summary(reports_dir)
    except FormkitError as e:
        _fail(e)
    letters, findings = feedback_letters(summary, loaded.register)
    result = _send(letters, reports_dir, envelope, server, outbox, register_pad, history_pad,
                   "formkit send feedback")
    _report(result, findings, "berichten met bevindingen", server, outbox or reports_dir / OUTBOX)


@send.command("plan")
@click.option("--plannen", "plans_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de plannen van 'formkit merge'; de nieuwste versie per huishouden gaat mee.")
@_register_option
@_meeting_option
@click.option("--encrypt", "--versleutel", "encrypt", is_flag=True,
              help="Versleutel elk PDF-bestand (AES-256) met een eigen wachtwoord per ontvanger; de wachtwoorden "
                   "komen in een aparte lijst, nooit in de mail.")
@click.option("--wachtwoorden", "passwords_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Bestand voor de wachtwoorden (verplicht bij --encrypt; niet bij de plannen of in het postvak); "
                   "nieuwe komen erbij.")
@click.option("--timeout", type=click.IntRange(10, 3600), default=300, show_default=True,
              help="Hoeveel seconden LibreOffice mag doen over het omzetten naar PDF.")
@_mail_options
def send_plan(plans_dir: Path, register_pad: Path, meeting: dt.date, encrypt: bool, passwords_file: Path | None,
              timeout: int, outbox: Path | None, smtp: str | None, security: str | None, user: str | None,
              sender: str | None, cafile: Path | None, history_pad: Path | None) -> None:
    """Stuur na het overleg het actuele plan van elk huishouden als PDF naar elke professional op de
    verzendlijst van dat plan (de PDF/A-archiefkopie als die er is).

    Stopt met code 1 als een plan ontbreekt of een bericht niet verstuurd kon worden.
    """
    from ..delivery.send import encrypt_letters, plan_letters, plan_pdfs
    from ..sheets.forms import select_dossiers

    server = smtp_settings(smtp, security, user, cafile, outbox)
    envelope = post_envelope(sender, smtp=server is not None)
    loaded = _load_register(register_pad)
    if encrypt and passwords_file is None:  # a conscious place for it: never by default beside the plans and drafts
        raise click.UsageError("geef met --wachtwoorden het bestand voor de wachtwoorden, op een andere plek dan "
                               "de plannen en het postvak.")
    if encrypt and passwords_file is not None:
        _writable(files=(passwords_file,))
    try:
        select_dossiers(loaded.register, meeting)
        pdfs, findings = plan_pdfs(loaded.register, meeting, plans_dir, timeout=timeout)
    except FormkitError as e:
        _fail(e)
    letters, problems = plan_letters(loaded.register, meeting, pdfs, encrypted=encrypt)
    passwords: list = []
    if encrypt:
        letters, passwords = encrypt_letters(letters)
    result = _send(letters, plans_dir, envelope, server, outbox, register_pad, history_pad, "formkit send plan")
    if encrypt and passwords_file is not None:
        went = {id(letter.professional) for letter in result.sent + result.resent}
        _write_passwords(passwords_file, meeting, [(p, pw) for p, pw in passwords if id(p) in went])
    _report(result, findings + problems, "berichten met het plan", server, outbox or plans_dir / OUTBOX)


def _write_passwords(path: Path, meeting: dt.date, passwords: list) -> None:
    """Add the passwords of the plans just sent to the list for another channel; say where it is."""
    from ..core.atomic import write_atomic

    if not passwords:
        return
    old = path.read_text(encoding="utf-8") if path.is_file() else (
        f"Wachtwoorden veiligheidsplannen casusoverleg {dutch.long_date(meeting)}\n"
        "Geef elk wachtwoord via een ander kanaal door dan de mail (bijvoorbeeld telefonisch of per sms).\n"
        "Bewaar deze lijst niet bij de plannen en verwijder hem als de wachtwoorden zijn doorgegeven.\n\n")
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    lines = [f"{stamp}\t{person_label(p.name, p.organisation)}\t{p.email}\t{pw}" for p, pw in passwords]
    data = old + "\n".join(lines) + "\n"
    try:
        write_atomic(path, lambda tmp: Path(tmp).write_text(data, encoding="utf-8"))
    except OSError as e:
        click.echo(f"Fout: de wachtwoorden konden niet worden bewaard in {path} ({e.strerror}); de plannen zijn "
                   "wel verstuurd. Schrijf de wachtwoorden nu over:", err=True)
        for line in lines:
            click.echo(f"  {visible(line)}", err=True)
        sys.exit(1)
    click.echo(f"Wachtwoorden: {path} (geef ze via een ander kanaal door).")


def _send(letters: list[Letter], ledger_dir: Path, envelope: Envelope, server: SmtpSettings | None,
          outbox: Path | None, register_pad: Path, history_pad: Path | None, command: str) -> SendResult:
    """Return what sending the letters did; the ledger's folder is locked while sending."""
    from ..delivery.mail import LEDGER
    from ..delivery.send import send_letters
    from ..plan.history import History, default_path

    box = outbox or ledger_dir / OUTBOX
    _writable(None if server else box, files=(ledger_dir / LEDGER,))
    try:
        with _locked(ledger_dir, what="het versturen van de berichten"):
            return send_letters(letters, ledger_dir, envelope, outbox=box, smtp=server,
                                history=History(history_pad or default_path(register_pad)), command=command)
    except FormkitError as e:
        _fail(e)


def _report(result: SendResult, findings: list, what: str, server: SmtpSettings | None, box: Path) -> None:
    """Print what was sent, sent again and left alone, and the findings; exit 1 on an error."""
    where = f"via {server.host}" if server else f"in {box}"
    done = "verstuurd" if server else "klaargezet"
    click.echo(f"{len(result.sent) + len(result.resent)} {what} {done} {where}.")
    for letter in result.sent:
        click.echo(f"  {_who(letter)}: {dossier_words(letter.dossiers)}")
    for letter in result.resent:
        click.echo(f"  {_who(letter)}: {dossier_words(letter.dossiers)} (opnieuw: een bijlage is gewijzigd "
                   "sinds de vorige keer)")
    if result.already:
        click.echo(f"{len(result.already)} waren al eerder zo verstuurd en gaan niet nog een keer: "
                   f"{', '.join(_who(letter) for letter in result.already)}.")
    all_findings = findings + result.findings
    if all_findings:
        click.echo("Bevindingen:")
        _print_findings(all_findings)
    sys.exit(1 if has_errors(all_findings) else 0)


def _who(letter: Letter) -> str:
    """Return the professional of a letter as the terminal shows them."""
    return visible(person_label(letter.professional.name, letter.professional.organisation))
