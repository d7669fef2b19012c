"""The veiligheidsplan as an Excel workbook: one sheet per part, every value as text, never a formula."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core import dutch
from ..plan.model import Plan
from ..sheets.schema import Schema, build_schema
from ..xlsx import Workbook
from ..xlsx.tables import PORTRAIT_WIDTH, Column, write_table
from ..xlsx.workbook import save_atomic
from .rendering import render_docx
from .word import plan_context

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The smallest print scale of the sheet Inbreng, every input with its source: an appendix of
#: hundreds of rows reads better a little smaller than with every cell wrapped over lines.
APPENDIX_SCALE = 0.7
#: Fields that name a file or a cell: their columns keep their width, a name is not broken over lines.
IDENTIFIERS = frozenset({"file", "field"})
#: Fields whose column is left out of a sheet when no row has a value in it.
OPTIONAL = frozenset({"termijnen"})



@dataclass(frozen=True)
class Fields:
    """In a sheet's columns: a column per field of a table section of the schema, in the plan's order.

    The heading is the field's plan heading (FieldDef.plan_heading) unless `headings` says
    otherwise, the value the context's under the field key; `after` adds columns after a field.
    """

    section: str
    headings: dict[str, str] = field(default_factory=dict)
    after: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def columns(self, schema: Schema) -> list[tuple[str, str | None]]:
        """Return (column title, context key) for every field of the section, with the added columns."""
        found: list[tuple[str, str | None]] = []
        for f in schema.section(self.section).plan_fields:
            found.append((self.headings.get(f.key, f.plan_heading), f.key))
            found += self.after.get(f.key, [])
        return found


#: (sheet, context key, [(column title, field) or Fields(section), ...]); None as key means the context itself.
#: Who named an item shows as the participants' letters (sheet Deelnemers); the sheet
#: Inbreng and plan.json keep every input with its full source.
SHEETS: tuple[tuple[str, str | None, list[tuple[str, str | None] | Fields]], ...] = (
    ("Plan", None, [("Onderdeel", "onderdeel"), ("Waarde", "waarde")]),
    ("Wijzigingen", "wijzigingen", [("Wijziging", None)]),
    ("Deelnemers", "deelnemers", [("Letter", "teken"), ("Naam", "naam"), ("Organisatie", "organisatie"),
                                  ("Functie", "functie"),
                                  ("Eigen dossiernummer", "dossiernummer")]),
    ("TOP-3", "top3", [("Nr.", "nr"), ("Slachtoffer", "slachtoffer"), ("Situatie", "omschrijving"),
                       ("Punten", "punten"), ("Ingebracht door", "tekens")]),
    ("Onveilige situaties", "situaties", [Fields("situatie", headings={"strafbaar_feit": "Strafbaar feit"}),
                                          ("Punten", "punten"), ("Ingebracht door", "tekens")]),
    ("Veiligheidsbeoordeling", "cijfers", [("Deelnemer", "door"), ("Cijfer", "cijfer"), ("Toelichting", "toelichting"),
                                           ("Hoger als", "hoger"), ("Niet lager omdat", "lager")]),
    ("Cijfers gezinsleden", "gezinscijfers", [Fields("gezinsscore"), ("Doorgegeven door", "via")]),
    ("Voorwaarden", "voorwaarden", [("Nr.", "nr"), Fields("voorwaarde", after={"termijn": [("Alle termijnen",
                                                                                            "termijnen")]}),
                                    ("Ingebracht door", "tekens")]),
    ("Afspraken", "afspraken", [Fields("afspraak"), ("Ingebracht door", "tekens")]),
    ("Toetsmomenten", "toetsmomenten", [("Datum", "tekst"), ("Voorgesteld door", "tekens")]),
    ("Veilig Thuis", "veilig_thuis", [("Afspraak", "tekst"), ("Ingebracht door", "tekens")]),
    ("Consequenties", "consequenties", [("Consequentie", "tekst"), ("Ingebracht door", "tekens")]),
    ("Risicofactoren", "risicofactoren", [Fields("risicofactor"), ("Ingebracht door", "tekens")]),
    ("Herstelbehoeften", "herstelbehoeften", [Fields("herstel"), ("Ingebracht door", "tekens")]),
    ("Wat gaat goed", "sterke_punten", [("Omschrijving", "tekst"), ("Ingebracht door", "tekens")]),
    ("Open punten", "open_punten", [("Open punt", None)]),
    ("Verzendlijst", "verzendlijst", [("Organisatie", "organisatie"), ("Eigen dossiernummer", "dossiernummer"),
                                      ("Contactpersoon", "naam")]),
    ("Bijlage", "bijlage", [("Bestand", "bestand"), ("Professional", "professional"), ("Reden", "reden")]),
)


def write_plan_documents(plan: Plan, docx: Path, xlsx: Path, template: Path, schema: Schema | None = None) -> None:
    """Write a plan version's Word document (from `template`) and workbook, both from one plan_context.

    `schema` is the score sheet's (default: formkit's own); the workbook's columns follow it.
    """
    context = plan_context(plan)
    render_docx(template, context, docx)
    write_plan_workbook(plan, xlsx, schema, context=context)


def write_plan_workbook(plan: Plan, path: Path, schema: Schema | None = None, *, context: dict | None = None) -> None:
    """Write the plan as a workbook with a sheet per part and a sheet with every input and its source.

    Pass the `context` (plan_context(plan)) when the caller has it already, so it is made once.
    """
    context = context if context is not None else plan_context(plan)
    schema = schema or build_schema()
    document = f"Veiligheidsplan dossier {plan.dossier} versie {plan.version}"
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    for title, key, spec in SHEETS:
        rows = _overview(context) if key is None else context[key]
        columns = [c for part in spec for c in (part.columns(schema) if isinstance(part, Fields) else [part])]
        _sheet(wb, title, columns, [r if isinstance(r, dict) else {None: r} for r in rows], document)
    _sheet(wb, "Inbreng", [("Professional", "professional"), ("Bestand", "file"), ("Cel", "cell"),
                           ("Veld", "label"), ("Naam", "field"), ("Waarde", "value")],
           [vars(i) for i in plan.inputs], document, min_scale=APPENDIX_SCALE)
    wb.properties.title = document
    wb.properties.creator = "formkit"
    save_atomic(wb, path)


def _overview(context: dict) -> list[dict]:
    s = context["samenvatting"]
    return [{"onderdeel": k, "waarde": v} for k, v in (
        ("Huishouden", context["huishouden"]), ("Dossier", context["dossier"]), ("Versie", context["versie"]),
        ("Casusoverleg", context["overleg"]), ("Fase", context["fase"]), ("Regisseur", context["regisseur"]),
        ("Kenmerk", context["kenmerk"]), ("Vorige versie", context["vorige"]),
        ("Cijfers laagste – mediaan – hoogste", f"{s['laagste']} – {s['mediaan']} – {s['hoogste']}"),
        ("Consensus", f"{s['consensus']}: {s['reden']}" if s["reden"] else s["consensus"]),
        ("Regel TOP-3", context["regel_top"]), ("Regel samenvoegen", context["regel_woorden"]),
        ("Regel consensus", context["regel_consensus"]))]


def _sheet(wb: Workbook, title: str, columns: list[tuple[str, str | None]], rows: list[dict],
           document: str, min_scale: float = 1.0) -> None:
    """Add a sheet with one table: the columns' titles and, per row, the values of their fields as text."""
    ws = wb.create_sheet(title)
    columns = [(h, key) for h, key in columns if key not in OPTIONAL or any(row.get(key) for row in rows)]
    single = len(columns) == 1
    spec = [Column(heading, max_width=PORTRAIT_WIDTH if single else 50, narrow=key not in IDENTIFIERS)
            for heading, key in columns]
    write_table(ws, spec, [[_shown(row.get(key, "")) for _, key in columns] for row in rows], document=document,
                min_scale=min_scale)


def _shown(value) -> str:
    """Return a value as the plan shows it: dates (also ISO text) as dd-mm-jjjj, numbers the Dutch way."""
    if isinstance(value, (dt.date, dt.datetime)) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return dutch.short_date(value)
    return dutch.number(value)
