"""The `formkit` command: a thin Dutch layer over the library.

Exit codes: 0 all fine, 1 findings or errors in the input, 2 wrong usage.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from ..core.errors import FormkitError, UsageError
from ..core.findings import Code, Finding, has_errors
from ..core.messages import plural
from ..core.parallel import Progress
from ..core.settings import DEFAULT_SETTINGS, MethodSettings, load_key_setting, load_settings
from ..core.templates import AGENDA, OVERVIEW, PLAN, REPORT, SCORE_SHEET, TEMPLATE_FILES, TOP3
from ..core.text import person_label, visible
from . import nl as cli_nl
from .params import MeetingDate, history_option

cli_nl.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DutchCommand(click.Command):
    """A click command whose usage line is Dutch too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("context_settings", CONTEXT)
        super().__init__(*args, **kwargs)


class DutchGroup(click.Group):
    """A click group whose usage line and subcommands are Dutch too."""

    command_class = DutchCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        kwargs.setdefault("context_settings", CONTEXT)
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a file-system error no command handled becomes a Dutch message and exit 1."""
        try:
            return super().invoke(ctx)
        except OSError as e:  # the last safety net: the commands check and handle their own paths first
            from ..core.atomic import describe_os_error

            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"Fout: {where}{describe_os_error(e)}.", err=True)
            sys.exit(1)


DutchGroup.group_class = DutchGroup


def _settings(ctx: click.Context) -> MethodSettings:
    return ctx.find_root().obj or DEFAULT_SETTINGS


def _key_path(ctx: click.Context) -> Path:
    """Return where the secretariat's key is: --sleutel, FORMKIT_SLEUTEL, the settings, the user folder."""
    from ..sheets.seal import key_path

    meta = ctx.find_root().meta
    return key_path(meta.get("formkit.sleutel_instelling"), explicit=meta.get("formkit.sleutel"))


def _sealing_key(ctx: click.Context, *, create: bool):
    """Return the secretariat's key (made when `create` and missing, and then said where); never shown."""
    from ..sheets.seal import load_key

    path = _key_path(ctx)
    existed = path.exists()
    key = load_key(path, create=create)
    if create and not existed:
        click.echo(f"Nieuwe sleutel van het secretariaat gemaakt: {path}. Maak er een back-up van; zonder deze "
                   "sleutel kan formkit de formulieren die ermee gemaakt zijn niet controleren.")
    return key


_unsealed_option = click.option(
    "--ongezegeld-toestaan", "allow_unsealed", is_flag=True,
    help="Lees ook formulieren zonder zegel (gemaakt met een oudere formkit), met een waarschuwing.")


def _print_findings(findings: list[Finding]) -> None:
    """Print each finding on its own line; no character of a file name or cell can drive the terminal."""
    for f in findings:
        click.echo(f"  {visible(str(f))}")


def _summary(findings: list[Finding]) -> str:
    errors = sum(f.is_error for f in findings)
    return f"{plural(errors, 'fout', 'fouten')}, {plural(len(findings) - errors, 'waarschuwing', 'waarschuwingen')}"


def _load_register(path: Path):
    """Return the register at `path`; stop with exit 1 and its findings when nothing in it is usable."""
    from ..register.load import load

    loaded = load(path)
    if not loaded.register.households and has_errors(loaded.findings):
        _print_findings(loaded.findings)
        sys.exit(1)  # nothing usable in the register: its findings say why
    return loaded


def _fail(error: FormkitError) -> NoReturn:
    """Turn a library error into a clean Dutch message and the right exit code."""
    click.echo(f"Fout: {visible(str(error))}", err=True)
    sys.exit(2 if isinstance(error, UsageError) else 1)


def _writable(*folders: Path | None, files: tuple[Path, ...] = ()) -> None:
    """Prove every output folder (created if needed) and file writable before anything is written; else exit 1."""
    from ..core.atomic import ensure_writable, ensure_writable_file

    try:
        for folder in folders:
            if folder is not None:
                ensure_writable(folder)
        for file in files:
            ensure_writable_file(file)
    except FormkitError as e:
        _fail(e)


def _unwritable_error(error: OSError, fallback: Path | None) -> FormkitError:
    """Return the Dutch error for a write that failed half-way, naming the path."""
    from ..core.atomic import unwritable

    return unwritable(Path(error.filename) if error.filename else fallback or Path("."), error)


def _locked(*folders: Path | None, what: str):
    """Return a context holding the run lock of each output folder; a busy folder raises FolderBusy (a FormkitError)."""
    from ..core.locking import folder_locks

    return folder_locks([f for f in folders if f is not None], what)


def _preflight(ctx: click.Context, templates_dir: Path | None, *needed: Path) -> None:
    """Check the templates a command will render before anything is written; exit 1 when the check refuses one."""
    from ..core.findings import finding
    from ..delivery.template_check import preflight

    findings = preflight(templates_dir, needed, _settings(ctx))
    if not findings:
        return
    click.echo("Sjablonen:")
    _print_findings(findings)
    if has_errors(findings):
        folder = str(templates_dir) if templates_dir is not None else "van formkit"
        click.echo(visible(str(finding(Code.templates_refused, folder=folder))), err=True)
        sys.exit(1)


def _progress(label: str) -> Progress:
    """Return a progress display for the terminal: a bar on standard error, labelled in Dutch."""
    def wrap(items: Iterable[Any]) -> Iterator[Any]:
        counted = items if isinstance(items, Sized) else list(items)
        with click.progressbar(counted, length=len(counted), label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar
    return wrap


@click.group(cls=DutchGroup)
@click.version_option(__version__, "-V", "--version", prog_name="formkit",
                      message="%(prog)s, versie %(version)s")
@click.option("--instellingen", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML-bestand met eigen grenzen van de methode (standaard: die van de methode).")
@click.option("--sleutel", type=click.Path(dir_okay=False, path_type=Path),
              help="Sleutelbestand van het secretariaat waarmee formulieren worden verzegeld en gecontroleerd "
                   "(standaard: FORMKIT_SLEUTEL, de instellingen of de gebruikersmap).")
@click.pass_context
def main(ctx: click.Context, instellingen: Path | None, sleutel: Path | None) -> None:
    """formkit: scoreformulieren, TOP-3 formulieren en veiligheidsplannen voor het
    casusoverleg volgens gefaseerd samenwerken aan veiligheid.

    Begin met 'formkit demo' om de hele cyclus op de voorbeeldbestanden te zien.
    """
    if instellingen is not None:
        try:
            ctx.obj = load_settings(instellingen)
            ctx.meta["formkit.sleutel_instelling"] = load_key_setting(instellingen)
        except FormkitError as e:
            raise click.BadParameter(str(e), param_hint="--instellingen") from e
    ctx.meta["formkit.sleutel"] = sleutel


# --- register ---------------------------------------------------------------------------


@main.group()
def register() -> None:
    """Het register van het secretariaat: huishoudens, gezinsleden, professionals en overleggen."""


@register.command("new")
@click.argument("pad", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overschrijf een bestaand bestand.")
def register_new(pad: Path, force: bool) -> None:
    """Maak een leeg register PAD (.xlsx) met alle bladen, keuzelijsten en uitleg."""
    from ..register.write import new_register

    if pad.exists() and not force:
        raise click.UsageError(f"{pad} bestaat al; gebruik --force om het te overschrijven")
    _writable(files=(pad,))
    new_register(pad)
    click.echo(f"Leeg register geschreven: {pad}")


@register.command("check")
@click.argument("pad", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Schrijf de bevindingen als JSON.")
def register_check(pad: Path, as_json: bool) -> None:
    """Controleer het register PAD en meld elk probleem met blad, rij en kolom.

    Stopt met code 0 als er geen fouten zijn, 1 als er fouten zijn.
    """
    from ..register.load import load

    result = load(pad)
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False, indent=2))
    else:
        reg = result.register
        click.echo(f"Register {pad.name}: {len(reg.households)} huishoudens, {len(reg.members)} gezinsleden, "
                   f"{len(reg.professionals)} professionals, {len(reg.meeting_dates())} overleggen.")
        _print_findings(result.findings)
        click.echo(f"Resultaat: {_summary(result.findings)}.")
    sys.exit(1 if has_errors(result.findings) else 0)


# --- schema -----------------------------------------------------------------------------


@main.command()
@click.pass_context
def schema(ctx: click.Context) -> None:
    """Toon de velden van het scoreformulier als JSON: naam, blad, cel, type, verplicht, keuzes."""
    from ..sheets.schema import build_schema

    click.echo(build_schema(_settings(ctx)).to_json())


# --- batches of documents for a meeting -------------------------------------------------

_meeting_option = click.option("--meeting", "--overleg", "meeting", type=MeetingDate(), required=True,
                               help="Datum van het casusoverleg (jjjj-mm-dd of dd-mm-jjjj).")
_templates_option = click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
                                 help="Map met eigen sjablonen (xlsx/ en docx/); standaard die van formkit.")


_jobs_option = click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
                            help="Aantal processen tegelijk; bijvoorbeeld het aantal processorkernen.")
_history_option = history_option(
    "Historiebestand (SQLite) met alle plannen; standaard formkit-historie.sqlite naast het register.")


def _batch_options(what: str):
    """The options every command that writes documents for a meeting shares."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.argument("register_pad", metavar="REGISTER", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        _meeting_option,
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
                     help=f"Map waarin de {what} komen."),
        click.option("--dossier", "dossiers", multiple=True, metavar="ID",
                     help="Alleen dit dossier (mag vaker); standaard alle dossiers van het overleg."),
        click.option("--force", is_flag=True, help=f"Overschrijf bestaande {what}."),
        _jobs_option,
        _templates_option,
        click.pass_context,
    ]

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


def _run_batch(register_pad: Path, out_dir: Path, what: str, write, disclosures=None) -> None:
    """Load the register, call `write(register, progress)`, log `disclosures(result, register)`, report, and exit."""
    from ..register.check import relevant

    loaded = _load_register(register_pad)
    _writable(out_dir)
    try:
        with _locked(out_dir, what=f"het maken van {what}"):
            result = write(loaded.register, _progress(f"{what[0].upper()}{what[1:]} maken"))
    except FormkitError as e:
        _print_findings(loaded.findings)
        _fail(e)
    # A household that gets nothing is already a register finding: list each once.
    findings = list(dict.fromkeys(relevant(loaded.findings, result.dossiers) + result.findings))
    if disclosures is not None:  # the disclosure log beside the register (issue 15)
        from ..delivery.disclosures import disclose
        from ..plan.history import default_path

        findings += disclose(default_path(register_pad), disclosures(result, loaded.register))
    if findings:
        click.echo("Bevindingen:")
        _print_findings(findings)
    click.echo(f"{len(result.written)} {what} geschreven in {out_dir}.")
    if result.existing:
        click.echo(f"{len(result.existing)} bestonden al en zijn niet overschreven; gebruik --force om ze "
                   "opnieuw te maken.")
    sys.exit(1 if has_errors(findings) else 0)


@main.command()
@_batch_options("scoreformulieren")
def forms(ctx: click.Context, register_pad: Path, meeting: dt.date, out_dir: Path, dossiers: tuple[str, ...],
          force: bool, jobs: int, templates: Path | None) -> None:
    """Maak per huishouden van het overleg een scoreformulier (Excel) voor elke betrokken professional.

    Bestandsnamen bevatten alleen dossiernummer, code van de professional en datum.
    """
    from ..delivery.disclosures import form_disclosures
    from ..sheets.forms import write_forms

    _preflight(ctx, templates, SCORE_SHEET)
    _run_batch(register_pad, out_dir, "scoreformulieren", lambda register, progress: write_forms(
        register, meeting, out_dir, dossiers=dossiers, force=force, templates_dir=templates,
        settings=_settings(ctx), progress=progress, jobs=jobs, key=_sealing_key(ctx, create=True)),
        lambda result, register: form_disclosures(result.written, register, "formkit forms"))


@main.command()
@_batch_options("TOP-3 formulieren")
def docs(ctx: click.Context, register_pad: Path, meeting: dt.date, out_dir: Path, dossiers: tuple[str, ...],
         force: bool, jobs: int, templates: Path | None) -> None:
    """Maak per huishouden van het overleg het TOP-3 formulier (Word) voor het casusoverleg.

    Bestandsnamen bevatten alleen dossiernummer en datum.
    """
    from ..delivery.disclosures import top3_disclosures
    from ..documents.word import write_top3_forms

    _preflight(ctx, templates, TOP3)
    _run_batch(register_pad, out_dir, "TOP-3 formulieren", lambda register, progress: write_top3_forms(
        register, meeting, out_dir, dossiers=dossiers, force=force, templates_dir=templates,
        settings=_settings(ctx), progress=progress, jobs=jobs),
        lambda result, _: top3_disclosures(result.written, result.dossiers, out_dir, meeting, "formkit docs"))


# --- checking returned forms ------------------------------------------------------------


@main.command()
@click.argument("paden", metavar="PAD...", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat.")
@click.option("--meeting", "--overleg", "meeting", type=MeetingDate(),
              help="Datum van het casusoverleg; standaard die in de formulieren.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Map voor de controlerapporten per dossier (Excel en Word).")
@click.option("--json", "as_json", is_flag=True, help="Schrijf de samenvatting als JSON.")
@_unsealed_option
@_jobs_option
@_templates_option
@click.pass_context
def check(ctx: click.Context, paden: tuple[Path, ...], register_pad: Path, meeting: dt.date | None,
          report_dir: Path | None, as_json: bool, allow_unsealed: bool, jobs: int, templates: Path | None) -> None:
    """Lees teruggestuurde scoreformulieren (bestanden en mappen) en controleer ze op de regels
    van de methode.

    Formulieren worden herkend aan hun formkit-gegevens, niet aan de bestandsnaam. E-mails
    (.eml en Outlook .msg) mogen er ook tussen staan: hun bijlagen worden gecontroleerd. Stopt met
    code 1 als er een fout is, anders 0.
    """
    from ..delivery.reports import format_summary, summarise, write_reports
    from ..returns.batch import check_batch
    from ..sheets.schema import build_schema

    if report_dir is not None:
        _preflight(ctx, templates, REPORT)
    loaded = _load_register(register_pad)
    not_logged: list[Finding] = []
    _writable(report_dir)
    try:
        batch = check_batch(paden, loaded.register, build_schema(_settings(ctx)), meeting=meeting,
                            progress=_progress("Formulieren controleren"), jobs=jobs,
                            key=_sealing_key(ctx, create=False), allow_unsealed=allow_unsealed)
        summary = summarise(batch, loaded.register)
        if report_dir is not None:
            with _locked(report_dir, what="het schrijven van de controlerapporten"):
                reports = write_reports(summary, loaded.register, report_dir, templates_dir=templates)
            from ..delivery.disclosures import disclose, report_disclosures
            from ..plan.history import default_path

            not_logged = disclose(default_path(register_pad),
                                  report_disclosures(reports, loaded.register, "formkit check"))
    except FormkitError as e:
        _fail(e)
    except OSError as e:  # disk full or rights lost while writing the reports
        _fail(_unwritable_error(e, report_dir))
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        if batch.register:
            click.echo(f"Register {register_pad.name}:")
            _print_findings(batch.register)
        for result in batch.files:
            if result.findings:
                click.echo(f"{visible(result.path.name)} ({result.status}):")
                _print_findings(result.findings)
        if batch.missing:
            click.echo("Niet ontvangen:")
            _print_findings(batch.missing)
        for line in format_summary(summary):
            click.echo(line)
        if report_dir is not None:
            click.echo(f"Controlerapporten staan in {report_dir}.")
    for problem in not_logged:  # on standard error: --json keeps its output JSON
        click.echo(f"  {visible(str(problem))}", err=True)
    sys.exit(1 if has_errors(batch.findings()) or not_logged else 0)


# --- merging ----------------------------------------------------------------------------


@main.command()
@click.argument("paden", metavar="PAD...", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat.")
@_meeting_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Map voor de plannen: per dossier en overleg een map per versie (v1, v2, ...).")
@_history_option
@_unsealed_option
@_jobs_option
@_templates_option
@click.option("--pdf", "archive_pdf", is_flag=True,
              help="Maak van elk nieuw plan ook een archiefkopie als PDF/A-2b naast het Word-bestand, voor de "
                   "dossiers van de organisaties (alle plannen in één keer door LibreOffice).")
@click.pass_context
def merge(ctx: click.Context, paden: tuple[Path, ...], register_pad: Path, meeting: dt.date, out_dir: Path,
          history_pad: Path | None, allow_unsealed: bool, jobs: int, templates: Path | None,
          archive_pdf: bool = False) -> None:
    """Voeg de teruggestuurde formulieren per huishouden samen tot één gezamenlijk veiligheidsplan
    (Word, Excel en plan.json).

    Elke keer ontstaat een nieuwe versie; oudere versies blijven staan. Een huishouden waarvan geen
    enkel formulier is ontvangen (of meegenomen), krijgt geen nieuwe versie: de uitvoer en 'formkit
    status' noemen het 'geen formulieren ontvangen'. Stopt met code 1 als er fouten in de
    formulieren zijn (het plan wordt dan toch gemaakt, met open punten), anders 0.
    """
    from ..delivery.archive import ArchivePlan
    from ..delivery.disclosures import plan_disclosure
    from ..documents.plan_files import merge_and_write
    from ..plan.history import History, default_path
    from ..plan.merge import NoFormsReceived
    from ..plan.versions import word_files
    from ..returns.batch import check_batch
    from ..sheets.schema import build_schema

    _preflight(ctx, templates, PLAN)
    history = History(history_pad or default_path(register_pad))
    loaded = _load_register(register_pad)
    schema = build_schema(_settings(ctx))
    _writable(out_dir, files=(history.path,))
    not_written, archive_plans = [], []
    try:
        batch = check_batch(paden, loaded.register, schema, meeting=meeting,
                            progress=_progress("Formulieren lezen"), jobs=jobs,
                            key=_sealing_key(ctx, create=False), allow_unsealed=allow_unsealed)
        with _locked(out_dir, what="het samenvoegen"):
            for plan, folder in merge_and_write(batch, loaded.register, schema, out_dir, templates, jobs,
                                                _progress("Plannen schrijven")):
                if isinstance(folder, Finding):  # this household's plan could not be written; the rest go on
                    not_written.append(folder)
                    continue
                if isinstance(folder, NoFormsReceived):  # no accepted form: no plan version, no history entry
                    history.record_no_forms(folder.dossier, folder.meeting)
                    click.echo(f"{folder.dossier} {folder.household}: {folder.describe()}")
                    continue
                history.record(plan)
                history.disclose([plan_disclosure(plan, folder, "formkit merge")])
                archive_plans += [ArchivePlan(plan.dossier, plan.version, d) for d in word_files(folder)]
                click.echo(f"{plan.dossier} {plan.household}: versie {plan.version} (kenmerk {plan.fingerprint()}), "
                           f"{plural(len(plan.open_points), 'open punt', 'open punten')} – {folder}")
        if archive_pdf and archive_plans:
            not_written += _archive_copies(archive_plans)
    except FormkitError as e:
        _fail(e)
    if not_written:
        click.echo("Niet geschreven:")
        _print_findings(not_written)
    if history.findings:
        click.echo("Historie niet (helemaal) bijgewerkt:")
        _print_findings(history.findings)
    else:
        click.echo(f"Historie bijgewerkt: {history.path}")
    unassigned = [r for r in batch.files if r.dossier not in batch.dossiers]
    if unassigned:
        click.echo("Niet bij een huishouden van dit overleg:")
        for r in unassigned:
            _print_findings(r.findings)
    errors = [f for f in batch.findings() if f.is_error]
    if errors:
        click.echo(f"{len(errors)} fouten in de formulieren; zie 'formkit check' voor alle bevindingen.")
    sys.exit(1 if errors or not_written or has_errors(history.findings) else 0)


def _archive_copies(plans: list) -> list[Finding]:
    """Write the plans' PDF/A archive copies in one LibreOffice run, saying so; return findings per household."""
    from ..delivery.archive import write_archive_copies

    click.echo(f"Archiefkopieën (PDF/A) maken van {plural(len(plans), 'plan', 'plannen')} in één keer met LibreOffice ...")
    archived = write_archive_copies(plans, progress=_progress("Archiefkopieën schrijven"))
    click.echo(f"Archiefkopieën (PDF/A): {len(archived.copies)} van de {len(plans)} geschreven in "
               f"{archived.seconds:.1f} seconden, naast elk plan.")
    return archived.findings


# --- meeting packs ----------------------------------------------------------------------


@main.command()
@click.option("--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat.")
@_meeting_option
@click.option("--forms", "forms_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de TOP-3 formulieren van 'formkit docs'; ontbrekende maakt formkit zelf.")
@click.option("--plans", "plans_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de plannen van 'formkit merge'; de nieuwste versie komt in het pakket.")
@click.option("--reports", "reports_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met de controlerapporten van 'formkit check --report'.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Map voor de pakketten (PDF).")
@click.option("--per-recipient", "--per-ontvanger", "per_recipient", is_flag=True,
              help="Maak ook per professional een pakket met alleen de eigen huishoudens.")
@click.option("--encrypt", "--versleutel", "encrypt", is_flag=True,
              help="Versleutel elk pakket (AES-256) met een eigen wachtwoord; de wachtwoorden komen in een aparte lijst.")
@click.option("--timeout", type=click.IntRange(10, 3600), default=300, show_default=True,
              help="Hoeveel seconden LibreOffice mag doen over één document; een document dat te lang duurt, "
                   "kost alleen zijn eigen pagina's.")
@_history_option
@_templates_option
@click.pass_context
def pack(ctx: click.Context, register_pad: Path, meeting: dt.date, forms_dir: Path | None, plans_dir: Path | None,
         reports_dir: Path | None, out_dir: Path, per_recipient: bool, encrypt: bool, timeout: int,
         history_pad: Path | None, templates: Path | None) -> None:
    """Maak het vergaderpakket (PDF) voor een casusoverleg: agenda en per huishouden het plan, het
    TOP-3 formulier en een overzicht van cijfers en bevindingen, met bladwijzers.

    Stopt met code 1 als een onderdeel niet in het pakket kon, anders 0.
    """
    from ..delivery.pack import build_packs
    from ..plan.history import History, default_path

    _preflight(ctx, templates, AGENDA, OVERVIEW, TOP3)
    loaded = _load_register(register_pad)
    _writable(out_dir)
    history = History(history_pad or default_path(register_pad))
    try:
        with _locked(out_dir, what="het maken van de pakketten"):
            result = build_packs(loaded.register, meeting, out_dir, forms_dir=forms_dir, plans_dir=plans_dir,
                                 reports_dir=reports_dir, per_recipient=per_recipient, encrypt=encrypt,
                                 history=history,
                                 templates_dir=templates, settings=_settings(ctx), timeout=timeout,
                                 progress=_progress("Pakketten samenstellen"))
    except FormkitError as e:
        _fail(e)
    from ..delivery.disclosures import disclose, pack_disclosures

    result.findings += disclose(history, pack_disclosures(result.packs, "formkit pack"))
    if result.findings:
        click.echo("Bevindingen:")
        _print_findings(result.findings)
    for p in result.packs:
        who = person_label(p.recipient.name, p.recipient.organisation) if p.recipient else "secretariaat"
        click.echo(f"{p.path} – {who}: {plural(len(p.dossiers), 'huishouden', 'huishoudens')}, "
                   f"{plural(p.pages, 'pagina', 'pagina' + chr(39) + 's')}")
    runs = ("in één keer" if result.conversion_runs <= 1
            else f"in {result.conversion_runs} keer (opnieuw, in kleinere groepen, waar het misging)")
    click.echo(f"{result.documents} documenten {runs} omgezet door LibreOffice in "
               f"{result.conversion_seconds:.1f} seconden.")
    if result.passwords:
        click.echo(f"Wachtwoorden: {result.passwords} (geef ze via een ander kanaal door).")
    if result.not_included:
        click.echo("Niet opgenomen:")
        for note in result.not_included:
            click.echo(f"  {visible(str(note))}")
    sys.exit(1 if result.not_included or has_errors(result.findings) else 0)


# --- progress over meetings -------------------------------------------------------------


@main.command()
@click.option("--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat.")
@click.option("--as-of", "--op", "as_of", type=MeetingDate(), help="De datum waarop u de stand wilt zien; standaard vandaag.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Map voor het dashboard (Excel, met cijferverloop in grafieken).")
@click.option("--json", "as_json", is_flag=True, help="Schrijf de stand als JSON.")
@_history_option
@click.pass_context
def status(ctx: click.Context, register_pad: Path, as_of: dt.date | None, out_dir: Path | None, as_json: bool,
           history_pad: Path | None) -> None:
    """Toon per huishouden de stand: laatste cijfers, volgende termijn en signalen (opschalen, verlopen
    voorwaarden, gedaalde cijfers, stabiele veiligheid, ...), met de regel van de methode erbij.
    """
    from ..documents.dashboard import write_dashboard
    from ..plan.history import History, default_path
    from ..plan.status import format_table, household_statuses

    loaded = _load_register(register_pad)
    _writable(out_dir)
    as_of = as_of or dt.date.today()
    history = History(history_pad or default_path(register_pad))
    statuses = household_statuses(loaded.register, history, as_of, _settings(ctx))
    if as_json:
        click.echo(json.dumps({"datum": as_of.isoformat(), "huishoudens": [s.to_dict() for s in statuses],
                               "bevindingen": [f.to_dict() for f in history.findings]},
                              ensure_ascii=False, indent=2))
    else:
        for line in format_table(statuses, as_of):
            click.echo(line)
        if history.findings:
            click.echo("Bevindingen over de historie:")
            _print_findings(history.findings)
    if out_dir is not None:
        target = out_dir / f"dashboard_{as_of.isoformat()}.xlsx"
        try:
            with _locked(out_dir, what="het schrijven van het dashboard"):
                write_dashboard(statuses, target, as_of)
        except FormkitError as e:
            _fail(e)
        except OSError as e:
            _fail(_unwritable_error(e, target))
        from ..delivery.disclosures import SECRETARIAT, disclose, file_disclosures

        problems = disclose(history, file_disclosures([(s.dossier, target) for s in statuses], "export", SECRETARIAT,
                                                      "formkit status"))
        if not as_json:
            click.echo(f"Dashboard: {target}")
        for problem in problems:  # on standard error: --json keeps its output JSON
            click.echo(f"  {visible(str(problem))}", err=True)
    sys.exit(1 if has_errors(history.findings) else 0)


# --- mail -------------------------------------------------------------------------------


@main.command()
@click.argument("rapporten", metavar="RAPPORTEN", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--register", "register_pad", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register; de e-mailadressen komen alleen hieruit.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Map voor .eml-bestanden (standaard RAPPORTEN/postvak-uit); open ze in Outlook of Thunderbird.")
@click.option("--smtp", metavar="HOST[:POORT]", help="Verstuur via deze mailserver in plaats van naar een map.")
@click.option("--starttls", "security", flag_value="starttls", help="Versleutel met STARTTLS (standaardpoort 587).")
@click.option("--ssl", "security", flag_value="ssl", help="Versleutel met SSL/TLS (standaardpoort 465).")
@click.option("--user", help="Gebruikersnaam voor de mailserver; het wachtwoord komt uit FORMKIT_SMTP_PASSWORD "
                             "of wordt gevraagd.")
@click.option("--from", "sender", metavar="ADRES", help="Afzender, bijvoorbeeld het adres van het secretariaat.")
@click.option("--cafile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Certificaat (PEM) van een eigen certificaatautoriteit van de mailserver.")
def mail(rapporten: Path, register_pad: Path, outbox: Path | None, smtp: str | None, security: str | None,
         user: str | None, sender: str | None, cafile: Path | None) -> None:
    """Stuur elk controlerapport naar de regisseur van het dossier: als .eml naar een map, of via SMTP.

    Een rapport dat al is verstuurd, gaat niet nog een keer. Stopt met code 1 als een bericht
    niet verstuurd kon worden.
    """
    from ..delivery.mail import mail_reports
    from .send import post_envelope, smtp_settings

    envelope = post_envelope(sender, smtp=bool(smtp))  # From, Reply-To; no SMTP without a sender
    settings = smtp_settings(smtp, security, user, cafile, outbox)
    loaded = _load_register(register_pad)
    from ..delivery.mail import LEDGER

    _writable(None if settings else (outbox or rapporten / "postvak-uit"), files=(rapporten / LEDGER,))
    try:
        with _locked(rapporten, what="het versturen van de rapporten"):  # the ledger's folder; the outbox stays clean
            result = mail_reports(rapporten, loaded.register, outbox=outbox, smtp=settings, envelope=envelope,
                                  progress=_progress("Rapporten versturen"))
    except FormkitError as e:
        _fail(e)
    except OSError as e:  # the ledger could not be saved: say which file
        _fail(_unwritable_error(e, rapporten / LEDGER))
    from ..delivery.disclosures import disclose, mail_disclosures, report_kenmerken
    from ..plan.history import default_path

    result.findings += disclose(default_path(register_pad), mail_disclosures(
        result.delivered, loaded.register, report_kenmerken(rapporten), "smtp" if settings else "postvak", "formkit mail"))
    where = f"via {settings.host}" if settings else f"in {outbox or rapporten / 'postvak-uit'}"
    click.echo(f"{len(result.delivered)} rapporten {'verstuurd' if settings else 'klaargezet'} {where}.")
    if result.already:
        click.echo(f"{len(result.already)} rapporten waren al eerder zo verstuurd en gaan niet nog een keer: "
                   f"{', '.join(result.already)}.")
    _print_findings(result.findings)
    sys.exit(1 if has_errors(result.findings) else 0)


# --- templates --------------------------------------------------------------------------


@main.group()
def templates() -> None:
    """Eigen sjablonen: de standaardsjablonen kopiëren en aangepaste sjablonen controleren."""


@templates.command("export")
@click.argument("map_", metavar="MAP", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overschrijf sjablonen die al in MAP staan.")
def templates_export(map_: Path, force: bool) -> None:
    """Kopieer de standaardsjablonen (docx/ en xlsx/) naar MAP om ze in Word en Excel op te maken.

    Geef de map daarna mee met --templates MAP. Controleer wijzigingen met 'formkit templates check MAP'.
    """
    from ..delivery.template_check import export_templates

    _writable(map_)
    try:
        written = export_templates(map_, force=force)
    except FormkitError as e:
        _fail(e)
    except OSError as e:
        _fail(_unwritable_error(e, map_))
    for path in written:
        click.echo(f"  {path}")
    click.echo(f"{len(written)} sjablonen gekopieerd naar {map_}.")


@templates.command("check")
@click.argument("map_", metavar="MAP", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def templates_check(ctx: click.Context, map_: Path) -> None:
    """Controleer aangepaste sjablonen in MAP: ontbrekende of verkeerd gespelde tags, door Word
    gesplitste tags en ontbrekende namen in het Excel-sjabloon.

    Stopt met code 0 als alles in orde is, 1 als er iets ontbreekt.
    """
    from ..delivery.template_check import check_templates
    from ..sheets.schema import build_schema

    findings = check_templates(map_, build_schema(_settings(ctx)))
    _print_findings(findings)
    click.echo("Sjablonen in orde." if not findings else f"Resultaat: {_summary(findings)}.")
    sys.exit(1 if has_errors(findings) else 0)


# --- demo -------------------------------------------------------------------------------


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"),
              show_default=True, help="Map voor de uitvoer van de demo.")
@_templates_option
@click.pass_context
def demo(ctx: click.Context, out_dir: Path, templates: Path | None) -> None:
    """Doorloop de hele cyclus op de meegeleverde, verzonnen voorbeeldbestanden."""
    from .demo import run_demo

    _preflight(ctx, templates, *TEMPLATE_FILES)
    try:
        run_demo(out_dir, settings=_settings(ctx), templates_dir=templates, echo=click.echo, progress=_progress)
    except FormkitError as e:
        _fail(e)


from .purge import purge  # noqa: E402 - the command's module imports this one's helpers

main.add_command(purge)


from .send import send  # noqa: E402  (the send group uses main's helpers, so it is imported last)

main.add_command(send)


from .log import log  # noqa: E402  (log.py imports nothing from here; kept beside the other late commands)

main.add_command(log)


from .app import app  # noqa: E402  (the app command uses main's helpers, so it is imported last)

main.add_command(app)
