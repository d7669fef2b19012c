"""The check summary: one typed value from `check` to the reports, the mail and the pack.

rapporten.json is its only JSON form; mail and pack read it with one reader and one policy:
a missing or damaged manifest is one Dutch finding naming the file, never a traceback.
"""

import dataclasses
import email
import email.policy
import json

import pytest
from click.testing import CliRunner
from conftest import COMPLETE, MEETING, make_register

from formkit.cli.main import main
from formkit.core.findings import Severity
from formkit.core.messages import MESSAGES, Code
from formkit.delivery.mail import mail_reports
from formkit.delivery.pack import overview_context, report_entries
from formkit.delivery.reports import MANIFEST, format_summary, summarise, write_reports
from formkit.delivery.summary import CheckSummary, read_summary
from formkit.returns.batch import check_batch
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()


@pytest.fixture
def checked(tmp_path, returned, register_path):
    """A checked batch with an error and a missing form, its reports written; returns (summary, folder)."""
    returned(COMPLETE | {"situatie_1_omschrijving": "Er is niemand thuis."})
    register = make_register()
    summary = summarise(check_batch([tmp_path / "retour"], register, SCHEMA), register)
    folder = tmp_path / "rapporten"
    write_reports(summary, register, folder)
    return summary, folder


def run_mail(folder, register_path):
    return CliRunner().invoke(main, ["mail", str(folder), "--register", str(register_path)])


# --- the round trip -----------------------------------------------------------------------------


def test_a_summary_written_and_read_back_is_the_same_summary(checked):
    summary, folder = checked
    read, problems = read_summary(folder)
    assert problems == []
    assert read.reports is not None and [r.dossier for r in read.reports] == ["2026-101", "2026-102"]
    assert read == dataclasses.replace(summary, reports=read.reports)
    assert CheckSummary.from_json(summary.to_json()) == summary
    # the file is exactly the summary's JSON: nothing is added or lost on the way
    on_disk = (folder / MANIFEST).read_text(encoding="utf-8")
    assert on_disk == json.dumps(read.to_json(), ensure_ascii=False, indent=2)


def test_the_summary_holds_typed_findings_errors_first(checked):
    summary, _ = checked
    entry = summary.dossier("2026-101")
    assert (entry.expected, entry.received) == (2, 1)
    assert entry.counts.errors >= 2 and entry.findings[0].severity is Severity.ERROR
    severities = [f.severity for f in entry.findings]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)
    assert [(m.name, m.organisation) for m in entry.missing] == [("Rob Claassen", "Politie")]
    assert any("begint niet met de naam" in f.message and f.professional == "Kim Verhoef" for f in entry.findings)
    lines = format_summary(summary)
    assert lines[0] == "Casusoverleg 1 december 2026:"
    assert f"  2026-101 Gezin Pietersen: 1 van 2 formulieren, {entry.counts.errors} fouten" in lines[1]


def test_check_json_prints_the_same_summary_without_its_report_files(tmp_path, returned, register_path):
    returned(COMPLETE)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "retour"), "--register", str(register_path), "--json"])
    data = json.loads(result.stdout)
    assert "rapporten" not in data and data["schemaversie"] == "1" and data["overleg"] == MEETING.isoformat()
    summary = CheckSummary.from_json(data)
    assert summary.reports is None and summary.dossier("2026-101").received == 1


# --- one reader, one policy ------------------------------------------------------------------------


def test_a_damaged_manifest_gives_the_same_finding_in_mail_and_in_pack(checked, register_path):
    _, folder = checked
    (folder / MANIFEST).write_text("{\"schemaversie\": \"1\", \"dossiers\": [{\"dossier\": \"2026-1", encoding="utf-8")
    _, [problem] = read_summary(folder)
    assert problem.code == Code.reports_manifest_damaged and str(folder / MANIFEST) in problem.message

    found = []
    assert report_entries(folder, found) == {}
    assert found == [problem]  # the pack goes on without the results, with the finding

    mailed = run_mail(folder, register_path)
    assert mailed.exit_code == 2 and isinstance(mailed.exception, SystemExit)
    assert f"Fout: {problem.message}" in mailed.output  # the mail stops, with the very same words
    assert not (folder / "postvak-uit").exists()


def test_a_missing_manifest_stops_the_mail_and_is_a_warning_in_the_pack(tmp_path, register_path):
    empty = tmp_path / "leeg"
    empty.mkdir()
    _, [problem] = read_summary(empty)
    assert problem.code == Code.reports_manifest_missing and problem.severity is Severity.WARNING
    assert MANIFEST in problem.message and str(empty) in problem.message
    found = []
    assert report_entries(empty, found) == {} and found == [problem]
    mailed = run_mail(empty, register_path)
    assert mailed.exit_code == 2 and f"Fout: {problem.message}" in mailed.output


def _manifest(folder, change) -> None:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    change(data)
    (folder / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


ODD = {
    "an old file without a schema version": (lambda d: d.pop("schemaversie"), "geen schemaversie"),
    "a newer schema version": (lambda d: d.update(schemaversie="2"), "schemaversie '2'"),
    "dossiers that are not a list": (lambda d: d.update(dossiers={"2026-101": {}}), "'dossiers'"),
    "a count that is text": (lambda d: d["dossiers"][0].update(ontvangen="1"), "'ontvangen' van dossier 2026-101"),
    "a count that is a boolean": (lambda d: d["dossiers"][0].update(verwacht=True), "'verwacht'"),
    "a finding without its message": (lambda d: d["dossiers"][0]["bevindingen"][0].pop("melding"), "'melding'"),
    "an unknown severity": (lambda d: d["dossiers"][0]["bevindingen"][0].update(ernst="kritiek"), "'kritiek'"),
    "a report outside the folder": (lambda d: d["rapporten"][0].update(xlsx="../../geheim.xlsx"),
                                    "ligt niet in de map"),
    "an absolute report path": (lambda d: d["rapporten"][0].update(docx="/etc/passwd"), "ligt niet in de map"),
    "a meeting that is no date": (lambda d: d.update(overleg="1 december"), "geen datum"),
}


@pytest.mark.parametrize("change, reason", ODD.values(), ids=ODD.keys())
def test_an_odd_manifest_is_refused_whole_with_a_finding_and_no_traceback(checked, register_path, change, reason):
    _, folder = checked
    _manifest(folder, change)
    summary, [problem] = read_summary(folder)
    assert summary is None and problem.code == Code.reports_manifest_damaged
    assert str(folder / MANIFEST) in problem.message and reason in problem.message
    found = []
    assert report_entries(folder, found) == {} and found == [problem]
    mailed = run_mail(folder, register_path)
    assert mailed.exit_code == 2 and isinstance(mailed.exception, SystemExit)
    assert "Traceback" not in mailed.output and problem.message in mailed.output
    assert not (folder / "postvak-uit").exists()


@pytest.mark.parametrize("content", [b"[]", b"\xff\xfe niet in UTF-8", b"", b"null"], ids=["list", "bytes", "empty", "null"])
def test_a_manifest_that_is_no_summary_at_all_is_refused(checked, content):
    _, folder = checked
    (folder / MANIFEST).write_bytes(content)
    summary, [problem] = read_summary(folder)
    assert summary is None and problem.code == Code.reports_manifest_damaged
    assert problem.severity.value == MESSAGES[Code.reports_manifest_damaged][0]


def test_a_folder_named_like_the_manifest_is_a_finding(tmp_path):
    (tmp_path / MANIFEST).mkdir()
    summary, [problem] = read_summary(tmp_path)
    assert summary is None and problem.code == Code.reports_manifest_damaged and "een map" in problem.message


def test_a_control_character_put_into_the_manifest_by_hand_is_shown_not_obeyed(checked, register_path, tmp_path):
    _, folder = checked
    _manifest(folder, lambda d: d["dossiers"][0]["ontbrekend"][0].update(naam="Rob\u202eClaassen"))
    summary, problems = read_summary(folder)
    assert problems == [] and summary.dossier("2026-101").missing[0].name == "Rob⟨U+202E⟩Claassen"
    result = mail_reports(folder, make_register(), outbox=tmp_path / "postvak")
    assert result.delivered == ["2026-101", "2026-102"]
    message = email.message_from_bytes((tmp_path / "postvak" / "controlerapport_2026-101.eml").read_bytes(),
                                       policy=email.policy.default)
    body = message.get_body().get_content()
    # since issue 15 the body names no one but the regisseur (who is missing is in the attached report)
    assert "\u202e" not in body and "Claassen" not in body and "Nog niet ontvangen: 1 formulier" in body


def test_the_pack_overview_shows_the_summary_it_read(checked):
    _, folder = checked
    entries = report_entries(folder, [])
    context = overview_context(make_register(), "2026-101", MEETING, None, entries["2026-101"])
    assert context["formulieren"] == "1 van de 2 ontvangen"
    assert context["bevindingen"][0]["ernst"] == "fout"
    assert [b["melding"] for b in context["bevindingen"]] == [f.message for f in entries["2026-101"].findings]
    assert overview_context(make_register(), "2026-101", MEETING, None, None)["formulieren"] == "nog niet gecontroleerd"
