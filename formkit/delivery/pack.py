"""Meeting packs: one PDF per case meeting, and need-to-know packs per recipient.

A pack holds a cover with the agenda, then per household its latest joint plan (if
merged), its TOP-3 form and an overview of scores and open findings. Every document is
converted once, in one LibreOffice run, and reused by every pack that needs it. A
recipient's pack holds only the households that person is registered on: its agenda
lists only those, so no other household's names reach it.

Parts go into a pack as copies without their own page numbers: the pack numbers its
pages once. A plan in a pack that has no archive copy (PDF/A-2b, see
:mod:`formkit.delivery.archive`) gets one beside it, made in the same LibreOffice run.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core import dutch
from ..core.atomic import describe_os_error, unwritable, write_atomic
from ..core.findings import Code, Finding, Severity, finding
from ..core.paths import fixed_part, id_part
from ..core.settings import DEFAULT_SETTINGS, MethodSettings
from ..core.templates import AGENDA, OVERVIEW, TOP3, template_path
from ..core.text import person_label
from ..documents.rendering import render_docx
from ..documents.word import regisseur_text, text, top3_context, top3_path
from ..plan.history import History
from ..plan.model import CONSENSUS_YES, Plan, consensus_words
from ..plan.signals import meeting_of, scores_of, signals_for
from ..plan.versions import StoredPlan, meeting_dir, read_version, version_dir, version_numbers, word_files
from ..register.model import Professional, Register
from ..sheets.forms import select_dossiers
from .archive import ArchivePlan, ArchiveResult, missing_copies, place_copies
from .pdf import DEFAULT_TIMEOUT, Part, Section, assemble, convert_to_pdf, scratch_dir, without_page_numbers
from .summary import DossierSummary, read_summary

PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")
PASSWORD_LENGTH = 24  # about 140 bits
NO_FORMS = "geen formulieren ontvangen"  # what merge says of a household it made no plan for


@dataclass(frozen=True)
class PackFile:
    """One written pack."""

    path: Path
    recipient: Professional | None  # None: the secretariat's full pack
    dossiers: tuple[str, ...]
    pages: int
    password: str | None = None


@dataclass
class PackResult:
    """What building the packs of a meeting did."""

    packs: list[PackFile] = field(default_factory=list)
    not_included: list[str] = field(default_factory=list)  # in words: which part of which household, why
    findings: list[Finding] = field(default_factory=list)  # damaged plans, manifest or history: per household
    passwords: Path | None = None
    conversion_seconds: float = 0.0
    conversion_runs: int = 1
    documents: int = 0
    archive_copies: list[Path] = field(default_factory=list)  # PDF/A copies of plans this run wrote beside them


@dataclass
class HouseholdDocs:
    """The documents of one household in a pack, and its latest plan (as read from its plan.json)."""

    dossier: str
    plan_docx: Path | None
    plan: StoredPlan | None
    top3: Path
    overview: Path
    no_forms: bool = False  # merge made no plan: no form was received for this meeting


def latest_plan(plans_dir: Path | None, dossier: str, meeting: dt.date,
                findings: list[Finding] | None = None) -> tuple[Path | None, StoredPlan | None]:
    """Return the newest intact plan version's Word file and plan of a household, or (None, None).

    A newer version that is damaged (plan.json truncated or missing, no Word file) is
    skipped with a finding in `findings`: the pack shows the newest intact one, or none.
    """
    if plans_dir is None:
        return None, None
    folder = meeting_dir(plans_dir, dossier, meeting)
    skipped: list[tuple[int, Path]] = []
    for number in reversed(version_numbers(folder)):
        latest = version_dir(folder, number)
        plan = read_version(latest)
        docx = next(iter(word_files(latest)), None) if plan is not None else None
        if plan is not None and docx is not None:
            _note_damaged(findings, dossier, skipped, f", maar versie {number}")
            return docx, plan
        skipped.append((number, latest))
    _note_damaged(findings, dossier, skipped, "; het pakket bevat geen plan van dit huishouden")
    return None, None


def _note_damaged(findings: list[Finding] | None, dossier: str, skipped: list[tuple[int, Path]], instead: str) -> None:
    if findings is not None:
        findings += [finding(Code.plan_version_damaged, dossier=dossier, version=number, target=folder, instead=instead)
                     for number, folder in skipped]


def report_entries(reports_dir: Path | None, findings: list[Finding] | None = None) -> dict[str, DossierSummary]:
    """Return the check summary per dossier of a reports folder, empty without a folder or a readable manifest.

    A missing or damaged manifest gives no entries and the finding of
    :func:`~formkit.delivery.summary.read_summary` in `findings` (a warning): the pack goes on.
    """
    if reports_dir is None:
        return {}
    summary, problems = read_summary(reports_dir)
    if findings is not None:
        findings += problems
    return {d.dossier: d for d in summary.dossiers} if summary is not None else {}


def overview_context(register: Register, dossier: str, meeting: dt.date, plan: StoredPlan | None,
                     report: DossierSummary | None, history: Sequence[Plan] = (),
                     settings: MethodSettings = DEFAULT_SETTINGS, no_forms: bool = False) -> dict:
    """Return what a household's overview shows: scores and their history, signals, open points, findings.

    Every number and date is Dutch (:mod:`formkit.core.dutch`): "3 – 3,5 – 5", never "3, 3.5, 5".
    """
    plans = [p for p in history if meeting_of(p) <= meeting]
    household = register.household(dossier)
    summary = plan.plan.summary if plan else None
    if summary is not None and summary.lowest is not None:
        shown = dutch.numbers((summary.lowest, summary.median, summary.highest))
        verdict = consensus_words(summary)
        shown += "" if verdict == CONSENSUS_YES else f"; {verdict}: {summary.reason}".rstrip(": ")
    else:
        shown = "nog geen cijfers"
    return {
        "huishouden": text(household.name if household else dossier),
        "dossier": text(dossier),
        "overleg": text(dutch.long_date(meeting)),
        "plan": (f"versie {plan.plan.version}, kenmerk {plan.fingerprint}" if plan
                 else NO_FORMS if no_forms else "nog niet samengevoegd"),
        "formulieren": (f"{report.received} van de {report.expected} ontvangen" if report
                        else "nog niet gecontroleerd"),
        "samenvatting": shown,
        "cijfers": [{"door": text(s.source.name), "cijfer": text(dutch.number(s.shown)),
                     "toelichting": text(s.explanation)}
                    for s in (plan.plan.scores if plan else [])],
        "verloop": [{"overleg": text(dutch.short_date(meeting_of(p))),
                     "cijfers": text("; ".join(f"{who} {dutch.number(score)}" for _, who, score in scores_of(p))
                                     or "geen cijfers")}
                    for p in plans],
        "signalen": [{"niveau": s.level, "melding": text(s.message)}
                     for s in signals_for(dossier, plans, register, meeting, settings)],
        "open_punten": [text(p) for p in (plan.plan.open_points if plan else [])],
        "bevindingen": [{"ernst": text(b.severity.value), "professional": text(b.professional),
                         "veld": text(b.field), "melding": text(b.message)}
                        for b in (report.findings if report else ())],
    }


def _no_forms_received(dossier: str, meeting: dt.date, report: DossierSummary | None,
                       history: History | None) -> bool:
    """True when merge made no plan for this household because no form was received (history or check report)."""
    if report is not None and report.received == 0:
        return True
    recorded = getattr(history, "no_forms", None)  # the history remembers meetings without forms
    try:
        return recorded is not None and meeting in recorded(dossier)
    except Exception:  # noqa: BLE001 - a damaged history costs only this words, not the pack
        return False


def agenda_context(register: Register, meeting: dt.date, dossiers: list[str], households: dict[str, HouseholdDocs],
                   recipient: Professional | None) -> dict:
    """Return the cover and agenda of a pack with only these households."""
    times = {m.dossier: m.time for m in register.meeting_items if m.date == meeting}
    rows = []
    for d in dossiers:
        h = register.household(d)
        regisseur = register.regisseur_of(d)
        parts = ["TOP-3 formulier", "overzicht"]
        if (plan := households[d].plan) is not None:
            parts.insert(0, f"plan versie {plan.plan.version}")
        elif households[d].no_forms:
            parts.insert(0, f"geen plan ({NO_FORMS})")
        rows.append({
            "tijd": times.get(d) or "", "dossier": d, "huishouden": h.name if h else d,
            "fase": str(h.phase) if h and h.phase else "", "regisseur": regisseur_text(regisseur),
            # the regisseur has a column of its own: the participants are the others, so a row stays short
            "deelnemers": "\n".join(person_label(p.name, p.organisation)
                                    for p in register.professionals_of(d) if regisseur is None or p.code != regisseur.code)
                          or "alleen de regisseur",
            "onderdelen": ", ".join(parts),
        })
    who = f"voor {person_label(recipient.name, recipient.organisation)}" if recipient else "voor het secretariaat"
    return {"overleg": text(dutch.long_date(meeting)), "voor": text(who), "agenda": [{k: text(v) for k, v in r.items()} for r in rows]}


def recipients(register: Register, dossiers: list[str]) -> list[tuple[Professional, list[str]]]:
    """Return every professional on the meeting with the households they are registered on."""
    theirs: dict[int, list[str]] = {}  # by the professional object's identity: one pass over the agenda
    for d in dossiers:
        for p in register.professionals_of(d):
            theirs.setdefault(id(p), []).append(d)
    return [(p, theirs[id(p)]) for p in register.professionals if id(p) in theirs]


PACKS_PER_RECIPIENT = "ontvangers"  # the folder of the per-recipient packs
PACK_KIND = "vergaderpakket"  # the disclosure log's kind of a pack


def pack_path(out_dir: Path, meeting: dt.date, code: str | None = None) -> Path:
    """Return where a meeting's pack goes: the full one (`code` None), or one recipient's under ``ontvangers``."""
    if code is None:
        return Path(out_dir) / f"pakket_{meeting.isoformat()}.pdf"
    return Path(out_dir) / PACKS_PER_RECIPIENT / f"pakket_{meeting.isoformat()}_{id_part(code)}.pdf"


def new_password() -> str:
    """Return a strong random password without look-alike characters."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def build_packs(
    register: Register, meeting: dt.date, out_dir: Path, *, forms_dir: Path | None = None,
    plans_dir: Path | None = None, reports_dir: Path | None = None, per_recipient: bool = False,
    encrypt: bool = False, history: History | None = None, templates_dir: Path | None = None,
    settings: MethodSettings = DEFAULT_SETTINGS,
    timeout: float = DEFAULT_TIMEOUT, progress: Callable[[list], Iterable] = lambda items: items,
    password_list: bool = True,
) -> PackResult:
    """Build the meeting pack (and with `per_recipient` one per professional) as PDF in `out_dir`.

    Encrypted packs carry their passwords in `PackFile.password`; with `password_list` (the
    command's way) they are also written to `wachtwoorden_<date>.txt` beside the packs, without
    it (the app shows them once) nothing holds them on disk.
    """
    dossiers = select_dossiers(register, meeting)
    out_dir = Path(out_dir)
    result = PackResult()
    reports = report_entries(reports_dir, result.findings)
    with scratch_dir() as scratch:
        work = Path(scratch)
        households = {}
        for d in dossiers:
            plan_docx, plan = latest_plan(plans_dir, d, meeting, result.findings)
            top3 = top3_path(forms_dir, d, meeting) if forms_dir else None
            if top3 is None or not top3.is_file():
                top3 = top3_path(work / "top3", d, meeting)
                render_docx(template_path(TOP3, templates_dir), top3_context(register, d, meeting, settings), top3)
            no_forms = plan is None and _no_forms_received(d, meeting, reports.get(d), history)
            overview = work / "overzicht" / f"overzicht_{id_part(d)}.docx"
            render_docx(template_path(OVERVIEW, templates_dir),
                        overview_context(register, d, meeting, plan, reports.get(d),
                                         history.plans(d) if history else (), settings, no_forms), overview)
            households[d] = HouseholdDocs(d, plan_docx, plan, top3, overview, no_forms)
        if history is not None:
            result.findings += [f for f in history.findings if f not in result.findings]
        audiences: list[tuple[Professional | None, list[str]]] = [(None, dossiers)]
        if per_recipient:
            audiences += recipients(register, dossiers)
        agendas = []  # one per audience, in the same order: never looked up by a code a professional could have
        for recipient, theirs in audiences:
            name = id_part(recipient.code) if recipient is not None else fixed_part("secretariaat")
            agendas.append(work / "agenda" / f"agenda_{name}.docx")
            render_docx(template_path(AGENDA, templates_dir),
                        agenda_context(register, meeting, theirs, households, recipient), agendas[-1])
        sources = list(agendas) + [p for h in households.values()
                                   for p in (h.plan_docx, h.top3, h.overview) if p is not None]
        # the pack numbers its pages: its parts are copies without their own page numbers
        copies = {source: without_page_numbers(source, work / "pakketdeel" / f"{i:04d}_{source.name}")
                  for i, source in enumerate(sources)}
        # plans without an archive copy get one (PDF/A-2b) in the same run
        archive = missing_copies(ArchivePlan(d, h.plan.plan.version, h.plan_docx)
                                 for d, h in households.items() if h.plan_docx is not None and h.plan is not None)
        documents = list(copies.values()) + [a.docx for a in archive]
        conversion = convert_to_pdf(documents, work / "pdf", timeout=timeout, archive=bool(archive))
        result.conversion_seconds, result.documents = conversion.seconds, len(documents)
        result.conversion_runs = conversion.runs
        archived = ArchiveResult()
        place_copies(archive, conversion, archived, severity=Severity.WARNING)  # the pack is complete without it
        result.archive_copies, result.findings = list(archived.copies.values()), result.findings + archived.findings

        def part(title: str, source: Path, dossier: str | None) -> Part:
            source = copies[source]
            if source in conversion.pdfs:
                return Part(title, conversion.pdfs[source])
            reason = conversion.failures[source]
            note = f"{title}{f' van dossier {dossier}' if dossier else ''}: {reason}"
            if note not in result.not_included:
                result.not_included.append(note)
            return Part(title, missing=reason)

        sections = {}
        for d, h in households.items():
            household = register.household(d)
            parts = []
            if h.plan_docx is not None and h.plan is not None:
                parts.append(part(f"Veiligheidsplan versie {h.plan.plan.version}", h.plan_docx, d))
            parts += [part("TOP-3 formulier", h.top3, d), part("Overzicht cijfers en bevindingen", h.overview, d)]
            sections[d] = Section(f"{d} {household.name if household else ''}".strip(), parts, label=f"dossier {d}")

        passwords = []
        for (recipient, theirs), agenda in progress(list(zip(audiences, agendas))):
            code = recipient.code if recipient is not None else None
            target = pack_path(out_dir, meeting, code)
            password = new_password() if encrypt else None
            title = f"Casusoverleg {dutch.long_date(meeting)}"
            try:
                pages = assemble(part("Agenda", agenda, None), [sections[d] for d in theirs],
                                 target, title=title + (f" - pakket voor {code}" if recipient is not None else ""),
                                 subject="Vergaderpakket (formkit)", footer=f"Casusoverleg {dutch.long_date(meeting)}",
                                 password=password)
            except OSError as e:  # a full disk costs this pack, not the others
                result.not_included.append(f"Pakket {target}: kon niet worden geschreven ({describe_os_error(e)})")
                continue
            result.packs.append(PackFile(target, recipient, tuple(theirs), pages, password))
            if password:
                passwords.append((target.name, recipient, password))
    if passwords and password_list:
        result.passwords = _write_passwords(out_dir, meeting, passwords)
    return result


def _write_passwords(out_dir: Path, meeting: dt.date, passwords: list) -> Path:
    lines = [f"Wachtwoorden vergaderpakketten casusoverleg {dutch.long_date(meeting)}",
             "Geef elk wachtwoord via een ander kanaal door dan het pakket (bijvoorbeeld telefonisch of per sms).",
             "Bewaar deze lijst niet bij de pakketten en verwijder hem na het overleg.", ""]
    for file, recipient, password in passwords:
        who = person_label(recipient.name, recipient.organisation) if recipient else "secretariaat"
        lines.append(f"{file}\t{who}\t{password}")
    target = Path(out_dir) / f"wachtwoorden_{meeting.isoformat()}.txt"
    data = "\n".join(lines) + "\n"

    # only the secretariat's own account may read the list
    try:
        write_atomic(target, lambda tmp: Path(tmp).write_text(data, encoding="utf-8"), mode=0o600)
    except OSError as e:
        raise unwritable(target, e) from e
    return target
