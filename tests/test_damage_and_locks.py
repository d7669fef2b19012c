"""Issue 12, points 6 and 7: one household's damage stays with that household, every command
proves its output writable before it writes, and two runs on one folder never collide."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register

from formkit.cli.main import main
from formkit.core import locking
from formkit.core.findings import finding
from formkit.plan.history import History
from formkit.register.write import write_register

PLANS = ("2026-101", "2026-102")


def invoke(*args) -> object:
    """Run formkit in this process as a user would; return click's result."""
    return CliRunner().invoke(main, [str(a) for a in args])


def merge(tmp_path: Path, out: Path | None = None, *extra) -> object:
    return invoke("merge", tmp_path / "retour", "--register", tmp_path / "register.xlsx", "--meeting", "2026-12-01",
                  "--out", out or tmp_path / "plannen", *extra)


def no_traceback(result) -> None:
    """A user never sees a Python traceback: the command ended through its own exit."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.fixture
def setup(tmp_path, returned):
    """A returned form for each household (2026-101 and 2026-102) and the register on disk."""
    returned(COMPLETE)
    returned(COMPLETE, dossier="2026-102", professional="P3")  # without a form a household gets no plan
    write_register(make_register(), tmp_path / "register.xlsx")
    return tmp_path


def version_dir(tmp_path: Path, dossier: str, version: int) -> Path:
    return tmp_path / "plannen" / dossier / "2026-12-01" / f"v{version}"


# --- a damaged plan version ------------------------------------------------------------


def test_a_truncated_plan_of_one_household_does_not_stop_the_next_merge(setup):
    tmp_path = setup
    merge(tmp_path)
    damaged = version_dir(tmp_path, "2026-101", 1) / "plan.json"
    damaged.write_text(damaged.read_text(encoding="utf-8")[:200], encoding="utf-8")  # cut off half-way
    result = merge(tmp_path)
    no_traceback(result)
    assert "2026-101 Gezin Pietersen: versie 2" in result.output
    assert "2026-102 Gezin Öztürk: versie 2" in result.output
    data = json.loads((version_dir(tmp_path, "2026-101", 2) / "plan.json").read_text(encoding="utf-8"))
    assert data["changes"][0].startswith("Let op: versie v1 is beschadigd of onvolledig en is niet gebruikt")
    assert data["previous"] is None
    other = json.loads((version_dir(tmp_path, "2026-102", 2) / "plan.json").read_text(encoding="utf-8"))
    assert other["previous"] is not None and not other["changes"][0].startswith("Let op")
    assert damaged.read_text(encoding="utf-8")  # the damaged version stays as it was, for inspection


def test_a_version_folder_without_its_files_is_never_written_over(setup):
    tmp_path = setup
    merge(tmp_path)
    version_dir(tmp_path, "2026-101", 2).mkdir()  # an empty v2, e.g. copied by hand
    result = merge(tmp_path)
    no_traceback(result)
    assert "2026-101 Gezin Pietersen: versie 3" in result.output
    data = json.loads((version_dir(tmp_path, "2026-101", 3) / "plan.json").read_text(encoding="utf-8"))
    assert data["previous"] is not None
    assert "versie v2 is beschadigd" in data["changes"][0]


def test_the_pack_takes_the_newest_intact_plan_and_names_the_damaged_one(setup):
    from formkit.delivery.pack import latest_plan

    tmp_path = setup
    merge(tmp_path)
    merge(tmp_path)
    (version_dir(tmp_path, "2026-101", 2) / "plan.json").write_text("{\"dossier\": ", encoding="utf-8")
    found = []
    docx, plan = latest_plan(tmp_path / "plannen", "2026-101", MEETING, found)
    assert plan.plan.version == 1 and docx.parent.name == "v1"
    assert found == [finding("plan_version_damaged", dossier="2026-101", version=2,
                             target=version_dir(tmp_path, "2026-101", 2), instead=", maar versie 1")]
    assert latest_plan(tmp_path / "plannen", "2026-102", MEETING, found)[1].plan.version == 2
    assert len(found) == 1  # the other household is untouched


def test_a_version_copied_into_another_households_folder_is_never_read_as_its_plan(setup):
    from formkit.delivery.pack import latest_plan

    tmp_path = setup
    merge(tmp_path)
    shutil.copytree(version_dir(tmp_path, "2026-102", 1), version_dir(tmp_path, "2026-101", 2))  # moved by hand
    found = []
    docx, plan = latest_plan(tmp_path / "plannen", "2026-101", MEETING, found)
    assert plan.plan.dossier == "2026-101" and plan.plan.version == 1 and docx.parent.name == "v1"
    assert [f.code for f in found] == ["plan_version_damaged"]
    result = merge(tmp_path)  # the next version of 2026-101 compares with its own v1, not with 2026-102's plan
    no_traceback(result)
    data = json.loads((version_dir(tmp_path, "2026-101", 3) / "plan.json").read_text(encoding="utf-8"))
    assert data["dossier"] == "2026-101" and "versie v2 is beschadigd" in data["changes"][0]
    own = json.loads((version_dir(tmp_path, "2026-101", 1) / "plan.json").read_text(encoding="utf-8"))
    assert data["previous"] == own["kenmerk"]
    assert "Öztürk" not in " ".join(data["changes"])


def test_a_damaged_reports_overview_is_a_finding_and_the_pack_goes_on(tmp_path):
    from formkit.delivery.pack import report_entries
    from formkit.delivery.reports import MANIFEST

    (tmp_path / MANIFEST).write_text("{\"dossiers\": [{\"dossier\": \"2026-1", encoding="utf-8")
    found = []
    assert report_entries(tmp_path, found) == {}
    assert [f.code for f in found] == ["reports_manifest_damaged"]
    assert "het pakket wordt gemaakt zonder de controleresultaten" in found[0].message


# --- a damaged history -------------------------------------------------------------------


def test_a_history_file_that_is_not_sqlite_is_a_finding_and_merge_still_writes_its_plans(setup):
    tmp_path = setup
    (tmp_path / "formkit-historie.sqlite").write_bytes(b"dit is geen database" * 100)
    result = merge(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert version_dir(tmp_path, "2026-101", 1).is_dir() and version_dir(tmp_path, "2026-102", 1).is_dir()
    assert "Historie niet (helemaal) bijgewerkt" in result.output
    assert "is beschadigd of is geen historiebestand van formkit (geen leesbare SQLite-database)" in result.output
    assert "Historie bijgewerkt:" not in result.output


def test_status_over_a_damaged_history_entry_shows_every_other_household(setup):
    tmp_path = setup
    merge(tmp_path)
    store = tmp_path / "formkit-historie.sqlite"
    with sqlite3.connect(store) as db:
        db.execute("UPDATE plans SET plan = '{\"meeting\": \"2026-1' WHERE dossier = '2026-101'")
    result = invoke("status", "--register", tmp_path / "register.xlsx", "--op", "2026-12-02",
                    "--out", tmp_path / "dashboard")
    no_traceback(result)
    assert "2026-102 Gezin Öztürk" in result.output and "2026-101 Gezin Pietersen" in result.output
    assert "een plan van dossier 2026-101 in de historie (overleg 2026-12-01) is beschadigd" in result.output
    assert (tmp_path / "dashboard" / "dashboard_2026-12-02.xlsx").is_file()
    assert History(store).plans("2026-102")[0].dossier == "2026-102"


def test_status_over_a_history_file_that_is_not_sqlite_says_so(tmp_path, register_path):
    store = tmp_path / "formkit-historie.sqlite"
    store.write_bytes(os.urandom(4096))
    result = invoke("status", "--register", register_path, "--op", "2026-12-02")
    no_traceback(result)
    assert result.exit_code == 1
    assert "2026-101 Gezin Pietersen" in result.output
    assert f"het historiebestand {store} is beschadigd" in result.output


# --- outputs that cannot be written ------------------------------------------------------


def blocked(tmp_path: Path) -> Path:
    """Return an output folder that cannot be made: its parent is a regular file (works as root too)."""
    (tmp_path / "bestand").write_text("geen map", encoding="utf-8")
    return tmp_path / "bestand" / "uit"


def commands(tmp_path: Path, out: Path) -> dict[str, list]:
    register = tmp_path / "register.xlsx"
    return {
        "check --report": ["check", tmp_path / "retour", "--register", register, "--report", out],
        "merge": ["merge", tmp_path / "retour", "--register", register, "--meeting", "2026-12-01", "--out", out],
        "merge --history": ["merge", tmp_path / "retour", "--register", register, "--meeting", "2026-12-01",
                            "--out", tmp_path / "plannen", "--history", out / "h.sqlite"],
        "pack": ["pack", "--register", register, "--meeting", "2026-12-01", "--out", out],
        "status --out": ["status", "--register", register, "--out", out],
        "register new": ["register", "new", out / "register.xlsx"],
        "templates export": ["templates", "export", out],
        "forms": ["forms", register, "--meeting", "2026-12-01", "--out", out],
        "docs": ["docs", register, "--meeting", "2026-12-01", "--out", out],
        "mail": ["mail", tmp_path / "rapporten", "--register", register, "--outbox", out],
    }


@pytest.mark.parametrize("command", list(commands(Path("x"), Path("y"))))
def test_an_unwritable_output_folder_is_named_before_anything_is_written(setup, command):
    tmp_path = setup
    (tmp_path / "rapporten").mkdir()
    out = blocked(tmp_path)
    result = invoke(*commands(tmp_path, out)[command])
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "kan niet schrijven naar" in result.output and "bestand" in result.output
    assert "een deel van het pad is een bestand, geen map" in result.output
    assert not (tmp_path / "plannen").exists()


def _chmod_stops_writes(folder: Path) -> bool:
    """True when a folder made read-only with chmod really refuses a new file (not as root, not on Windows)."""
    folder.chmod(0o555)
    try:
        (folder / ".probe").touch()
    except PermissionError:
        return True
    (folder / ".probe").unlink()
    folder.chmod(0o755)
    return False


def test_a_read_only_plans_folder_is_named_with_its_reason(setup, monkeypatch):
    tmp_path = setup
    out = tmp_path / "plannen"
    out.mkdir()
    if not _chmod_stops_writes(out):  # root or Windows: the kernel's refusal, as chmod gives it elsewhere
        import formkit.core.atomic

        real = formkit.core.atomic.tempfile.mkstemp

        def refused(*args, dir=None, **kwargs):
            if Path(dir) == out:
                raise PermissionError(errno.EACCES, "Permission denied", str(out))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(formkit.core.atomic.tempfile, "mkstemp", refused)
    try:
        result = merge(tmp_path)
    finally:
        out.chmod(0o755)
    no_traceback(result)
    assert result.exit_code == 1
    assert f"kan niet schrijven naar {out} (geen schrijfrechten)" in result.output
    assert list(out.iterdir()) == []


def test_a_full_disk_while_writing_one_plan_costs_only_that_household(setup, monkeypatch):
    import formkit.documents.plan_files

    tmp_path = setup
    real = os.rename

    def full_for_pietersen(src, dst):
        if "2026-101" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(formkit.documents.plan_files.os, "rename", full_for_pietersen)
    result = merge(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert "2026-102 Gezin Öztürk: versie 1" in result.output
    assert "het plan van dossier 2026-101 kan niet worden geschreven" in result.output
    assert "(de schijf is vol); de andere huishoudens gaan door" in result.output
    assert version_dir(tmp_path, "2026-102", 1).is_dir()
    assert [p.name for p in (tmp_path / "plannen" / "2026-101" / "2026-12-01").iterdir()] == []  # no temp left
    assert [p.dossier for p in History(tmp_path / "formkit-historie.sqlite").plans("2026-102")] == ["2026-102"]
    assert History(tmp_path / "formkit-historie.sqlite").plans("2026-101") == []


def test_a_file_system_error_no_command_handled_is_a_dutch_message(register_path, monkeypatch):
    import formkit.register.load

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(register_path))

    monkeypatch.setattr(formkit.register.load, "load", denied)
    result = invoke("register", "check", register_path)
    assert result.exit_code == 1
    assert f"Fout: {register_path}: geen schrijfrechten." in result.output
    assert "Traceback" not in result.output


# --- two runs at the same time ----------------------------------------------------------

HOLD = textwrap.dedent("""
    import sys, time
    from formkit.core.locking import folder_lock
    with folder_lock(sys.argv[1], "test"):
        print("vast", flush=True)
        time.sleep(120)
""")


@pytest.fixture
def hold_lock():
    """Return a function that starts another process holding a folder's lock (returned once it does);
    every such process is stopped when the test ends."""
    started: list[subprocess.Popen] = []

    def hold(folder: Path) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout.readline().strip() == "vast"
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()
        process.stdout.close()


def test_a_second_merge_on_a_busy_folder_stops_with_a_clear_message(setup, monkeypatch, hold_lock):
    tmp_path = setup
    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.5)
    hold_lock(tmp_path / "plannen")
    result = merge(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert f"er loopt al een andere formkit-opdracht in {tmp_path / 'plannen'}" in result.output
    assert not (tmp_path / "plannen" / "2026-101").exists()


def test_a_killed_run_releases_its_lock_and_the_next_run_clears_its_leftovers(setup, monkeypatch, hold_lock):
    tmp_path = setup
    monkeypatch.setattr(locking, "WAIT_SECONDS", 5.0)
    meeting = tmp_path / "plannen" / "2026-101" / "2026-12-01"
    meeting.mkdir(parents=True)
    leftover_version = meeting / ".v1.abc123.tmp"
    leftover_version.mkdir()
    (leftover_version / "veiligheidsplan.docx").write_bytes(b"half")
    leftover_file = tmp_path / "plannen" / ".~formkit-x1y2.xlsx"
    leftover_file.write_bytes(b"half")
    other = hold_lock(tmp_path / "plannen")
    os.kill(other.pid, signal.SIGKILL)  # a crash: no clean-up of its own
    other.wait()
    result = merge(tmp_path)
    no_traceback(result)
    assert "2026-101 Gezin Pietersen: versie 1" in result.output
    assert not leftover_version.exists() and not leftover_file.exists()
    assert sorted(p.name for p in meeting.iterdir()) == ["v1"]


def test_two_merges_at_once_both_finish_one_after_the_other(setup):
    tmp_path = setup
    command = [sys.executable, "-m", "formkit", "merge", str(tmp_path / "retour"), "--register",
               str(tmp_path / "register.xlsx"), "--meeting", "2026-12-01", "--out", str(tmp_path / "plannen")]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for _out, err in outputs:
        assert "Traceback" not in err and "Directory not empty" not in err, err
    for dossier in PLANS:
        folder = tmp_path / "plannen" / dossier / "2026-12-01"
        assert sorted(p.name for p in folder.iterdir()) == ["v1", "v2"]
    assert History(tmp_path / "formkit-historie.sqlite").plans("2026-101")[0].version == 2


@pytest.mark.parametrize("command, folder", [
    (["pack", "--register", "{tmp}/register.xlsx", "--meeting", "2026-12-01", "--out", "{tmp}/pakket"], "pakket"),
    (["check", "{tmp}/retour", "--register", "{tmp}/register.xlsx", "--report", "{tmp}/rapporten"], "rapporten"),
    (["mail", "{tmp}/rapporten", "--register", "{tmp}/register.xlsx"], "rapporten"),
    (["status", "--register", "{tmp}/register.xlsx", "--out", "{tmp}/dashboard"], "dashboard"),
])
def test_pack_check_mail_and_status_refuse_a_folder_another_run_is_writing(setup, monkeypatch, hold_lock, command,
                                                                           folder):
    tmp_path = setup
    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.3)
    (tmp_path / folder).mkdir()
    hold_lock(tmp_path / folder)
    result = invoke(*[part.format(tmp=tmp_path) for part in command])
    no_traceback(result)
    assert result.exit_code == 1
    assert f"er loopt al een andere formkit-opdracht in {tmp_path / folder}" in result.output
    assert [p.name for p in (tmp_path / folder).iterdir()] == [locking.LOCK_NAME]  # nothing of this run written
