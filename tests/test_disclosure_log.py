"""The disclosure log: every time a household's data goes out is recorded, chained, and can be shown and verified."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, fill
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.core.messages import Code
from formkit.plan.history import Disclosure, History, default_path, record_hash

KIM, ROB, IRIS = "Kim Verhoef (Wijkteam West)", "Rob Claassen (Politie)", "Iris Lammers (Veilig Thuis)"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def logged(register: Path) -> list[tuple[str, str, str, str, str]]:
    """Return the log beside a register as (dossier, kind, recipient, channel, command), oldest first."""
    return [(e.disclosure.dossier, e.disclosure.kind, e.disclosure.recipient, e.disclosure.channel,
             e.disclosure.command) for e in History(default_path(register)).disclosures()]


def record(dossier: str, recipient: str = KIM, kind: str = "scoreformulier") -> Disclosure:
    return Disclosure(dossier, kind, "ab" * 32, recipient, f"/uit/{dossier}.xlsx", "bestand", "formkit forms")


@pytest.fixture
def cycle(tmp_path, register_path):
    """Forms written, one returned filled in, checked with reports and merged: the register and its folders."""
    assert run("forms", register_path, "--meeting", "2026-12-01", "--out", tmp_path / "formulieren").exit_code == 0
    written = sorted((tmp_path / "formulieren").rglob("*.xlsx"))
    kim_form = next(p for p in written if "P1" in p.name)
    fill(kim_form, COMPLETE, tmp_path / "retour" / "ingevuld.xlsx")
    checked = run("check", tmp_path / "retour", "--register", register_path, "--report", tmp_path / "rapporten")
    assert "Controlerapporten staan in" in checked.output, checked.output
    merged = run("merge", tmp_path / "retour", "--register", register_path, "--meeting", "2026-12-01",
                 "--out", tmp_path / "plannen")
    assert "2026-101 Gezin Pietersen: versie 1" in merged.output, merged.output  # exit 1: Rob's form is missing
    return register_path, written


def test_forms_reports_and_plans_are_each_logged_to_whom_they_went(tmp_path, cycle):
    register, written = cycle
    entries = History(default_path(register)).disclosures()
    forms = [e.disclosure for e in entries if e.disclosure.kind == "scoreformulier"]
    assert sorted((d.dossier, d.recipient) for d in forms) == [("2026-101", KIM), ("2026-101", ROB), ("2026-102", IRIS)]
    assert {Path(d.address) for d in forms} == set(written)
    assert all(d.fingerprint == sha256(Path(d.address)) and d.channel == "bestand" for d in forms)
    reports = [e.disclosure for e in entries if e.disclosure.kind == "controlerapport"]
    # each household's report (Excel and Word) to its own regisseur, nobody else's
    assert sorted((d.dossier, d.recipient, Path(d.address).suffix) for d in reports) == [
        ("2026-101", KIM, ".docx"), ("2026-101", KIM, ".xlsx"), ("2026-102", IRIS, ".docx"), ("2026-102", IRIS, ".xlsx")]
    assert all(d.fingerprint == sha256(Path(d.address)) and d.command == "formkit check" for d in reports)
    plans = [e.disclosure for e in entries if e.disclosure.kind == "veiligheidsplan"]
    assert [(d.dossier, d.recipient, d.command) for d in plans] == [("2026-101", "secretariaat", "formkit merge")]
    assert (Path(plans[0].address) / "plan.json").is_file()
    assert all(e.at.endswith("+00:00") and len(e.at) == 25 for e in entries)  # UTC, to the second
    verified = run("log", "verify", "--register", register)
    assert verified.exit_code == 0 and f"in orde: {len(entries)} records" in verified.output


def test_top3_forms_are_logged(tmp_path, register_path):
    assert run("docs", register_path, "--meeting", "2026-12-01", "--out", tmp_path / "top3").exit_code == 0
    entries = History(default_path(register_path)).disclosures()
    assert sorted(e.disclosure.dossier for e in entries) == ["2026-101", "2026-102"]
    assert all(e.disclosure.kind == "TOP-3 formulier" and Path(e.disclosure.address).is_file()
               and e.disclosure.fingerprint == sha256(Path(e.disclosure.address)) for e in entries)


def test_mail_to_the_outbox_is_logged_once(tmp_path, cycle):
    register, _ = cycle
    before = len(logged(register))
    assert run("mail", tmp_path / "rapporten", "--register", register).exit_code == 0
    again = run("mail", tmp_path / "rapporten", "--register", register)
    assert again.exit_code == 0
    mails = logged(register)[before:]
    assert mails == [("2026-101", "bericht", KIM, "postvak", "formkit mail"),
                     ("2026-102", "bericht", IRIS, "postvak", "formkit mail")]  # the second run sent nothing
    addresses = [e.disclosure.address for e in History(default_path(register)).disclosures()[before:]]
    assert addresses == ["k.verhoef@wijkteam.example", "i.lammers@vt.example"]


def test_mail_by_smtp_is_logged_with_the_address(tmp_path, cycle, smtp):
    register, _ = cycle
    sink, address = smtp
    result = run("mail", tmp_path / "rapporten", "--register", register, "--smtp", address,
                 "--from", "secretariaat@casusoverleg.example")
    assert result.exit_code == 0, result.output
    sent = sorted(rcpt for e in sink.envelopes for rcpt in e.rcpt_tos)
    entries = [e.disclosure for e in History(default_path(register)).disclosures() if e.disclosure.kind == "bericht"]
    assert sorted(d.address for d in entries) == sent == ["i.lammers@vt.example", "k.verhoef@wijkteam.example"]
    assert {d.channel for d in entries} == {"smtp"}


def test_each_pack_is_logged_for_every_household_in_it(tmp_path, cycle, libreoffice_convert):
    register, _ = cycle
    before = len(logged(register))
    result = run("pack", "--register", register, "--meeting", "2026-12-01", "--plans", tmp_path / "plannen",
                 "--reports", tmp_path / "rapporten", "--out", tmp_path / "pakket", "--per-recipient")
    assert result.exit_code == 0, result.output
    packs = [e.disclosure for e in History(default_path(register)).disclosures()[before:]]
    assert sorted((d.dossier, d.recipient) for d in packs) == [
        ("2026-101", KIM), ("2026-101", ROB), ("2026-101", "secretariaat"), ("2026-102", IRIS),
        ("2026-102", "secretariaat")]  # a professional's pack holds only their own households
    assert all(d.kind == "vergaderpakket" and d.channel == "pakket" and d.fingerprint == sha256(Path(d.address))
               for d in packs)


def test_the_dashboard_export_is_logged(tmp_path, cycle):
    register, _ = cycle
    before = len(logged(register))
    assert run("status", "--register", register, "--as-of", "2026-12-02", "--out", tmp_path / "dash").exit_code == 0
    exports = logged(register)[before:]
    assert sorted(d for d, *_ in exports) == ["2026-101", "2026-102"]
    assert {(kind, command) for _, kind, _, _, command in exports} == {("export", "formkit status")}


# --- the chain ---------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> Path:
    """A history with five disclosures, one a day from 1 to 5 December 2026."""
    history = History(tmp_path / "historie.sqlite")
    for day, (dossier, who) in enumerate([("2026-101", KIM), ("2026-101", ROB), ("2026-102", IRIS),
                                          ("2026-101", KIM), ("2026-102", IRIS)], start=1):
        assert history.disclose([record(dossier, who)], when=dt.datetime(2026, 12, day, 9, 30, tzinfo=dt.UTC))
    return history.path


def tamper(path: Path, sql: str) -> None:
    """Change the store behind formkit's back, as someone with the file and an SQLite tool could."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER IF EXISTS disclosures_no_update")
        db.execute("DROP TRIGGER IF EXISTS disclosures_no_delete")
        db.execute(sql)


def test_the_log_refuses_changes_through_sqlite(store):
    with sqlite3.connect(store) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE disclosures SET recipient = 'iemand anders' WHERE number = 2")
    with sqlite3.connect(store) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM disclosures WHERE number = 2")
    assert run("log", "verify", "--historie", store).exit_code == 0


def test_an_edited_recipient_breaks_the_chain_and_is_named(store):
    tamper(store, "UPDATE disclosures SET recipient = 'iemand anders' WHERE number = 3")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 1
    assert "aangetast: record 3 van 03-12-2026 09:30:00 UTC (dossier 2026-102)" in result.output
    assert "gewijzigd" in result.output


def test_a_deleted_record_breaks_the_chain_and_the_next_one_is_named(store):
    tamper(store, "DELETE FROM disclosures WHERE number = 2")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 1
    assert "record 3 van 03-12-2026" in result.output and "record 2 vóór dit record ontbreekt" in result.output


def test_an_inserted_record_breaks_the_chain(store):
    tamper(store, "INSERT INTO disclosures (number, at, dossier, kind, fingerprint, recipient, address, channel, command, "
                  "prev, hash) SELECT 6, at, dossier, kind, fingerprint, 'onbekend', address, channel, command, hash, "
                  "hash FROM disclosures WHERE number = 5")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 1 and "aangetast: record 6" in result.output


def test_the_last_record_deleted_is_noticed(store):
    tamper(store, "DELETE FROM disclosures WHERE number = 5")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 1 and "de laatste 1 record is verwijderd (na record 4)" in result.output


def test_a_record_changed_with_its_hash_computed_anew_is_named_not_the_one_after(store):
    history = History(store)
    [third] = [e for e in history.disclosures() if e.number == 3]
    forged = dataclasses.replace(third.disclosure, recipient="iemand anders")
    digest = record_hash(3, third.at, forged, third.prev)
    tamper(store, f"UPDATE disclosures SET recipient = 'iemand anders', hash = '{digest}' WHERE number = 3")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 1
    assert "aangetast: record 3 van 03-12-2026" in result.output and "opnieuw berekend" in result.output


def test_an_empty_log_beside_recorded_plans_is_pointed_out(cycle):
    store = default_path(cycle[0])
    tamper(store, "DROP TABLE disclosures")
    result = run("log", "verify", "--historie", store)
    assert result.exit_code == 0 and "0 records" in result.output
    assert result.output.startswith("Let op: het verstrekkingenlog is leeg (0 records), terwijl de historie 1 plan bevat")
    assert "in orde" not in result.output


def test_two_writers_at_once_keep_one_unbroken_chain(tmp_path):
    path = tmp_path / "historie.sqlite"
    results: list[bool] = []

    def write(dossier: str) -> None:
        history = History(path)  # each its own connection, as two commands run at once
        results.extend(history.disclose([record(dossier)]) for _ in range(15))

    threads = [threading.Thread(target=write, args=(d,)) for d in ("2026-101", "2026-102")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 30
    check = History(path).verify()
    assert check.intact and check.count == 30


def test_a_store_from_before_gets_the_log_on_first_use(tmp_path):
    history = History(tmp_path / "historie.sqlite")
    assert history.record_no_forms("2026-101", dt.date(2026, 12, 1))  # a store with only the plan tables
    assert run("log", "verify", "--historie", history.path).output.startswith("Verstrekkingenlog in orde: 0 records")
    assert history.disclose([record("2026-101")]) and len(history.disclosures()) == 1
    assert history.no_forms("2026-101") == [dt.date(2026, 12, 1)]  # the plan history is untouched


def test_a_log_that_cannot_be_written_is_a_finding_and_the_forms_are_still_written(tmp_path, register_path):
    default_path(register_path).mkdir()  # where the history should be, a folder
    result = run("forms", register_path, "--meeting", "2026-12-01", "--out", tmp_path / "formulieren")
    assert result.exit_code == 1
    assert "3 scoreformulieren geschreven" in result.output
    assert "verstrekkingenlog" in result.output and "dossier 2026-101" in result.output
    history = History(tmp_path / "map")
    (tmp_path / "map").mkdir()
    assert not history.disclose([record("2026-101")])
    assert [f.code for f in history.findings] == [Code.log_unwritable]


# --- who received what about us -------------------------------------------------------------


def test_filters_by_dossier_recipient_and_dates(store):
    def numbers(*args: str) -> list[str]:
        result = run("log", "--historie", store, *args)
        assert result.exit_code == 0, result.output
        return [line.split()[0] for line in result.output.splitlines() if "UTC  dossier" in line]

    assert numbers() == ["1", "2", "3", "4", "5"]
    assert numbers("--dossier", "2026-102") == ["3", "5"]
    assert numbers("--ontvanger", "LAMMERS") == ["3", "5"]
    assert numbers("--ontvanger", "wijkteam", "--van", "2026-12-02") == ["4"]
    assert numbers("--van", "02-12-2026", "--tot", "2026-12-03") == ["2", "3"]
    assert "2 verstrekkingen" in run("log", "--historie", store, "--dossier", "2026-102").output
    listed = run("log", "--historie", store, "--dossier", "2026-102").output
    assert "03-12-2026 09:30:00 UTC  dossier 2026-102: scoreformulier aan Iris Lammers (Veilig Thuis)" in listed
    assert run("log", "--historie", store, "--van", "gisteren").exit_code == 2
    assert run("log").exit_code == 2  # no store named


def test_export_to_a_workbook_as_text_and_itself_logged(tmp_path, store):
    History(store).disclose([record("2026-103", recipient="=HYPERLINK(\"http://x\")")])
    out = tmp_path / "log.xlsx"
    result = run("log", "--historie", store, "--dossier", "2026-103", "--out", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]][:5] == ["Nr.", "Moment", "Dossier", "Stuk", "Ontvanger"]
    row = [c for c in ws[2]]
    assert row[0].value == "6" and row[2].value == "2026-103" and row[4].value == "=HYPERLINK(\"http://x\")"
    assert all(c.data_type == "s" for c in row)  # text, never a formula
    export = History(store).disclosures()[-1].disclosure
    assert (export.dossier, export.kind, export.address, export.command) == ("2026-103", "export", str(out),
                                                                               "formkit log")
    assert export.fingerprint == sha256(out)
    assert run("log", "verify", "--historie", store).exit_code == 0


def test_the_demo_logs_what_it_writes_and_sends(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))  # without LibreOffice: no packs, the rest as always
    result = run("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    history = tmp_path / "demo" / "formkit-historie.sqlite"
    kinds = [e.disclosure.kind for e in History(history).disclosures()]
    assert (kinds.count("scoreformulier"), kinds.count("TOP-3 formulier"), kinds.count("controlerapport"),
            kinds.count("bericht"), kinds.count("veiligheidsplan")) == (22, 6, 12, 6, 8)
    assert "export" in kinds and f"Verstrekkingenlog: {len(kinds)} verstrekkingen vastgelegd" in result.output
    assert run("log", "verify", "--historie", history).exit_code == 0


def test_a_damaged_store_is_a_finding_not_a_traceback(tmp_path):
    path = tmp_path / "historie.sqlite"
    path.write_bytes(b"dit is geen database" * 100)
    for args in (("log", "verify"), ("log",)):
        result = run(*args, "--historie", path)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "verstrekkingenlog" in result.output and "geen leesbare SQLite-database" in result.output
    missing = run("log", "verify", "--register", tmp_path / "register.xlsx")
    assert missing.exit_code == 2  # the register itself must exist


def test_no_history_beside_the_register_is_said(tmp_path, register_path):
    result = run("log", "--register", register_path)
    assert result.exit_code == 1 and "Er is geen historiebestand" in result.output
