"""The method's limits as settings, with the values of the method as defaults.

Every number the method fixes (the 3-month term, at most 5 conditions, the safety
scale and its thresholds) lives here and nowhere else. An organisation that agrees
on other limits can load them from a TOML file with :func:`load_settings`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingsError


@dataclass(frozen=True)
class MethodSettings:
    """Limits of *gefaseerd samenwerken aan veiligheid* and the TOP-3 method."""

    #: Conditions are realised within at most this many calendar months of the meeting.
    max_term_months: int = 3
    #: At most this many safety conditions in a plan (the method says 3 to 5).
    max_conditions: int = 5
    #: The safety scale runs from score_min to score_max.
    score_min: int = 0
    score_max: int = 10
    #: Direct safety: every participant scores at least this.
    direct_safety_score: int = 6
    #: Stable safety: every participant scores at least this, several times.
    stable_safety_score: int = 7
    #: Stable safety: two meetings with everyone at stable_safety_score at least this many months apart ...
    stable_interval_months: int = 1
    #: ... and no incident for this many months.
    incident_free_months: int = 6
    #: Scores this far apart (highest minus lowest) or more mean "geen consensus".
    consensus_spread: int = 3
    #: Every participant names their TOP-n unsafe situations ...
    top_n: int = 3
    #: ... and may add this many more.
    extra_situations: int = 3
    #: Rows for conditions on the score sheet; more than max_conditions filled is a finding,
    #: so lowering the limit never makes formkit ignore rows of forms already sent out.
    condition_rows: int = 5
    #: Rows on the score sheet for scores given by household members.
    member_score_rows: int = 8
    #: Rows for agreements (who does what by when).
    agreement_rows: int = 8
    #: Rows for phase 2 risk factors.
    risk_factor_rows: int = 5
    #: Rows for phase 3 recovery needs.
    recovery_need_rows: int = 6
    #: Rows for what goes well / protective factors that worked before.
    strength_rows: int = 4

    def __post_init__(self) -> None:
        problems = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"{f.name} moet een geheel getal van 0 of meer zijn")
        if not problems:
            if self.score_min >= self.score_max:
                problems.append("score_min moet kleiner zijn dan score_max")
            for name in ("direct_safety_score", "stable_safety_score"):
                if not self.score_min <= getattr(self, name) <= self.score_max:
                    problems.append(f"{name} moet op de schaal liggen")
            if self.max_term_months < 1 or self.max_conditions < 1 or self.top_n < 1:
                problems.append("max_term_months, max_conditions en top_n moeten minstens 1 zijn")
        if problems:
            raise SettingsError("; ".join(problems))

    @property
    def situation_rows(self) -> int:
        """Number of unsafe-situation rows on a score sheet."""
        return self.top_n + self.extra_situations


DEFAULT_SETTINGS = MethodSettings()


#: The TOML table of security settings (where the secretariat's key lives); not a method setting.
SECURITY_TABLE = "beveiliging"


def _read_toml(path: Path) -> dict:
    """Return the parsed TOML file; raise SettingsError with a Dutch reason."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(f"{path.name}: kan het instellingenbestand niet lezen") from e
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path.name}: geen geldig TOML-bestand ({e})") from e


def load_key_setting(path: Path | str) -> Path | None:
    """Return the key file named by `[beveiliging] sleutel` (relative to the TOML file), or None."""
    path = Path(path)
    table = _read_toml(path).get(SECURITY_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path.name}: [{SECURITY_TABLE}] moet een tabel zijn")
    unknown = sorted(set(table) - {"sleutel"})
    if unknown:
        raise SettingsError(f"{path.name}: onbekende instelling(en) in [{SECURITY_TABLE}]: {', '.join(unknown)}")
    value = table.get("sleutel")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{path.name}: [{SECURITY_TABLE}] sleutel moet een pad zijn")
    return path.parent / Path(value).expanduser()


#: The TOML table of retention settings: how long the files of a closed household are kept.
RETENTION_TABLE = "bewaren"


def load_retention_setting(path: Path | str | None) -> int | None:
    """Return `[bewaren] termijn_jaren`: how many whole years a closed household's files are kept, or None.

    None (no file, no table or no key) means no term: `formkit purge --ouder-dan` alone decides.
    """
    if path is None:
        return None
    path = Path(path)
    table = _read_toml(path).get(RETENTION_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path.name}: [{RETENTION_TABLE}] moet een tabel zijn")
    unknown = sorted(set(table) - {"termijn_jaren"})
    if unknown:
        raise SettingsError(f"{path.name}: onbekende instelling(en) in [{RETENTION_TABLE}]: {', '.join(unknown)}")
    years = table.get("termijn_jaren")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= 100):
        raise SettingsError(f"{path.name}: [{RETENTION_TABLE}] termijn_jaren moet een geheel getal van 0 tot 100 zijn")
    return years


def load_settings(path: Path | str) -> MethodSettings:
    """Return settings read from a TOML file; keys not given keep the method's value."""
    path = Path(path)
    data = _read_toml(path)
    section = data.get("methode", {k: v for k, v in data.items() if k not in (SECURITY_TABLE, POST_TABLE, RETENTION_TABLE)})
    known = {f.name for f in dataclasses.fields(MethodSettings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise SettingsError(f"{path.name}: onbekende instelling(en): {', '.join(unknown)}")
    return MethodSettings(**section)


#: The TOML table of mail settings: the secretariat's sender and reply address, the return term.
POST_TABLE = "post"


@dataclass(frozen=True)
class PostSettings:
    """How formkit's messages go out: sender, reply address, and how early forms must come back."""

    #: The From address of every message (required when sending by SMTP).
    afzender: str | None = None
    #: Where professionals reply to (Reply-To); None: to the sender.
    antwoordadres: str | None = None
    #: Score sheets come back this many working days (Monday to Friday) before the meeting.
    terugsturen_werkdagen: int = 3
    #: The mail server as "HOST[:POORT]" the app offers for sending (the commands take --smtp).
    mailserver: str | None = None
    #: How the connection to the mail server is secured: "starttls", "ssl" or "geen".
    beveiliging: str | None = None
    #: The user name on the mail server; the password is asked each time and never stored.
    gebruiker: str | None = None


SECURITY_CHOICES = ("starttls", "ssl", "geen")


def load_post_settings(path: Path | str | None) -> PostSettings:
    """Return the `[post]` table of a TOML settings file (defaults for keys not given, or without a file)."""
    if path is None:
        return PostSettings()
    path = Path(path)
    table = _read_toml(path).get(POST_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path.name}: [{POST_TABLE}] moet een tabel zijn")
    known = {f.name for f in dataclasses.fields(PostSettings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(f"{path.name}: onbekende instelling(en) in [{POST_TABLE}]: {', '.join(unknown)}")
    for name in ("afzender", "antwoordadres"):
        value = table.get(name)
        if value is not None and (not isinstance(value, str) or "@" not in value or any(c in value for c in "\r\n")):
            raise SettingsError(f"{path.name}: [{POST_TABLE}] {name} moet een e-mailadres zijn")
    days = table.get("terugsturen_werkdagen", PostSettings.terugsturen_werkdagen)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 60:
        raise SettingsError(f"{path.name}: [{POST_TABLE}] terugsturen_werkdagen moet een geheel getal van 0 tot 60 zijn")
    for name in ("mailserver", "gebruiker"):
        value = table.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()
                                  or any(c.isspace() for c in value.strip())):
            raise SettingsError(f"{path.name}: [{POST_TABLE}] {name} moet tekst zonder spaties zijn")
    security = table.get("beveiliging")
    if security is not None and security not in SECURITY_CHOICES:
        raise SettingsError(f"{path.name}: [{POST_TABLE}] beveiliging moet "
                            f"{', '.join(repr(c) for c in SECURITY_CHOICES[:-1])} of {SECURITY_CHOICES[-1]!r} zijn")
    return PostSettings(**table)
