import datetime as dt

from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.core.dates import add_months
from formkit.core.templates import samples_dir
from formkit.register.load import load
from formkit.sheets.names import read_meta
from formkit.sheets.samples import SAMPLE_MEETING
from formkit.sheets.schema import SHEET, build_schema

SCHEMA = build_schema()


def test_demo_runs_end_to_end(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    forms = sorted((tmp_path / "demo" / "formulieren").rglob("*.xlsx"))
    assert len(forms) == 22  # 6 households on the sample meeting, 2 to 6 professionals each
    assert "22 scoreformulieren voor 6 huishoudens" in result.output
    assert "register_met_fouten.xlsx (met opzet fouten): 2 bevindingen" in result.output
    top3 = sorted((tmp_path / "demo" / "top3").rglob("*.docx"))
    plans = sorted((tmp_path / "demo" / "plannen").rglob("*.docx"))
    assert len(top3) == 6 and len(plans) == 8  # 6 households, 2 of them again at the later meeting
    assert "2026-008 Gezin De Boer: 5 van 6 formulieren, 2 fouten, 5 waarschuwingen" in result.output
    reports = sorted((tmp_path / "demo" / "rapporten").rglob("controlerapport_*"))
    assert len(reports) == 12  # xlsx and docx for each of the 6 households
    assert len(list((tmp_path / "demo" / "postvak-uit").glob("*.eml"))) == 6
    bakker = next(t for t in top3 if "2026-014" in t.name)
    assert "Huishouden: Gezin Bakker" in [p.text for p in Document(bakker).paragraphs]
    packs = tmp_path / "demo" / "pakketten"
    assert (packs / "pakket_2026-12-01.pdf").is_file() and len(list((packs / "ontvangers").glob("*.pdf"))) == 11
    assert "niet opgenomen" not in result.output
    # the later meeting: history, signals and a dashboard with charts
    assert (tmp_path / "demo" / "pakketten" / "pakket_2027-01-12.pdf").is_file()
    assert "Het cijfer van Ingrid Jansen daalde van 3 naar 2" in result.output
    assert "[rood] Directe veiligheid is 3 maanden na het eerste plan (1 december 2026) niet bereikt" in result.output
    dashboard = load_workbook(tmp_path / "demo" / "dashboard_2027-03-02.xlsx")
    assert len(dashboard["Cijferverloop"]._charts) == 7
    assert str((tmp_path / "demo").resolve()) in result.output


def test_sample_register_is_clean_and_realistic():
    result = load(samples_dir() / "register.xlsx")
    assert result.findings == []
    reg = result.register
    assert len(reg.households) >= 6
    assert {h.phase for h in reg.households} >= {1, 2, 3}
    for h in reg.households:
        assert 2 <= len(reg.professionals_of(h.dossier)) <= 6


def test_faulty_sample_register_has_its_errors_in_one_household():
    result = load(samples_dir() / "register_met_fouten.xlsx")
    assert result.findings and all(f.is_error for f in result.findings)
    members = {m.row: m.dossier for m in result.register.members}
    dossiers = {f.dossier or members.get(f.row) for f in result.findings}
    assert dossiers == {"2026-021"}


def test_returned_samples_are_recognised_by_metadata_not_by_name():
    files = sorted((samples_dir() / "retour").glob("*.xlsx"))
    assert len(files) >= 15
    seen = set()
    for f in files:
        props, sheet = read_meta(load_workbook(f))
        assert props == sheet, f.name
        assert props["formkit_meeting"] == SAMPLE_MEETING.isoformat()
        seen.add((props["formkit_dossier"], props["formkit_professional"]))
    assert len(seen) == len(files)
    assert any(not f.name.startswith("scoreformulier_") for f in files)  # a renamed file


def _values(name):
    found = {}
    for f in sorted((samples_dir() / "retour").glob("*.xlsx")):
        wb = load_workbook(f)
        found[f.name] = wb[SHEET][SCHEMA.input(name).cell].value
    return found


def test_returned_samples_carry_the_typical_mistakes():
    situation_dates = _values("situatie_1_datum")
    assert any(isinstance(v, str) for v in situation_dates.values()), "een tekstdatum"
    limit = add_months(SAMPLE_MEETING, 3)
    deadlines = _values("voorwaarde_1_termijn")
    assert any(isinstance(v, dt.datetime) and v.date() > limit for v in deadlines.values()), "termijn > 3 maanden"
    explanations = _values("beoordeling_toelichting")
    assert sum(v is None for v in explanations.values()) == 1, "een ontbrekende toelichting"
    descriptions = _values("situatie_1_omschrijving")
    victims = _values("situatie_1_slachtoffer")
    assert any(not d.startswith(v.split()[0]) for d, v in zip(descriptions.values(), victims.values()))


def test_demo_without_libreoffice_says_what_is_missing_and_finishes(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "overgeslagen: LibreOffice (soffice) is niet gevonden" in result.output and "apt-get install" in result.output
    assert "dashboard met cijferverloop in grafieken" in result.output
