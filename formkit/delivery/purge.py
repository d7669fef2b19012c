"""Retention: the files formkit made for households closed long enough ago, listed and, on request, removed.

A household is closed when the register gives it an ``afsluitdatum``. :func:`closed_households`
picks those closed before the date the secretariat names; when the settings fix a retention
term (``[bewaren] termijn_jaren``), a household must also have been closed that many years as of
today. Both must hold: the term is a floor a date typed on the command line cannot undercut,
and the date lets the secretariat purge less than the term would allow.

:func:`plan_purge` lists, per household, the files formkit made for it, found through each
output's own naming (never by a guess): score sheets and TOP-3 forms
(:func:`~formkit.sheets.forms.form_path`, :func:`~formkit.documents.word.top3_path`), check
reports and their outbox message (:func:`~formkit.delivery.reports.report_stem`), plan versions
(:mod:`formkit.plan.versions`), packs (:func:`~formkit.delivery.pack.pack_path`) and the
messages `formkit send` left in the outbox folders (``postvak-uit``) beside the forms, reports
and plans.

A pack or a message may hold several households: it goes only when every household it holds
is purged in the same run, and otherwise stays and is named in the list. What a pack holds is
read from the disclosure log, never guessed from the register as it is now: `formkit pack`
records each household of each pack with the pack's sha256, so a pack whose bytes the log
knows holds exactly the households recorded with them; a pack the log does not know (made
without the log, or changed since) stays, with a note. A message says which households its
attachments are about in its ``X-Formkit-Dossiers`` header (:mod:`formkit.delivery.send`);
a message without it stays. The reports' manifest (rapporten.json) is rewritten without the
household, not removed: it is the overview of a whole check that `formkit mail` and `formkit
pack` read, and the other households' results in it must stay.

Every path is the household's own: its folder is ``id_part(dossier)`` (distinct for distinct
ids, also when they differ only in case), and a file in it counts only when formkit's naming
gives exactly that path. Links are never followed and never removed. A file marked read-only is
treated as protected: it stays, with a finding (as Windows refuses to remove it too).
:func:`run_purge` removes the files, then the folders left empty, and records each removal in
the disclosure log; the history store (with the log) is never touched. Nothing here raises
for one file: a file that cannot be removed is a finding and the rest goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.dates import add_months
from ..core.findings import Code, Finding, finding
from ..core.messages import plural
from ..core.paths import decode_part, id_part
from ..documents.word import top3_path
from ..plan.history import Disclosure, History, file_fingerprint
from ..plan.versions import meeting_dir, stored, version_dir, version_numbers
from ..register.model import Household, Register
from ..sheets.forms import form_path
from .mail import OUTBOX
from .pack import PACK_KIND, PACKS_PER_RECIPIENT, pack_path, recipients
from .reports import report_stem
from .send import dossier_words, draft_dossiers
from .summary import MANIFEST, CheckSummary, Counts, read_summary, write_manifest

COMMAND = "formkit purge"
REMOVED = "verwijderd"  # the disclosure log's kind of a removal
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHORTENED = re.compile(r"[A-Z0-9_a-f-]*~[0-9a-f]{20}")


@dataclass(frozen=True)
class PurgeFolders:
    """The output folders formkit purge looks in; None: not looked in."""

    forms: Path | None = None
    reports: Path | None = None
    plans: Path | None = None
    packs: Path | None = None


@dataclass(frozen=True)
class PurgeItem:
    """One file or folder of a closed household: what it is (in Dutch) and where."""

    dossier: str
    kind: str  # "scoreformulier", "TOP-3 formulier", "controlerapport", "bericht", "veiligheidsplan",
    #            "vergaderpakket", "overzicht" (the manifest, rewritten), "historie" (its plans in the
    #            history store, removed from it), "map" (removed when left empty)
    path: Path


@dataclass
class HouseholdPurge:
    """What purging one closed household means: its files and folders, and what stays (in Dutch)."""

    household: Household
    items: list[PurgeItem] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


@dataclass
class PurgeResult:
    """What a real purge did: what was removed, what stayed, the findings."""

    removed: list[PurgeItem] = field(default_factory=list)
    left: list[PurgeItem] = field(default_factory=list)  # folders that were not empty
    findings: list[Finding] = field(default_factory=list)


# --- which households ------------------------------------------------------------------


def closed_households(register: Register, before: dt.date, term_years: int | None = None,
                      today: dt.date | None = None) -> list[Household]:
    """Return the households closed before `before` (and, with a term, closed `term_years` years ago), in register order.

    A closing date after `today` is a closing still to come: that household is open.
    """
    today = today or dt.date.today()
    return [h for h in register.households
            if h.closing_date is not None and h.closing_date < before and h.closing_date <= today
            and (term_years is None or add_months(h.closing_date, 12 * term_years) <= today)]


# --- which files -------------------------------------------------------------------------


def plan_purge(register: Register, households: Iterable[Household], folders: PurgeFolders,
               protect: Iterable[Path] = (), history: History | None = None) -> list[HouseholdPurge]:
    """Return per household the files and folders formkit made for it in `folders`; nothing is changed.

    Paths in `protect` (the history store with the disclosure log) are never listed as files;
    the household's plans in `history` are listed as one item, removed from the store, not the store.
    """
    protected = {_real(p) for p in protect}
    households = list(households)
    purged = {h.dossier for h in households}
    summary = read_summary(folders.reports)[0] if folders.reports is not None else None  # read once, not per household
    packs, unknown_pack = _pack_contents(folders.packs, history) if folders.packs is not None else ({}, "")
    drafts = _draft_contents(f for f in (folders.forms, folders.reports, folders.plans) if f is not None)
    plans = []
    for household in households:
        purge = HouseholdPurge(household)
        d = household.dossier
        if folders.forms is not None:
            purge.items += _forms(folders.forms, d, purge.kept)
        if folders.reports is not None:
            purge.items += _reports(folders.reports, d, summary, purge.kept)
        if folders.plans is not None:
            purge.items += _plans(folders.plans, d, purge.kept)
        if folders.packs is not None:
            purge.items += _packs(folders.packs, register, d, packs, purged, purge.kept, unknown_pack)
        purge.items += _drafts(drafts, d, purged, purge.kept)
        purge.items = [i for i in purge.items if _real(i.path) not in protected]
        if history is not None and history.path.is_file() and (history.plans(d) or history.no_forms(d)):
            purge.items.append(PurgeItem(d, "historie", history.path))
        plans.append(purge)
    return plans


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _own_folder(root: Path, dossier: str, kept: list[str]) -> Path | None:
    """Return the household's own folder under `root`, None when there is none or it is a link (said in `kept`)."""
    folder = Path(root) / id_part(dossier)
    if folder.is_symlink():
        kept.append(f"{folder}: een koppeling naar een andere plek; formkit volgt hem niet en laat hem staan.")
        return None
    return folder if folder.is_dir() else None


def _entries(folder: Path, kept: list[str]) -> list[Path]:
    """Return the entries of a folder, sorted; a link among them is left alone (said in `kept`)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.is_symlink():
            kept.append(f"{entry}: een koppeling; formkit volgt hem niet en laat hem staan.")
        else:
            found.append(entry)
    return found


def _forms(root: Path, dossier: str, kept: list[str]) -> list[PurgeItem]:
    """Return the household's score sheets and TOP-3 forms (and their folder) under a forms folder."""
    folder = _own_folder(root, dossier, kept)
    if folder is None:
        return []
    d = id_part(dossier)
    items = []
    for entry in _entries(folder, kept):
        name = entry.name
        if name.startswith(f"scoreformulier_{d}_") and name.endswith(".xlsx"):
            if entry.is_file() and _is_form(root, dossier, entry):
                items.append(PurgeItem(dossier, "scoreformulier", entry))
        elif name.startswith(f"top3_{d}_") and name.endswith(".docx"):
            meeting = _date(name.removesuffix(".docx").removeprefix(f"top3_{d}_"))
            if meeting and entry.is_file() and top3_path(root, dossier, meeting) == entry:
                items.append(PurgeItem(dossier, "TOP-3 formulier", entry))
    return items + [PurgeItem(dossier, "map", folder)]


def _is_form(root: Path, dossier: str, entry: Path) -> bool:
    """Return whether `entry` is exactly where :func:`~formkit.sheets.forms.form_path` puts a form of this household."""
    rest = entry.name.removesuffix(".xlsx").removeprefix(f"scoreformulier_{id_part(dossier)}_")
    code_part, _, day = rest.rpartition("_")
    meeting = _date(day)
    if meeting is None or not code_part:
        return False
    code = decode_part(code_part)
    if code is None:  # a shortened part (a long code): a readable prefix, ~ and 20 hex digits
        return _SHORTENED.fullmatch(code_part) is not None
    return form_path(root, dossier, code, meeting) == entry


def _date(text: str) -> dt.date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _reports(root: Path, dossier: str, summary: CheckSummary | None, kept: list[str]) -> list[PurgeItem]:
    """Return the household's check reports (and their folder), its report's outbox message and its part of the manifest."""
    items = []
    folder = _own_folder(root, dossier, kept)
    if folder is not None:
        prefix = f"controlerapport_{id_part(dossier)}_"
        for entry in _entries(folder, kept):
            stem, suffix = entry.stem, entry.suffix
            if not (entry.is_file() and stem.startswith(prefix) and suffix in (".xlsx", ".docx")):
                continue
            day = stem.removeprefix(prefix)
            if report_stem(dossier, _date(day)) == stem:
                items.append(PurgeItem(dossier, "controlerapport", entry))
        items.append(PurgeItem(dossier, "map", folder))
    message = Path(root) / OUTBOX / f"controlerapport_{id_part(dossier)}.eml"
    if message.is_file() and not message.is_symlink():
        items.append(PurgeItem(dossier, "bericht", message))
    if summary is not None and _mentions(summary, dossier):
        items.append(PurgeItem(dossier, "overzicht", Path(root) / MANIFEST))
    return items


def _mentions(summary: CheckSummary, dossier: str) -> bool:
    """Return whether the check summary holds anything of the household: its results, report or files."""
    return (summary.dossier(dossier) is not None or summary.report_of(dossier) is not None
            or any(f.dossier == dossier for f in summary.files))


def _plans(root: Path, dossier: str, kept: list[str]) -> list[PurgeItem]:
    """Return every plan version's files of the household, then the version, meeting and household folders."""
    folder = _own_folder(root, dossier, kept)
    if folder is None:
        return []
    files, folders = [], []
    for meeting_folder in _entries(folder, kept):
        meeting = _date(meeting_folder.name)
        if meeting is None or not meeting_folder.is_dir() or meeting_dir(root, dossier, meeting) != meeting_folder:
            continue
        for number in version_numbers(meeting_folder):
            version = version_dir(meeting_folder, number)
            if version.is_symlink():
                kept.append(f"{version}: een koppeling; formkit volgt hem niet en laat hem staan.")
                continue
            files += [PurgeItem(dossier, "veiligheidsplan", f) for f in _entries(version, kept) if f.is_file()]
            folders.append(PurgeItem(dossier, "map", version))
        folders.append(PurgeItem(dossier, "map", meeting_folder))
    return files + folders + [PurgeItem(dossier, "map", folder)]


UNKNOWN_PACK = ("het verstrekkingenlog kent deze versie van het vergaderpakket niet (gemaakt zonder log of daarna "
                "gewijzigd); formkit kan niet vaststellen welke huishoudens erin staan en laat het staan.")
DAMAGED_LOG = ("het verstrekkingenlog is aangetast (zie 'formkit log verify'), dus formkit kan niet vaststellen welke "
               "huishoudens in de vergaderpakketten staan en laat ze alle staan.")


def _pack_contents(root: Path, history: History | None) -> tuple[dict[Path, frozenset[str] | None], str]:
    """Return every pack file under `root` with the households the log recorded for its bytes (None: not known), and why a pack is not known.

    A log that `verify` finds broken is not trusted at all: a removed record could hide a household.
    """
    logged: dict[str, set[str]] = {}
    why = UNKNOWN_PACK
    if history is not None and history.path.is_file():
        if history.verify().intact and not history.findings:
            for entry in history.disclosures():
                if entry.disclosure.kind == PACK_KIND:
                    logged.setdefault(entry.disclosure.fingerprint, set()).add(entry.disclosure.dossier)
        else:
            why = DAMAGED_LOG
    found: dict[Path, frozenset[str] | None] = {}
    for folder in (Path(root), Path(root) / PACKS_PER_RECIPIENT):
        if (folder != Path(root) and folder.is_symlink()) or not folder.is_dir():
            continue  # the folder given is followed, as every other folder given; a link inside it is not
        for path in sorted(folder.glob("pakket_*.pdf")):
            if path.is_symlink() or not path.is_file():
                continue
            try:
                dossiers = logged.get(file_fingerprint(path))
            except OSError:
                dossiers = None
            found[path] = frozenset(dossiers) if dossiers is not None else None
    return found, why


def _packs(root: Path, register: Register, dossier: str, packs: dict[Path, frozenset[str] | None],
           purged: set[str], kept: list[str], unknown_pack: str) -> list[PurgeItem]:
    """Return the packs that hold the household and only households purged now; the others are said in `kept`.

    A pack the log does not know is named when the register puts the household on its meeting;
    with a broken log, no pack is known and the folder is named once.
    """
    if unknown_pack == DAMAGED_LOG:
        if packs:
            kept.append(f"{root}: {DAMAGED_LOG}")
        return []
    items = []
    for path, holds in packs.items():
        if holds is not None and dossier in holds:
            others = sorted(holds - purged)
            if others:
                kept.append(f"{path}: dit vergaderpakket bevat ook {dossier_words(others)} en blijft staan.")
            else:
                items.append(PurgeItem(dossier, "vergaderpakket", path))
    meetings = sorted({m.date for m in register.meeting_items if m.dossier == dossier})
    unknown = {path for path, holds in packs.items() if holds is None}
    for meeting in meetings:
        agenda = register.dossiers_on(meeting)
        codes = [None] + [p.code for p, theirs in recipients(register, agenda) if dossier in theirs]
        for path in sorted(p for p in {pack_path(root, meeting, code) for code in codes} if p in unknown):
            kept.append(f"{path}: {unknown_pack}")
    return items


def _draft_contents(folders: Iterable[Path]) -> dict[Path, frozenset[str]]:
    """Return every message `formkit send` left in the outbox folders, with the households (as name parts) it holds."""
    found: dict[Path, frozenset[str]] = {}
    for root in folders:
        outbox = Path(root) / OUTBOX
        if outbox.is_symlink() or not outbox.is_dir():
            continue
        for path in sorted(outbox.glob("*.eml")):
            if path.is_symlink() or not path.is_file():
                continue
            parts = draft_dossiers(path)
            if parts:
                found[path] = parts
    return found


def _drafts(drafts: dict[Path, frozenset[str]], dossier: str, purged: set[str], kept: list[str]) -> list[PurgeItem]:
    """Return the outbox messages that hold the household and only households purged now; the others are said in `kept`."""
    mine, now = id_part(dossier), {id_part(d) for d in purged}
    items = []
    for path, parts in drafts.items():
        if mine not in parts:
            continue
        others = parts - now
        if others:
            named = sorted(d for d in (decode_part(o) for o in others) if d is not None)
            what = dossier_words(named) if len(named) == len(others) else \
                plural(len(others), "ander dossier", "andere dossiers")
            kept.append(f"{path}: dit bericht gaat ook over {what} en blijft staan.")
        else:
            items.append(PurgeItem(dossier, "bericht", path))
    return items


# --- removing them ------------------------------------------------------------------------


def run_purge(plans: Iterable[HouseholdPurge], history: History) -> PurgeResult:
    """Return what removing every listed file did; folders go only when left empty; each removal is logged.

    One household's removals are logged together, after they are done; a log that cannot be
    written is a finding (from `history`), never a reason to stop. A file listed under several
    households (a pack or message holding only households purged now) is removed once and
    logged for each of them.
    """
    result = PurgeResult()
    gone: dict[Path, str] = {}  # files removed in this run, with the fingerprint they had
    for purge in plans:
        records = []
        for item in purge.items:
            if item.kind == "map":
                continue
            if item.kind == "overzicht":
                record = _strip_manifest(item, result)
            elif item.kind == "historie":
                record = _forget(history, item, result)
            elif item.path in gone:
                record = _removal(item, gone[item.path])
            else:
                record = _remove_file(item, result)
                if record is not None:
                    gone[item.path] = record.fingerprint
            if record is not None:
                result.removed.append(item)
                records.append(record)
        for item in purge.items:
            if item.kind == "map":
                _remove_folder(item, result)
        if records and not history.disclose(records):
            result.findings += [f for f in history.findings if f not in result.findings]
    return result


def _removal(item: PurgeItem, fingerprint: str) -> Disclosure:
    return Disclosure(dossier=item.dossier, kind=REMOVED, fingerprint=fingerprint, recipient="secretariaat",
                      address=str(item.path), channel="bestand", command=COMMAND)


def _remove_file(item: PurgeItem, result: PurgeResult) -> Disclosure | None:
    """Return the log record of removing one file, None (with a finding) when it stays.

    A file marked read-only is protected on purpose (a legal hold, say): it stays, on every system.
    """
    try:
        if not os.lstat(item.path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            result.findings.append(finding(Code.purge_failed, target=item.path, dossier=item.dossier,
                                           reason="het bestand is alleen-lezen (beveiligd tegen wijzigen)"))
            return None
        fingerprint = file_fingerprint(item.path)
        item.path.unlink()
    except OSError as e:
        result.findings.append(finding(Code.purge_failed, target=item.path, dossier=item.dossier,
                                       reason=describe_os_error(e)))
        return None
    return _removal(item, fingerprint)


def _forget(history: History, item: PurgeItem, result: PurgeResult) -> Disclosure | None:
    """Return the log record of removing the household's plans from the history store, None when it could not."""
    kenmerken = ",".join(stored(plan).fingerprint for plan in history.plans(item.dossier))
    if history.forget(item.dossier) is None:
        result.findings += [f for f in history.findings if f not in result.findings]
        return None
    return _removal(item, kenmerken)


def _strip_manifest(item: PurgeItem, result: PurgeResult) -> Disclosure | None:
    """Return the log record of rewriting the manifest without the household, None (with a finding) when it could not."""
    folder = item.path.parent
    summary, problems = read_summary(folder)
    if summary is None:
        result.findings += problems
        return None
    mine = summary.dossier(item.dossier)
    total = summary.total if mine is None else Counts(summary.total.errors - mine.counts.errors,
                                                      summary.total.warnings - mine.counts.warnings)
    rest = dataclasses.replace(
        summary, dossiers=tuple(d for d in summary.dossiers if d.dossier != item.dossier),
        files=tuple(f for f in summary.files if f.dossier != item.dossier), total=total,
        reports=None if summary.reports is None else tuple(r for r in summary.reports if r.dossier != item.dossier))
    try:
        fingerprint = file_fingerprint(item.path)
        write_manifest(rest, folder)
    except OSError as e:
        result.findings.append(finding(Code.purge_failed, target=item.path, dossier=item.dossier,
                                       reason=describe_os_error(e)))
        return None
    return _removal(item, fingerprint)


def _remove_folder(item: PurgeItem, result: PurgeResult) -> None:
    """Remove a folder of the household when it is empty; one that still holds something stays."""
    try:
        if item.path.is_symlink() or not item.path.is_dir():
            return
        item.path.rmdir()
    except OSError:
        result.left.append(item)
        return
    result.removed.append(item)
