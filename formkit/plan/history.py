"""The history of every household's plans across meetings, in an embedded SQLite store.

One row per household and meeting holds the latest plan version's plan.json. `formkit
merge` updates it after every version it writes; :func:`rebuild` refills it from a
folder of plans. Nothing here needs a server: the store is one file, by default next to
the register.

A damaged store (not SQLite, truncated, locked for too long) or a damaged row never
stops a command: it becomes a finding in :attr:`History.findings`, a damaged row is
skipped, and every other household keeps its history. Two processes may update the
store at once: SQLite waits for the other (busy timeout) instead of failing.

The same file keeps the disclosure log (in the spirit of NEN 7513): one record each time a
household's data was written for or sent to someone (:meth:`History.disclose`). It is
append-only and tamper-evident: each record carries the sha256 of the record before it
(:func:`record_hash`), so :meth:`History.verify` finds the first record that was edited,
deleted or inserted; a record changed with its hash computed anew is found by the record
after it, which still points to the original. The chain has no secret: someone who rewrites
every later record too, or changes the very last one, or removes the whole log, is not caught
by it (an empty log beside recorded plans is pointed out); keep backups of the file elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from ..core.atomic import describe_os_error
from ..core.findings import Code, Finding, finding
from ..core.messages import plural
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

#: The disclosure log (issue 15): every time a household's data was written for or sent to someone.
#: Append-only: formkit has no code path that updates or deletes a row, the triggers refuse it, and
#: each row carries the hash of the row before it, so an edited, deleted or inserted row breaks the chain.
_DISCLOSURE_SCHEMA = """
CREATE TABLE IF NOT EXISTS disclosures (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,               -- UTC, ISO 8601 with seconds
    dossier TEXT NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    channel TEXT NOT NULL,
    command TEXT NOT NULL,
    prev TEXT NOT NULL,             -- the hash of the record before (GENESIS for the first)
    hash TEXT NOT NULL              -- sha256 over this record, prev included
);
CREATE TRIGGER IF NOT EXISTS disclosures_no_update BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'het verstrekkingenlog kan alleen worden aangevuld'); END;
CREATE TRIGGER IF NOT EXISTS disclosures_no_delete BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'het verstrekkingenlog kan alleen worden aangevuld'); END;
"""
GENESIS = "0" * 64  # the `prev` of the first record


@dataclass(frozen=True)
class Disclosure:
    """One time a household's data was written for or sent to someone."""

    dossier: str
    kind: str         # Dutch kind of document: "scoreformulier", "TOP-3 formulier", "controlerapport",
                      # "veiligheidsplan", "vergaderpakket", "bericht", "export", "verwijderd"
    fingerprint: str  # sha256 hex of the bytes written or sent (or a plan's kenmerk)
    recipient: str    # to whom: person_label of the professional, "secretariaat", or the address
    address: str      # the e-mail address, or the file written (its path)
    channel: str      # how: "bestand", "postvak" (outbox .eml), "smtp", "pakket"
    command: str      # which command: "formkit send forms", "formkit pack", ...


@dataclass(frozen=True)
class LoggedDisclosure:
    """A disclosure as the log keeps it: its number, when (UTC) and its place in the chain."""

    number: int
    at: str           # UTC, ISO 8601 with seconds: "2026-11-24T09:15:02+00:00"
    disclosure: Disclosure
    prev: str
    hash: str

    @property
    def moment(self) -> dt.datetime | None:
        """Return when, as an aware UTC datetime; None when the stored text is no date."""
        try:
            moment = dt.datetime.fromisoformat(self.at)
        except (TypeError, ValueError):
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking the disclosure log: how many records, and the first broken one if any."""

    count: int
    broken: LoggedDisclosure | None = None  # the first record whose hash or link does not hold
    reason: str = ""                        # why, in Dutch
    missing_at_end: int = 0                 # records removed after the last one that is left
    #: An empty log in a store that holds plans: a store from before the log, one rebuilt, or a log removed.
    plans_without_log: int = 0

    @property
    def intact(self) -> bool:
        """True when every record is linked to the one before and none was removed at the end."""
        return self.broken is None and not self.missing_at_end


def record_hash(number: int, at: str, disclosure: Disclosure, prev: str) -> str:
    """Return the sha256 hex over a record's canonical form: its number, time, fields and the previous hash."""
    canonical = json.dumps([number, at, *astuple(disclosure), prev], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def file_fingerprint(path: Path) -> str:
    """Return the sha256 hex of a file's bytes; raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def utc_text(when: dt.datetime | None = None) -> str:
    """Return a moment (default: now) as the log writes it: UTC, ISO 8601 with seconds. A naive moment counts as UTC."""
    moment = when or dt.datetime.now(dt.UTC)
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment.replace(microsecond=0).isoformat()


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

    def forget(self, dossier: str) -> int | None:
        """Remove a household's plans and no-forms notes from the store (`formkit purge`); return how many plans.

        The disclosure log is never touched. Deleted rows are overwritten (secure_delete). None
        (with a finding) when the store could not be changed.
        """
        if not self.path.exists():
            return 0
        try:
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA secure_delete = ON")
                removed = db.execute("DELETE FROM plans WHERE dossier = ?", (dossier,)).rowcount
                db.execute(_NO_FORMS_SCHEMA)
                db.execute("DELETE FROM no_forms WHERE dossier = ?", (dossier,))
            return removed
        except (sqlite3.DatabaseError, OSError) as e:
            self._damaged(e, f"de plannen van dossier {dossier} staan nog in de historie.")
        return None

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


    # --- the disclosure log ---------------------------------------------------------------

    def disclose(self, records: Iterable[Disclosure], when: dt.datetime | None = None) -> bool:
        """Append disclosures to the log, each chained to the one before by its hash; return False (with a finding) when it could not.

        All records of one call get the same moment (`when`, default now; naive counts as UTC)
        and are written together or not at all. Two processes appending at once take turns.
        """
        batch = list(records)
        if not batch:
            return True
        try:
            with closing(self._connect()) as db:
                db.isolation_level = None  # explicit transactions: the last hash is read under the write lock
                db.executescript(_DISCLOSURE_SCHEMA)
                db.execute("BEGIN IMMEDIATE")
                try:
                    _append(db, batch, utc_text(when))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            return True
        except sqlite3.DatabaseError as e:
            self._not_logged(batch, _sqlite_reason(e))
        except OSError as e:
            self._not_logged(batch, describe_os_error(e))
        return False

    def _not_logged(self, batch: list[Disclosure], reason: str) -> None:
        per_dossier: dict[str, int] = {}
        for record in batch:
            per_dossier[record.dossier] = per_dossier.get(record.dossier, 0) + 1
        for dossier, count in per_dossier.items():
            self._note(finding(Code.log_unwritable, target=self.path, reason=reason, dossier=dossier,
                               what=plural(count, "verstrekking", "verstrekkingen")))

    def disclosures(self, dossier: str | None = None, recipient: str | None = None,
                    since: dt.date | None = None, until: dt.date | None = None) -> list[LoggedDisclosure]:
        """Return the logged disclosures, oldest first, that match every filter given.

        `recipient` matches a part of the recipient or the address, ignoring case; `since` and
        `until` are days (UTC), both included. A store without a log has none.
        """
        wanted = recipient.casefold() if recipient else None
        found = []
        for entry in self._read_log():
            record, day = entry.disclosure, entry.at[:10]
            if dossier is not None and record.dossier != dossier:
                continue
            if wanted and wanted not in record.recipient.casefold() and wanted not in record.address.casefold():
                continue
            if (since and day < since.isoformat()) or (until and day > until.isoformat()):
                continue
            found.append(entry)
        return found

    def verify(self) -> ChainCheck:
        """Return the outcome of walking the log's chain: the count, and the first record that was edited, inserted or follows a removed one."""
        entries = self._read_log()
        expected_prev, expected_number = GENESIS, 1
        before: LoggedDisclosure | None = None
        for entry in entries:
            reason = _broken_reason(entry, expected_number, expected_prev)
            if reason:
                if before is not None and _rehashed(before, entry):
                    return ChainCheck(count=len(entries), broken=before, reason=REHASHED)
                return ChainCheck(count=len(entries), broken=entry, reason=reason)
            expected_prev, expected_number, before = entry.hash, entry.number + 1, entry
        return ChainCheck(count=len(entries), missing_at_end=max(0, self._last_number_given() - expected_number + 1),
                          plans_without_log=self._plan_count() if not entries else 0)

    def _plan_count(self) -> int:
        """Return how many plans the store holds (0 when it cannot be read: verify says why elsewhere)."""
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=BUSY_SECONDS)) as db:
                row = db.execute("SELECT COUNT(*) FROM plans").fetchone()
        except (sqlite3.DatabaseError, OSError):
            return 0
        return int(row[0]) if row else 0

    def _read_log(self) -> list[LoggedDisclosure]:
        if not self.path.exists():
            return []
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=BUSY_SECONDS)) as db:
                if not _has_log(db):
                    return []
                rows = db.execute("SELECT number, at, dossier, kind, fingerprint, recipient, address, channel, "
                                  "command, prev, hash FROM disclosures ORDER BY number").fetchall()
        except (sqlite3.DatabaseError, OSError) as e:
            reason = describe_os_error(e) if isinstance(e, OSError) else _sqlite_reason(e)
            self._note(finding(Code.log_damaged, target=self.path, reason=reason))
            return []
        return [_logged(row) for row in rows]

    def _last_number_given(self) -> int:
        """Return the highest record number the log ever handed out (SQLite keeps it apart from the rows)."""
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=BUSY_SECONDS)) as db:
                row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'disclosures'").fetchone()
        except (sqlite3.DatabaseError, OSError):
            return 0
        return int(row[0]) if row and isinstance(row[0], int) else 0


_DISCLOSURE_FIELDS = tuple(f.name for f in fields(Disclosure))


def _append(db: sqlite3.Connection, batch: list[Disclosure], at: str) -> None:
    """Insert the records after the last one, each with the hash of the one before."""
    last = db.execute("SELECT hash FROM disclosures ORDER BY number DESC LIMIT 1").fetchone()
    given = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'disclosures'").fetchone()
    prev = str(last[0]) if last else GENESIS
    number = int(given[0]) if given else 0
    for record in batch:
        number += 1
        digest = record_hash(number, at, record, prev)
        db.execute(f"INSERT INTO disclosures (number, at, {', '.join(_DISCLOSURE_FIELDS)}, prev, hash) "
                   f"VALUES ({', '.join('?' * (len(_DISCLOSURE_FIELDS) + 4))})",
                   (number, at, *astuple(record), prev, digest))
        prev = digest


def _has_log(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'disclosures'").fetchone() is not None


def _logged(row: tuple[object, ...]) -> LoggedDisclosure:
    """Return a row of the log as a value; whatever a hand-edited row holds becomes text."""
    number, at, *values, prev, digest = row
    texts = ["" if value is None else str(value) for value in values]
    return LoggedDisclosure(number=int(str(number)), at="" if at is None else str(at),
                            disclosure=Disclosure(*texts), prev=str(prev), hash=str(digest))


REHASHED = ("het record erna verwijst naar een andere versie van dit record: dit record is gewijzigd en de hash "
            "opnieuw berekend, of de verwijzing in het record erna is gewijzigd")


def _rehashed(before: LoggedDisclosure, entry: LoggedDisclosure) -> bool:
    """Return whether `entry` is intact in itself and follows `before` by number, so `before` is what was replaced."""
    return (entry.number == before.number + 1 and entry.prev != before.hash
            and record_hash(entry.number, entry.at, entry.disclosure, entry.prev) == entry.hash)


def _broken_reason(entry: LoggedDisclosure, expected_number: int, expected_prev: str) -> str:
    """Return why a record breaks the chain, in Dutch; empty when it holds."""
    if entry.number != expected_number:
        if entry.number == expected_number + 1:
            return f"record {expected_number} vóór dit record ontbreekt: het is verwijderd"
        return f"de records {expected_number} tot en met {entry.number - 1} vóór dit record ontbreken: ze zijn verwijderd"
    if entry.prev != expected_prev:
        return "het verwijst niet naar het record ervoor: een record is verwijderd, ingevoegd of vervangen"
    if record_hash(entry.number, entry.at, entry.disclosure, entry.prev) != entry.hash:
        return "de inhoud van het record is gewijzigd na het vastleggen"
    return ""


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
