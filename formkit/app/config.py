"""What the app works on: the register, the work folder and its folders per meeting, the settings file.

The folder names per meeting are the ones the demo uses, so a folder the app makes is a
folder the commands read (``formkit check <map>/overleg-2026-12-01/retour ...``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.settings import DEFAULT_SETTINGS, MethodSettings, load_key_setting, load_settings

#: The work folder made beside a register when no --map is given.
WORK_FOLDER = "formkit-werk"


@dataclass(frozen=True)
class AppConfig:
    """How the app was started: `formkit app [--register R] [--map M] [--instellingen S] [--templates T]`."""

    register: Path | None = None
    folder: Path = Path(".")
    settings: Path | None = None
    templates: Path | None = None
    key: Path | None = None  # --sleutel, as the other commands take it

    @classmethod
    def make(cls, register: Path | None = None, folder: Path | None = None, settings: Path | None = None,
             templates: Path | None = None, key: Path | None = None) -> AppConfig:
        """Return a config whose work folder is `folder`, else `formkit-werk` beside the register, else the current dir."""
        if folder is None:
            folder = register.resolve().parent / WORK_FOLDER if register is not None else Path.cwd()
        return cls(register=register, folder=folder, settings=settings, templates=templates, key=key)

    def method_settings(self) -> MethodSettings:
        """Return the method's limits from the settings file (the method's own without one); SettingsError if wrong."""
        return load_settings(self.settings) if self.settings is not None else DEFAULT_SETTINGS

    def key_setting(self) -> Path | None:
        """Return the key file named in the settings file (`[beveiliging] sleutel`), or None."""
        return load_key_setting(self.settings) if self.settings is not None else None


@dataclass(frozen=True)
class MeetingFolders:
    """The folders of one meeting inside the work folder: `<map>/overleg-<YYYY-MM-DD>/...`.

    No outbox of its own: messages go where the commands put them, ``postvak-uit`` in the
    folder their files come from (forms, reports or plans), where ``formkit purge`` finds them.
    """

    folder: Path
    meeting: dt.date

    @property
    def root(self) -> Path:
        """Return the meeting's own folder."""
        return Path(self.folder) / f"overleg-{self.meeting.isoformat()}"

    @property
    def forms(self) -> Path:
        """Return the folder of the score sheets and TOP-3 forms (`formulieren`)."""
        return self.root / "formulieren"

    @property
    def returns(self) -> Path:
        """Return the folder of the returned files uploaded (`retour`)."""
        return self.root / "retour"

    @property
    def reports(self) -> Path:
        """Return the folder of the check reports (`rapporten`)."""
        return self.root / "rapporten"

    @property
    def plans(self) -> Path:
        """Return the folder of the plans (`plannen`)."""
        return self.root / "plannen"

    @property
    def packs(self) -> Path:
        """Return the folder of the meeting packs (`pakketten`)."""
        return self.root / "pakketten"
