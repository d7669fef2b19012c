"""The register workbook's layout: its sheets and their columns, for reading and writing it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- the sheets and their columns ------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a register sheet: its key, Dutch header, kind of value and help."""

    key: str
    header: str
    kind: str  # text | id | code | date | year | phase | email | time
    required: bool = False  # the value must be filled in every row
    help: str = ""
    width: int = 18


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the register and its columns."""

    name: str
    columns: tuple[Column, ...]
    help: str
    optional_columns: tuple[Column, ...] = ()


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Huishoudens",
        (
            Column("dossier", "dossier", "id", True, "Uniek dossiernummer, bijvoorbeeld 2026-014.", 14),
            Column("naam", "naam", "text", True, "Naam van het huishouden, bijvoorbeeld Gezin Bakker.", 26),
            Column("startdatum", "startdatum", "date", True, "Datum waarop het gezamenlijke plan startte (dd-mm-jjjj).", 14),
            Column("fase", "fase", "phase", True, "Fase 1 tot en met 5 van gefaseerd samenwerken aan veiligheid.", 8),
            Column("regisseur", "regisseur", "code", False, "Code van de professional die de regie heeft.", 14),
        ),
        "Eén rij per huishouden.",
        optional_columns=(
            Column("afsluitdatum", "afsluitdatum", "date", False,
                   "Datum waarop het huishouden is afgesloten (dd-mm-jjjj); leeg zolang het loopt. "
                   "'formkit purge' ruimt de bestanden van afgesloten huishoudens op.", 14),
        ),
    ),
    SheetSpec(
        "Gezinsleden",
        (
            Column("dossier", "dossier", "code", True, "Dossiernummer van het huishouden.", 14),
            Column("naam", "naam", "text", True, "Voornaam (en achternaam) van het gezinslid.", 24),
            Column("geboortejaar", "geboortejaar", "year", False, "Geboortejaar, bijvoorbeeld 2015.", 14),
            Column("rol", "rol", "text", False, "Bijvoorbeeld moeder, vader, kind, partner.", 16),
        ),
        "Eén rij per gezinslid.",
    ),
    SheetSpec(
        "Professionals",
        (
            Column("code", "code", "id", True, "Unieke korte code, bijvoorbeeld WT01.", 10),
            Column("naam", "naam", "text", True, "Naam van de professional.", 24),
            Column("organisatie", "organisatie", "text", True, "Organisatie, bijvoorbeeld Veilig Thuis.", 28),
            Column("functie", "functie", "text", False, "Functie, bijvoorbeeld gezinsvoogd.", 22),
            Column("email", "email", "email", False, "E-mailadres; verplicht voor een regisseur.", 32),
        ),
        "Eén rij per professional.",
    ),
    SheetSpec(
        "Betrokkenheid",
        (
            Column("dossier", "dossier", "code", True, "Dossiernummer van het huishouden.", 14),
            Column("professional", "professional", "code", True, "Code van de betrokken professional.", 14),
        ),
        "Eén rij per professional per huishouden.",
        optional_columns=(
            Column("dossiernummer", "dossiernummer", "text", False, "Het eigen dossiernummer van die organisatie (mag leeg).", 18),
        ),
    ),
    SheetSpec(
        "Overleggen",
        (
            Column("datum", "datum", "date", True, "Datum van het casusoverleg (dd-mm-jjjj).", 14),
            Column("dossier", "dossier", "code", True, "Dossiernummer van een huishouden dat besproken wordt.", 14),
        ),
        "Eén rij per huishouden per casusoverleg.",
        optional_columns=(
            Column("tijd", "tijd", "time", False, "Tijdstip van de bespreking, bijvoorbeeld 09:30 (mag leeg).", 10),
        ),
    ),
)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}

EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[A-Za-z]{2,}$")
MIN_BIRTH_YEAR = 1900


def normalise(text) -> str:
    """Return a header or sheet name in the form it is matched on: lower case, no spaces."""
    return "".join(str(text).split()).lower()
