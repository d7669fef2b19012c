"""--jobs N spreads work over processes and gives the same results as one process."""

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import COMPLETE, make_register
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.register.write import write_register
from formkit.sheets.names import read_meta


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code in (0, 1), result.output
    return result


def test_forms_docs_check_and_merge_with_two_jobs_match_one(tmp_path, returned):
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        run("forms", register, "--meeting", "2026-12-01", "--out", out / "formulieren", "--jobs", jobs)
        run("docs", register, "--meeting", "2026-12-01", "--out", out / "top3", "--jobs", jobs)
    names = lambda folder, ext: sorted(p.relative_to(folder).as_posix() for p in folder.rglob(f"*.{ext}"))  # noqa
    assert names(tmp_path / "j1", "xlsx") == names(tmp_path / "j2", "xlsx") and len(names(tmp_path / "j1", "xlsx")) == 3
    assert names(tmp_path / "j1", "docx") == names(tmp_path / "j2", "docx")
    for path in (tmp_path / "j2" / "formulieren").rglob("*.xlsx"):
        twin = tmp_path / "j1" / "formulieren" / path.relative_to(tmp_path / "j2" / "formulieren")
        meta = lambda p: {k: v for k, v in read_meta(load_workbook(p))[1].items()}  # noqa: E731
        assert meta(path) == meta(twin)

    returned(COMPLETE)
    summaries, plans = [], []
    for jobs in (1, 2):
        summaries.append(json.loads(run("check", tmp_path / "retour", "--register", register, "--json",
                                        "--jobs", jobs).stdout))
        run("merge", tmp_path / "retour", "--register", register, "--meeting", "2026-12-01",
            "--out", tmp_path / f"plannen{jobs}", "--history", tmp_path / f"h{jobs}.sqlite", "--jobs", jobs)
        plans.append((tmp_path / f"plannen{jobs}" / "2026-101" / "2026-12-01" / "v1" / "plan.json").read_bytes())
    for summary in summaries:
        for f in summary["bestanden"]:
            f["bestand"] = f["bestand"].rsplit("/", 1)[-1]
    assert summaries[0] == summaries[1]
    assert plans[0] == plans[1]


def _squares(chunk: list) -> list:
    return [n * n for n in chunk]


def test_work_is_prepared_as_it_is_handed_out_not_all_at_once():
    from formkit.core.parallel import run_chunks

    for jobs in (1, 2):
        prepared = []

        def prepare(chunk, prepared=prepared):
            prepared.append(chunk[0])
            return chunk

        results = run_chunks(_squares, list(range(400)), jobs, prepare=prepare)
        assert next(results) == 0
        assert len(prepared) <= 2 * jobs  # of 20 chunks, only those out with the workers
        assert [0, *results] == [n * n for n in range(400)]
        assert len(prepared) == 20


def test_merging_and_writing_one_household_at_a_time_gives_the_plans_merge_batch_gives(tmp_path, returned):
    from formkit.documents.plan_files import merge_and_write
    from formkit.plan.merge import merge_batch
    from formkit.returns.batch import check_batch
    from formkit.sheets.schema import build_schema

    returned(COMPLETE)
    returned(COMPLETE | {"beoordeling_cijfer": 2}, professional="P2")
    schema, reg = build_schema(), make_register()
    batch = check_batch([tmp_path / "retour"], reg, schema)
    expected = {p.dossier: p.to_json() for p in merge_batch(batch, reg, schema)}
    for jobs in (1, 2):
        results = list(merge_and_write(batch, reg, schema, tmp_path / f"p{jobs}", jobs=jobs))
        written = {plan.dossier: (folder / "plan.json").read_text(encoding="utf-8")
                   for plan, folder in results if isinstance(folder, Path)}
        assert {plan.dossier for plan, _ in results} == expected.keys() == {"2026-101", "2026-102"}
        assert written.keys() == {"2026-101"}  # 2026-102 returned no form: no plan version
        for dossier, text in written.items():
            plan = json.loads(text)
            assert {s["shown"] for s in plan["scores"]} >= ({"5", "2"} if dossier == "2026-101" else set())
            assert plan == json.loads(expected[dossier]) | {"version": 1, "kenmerk": plan["kenmerk"],
                                                            "changes": plan["changes"], "previous": None}
