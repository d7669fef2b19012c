"""The demo: the whole cycle, as far as formkit goes, on the bundled fictional samples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from . import dates
from .forms import write_forms
from .register import load
from .settings import DEFAULT_SETTINGS, MethodSettings
from .templates import samples_dir

#: The case meeting the samples are about.
SAMPLE_MEETING = dt.date(2026, 12, 1)
SAMPLE_REGISTER = "register.xlsx"
SAMPLE_FAULTY_REGISTER = "register_met_fouten.xlsx"
SAMPLE_RETURNS = "retour"


def run_demo(out_dir: Path, *, settings: MethodSettings = DEFAULT_SETTINGS,
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
    result = write_forms(reg, SAMPLE_MEETING, forms_dir, force=True, settings=settings,
                         progress=progress("Scoreformulieren maken"))
    echo(f"   {len(result.written)} scoreformulieren voor {len(result.dossiers)} huishoudens in {forms_dir}")

    echo("")
    echo("3. Teruggestuurde formulieren")
    returned = sorted((samples / SAMPLE_RETURNS).glob("*.xlsx"))
    echo(f"   {len(returned)} ingevulde formulieren staan klaar in {samples / SAMPLE_RETURNS}")
    echo("   (inlezen, controleren en samenvoegen volgen in een volgende versie van formkit)")

    echo("")
    echo(f"Klaar. De uitvoer staat in: {out_dir.resolve()}")
    return out_dir
