"""Resource-heavy workbooks made from a genuine returned form, for the bounded-parsing tests and benchmark.

Each is small on disk and passes the byte limits of the intake; what makes it heavy is a
count: cell formats, shared strings, rows and cells. All content is fictional filler.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rezip(source: Path, target: Path, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """Return target: a copy of a workbook's zip with parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return target


def many_cell_formats(good: Path, target: Path, count: int = 500_000) -> Path:
    """Return target: the form with `count` cell formats in its styles (varied, so it packs to ~1.6 MB)."""
    with zipfile.ZipFile(good) as zf:
        styles = zf.read("xl/styles.xml").decode()
    start, end = styles.index("<cellXfs"), styles.index("</cellXfs>")
    own = styles[styles.index(">", start) + 1:end]  # the form's own formats stay first, so its cells keep theirs
    rnd = random.Random(12)
    extra = count - own.count("<xf ") - styles.count("<xf ", 0, start)
    xfs = "".join(f'<xf numFmtId="{rnd.randrange(200)}" fontId="0" fillId="0" borderId="0" xfId="0" '
                  f'applyAlignment="1"><alignment indent="{rnd.randrange(250)}"/></xf>' for _ in range(extra))
    styles = styles[:start] + f'<cellXfs count="{own.count("<xf ") + extra}">{own}{xfs}' + styles[end:]
    return rezip(good, target, replace={"xl/styles.xml": styles.encode()})


def many_shared_strings(good: Path, target: Path, count: int = 2_000_000) -> Path:
    """Return target: the form with `count` shared strings (the form's cells use none of them)."""
    items = "".join(f"<si><t>t{i}</t></si>" for i in range(count))
    sst = f'<?xml version="1.0"?><sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'
    with zipfile.ZipFile(good) as zf:
        types = zf.read("[Content_Types].xml").decode()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                              'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(good) as zf:
        replace = {"xl/sharedStrings.xml": sst.encode(), "[Content_Types].xml": types.encode()}
        add = {} if "xl/sharedStrings.xml" in zf.namelist() else {"xl/sharedStrings.xml": replace.pop("xl/sharedStrings.xml")}
    return rezip(good, target, replace=replace, add=add)


def many_rows(good: Path, target: Path, rows: int = 5000, columns: int = 10) -> Path:
    """Return target: the form whose score sheet holds `rows` rows of `columns` numbers below its own rows."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    last = sheet.rfind("</row>") + len("</row>")
    first_free = sheet.count("<row ") + 200
    letters = [get_column_letter(i + 1) for i in range(columns)]
    extra = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in letters) + "</row>"
                    for r in range(first_free, first_free + rows - sheet.count("<row ")))
    sheet = sheet[:last] + extra + sheet[last:]
    return rezip(good, target, replace={"xl/worksheets/sheet1.xml": sheet.encode()})
