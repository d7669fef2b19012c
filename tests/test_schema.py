import json
import re

import pytest
from click.testing import CliRunner

from formkit.cli.main import main
from formkit.core.errors import SettingsError
from formkit.core.settings import DEFAULT_SETTINGS, MethodSettings, load_settings
from formkit.sheets.schema import FieldType, build_schema

CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$")


def test_defined_names_are_unique_and_valid_excel_names():
    schema = build_schema()
    names = [c.name for c in schema.inputs] + [h.name for h in schema.header]
    assert len(names) == len(set(names))
    for name in names:
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_.]*$", name), name
        assert not CELL_LIKE.match(name), f"{name} lijkt op een celverwijzing"


def test_cells_do_not_overlap():
    schema = build_schema()
    cells = [c.cell for c in schema.inputs] + [h.cell for h in schema.header]
    assert len(cells) == len(set(cells))


def test_content_of_the_method_is_in_the_schema():
    schema = build_schema()
    names = set(schema.inputs_by_name)
    s = DEFAULT_SETTINGS
    # TOP-3 plus 3 more situations, each with victim, description, date or year, offence
    for i in range(1, s.top_n + s.extra_situations + 1):
        for key in ("slachtoffer", "omschrijving", "datum", "strafbaar_feit"):
            assert f"situatie_{i}_{key}" in names
    assert f"situatie_{s.top_n + s.extra_situations + 1}_slachtoffer" not in names
    assert {"beoordeling_cijfer", "beoordeling_toelichting", "beoordeling_hoger", "beoordeling_lager"} <= names
    assert {f"voorwaarde_{i}_termijn" for i in range(1, 6)} <= names
    assert "voorwaarde_6_termijn" not in names
    assert {"regie_regisseur", "regie_toetsmoment", "regie_veilig_thuis", "regie_consequenties"} <= names
    assert {"risicofactor_1_beinvloedbaar", "herstel_1_domein", "sterk_1_omschrijving",
            "gezinsscore_1_cijfer", "afspraak_1_wanneer"} <= names
    assert schema.input("situatie_1_slachtoffer").field.type is FieldType.MEMBER
    assert schema.input("regie_regisseur").field.type is FieldType.PROFESSIONAL
    assert schema.input("voorwaarde_1_termijn").field.type is FieldType.TERM


def test_required_rules():
    schema = build_schema()
    assert schema.input("beoordeling_toelichting").required
    assert not schema.input("beoordeling_hoger").required
    assert schema.input("situatie_1_omschrijving").required  # at least one situation
    assert not schema.input("situatie_2_omschrijving").required
    assert schema.input("situatie_2_omschrijving").required_if_row_used
    assert not schema.input("gezinsscore_1_cijfer").required  # member scores are optional


def test_settings_drive_the_repeat_counts_and_choices():
    schema = build_schema(MethodSettings(max_conditions=3, condition_rows=3, score_max=7, stable_safety_score=7,
                                         extra_situations=0))
    names = set(schema.inputs_by_name)
    assert "voorwaarde_3_voorwaarde" in names and "voorwaarde_4_voorwaarde" not in names
    assert "situatie_3_slachtoffer" in names and "situatie_4_slachtoffer" not in names
    assert schema.choices(FieldType.SCORE) == tuple(range(0, 8))
    # a lower limit keeps the rows on the sheet: forms already sent out still read whole
    assert "voorwaarde_5_voorwaarde" in build_schema(MethodSettings(max_conditions=3)).inputs_by_name


@pytest.mark.parametrize("kwargs", [dict(max_conditions=0), dict(score_min=10, score_max=5),
                                    dict(direct_safety_score=11), dict(top_n="3")])
def test_invalid_settings_are_refused(kwargs):
    with pytest.raises(SettingsError):
        MethodSettings(**kwargs)


def test_settings_from_toml(tmp_path):
    path = tmp_path / "instellingen.toml"
    path.write_text("[methode]\nmax_conditions = 4\n", encoding="utf-8")
    assert load_settings(path) == MethodSettings(max_conditions=4)
    path.write_text("[methode]\nmax_voorwaarden = 4\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="onbekende instelling"):
        load_settings(path)


def test_schema_command_prints_every_input_field():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    fields = {f["naam"]: f for f in data["invoervelden"]}
    assert len(fields) == len(build_schema().inputs)
    cijfer = fields["beoordeling_cijfer"]
    assert cijfer["blad"] == "Scoreformulier"
    assert cijfer["cel"] == build_schema().input("beoordeling_cijfer").cell
    assert cijfer["type"] == "cijfer" and cijfer["verplicht"] is True
    assert cijfer["keuzes"] == list(range(0, 11))
    assert fields["situatie_1_strafbaar_feit"]["keuzes"] == ["ja", "nee"]
    assert "lijst_gezinsleden" in fields["situatie_1_slachtoffer"]["keuzes"]
    assert data["instellingen"]["max_termijn_maanden"] == 3


def test_schema_command_uses_settings_file(tmp_path):
    path = tmp_path / "instellingen.toml"
    path.write_text("max_conditions = 4\ncondition_rows = 4\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--instellingen", str(path), "schema"])
    assert result.exit_code == 0, result.output
    names = {f["naam"] for f in json.loads(result.output)["invoervelden"]}
    assert "voorwaarde_4_termijn" in names and "voorwaarde_5_termijn" not in names
