"""The veiligheidsplan as an Excel workbook: one sheet per part, every value as text, never a formula."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .documents import plan_context
from .plan import Plan
from .xlsx import save_atomic, set_text

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")

#: (sheet, context key, [(column title, field), ...]); None as key means the context itself.
SHEETS = (
    ("Plan", None, [("Onderdeel", "onderdeel"), ("Waarde", "waarde")]),
    ("Wijzigingen", "wijzigingen", [("Wijziging", None)]),
    ("Deelnemers", "deelnemers", [("Naam", "naam"), ("Organisatie", "organisatie"), ("Functie", "functie"),
                                  ("Eigen dossiernummer", "dossiernummer")]),
    ("TOP-3", "top3", [("Nr.", "nr"), ("Slachtoffer", "slachtoffer"), ("Situatie", "omschrijving"),
                       ("Punten", "punten"), ("Ingebracht door", "door")]),
    ("Onveilige situaties", "situaties", [("Slachtoffer", "slachtoffer"), ("Situatie", "omschrijving"),
                                          ("Datum", "datum"), ("Strafbaar feit", "strafbaar"), ("Punten", "punten"),
                                          ("Ingebracht door", "door")]),
    ("Veiligheidsbeoordeling", "cijfers", [("Deelnemer", "door"), ("Cijfer", "cijfer"), ("Toelichting", "toelichting"),
                                           ("Hoger als", "hoger"), ("Niet lager omdat", "lager")]),
    ("Cijfers gezinsleden", "gezinscijfers", [("Gezinslid", "gezinslid"), ("Cijfer", "cijfer"),
                                              ("Toelichting", "toelichting"), ("Doorgegeven door", "via")]),
    ("Voorwaarden", "voorwaarden", [("Nr.", "nr"), ("Voorwaarde", "voorwaarde"), ("Termijn", "termijn"),
                                    ("Alle termijnen", "termijnen"), ("Eigenaar", "eigenaar"),
                                    ("Ingebracht door", "door")]),
    ("Afspraken", "afspraken", [("Wie", "wie"), ("Wat", "wat"), ("Uiterlijk", "wanneer"), ("Ingebracht door", "door")]),
    ("Toetsmomenten", "toetsmomenten", [("Datum", "tekst"), ("Voorgesteld door", "door")]),
    ("Veilig Thuis", "veilig_thuis", [("Afspraak", "tekst"), ("Ingebracht door", "door")]),
    ("Consequenties", "consequenties", [("Consequentie", "tekst"), ("Ingebracht door", "door")]),
    ("Risicofactoren", "risicofactoren", [("Risicofactor", "factor"), ("Beïnvloedbaar", "beinvloedbaar"),
                                          ("Beschermende factoren", "beschermend"), ("Ingebracht door", "door")]),
    ("Herstelbehoeften", "herstelbehoeften", [("Gezinslid", "gezinslid"), ("Domein", "domein"),
                                              ("Behoefte", "behoefte"), ("Ingebracht door", "door")]),
    ("Wat gaat goed", "sterke_punten", [("Omschrijving", "tekst"), ("Ingebracht door", "door")]),
    ("Open punten", "open_punten", [("Open punt", None)]),
    ("Verzendlijst", "verzendlijst", [("Organisatie", "organisatie"), ("Eigen dossiernummer", "dossiernummer"),
                                      ("Contactpersoon", "naam")]),
    ("Bijlage", "bijlage", [("Bestand", "bestand"), ("Professional", "professional"), ("Reden", "reden")]),
)


def write_plan_workbook(plan: Plan, path: Path) -> None:
    """Write the plan as a workbook with a sheet per part and a sheet with every input and its source."""
    context = plan_context(plan)
    wb = Workbook()
    wb.remove(wb.active)
    for title, key, columns in SHEETS:
        rows = _overview(context) if key is None else context[key]
        _sheet(wb, title, columns, [r if isinstance(r, dict) else {None: r} for r in rows])
    _sheet(wb, "Inbreng", [("Professional", "professional"), ("Bestand", "file"), ("Cel", "cell"),
                           ("Veld", "label"), ("Naam", "field"), ("Waarde", "value")],
           [vars(i) for i in plan.inputs])
    wb.properties.title = f"Veiligheidsplan dossier {plan.dossier} versie {plan.version}"
    wb.properties.creator = "formkit"
    save_atomic(wb, path)


def _overview(context: dict) -> list[dict]:
    s = context["samenvatting"]
    return [{"onderdeel": k, "waarde": v} for k, v in (
        ("Huishouden", context["huishouden"]), ("Dossier", context["dossier"]), ("Versie", context["versie"]),
        ("Casusoverleg", context["overleg"]), ("Fase", context["fase"]), ("Regisseur", context["regisseur"]),
        ("Kenmerk", context["kenmerk"]), ("Vorige versie", context["vorige"]),
        ("Cijfers laagste / mediaan / hoogste", f"{s['laagste']} / {s['mediaan']} / {s['hoogste']}"),
        ("Consensus", f"{s['consensus']} {s['reden']}".strip()),
        ("Regel TOP-3", context["regel_top"]), ("Regel samenvoegen", context["regel_woorden"]),
        ("Regel consensus", context["regel_consensus"]))]


def _sheet(wb: Workbook, title: str, columns: list[tuple[str, str | None]], rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    for col, (heading, _) in enumerate(columns, start=1):
        cell = ws.cell(1, col, heading)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = 60 if len(columns) <= 2 and col == 1 else 28
    for r, row in enumerate(rows, start=2):
        for col, (_, key) in enumerate(columns, start=1):
            cell = ws.cell(r, col)
            set_text(cell, str(row.get(key, "")))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
