"""What the app holds in memory while it runs: the chosen register and its findings, the jobs, the secrets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.settings import MethodSettings
from ..register.load import LoadResult, load
from .config import AppConfig
from .jobs import Jobs
from .security import Secrets


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
