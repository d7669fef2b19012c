"""`formkit log`: who received what about a household, and when; `formkit log verify` checks the chain.

The records the commands make are in :mod:`formkit.delivery.disclosures`. This module
imports nothing from :mod:`formkit.cli.main`, so either may be imported first.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..core import dutch
from ..core.findings import Finding, has_errors
from ..core.messages import plural
from ..core.text import visible
from ..delivery.disclosures import SECRETARIAT, disclose, file_disclosures
from ..plan.history import ChainCheck, History, LoggedDisclosure, default_path
from .params import MeetingDate, history_option

METAVARS: dict[str, Any] = {"options_metavar": "[OPTIES]"}


# --- the command ---------------------------------------------------------------------------


def _store_options(f: Any) -> Any:
    f = click.option("--register", "register_pad", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Het register; het log staat in formkit-historie.sqlite ernaast.")(f)
    return history_option("Het historiebestand (SQLite) met het log, als het niet naast het register staat.",
                          exists=True)(f)


def _store(history_pad: Path | None, register_pad: Path | None) -> History:
    """Return the history store named; stop with exit 2 when none is named, exit 1 when it does not exist."""
    if history_pad and register_pad:
        raise click.UsageError("kies --historie of --register, niet allebei")
    if not history_pad and not register_pad:
        raise click.UsageError("geef het historiebestand met --historie, of het register met --register")
    path = history_pad or default_path(register_pad)  # type: ignore[arg-type]  # one of both is given
    if not path.exists():
        click.echo(f"Er is geen historiebestand {visible(str(path))}: er is nog niets vastgelegd, of het bestand "
                   "is weg. Zet dan een back-up terug.", err=True)
        sys.exit(1)
    return History(path)


def moment_text(entry: LoggedDisclosure) -> str:
    """Return when a disclosure was made, for a Dutch reader: "24-11-2026 09:15:02 UTC"."""
    moment = entry.moment
    return f"{dutch.short_date(moment)} {moment:%H:%M:%S} UTC" if moment else visible(entry.at)


#: The workbook's columns: (heading, narrowest, widest) in characters. Landscape A4 holds about 108: the
#: kind of document stays whole, and the SHA-256 wraps in four groups of 16 rather than squeezing the rest.
COLUMNS = (("Nr.", 4, 6), ("Moment", 11, 12), ("Dossier", 9, 14), ("Stuk", 15, 18), ("Ontvanger", 18, 32),
           ("Adres of bestand", 20, 50), ("Kanaal", 8, 10), ("Opdracht", 12, 24), ("Vingerafdruk (SHA-256 of kenmerk)", 17, 17))


def table_rows(entries: Iterable[LoggedDisclosure]) -> list[list[str]]:
    """Return the log as rows of text, one per disclosure, in the order of :data:`COLUMNS`."""
    return [[str(e.number), moment_text(e), e.disclosure.dossier, e.disclosure.kind, e.disclosure.recipient,
             e.disclosure.address, e.disclosure.channel, e.disclosure.command, e.disclosure.fingerprint]
            for e in entries]


def write_log_workbook(entries: list[LoggedDisclosure], path: Path, title: str) -> None:
    """Write the disclosures as a workbook table; every value as text, never a formula."""
    from ..xlsx import Workbook
    from ..xlsx.tables import Column, write_table
    from ..xlsx.workbook import save_atomic

    wb = Workbook()
    ws = wb.active
    ws.title = "Verstrekkingen"
    write_table(ws, [Column(name, min_width=low, max_width=high) for name, low, high in COLUMNS], table_rows(entries),
                document=title, empty="Geen verstrekkingen.")
    save_atomic(wb, path)


@click.group("log", invoke_without_command=True, subcommand_metavar="[verify]", **METAVARS)
@_store_options
@click.option("--dossier", metavar="ID", help="Alleen dit dossier.")
@click.option("--ontvanger", metavar="TEKST", help="Alleen ontvangers of adressen met deze tekst erin (hoofdletters maken niet uit).")
@click.option("--van", "since", type=MeetingDate(), help="Vanaf deze dag (UTC), die dag meegerekend.")
@click.option("--tot", "until", type=MeetingDate(), help="Tot en met deze dag (UTC).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Schrijf de lijst ook als Excel-werkmap (.xlsx).")
@click.pass_context
def log(ctx: click.Context, history_pad: Path | None, register_pad: Path | None, dossier: str | None,
        ontvanger: str | None, since: dt.date | None, until: dt.date | None, out_file: Path | None) -> None:
    """Toon wie wat over een huishouden heeft ontvangen, en wanneer: elk formulier, rapport, plan,
    pakket, bericht en elke export die formkit maakte.

    'formkit log verify' controleert of het log onaangetast is. Stopt met code 1 als het log niet
    leesbaar is of de werkmap niet geschreven kon worden, anders 0.
    """
    if ctx.invoked_subcommand is not None:
        return
    history = _store(history_pad, register_pad)
    entries = history.disclosures(dossier=dossier, recipient=ontvanger, since=since, until=until)
    for row in table_rows(entries):
        number, moment, dossier_id, kind, recipient, address, channel, command, digest = (visible(v) for v in row)
        click.echo(f"{number:>5}  {moment}  dossier {dossier_id}: {kind} aan {recipient} ({address}), "
                   f"via {channel}, door '{command}', vingerafdruk {digest[:12]}")
    click.echo(f"{plural(len(entries), 'verstrekking', 'verstrekkingen')} in {visible(str(history.path))}.")
    findings = list(history.findings)
    if out_file is not None:
        findings += _export(history, entries, out_file)
    for found in findings:
        click.echo(f"  {visible(str(found))}")
    sys.exit(1 if has_errors(findings) else 0)


def _export(history: History, entries: list[LoggedDisclosure], out_file: Path) -> list[Finding]:
    """Write the workbook and log that export itself (it names every household in it); return the log's findings."""
    from ..core.atomic import describe_os_error

    try:
        write_log_workbook(entries, out_file, "Verstrekkingenlog")
    except OSError as e:
        click.echo(f"Fout: {visible(str(out_file))}: {describe_os_error(e)}.", err=True)
        sys.exit(1)
    click.echo(f"Werkmap: {visible(str(out_file))}")
    dossiers = dict.fromkeys(e.disclosure.dossier for e in entries)
    return disclose(history, file_disclosures([(d, out_file) for d in dossiers], "export", SECRETARIAT,
                                              "formkit log"))


@log.command("verify", **METAVARS)
@_store_options
def verify(history_pad: Path | None, register_pad: Path | None) -> None:
    """Controleer of het log onaangetast is: elk record hoort bij het vorige (een keten van SHA-256-hashes).

    Een gewijzigd, verwijderd of ingevoegd record breekt de keten; formkit noemt het eerste
    record waar dat gebeurt. Stopt met code 0 als het log heel is, anders 1.
    """
    history = _store(history_pad, register_pad)
    check = history.verify()
    for line in verify_lines(check, history):
        click.echo(line)
    sys.exit(0 if check.intact and not history.findings else 1)


def verify_lines(check: ChainCheck, history: History) -> list[str]:
    """Return the outcome of a chain check as Dutch lines."""
    if history.findings:
        return [visible(str(found)) for found in history.findings]
    if check.broken is not None:
        entry = check.broken
        return [f"Het verstrekkingenlog is aangetast: record {entry.number} van {moment_text(entry)} (dossier "
                f"{visible(entry.disclosure.dossier)}): {check.reason}.",
                f"De records vóór nummer {entry.number} zijn in orde; zet een back-up van "
                f"{visible(str(history.path))} terug en bewaar dit bestand voor onderzoek."]
    if check.missing_at_end:
        return [f"Het verstrekkingenlog is aangetast: de laatste "
                f"{plural(check.missing_at_end, 'record is', 'records zijn')} verwijderd (na record {check.count}).",
                f"Zet een back-up van {visible(str(history.path))} terug en bewaar dit bestand voor onderzoek."]
    if check.plans_without_log:
        return [f"Let op: het verstrekkingenlog is leeg (0 records), terwijl de historie "
                f"{plural(check.plans_without_log, 'plan', 'plannen')} bevat. Komt dit bestand van vóór het "
                "verstrekkingenlog of is de historie opnieuw opgebouwd, dan klopt dat; anders is het log "
                f"verwijderd: zet dan een back-up van {visible(str(history.path))} terug."]
    return [f"Verstrekkingenlog in orde: {plural(check.count, 'record', 'records')}, elk verbonden met het vorige."]
