"""Time score-sheet generation against its floor: bare openpyxl load + save of the template.

Run: .venv/bin/python benchmarks/forms.py [N]   (N forms, default 60). Prints its figures.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import load_workbook

from formkit.demo import SAMPLE_MEETING
from formkit.forms import form_content
from formkit.register import load
from formkit.schema import build_schema
from formkit.scoresheet import write_form
from formkit.templates import SCORE_SHEET, default_templates_dir, samples_dir


def main(n: int) -> None:
    schema = build_schema()
    template = default_templates_dir() / SCORE_SHEET
    reg = load(samples_dir() / "register.xlsx").register
    pairs = [(d, p.code) for d in reg.dossiers_on(SAMPLE_MEETING) for p in reg.professionals_of(d)]
    jobs = [pairs[i % len(pairs)] for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        for i, _ in enumerate(jobs):
            load_workbook(template).save(out / f"floor{i}.xlsx")
        floor = (time.perf_counter() - start) / n

        def run(limit: int) -> None:
            for i, (dossier, code) in enumerate(jobs[:limit]):
                write_form(schema, template, form_content(reg, SAMPLE_MEETING, dossier, code, schema),
                           out / f"form{i}.xlsx")

        start = time.perf_counter()
        run(n)
        stage = (time.perf_counter() - start) / n
        # memory in a separate pass: tracemalloc slows Python down several times
        tracemalloc.start()
        run(min(n, 10))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"scoreformulieren: {n} stuks")
    print(f"  vloer (openpyxl laden + opslaan): {floor * 1000:7.1f} ms per formulier")
    print(f"  formkit write_form:               {stage * 1000:7.1f} ms per formulier")
    print(f"  verhouding tot de vloer:          {stage / floor:7.2f}x")
    print(f"  piekgeheugen (tracemalloc):       {peak / 1e6:7.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
