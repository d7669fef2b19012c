"""Writes a register workbook: empty for `formkit register new`, or filled from dataclasses.

The sheets and columns come from :data:`formkit.register.model.SHEETS`, the same
definition the reader uses, so what `register new` writes `register check` reads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core import dates
from ..core.dutch import XLSX_DATE
from ..xlsx import Alignment, DataValidation, Font, Workbook
from ..xlsx.tables import PORTRAIT_WIDTH, fit_row_heights, page_setup, write_table
from ..xlsx.tables import Column as TableColumn
from ..xlsx.workbook import save_atomic, short_title
from .layout import SHEETS, Column, SheetSpec
from .model import Register

MAX_ROWS = 2000  # rows covered by the register's dropdowns and validations

DOCUMENT = "Register casusoverleg (formkit)"

INSTRUCTIONS = (
    "Register voor gefaseerd samenwerken aan veiligheid (formkit)",
    "",
    "Dit register houdt het secretariaat van het casusoverleg bij. formkit maakt er per",
    "casusoverleg de scoreformulieren, het TOP-3 formulier en het veiligheidsplan mee.",
    "",
    "Bladen:",
    "• Huishoudens – één rij per huishouden: dossier (uniek), naam, startdatum, fase (1-5) en",
    "  de code van de regisseur (een van de betrokken professionals, met e-mailadres); de",
    "  afsluitdatum zodra het huishouden is afgesloten (leeg zolang het loopt).",
    "• Gezinsleden – één rij per gezinslid: dossier, naam, geboortejaar en rol.",
    "• Professionals – één rij per professional: code (uniek), naam, organisatie, functie, e-mail.",
    "• Betrokkenheid – welke professional bij welk huishouden betrokken is, met het eigen",
    "  dossiernummer van die organisatie (mag leeg).",
    "• Overleggen – per casusoverleg (datum) de huishoudens die besproken worden; een tijd mag.",
    "",
    "Regels:",
    "• Houd de kopregels aan; de volgorde van de kolommen en hoofdletters maken niet uit.",
    "• Datums als echte datum of als dd-mm-jjjj.",
    "• Controleer het register met:  formkit register check register.xlsx",
    "",
    "Het register bevat persoonsgegevens: bewaar het alleen op een beveiligde plek (AVG).",
)


def new_register(path: Path | str) -> None:
    """Write an empty register with its sheets, dropdowns and an instructions sheet."""
    write_register(Register(), path)


def write_register(register: Register, path: Path | str) -> None:
    """Write a register workbook holding the records of `register`."""
    wb = Workbook()
    info = wb.active
    info.title = "Uitleg"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(i, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = PORTRAIT_WIDTH  # never wider than the printed page: LibreOffice would cut it
    fit_row_heights(info, 1, len(INSTRUCTIONS), [PORTRAIT_WIDTH])
    info.row_dimensions[1].height = 21
    page_setup(info, document=DOCUMENT)

    rows = _rows(register)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        columns = spec.columns + spec.optional_columns
        write_table(ws, [TableColumn(c.header, width=c.width, number_format=XLSX_DATE if c.kind == "date" else None)
                         for c in columns], rows[spec.name], document=DOCUMENT, empty=None)
        _add_validations(ws, spec)
    save_atomic(wb, Path(path))


def _rows(register: Register) -> dict[str, list[tuple]]:
    return {
        "Huishoudens": [(h.dossier, h.name, h.start_date, h.phase, h.regisseur, h.closing_date)
                        for h in register.households],
        "Gezinsleden": [(m.dossier, m.name, m.birth_year, m.role) for m in register.members],
        "Professionals": [(p.code, p.name, p.organisation, p.function, p.email) for p in register.professionals],
        "Betrokkenheid": [(i.dossier, i.professional, i.file_number) for i in register.involvements],
        "Overleggen": [(m.date, m.dossier, m.time) for m in register.meeting_items],
    }


def _column_range(spec: SheetSpec, key: str) -> str:
    columns = spec.columns + spec.optional_columns
    index = next(i for i, c in enumerate(columns, start=1) if c.key == key)
    letter = chr(ord("A") + index - 1)
    return f"{letter}2:{letter}{MAX_ROWS}"


def _add_validations(ws, spec: SheetSpec) -> None:
    for column in spec.columns + spec.optional_columns:
        dv = _validation(spec, column)
        if dv is None:
            continue
        dv.promptTitle = short_title(column.header)
        dv.prompt = column.help[:255]
        dv.showInputMessage = True
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(_column_range(spec, column.key))


def _validation(spec: SheetSpec, column: Column) -> DataValidation | None:
    households = f"Huishoudens!$A$2:$A${MAX_ROWS}"
    professionals = f"Professionals!$A$2:$A${MAX_ROWS}"
    if column.kind == "phase":
        return DataValidation(type="list", formula1='"1,2,3,4,5"', errorTitle="Ongeldige fase",
                              error="Kies een fase van 1 tot en met 5.")
    if column.kind == "date":
        low, high = dates.excel_serial(dt.date(2000, 1, 1)), dates.excel_serial(dt.date(2100, 12, 31))
        return DataValidation(type="date", operator="between", formula1=str(low), formula2=str(high),
                              errorTitle="Ongeldige datum", error="Vul een datum in als dd-mm-jjjj.")
    if column.kind == "year":
        return DataValidation(type="whole", operator="between", formula1="1900", formula2="2100",
                              errorTitle="Ongeldig jaar", error="Vul een jaartal in, bijvoorbeeld 2015.")
    if column.kind == "code" and column.key in ("regisseur", "professional"):
        return DataValidation(type="list", formula1=professionals, allow_blank=True,
                              errorTitle="Onbekende professional",
                              error="Kies de code van een professional van het blad Professionals.")
    if column.kind == "code" and column.key == "dossier" and spec.name != "Huishoudens":
        return DataValidation(type="list", formula1=households, errorTitle="Onbekend dossier",
                              error="Kies een dossier van het blad Huishoudens.")
    if column.help:
        return DataValidation(type=None, allow_blank=True)
    return None
