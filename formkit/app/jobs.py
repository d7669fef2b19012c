"""Long work off the request thread: a job runs in the app's one worker thread and reports progress.

A page starts a job with ``Jobs.start(title, fn, scope=..., render=...)``; ``fn(progress)`` does the
work and calls ``progress(done, total, text)``; what it returns becomes ``job.result``.
``GET /taken/{id}`` (:mod:`formkit.app.web`) shows a ``<progress>`` that polls itself while
the job runs, and the page's ``render(job)`` fragment once it is done. An exception inside a
job becomes a Dutch failure message on the page; the log gets its type only, no personal data.

Need to know: every job a page starts carries its :class:`JobScope` (the page, the meeting, the
household), and a page shows a job (``?taak=``) only when the scope is its own
(:meth:`Jobs.scoped`); a job of another meeting or household is not shown, not even its title.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..core.errors import FormkitError
from ..core.findings import Finding
from ..core.text import visible

log = logging.getLogger("formkit.app")

RUNNING, DONE, FAILED = "bezig", "klaar", "mislukt"
#: At most this many finished jobs are kept in memory; the oldest go first.
KEEP = 50

ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class JobScope:
    """Where a job's result may be shown: its page (slug), meeting, household (None: the whole page) and register.

    The register is the one chosen when the job started: after choosing another, its pages do
    not show the job (its result names the first register's households).
    """

    page: str
    meeting: dt.date | None = None
    dossier: str | None = None
    register: Path | None = None

    def fields(self) -> dict[str, str]:
        """Return the scope as the fields of a poll of ``/taken/{id}`` (``pagina``, ``datum``, ``dossier``)."""
        found = {"pagina": self.page, "datum": self.meeting.isoformat() if self.meeting else ""}
        return found | ({"dossier": self.dossier} if self.dossier is not None else {})

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> JobScope | None:
        """Return the scope a poll names (no register: the server adds its own), or None when it names none."""
        slug = fields.get("pagina")
        if slug is None:
            return None
        try:
            meeting = dt.date.fromisoformat(fields.get("datum", "")) if fields.get("datum") else None
        except ValueError:
            meeting = None
            slug = ""  # an odd date matches no job's scope
        return cls(slug, meeting, fields.get("dossier"))


@dataclass
class Job:
    """One piece of long work: its state, progress, Dutch status text, result and findings."""

    id: str
    title: str
    state: str = RUNNING
    done: int = 0
    total: int = 0
    text: str = "Wacht op zijn beurt ..."
    result: Any = None
    findings: list[Finding] = field(default_factory=list)
    render: Callable[[Job], str] | None = None  # the page's fragment for the finished job (HTML)
    scope: JobScope | None = None  # None: a job of no page (scripts, tests): no page shows it
    started: bool = False  # set by the worker thread when it takes the job

    def progress(self, done: int, total: int, text: str) -> None:
        """Record how far the job is (called from the worker thread)."""
        self.done, self.total, self.text = done, total, text

    @property
    def finished(self) -> bool:
        """True when the job is no longer running."""
        return self.state != RUNNING


def counted(progress: ProgressCallback, text: str) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """Return a library progress display (``progress=`` of write_forms, check_batch, ...) reporting to `progress`."""
    def wrap(items: Iterable[Any]) -> Iterable[Any]:
        return _count(progress, items if isinstance(items, Sized) else list(items), text)
    return wrap


def _count(progress: ProgressCallback, items: Any, text: str) -> Iterator[Any]:
    total = len(items)
    progress(0, total, text)
    for number, item in enumerate(items, 1):
        yield item
        progress(number, total, text)


class Foreign(Enum):
    """A job of another page, meeting or household: shown nowhere but on its own page."""

    FOREIGN = "foreign"


FOREIGN = Foreign.FOREIGN
#: What a page says of a job in its address (`?taak=`) that belongs to another page, meeting or household.
NOT_HERE = "Deze taak hoort niet bij deze pagina."
#: What a job says that was still waiting, or stopped between items, when formkit stopped.
STOPPED = "{title} is niet (helemaal) gedaan: formkit is gestopt."


class Stopped(BaseException):  # noqa: N818 - a signal, as KeyboardInterrupt
    """Raised inside a job's progress report when formkit stops: the job ends between two items.

    A BaseException, as KeyboardInterrupt: a library step that turns a failing item into a
    finding (``except Exception``) must not swallow it.
    """


class Jobs:
    """The app's jobs, run one at a time in one worker thread (the library uses processes inside)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formkit-taak")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self, title: str, fn: Callable[[ProgressCallback], Any], *, scope: JobScope | None = None,
              render: Callable[[Job], str] | None = None) -> Job:
        """Return a new job running `fn(progress)` in the worker thread; its return value becomes the result.

        `scope`: the page, meeting and household the job belongs to; only that page shows it.
        """
        job = Job(secrets.token_urlsafe(16), title, render=render, scope=scope)
        with self._lock:
            self._jobs[job.id] = job
            for old in [j.id for j in self._jobs.values() if j.finished][:-KEEP]:
                del self._jobs[old]
            if self._stopping.is_set():
                job.state, job.text = FAILED, STOPPED.format(title=title)
                return job
            self._pool.submit(self._run, job, fn, self._stopping)
        return job

    def get(self, job_id: str) -> Job | None:
        """Return the job with this id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def scoped(self, job_id: str | None, scope: JobScope) -> Job | None | Foreign:
        """Return the job `job_id` when it belongs to `scope`; FOREIGN when it belongs elsewhere; None when unknown."""
        job = self.get(job_id) if job_id else None
        if job is None:
            return None
        return job if job.scope == scope else FOREIGN

    def shutdown(self) -> None:
        """Stop: take no more jobs, cancel the waiting ones, tell the running one to stop after its current item."""
        with self._lock:
            self._stopping.set()
            self._pool.shutdown(wait=False, cancel_futures=True)
            for job in self._jobs.values():
                if job.state == RUNNING and not job.started:  # cancelled before it began
                    job.state, job.text = FAILED, STOPPED.format(title=job.title)

    @staticmethod
    def _run(job: Job, fn: Callable[[ProgressCallback], Any], stopping: threading.Event) -> None:
        def progress(done: int, total: int, text: str) -> None:
            if stopping.is_set():
                raise Stopped
            job.progress(done, total, text)
        job.started = True
        if stopping.is_set():
            job.state, job.text = FAILED, STOPPED.format(title=job.title)
            return
        try:
            job.result = fn(progress)
        except Stopped:
            job.state, job.text = FAILED, STOPPED.format(title=job.title)
            return
        except FormkitError as e:
            job.state, job.text = FAILED, f"{job.title} is niet gelukt: {visible(str(e))}"
            return
        except Exception as e:  # never a traceback on the page: the type goes to the log, no case data
            log.error("taak '%s' mislukt: %s", job.title, type(e).__name__)
            job.state = FAILED
            job.text = (f"{job.title} is niet gelukt door een onverwachte fout. "
                        "Probeer het nog eens; blijft het misgaan, meld het dan aan uw beheerder.")
            return
        job.findings = list(getattr(job.result, "findings", None) or [])
        job.state = DONE
        job.text = f"{job.title}: klaar."
