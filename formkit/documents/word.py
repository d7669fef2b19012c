"""Word documents: the TOP-3 meeting form and the veiligheidsplan, rendered with docxtpl.

Values pass :func:`formkit.core.text.visible`: control characters that XML forbids or
docxtpl would turn into page breaks, and bidi overrides, become visible markers.
Rendered values are never rendered again, so ``{{ x }}`` typed by a user stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..core import dates, dutch
from ..core.findings import Code, Finding, finding
from ..core.parallel import one_by_one, run_chunks
from ..core.paths import id_part
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..core.templates import TOP3, template_path
from ..core.text import person_label, visible
from ..plan.model import CONSENSUS_NO, CONSENSUS_YES, Plan, Said, consensus_words
from ..register.model import Register
from ..sheets.forms import select_dossiers
from ..sheets.schema import build_schema, row_label
from .rendering import render_docx

# --- values -----------------------------------------------------------------------------


def text(value) -> str:
    """Return a value as clean text for a document: dates in Dutch, unsafe characters visible (never dropped)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (dt.date, dt.datetime)):
        return dutch.long_date(value)
    if isinstance(value, (int, float)):
        return dutch.number(value)
    return visible(str(value), multiline=True)


def regisseur_text(professional) -> str:
    """Return how documents name the regisseur: name and organisation, or that none is set."""
    if professional is None:
        return "nog niet vastgesteld"
    return text(person_label(professional.name, professional.organisation))


def _rows(items: Iterable[dict]) -> list[dict]:
    return [{k: text(v) for k, v in item.items()} for item in items]


# --- contexts ---------------------------------------------------------------------------


def top3_context(register: Register, dossier: str, meeting: dt.date,
                 settings: MethodSettings = DEFAULT_SETTINGS) -> dict:
    """Return what the TOP-3 form of one household shows, as template variables."""
    schema = build_schema(settings)
    household = register.household(dossier)
    members = register.members_of(dossier)
    # an involvement of an unknown professional is the register check's finding; the form leaves it out
    involved = [(p, i) for i in register.involvements_of(dossier) if (p := register.professional(i.professional))]
    regisseur = register.regisseur_of(dossier)
    return {
        "huishouden": text(household.name if household else dossier),
        "dossier": text(dossier),
        "overleg": text(meeting),
        "fase": text(household.phase if household else None) or "onbekend",
        "regisseur": regisseur_text(regisseur),
        "gezinsleden": _rows({"naam": m.name, "rol": m.role, "geboortejaar": m.birth_year} for m in members),
        "professionals": _rows({"naam": p.name, "organisatie": p.organisation, "functie": p.function,
                                "dossiernummer": i.file_number} for p, i in involved),
        "deelnemers": _rows([{"naam": p.name, "rol": p.organisation} for p, _ in involved]
                            + [{"naam": m.name, "rol": m.role or "gezinslid"} for m in members]),
        "rijen_situaties": [row_label(schema.section("situatie"), i) for i in range(1, settings.situation_rows + 1)],
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


def show_value(value: str) -> str:
    """Return a plan value for reading: ISO dates in Dutch, everything else as written."""
    day = dutch.as_date(value) if isinstance(value, str) else None
    return dutch.long_date(day) if day else text(value)


def mark(index: int) -> str:
    """Return the short mark of the participant at `index` (0-based): A, B, ..., Z, AA, AB, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def participant_marks(participants) -> dict[str, str]:
    """Return each participant's short mark by their code, in the order the plan lists them."""
    return {p.code: mark(i) for i, p in enumerate(participants)}


def _who(source, marks: dict[str, str] | None) -> str:
    """Return a source as its mark when it has one, else as name (organisation)."""
    return marks.get(source.professional, source.label) if marks else source.label


def wordings(said: list[Said], marks: dict[str, str] | None = None) -> str:
    """Return every wording with its authors (marks when given): once if all used the same words, else one a line."""
    by_text: dict[str, list[str]] = {}
    for s in said:
        by_text.setdefault(s.value, []).append(_who(s.source, marks))
    if len(by_text) == 1:
        return show_value(next(iter(by_text)))
    joined = mark_list if marks else (lambda who: "; ".join(dict.fromkeys(who)))
    return "\n".join(f"“{show_value(t)}” ({joined(who)})" for t, who in by_text.items())


def mark_list(marks: Iterable[str]) -> str:
    """Return marks each once in the participants' order, three or more in a row as a range: ``A–C, E``."""
    ordered = _in_mark_order(marks)
    groups: list[list[str]] = []
    for m in ordered:
        if groups and _is_mark(m) and _is_mark(groups[-1][-1]) and _mark_index(m) == _mark_index(groups[-1][-1]) + 1:
            groups[-1].append(m)
        else:
            groups.append([m])
    return ", ".join(f"{g[0]}–{g[-1]}" if len(g) >= 3 else ", ".join(g) for g in groups)


def _is_mark(value: str) -> bool:
    return value.isascii() and value.isalpha() and value.isupper()


def _mark_index(value: str) -> int:
    """Return the 0-based index a mark stands for (the inverse of :func:`mark`)."""
    index = 0
    for letter in value:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _in_mark_order(marks: Iterable[str]) -> list[str]:
    """Return marks each once, in the participants' order (A, B, ..., Z, AA); names after marks."""
    return sorted(dict.fromkeys(marks), key=lambda m: (not _is_mark(m), len(m), m))


def authors(said: Iterable[Said], marks: dict[str, str] | None = None) -> str:
    """Return who said something, each once, in order: marks ("A, C") when given, else names."""
    if marks:
        return mark_list(_who(s.source, marks) for s in said)
    return "; ".join(dict.fromkeys(s.source.label for s in said))


def score_summary(summary) -> dict[str, str]:
    """Return the lowest, median and highest score in Dutch ("–" when there is none), consensus and reason."""
    def shown(value) -> str:
        return dutch.number(value) if value is not None else dutch.NOTHING

    lowest, median, highest = shown(summary.lowest), shown(summary.median), shown(summary.highest)
    verdict = consensus_words(summary)  # "ja", "geen consensus" or "nog niet vast te stellen"
    return {"laagste": lowest, "mediaan": median, "hoogste": highest,
            "tekst": f"laagste {lowest} · mediaan {median} · hoogste {highest}",
            "consensus": verdict, "reden": text(summary.reason),
            "oordeel": "ja" if verdict == CONSENSUS_YES else ": ".join(
                x for x in ("nee" if verdict == CONSENSUS_NO else verdict, text(summary.reason)) if x)}


def plan_context(plan: Plan) -> dict:
    """Return what the veiligheidsplan shows, as template variables."""
    from ..plan.merge import SAME_WORDS, TOP_RULE, consensus_rule

    marks = participant_marks(plan.participants)
    said = partial(wordings, marks=marks)
    by = partial(authors, marks=marks)

    def extra(item) -> dict[str, str]:
        """Return the fields the merge has no rule for (item.extra), by field key, each wording with its authors."""
        return {key: said(values) for key, values in item.extra.items()}

    def offence(s) -> str:
        return "ja" if s.suspected_offence else ("nee" if s.offence else "")
    situations = [{
        **extra(s),
        "slachtoffer": s.victim, "omschrijving": said(s.descriptions), "datum": said(s.dates),
        "strafbaar": offence(s), "strafbaar_feit": offence(s), "punten": s.points,
        "door": authors(s.descriptions), "tekens": by(s.descriptions),
    } for s in plan.situations]
    top = [{"nr": i, **situations[index]} for i, index in enumerate(plan.top, start=1)]

    def merged(items) -> list[dict]:
        return _rows({"tekst": show_value(m.value), "door": authors(m.said), "tekens": by(m.said)} for m in items)

    return {
        "huishouden": text(plan.household),
        "dossier": text(plan.dossier),
        "versie": str(plan.version),
        "datum": text(plan.meeting),
        "overleg": text(plan.meeting),
        "fase": text(plan.phase) or "onbekend",
        "kenmerk": plan.fingerprint(),
        "vorige": plan.previous or "–",
        "regisseur": regisseur_text(plan.regisseur),
        "regel_top": TOP_RULE,
        "regel_woorden": SAME_WORDS,
        "regel_consensus": consensus_rule(plan.consensus_spread, plan.direct_safety_score),
        "deelnemers": _rows({"teken": marks[p.code], "naam": p.name, "organisatie": p.organisation,
                             "functie": p.function, "dossiernummer": p.file_number} for p in plan.participants),
        "top3": _rows(top),
        "situaties": _rows(situations),
        "cijfers": _rows({"door": sc.source.label, "tekens": _who(sc.source, marks),
                          "deelnemer": _name_and_mark(sc.source, marks),
                          "cijfer": dutch.number(sc.score) if sc.score is not None else sc.shown,
                          "toelichting": sc.explanation, "hoger": sc.higher, "lager": sc.lower} for sc in plan.scores),
        "samenvatting": score_summary(plan.summary),
        "gezinscijfers": _rows({**extra(m), "gezinslid": m.member, "cijfer": m.score, "toelichting": m.explanation,
                                "via": m.source.label, "tekens": _who(m.source, marks)} for m in plan.member_scores),
        "voorwaarden": _rows({**extra(c), "nr": i, "voorwaarde": said(c.texts),
                              "termijn": show_value(c.deadline) if c.deadline else said(c.deadlines),
                              "termijnen": said(c.deadlines) if c.conflicting_deadlines else "",
                              "eigenaar": "; ".join(dict.fromkeys(o.value for o in c.owners)),
                              "door": authors(c.texts), "tekens": by(c.texts)}
                             for i, c in enumerate(plan.conditions, start=1)),
        "afspraken": _rows({**extra(a), "wie": said(a.who), "wat": said(a.what),
                            "wanneer": show_value(a.deadline) if a.deadline else said(a.deadlines),
                            "door": authors(a.what), "tekens": by(a.what)} for a in plan.agreements),
        "voorgestelde_regisseurs": _rows({"tekst": _participant_label(plan, m.value), "door": authors(m.said),
                                          "tekens": by(m.said)} for m in plan.proposed_regisseurs),
        "toetsmomenten": merged(plan.checks),
        "veilig_thuis": merged(plan.veilig_thuis),
        "consequenties": merged(plan.consequences),
        "risicofactoren": _rows({**extra(r), "factor": said(r.texts), "beinvloedbaar": said(r.influenceable),
                                 "beschermend": said(r.protective), "door": authors(r.texts), "tekens": by(r.texts)}
                                for r in plan.risk_factors),
        "herstelbehoeften": _rows({**extra(n), "gezinslid": n.member, "domein": n.domain, "behoefte": said(n.texts),
                                   "door": authors(n.texts), "tekens": by(n.texts)} for n in plan.recovery_needs),
        "sterke_punten": merged(plan.strengths),
        "open_punten": [text(p) for p in plan.open_points],
        "wijzigingen": [text(c) for c in plan.changes],
        "bijlage": _rows({"bestand": e.file, "professional": e.professional, "reden": e.reason}
                         for e in plan.excluded),
        "verzendlijst": _rows({"organisatie": p.organisation, "dossiernummer": p.file_number or "–", "naam": p.name}
                              for p in plan.participants),
        "aantal_inbreng": str(len(plan.inputs)),
    }


def _name_and_mark(source, marks: dict[str, str]) -> str:
    """Return a participant as the plan's tables name them: name and mark, "Eva Mulder (A)"."""
    return f"{source.name} ({marks[source.professional]})" if source.professional in marks else source.label


def _participant_label(plan: Plan, code: str) -> str:
    p = next((p for p in plan.participants if p.code == code), None)
    return person_label(p.name, p.organisation) if p else code


@dataclass
class DocsResult:
    """What writing the TOP-3 forms of a meeting did."""

    dossiers: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def top3_path(out_dir: Path, dossier: str, meeting: dt.date) -> Path:
    """Return where the TOP-3 form of a household goes; no personal names in the name."""
    d = id_part(dossier)
    return Path(out_dir) / d / f"top3_{d}_{meeting.isoformat()}.docx"


def write_top3_forms(
    register: Register, meeting: dt.date, out_dir: Path, *, dossiers: Iterable[str] = (), force: bool = False,
    templates_dir: Path | None = None, settings: MethodSettings = DEFAULT_SETTINGS,
    progress: Callable[[Iterable], Iterable] = lambda items: items, jobs: int = 1,
) -> DocsResult:
    """Write the TOP-3 form of every household of a meeting (or the chosen ones), over `jobs` processes."""
    template = template_path(TOP3, templates_dir)
    selected = select_dossiers(register, meeting, dossiers)
    result = DocsResult(dossiers=selected)
    work = []
    for dossier in selected:
        if register.household(dossier) is None:
            continue  # the register check reports the unknown dossier
        target = top3_path(out_dir, dossier, meeting)
        if target.exists() and not force:
            result.existing.append(target)
        else:
            work.append((dossier, target))

    def contexts(chunk: list) -> list:  # made as each chunk is handed out, not all at once
        return [(d, t, top3_context(register, d, meeting, settings)) for d, t in chunk]

    for dossier, target, problem in run_chunks(partial(_render_chunk, template), work, jobs, progress,
                                               prepare=contexts):
        if problem is None:
            result.written.append(target)
        else:
            result.findings.append(finding(Code.output_unwritable, target=target, reason=problem, dossier=dossier))
    return result


def _render_chunk(template: Path, chunk: list) -> list:
    """Render a chunk of documents; runs in a worker process. Returns (dossier, target, problem or None)."""
    done: list[tuple[str, Path, str | None]] = []
    for dossier, target, context in one_by_one(chunk):
        try:
            render_docx(template, context, target)
        except OSError as e:
            done.append((dossier, target, e.strerror or str(e)))
            continue
        done.append((dossier, target, None))
    return done
