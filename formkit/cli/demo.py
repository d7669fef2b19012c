"""The demo: the whole cycle, as far as formkit goes, on the bundled fictional samples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core import dutch
from ..core.findings import Finding
from ..core.messages import plural
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..core.templates import samples_dir
from ..delivery import disclosures
from ..delivery.mail import mail_reports
from ..delivery.pack import build_packs
from ..delivery.pdf import LibreOfficeMissing
from ..delivery.reports import format_summary, summarise, write_reports
from ..documents.dashboard import write_dashboard
from ..documents.plan_files import merge_and_write
from ..documents.word import write_top3_forms
from ..plan.history import DEFAULT_NAME as DEFAULT_HISTORY
from ..plan.history import History
from ..plan.merge import NoFormsReceived
from ..plan.status import format_table, household_statuses
from ..register.load import load
from ..returns.batch import check_batch
from ..sheets.forms import write_forms
from ..sheets.samples import (
    SAMPLE_FAULTY_REGISTER,
    SAMPLE_LATER_MEETING,
    SAMPLE_MEETING,
    SAMPLE_REGISTER,
    SAMPLE_RETURNS,
    SAMPLE_STATUS_DATE,
    demo_key,
)
from ..sheets.schema import build_schema

COMMAND = "formkit demo"  # the disclosure log's "by which command"


def run_demo(out_dir: Path, *, settings: MethodSettings = DEFAULT_SETTINGS, templates_dir: Path | None = None,
             echo: Callable[[str], None] = print,
             progress: Callable[[str], Callable] = lambda label: (lambda items: items)) -> Path:
    """Run the cycle on the samples, write into `out_dir`, tell `echo` what happened."""
    samples = samples_dir()
    out_dir = Path(out_dir)
    key = demo_key()  # the samples' own key: the demo never makes or uses the secretariat's key
    history = History(out_dir / DEFAULT_HISTORY)  # the plans and the disclosure log
    echo(f"formkit demo – casusoverleg van {dutch.long_date(SAMPLE_MEETING)} (verzonnen gegevens)")

    echo("")
    echo("1. Register controleren")
    good = load(samples / SAMPLE_REGISTER)
    reg = good.register
    errors = [f for f in good.findings if f.is_error]
    echo(f"   {SAMPLE_REGISTER}: {len(reg.households)} huishoudens, {len(reg.professionals)} professionals, "
         f"{len(errors)} fouten.")
    for f in good.findings:
        echo(f"     {f}")
    faulty = load(samples / SAMPLE_FAULTY_REGISTER)
    echo(f"   {SAMPLE_FAULTY_REGISTER} (met opzet fouten): {len(faulty.findings)} bevindingen:")
    for f in faulty.findings:
        echo(f"     {f}")

    echo("")
    echo("2. Scoreformulieren maken")
    forms_dir = out_dir / "formulieren"
    result = write_forms(reg, SAMPLE_MEETING, forms_dir, force=True, settings=settings, templates_dir=templates_dir,
                         progress=progress("Scoreformulieren maken"), key=key)
    history.disclose(disclosures.form_disclosures(result.written, reg, COMMAND))
    echo(f"   {len(result.written)} scoreformulieren voor {len(result.dossiers)} huishoudens in {forms_dir}")

    echo("")
    echo("3. TOP-3 formulieren (Word) voor het overleg")
    docs_dir = out_dir / "top3"
    docs = write_top3_forms(reg, SAMPLE_MEETING, docs_dir, force=True, settings=settings, templates_dir=templates_dir,
                            progress=progress("TOP-3 formulieren maken"))
    history.disclose(disclosures.top3_disclosures(docs.written, docs.dossiers, docs_dir, SAMPLE_MEETING, COMMAND))
    echo(f"   {len(docs.written)} TOP-3 formulieren in {docs_dir}")

    echo("")
    echo("4. Teruggestuurde formulieren controleren")
    schema = build_schema(settings)
    batch = check_batch([samples / SAMPLE_RETURNS], reg, schema, meeting=SAMPLE_MEETING,
                        progress=progress("Formulieren controleren"), key=key)
    summary = summarise(batch, reg)
    for line in format_summary(summary):
        echo(f"   {line}")
    reports_dir = out_dir / "rapporten"
    history.disclose(disclosures.report_disclosures(write_reports(summary, reg, reports_dir, templates_dir=templates_dir),
                                                    reg, COMMAND))
    echo(f"   controlerapporten (Excel en Word) per dossier in {reports_dir}")

    echo("")
    echo("5. Rapporten mailen naar de regisseurs")
    mailed = mail_reports(reports_dir, reg, outbox=out_dir / "postvak-uit", sender="secretariaat@casusoverleg.example")
    history.disclose(disclosures.mail_disclosures(mailed.delivered, reg, disclosures.report_kenmerken(reports_dir),
                                                  disclosures.OUTBOX, COMMAND))
    echo(f"   {len(mailed.delivered)} berichten klaargezet in {out_dir / 'postvak-uit'} (open ze in Outlook of "
         f"Thunderbird), {len(mailed.already)} al eerder klaargezet")
    for problem in mailed.findings:
        echo(f"     {problem}")

    echo("")
    echo("6. Samenvoegen tot één veiligheidsplan per huishouden")
    plans_dir = out_dir / "plannen"
    for plan, folder in merge_and_write(batch, reg, schema, plans_dir, templates_dir):
        if isinstance(folder, Finding):  # this household's plan could not be written; the rest go on
            echo(f"     {folder}")
            continue
        if isinstance(folder, NoFormsReceived):  # no accepted form: no plan version
            history.record_no_forms(folder.dossier, folder.meeting)
            echo(f"   {folder.dossier} {folder.household}: {folder.describe()}")
            continue
        history.record(plan)
        history.disclose([disclosures.plan_disclosure(plan, folder, COMMAND)])
        echo(f"   {plan.dossier} {plan.household}: versie {plan.version}, kenmerk {plan.fingerprint()}, "
             f"{plural(len(plan.open_points), 'open punt', 'open punten')} – {folder}")

    echo("")
    echo("7. Vergaderpakketten (PDF)")
    try:
        packs = build_packs(reg, SAMPLE_MEETING, out_dir / "pakketten", plans_dir=plans_dir,
                            reports_dir=reports_dir, per_recipient=True, history=history,
                            templates_dir=templates_dir, settings=settings, progress=progress("Pakketten samenstellen"))
    except LibreOfficeMissing as e:
        packs = None
        echo(f"   overgeslagen: {e}")
    if packs:
        history.disclose(disclosures.pack_disclosures(packs.packs, COMMAND))
        full = packs.packs[0]
        echo(f"   pakket voor het secretariaat: {full.path} ({full.pages} pagina's)")
        echo(f"   {len(packs.packs) - 1} pakketten per professional, elk alleen met de eigen huishoudens, in "
             f"{full.path.parent / 'ontvangers'}")
        runs = "in één keer" if packs.conversion_runs <= 1 else f"in {packs.conversion_runs} keer"
        echo(f"   {packs.documents} documenten {runs} omgezet door LibreOffice ({packs.conversion_seconds:.1f} s); "
             "versleutelen kan met 'formkit pack --encrypt'")
        for note in packs.not_included:
            echo(f"     niet opgenomen: {note}")

    echo("")
    echo(f"8. Het volgende overleg ({dutch.long_date(SAMPLE_LATER_MEETING)}) en de stand van zaken")
    later = check_batch([samples / f"{SAMPLE_RETURNS}_{SAMPLE_LATER_MEETING.isoformat()}"], reg, schema,
                        meeting=SAMPLE_LATER_MEETING, key=key)
    made = 0
    for plan, folder in merge_and_write(later, reg, schema, plans_dir, templates_dir):
        if isinstance(folder, Finding):
            echo(f"     {folder}")
        elif isinstance(folder, NoFormsReceived):
            history.record_no_forms(folder.dossier, folder.meeting)
            echo(f"   {folder.dossier} {folder.household}: {folder.describe()}")
        else:
            history.record(plan)
            history.disclose([disclosures.plan_disclosure(plan, folder, COMMAND)])
            made += 1
    echo(f"   {len(later.processed())} formulieren samengevoegd tot {plural(made, 'plan', 'plannen')}; historie in "
         f"{history.path}")
    if packs:
        later_packs = build_packs(reg, SAMPLE_LATER_MEETING, out_dir / "pakketten", plans_dir=plans_dir,
                                  history=history, templates_dir=templates_dir, settings=settings).packs
        history.disclose(disclosures.pack_disclosures(later_packs, COMMAND))
        later_pack = later_packs[0]
        echo(f"   pakket met cijferverloop en signalen: {later_pack.path}")
    statuses = household_statuses(reg, history, SAMPLE_STATUS_DATE, settings)
    for line in format_table(statuses, SAMPLE_STATUS_DATE):
        echo(f"   {line}")
    dashboard = out_dir / f"dashboard_{SAMPLE_STATUS_DATE.isoformat()}.xlsx"
    write_dashboard(statuses, dashboard, SAMPLE_STATUS_DATE)
    history.disclose(disclosures.file_disclosures([(s.dossier, dashboard) for s in statuses], "export",
                                                  disclosures.SECRETARIAT, COMMAND))
    echo(f"   dashboard met cijferverloop in grafieken: {dashboard}")

    echo("")
    echo(f"9. Verstrekkingenlog: {plural(len(history.disclosures()), 'verstrekking', 'verstrekkingen')} vastgelegd "
         f"(wie wat ontving, en wanneer); bekijk ze met 'formkit log --historie {history.path}' en controleer "
         "ze met 'formkit log verify --historie ...'.")
    for problem in history.findings:
        echo(f"     {problem}")

    echo("")
    echo(f"Klaar. De uitvoer staat in: {out_dir.resolve()}")
    return out_dir
