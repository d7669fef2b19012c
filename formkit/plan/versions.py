"""The plan folder layout and plan.json at the file boundary: the one place that knows both.

`formkit merge` writes each household's plans for a meeting into
``<plans>/<dossier>/<meeting>/v1, v2, ...``; each version folder holds the plan's Word
file, workbook and ``plan.json`` (and, once made, the Word file's PDF/A archive copy). Here a plan.json becomes a typed :class:`Plan` (and
nowhere else): :func:`plan_from_json` walks the dataclasses of :mod:`formkit.plan.model`,
so a field added there is read without a change here; keys an older plan.json lacks take
the field's default. A damaged plan.json is never a traceback: :func:`read_plan` gives
None, :func:`plan_problem` says why. :func:`changes` says in Dutch what changed between
two versions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.paths import id_part
from ..core.text import visible
from .merge import normal
from .model import Plan, Said

T = typing.TypeVar("T")

PLAN_JSON = "plan.json"
_VERSION = re.compile(r"^v(\d+)$")

#: The keys a plan.json must have to be used at all (every schema version has them).
PLAN_KEYS = ("dossier", "meeting", "version", "kenmerk", "scores", "member_scores", "situations", "conditions",
             "agreements", "checks")


# --- the folder layout ------------------------------------------------------------------


def meeting_dir(out_dir: Path, dossier: str, meeting: dt.date) -> Path:
    """Return the folder of a household's plan versions for one meeting."""
    return Path(out_dir) / id_part(dossier) / meeting.isoformat()


def meeting_dirs(plans_dir: Path) -> Iterator[Path]:
    """Return every meeting folder under a folder made by `formkit merge`, in a fixed order."""
    return (p for p in sorted(Path(plans_dir).glob("*/*")) if p.is_dir())


def version_dir(folder: Path, number: int) -> Path:
    """Return the folder of version `number` in a meeting folder."""
    return Path(folder) / f"v{number}"


def version_numbers(folder: Path) -> list[int]:
    """Return every version number that has a folder, complete or damaged, oldest first."""
    if not Path(folder).is_dir():
        return []
    return sorted(int(m.group(1)) for p in Path(folder).iterdir() if (m := _VERSION.match(p.name)) and p.is_dir())


def word_files(version: Path) -> list[Path]:
    """Return the Word files in a version folder (its plan), sorted by name."""
    return sorted(Path(version).glob("*.docx"))


def archive_path(plan_docx: Path) -> Path:
    """Return where a plan's archive copy (PDF/A) lies: beside its Word file, same name, .pdf."""
    return Path(plan_docx).with_suffix(".pdf")


def plan_file_stem(plan: Plan) -> str:
    """Return the name of a version's documents: ids, date and version, no personal names."""
    return f"veiligheidsplan_{id_part(plan.dossier)}_{plan.meeting.isoformat()}_v{plan.version}"


# --- plan.json ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPlan:
    """A plan as read from (or written to) a plan.json: the plan, the fingerprint it states, its text."""

    plan: Plan
    fingerprint: str  # plan.json's "kenmerk", as written then (an older plan keeps its own)
    text: str


class PlanDataError(ValueError):
    """A plan.json (as data) that is not a plan; the message says why, in Dutch."""


def stored(plan: Plan) -> StoredPlan:
    """Return a finished plan with its plan.json text and fingerprint, each computed once."""
    text = plan.to_json()
    return StoredPlan(plan, json.loads(text)["kenmerk"], text)


def read_plan(path: Path) -> StoredPlan | None:
    """Return a version's plan.json as a plan, or None when it is missing, truncated or not a plan."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        return parse_plan_json(text)
    except (OSError, ValueError):
        return None


def read_version(version: Path) -> StoredPlan | None:
    """Return the plan of a version folder, or None when it is missing, damaged or not this folder's.

    A plan.json belongs where its own dossier and meeting put it: one copied or moved into
    another household's (or meeting's) folder is never read as that household's plan, so
    its content cannot reach the other household's pack or change list.
    """
    version = Path(version)
    found = read_plan(version / PLAN_JSON)
    if found is None or meeting_dir(version.parent.parent.parent, found.plan.dossier, found.plan.meeting) != version.parent:
        return None
    return found


def parse_plan_json(text: str) -> StoredPlan:
    """Return the plan a plan.json's text holds; raise ValueError (PlanDataError) when it holds none."""
    data = json.loads(text)
    return StoredPlan(plan_from_json(data), data["kenmerk"], text)


def plan_problem(data: object) -> str | None:
    """Return why a plan.json (as data) cannot be used for history, signals or a pack, or None when it can."""
    try:
        plan_from_json(data)
    except PlanDataError as e:
        return str(e)
    return None


def plan_from_json(data: object) -> Plan:
    """Return the Plan a plan.json (as data) holds; raise PlanDataError when it is not one.

    Generic over the dataclasses of the plan: nested dataclasses, lists, dicts, optional
    values and ISO dates are read from their type hints. A key the data lacks takes the
    field's default (older plan.json files); keys the plan does not know (schemaversie,
    kenmerk) are left out.
    """
    if not isinstance(data, dict):
        raise PlanDataError("geen plan")
    missing = [k for k in PLAN_KEYS if k not in data]
    if missing:
        raise PlanDataError(f"onderdelen ontbreken: {', '.join(missing)}")
    if not isinstance(data["kenmerk"], str):
        raise PlanDataError("de inhoud klopt niet")
    return dataclass_from_json(Plan, data)


def dataclass_from_json(cls: type[T], data: object) -> T:
    """Return an instance of dataclass `cls` from JSON data (as asdict() and json made it); raise PlanDataError.

    Every init field is read by its type hint; a missing one takes its default.
    """
    if not isinstance(data, dict):
        raise PlanDataError("de inhoud klopt niet")
    values = {}
    for f, hint in _fields(cls):
        if f.name in data:
            values[f.name] = _value(hint, data[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PlanDataError(f"onderdelen ontbreken: {f.name}")
    return cls(**values)


def _fields(cls: typing.Any) -> tuple[tuple[dataclasses.Field, typing.Any], ...]:
    """Return the init fields of a dataclass with their type hints resolved (once per class)."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple((f, hints[f.name]) for f in dataclasses.fields(cls) if f.init)
    return _FIELDS[cls]


_FIELDS: dict[type, tuple[tuple[dataclasses.Field, typing.Any], ...]] = {}


def _value(hint, data: object):
    """Return JSON data as the type `hint` says; raise PlanDataError when it does not fit."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in typing.get_args(hint):
            return None
        errors = []
        for option in typing.get_args(hint):
            if option is not type(None):
                try:
                    return _value(option, data)
                except PlanDataError as e:
                    errors.append(e)
        raise errors[0] if errors else PlanDataError("de inhoud klopt niet")
    if origin is list:
        if not isinstance(data, list):
            raise PlanDataError("de inhoud klopt niet")
        (item,) = typing.get_args(hint)
        return [_value(item, v) for v in data]
    if origin is tuple:
        return _tuple(typing.get_args(hint), data)
    if origin is dict:
        if not isinstance(data, dict):
            raise PlanDataError("de inhoud klopt niet")
        key, item = typing.get_args(hint)
        return {_value(key, k): _value(item, v) for k, v in data.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return dataclass_from_json(hint, data)
    return _scalar(hint, data)


def _tuple(items: tuple, data: object) -> tuple:
    """Return a JSON list as a tuple of the types `items` names (``X, ...`` for any length)."""
    if not isinstance(data, list):
        raise PlanDataError("de inhoud klopt niet")
    if len(items) == 2 and items[1] is Ellipsis:
        return tuple(_value(items[0], v) for v in data)
    if len(items) != len(data):
        raise PlanDataError("de inhoud klopt niet")
    return tuple(_value(item, v) for item, v in zip(items, data, strict=True))


def _scalar(hint, data: object):
    """Return a JSON scalar as the type `hint` says (a date from ISO text); raise PlanDataError otherwise."""
    if hint is typing.Any:
        return data
    if hint is dt.date:
        if isinstance(data, str):
            try:
                return dt.date.fromisoformat(data)
            except ValueError:
                pass
    elif hint is float:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return data  # a whole median stays as written: 5, not 5.0
    elif hint is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
    elif hint in (str, bool):
        if isinstance(data, hint):
            return data
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(data)
        except ValueError:
            pass
    raise PlanDataError("de inhoud klopt niet")


def latest_intact(folder: Path) -> tuple[int | None, StoredPlan | None, list[int]]:
    """Return the newest version whose plan.json is intact (number and plan) and the newer damaged ones.

    A version folder without its plan.json, or with one that is truncated or not a plan,
    is damaged: it is skipped, never read as a plan, and never written over.
    """
    damaged: list[int] = []
    for number in reversed(version_numbers(folder)):
        found = read_version(version_dir(folder, number))
        if found is not None:
            return number, found, sorted(damaged)
        damaged.append(number)
    return None, None, sorted(damaged)


# --- what changed between versions ------------------------------------------------------


def damaged_notes(damaged: list[int], previous: Plan | None) -> list[str]:
    """Return in Dutch which earlier versions were damaged and what the changes are compared with."""
    if not damaged:
        return []
    which = ", ".join(f"v{n}" for n in damaged)
    against = (f"de wijzigingen hieronder zijn vergeleken met versie {previous.version}" if previous
               else "er is geen intacte eerdere versie om mee te vergelijken")
    one = len(damaged) == 1
    return [f"Let op: {'versie' if one else 'versies'} {which} {'is' if one else 'zijn'} "
            f"beschadigd of onvolledig en {'is' if one else 'zijn'} niet gebruikt; {against}."]


def changes_or_note(previous: Plan | None, plan: Plan) -> list[str]:
    """Return the changes since `previous`; a previous version whose content does not compare is said so."""
    try:
        return changes(previous, plan)
    except IndexError:  # a TOP-3 that points past its situations
        version = previous.version if previous is not None else "?"
        return [f"De wijzigingen sinds versie {version} konden niet worden bepaald: die versie is onvolledig."]


def changes(previous: Plan | None, plan: Plan) -> list[str]:
    """Return in Dutch what changed in the plan since the previous version."""
    if previous is None:
        return ["Eerste versie van het plan voor dit casusoverleg."]
    found: list[str] = []
    before_regisseur = _shown(previous.regisseur.name) if previous.regisseur else None
    after_regisseur = _shown(plan.regisseur.name) if plan.regisseur else None
    if before_regisseur != after_regisseur:
        found.append(f"Regisseur: {before_regisseur or 'geen'} → {after_regisseur or 'geen'}.")
    for label, items in _parts(previous, plan):
        old = {normal(shown): shown for shown in items[0]}
        new = {normal(shown): shown for shown in items[1]}
        found += [f"Nieuw bij {label}: {shown}" for k, shown in new.items() if k not in old]
        found += [f"Vervallen bij {label}: {shown}" for k, shown in old.items() if k not in new]
    old_scores = {_shown(s.source.name): _shown(s.shown) for s in previous.scores}
    for s in plan.scores:
        name, score = _shown(s.source.name), _shown(s.shown)
        if name in old_scores and old_scores[name] != score:
            found.append(f"Cijfer van {name}: {old_scores[name]} → {score}.")
        elif name not in old_scores:
            found.append(f"Nieuw cijfer van {name}: {score}.")
    if _top(previous) != _top(plan):
        found.append("De voorgestelde gezamenlijke TOP-3 is veranderd.")
    return found or [f"Geen inhoudelijke wijzigingen sinds versie {plan.version - 1}."]


def _parts(previous: Plan, plan: Plan) -> list[tuple[str, tuple[list[str], list[str]]]]:
    """Return per part of the plan its label and how each item reads, before and now."""
    def both(describe: Callable[[Plan], list[str]]) -> tuple[list[str], list[str]]:
        return describe(previous), describe(plan)

    return [
        ("onveilige situaties", both(lambda p: [_situation(p, i) for i in range(len(p.situations))])),
        ("voorwaarden", both(lambda p: [_first(c.texts) for c in p.conditions])),
        ("afspraken", both(lambda p: [f"{_first(a.who)}: {_first(a.what)}" for a in p.agreements])),
        ("risicofactoren", both(lambda p: [_first(r.texts) for r in p.risk_factors])),
        ("herstelbehoeften", both(lambda p: [_first(r.texts) for r in p.recovery_needs])),
    ]


def _shown(text: str) -> str:
    """Return a text as plan.json keeps it (unsafe characters as markers): a plan read back and a plan just
    merged then compare alike."""
    return visible(text, multiline=True)


def _situation(plan: Plan, index: int) -> str:
    item = plan.situations[index]
    return _shown(f"{item.victim}: {item.descriptions[0].value}" if item.descriptions else item.victim)


def _top(plan: Plan) -> list[str]:
    return [_situation(plan, i) for i in plan.top]


def _first(said: list[Said]) -> str:
    return _shown(said[0].value) if said else ""
