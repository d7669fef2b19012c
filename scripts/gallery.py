"""Render every kind of document the demo writes to PNG pages, to look at them.

    python scripts/gallery.py [--demo out/demo] [--out out/gallery] [--all]

Runs the demo (unless --demo points at an existing demo output), converts one document
of each kind (--all: every document) to PDF in one LibreOffice run, and renders each
page to PNG with pdftoppm into out/gallery/<kind>/. Prints each document's page count,
so a change to a document's layout shows in numbers as well as in pictures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

from formkit.delivery.pdf import convert_to_pdf

#: Kinds of output, by the glob that finds them under the demo folder.
KINDS = {
    "scoreformulier": "formulieren/*/*.xlsx",
    "top3": "top3/*/*.docx",
    "plan": "plannen/*/*/v*/*.docx",
    "plan-werkmap": "plannen/*/*/v*/*.xlsx",
    "plan-archief": "plannen/*/*/v*/*.pdf",
    "controlerapport": "rapporten/*/*.docx",
    "controlerapport-werkmap": "rapporten/*/*.xlsx",
    "pakket": "pakketten/*.pdf",
    "pakket-ontvanger": "pakketten/ontvangers/*.pdf",
    "dashboard": "dashboard_*.xlsx",
}
RESOLUTION = 60  # dots per inch: enough to see layout, small enough to page through


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="existing demo output (default: run the demo into out/demo)")
    parser.add_argument("--out", type=Path, default=Path("out/gallery"))
    parser.add_argument("--all", action="store_true", help="every document, not one of each kind")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm ontbreekt; installeer poppler-utils (make libreoffice doet dat).", file=sys.stderr)
        return 1
    demo = args.demo
    if demo is None:
        demo = Path("out/demo")
        shutil.rmtree(demo, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "formkit", "demo", "--out", str(demo)], check=True,
                       stdout=subprocess.DEVNULL)
    chosen = {kind: sorted(demo.glob(pattern)) for kind, pattern in KINDS.items()}
    if not args.all:
        chosen = {kind: _most_pages_first(files)[:1] for kind, files in chosen.items()}
    shutil.rmtree(args.out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as work:
        to_convert = [f for files in chosen.values() for f in files if f.suffix != ".pdf"]
        converted = convert_to_pdf(to_convert, Path(work)) if to_convert else None
        total = 0
        for kind, files in chosen.items():
            for source in files:
                pdf = source if source.suffix == ".pdf" else converted.pdfs.get(source)
                if pdf is None:
                    print(f"{kind:24} {source.relative_to(demo)}: niet omgezet "
                          f"({converted.failures.get(source, 'onbekend')})")
                    continue
                target = args.out / kind
                target.mkdir(parents=True, exist_ok=True)
                pages = len(PdfReader(pdf).pages)
                total += pages
                subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), str(pdf),
                                str(target / source.stem)], check=True)
                print(f"{kind:24} {pages:3} pagina's  {source.relative_to(demo)}")
    print(f"\n{total} pagina's als PNG in {args.out.resolve()}")
    from app_gallery import screenshots  # the app's pages, in chromium (scripts/app_gallery.py)

    return screenshots(args.out / "app")


def _most_pages_first(files: list[Path]) -> list[Path]:
    """Order files largest first: the largest of a kind is the one most likely to break a layout."""
    return sorted(files, key=lambda f: f.stat().st_size, reverse=True)


if __name__ == "__main__":
    sys.exit(main())
