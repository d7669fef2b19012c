"""Retention: `formkit purge` lists, and with --uitvoeren removes, the files of closed households, and logs it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register

from formkit.cli.main import main
from formkit.core.errors import SettingsError
from formkit.core.settings import load_retention_setting, load_settings
from formkit.delivery.mail import OUTBOX, XLSX_TYPE, Envelope
from formkit.delivery.pack import pack_path
from formkit.delivery.purge import PurgeFolders, closed_households, plan_purge, run_purge
from formkit.delivery.reports import report_stem, summarise, write_reports
from formkit.delivery.send import Attachment, Letter, draft_dossiers, send_letters
from formkit.delivery.summary import read_summary
from formkit.documents.plan_files import write_version
from formkit.documents.word import top3_path, write_top3_forms
from formkit.plan.history import Disclosure, History
from formkit.plan.merge import merge_batch
from formkit.plan.versions import meeting_dir
from formkit.register.load import load
from formkit.register.model import Household, Involvement, MeetingItem, Member
from formkit.register.write import write_register
from formkit.returns.batch import check_batch
from formkit.sheets.forms import form_path, write_forms
from formkit.sheets.schema import build_schema

CLOSED = "2026-101"  # closed on 15 January 2025
OPEN = "2026-102"


def closed_register():
    """The small register with household 2026-101 closed in January 2025; 2026-102 still open."""
    reg = make_register()
    reg.households[0] = dataclasses.replace(reg.households[0], closing_date=dt.date(2025, 1, 15))
    return reg


def snapshot(root: Path, history: bool = False) -> dict[str, bytes]:
    """Return every file under `root` (relative path -> bytes), the history store only when asked."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and (history or not p.name.startswith("formkit-historie"))}


@pytest.fixture
def world(tmp_path, returned):
    """A register and every kind of output formkit makes for both households of the meeting."""
    reg = closed_register()
    register = tmp_path / "register.xlsx"
    write_register(reg, register)
    forms, reports, plans, packs = (tmp_path / n for n in ("formulieren", "rapporten", "plannen", "pakketten"))
    write_forms(reg, MEETING, forms)
    write_top3_forms(reg, MEETING, forms)
    returned(COMPLETE)
    batch = check_batch([tmp_path / "retour"], reg, build_schema())
    write_reports(summarise(batch, reg), reg, reports)
    history = History(tmp_path / "formkit-historie.sqlite")
    for plan in merge_batch(batch, reg, build_schema()):
        write_version(plan, plans)
        assert history.record(plan)  # as `formkit merge` keeps each plan in the history store
    for d in (CLOSED, OPEN):  # what `formkit mail rapporten` leaves in the outbox
        (reports / OUTBOX).mkdir(exist_ok=True)
        (reports / OUTBOX / f"controlerapport_{d}.eml").write_bytes(b"Subject: rapport\r\n\r\nbijlage\r\n")
    # packs: what each holds is what `formkit pack` logged with the pack's sha256
    for code, holds in ((None, (CLOSED, OPEN)), ("P1", (CLOSED,)), ("P2", (CLOSED,)), ("P3", (OPEN,))):
        path = pack_path(packs, MEETING, code)
        write_pack(path, f"%PDF-1.7 pakket {code}", history, holds)
    return tmp_path, register, forms, reports, plans, packs


def write_pack(path: Path, text: str, history: History | None, holds: tuple[str, ...]) -> Path:
    """Write a stand-in pack and, with a history, log the households it holds as `formkit pack` does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    if history is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert history.disclose([Disclosure(d, "vergaderpakket", digest, "secretariaat", str(path), "pakket",
                                            "formkit pack") for d in holds])
    return path


def folders_args(forms, reports, plans, packs) -> list[str]:
    return ["--formulieren", str(forms), "--rapporten", str(reports), "--plannen", str(plans),
            "--pakketten", str(packs)]


def closed_files(forms, reports, plans, packs) -> set[Path]:
    """Return the files the closed household owns in the world fixture."""
    files = {p for p in (forms / CLOSED).rglob("*") if p.is_file()}
    files |= {p for p in (reports / CLOSED).rglob("*") if p.is_file()}
    files |= {p for p in (plans / CLOSED).rglob("*") if p.is_file()}
    files |= {reports / OUTBOX / f"controlerapport_{CLOSED}.eml",
              pack_path(packs, MEETING, "P1"), pack_path(packs, MEETING, "P2")}
    return files


def test_dry_run_changes_nothing_and_lists_the_files(world):
    root, register, forms, reports, plans, packs = world
    before = snapshot(root, history=True)
    result = CliRunner().invoke(main, ["purge", "--register", str(register), "--ouder-dan", "2026-01-01",
                                       *folders_args(forms, reports, plans, packs)])
    assert result.exit_code == 0, result.output
    assert snapshot(root, history=True) == before  # every file present and byte-identical, the history too
    assert "historie (de plannen van dit dossier gaan uit het historiebestand" in result.output
    assert "Proefdraai: er is niets veranderd" in result.output
    for path in closed_files(forms, reports, plans, packs):
        assert str(path) in result.output
    assert OPEN not in result.output.replace(f"dossier {OPEN} en blijft staan", "")  # only as the shared pack's note
    assert f"{pack_path(packs, MEETING)}: dit vergaderpakket bevat ook dossier {OPEN} en blijft staan" in result.output


def test_real_run_removes_exactly_the_closed_households_files_and_logs_each(world):
    root, register, forms, reports, plans, packs = world
    doomed = closed_files(forms, reports, plans, packs)
    before = snapshot(root)
    checked, _ = read_summary(reports)
    assert checked is not None and checked.dossier(CLOSED) is not None
    result = CliRunner().invoke(main, ["purge", "--register", str(register), "--ouder-dan", "01-01-2026",
                                       *folders_args(forms, reports, plans, packs), "--uitvoeren"])
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    gone = {root / p for p in before} - {root / p for p in after}
    assert gone == doomed
    manifest = (reports / "rapporten.json").relative_to(root).as_posix()
    # everything else, the other household's files and the shared pack included, is byte for byte the same
    assert {p: b for p, b in after.items() if p != manifest and not p.endswith(".formkit-lock")} == \
        {p: b for p, b in before.items() if root / p not in doomed and p != manifest}
    for folder in (forms / CLOSED, reports / CLOSED, plans / CLOSED):
        assert not folder.exists()
    summary, problems = read_summary(reports)
    assert problems == [] and summary is not None
    assert [d.dossier for d in summary.dossiers] == [OPEN] and CLOSED not in json.dumps(summary.to_json())
    closed_entry = checked.dossier(CLOSED)
    assert closed_entry is not None and closed_entry.counts.errors  # P2's form did not come back
    closed_counts = closed_entry.counts
    assert (summary.total.errors, summary.total.warnings) == (checked.total.errors - closed_counts.errors,
                                                              checked.total.warnings - closed_counts.warnings)
    # the log holds one record per removed file and one for the manifest, chained and intact
    history = History(root / "formkit-historie.sqlite")
    logged = [r for r in history.disclosures(dossier=CLOSED) if r.disclosure.command == "formkit purge"]
    assert {Path(r.disclosure.address) for r in logged} == doomed | {reports / "rapporten.json", history.path}
    assert {(r.disclosure.kind, r.disclosure.channel) for r in logged} == {("verwijderd", "bestand")}
    assert all(r.disclosure.command == "formkit pack" for r in history.disclosures(dossier=OPEN))
    assert history.verify().intact
    assert history.plans(CLOSED) == [] and [p.dossier for p in history.plans(OPEN)] == [OPEN]
    assert "Verwijderd: " in result.output
    # a second run finds nothing left to remove
    again = CliRunner().invoke(main, ["purge", "--register", str(register), "--ouder-dan", "01-01-2026",
                                      *folders_args(forms, reports, plans, packs), "--uitvoeren"])
    assert again.exit_code == 0, again.output
    assert len(History(root / "formkit-historie.sqlite").disclosures(dossier=CLOSED, recipient="secretariaat")) == \
        len(history.disclosures(dossier=CLOSED, recipient="secretariaat"))


def test_a_read_only_file_gives_a_finding_and_the_rest_goes_on(world):
    root, register, forms, reports, plans, packs = world
    protected = form_path(forms, CLOSED, "P1", MEETING)
    protected.chmod(0o444)
    result = CliRunner().invoke(main, ["purge", "--register", str(register), "--ouder-dan", "2026-01-01",
                                       *folders_args(forms, reports, plans, packs), "--uitvoeren"])
    assert result.exit_code == 1, result.output
    assert protected.is_file() and (forms / CLOSED).is_dir()  # the file and its folder stay
    assert f"{protected} van dossier {CLOSED} kon niet worden verwijderd (het bestand is alleen-lezen" in result.output
    assert not form_path(forms, CLOSED, "P2", MEETING).exists() and not (plans / CLOSED).exists()
    logged = {Path(r.disclosure.address) for r in History(root / "formkit-historie.sqlite").disclosures()}
    assert protected not in logged and form_path(forms, CLOSED, "P2", MEETING) in logged


def test_open_or_recently_closed_households_are_not_touched(world):
    root, register, forms, reports, plans, packs = world
    before = snapshot(root)
    result = CliRunner().invoke(main, ["purge", "--register", str(register), "--ouder-dan", "2025-01-15",
                                       *folders_args(forms, reports, plans, packs), "--uitvoeren"])
    assert result.exit_code == 0, result.output  # closed ON the date is not closed before it
    assert "0 huishoudens" in result.output
    assert {p: b for p, b in snapshot(root).items() if not p.endswith(".formkit-lock")} == before


def place(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(path.name.encode())
    return path


@pytest.mark.parametrize(("closed", "other"), [("2026-1", "2026-10"), ("ab-1", "AB-1"), ("AB-1", "ab-1")])
def test_one_households_purge_never_touches_anothers_files(tmp_path, closed, other):
    reg = make_register()
    reg.households = [Household(closed, "Gezin Een", dt.date(2020, 1, 1), 1, "P1", closing_date=dt.date(2021, 1, 1)),
                      Household(other, "Gezin Twee", dt.date(2020, 1, 1), 1, "P1")]
    reg.members = [Member(closed, "Een"), Member(other, "Twee")]
    reg.involvements = [Involvement(closed, "P1"), Involvement(other, "P1"), Involvement(other, "P2")]
    reg.meeting_items = [MeetingItem(MEETING, closed), MeetingItem(MEETING, other)]
    forms, reports, plans, packs = (tmp_path / n for n in ("formulieren", "rapporten", "plannen", "pakketten"))
    owned: dict[str, set[Path]] = {}
    for d in (closed, other):
        owned[d] = {place(form_path(forms, d, "P1", MEETING)), place(top3_path(forms, d, MEETING)),
                    place(reports / d_part(d) / f"{report_stem(d, MEETING)}.xlsx"),
                    place(meeting_dir(plans, d, MEETING) / "v1" / "plan.json")}
    # another household's form copied into this household's folder is not this household's form
    place(forms / d_part(closed) / form_path(forms, other, "P1", MEETING).name)
    history = History(tmp_path / "historie.sqlite")
    write_pack(pack_path(packs, MEETING, "P2"), "P2", history, (other,))  # P2 is on `other` only
    shared = write_pack(pack_path(packs, MEETING, "P1"), "P1", history, (closed, other))  # P1 is on both
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2022, 1, 1)), PurgeFolders(forms, reports, plans, packs),
                         history=history)
    listed = {i.path for i in purge.items if i.kind != "map"}
    assert listed == owned[closed]
    assert all(d_part(other) not in i.path.relative_to(tmp_path).parts for i in purge.items)
    assert f"{shared}: dit vergaderpakket bevat ook dossier {other} en blijft staan." in purge.kept


def d_part(dossier: str) -> str:
    from formkit.core.paths import id_part

    return id_part(dossier)


def test_links_are_not_followed_or_removed(tmp_path):
    reg = closed_register()
    forms = tmp_path / "formulieren"
    outside = place(tmp_path / "elders" / "belangrijk.xlsx")
    link = form_path(forms, CLOSED, "P1", MEETING)
    link.parent.mkdir(parents=True)
    os.symlink(outside, link)
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(forms=forms))
    assert link not in {i.path for i in purge.items}
    assert any("koppeling" in note for note in purge.kept)


def test_the_retention_term_and_the_date_both_must_hold():
    reg = closed_register()  # closed 15 January 2025
    assert [h.dossier for h in closed_households(reg, dt.date(2026, 1, 1))] == [CLOSED]
    assert closed_households(reg, dt.date(2026, 1, 1), 2, today=dt.date(2027, 1, 14)) == []
    assert [h.dossier for h in closed_households(reg, dt.date(2026, 1, 1), 2, today=dt.date(2027, 1, 15))] == [CLOSED]
    assert closed_households(reg, dt.date(2025, 1, 1), 2, today=dt.date(2040, 1, 1)) == []
    # a closing date still to come is no closing yet, whatever date is typed
    assert closed_households(reg, dt.date(2099, 1, 1), today=dt.date(2025, 1, 14)) == []
    assert [h.dossier for h in closed_households(reg, dt.date(2099, 1, 1), today=dt.date(2025, 1, 15))] == [CLOSED]


def test_retention_settings(tmp_path):
    path = tmp_path / "instellingen.toml"
    path.write_text("[bewaren]\ntermijn_jaren = 7\n", encoding="utf-8")
    assert load_retention_setting(path) == 7 and load_settings(path).max_conditions == 5
    assert load_retention_setting(None) is None
    path.write_text("[bewaren]\ntermijn_jaren = -1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="termijn_jaren"):
        load_retention_setting(path)
    path.write_text("[bewaren]\njaren = 7\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="onbekende instelling"):
        load_retention_setting(path)


def test_the_settings_term_keeps_a_recently_closed_household(world):
    root, register, forms, reports, plans, packs = world
    settings = root / "instellingen.toml"
    settings.write_text("[bewaren]\ntermijn_jaren = 100\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--instellingen", str(settings), "purge", "--register", str(register),
                                       "--ouder-dan", "2026-01-01", "--formulieren", str(forms), "--uitvoeren"])
    assert result.exit_code == 0, result.output
    assert "bewaartermijn van 100 jaar" in result.output and "0 huishoudens" in result.output
    assert form_path(forms, CLOSED, "P1", MEETING).is_file()


def test_the_closing_date_column_round_trips_and_old_registers_stay_valid(tmp_path):
    path = tmp_path / "register.xlsx"
    write_register(closed_register(), path)
    loaded = load(path)
    assert not loaded.findings
    assert [h.closing_date for h in loaded.register.households] == [dt.date(2025, 1, 15), None]
    old = tmp_path / "oud.xlsx"
    write_register(make_register(), old)
    from openpyxl import load_workbook

    wb = load_workbook(old)
    ws = wb["Huishoudens"]
    assert ws.cell(1, 6).value == "afsluitdatum"  # `register new` writes the column
    ws.delete_cols(6)
    wb.save(old)
    again = load(old)
    assert not again.findings and all(h.closing_date is None for h in again.register.households)


def test_usage_errors_exit_2(world):
    root, register, forms, reports, plans, packs = world
    runner = CliRunner()
    none = runner.invoke(main, ["purge", "--register", str(register), "--ouder-dan", "2026-01-01"])
    assert none.exit_code == 2 and "geef minstens één map op" in none.output
    bad = runner.invoke(main, ["purge", "--register", str(register), "--ouder-dan", "gisteren",
                               "--formulieren", str(forms)])
    assert bad.exit_code == 2 and "is geen datum" in bad.output


# --- packs and outbox messages that hold several households ------------------------------


def both_closed_register():
    reg = closed_register()
    reg.households[1] = dataclasses.replace(reg.households[1], closing_date=dt.date(2025, 2, 1))
    return reg


def test_a_pack_goes_when_every_household_in_it_is_purged_and_is_logged_for_each(tmp_path):
    reg = both_closed_register()
    packs = tmp_path / "pakketten"
    history = History(tmp_path / "historie.sqlite")
    full = write_pack(pack_path(packs, MEETING), "alles", history, (CLOSED, OPEN))
    purges = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(packs=packs), history=history)
    assert [[i.path for i in p.items if i.kind == "vergaderpakket"] for p in purges] == [[full], [full]]
    result = run_purge(purges, history)
    assert result.findings == [] and not full.exists()
    removed = [r.disclosure for r in history.disclosures() if r.disclosure.command == "formkit purge"]
    assert sorted((d.dossier, d.address) for d in removed) == [(CLOSED, str(full)), (OPEN, str(full))]
    assert history.verify().intact


def test_what_a_pack_holds_comes_from_the_log_not_from_the_register_as_it_is_now(tmp_path):
    reg = closed_register()
    packs = tmp_path / "pakketten"
    history = History(tmp_path / "historie.sqlite")
    # the pack of P3 was made when P3 also worked on the closed household; the register no longer says so
    mixed = write_pack(pack_path(packs, MEETING, "P3"), "P3", history, (CLOSED, OPEN))
    own = write_pack(pack_path(packs, MEETING, "P1"), "P1", history, (CLOSED,))
    unknown = place(pack_path(packs, MEETING, "P2"))  # made without the log: its content is unknown
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(packs=packs), history=history)
    assert [i.path for i in purge.items] == [own]
    assert f"{mixed}: dit vergaderpakket bevat ook dossier {OPEN} en blijft staan." in purge.kept
    assert any(note.startswith(f"{unknown}: het verstrekkingenlog kent deze versie") for note in purge.kept)
    unknown_later = unknown.read_bytes()
    own.write_bytes(b"changed since")  # a pack changed after it was made is no longer known either
    [again] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(packs=packs), history=history)
    assert again.items == [] and unknown.read_bytes() == unknown_later


def test_outbox_messages_go_only_when_every_household_in_them_is_purged(tmp_path):
    reg = closed_register()
    forms = tmp_path / "formulieren"
    kim, iris = reg.professional("P1"), reg.professional("P3")
    assert kim is not None and iris is not None

    def letter(p, *dossiers):
        files = tuple(Attachment(f"scoreformulier_{d}.xlsx", d.encode(), XLSX_TYPE, d, "scoreformulier")
                      for d in dossiers)
        return Letter(p, "scoreformulieren", MEETING, "Scoreformulieren", "Graag invullen.", files)

    sent = send_letters([letter(kim, CLOSED), letter(iris, CLOSED, OPEN)], forms, Envelope("s@casusoverleg.example"),
                        outbox=forms / OUTBOX, smtp=None)
    assert len(sent.sent) == 2
    kim_draft, iris_draft = (forms / OUTBOX / f"scoreformulieren_{c}_{MEETING.isoformat()}.eml" for c in ("P1", "P3"))
    foreign = forms / OUTBOX / "eigen-bericht.eml"
    foreign.write_bytes(b"Subject: iets anders\r\n\r\ntekst\r\n")
    history = History(tmp_path / "historie.sqlite")
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(forms=forms), history=history)
    assert [i.path for i in purge.items if i.kind == "bericht"] == [kim_draft]
    assert f"{iris_draft}: dit bericht gaat ook over dossier {OPEN} en blijft staan." in purge.kept
    run_purge([purge], history)
    assert not kim_draft.exists() and iris_draft.exists() and foreign.exists()
    # a header that does not end within the first 64 KiB, or comes twice, says nothing: the message stays
    long = forms / OUTBOX / "lang.eml"
    long.write_bytes(f"X-Formkit-Dossiers: {CLOSED}\r\n".encode() + b"X-Pad: " + b"a" * 70_000 + b"\r\n\r\nx")
    twice = forms / OUTBOX / "twee.eml"
    twice.write_bytes(f"X-Formkit-Dossiers: {CLOSED}\r\nX-Formkit-Dossiers: {OPEN}\r\n\r\nx".encode())
    assert draft_dossiers(long) == draft_dossiers(twice) == frozenset()
    assert draft_dossiers(iris_draft) == {CLOSED, OPEN}


def test_a_broken_log_is_not_trusted_with_what_a_pack_holds(tmp_path):
    reg = closed_register()
    packs = tmp_path / "pakketten"
    history = History(tmp_path / "historie.sqlite")
    mixed = write_pack(pack_path(packs, MEETING, "P3"), "P3", history, (CLOSED, OPEN))
    with sqlite3.connect(history.path) as db:  # someone removes the record that says the pack holds OPEN too
        db.execute("DROP TRIGGER disclosures_no_delete")
        db.execute("DELETE FROM disclosures WHERE dossier = ?", (OPEN,))
    assert not History(history.path).verify().intact
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(packs=packs),
                         history=History(history.path))
    assert purge.items == []
    assert purge.kept == [f"{packs}: het verstrekkingenlog is aangetast (zie 'formkit log verify'), dus formkit kan "
                          "niet vaststellen welke huishoudens in de vergaderpakketten staan en laat ze alle staan."]
    assert mixed.exists()


def test_a_packs_folder_given_as_a_link_is_followed_like_every_other_folder(tmp_path):
    reg = closed_register()
    real = tmp_path / "echt"
    history = History(tmp_path / "historie.sqlite")
    full = write_pack(pack_path(real, MEETING), "alles", history, (CLOSED,))
    own = write_pack(pack_path(real, MEETING, "P1"), "P1", history, (CLOSED,))
    link = tmp_path / "pakketten"
    os.symlink(real, link, target_is_directory=True)
    [purge] = plan_purge(reg, closed_households(reg, dt.date(2026, 1, 1)), PurgeFolders(packs=link), history=history)
    assert sorted(i.path.name for i in purge.items) == sorted([full.name, own.name])


def test_the_command_counts_a_file_shared_by_two_purged_households_once(tmp_path):
    reg = both_closed_register()
    register = tmp_path / "register.xlsx"
    write_register(reg, register)
    packs = tmp_path / "pakketten"
    history = History(tmp_path / "formkit-historie.sqlite")
    write_pack(pack_path(packs, MEETING), "alles", history, (CLOSED, OPEN))
    args = ["purge", "--register", str(register), "--ouder-dan", "2026-01-01", "--pakketten", str(packs)]
    listed = CliRunner().invoke(main, args)
    assert listed.exit_code == 0 and "Gebruik --uitvoeren om deze 1 bestand te verwijderen" in listed.output
    done = CliRunner().invoke(main, [*args, "--uitvoeren"])
    assert done.exit_code == 0 and "Verwijderd: 1 bestand en 0 mappen" in done.output, done.output
