"""Hostile and broken files, made by the tests: each gets its own finding, the batch goes on."""

import io
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, make_register
from msoffcrypto.format.ooxml import OOXMLFile

from formkit.cli.main import main
from formkit.register.write import write_register
from formkit.returns.batch import PROCESSED, REFUSED, check_batch
from formkit.returns.intake import OLE_MAGIC, inspect_file
from formkit.sheets.schema import build_schema

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from heavy_files import rezip  # noqa: E402 (the benchmark's heavy workbooks are made the same way)

SCHEMA = build_schema()


def zip_bomb(target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(60):  # 60 MB of zeros, about 60 KB packed
                member.write(block)
    return target


def big_sheet(target: Path, rows: int = 100_000) -> Path:
    """A genuine workbook whose sheet has `rows` rows."""
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, rows + 1))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook/>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet><sheetData>{body}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return target


XXE = (b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&xxe;</workbook>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                     for i in range(1, 10))
          + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            b"<si><t>&lol9;</t></si></sst>")


@pytest.fixture
def corpus(tmp_path, returned):
    """A folder with one good form and one file of every hostile kind, with the finding each must get."""
    good = returned(COMPLETE, name="goed.xlsx")
    folder = good.parent
    expected = {}

    def add(name: str, code: str, make):
        make(folder / name)
        expected[name] = code

    add("zipbom.xlsx", "zip_bomb", zip_bomb)
    add("xxe.xlsx", "xml_unsafe", lambda p: rezip(good, p, replace={"xl/workbook.xml": XXE}))
    add("miljard_lachjes.xlsx", "xml_unsafe", lambda p: rezip(good, p, add={"xl/sharedStrings.xml": LAUGHS}))
    add("macro.xlsm", "file_macros", lambda p: p.write_bytes(good.read_bytes()))
    add("vba_in_xlsx.xlsx", "file_macros", lambda p: rezip(good, p, add={"xl/vbaProject.bin": b"\x00" * 64}))
    add("oud.xls", "file_legacy_xls", lambda p: p.write_bytes(OLE_MAGIC + b"\x00" * 4096))
    add("lijst.xlsx", "file_text", lambda p: p.write_text("dossier;naam\n2026-101;Gezin Pietersen\n", "utf-8"))
    add("versleuteld.xlsx", "file_encrypted", lambda p: _encrypt(good, p))
    add("afgebroken.xlsx", "file_damaged", lambda p: p.write_bytes(good.read_bytes()[: good.stat().st_size // 2]))
    add("leeg.xlsx", "file_empty", lambda p: p.write_bytes(b""))
    add("honderdduizend_rijen.xlsx", "sheet_too_large", big_sheet)
    add("activex.xlsx", "file_activex", lambda p: rezip(good, p, add={"xl/activeX/activeX1.xml": b"<ax/>"}))
    add("ingesloten.xlsx", "file_embedded", lambda p: rezip(good, p, add={"xl/embeddings/oleObject1.bin": b"x"}))
    add("koppeling.xlsx", "file_external_links",
        lambda p: rezip(good, p, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}))
    add("plaatje.xlsx", "file_unknown_format", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 100))
    return folder, good, expected


def _encrypt(source: Path, target: Path) -> None:
    out = io.BytesIO()
    with source.open("rb") as f:
        OOXMLFile(f).encrypt("geheim", out)
    target.write_bytes(out.getvalue())


def test_each_hostile_file_gets_its_own_finding_and_the_batch_goes_on(corpus):
    folder, good, expected = corpus
    batch = check_batch([folder], make_register(), SCHEMA)
    results = {r.path.name: r for r in batch.files}
    for name, code in expected.items():
        assert results[name].status == REFUSED, name
        assert [f.code for f in results[name].findings] == [code], name
        assert results[name].findings[0].file == name
    assert results[good.name].status == PROCESSED
    assert results[good.name].findings == []


def test_intake_decides_before_parsing(corpus):
    folder, good, expected = corpus
    assert inspect_file(good) is None
    for name, code in expected.items():
        assert inspect_file(folder / name).code == code, name


def test_a_lying_zip_header_is_caught_while_inflating(tmp_path, returned):
    bomb = zip_bomb(tmp_path / "bom.xlsx")
    data = bytearray(bomb.read_bytes())
    # claim a tiny size in the central directory; the intake counts real inflated bytes too
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    cd = data.rfind(b"PK\x01\x02")
    while cd != -1:
        name_len = int.from_bytes(data[cd + 28:cd + 30], "little")
        if data[cd + 46:cd + 46 + name_len] == info.filename.encode():
            data[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
        cd = data.rfind(b"PK\x01\x02", 0, cd)
    bomb.write_bytes(bytes(data))
    found = inspect_file(bomb)
    assert found is not None and found.code in ("zip_bomb", "file_damaged")


def test_the_cli_never_shows_a_traceback_for_hostile_files(tmp_path, corpus):
    folder, _, expected = corpus
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["check", str(folder), "--register", str(register)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    for name in expected:
        assert f"{name} (geweigerd):" in result.output
    assert "mogelijk een zip-bom" in result.output
    assert "met een wachtwoord beveiligd" in result.output
