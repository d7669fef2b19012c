"""Fixtures: small registers built in code, and LibreOffice for round-trip tests."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from formkit.register.model import Household, Involvement, MeetingItem, Member, Professional, Register
from formkit.register.write import write_register

MEETING = dt.date(2026, 12, 1)


def make_register(**overrides) -> Register:
    """Return a small, clean register: two households on the meeting of 1 December 2026."""
    reg = Register(
        households=[
            Household("2026-101", "Gezin Pietersen", dt.date(2026, 10, 1), 1, "P1"),
            Household("2026-102", "Gezin Öztürk", dt.date(2026, 9, 1), 2, "P3"),
        ],
        members=[
            Member("2026-101", "Anna Pietersen", 1990, "moeder"),
            Member("2026-101", "Tim Pietersen", 2015, "kind"),
            Member("2026-102", "Ayşe Öztürk", 1985, "moeder"),
            Member("2026-102", "Can Öztürk", 2012, "kind"),
        ],
        professionals=[
            Professional("P1", "Kim Verhoef", "Wijkteam West", "gezinscoach", "k.verhoef@wijkteam.example"),
            Professional("P2", "Rob Claassen", "Politie", "wijkagent", "r.claassen@politie.example"),
            Professional("P3", "Iris Lammers", "Veilig Thuis", "casemanager", "i.lammers@vt.example"),
        ],
        involvements=[
            Involvement("2026-101", "P1", "WW-1"),
            Involvement("2026-101", "P2", None),
            Involvement("2026-102", "P3", "VT-9"),
        ],
        meeting_items=[MeetingItem(MEETING, "2026-101", "09:00"), MeetingItem(MEETING, "2026-102", "09:30")],
    )
    for key, value in overrides.items():
        setattr(reg, key, value)
    return reg


@pytest.fixture(autouse=True)
def secretariat_key(tmp_path, monkeypatch) -> Path:
    """Every test seals and checks forms with its own key under tmp_path (FORMKIT_SLEUTEL), never the user's."""
    path = tmp_path / "sleutel" / "sleutel.key"
    monkeypatch.setenv("FORMKIT_SLEUTEL", str(path))
    return path


@pytest.fixture
def custom(tmp_path) -> Path:
    """A folder with formkit's templates exported, as an organisation restyles them."""
    from formkit.delivery.template_check import export_templates

    target = tmp_path / "eigen"
    export_templates(target)
    return target


def codes(findings) -> list[str]:
    """Return the codes of findings, in order."""
    return [f.code for f in findings]


@pytest.fixture
def register_path(tmp_path) -> Path:
    """A clean register written to disk."""
    path = tmp_path / "register.xlsx"
    write_register(make_register(), path)
    return path


def _soffice() -> str:
    found = shutil.which("soffice")
    if found:
        return found
    message = "LibreOffice (soffice) ontbreekt; 'make test' installeert het (scripts/ensure-libreoffice.sh)"
    if os.environ.get("CI"):
        pytest.fail(message)  # on CI a missing part is an install bug, never a skip
    pytest.skip(message)


@pytest.fixture
def libreoffice_convert(tmp_path):
    """Return a function that converts a file with headless LibreOffice, as a user's re-save."""
    soffice = _soffice()
    profile = tmp_path / "lo-profiel"

    def convert(path: Path, fmt: str, out_dir: Path) -> Path:
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", fmt, "--outdir", str(out_dir), str(path)],
            check=True, capture_output=True, timeout=180,
        )
        result = out_dir / f"{path.stem}.{fmt.split(':')[0]}"
        assert result.is_file(), f"LibreOffice schreef geen {result.name}"
        return result

    return convert


# --- returned forms made by the tests ---------------------------------------------------

#: A complete, correct form for household 2026-101 (Anna and Tim Pietersen).
COMPLETE = {
    "situatie_1_slachtoffer": "Tim Pietersen",
    "situatie_1_omschrijving": "Tim wordt sinds oktober 's avonds alleen thuis gelaten.",
    "situatie_1_datum": dt.date(2026, 10, 15),
    "situatie_1_strafbaar_feit": "nee",
    "beoordeling_cijfer": 5,
    "beoordeling_toelichting": "Moeder werkt mee, maar de oppas is nog niet geregeld.",
    "voorwaarde_1_voorwaarde": "Er is 's avonds altijd een volwassene bij Tim.",
    "voorwaarde_1_termijn": dt.date(2027, 1, 15),
    "voorwaarde_1_eigenaar": "Anna Pietersen",
    "afspraak_1_wie": "Wijkteam West",
    "afspraak_1_wat": "Regelt avondopvang voor Tim.",
    "afspraak_1_wanneer": dt.date(2026, 12, 15),
    "regie_regisseur": "Kim Verhoef (Wijkteam West)",
    "regie_toetsmoment": dt.date(2027, 1, 12),
    "regie_veilig_thuis": "Bij een nieuw incident informeert de regisseur Veilig Thuis dezelfde dag.",
    "regie_consequenties": "Dan volgt direct een overleg met Veilig Thuis.",
}


def fill(path: Path, values: dict, target: Path | None = None) -> Path:
    """Fill a generated score sheet through its defined names, as a professional would."""
    from openpyxl import load_workbook

    from formkit.sheets.names import resolve_names

    wb = load_workbook(path)
    places, missing = resolve_names(wb, list(values))
    assert not missing, missing
    for name, value in values.items():
        sheet, cell = places[name]
        wb[sheet][cell].value = value
    target = target or path
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


@pytest.fixture
def blank_forms(tmp_path) -> dict:
    """Empty score sheets for the small register's meeting, by (dossier, professional)."""
    from formkit.sheets.forms import write_forms

    result = write_forms(make_register(), MEETING, tmp_path / "leeg")
    return {(j.dossier, j.professional): j.path for j in result.written}


@pytest.fixture
def returned(tmp_path, blank_forms):
    """Return a function that fills a copy of a blank form into tmp_path/retour and returns its path."""
    folder = tmp_path / "retour"
    folder.mkdir()

    def make(values: dict, dossier="2026-101", professional="P1", name: str | None = None) -> Path:
        target = folder / (name or f"{dossier}_{professional}.xlsx")
        return fill(blank_forms[(dossier, professional)], values, target)

    return make


# --- a real SMTP server on loopback ------------------------------------------------------


class Sink:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        """Return (envelope, parsed message) of everything received."""
        return [(e, email.message_from_bytes(e.original_content, policy=email.policy.default)) for e in self.envelopes]

    def to(self, address):
        """Return the parsed messages sent to one address."""
        return [m for e, m in self.messages() if e.rcpt_tos == [address]]


@pytest.fixture
def smtp():
    """A plain SMTP server on loopback (the TLS and login paths are tested with `formkit mail`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"127.0.0.1:{port}"
    controller.stop()
