"""What the app works on: the register, the work folder and its folders per meeting, the settings file.

The folder names per meeting are the ones the demo uses, so a folder the app makes is a
folder the commands read (``formkit check <map>/overleg-2026-12-01/retour ...``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..core.settings import DEFAULT_SETTINGS, MethodSettings, load_key_setting, load_settings

#: The work folder made beside a register named register.xlsx when no --map is given.
WORK_FOLDER = "formkit-werk"
_NOT_IN_NAMES = set('<>:"/\\|?*')
_MAX_STEM = 60


def work_folder_beside(register: Path) -> Path:
    """Return the work folder beside a register file: its own, also when registers share a folder.

    ``register.xlsx`` works in ``formkit-werk``; any other name in ``formkit-werk-<name>``
    (``register 2027.xlsx``: ``formkit-werk-register 2027``). A name that is cut or has
    characters Windows refuses gets a short hash of the real name, so two registers never
    share a work folder.
    """
    stem = register.stem
    if stem == "register":
        return register.resolve().parent / WORK_FOLDER
    clean = "".join("_" if c in _NOT_IN_NAMES or ord(c) < 32 else c for c in stem)[:_MAX_STEM].rstrip(". ")
    name = f"{WORK_FOLDER}-{clean or '_'}"
    if clean != stem:
        name += "-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return register.resolve().parent / name


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
        """Return a config whose work folder is `folder`, else the register's own beside it (:func:`work_folder_beside`), else the current dir."""
        if folder is None:
            folder = work_folder_beside(register) if register is not None else Path.cwd()
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
