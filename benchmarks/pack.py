"""Time PDF conversion for a 20-household meeting pack: one LibreOffice run for all documents
against one LibreOffice run per document, measured in the same run. Prints its figures.

Run: .venv/bin/python benchmarks/pack.py [HOUSEHOLDS]   (default 20)
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from formkit.documents import OVERVIEW, TOP3, render_docx, top3_context
from formkit.pack import build_packs, overview_context
from formkit.pdf import convert_to_pdf
from formkit.register import Household, Involvement, MeetingItem, Member, Professional, Register
from formkit.templates import default_templates_dir

MEETING = dt.date(2026, 12, 1)


def synthetic_register(households: int) -> Register:
    """A fictional register: each household with 3 members and 4 professionals."""
    reg = Register(professionals=[Professional(f"P{i:02d}", f"Professional {i:02d}", f"Organisatie {i % 7}",
                                               "functie", f"p{i}@voorbeeld.example") for i in range(1, 13)])
    for h in range(1, households + 1):
        dossier = f"2026-{h:03d}"
        codes = [f"P{(h + k) % 12 + 1:02d}" for k in range(4)]
        reg.households.append(Household(dossier, f"Gezin Voorbeeld {h:02d}", dt.date(2026, 9, 1), 1, codes[0]))
        reg.members += [Member(dossier, f"Lid {h:02d}-{m}", 1980 + m * 10, "gezinslid") for m in range(3)]
        reg.involvements += [Involvement(dossier, c, f"NR-{h}-{c}") for c in codes]
        reg.meeting_items.append(MeetingItem(MEETING, dossier, f"{9 + h // 4:02d}:{(h % 4) * 15:02d}"))
    return reg


def main(households: int) -> None:
    reg = synthetic_register(households)
    templates = default_templates_dir()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs = []
        for d in reg.dossiers_on(MEETING):
            top3 = work / "docs" / f"top3_{d}.docx"
            render_docx(templates / TOP3, top3_context(reg, d, MEETING), top3)
            overview = work / "docs" / f"overzicht_{d}.docx"
            render_docx(templates / OVERVIEW, overview_context(reg, d, MEETING, None, None), overview)
            docs += [top3, overview]
        batched = convert_to_pdf(docs, work / "batch")
        assert not batched.failures, batched.failures
        started = time.perf_counter()
        for i, doc in enumerate(docs):
            single = convert_to_pdf([doc], work / f"los{i}")
            assert not single.failures, single.failures
        separate = time.perf_counter() - started
        started = time.perf_counter()
        result = build_packs(reg, MEETING, work / "pakket")
        whole = time.perf_counter() - started
        size = result.packs[0].path.stat().st_size
    n = len(docs)
    print(f"PDF-conversie, {households} huishoudens, {n} documenten (TOP-3 formulier en overzicht per huishouden)")
    print(f"  één LibreOffice-run voor alles:   {batched.seconds:6.1f} s totaal, {batched.seconds / n * 1000:6.0f} ms per document")
    print(f"  één LibreOffice-run per document: {separate:6.1f} s totaal, {separate / n * 1000:6.0f} ms per document")
    print(f"  versnelling door bundelen:        {separate / batched.seconds:6.1f}x")
    print(f"  heel pakket (agenda + {n} documenten, samenvoegen, paginanummers): {whole:.1f} s, "
          f"{result.packs[0].pages} pagina's, {size / 1024:.0f} KB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
