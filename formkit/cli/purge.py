"""`formkit purge`: list, and with --uitvoeren remove, the files of households closed long enough ago."""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core import dutch
from ..core.errors import FormkitError
from ..core.messages import plural
from ..core.text import visible
from .main import DutchCommand, MeetingDate, _fail, _load_register, _locked, _print_findings
from .params import history_option

if TYPE_CHECKING:
    from ..delivery.purge import HouseholdPurge

_folder = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command(cls=DutchCommand)
@click.option("--register", "register_pad", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat, met de afsluitdatum van elk afgesloten huishouden.")
@click.option("--ouder-dan", "before", required=True, type=MeetingDate(),
              help="Ruim huishoudens op die vóór deze datum zijn afgesloten (jjjj-mm-dd of dd-mm-jjjj).")
@click.option("--formulieren", type=_folder, help="Map met scoreformulieren en TOP-3 formulieren.")
@click.option("--rapporten", type=_folder, help="Map met controlerapporten (van 'formkit check --report').")
@click.option("--plannen", type=_folder, help="Map met veiligheidsplannen (van 'formkit merge').")
@click.option("--pakketten", type=_folder, help="Map met vergaderpakketten (van 'formkit pack').")
@history_option("Historiebestand met het verstrekkingenlog; standaard formkit-historie.sqlite naast het register. "
                "Het wordt nooit verwijderd.")
@click.option("--uitvoeren", is_flag=True,
              help="Verwijder de bestanden echt; zonder deze optie toont formkit alleen wat er weg zou gaan.")
@click.pass_context
def purge(ctx: click.Context, register_pad: Path, before: dt.date, formulieren: Path | None,
          rapporten: Path | None, plannen: Path | None, pakketten: Path | None, history_pad: Path | None,
          uitvoeren: bool) -> None:
    """Toon (en verwijder met --uitvoeren) de bestanden van huishoudens die vóór --ouder-dan zijn afgesloten:
    scoreformulieren, TOP-3 formulieren, controlerapporten, planversies en vergaderpakketten met alleen dat
    huishouden.

    Een huishouden is afgesloten als het register een afsluitdatum geeft (blad Huishoudens). Staat in de
    instellingen een bewaartermijn ([bewaren] termijn_jaren), dan moet die bovendien verstreken zijn. Elke
    verwijdering komt in het verstrekkingenlog; het log zelf blijft altijd staan.

    Stopt met code 0 als alles is gedaan, 1 als iets niet kon worden verwijderd, 2 bij verkeerd gebruik.
    """
    from ..core.settings import load_retention_setting
    from ..delivery.purge import PurgeFolders, closed_households, plan_purge, run_purge
    from ..plan.history import History, default_path

    folders = PurgeFolders(formulieren, rapporten, plannen, pakketten)
    if not any((formulieren, rapporten, plannen, pakketten)):
        raise click.UsageError("geef minstens één map op: --formulieren, --rapporten, --plannen of --pakketten")
    settings_path = ctx.find_root().params.get("instellingen")
    try:
        term = load_retention_setting(settings_path)
    except FormkitError as e:
        raise click.BadParameter(str(e), param_hint="--instellingen") from e
    loaded = _load_register(register_pad)
    history_path = history_pad or default_path(register_pad)
    households = closed_households(loaded.register, before, term)
    history = History(history_path)
    protect = [history_path, register_pad] + ([settings_path] if settings_path else [])
    term_text = f" en de bewaartermijn van {plural(term, 'jaar', 'jaar')} verstreken" if term is not None else ""
    click.echo(f"Afgesloten vóór {dutch.long_date(before)}{term_text}: "
               f"{plural(len(households), 'huishouden', 'huishoudens')}.")
    # a real run lists and removes under the folders' lock: nothing another run writes meanwhile is judged stale
    lock = _locked(*(f for f in (formulieren, rapporten, plannen, pakketten) if f is not None),
                   what="het opruimen van afgesloten huishoudens") if uitvoeren else nullcontext()
    try:
        with lock:
            plans = plan_purge(loaded.register, households, folders, protect=protect, history=history)
            for plan in plans:
                _show(plan)
            if not uitvoeren:
                files = len({item.path for plan in plans for item in plan.items
                             if item.kind not in ("map", "overzicht", "historie")})
                click.echo(f"Proefdraai: er is niets veranderd. Gebruik --uitvoeren om deze "
                           f"{plural(files, 'bestand', 'bestanden')} te verwijderen.")
                return
            result = run_purge(plans, history)
    except FormkitError as e:
        _fail(e)
    gone = {item.path for item in result.removed if item.kind not in ("map", "overzicht", "historie")}
    folders_gone = [item for item in result.removed if item.kind == "map"]
    click.echo(f"Verwijderd: {plural(len(gone), 'bestand', 'bestanden')} en "
               f"{plural(len(folders_gone), 'map', 'mappen')}; vastgelegd in het verstrekkingenlog "
               f"({history_path}).")
    for item in result.left:
        click.echo(visible(f"  map blijft staan (er staat nog iets anders in): {item.path}"))
    if result.findings:
        click.echo("Bevindingen:")
        _print_findings(result.findings)
    sys.exit(1 if result.findings else 0)


_KINDS = {"overzicht": "overzicht (rapporten.json: dit dossier wordt eruit gehaald, de rest blijft)",
          "historie": "historie (de plannen van dit dossier gaan uit het historiebestand; het verstrekkingenlog blijft)",
          "map": "map (wordt verwijderd als hij daarna leeg is)"}


def _show(plan: HouseholdPurge) -> None:
    """Print one household's list: what goes and what stays."""
    household = plan.household
    closed = dutch.long_date(household.closing_date)
    click.echo(visible(f"Dossier {household.dossier} {household.name}, afgesloten op {closed}:"))
    if not plan.items:
        click.echo("  geen bestanden van formkit gevonden in de opgegeven mappen")
    for item in plan.items:
        click.echo(visible(f"  {_KINDS.get(item.kind, item.kind)}: {item.path}"))
    for note in plan.kept:
        click.echo(visible(f"  blijft staan: {note}"))
