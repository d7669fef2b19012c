"""The Register page: choose a register by path or upload, see its findings with sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from html import escape, unescape
from html.parser import HTMLParser

import pytest
from conftest import make_register

from formkit.core.findings import Code
from formkit.core.messages import MESSAGES
from formkit.register.load import load
from formkit.register.model import Household, Member
from formkit.register.write import write_register

from .client import config_for, post, signed_in, upload


class _Tables(HTMLParser):
    """Collects each table's caption and rows (cell texts), as a reader sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._in_caption = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
            self.tables[self._caption or ""] = []
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._caption or ""].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Return the page's tables by caption: header row first, then the data rows."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def faulty(tmp_path):
    """A register with two errors: a regisseur not involved, a birth year in the future."""
    reg = make_register(households=[Household("2026-101", "Gezin Pietersen", dt.date(2026, 10, 1), 1, "P3"),
                                    Household("2026-102", "Gezin Öztürk", dt.date(2026, 9, 1), 2, "P3")])
    reg.members.append(Member("2026-101", "Noor Pietersen", 2091, "kind"))
    path = tmp_path / "register_met_fouten.xlsx"
    write_register(reg, path)
    return path


def test_before_a_register_is_chosen_the_page_asks_for_one(tmp_path):
    client = signed_in(config_for(tmp_path))
    html = client.get("/register").text
    assert '<label for="pad">Pad van het register (.xlsx)</label>' in html
    assert '<label for="bestand">Of upload het register</label>' in html
    assert "Controle" not in html


def test_the_register_given_at_start_is_checked_at_once(tmp_path, register_path):
    html = signed_in(config_for(tmp_path, register_path)).get("/register").text
    assert f'value="{register_path}"' in html
    assert "Register register.xlsx: 2 huishoudens, 4 gezinsleden, 3 professionals, 1 overleggen." in html
    assert "Resultaat: 0 fouten, 0 waarschuwingen." in html


def test_a_good_register_shows_its_households_professionals_and_meetings(tmp_path, register_path):
    client = signed_in(config_for(tmp_path))
    assert post(client, "/register/kiezen", {"pad": str(register_path)}).headers["location"] == "/register"
    shown = tables(client.get("/register").text)
    households = shown["Huishoudens met hun regisseur"]
    assert households[0] == ["Dossier", "Naam", "Gezinsleden", "Fase", "Startdatum", "Regisseur", "Afgesloten"]
    assert households[1:] == [["2026-101", "Gezin Pietersen", "2", "1", "01-10-2026", "Kim Verhoef (Wijkteam West)", ""],
                              ["2026-102", "Gezin Öztürk", "2", "2", "01-09-2026", "Iris Lammers (Veilig Thuis)", ""]]
    assert [row[:3] for row in shown["Professionals en hun organisatie"][1:]] == [
        ["P1", "Kim Verhoef", "Wijkteam West"], ["P2", "Rob Claassen", "Politie"], ["P3", "Iris Lammers", "Veilig Thuis"]]
    assert shown["Casusoverleggen in het register"][1:] == [["1 december 2026", "2"]]
    assert "Bevindingen in het register" not in shown


def test_a_register_with_errors_shows_each_finding_with_sheet_row_and_column(tmp_path, faulty):
    client = signed_in(config_for(tmp_path))
    post(client, "/register/kiezen", {"pad": str(faulty)})
    html = client.get("/register").text
    expected = load(faulty).findings
    assert len(expected) == 2
    rows = tables(html)["Bevindingen in het register"]
    assert rows[0] == ["Soort", "Blad", "Rij", "Kolom", "Dossier", "Melding"]
    assert [[r[0], r[1], r[2], r[3], r[5]] for r in rows[1:]] == [
        ["fout", f.sheet, str(f.row), f"{f.column} ({f.cell})", f.message] for f in expected]
    assert ["fout", "Gezinsleden", "6", "geboortejaar (C6)"] == rows[1][:4]
    assert "Resultaat: 2 fouten, 0 waarschuwingen." in html


def test_untrusted_text_in_the_register_is_shown_visibly_and_escaped(tmp_path):
    reg = make_register(households=[Household("2026-101", "Gezin <b>Pietersen</b>\u202e", dt.date(2026, 10, 1), 1, "P1"),
                                    Household("2026-102", "Gezin Öztürk", dt.date(2026, 9, 1), 2, "P3")])
    path = tmp_path / "register.xlsx"
    write_register(reg, path)
    html = signed_in(config_for(tmp_path, path)).get("/register").text
    assert "<b>Pietersen</b>" not in html
    assert escape("Gezin <b>Pietersen</b>⟨U+202E⟩") in html
    assert "\u202e" not in html


@pytest.mark.parametrize("typed, says", [("", "Vul het pad van het register in"),
                                         ("bestaat/niet.xlsx", "bestaat/niet.xlsx bestaat niet."),
                                         (".", ". is een map, geen bestand.")])
def test_a_wrong_path_gets_a_dutch_answer(tmp_path, typed, says):
    response = post(signed_in(config_for(tmp_path)), "/register/kiezen", {"pad": typed})
    assert response.status_code == 400
    assert says in response.text


def test_a_file_that_is_no_register_gets_the_registers_finding(tmp_path):
    not_a_register = tmp_path / "notities.xlsx"
    not_a_register.write_text("dit is geen werkmap")
    client = signed_in(config_for(tmp_path))
    post(client, "/register/kiezen", {"pad": str(not_a_register)})
    html = client.get("/register").text
    assert load(not_a_register).findings[0].code is Code.register_unreadable
    assert load(not_a_register).findings[0].message in unescape(html)
    assert "Resultaat: 1 fout, 0 waarschuwingen." in html
    assert "Huishoudens met hun regisseur" not in html


# --- uploads ------------------------------------------------------------------------------


def test_an_uploaded_register_goes_into_the_work_folder_and_is_checked(tmp_path, register_path):
    config = config_for(tmp_path)
    client = signed_in(config)
    response = upload(client, "/register/uploaden", "mijn register.xlsx", register_path.read_bytes())
    assert response.status_code == 303
    stored = config.folder / "registers" / "mijn register" / "mijn register.xlsx"  # a folder of its own
    assert stored.read_bytes() == register_path.read_bytes()
    assert sorted(p.relative_to(config.folder).as_posix() for p in config.folder.rglob("*")) == [
        "registers", "registers/mijn register", "registers/mijn register/mijn register.xlsx"]  # nothing else
    html = unescape(client.get(response.headers["location"]).text)
    assert "Register mijn register.xlsx: 2 huishoudens, 4 gezinsleden, 3 professionals, 1 overleggen." in html
    assert f"Het geüploade register is opgeslagen als {stored}." in html
    assert f"Werkmap van dit register: {stored.parent / 'formkit-werk'}" in html


def _macro_workbook(register: bytes) -> bytes:
    """Return the register with a VBA project added: what the intake refuses as macros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(register)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, code", [
    ("register.csv", b"dossier;naam\n2026-101;Gezin Pietersen\n", Code.file_text),
    ("register.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, Code.file_legacy_xls),
    ("register.xlsx", b"PK\x03\x04 afgebroken", Code.file_damaged),
    ("register.xlsm", None, Code.file_macros),
    ("register.xlsx", b"", Code.file_empty),
])
def test_a_hostile_or_wrong_upload_gets_the_intakes_finding_and_is_not_kept(tmp_path, register_path, name, content,
                                                                             code):
    config = config_for(tmp_path)
    client = signed_in(config)
    data = content if content is not None else _macro_workbook(register_path.read_bytes())
    response = upload(client, "/register/uploaden", name, data)
    assert response.status_code == 400
    says = MESSAGES[code][1].split("{")[0].split("(")[0].strip()  # the catalogue's text before its first placeholder
    assert says in unescape(response.text)
    assert "is niet als register overgenomen" in response.text
    assert list(config.folder.iterdir()) == []  # refused: nothing kept, no temp folder left
    assert "Controle" not in response.text  # no register chosen


def test_an_upload_over_the_size_limit_is_cut_off_with_its_finding(tmp_path):
    config = config_for(tmp_path)
    client = signed_in(config)
    response = upload(client, "/register/uploaden", "register.xlsx", b"PK\x03\x04" + b"\x00" * (21 * 1024 * 1024))
    assert response.status_code == 400
    assert "het bestand is te groot (meer dan 20 MB; een scoreformulier is hoogstens 20 MB)." in response.text
    assert list(config.folder.iterdir()) == []


def test_an_upload_without_a_file_asks_for_one(tmp_path):
    client = signed_in(config_for(tmp_path))
    response = upload(client, "/register/uploaden", "", b"")
    assert response.status_code == 400
    assert "Kies één registerbestand (.xlsx) om te uploaden." in response.text


def test_an_uploads_file_name_cannot_reach_outside_the_work_folder(tmp_path):
    config = config_for(tmp_path)
    client = signed_in(config)
    response = upload(client, "/register/uploaden", "../../buiten\u202e.csv", b"dossier;naam\n")
    assert response.status_code == 400
    assert "buiten⟨U+202E⟩.csv is niet als register overgenomen." in unescape(response.text)
    assert "\u202e" not in response.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["werk"]
    assert list(config.folder.iterdir()) == []
