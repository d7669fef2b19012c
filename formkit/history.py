"""The history of every household's plans across meetings, in an embedded SQLite store.

One row per household and meeting holds the latest plan version's plan.json. `formkit
merge` updates it after every version it writes; :func:`rebuild` refills it from a
folder of plans. Nothing here needs a server: the store is one file, by default next to
the register.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from .plan import Plan

DEFAULT_NAME = "formkit-historie.sqlite"

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


def default_path(register: Path) -> Path:
    """Return where the history lives when no path is given: beside the register."""
    return Path(register).resolve().parent / DEFAULT_NAME


class History:
    """The plans of all households, per meeting: the latest version of each."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        connection.execute(_SCHEMA)
        return connection

    def record(self, plan: Plan) -> None:
        """Store a plan version as the current one for its household and meeting."""
        self.record_json(json.loads(plan.to_json()))

    def record_json(self, data: dict) -> None:
        """Store a plan.json (as data) as the current version for its household and meeting."""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO plans (dossier, meeting, version, fingerprint, plan) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (dossier, meeting) DO UPDATE SET version = excluded.version, "
                "fingerprint = excluded.fingerprint, plan = excluded.plan WHERE excluded.version >= plans.version",
                (data["dossier"], data["meeting"], data["version"], data["kenmerk"],
                 json.dumps(data, ensure_ascii=False)))

    def plans(self, dossier: str) -> list[dict]:
        """Return a household's plans, one per meeting, oldest first."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = db.execute("SELECT plan FROM plans WHERE dossier = ? ORDER BY meeting", (dossier,)).fetchall()
        return [json.loads(row[0]) for row in rows]


def rebuild(history: History, plans_dir: Path) -> int:
    """Record the latest version of every plan in a folder made by `formkit merge`; return how many."""
    latest: dict[tuple[str, str], tuple[int, Path]] = {}
    for path in Path(plans_dir).glob("*/*/v*/plan.json"):
        match = re.fullmatch(r"v(\d+)", path.parent.name)
        if not match:
            continue
        key = (path.parent.parent.parent.name, path.parent.parent.name)
        version = int(match.group(1))
        if key not in latest or version > latest[key][0]:
            latest[key] = (version, path)
    for _, path in latest.values():
        history.record_json(json.loads(path.read_text(encoding="utf-8")))
    return len(latest)
