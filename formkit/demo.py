"""The demo: the whole cycle, as far as formkit goes, on the bundled fictional samples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from . import dates
from .documents import plan_path, write_plan_document, write_top3_forms
from .forms import write_forms
from .plan import collect_plan
from .reading import FormUnreadable, read_form
from .register import load
from .schema import build_schema
from .settings import DEFAULT_SETTINGS, MethodSettings
from .templates import samples_dir

#: The case meeting the samples are about.
SAMPLE_MEETING = dt.date(2026, 12, 1)
SAMPLE_REGISTER = "register.xlsx"
SAMPLE_FAULTY_REGISTER = "register_met_fouten.xlsx"
SAMPLE_RETURNS = "retour"


def run_demo(out_dir: Path, *, settings: MethodSettings = DEFAULT_SETTINGS, templates_dir: Path | None = None,
             echo: Callable[[str], None] = print,
             progress: Callable[[str], Callable] = lambda label: (lambda items: items)) -> Path:
    """Run the cycle on the samples, write into `out_dir`, tell `echo` what happened."""
    samples = samples_dir()
    out_dir = Path(out_dir)
    echo(f"formkit demo – casusoverleg van {dates.format_dutch(SAMPLE_MEETING)} (verzonnen gegevens)")

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
                         progress=progress("Scoreformulieren maken"))
    echo(f"   {len(result.written)} scoreformulieren voor {len(result.dossiers)} huishoudens in {forms_dir}")

    echo("")
    echo("3. TOP-3 formulieren (Word) voor het overleg")
    docs_dir = out_dir / "top3"
    docs = write_top3_forms(reg, SAMPLE_MEETING, docs_dir, force=True, settings=settings, templates_dir=templates_dir,
                            progress=progress("TOP-3 formulieren maken"))
    echo(f"   {len(docs.written)} TOP-3 formulieren in {docs_dir}")

    echo("")
    echo("4. Voorbeeld-veiligheidsplannen uit de teruggestuurde formulieren")
    schema = build_schema(settings)
    returned, unreadable = [], []
    for path in sorted((samples / SAMPLE_RETURNS).glob("*.xlsx")):
        try:
            returned.append(read_form(path, schema))
        except FormUnreadable as e:
            unreadable.append(str(e))
    echo(f"   {len(returned)} teruggestuurde formulieren gelezen uit {samples / SAMPLE_RETURNS}")
    for problem in unreadable:
        echo(f"     niet gelezen: {problem}")
    plans_dir = out_dir / "plannen"
    for dossier in result.dossiers:
        plan = collect_plan(reg, dossier, SAMPLE_MEETING, returned, schema)
        write_plan_document(plan, plan_path(plans_dir, dossier, SAMPLE_MEETING), templates_dir)
    echo(f"   {len(result.dossiers)} veiligheidsplannen (alle inbreng naast elkaar, met wie wat zei) in {plans_dir}")
    echo("   (controleren en samenvoegen tot één gezamenlijk plan volgen in een volgende versie)")

    echo("")
    echo(f"Klaar. De uitvoer staat in: {out_dir.resolve()}")
    return out_dir
