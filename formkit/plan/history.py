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
import sqlite3
from contextlib import closing
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.findings import Code, Finding, finding
from .model import Plan
from .versions import StoredPlan, latest_intact, meeting_dirs, parse_plan_json, stored

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

def default_path(register: Path) -> Path:
    """Return where the history lives when no path is given: beside the register."""
    return Path(register).resolve().parent / DEFAULT_NAME


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

    def record(self, plan: Plan | StoredPlan) -> bool:
        """Store a plan version as the current one for its household and meeting; return False (with a finding) when it could not.

        A :class:`StoredPlan` brings its plan.json text and fingerprint along, so they are not made again.
        """
        found = plan if isinstance(plan, StoredPlan) else stored(plan)
        dossier, meeting = found.plan.dossier, found.plan.meeting.isoformat()
        try:
            with closing(self._connect()) as db, db:
                db.execute(
                    "INSERT INTO plans (dossier, meeting, version, fingerprint, plan) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (dossier, meeting) DO UPDATE SET version = excluded.version, "
                    "fingerprint = excluded.fingerprint, plan = excluded.plan WHERE excluded.version >= plans.version",
                    (dossier, meeting, found.plan.version, found.fingerprint, found.text))
            return True
        except sqlite3.DatabaseError as e:
            self._damaged(e, "de historie is niet bijgewerkt, de plannen zelf wel.")
        except OSError as e:
            self._note(finding(Code.history_unwritable, target=self.path, dossier=dossier,
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

    def plans(self, dossier: str) -> list[Plan]:
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
                found.append(parse_plan_json(text).plan)
            except (TypeError, ValueError):  # not text, not JSON, or not a plan
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
    recorded = 0
    for folder in meeting_dirs(plans_dir):
        _, found, _ = latest_intact(folder)  # the newest intact version counts
        if found is not None:
            recorded += history.record(found)
    return recorded
