"""The history of every household's plans across meetings, in an embedded SQLite store.

One row per household and meeting holds the latest plan version's plan.json. `formkit
merge` updates it after every version it writes; :func:`rebuild` refills it from a
folder of plans. Nothing here needs a server: the store is one file, by default next to
the register.

A damaged store (not SQLite, truncated, locked for too long) or a damaged row never
stops a command: it becomes a finding in :attr:`History.findings`, a damaged row is
skipped, and every other household keeps its history. Two processes may update the
store at once: SQLite waits for the other (busy timeout) instead of failing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.findings import Code, Finding, finding
from .model import Plan

DEFAULT_NAME = "formkit-historie.sqlite"
BUSY_SECONDS = 30.0  # how long a writer waits for another process holding the store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
    dossier TEXT NOT NULL,
    meeting TEXT NOT NULL,          -- ISO date of the case meeting
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    plan TEXT NOT NULL,             -- the version's plan.json
    PRIMARY KEY (dossier, meeting)
)
"""

#: Households that were on a meeting but returned no (accepted) form: `formkit merge` made no plan for them.
_NO_FORMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS no_forms (
    dossier TEXT NOT NULL,
    meeting TEXT NOT NULL,          -- ISO date of the case meeting
    PRIMARY KEY (dossier, meeting)
)
"""

#: The keys of plan.json that status, signals and the pack overview read.
PLAN_KEYS = ("dossier", "meeting", "version", "kenmerk", "scores", "member_scores", "situations", "conditions",
             "agreements", "checks")


def default_path(register: Path) -> Path:
    """Return where the history lives when no path is given: beside the register."""
    return Path(register).resolve().parent / DEFAULT_NAME


def plan_problem(data) -> str | None:
    """Return why a plan.json (as data) cannot be used for history, signals or a pack, or None when it can."""
    from .signals import meeting_of, next_check, scores_of

    if not isinstance(data, dict):
        return "geen plan"
    missing = [k for k in PLAN_KEYS if k not in data]
    if missing:
        return f"onderdelen ontbreken: {', '.join(missing)}"
    try:
        meeting_of(data)
        scores_of(data)
        next_check(data)
        int(data["version"])
        for key in ("situations", "conditions", "agreements"):
            if not isinstance(data[key], list) or not all(isinstance(item, dict) for item in data[key]):
                return f"'{key}' is geen lijst"
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return "de inhoud klopt niet"
    return None


class History:
    """The plans of all households, per meeting: the latest version of each.

    Problems with the store are collected in `findings` (each once) instead of raised.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.findings: list[Finding] = []

    def _note(self, found: Finding) -> None:
        if found not in self.findings:
            self.findings.append(found)

    def _damaged(self, error: Exception, consequence: str) -> None:
        reason = describe_os_error(error) if isinstance(error, OSError) else _sqlite_reason(error)
        self._note(finding(Code.history_damaged, target=self.path, reason=reason, consequence=consequence))

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        try:
            connection.execute(_SCHEMA)
        except BaseException:
            connection.close()
            raise
        return connection

    def record(self, plan: Plan) -> bool:
        """Store a plan version as the current one for its household and meeting; return False when it could not."""
        return self.record_json(json.loads(plan.to_json()))

    def record_json(self, data: dict) -> bool:
        """Store a plan.json (as data) as the current version; return False (with a finding) when it could not."""
        try:
            with closing(self._connect()) as db, db:
                db.execute(
                    "INSERT INTO plans (dossier, meeting, version, fingerprint, plan) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (dossier, meeting) DO UPDATE SET version = excluded.version, "
                    "fingerprint = excluded.fingerprint, plan = excluded.plan WHERE excluded.version >= plans.version",
                    (data["dossier"], data["meeting"], data["version"], data["kenmerk"],
                     json.dumps(data, ensure_ascii=False)))
            return True
        except sqlite3.DatabaseError as e:
            self._damaged(e, "de historie is niet bijgewerkt, de plannen zelf wel.")
        except OSError as e:
            self._note(finding(Code.history_unwritable, target=self.path, dossier=data.get("dossier", "?"),
                               reason=describe_os_error(e)))
        return False

    def record_no_forms(self, dossier: str, meeting: dt.date) -> bool:
        """Note that a household had no accepted form for a meeting; return False (with a finding) when it could not."""
        try:
            with closing(self._connect()) as db, db:
                db.execute(_NO_FORMS_SCHEMA)  # made when first needed: a store only read is never written to
                db.execute("INSERT OR IGNORE INTO no_forms (dossier, meeting) VALUES (?, ?)",
                           (dossier, meeting.isoformat()))
            return True
        except sqlite3.DatabaseError as e:
            self._damaged(e, "de historie is niet bijgewerkt.")
        except OSError as e:
            self._note(finding(Code.history_unwritable, target=self.path, dossier=dossier, reason=describe_os_error(e)))
        return False

    def no_forms(self, dossier: str) -> list[dt.date]:
        """Return the meetings, oldest first, for which a household returned no form and so has no plan.

        A meeting for which a plan was written later (the forms came in after all) is not among them.
        """
        if not self.path.exists():
            return []
        try:
            with closing(self._connect()) as db:
                if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'no_forms'").fetchone():
                    return []  # a store from before this table, or without any household without forms
                rows = db.execute("SELECT meeting FROM no_forms WHERE dossier = ? AND meeting NOT IN "
                                  "(SELECT meeting FROM plans WHERE dossier = ?) ORDER BY meeting",
                                  (dossier, dossier)).fetchall()
        except (sqlite3.DatabaseError, OSError) as e:
            self._damaged(e, "verloop en signalen uit eerdere overleggen ontbreken daarom.")
            return []
        found = []
        for (meeting,) in rows:
            try:
                found.append(dt.date.fromisoformat(meeting))
            except (TypeError, ValueError):
                self._note(finding(Code.history_entry_damaged, dossier=dossier, meeting=str(meeting)))
        return found

    def plans(self, dossier: str) -> list[dict]:
        """Return a household's intact plans, one per meeting, oldest first; damage becomes findings."""
        if not self.path.exists():
            return []
        try:
            with closing(self._connect()) as db:
                rows = db.execute("SELECT meeting, plan FROM plans WHERE dossier = ? ORDER BY meeting",
                                  (dossier,)).fetchall()
        except (sqlite3.DatabaseError, OSError) as e:
            self._damaged(e, "verloop en signalen uit eerdere overleggen ontbreken daarom.")
            return []
        found = []
        for meeting, text in rows:
            try:
                data = json.loads(text)
            except (TypeError, ValueError):
                data = None
            if plan_problem(data) is None:
                found.append(data)
            else:
                self._note(finding(Code.history_entry_damaged, dossier=dossier, meeting=meeting))
        return found


def _sqlite_reason(error: Exception) -> str:
    text = str(error).lower()
    if "not a database" in text or "malformed" in text or "no such table" in text:
        return "geen leesbare SQLite-database"
    if "locked" in text or "busy" in text:
        return "een ander proces houdt het bestand te lang bezet"
    if "readonly" in text or "read-only" in text:
        return "het bestand is alleen-lezen"
    return "SQLite-fout"


def rebuild(history: History, plans_dir: Path) -> int:
    """Record the latest intact version of every plan in a folder made by `formkit merge`; return how many."""
    latest: dict[tuple[str, str], list[tuple[int, Path]]] = {}
    for path in Path(plans_dir).glob("*/*/v*/plan.json"):
        match = re.fullmatch(r"v(\d+)", path.parent.name)
        if match:
            latest.setdefault((path.parent.parent.parent.name, path.parent.parent.name), []).append(
                (int(match.group(1)), path))
    recorded = 0
    for found in latest.values():
        for _, path in sorted(found, reverse=True):  # the newest intact version counts
            data = read_plan_json(path)
            if data is not None:
                recorded += history.record_json(data)
                break
    return recorded


def read_plan_json(path: Path) -> dict | None:
    """Return a version's plan.json as data, or None when it is missing, truncated or not a plan."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if plan_problem(data) is None else None
