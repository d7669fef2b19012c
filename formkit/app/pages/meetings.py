"""What the pages of one meeting share: the meeting in the address, the meeting picker, their messages.

Overleg, Retour, Plannen, Vergaderpakket and Mail each live under ``/<slug>/<jjjj-mm-dd>``.
A :class:`Section` is one such page: :meth:`Section.pick` answers its index (``?datum=`` goes
on to that meeting, without a register it says to choose one), :meth:`Section.for_meeting`
wraps a route so it runs only for a meeting of the chosen register, and the template
``meeting_picker.html`` shows the picker. :func:`servable` is the one rule for a download:
a regular file inside the folder it is served from, never a link.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ...core.findings import Code, Finding, finding, has_errors
from ...core.text import visible
from ...delivery.template_check import preflight
from ...register.load import LoadResult
from ...register.model import Register
from ..jobs import Job
from ..state import AppState, Workspace
from ..view import page, state

#: The command the disclosure log names for what the app wrote or sent.
COMMAND = "formkit app"
NO_REGISTER = "Kies eerst het register op de pagina Register; daarin staan de overleggen."
#: What a page says of a date the register has no meeting on, when it does not repeat the date.
NOT_IN_REGISTER = "Dit casusoverleg staat niet in het register."

MeetingEndpoint = Callable[[Request, dt.date], Awaitable[Response]]


def parse_meeting(text: str) -> dt.date | None:
    """Return the date of an address part (jjjj-mm-dd), or None."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def meetings(register: Register) -> list[tuple[dt.date, int]]:
    """Return the register's meetings for the picker: (date, how many households)."""
    return [(d, len(register.dossiers_on(d))) for d in register.meeting_dates()]


def servable(path: Path, folder: Path) -> bool:
    """True when `path` is a regular file (no link), and resolved lies inside `folder` (resolved): never elsewhere."""
    try:
        return path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


@dataclass(frozen=True)
class Section:
    """One page per meeting: its address (`/<slug>`), its title, and what it says of a meeting not in the register."""

    slug: str
    title: str
    #: The text for a date the register has no meeting on; None: "Er staat geen casusoverleg op <datum> ...".
    unknown: str | None = None

    def message(self, request: Request, text: str, status_code: int) -> HTMLResponse:
        """Return the page's Dutch message page with `status_code`."""
        return page(request, "message.html", self.slug, self.title, status_code=status_code, text=text)

    def no_register(self, request: Request) -> HTMLResponse:
        """Return the page saying to choose the register first (409)."""
        return self.message(request, NO_REGISTER, 409)

    def meeting(self, request: Request) -> dt.date | HTMLResponse:
        """Return the meeting of the address when the chosen register has it, else the page saying why not."""
        st = state(request)
        if st.loaded is None or st.register_path is None:
            return self.no_register(request)
        asked = request.path_params["datum"]
        meeting = parse_meeting(asked)
        if meeting is None or meeting not in st.loaded.register.meeting_dates():
            return self.message(request, self.unknown or f"Er staat geen casusoverleg op {visible(asked)} in het register.",
                                404)
        return meeting

    def for_meeting(self, endpoint: MeetingEndpoint) -> Callable[[Request], Awaitable[Response]]:
        """Return a route running `endpoint(request, meeting)` only for a meeting of the chosen register."""
        async def route(request: Request) -> Response:
            meeting = self.meeting(request)
            if isinstance(meeting, Response):
                return meeting
            return await endpoint(request, meeting)
        route.__name__ = endpoint.__name__
        route.__doc__ = endpoint.__doc__
        return route

    def pick(self, request: Request) -> Response | None:
        """Return the answer of the page's index when it is not the picker: on to `?datum=`, or choose a register."""
        chosen = request.query_params.get("datum")
        if chosen and parse_meeting(chosen) is not None:
            return RedirectResponse(f"/{self.slug}/{chosen}", status_code=303)
        if state(request).loaded is None:
            return self.no_register(request)
        return None

    def picker(self, template: str) -> Callable[[Request], Awaitable[Response]]:
        """Return the page's index: the meeting picker in `template` (meeting None), or what :meth:`pick` answers."""
        async def index(request: Request) -> Response:
            answer = self.pick(request)
            if answer is not None:
                return answer
            loaded = state(request).loaded
            assert loaded is not None
            return page(request, template, self.slug, self.title, meetings=meetings(loaded.register), meeting=None)
        index.__doc__ = f"Return the meetings to pick from; `?datum=` goes on to that meeting's page ({self.title})."
        return index

    def to_job(self, meeting: dt.date, job: Job, query: str = "") -> RedirectResponse:
        """Return the redirect to the meeting's page showing `job` (`query`: more of the address, `a=b&`)."""
        return RedirectResponse(f"/{self.slug}/{meeting.isoformat()}?{query}taak={job.id}", status_code=303)


@dataclass
class MeetingOutcome:
    """What a job on a meeting did: the meeting, the folder it writes to, every finding to show (more per page)."""

    meeting: dt.date
    folder: Path
    findings: list[Finding] = field(default_factory=list)


@dataclass(kw_only=True)
class ShownOnce:
    """Passwords a job made (file or recipient, who, password), kept in memory only until the page shows them once."""

    passwords: list[tuple[str, str, str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_passwords(self) -> list[tuple[str, str, str]] | None:
        """Return the passwords once; every later call returns None (they are gone from memory)."""
        with self._lock:
            taken, self.passwords = self.passwords, None
            return taken


def refused(outcome: MeetingOutcome, found: list[Finding]) -> bool:
    """Add `found` to the outcome's findings; return True when one is an error (the job goes no further)."""
    outcome.findings += found
    return has_errors(found)


def template_findings(st: AppState, templates: list[Path]) -> list[Finding]:
    """Return the preflight's findings on the templates a job uses, ending with the refusal when one is unusable."""
    checked = list(preflight(st.config.templates, templates, st.settings))
    if has_errors(checked):
        checked.append(finding(Code.templates_refused, folder=str(st.config.templates or "van formkit")))
    return checked


def workspace(request: Request) -> Workspace:
    """Return the chosen register and its work folder, for a route that runs only with a register chosen."""
    found = state(request).workspace()
    assert found is not None  # Section.for_meeting answered already when no register is chosen
    return found


def reread_register(space: Workspace) -> tuple[LoadResult, list[Finding]]:
    """Return the job's register read again (as each command reads it) and, when it has no households, its errors.

    The register is the one chosen when the job started (`space`); the app's state is left alone.
    """
    loaded = space.reread()  # it may have been changed since it was chosen
    unusable = not loaded.register.households and has_errors(loaded.findings)
    return loaded, list(loaded.findings) if unusable else []
