"""Where the templates are: the defaults shipped with formkit, or an organisation's own."""

from __future__ import annotations

from pathlib import Path

from .errors import TemplateError

SCORE_SHEET = Path("xlsx") / "scoreformulier.xlsx"
TOP3 = Path("docx") / "top3.docx"
PLAN = Path("docx") / "veiligheidsplan.docx"
REPORT = Path("docx") / "controlerapport.docx"
AGENDA = Path("docx") / "agenda.docx"
OVERVIEW = Path("docx") / "overzicht.docx"
#: Every template formkit renders, in the order a check reports them.
TEMPLATE_FILES = (SCORE_SHEET, TOP3, PLAN, REPORT, AGENDA, OVERVIEW)

#: Variables a template must use, with what the reader would miss without them.
REQUIRED = {
    TOP3: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer",
           "overleg": "de datum van het casusoverleg", "gezinsleden": "de gezinsleden",
           "professionals": "de betrokken professionals", "regisseur": "de regisseur"},
    PLAN: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer", "versie": "de versie",
           "datum": "de datum van het plan", "kenmerk": "het kenmerk", "deelnemers": "de deelnemers",
           "top3": "de voorgestelde gezamenlijke TOP-3", "situaties": "de onveilige situaties",
           "cijfers": "de veiligheidsbeoordeling", "samenvatting": "de samenvatting van de cijfers",
           "voorwaarden": "de veiligheidsvoorwaarden", "afspraken": "de veiligheidsafspraken",
           "regisseur": "de regisseur", "toetsmomenten": "de toetsmomenten", "veilig_thuis": "wanneer Veilig Thuis "
           "wordt geïnformeerd", "consequenties": "de consequenties", "open_punten": "de open punten",
           "wijzigingen": "de wijzigingen sinds de vorige versie", "bijlage": "de niet meegenomen formulieren",
           "verzendlijst": "de verzendlijst"},
    REPORT: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer",
             "overleg": "de datum van het casusoverleg", "bevindingen": "de bevindingen",
             "fouten": "het aantal fouten", "ontbrekend": "de formulieren die niet zijn ontvangen"},
    AGENDA: {"overleg": "de datum van het casusoverleg", "voor": "voor wie het pakket is", "agenda": "de agenda"},
    OVERVIEW: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer", "cijfers": "de cijfers",
               "verloop": "het cijferverloop over de overleggen", "signalen": "de signalen",
               "open_punten": "de open punten", "bevindingen": "de open bevindingen"},
}

_PACKAGE = Path(__file__).resolve().parent.parent  # formkit/


def default_templates_dir() -> Path:
    """Return the folder with formkit's default templates (in a wheel or a checkout)."""
    for candidate in (_PACKAGE / "_data" / "templates", _PACKAGE.parent / "templates"):
        if (candidate / SCORE_SHEET).is_file():
            return candidate
    raise TemplateError("de standaardsjablonen van formkit zijn niet gevonden; installeer formkit opnieuw")


def template_path(relative: Path, templates_dir: Path | None = None) -> Path:
    """Return the path of one template, from `templates_dir` or else from the defaults."""
    base = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    path = base / relative
    if not path.is_file():
        raise TemplateError(f"sjabloon {relative.as_posix()} ontbreekt in de map {base}")
    return path


def samples_dir() -> Path:
    """Return the folder with the bundled fictional samples."""
    for candidate in (_PACKAGE / "_data" / "samples", _PACKAGE.parent / "samples"):
        if (candidate / "register.xlsx").is_file():
            return candidate
    raise TemplateError("de voorbeeldbestanden van formkit zijn niet gevonden; installeer formkit opnieuw")
