"""Word documents: the TOP-3 meeting form and the veiligheidsplan, rendered with docxtpl.

Rendering is safe for users' values: Jinja's autoescaping is on (docxtpl's default is
off), the environment is sandboxed, undefined variables are errors instead of blanks,
and values are cleaned of control characters that XML forbids or docxtpl would turn
into page breaks. Rendered values are never rendered again, so ``{{ x }}`` typed by a
user stays text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from . import dates
from .atomic import write_atomic
from .errors import TemplateError
from .findings import Finding, finding
from .forms import safe_part, select_dossiers
from .plan import Item, Plan, Source
from .register import Register
from .schema import Schema, build_schema, row_label
from .settings import DEFAULT_SETTINGS, MethodSettings
from .templates import template_path

TOP3 = Path("docx") / "top3.docx"
PLAN = Path("docx") / "veiligheidsplan.docx"
REPORT = Path("docx") / "controlerapport.docx"

#: Variables a template must use, with what the reader would miss without them.
REQUIRED = {
    TOP3: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer",
           "overleg": "de datum van het casusoverleg", "gezinsleden": "de gezinsleden",
           "professionals": "de betrokken professionals", "regisseur": "de regisseur"},
    PLAN: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer", "versie": "de versie",
           "datum": "de datum van het plan", "kenmerk": "het kenmerk", "deelnemers": "de deelnemers",
           "situaties": "de onveilige situaties", "cijfers": "de veiligheidsbeoordeling",
           "voorwaarden": "de veiligheidsvoorwaarden", "afspraken": "de veiligheidsafspraken",
           "regisseur": "de regisseur", "verzendlijst": "de verzendlijst"},
    REPORT: {"huishouden": "de naam van het huishouden", "dossier": "het dossiernummer",
             "overleg": "de datum van het casusoverleg", "bevindingen": "de bevindingen",
             "fouten": "het aantal fouten", "ontbrekend": "de formulieren die niet zijn ontvangen"},
}

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n


# --- values -----------------------------------------------------------------------------


def text(value) -> str:
    """Return a value as clean text for a document: dates in Dutch, no control characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return dates.format_dutch(value)
    return _FORBIDDEN.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def regisseur_text(professional) -> str:
    """Return how documents name the regisseur: name and organisation, or that none is set."""
    if professional is None:
        return "nog niet vastgesteld"
    return text(f"{professional.name} ({professional.organisation})" if professional.organisation
                else professional.name)


def _rows(items: Iterable[dict]) -> list[dict]:
    return [{k: text(v) for k, v in item.items()} for item in items]


# --- contexts ---------------------------------------------------------------------------


def top3_context(register: Register, dossier: str, meeting: dt.date,
                 settings: MethodSettings = DEFAULT_SETTINGS) -> dict:
    """Return what the TOP-3 form of one household shows, as template variables."""
    schema = build_schema(settings)
    household = register.household(dossier)
    members = register.members_of(dossier)
    involvements = register.involvements_of(dossier)
    professionals = [register.professional(i.professional) for i in involvements]
    regisseur = register.regisseur_of(dossier)
    sections = {s.key: s for s in schema.sections}
    return {
        "huishouden": text(household.name),
        "dossier": text(dossier),
        "overleg": text(meeting),
        "fase": text(household.phase) or "onbekend",
        "regisseur": regisseur_text(regisseur),
        "gezinsleden": _rows({"naam": m.name, "rol": m.role, "geboortejaar": m.birth_year} for m in members),
        "professionals": _rows({"naam": p.name, "organisatie": p.organisation, "functie": p.function,
                                "dossiernummer": i.file_number} for p, i in zip(professionals, involvements)),
        "deelnemers": _rows([{"naam": p.name, "rol": p.organisation} for p in professionals]
                            + [{"naam": m.name, "rol": m.role or "gezinslid"} for m in members]),
        "rijen_situaties": [row_label(sections["situatie"], i) for i in range(1, settings.situation_rows + 1)],
        "rijen_voorwaarden": [str(i) for i in range(1, settings.max_conditions + 1)],  # the meeting's limit
        "rijen_afspraken": [str(i) for i in range(1, settings.agreement_rows + 1)],
        "rijen_toetsmomenten": ["1", "2", "3"],
        "schaal_min": str(settings.score_min),
        "schaal_max": str(settings.score_max),
        "directe_veiligheid": str(settings.direct_safety_score),
        "stabiele_veiligheid": str(settings.stable_safety_score),
        "max_voorwaarden": str(settings.max_conditions),
        "max_termijn_maanden": str(settings.max_term_months),
        "uiterste_termijn": text(dates.add_months(meeting, settings.max_term_months)),
    }


def _by(sources: tuple[Source, ...]) -> str:
    return "; ".join(f"{s.name} ({s.organisation})" if s.organisation else s.name for s in sources)


def _part(plan: Plan, key: str) -> list[Item]:
    return plan.parts.get(key, [])


def plan_context(plan: Plan) -> dict:
    """Return what the veiligheidsplan shows, as template variables."""
    regisseur = plan.regisseur
    cijfers = [{"door": _by(i.sources), **{k: i.fields.get(k) for k in ("cijfer", "toelichting", "hoger", "lager")}}
               for i in _part(plan, "beoordeling")]
    cijfers += [{"door": f"{i.fields.get('gezinslid', 'gezinslid')} (gezinslid, via {_by(i.sources)})",
                 "cijfer": i.fields.get("cijfer"), "toelichting": i.fields.get("toelichting"),
                 "hoger": None, "lager": None} for i in _part(plan, "gezinsscore")]

    def statements(key: str) -> list[dict]:
        return _rows({"tekst": i.fields[key], "door": _by(i.sources)} for i in _part(plan, "regie") if key in i.fields)

    def items(part: str, keys: tuple[str, ...]) -> list[dict]:
        return _rows({**{k: i.fields.get(k) for k in keys}, "door": _by(i.sources)} for i in _part(plan, part))

    return {
        "huishouden": text(plan.household),
        "dossier": text(plan.dossier),
        "versie": str(plan.version),
        "datum": text(plan.date or plan.meeting),
        "overleg": text(plan.meeting),
        "fase": text(plan.phase) or "onbekend",
        "kenmerk": plan.fingerprint(),
        "regisseur": regisseur_text(regisseur),
        "deelnemers": _rows({"naam": p.name, "organisatie": p.organisation, "functie": p.function,
                             "dossiernummer": p.file_number} for p in plan.participants),
        "situaties": items("situatie", ("slachtoffer", "omschrijving", "datum", "strafbaar_feit")),
        "cijfers": _rows(cijfers),
        "voorwaarden": items("voorwaarde", ("voorwaarde", "termijn", "eigenaar")),
        "afspraken": items("afspraak", ("wie", "wat", "wanneer")),
        "toetsmomenten": statements("toetsmoment"),
        "veilig_thuis": statements("veilig_thuis"),
        "consequenties": statements("consequenties"),
        "risicofactoren": items("risicofactor", ("factor", "beinvloedbaar", "beschermend")),
        "herstelbehoeften": items("herstel", ("gezinslid", "behoefte", "domein")),
        "sterke_punten": _rows({"tekst": i.fields.get("omschrijving"), "door": _by(i.sources)}
                               for i in _part(plan, "sterk")),
        "open_punten": [text(p) for p in plan.open_points],
        "verzendlijst": _rows({"organisatie": p.organisation, "dossiernummer": p.file_number or "–", "naam": p.name}
                              for p in plan.participants),
    }


# --- rendering --------------------------------------------------------------------------


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def _dutch_error(error: jinja2.TemplateError) -> str:
    if isinstance(error, jinja2.UndefinedError):
        m = re.search(r"has no attribute '([^']+)'", str(error)) or re.search(r"'([^']+)' is undefined", str(error))
        return f"onbekend veld '{m.group(1) if m else error}'"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"ongeldige tag ({error.message})"
    return str(error)


def render_docx(template: Path, context: dict, out: Path) -> None:
    """Render a Word template with `context` and save it atomically to `out`."""
    try:
        doc = DocxTemplate(template)
        doc.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateError as e:
        raise TemplateError(f"sjabloon {template.name}: {_dutch_error(e)}") from e
    except Exception as e:  # a damaged .docx
        raise TemplateError(f"sjabloon {template.name} kan niet worden gebruikt ({type(e).__name__})") from e
    write_atomic(Path(out), doc.save)


@dataclass
class DocsResult:
    """What writing the TOP-3 forms of a meeting did."""

    dossiers: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def top3_path(out_dir: Path, dossier: str, meeting: dt.date) -> Path:
    """Return where the TOP-3 form of a household goes; no personal names in the name."""
    d = safe_part(dossier)
    return Path(out_dir) / d / f"top3_{d}_{meeting.isoformat()}.docx"


def write_top3_forms(
    register: Register, meeting: dt.date, out_dir: Path, *, dossiers: Iterable[str] = (), force: bool = False,
    templates_dir: Path | None = None, settings: MethodSettings = DEFAULT_SETTINGS,
    progress: Callable[[Iterable[str]], Iterable[str]] = lambda items: items,
) -> DocsResult:
    """Write the TOP-3 form of every household of a meeting (or the chosen ones)."""
    template = template_path(TOP3, templates_dir)
    selected = select_dossiers(register, meeting, dossiers)
    result = DocsResult(dossiers=selected)
    for dossier in progress([d for d in selected if register.household(d) is not None]):
        target = top3_path(out_dir, dossier, meeting)
        if target.exists() and not force:
            result.existing.append(target)
            continue
        try:
            render_docx(template, top3_context(register, dossier, meeting, settings), target)
        except OSError as e:
            result.findings.append(finding("output_unwritable", target=target, reason=e.strerror or e, dossier=dossier))
            continue
        result.written.append(target)
    return result


def plan_path(out_dir: Path, dossier: str, meeting: dt.date) -> Path:
    """Return where the plan document of a household goes."""
    d = safe_part(dossier)
    return Path(out_dir) / d / f"veiligheidsplan_{d}_{meeting.isoformat()}.docx"


def write_plan_document(plan: Plan, out: Path, templates_dir: Path | None = None) -> Path:
    """Render the veiligheidsplan of `plan` to `out`."""
    render_docx(template_path(PLAN, templates_dir), plan_context(plan), out)
    return out


# --- checking a customised template -----------------------------------------------------

_TAG_OPEN = re.compile(r"\{[{%]")
_LOOKS_LIKE_OPEN = re.compile(r"\{\s*[{%]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>(.*?)</w:t>", re.DOTALL)


def _parts_xml(tpl: DocxTemplate) -> list[str]:
    """Return the body, headers and footers of a template as docxtpl prepares them."""
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return parts


def _split_tags(xml: str) -> list[str]:
    """Return the text of paragraphs with something that looks like a tag but is not one.

    docxtpl mends tags that Word split with formatting or proofing marks alone. What it
    cannot mend is a tag whose braces ended up apart, with invisible characters or a
    space between them: the reader sees ``{{ naam }}``, Jinja sees plain text.
    """
    found = []
    for paragraph in _PARAGRAPH.findall(xml):
        runs = _RUN_TEXT.findall(paragraph)
        visible = _INVISIBLE.sub("", "".join(runs))
        if len(_LOOKS_LIKE_OPEN.findall(visible)) > sum(len(_TAG_OPEN.findall(r)) for r in runs):
            found.append(visible)
    return found


def check_docx_template(path: Path, relative: Path, sample_context: dict) -> list[Finding]:
    """Return what a customised Word template lacks or gets wrong."""
    where = dict(file=relative.as_posix())
    try:
        tpl = DocxTemplate(path)
        parts = _parts_xml(tpl)
    except Exception as e:
        return [finding("template_unreadable", reason=type(e).__name__, **where)]
    found = [finding("template_split_tag", context=_snippet(t), **where) for xml in parts for t in _split_tags(xml)]
    env = _environment()
    used: set[str] = set()
    for xml in parts:
        try:
            used |= meta.find_undeclared_variables(env.parse(xml))
        except jinja2.TemplateSyntaxError as e:
            found.append(finding("template_syntax", reason=e.message, context=_snippet(_line_text(xml, e.lineno)),
                                 **where))
    if any(f.code == "template_syntax" for f in found):
        return found
    known = set(sample_context)
    for name in sorted(used - known):
        close = difflib.get_close_matches(name, known, n=1)
        found.append(finding("template_unknown_variable", name=name,
                             suggestion=f" (bedoelt u '{close[0]}'?)" if close else "", **where))
    for name, label in REQUIRED[relative].items():
        if name not in used:
            found.append(finding("template_required_missing", name=name, label=label, **where))
    if not found:
        try:
            DocxTemplate(path).render(sample_context, jinja_env=_environment(), autoescape=True)
        except jinja2.TemplateError as e:
            found.append(finding("template_render_error", reason=_dutch_error(e), **where))
    return found


def _line_text(xml: str, lineno: int | None) -> str:
    lines = xml.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    return "".join(_RUN_TEXT.findall(lines[lineno - 1]))


def _snippet(value: str, limit: int = 60) -> str:
    value = re.sub(r"<[^>]+>", "", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
