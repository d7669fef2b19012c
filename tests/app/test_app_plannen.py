"""The Plannen page: merging as `formkit merge` does, each household's plan as a page, its versions and downloads."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import COMPLETE, MEETING, fill, make_register
from docx import Document
from starlette.testclient import TestClient

from formkit.app.config import MeetingFolders
from formkit.core.paths import id_part
from formkit.plan.history import History, default_path
from formkit.plan.versions import meeting_dir
from formkit.register.write import write_register
from formkit.sheets.forms import write_forms

from .client import config_for, finished, post, signed_in

DAY = MEETING.isoformat()
#: What household 2026-102 (Gezin Öztürk) said: it must never show on 2026-101's page.
OTHER = {
    "situatie_1_slachtoffer": "Can Öztürk",
    "situatie_1_omschrijving": "Geheim van Öztürk: Can wordt op school bedreigd.",
    "beoordeling_cijfer": 3,
    "beoordeling_toelichting": "Toelichting van Iris over Öztürk.",
}


class Tables(HTMLParser):
    """The tables of a page: per table its caption and its rows of cell texts (th and td)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1] = ("".join(self._caption).strip(), self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    """Return the page's tables by caption."""
    parser = Tables()
    parser.feed(html)
    return dict(parser.tables)


def docx_table(path: Path, heading: list[str]) -> list[list[str]]:
    """Return the data rows of the Word document's table whose heading row is `heading`, cells as flat text."""
    for table in Document(str(path)).tables:
        rows = [[" ".join(c.text.split()) for c in r.cells] for r in table.rows]
        if rows and rows[0] == heading:
            return rows[1:]
    raise AssertionError(f"geen tabel {heading} in {path.name}")


@pytest.fixture
def folders(config) -> MeetingFolders:
    return MeetingFolders(config.folder, MEETING)


def put_back(blank_forms, folders: MeetingFolders, values: dict, dossier="2026-101", professional="P1") -> Path:
    """Return a filled copy of a blank form, put in the meeting's retour folder as the Retour page stores it."""
    return fill(blank_forms[(dossier, professional)], values, folders.returns / f"{dossier}_{professional}.xlsx")


def merged(client: TestClient, **data) -> str:
    """Return the meeting's page after a merge job has finished (with its result)."""
    response = post(client, f"/plannen/{DAY}/samenvoegen", data)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    job = finished(client, location.rsplit("taak=", 1)[1])
    assert job.state == "klaar", job.text
    return client.get(location).text


def test_the_plans_page_needs_a_register_first(tmp_path):
    client = signed_in(config_for(tmp_path))
    response = client.get("/plannen")
    assert response.status_code == 409
    assert "Kies eerst het register" in response.text


def test_the_plans_page_lists_the_meetings_and_goes_to_the_chosen_one(client):
    page = client.get("/plannen")
    assert "1 december 2026 (2 huishoudens)" in page.text
    chosen = client.get(f"/plannen?datum={DAY}")
    assert str(chosen.url).endswith(f"/plannen/{DAY}")
    assert "Samenvoegen" in chosen.text and chosen.text.count("nog geen plan") == 2


def test_merging_needs_the_csrf_value(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    response = client.post(f"/plannen/{DAY}/samenvoegen", follow_redirects=False)
    assert response.status_code == 403
    assert not folders.plans.exists()


def test_without_returned_forms_the_merge_says_where_to_put_them(client, folders):
    page = merged(client)
    assert "Er zijn nog geen teruggestuurde formulieren voor dit overleg" in page
    assert not folders.plans.exists()


def test_the_merge_writes_versions_records_history_and_logs_each_plan(client, config, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    page = merged(client)
    result = tables_of(page)[f"Samengevoegd in {folders.plans}"]
    assert result[1][:2] == ["2026-101", "Gezin Pietersen"]
    assert re.fullmatch(r"versie 1 \(kenmerk [\w-]+\), \d+ open punt(en)?", result[1][2])
    assert result[2][:2] == ["2026-102", "Gezin Öztürk"]
    assert result[2][2].startswith("geen formulieren ontvangen")
    assert '<a href="/plannen/2026-12-01/2026-101">' in page
    history = History(default_path(config.register))
    (plan,) = history.plans("2026-101")
    assert history.no_forms("2026-102") == [MEETING]
    (record,) = history.disclosures("2026-101")
    assert (record.disclosure.kind, record.disclosure.recipient, record.disclosure.command) == (
        "veiligheidsplan", "secretariaat", "formkit app")
    assert record.disclosure.fingerprint == plan.fingerprint()
    assert record.disclosure.address == str(meeting_dir(folders.plans, "2026-101", MEETING) / "v1")
    assert history.disclosures("2026-102") == []
    overview = client.get(f"/plannen/{DAY}").text
    assert tables_of(overview)["Per huishouden de nieuwste versie van het plan"][1][2] == "1"


def test_a_hostile_file_among_the_returns_gets_its_finding(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    (folders.returns / "kapot.xlsx").write_bytes(b"PK\x03\x04 dit is geen werkmap")
    page = merged(client)
    findings = tables_of(page)["Bevindingen"]
    assert any(row[1] == "kapot.xlsx" and row[0] == "fout" for row in findings[1:])
    assert "versie 1" in page  # the bad file stops nothing else


def test_the_plan_page_shows_what_the_word_document_says(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    put_back(blank_forms, folders, {**COMPLETE, "beoordeling_cijfer": 4,
                                    "beoordeling_toelichting": "De oppas is er nog niet."}, professional="P2")
    merged(client)
    page = client.get(f"/plannen/{DAY}/2026-101")
    assert page.status_code == 200
    assert "<h1>Plan dossier 2026-101</h1>" in page.text
    shown = tables_of(page.text)
    docx = meeting_dir(folders.plans, "2026-101", MEETING) / "v1" / "veiligheidsplan_2026-101_2026-12-01_v1.docx"
    top3 = docx_table(docx, ["Nr.", "Slachtoffer", "Situatie", "Punten", "Door"])
    assert top3 and shown["TOP-3"][1:] == top3
    assert "Tim wordt sinds oktober" in top3[0][2]
    people = docx_table(docx, ["Letter", "Naam", "Organisatie", "Functie", "Eigen dossiernummer"])
    assert shown["Deelnemers"][1:] == people
    assert [r[1] for r in people] == ["Kim Verhoef", "Rob Claassen"]
    scores = docx_table(docx, ["Deelnemer", "Cijfer", "Toelichting", "Hoger als", "Niet lager omdat"])
    page_scores = shown["Veiligheidsbeoordeling"][1:]
    assert [r[1:] for r in page_scores] == [r[1:] for r in scores]
    assert sorted(r[1] for r in page_scores) == ["4", "5"]
    assert [r[0] for r in page_scores] == ["Kim Verhoef (Wijkteam West)", "Rob Claassen (Politie)"]
    text = " ".join(p.text for p in Document(str(docx)).paragraphs)
    kenmerk = re.search(r"Kenmerk: ([\w-]+)", text)
    assert kenmerk and f"<code>{kenmerk.group(1)}</code>" in page.text
    # who said what: each professional's own inputs, with the file they came from
    assert "Inbreng van Kim Verhoef (Wijkteam West)" in shown
    said = shown["Inbreng van Rob Claassen (Politie)"]
    assert any(r[1] == "De oppas is er nog niet." and r[2].startswith("2026-101_P2.xlsx") for r in said)


def test_a_second_merge_with_a_changed_form_lists_both_versions_and_what_changed(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    put_back(blank_forms, folders, {**COMPLETE, "beoordeling_cijfer": 7})
    page = merged(client)
    assert "versie 2" in page
    plan = client.get(f"/plannen/{DAY}/2026-101").text
    versions = tables_of(plan)["Versies van het plan, nieuwste eerst"]
    assert [r[0] for r in versions[1:]] == ["Versie 2", "Versie 1"]
    assert "Cijfer van Kim Verhoef: 5 → 7." in versions[1][2]
    assert "Eerste versie van het plan voor dit casusoverleg." in versions[2][2]
    assert [r[1] for r in tables_of(plan)["Veiligheidsbeoordeling"][1:]] == ["7"]
    older = client.get(f"/plannen/{DAY}/2026-101?versie=1").text
    assert "U bekijkt een oudere versie (1) van dit plan." in older
    assert [r[1] for r in tables_of(older)["Veiligheidsbeoordeling"][1:]] == ["5"]
    assert "Versie 9 van dit plan bestaat niet of is beschadigd." in client.get(f"/plannen/{DAY}/2026-101?versie=9").text


def test_downloads_serve_exactly_the_versions_files_under_their_own_names(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    put_back(blank_forms, folders, {**COMPLETE, "beoordeling_cijfer": 7})
    merged(client)
    folder = meeting_dir(folders.plans, "2026-101", MEETING)
    for number in (1, 2):
        for kind in ("docx", "xlsx"):
            name = f"veiligheidsplan_2026-101_2026-12-01_v{number}.{kind}"
            response = client.get(f"/plannen/{DAY}/2026-101/v{number}/{kind}")
            assert response.status_code == 200
            assert response.content == (folder / f"v{number}" / name).read_bytes()
            assert f'filename="{name}"' in response.headers["content-disposition"]
    missing = client.get(f"/plannen/{DAY}/2026-101/v2/pdf")
    assert missing.status_code == 404
    assert "nog geen PDF" in missing.text
    assert client.get(f"/plannen/{DAY}/2026-101/v3/docx").status_code == 404
    assert client.get(f"/plannen/{DAY}/2026-101/v1/json").status_code == 404
    plan = client.get(f"/plannen/{DAY}/2026-101").text
    assert "PDF maken" in plan


def test_a_pdf_is_made_by_the_archive_step_and_then_served(client, folders, blank_forms, libreoffice_convert):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    response = post(client, f"/plannen/{DAY}/2026-101/v1/pdf")
    assert response.status_code == 303
    location = response.headers["location"]
    job = finished(client, location.rsplit("taak=", 1)[1])
    assert job.state == "klaar", job.text
    assert "PDF downloaden" in client.get(location).text
    pdf = client.get(f"/plannen/{DAY}/2026-101/v1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="veiligheidsplan_2026-101_2026-12-01_v1.pdf"' in pdf.headers["content-disposition"]


def test_without_libreoffice_the_pdf_says_it_cannot(client, folders, blank_forms, monkeypatch):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    monkeypatch.setenv("PATH", str(folders.root))  # no soffice on this PATH
    monkeypatch.setattr("shutil.which", lambda *a, **k: None)
    response = post(client, f"/plannen/{DAY}/2026-101/v1/pdf")
    job = finished(client, response.headers["location"].rsplit("taak=", 1)[1])
    assert job.state == "mislukt"
    assert "LibreOffice" in client.get(response.headers["location"]).text


def test_one_households_plan_never_shows_on_anothers_page(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    put_back(blank_forms, folders, OTHER, dossier="2026-102", professional="P3")
    merged(client)
    mine = client.get(f"/plannen/{DAY}/2026-101").text
    theirs = client.get(f"/plannen/{DAY}/2026-102").text
    for text in ("Geheim van Öztürk", "Toelichting van Iris", "Iris Lammers", "Gezin Öztürk"):
        assert text not in mine
        assert text in theirs or text == "Gezin Öztürk"
    assert "Tim wordt sinds oktober" not in theirs and "Kim Verhoef" not in theirs
    docx = client.get(f"/plannen/{DAY}/2026-101/v1/docx")
    assert "Öztürk" not in " ".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)


def test_an_address_that_names_no_household_of_the_meeting_reaches_none(client, folders, blank_forms):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    for part in ("2026-10", "2026-101%2F..", "onbekend", "2026-101 ", "2026-101%20", "_3226-101"):
        response = client.get(f"/plannen/{DAY}/{part}")
        assert response.status_code == 404, part
        assert "Tim wordt sinds oktober" not in response.text
    for part in ("..", "%2e%2e", "2026-101/..", "./2026-102"):  # dot segments: the address is another page, no plan
        assert "Tim wordt sinds oktober" not in client.get(f"/plannen/{DAY}/{part}").text, part
    assert client.get("/plannen/2026-12-02/2026-101").status_code == 404
    assert client.get("/plannen/geen-datum/2026-101").status_code == 404


ODD = ("2026/101 ..", "ü ..")


@pytest.fixture
def odd_register(tmp_path) -> Path:
    """A register whose dossier ids hold a slash, dots, spaces and unicode."""
    reg = make_register()
    first, second = ODD
    rename = {"2026-101": first, "2026-102": second}
    for part in ("households", "members", "involvements", "meeting_items"):
        setattr(reg, part, [replace(item, dossier=rename[item.dossier]) for item in getattr(reg, part)])
    path = tmp_path / "vreemd" / "register.xlsx"
    path.parent.mkdir()
    write_register(reg, path)
    return path


def test_odd_dossier_ids_route_to_their_own_plan_only(tmp_path, odd_register):
    config = config_for(tmp_path, odd_register)
    client = signed_in(config)
    folders = MeetingFolders(config.folder, MEETING)
    loaded = client.app.state.formkit.loaded  # type: ignore[attr-defined]
    blank = {(j.dossier, j.professional): j.path
             for j in write_forms(loaded.register, MEETING, tmp_path / "leeg-vreemd").written}
    fill(blank[(ODD[0], "P1")], COMPLETE, folders.returns / "eerste.xlsx")
    fill(blank[(ODD[1], "P3")], OTHER, folders.returns / "tweede.xlsx")
    page = merged(client)
    for dossier in ODD:
        assert f'href="/plannen/{DAY}/{id_part(dossier)}"' in page
    first = client.get(f"/plannen/{DAY}/{id_part(ODD[0])}")
    second = client.get(f"/plannen/{DAY}/{id_part(ODD[1])}")
    assert first.status_code == second.status_code == 200
    assert "Tim wordt sinds oktober" in first.text and "Geheim van Öztürk" not in first.text
    assert "Geheim van Öztürk" in second.text and "Tim wordt sinds oktober" not in second.text
    download = client.get(f"/plannen/{DAY}/{id_part(ODD[0])}/v1/docx")
    assert download.status_code == 200
    assert f'filename="veiligheidsplan_{id_part(ODD[0])}_2026-12-01_v1.docx"' in download.headers["content-disposition"]
    for raw in ("2026/101 ..", "2026%2F101%20..", "%C3%BC%20..", "ü .."):
        assert client.get(f"/plannen/{DAY}/{raw}").status_code == 404, raw


def test_a_plan_file_outside_the_meeting_folder_is_never_served(client, folders, blank_forms, tmp_path):
    put_back(blank_forms, folders, COMPLETE)
    merged(client)
    version = meeting_dir(folders.plans, "2026-101", MEETING) / "v1"
    elsewhere = tmp_path / "elders.xlsx"
    elsewhere.write_bytes(b"geheim van elders")
    target = version / "veiligheidsplan_2026-101_2026-12-01_v1.xlsx"
    target.unlink()
    target.symlink_to(elsewhere)
    response = client.get(f"/plannen/{DAY}/2026-101/v1/xlsx")
    assert response.status_code == 404
    assert b"geheim van elders" not in response.content


# --- in a real browser, by keyboard only ----------------------------------------------------


def test_by_keyboard_the_merge_the_plan_page_and_its_download_work_and_pass_axe(new_page, live_app, app_config,
                                                                                 blank_forms, tmp_path):
    from playwright.sync_api import expect

    from .conftest import axe_violations, describe_violations, page_errors
    from .secretary import Hands, go, pick_meeting_on, run_job

    folders = MeetingFolders(app_config.folder, MEETING)
    put_back(blank_forms, folders, COMPLETE)
    put_back(blank_forms, folders, OTHER, dossier="2026-102", professional="P3")
    page = new_page(with_axe=True)
    hands = Hands(keyboard=True)
    go(page, live_app.base, "plannen")
    pick_meeting_on(page, "plannen", MEETING, hands)
    assert "versie 1" in run_job(page, "Samenvoegen", hands) + page.locator(".taak .uitkomst").inner_text()
    assert not axe_violations(page), describe_violations(axe_violations(page))
    hands.activate(page, page.get_by_role("link", name="2026-101", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan dossier 2026-101")
    expect(page.get_by_role("table", name="TOP-3")).to_contain_text("Tim wordt sinds oktober")
    assert "Öztürk" not in page.content()
    assert not axe_violations(page), describe_violations(axe_violations(page))
    name = "veiligheidsplan_2026-101_2026-12-01_v1.docx"
    with page.expect_download() as info:
        hands.activate(page, page.get_by_role("link", name=name))
    assert info.value.suggested_filename == name
    info.value.save_as(tmp_path / name)
    version = meeting_dir(folders.plans, "2026-101", MEETING) / "v1"
    assert (tmp_path / name).read_bytes() == (version / name).read_bytes()
    page.goto(f"{live_app.base}/voortgang?op=2026-12-02")
    assert not axe_violations(page), describe_violations(axe_violations(page))
    hands.activate(page, page.get_by_role("link", name="2026-101", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang dossier 2026-101")
    expect(page.get_by_role("img", name="Veiligheidscijfers van dossier 2026-101")).to_be_visible()
    expect(page.get_by_role("table", name="Cijfers per overleg")).to_contain_text("01-12-2026")
    assert not axe_violations(page), describe_violations(axe_violations(page))
    assert page_errors(page) == []


def test_with_archive_copies_and_no_libreoffice_the_plans_stay_written_and_the_pdf_is_a_finding(
        client, config, folders, blank_forms, monkeypatch):
    put_back(blank_forms, folders, COMPLETE)
    monkeypatch.setattr("shutil.which", lambda *a, **k: None)  # LibreOffice is not installed
    html = unescape(merged(client, archief="ja"))  # the job ends as done: the plans were written
    assert "de archiefkopie (PDF/A) van versie 1 van het plan van dossier 2026-101 kon niet worden gemaakt" in html
    assert "LibreOffice (soffice) is niet gevonden" in html
    assert (meeting_dir(folders.plans, "2026-101", MEETING) / "v1").is_dir()  # the plan itself is there
    assert len(History(default_path(config.register)).plans("2026-101")) == 1  # and recorded
    assert "Gezin Pietersen" in unescape(client.get(f"/plannen/{DAY}").text)  # and shown as written
