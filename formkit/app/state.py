"""What the app holds in memory while it runs: the chosen register and its findings, the jobs, the secrets.

Need to know: the work folder belongs to a register (:meth:`AppState.work_folder`). ``--map``
is the work folder of the register given at start; any other register chosen or uploaded in
the app works in its own work folder beside its own file (:func:`~formkit.app.config.work_folder_beside`:
two registers in one folder get two), so one register's meeting folders
(forms, returns, plans, packs) never show on another register's pages.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.settings import MethodSettings
from ..plan.history import default_path
from ..register.load import LoadResult, load
from .config import AppConfig, MeetingFolders, work_folder_beside
from .jobs import Jobs, JobScope
from .security import Secrets


@dataclass(frozen=True)
class Workspace:
    """A register and its work folder, as a request saw them: a job keeps working on these, whatever is chosen later."""

    register: Path
    folder: Path

    def folders(self, meeting: dt.date) -> MeetingFolders:
        """Return the folders of one meeting in this register's work folder."""
        return MeetingFolders(self.folder, meeting)

    def history(self) -> Path:
        """Return the history store beside this register (as the commands find it)."""
        return default_path(self.register)

    def scope(self, page: str, meeting: dt.date | None = None, dossier: str | None = None) -> JobScope:
        """Return the scope of a job on `page` working on this register."""
        return JobScope(page, meeting, dossier, register=self.register)

    def reread(self) -> LoadResult:
        """Return the register read again from its file (as each command reads it); the app's state is left alone."""
        return load(self.register)


def same_file(a: Path, b: Path) -> bool:
    """True when both paths name the same file (resolved); False when either cannot be resolved."""
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


@dataclass
class AppState:
    """The app's state on the server: never in the browser."""

    config: AppConfig
    keys: Secrets
    settings: MethodSettings
    jobs: Jobs = field(default_factory=Jobs)
    register_path: Path | None = None
    loaded: LoadResult | None = None
    stop: Callable[[], None] | None = None  # set by the server: stops it after the response
    lock: threading.Lock = field(default_factory=threading.Lock)

    def choose_register(self, path: Path) -> LoadResult:
        """Return the register at `path` as `formkit register check` reads it, and make it the app's register."""
        loaded = load(path)
        with self.lock:
            self.register_path, self.loaded = path, loaded
        return loaded

    def work_folder(self, register: Path | None = None) -> Path:
        """Return the work folder of `register` (default: the chosen one).

        The register given at start works in the config's folder (``--map``, else ``formkit-werk``
        beside it); any other register in its own work folder beside its file. Without a
        register: the config's folder.
        """
        register = register if register is not None else self.register_path
        if register is None or (self.config.register is not None and same_file(register, self.config.register)):
            return self.config.folder
        return work_folder_beside(register)

    def workspace(self) -> Workspace | None:
        """Return the chosen register and its work folder, or None when no register is chosen."""
        with self.lock:
            register = self.register_path
        return Workspace(register, self.work_folder(register)) if register is not None else None

    def folders(self, meeting: dt.date) -> MeetingFolders:
        """Return the folders of one meeting in the chosen register's work folder."""
        return MeetingFolders(self.work_folder(), meeting)

    def scope(self, page: str, meeting: dt.date | None = None, dossier: str | None = None) -> JobScope:
        """Return the scope of a job on `page` for the chosen register (a job shows only on its own register's pages)."""
        return JobScope(page, meeting, dossier, register=self.register_path)
