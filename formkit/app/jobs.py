"""Long work off the request thread: a job runs in the app's one worker thread and reports progress.

A page starts a job with ``Jobs.start(title, fn, render=...)``; ``fn(progress)`` does the
work and calls ``progress(done, total, text)``; what it returns becomes ``job.result``.
``GET /taken/{id}`` (:mod:`formkit.app.web`) shows a ``<progress>`` that polls itself while
the job runs, and the page's ``render(job)`` fragment once it is done. An exception inside a
job becomes a Dutch failure message on the page; the log gets its type only, no personal data.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import FormkitError
from ..core.findings import Finding
from ..core.text import visible

log = logging.getLogger("formkit.app")

RUNNING, DONE, FAILED = "bezig", "klaar", "mislukt"
#: At most this many finished jobs are kept in memory; the oldest go first.
KEEP = 50

ProgressCallback = Callable[[int, int, str], None]


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


class Jobs:
    """The app's jobs, run one at a time in one worker thread (the library uses processes inside)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formkit-taak")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, title: str, fn: Callable[[ProgressCallback], Any], *,
              render: Callable[[Job], str] | None = None) -> Job:
        """Return a new job running `fn(progress)` in the worker thread; its return value becomes the result."""
        job = Job(secrets.token_urlsafe(16), title, render=render)
        with self._lock:
            self._jobs[job.id] = job
            for old in [j.id for j in self._jobs.values() if j.finished][:-KEEP]:
                del self._jobs[old]
        self._pool.submit(self._run, job, fn)
        return job

    def get(self, job_id: str) -> Job | None:
        """Return the job with this id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job: Job, timeout: float = 60.0) -> Job:
        """Return `job` once it is finished (for tests and scripts); gives up after `timeout` seconds."""
        done = threading.Event()
        self._pool.submit(done.set)  # one worker: this runs after every job started before
        done.wait(timeout)
        return job

    def shutdown(self) -> None:
        """Stop taking jobs; a running one finishes."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(job: Job, fn: Callable[[ProgressCallback], Any]) -> None:
        try:
            job.result = fn(job.progress)
        except FormkitError as e:
            job.state, job.text = FAILED, f"{job.title} is niet gelukt: {visible(str(e))}"
            return
        except Exception as e:  # never a traceback on the page: the type goes to the log, no case data
            log.error("taak '%s' mislukt: %s", job.title, type(e).__name__)
            job.state = FAILED
            job.text = (f"{job.title} is niet gelukt door een onverwachte fout ({type(e).__name__}). "
                        "Probeer het nog eens; blijft het misgaan, meld het dan aan uw beheerder.")
            return
        job.findings = list(getattr(job.result, "findings", None) or [])
        job.state = DONE
        job.text = f"{job.title}: klaar."
