"""Returned forms straight from the mailbox: .eml and Outlook .msg files in `formkit check`.

The .eml files are made with the standard email package; the .msg files are real Outlook
messages (a compound file with MAPI properties) written by aspose-email-foss (MIT), see
tests/fixtures/mail/README.md. formkit reads them with extract-msg.
"""

import datetime as dt
import os
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from aspose.email_foss.msg import MapiMessage
from click.testing import CliRunner
from conftest import COMPLETE, codes, make_register
from test_hostile_files import zip_bomb

from formkit.cli.main import main
from formkit.register.write import write_register
from formkit.returns.batch import PROCESSED, REFUSED, check_batch
from formkit.returns.intake import Limits
from formkit.returns.mailbox import safe_name, unpack
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SENT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


def mail(attachments=(), *, sender="Kim Verhoef <k.verhoef@wijkteam.example>", subject="Scoreformulier retour",
         inline_image=False, forwarded: EmailMessage | None = None) -> EmailMessage:
    """Return a reply as a professional sends it: a short text, the given (name, bytes) attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "secretariaat@gemeente.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(SENT)
    message["Message-ID"] = "<1@wijkteam.example>"
    message.set_content("Beste secretariaat,\n\nHierbij mijn formulier.\n")
    if inline_image:
        message.add_alternative("<p>Hierbij mijn formulier.</p><img src='cid:logo'>", subtype="html")
        message.get_payload()[1].add_related(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image", "png", cid="<logo>")
    for name, data in attachments:
        message.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    if forwarded is not None:
        message.add_attachment(forwarded)
    return message


def eml(path: Path, message: EmailMessage) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(message))
    return path


def msg(path: Path, message: EmailMessage) -> Path:
    """Write `message` as an Outlook .msg file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    MapiMessage.from_email_message(message).save(path)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file, as Outlook writes
    return path


def outcome(batch):
    """Return what a user checks per form: status, whose form, and the findings' codes and messages."""
    return sorted((r.status, r.dossier, r.professional, tuple((f.code, f.message) for f in r.findings))
                  for r in batch.files)


def test_forms_in_eml_and_msg_are_checked_like_loose_files(tmp_path, returned):
    own = returned(COMPLETE, professional="P1")
    other = returned({**COMPLETE, "beoordeling_cijfer": 11}, professional="P2")
    loose = check_batch([own.parent], make_register(), SCHEMA)
    assert {r.status for r in loose.files} == {PROCESSED}
    post = tmp_path / "post"
    eml(post / "kim.eml", mail([(own.name, own.read_bytes())]))
    msg(post / "rob.msg", mail([(other.name, other.read_bytes())], sender="Rob Claassen <r.claassen@politie.example>"))
    batch = check_batch([post], make_register(), SCHEMA)
    assert outcome(batch) == outcome(loose)
    assert codes(batch.missing) == codes(loose.missing)
    for dossier in ("2026-101",):
        assert ([s.submission.values for s in batch.processed(dossier)]
                == [s.submission.values for s in loose.processed(dossier)])
    by_professional = {r.professional: r for r in batch.files}
    assert by_professional["P1"].path == post / "kim.eml" / own.name
    assert by_professional["P2"].path == post / "rob.msg" / other.name
    out_of_range = [f for f in by_professional["P2"].findings if f.is_error]
    assert out_of_range, "the score 11 is found in the .msg attachment as in the loose file"
    assert "rob.msg" in out_of_range[0].file and "Rob Claassen" in out_of_range[0].file
    assert "24 november 2026" in out_of_range[0].file and "Scoreformulier retour" in out_of_range[0].file
    assert other.name in out_of_range[0].file


def test_a_hostile_attachment_gets_its_finding_and_the_batch_goes_on(tmp_path, returned):
    good = returned(COMPLETE)
    bomb = zip_bomb(tmp_path / "bom.xlsx").read_bytes()
    post = tmp_path / "post"
    eml(post / "a.eml", mail([("formulier.xlsx", good.read_bytes()), ("formulier.xlsm", good.read_bytes())],
                             subject="Formulier dossier 2026-101"))
    msg(post / "b.msg", mail([("groot.xlsx", bomb)], sender="Onbekend <x@elders.example>", subject="Zie bijlage"))
    batch = check_batch([post], make_register(), SCHEMA)
    results = {(r.path.parent.name, r.path.name): r for r in batch.files}
    assert results[("a.eml", "formulier.xlsx")].status == PROCESSED
    macro = results[("a.eml", "formulier.xlsm")]
    assert macro.status == REFUSED and codes(macro.findings) == ["file_macros"]
    assert macro.findings[0].file == ("bijlage 'formulier.xlsm' in e-mail a.eml (van Kim Verhoef "
                                      "<k.verhoef@wijkteam.example>, 24 november 2026, "
                                      "onderwerp 'Formulier dossier 2026-101')")
    zipped = results[("b.msg", "groot.xlsx")]
    assert zipped.status == REFUSED and codes(zipped.findings) == ["zip_bomb"]
    assert "b.msg" in zipped.findings[0].file and "Zie bijlage" in zipped.findings[0].file
    assert "groot.xlsx" in zipped.findings[0].file


def test_a_message_without_a_workbook_gets_its_own_finding(tmp_path, returned):
    good = returned(COMPLETE)
    eml(good.parent / "leeg.eml", mail(inline_image=True, subject="Ik kom niet"))
    msg(good.parent / "leeg.msg", mail(subject="Ik ook niet"))
    batch = check_batch([good.parent], make_register(), SCHEMA)
    refused = {r.path.name: r for r in batch.files if r.status == REFUSED}
    assert set(refused) == {"leeg.eml", "leeg.msg"}  # the inline logo is no attachment to check
    assert codes(refused["leeg.eml"].findings) == ["mail_no_workbook"]
    assert "Ik kom niet" in refused["leeg.eml"].findings[0].file
    assert codes(refused["leeg.msg"].findings) == ["mail_no_workbook"]
    assert [r.path for r in batch.processed()] == [good]


def test_damaged_and_oversized_messages_get_a_finding_and_others_go_on(tmp_path, returned):
    good = returned(COMPLETE)
    folder = good.parent
    (folder / "ruis.eml").write_bytes(os.urandom(4096))
    (folder / "leeg.eml").write_bytes(b"")
    (folder / "ruis.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    (folder / "tekst.msg").write_text("Dit is geen Outlook-bericht.\n", "utf-8")
    whole = msg(tmp_path / "heel.msg", mail([("f.xlsx", good.read_bytes())])).read_bytes()
    (folder / "afgebroken.msg").write_bytes(whole[: len(whole) // 2])
    eml(folder / "groot.eml", mail([("f.xlsx", good.read_bytes() * 4)]))
    limits = Limits(max_file_bytes=good.stat().st_size * 3)
    batch = check_batch([folder], make_register(), SCHEMA, limits=limits)
    found = {r.path.name: codes(r.findings) for r in batch.files if r.status == REFUSED}
    assert found == {"ruis.eml": ["mail_damaged"], "leeg.eml": ["file_empty"], "ruis.msg": ["mail_damaged"],
                     "tekst.msg": ["mail_damaged"], "afgebroken.msg": ["mail_damaged"],
                     "groot.eml": ["file_too_large"]}
    assert [r.path for r in batch.processed()] == [good]


def test_a_forwarded_message_is_opened_one_level_deep(tmp_path, returned):
    good = returned(COMPLETE)
    reply = mail([("formulier.xlsx", good.read_bytes())])
    forwarded = mail(forwarded=reply, sender="Teamleider <tl@wijkteam.example>", subject="Fwd: formulier")
    twice = mail(forwarded=mail(forwarded=reply, subject="Fwd: formulier"), subject="Fwd: Fwd: formulier")
    post = tmp_path / "post"
    eml(post / "door.eml", forwarded)
    msg(post / "door.msg", forwarded)
    eml(post / "tweemaal.eml", twice)
    batch = check_batch([post], make_register(), SCHEMA)
    by_message = {r.path.parent.name if r.path.parent != post else r.path.name: r for r in batch.files}
    assert by_message["door.eml"].status == PROCESSED
    assert by_message["door.msg"].status in (PROCESSED, "vervangen")  # the same form twice: one counts
    assert len(batch.processed()) == 1
    nested = [f for r in batch.files if r.path.parent.name == "tweemaal.eml" for f in r.findings]
    assert "mail_nested" in codes(nested)
    assert all("Fwd: Fwd: formulier" in f.file for f in nested)


def test_attachment_names_never_leave_the_scratch_folder(tmp_path):
    names = ["../../ontsnapt.xlsx", "..\\..\\ontsnapt2.xlsx", "/etc/ontsnapt3.xlsx", "", ".verborgen.xlsx",
             "a\x1b[31mrood.xlsx", "x" * 400 + ".xlsx", "C:\\Users\\kim\\form.xlsx", "..", "con:nul.xlsx"]
    message = EmailMessage()
    message["From"], message["Subject"] = "kim@wijkteam.example", "namen"
    message.set_content("tekst")
    for name in names:
        message.add_attachment(b"PK\x03\x04", maintype=XLSX[0], subtype=XLSX[1], filename=name)
    path = eml(tmp_path / "in" / "namen.eml", message)
    scratch = tmp_path / "scratch" / "deep" / "er"
    scratch.mkdir(parents=True)
    result = unpack(path, scratch, Limits())
    saved = [a.saved for a in result.attachments]
    assert len(saved) == len(names)
    assert all(p.resolve().is_relative_to(scratch.resolve()) and p.is_file() for p in saved)
    assert not any(p.name.startswith(".") or "\x1b" in p.name for p in saved)
    assert all(len(p.name) <= 120 for p in saved)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]
    assert sorted(written) == sorted(saved)  # nothing beside the attachments, each in the scratch folder
    assert not Path("/etc/ontsnapt3.xlsx").exists()
    assert safe_name("../../ontsnapt.xlsx", 1) == "ontsnapt.xlsx"
    assert safe_name("", 3) == "bijlage-3"
    assert safe_name("..", 4) == "bijlage-4"


def test_untrusted_headers_are_shown_visibly_and_short(tmp_path, returned):
    good = returned(COMPLETE)
    sneaky = "Formulier \u202egnp.exe " + "lang " * 40
    path = eml(tmp_path / "post" / "raar.eml", mail([("f.xlsm", good.read_bytes())], subject=sneaky))
    batch = check_batch([path], make_register(), SCHEMA, meeting=dt.date(2026, 12, 1))
    label = batch.files[0].findings[0].file
    assert "\u202e" not in label and "⟨U+202E⟩" in label
    assert len(label) < 300 and "tekens)" in label


@pytest.mark.parametrize("kind", ["eml", "msg"])
def test_the_cli_checks_a_folder_of_messages_without_a_traceback(tmp_path, returned, kind):
    good = returned(COMPLETE)
    post = tmp_path / "outlook"
    write = eml if kind == "eml" else msg
    write(post / f"goed.{kind}", mail([(good.name, good.read_bytes())]))
    write(post / f"macro.{kind}", mail([("formulier.xlsm", good.read_bytes())], subject="Met macro"))
    (post / f"kapot.{kind}").write_bytes(os.urandom(2048))
    register = tmp_path / "register.xlsx"
    write_register(make_register(), register)
    result = CliRunner().invoke(main, ["check", str(post), "--register", str(register)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert f"bijlage 'formulier.xlsm' in e-mail macro.{kind}" in result.output
    assert "Met macro" in result.output and "macro's" in result.output
    assert "beschadigd of geen e-mailbericht" in result.output
    merged = CliRunner().invoke(main, ["merge", str(post), "--register", str(register), "--meeting", "2026-12-01",
                                       "--out", str(tmp_path / "plannen")])
    assert "Traceback" not in merged.output and isinstance(merged.exception, SystemExit)
    assert (tmp_path / "plannen" / "2026-101" / "2026-12-01" / "v1" / "plan.json").is_file()
    assert f"e-mail macro.{kind}" in merged.output


def test_too_many_attachments_or_parts_nested_too_deep_are_refused(tmp_path, returned):
    good = returned(COMPLETE)
    crowded = mail([(f"f{i}.xlsx", b"PK\x03\x04") for i in range(101)], subject="Alles")
    eml(good.parent / "vol.eml", crowded)
    deep = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(30))
    (good.parent / "diep.eml").write_text(f"From: x@y.example\nSubject: diep\n{deep}\ntekst\n", "utf-8")
    batch = check_batch([good.parent], make_register(), SCHEMA)
    found = {r.path.name: codes(r.findings) for r in batch.files if r.status == REFUSED}
    assert found == {"vol.eml": ["mail_too_many_attachments"], "diep.eml": ["mail_damaged"]}
    assert "101 bijlagen" in next(r for r in batch.files if r.path.name == "vol.eml").findings[0].message
    assert [r.path for r in batch.processed()] == [good]


def test_the_saved_attachments_are_private_and_gone_after_the_check(tmp_path, returned, monkeypatch):
    import tempfile

    from formkit.returns.intake import DEFAULT_LIMITS

    good = returned(COMPLETE)
    path = eml(tmp_path / "post" / "a.eml", mail([(good.name, good.read_bytes())]))
    # what a reading worker does with a message: its attachments go into a folder only the user can read
    own = tmp_path / "eigen"
    own.mkdir()
    unpack(path, own, DEFAULT_LIMITS)
    [folder] = list(own.iterdir())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert [p.name for p in folder.rglob("*.xlsx")] == [good.name]
    # and after a whole check nothing of them is left in the temporary folder
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    batch = check_batch([path], make_register(), SCHEMA)
    assert [r.status for r in batch.files] == [PROCESSED]
    assert list(scratch.iterdir()) == []


def test_a_message_is_named_by_what_it_says_about_itself(tmp_path):
    from formkit.returns.mailbox import Envelope

    path = tmp_path / "bericht.eml"
    assert Envelope(path).label() == "e-mail bericht.eml"
    assert Envelope(path, subject="Formulier").label() == ("e-mail bericht.eml (van onbekende afzender, "
                                                            "zonder datum, onderwerp 'Formulier')")
    assert Envelope(path, "Kim", dt.date(2026, 11, 24)).attachment_label("f.xlsx") == (
        "bijlage 'f.xlsx' in e-mail bericht.eml (van Kim, 24 november 2026, zonder onderwerp)")


@pytest.mark.parametrize("kind", ["eml", "msg"])
def test_a_message_gone_before_it_is_read_is_unreadable_not_a_crash(tmp_path, kind):
    result = unpack(tmp_path / f"weg.{kind}", tmp_path, Limits())
    assert [(name, f.code, f.file) for name, f in result.findings] == [(None, "file_unreadable", f"e-mail weg.{kind}")]
    assert result.attachments == []


@pytest.mark.parametrize("kind", ["eml", "msg"])
def test_a_saved_attachment_is_dated_when_its_message_was_sent(tmp_path, kind):
    write = eml if kind == "eml" else msg
    path = write(tmp_path / f"a.{kind}", mail([("f.xlsx", b"PK\x03\x04")]))
    result = unpack(path, tmp_path, Limits())
    assert [a.saved.stat().st_mtime for a in result.attachments] == [SENT.timestamp()]
    assert result.envelope.date == SENT


def test_a_long_attachment_name_is_cut_to_what_a_file_system_takes():
    from formkit.returns.mailbox import safe_name

    name = safe_name("😀" * 120 + ".xlsx", 1)
    assert name.endswith(".xlsx") and len(name.encode("utf-8")) <= 110
    assert name.startswith("😀") and "\ufffd" not in name
