"""Bounded parsing: a file that would cost too much memory or time gets its own finding, the batch goes on."""

import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, make_register

from formkit.cli.main import main
from formkit.core.messages import MESSAGES
from formkit.register.write import write_register
from formkit.returns.batch import PROCESSED, REFUSED, check_batch
from formkit.returns.intake import Limits, inspect_file
from formkit.sheets.schema import build_schema

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from heavy_files import many_cell_formats, many_rows, many_shared_strings, rezip  # noqa: E402

SCHEMA = build_schema()
MACROSHEET_TYPE = "application/vnd.ms-excel.macrosheet+xml"


def statuses(batch) -> dict[str, tuple[str, list[str]]]:
    return {r.path.name: (r.status, [f.code for f in r.findings]) for r in batch.files}


def test_half_a_million_cell_formats_is_refused_fast_and_the_batch_goes_on(returned):
    good = returned(COMPLETE, name="a_goed.xlsx")
    heavy = many_cell_formats(good, good.parent / "b_opmaak.xlsx")
    later = returned(COMPLETE, dossier="2026-101", professional="P2", name="c_goed.xlsx")
    assert heavy.stat().st_size < 3 * 1024 * 1024
    started = time.perf_counter()
    batch = check_batch([good.parent], make_register(), SCHEMA)
    assert time.perf_counter() - started < 10
    result = statuses(batch)
    assert result["b_opmaak.xlsx"] == (REFUSED, ["part_too_many"])
    refusal = next(r for r in batch.files if r.path == heavy).findings[0]
    assert "celopmaken" in refusal.message and "xl/styles.xml" in refusal.message and "10000" in refusal.message
    assert refusal.file == "b_opmaak.xlsx"
    assert result["a_goed.xlsx"][0] == PROCESSED and result[later.name][0] == PROCESSED


def test_millions_of_shared_strings_are_refused_fast(tmp_path, returned):
    good = returned(COMPLETE)
    heavy = many_shared_strings(good, tmp_path / "teksten.xlsx")
    started = time.perf_counter()
    refusal = inspect_file(heavy)
    assert time.perf_counter() - started < 5
    assert refusal.code == "part_too_many" and "gedeelde teksten" in refusal.message


def test_a_form_just_under_every_count_limit_and_with_5000_rows_is_read(tmp_path, returned):
    good = returned(COMPLETE)
    limits = Limits()
    under = [many_cell_formats(good, tmp_path / "opmaak.xlsx", count=limits.max_cell_formats - 10),
             many_shared_strings(good, tmp_path / "teksten.xlsx", count=limits.max_shared_strings),
             many_rows(good, tmp_path / "rijen.xlsx", rows=limits.max_sheet_rows)]
    for path in under:
        assert inspect_file(path) is None, path.name
    batch = check_batch(under, make_register(), SCHEMA)
    # all three are read and checked clean (two are older copies of the same professional's form)
    assert all(r.status != REFUSED and {f.code for f in r.findings} <= {"superseded"} for r in batch.files), \
        statuses(batch)


@pytest.mark.parametrize("part, content_type", [
    ("xl/macrosheets/sheet1.xml", MACROSHEET_TYPE),
    ("xl/intlmacrosheets/sheet1.xml", "application/vnd.ms-excel.intlmacrosheet+xml"),
    ("xl/dialogsheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml"),
])
def test_an_excel_4_macro_sheet_is_refused_like_vba(tmp_path, returned, part, content_type):
    good = returned(COMPLETE)
    import zipfile
    with zipfile.ZipFile(good) as zf:
        types = zf.read("[Content_Types].xml").decode()
    types = types.replace("</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')
    macro = rezip(good, tmp_path / "macro4.xlsx", replace={"[Content_Types].xml": types.encode()},
                  add={part: b'<?xml version="1.0"?><xm:macrosheet xmlns:xm="urn:x"/>'})
    assert inspect_file(macro).code == "file_macros"
    # hidden elsewhere: only the content type, or only the relationship, says it is a macro sheet
    by_type = rezip(good, tmp_path / "verstopt.xlsx", replace={"[Content_Types].xml": types.replace(
        part, "xl/worksheets/sheet9.xml").encode()}, add={"xl/worksheets/sheet9.xml": b"<worksheet/>"})
    assert inspect_file(by_type).code == "file_macros"
    with zipfile.ZipFile(good) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/'
                        '2006/relationships/xlMacrosheet" Target="worksheets/sheet9.xml"/></Relationships>')
    by_relationship = rezip(good, tmp_path / "relatie.xlsx", replace={"xl/_rels/workbook.xml.rels": rels.encode()},
                            add={"xl/worksheets/sheet9.xml": b"<worksheet/>"})
    assert inspect_file(by_relationship).code == "file_macros"
    assert "Excel 4.0-macrobladen" in MESSAGES["file_macros"][1]


def test_the_cli_names_the_part_and_the_limit_without_a_traceback(tmp_path, returned):
    good = returned(COMPLETE)
    many_cell_formats(good, good.parent / "opmaak.xlsx", count=20_000)
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["check", str(good.parent), "--register", str(register)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "opmaak.xlsx (geweigerd):" in result.output
    assert "te veel celopmaken in xl/styles.xml (meer dan 10000" in result.output


# --- the reading worker: hard limits per file ----------------------------------------------

@pytest.fixture
def three_files(returned):
    """Return a function: a folder a_goed.xlsx, b_<name>.xlsx (made by `make` from the good form), c_goed.xlsx."""
    def build(name: str, make) -> Path:
        good = returned(COMPLETE, name="a_goed.xlsx")
        returned(COMPLETE, professional="P2", name="c_goed.xlsx")
        make(good, good.parent / f"b_{name}.xlsx")
        return good.parent
    return build


def test_a_file_that_needs_more_memory_than_allowed_gets_a_finding_and_the_next_files_are_read(three_files):
    folder = three_files("geheugen", lambda good, p: many_shared_strings(good, p, count=500_000))
    # a tiny memory budget, for the test; time enough that only the memory limit can stop the file on a busy machine
    limits = Limits(max_shared_strings=1_000_000, max_read_memory=20 * 1024 * 1024, max_read_seconds=120,
                    max_read_cpu_seconds=120)
    for jobs in (1, 2):
        result = statuses(check_batch([folder], make_register(), SCHEMA, limits=limits, jobs=jobs))
        assert result["b_geheugen.xlsx"] == (REFUSED, ["read_memory_limit"]), jobs
        assert result["a_goed.xlsx"] == (PROCESSED, []) and result["c_goed.xlsx"] == (PROCESSED, [])
    assert "meer dan 20 MB geheugen" in MESSAGES["read_memory_limit"][1].format(limit=20)


def _slow(good: Path, target: Path) -> Path:
    return many_rows(good, target, rows=5000, columns=200)  # 1,000,000 cells: many seconds of parsing


def test_a_file_that_reads_too_long_gets_a_finding_and_the_next_files_are_read(three_files):
    folder = three_files("traag", _slow)
    # a small wall-clock budget, for the test: far below the slow file's, far above a good form's on a busy machine
    limits = Limits(max_sheet_cells=2_000_000, max_read_seconds=3.0)
    batch = check_batch([folder], make_register(), SCHEMA, limits=limits)
    result = statuses(batch)
    assert result["b_traag.xlsx"] == (REFUSED, ["read_time_limit"])
    assert "langer dan 3 seconden (kloktijd)" in batch.files[1].findings[0].message
    assert result["a_goed.xlsx"] == (PROCESSED, []) and result["c_goed.xlsx"] == (PROCESSED, [])


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no processor-time limit; the wall clock applies")
def test_a_file_that_uses_too_much_processor_time_gets_a_finding(three_files):
    folder = three_files("rekenwerk", _slow)
    limits = Limits(max_sheet_cells=2_000_000, max_read_cpu_seconds=1, max_read_seconds=120)
    batch = check_batch([folder], make_register(), SCHEMA, limits=limits)
    result = statuses(batch)
    assert result["b_rekenwerk.xlsx"] == (REFUSED, ["read_time_limit"])
    assert "(rekentijd)" in batch.files[1].findings[0].message
    assert result["c_goed.xlsx"] == (PROCESSED, [])


def test_two_jobs_give_the_same_results_as_one_for_good_and_refused_files(returned):
    good = returned(COMPLETE, name="a_goed.xlsx")
    returned(COMPLETE, professional="P2", name="b_goed.xlsx")
    many_cell_formats(good, good.parent / "c_opmaak.xlsx", count=20_000)
    (good.parent / "d_leeg.xlsx").write_bytes(b"")
    returned({**COMPLETE, "beoordeling_cijfer": 12}, professional="P2", name="e_fout.xlsx")
    one, two = (statuses(check_batch([good.parent], make_register(), SCHEMA, jobs=jobs)) for jobs in (1, 2))
    assert one == two
    assert list(one) == ["a_goed.xlsx", "b_goed.xlsx", "c_opmaak.xlsx", "d_leeg.xlsx", "e_fout.xlsx"]
    assert one["c_opmaak.xlsx"] == (REFUSED, ["part_too_many"]) and one["d_leeg.xlsx"] == (REFUSED, ["file_empty"])
