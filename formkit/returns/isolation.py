"""Reading untrusted workbooks in worker processes with hard limits: one file's cost is that file's problem.

Each of `jobs` workers is a long-lived process that reads one file at a time, so an
ordinary form pays only a message to and from it. Before each file the worker caps
itself (POSIX): its address space at what it uses now plus `Limits.max_read_memory`
(Linux; RLIMIT_AS), and its processor time at what it used so far plus
`Limits.max_read_cpu_seconds` (RLIMIT_CPU counts the whole process, so the cap moves on
with every file; the SIGXCPU it raises ends that file). The parent enforces a wall-clock
limit per file, `Limits.max_read_seconds`, everywhere: it kills a worker that takes
longer and starts a new one. On Windows, which has no rlimits, that wall-clock limit is
the only one. A file that hits a limit, or whose worker dies, gets its own finding; the
worker is replaced and the other files are read as usual, and results come in file order.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from ..core.findings import Code, Finding, Place, finding
from ..core.parallel import Progress, _Counted
from .intake import MB, Limits

resource: ModuleType | None
try:
    import resource
except ImportError:  # Windows: only the parent's wall-clock limit applies
    resource = None

_T = TypeVar("_T")

#: What a worker does with one path: return the read form, or raise an exception with a `.finding`.
Reader = Callable[[Path], object]

_OK, _REFUSED, _MEMORY, _CPU, _CRASHED = "ok", "refused", "memory", "cpu", "crashed"


class _CpuLimit(BaseException):
    """Raised in a worker by SIGXCPU; a BaseException so no reader's `except Exception` takes it for damage."""


def _on_sigxcpu(signum, frame) -> None:
    raise _CpuLimit()


def _address_space(rlimits: ModuleType) -> int | None:
    """Return this process's virtual memory size in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * rlimits.getpagesize()
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@dataclass(frozen=True)
class _Caps:
    """The caps a worker sets on itself around one file."""

    memory: int
    cpu_seconds: int

    def apply(self) -> None:
        """Cap address space and processor time for the next file (where the platform allows)."""
        if resource is None:
            return
        size = _address_space(resource)
        if size is not None and sys.platform.startswith("linux"):
            _set(resource, resource.RLIMIT_AS, size + self.memory)
        used = resource.getrusage(resource.RUSAGE_SELF)
        _set(resource, resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime) + self.cpu_seconds)

    @staticmethod
    def lift() -> None:
        """Take the caps off again (back to the hard limits), so the worker can answer and wait."""
        if resource is None:
            return
        for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU):
            _set(resource, which, resource.getrlimit(which)[1])


def _set(rlimits: ModuleType, which: int, soft: int) -> None:
    """Set a soft rlimit (through the `resource` module), never above the hard one; a platform that refuses it keeps its own."""
    hard = rlimits.getrlimit(which)[1]
    if hard != rlimits.RLIM_INFINITY:
        soft = min(soft, hard)
    try:
        rlimits.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _caused_by_memory(error: BaseException | None) -> bool:
    """Return whether a MemoryError is anywhere in an exception's chain (readers wrap what they catch)."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, MemoryError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _serve(conn: Connection, read: Reader, caps: _Caps) -> None:
    """The worker's loop: read each path sent, answer (index, kind, result); stop after a limit was hit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "SIGXCPU"):
        signal.signal(signal.SIGXCPU, _on_sigxcpu)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        index, path = task
        kind, result = _read_one(read, path, caps)
        try:
            conn.send((index, kind, result))
        except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled: say so, don't print a traceback
            kind = _CRASHED
            conn.send((index, kind, "het resultaat kon niet worden doorgegeven"))
        if kind != _OK and kind != _REFUSED:
            return  # a worker that hit a limit is replaced, not trusted with the next file


def _read_one(read: Reader, path: Path, caps: _Caps) -> tuple[str, object]:
    """Return (kind, result) of reading one file under the caps."""
    try:
        caps.apply()
        try:
            result = read(path)
        finally:
            caps.lift()
        return _OK, result
    except _CpuLimit:
        return _CPU, None
    except MemoryError:
        return _MEMORY, None
    except Exception as e:  # noqa: BLE001 - the worker answers for every file, whatever it did
        if _caused_by_memory(e):
            return _MEMORY, None
        refusal = getattr(e, "finding", None)
        if isinstance(refusal, Finding):
            return _REFUSED, refusal
        return _CRASHED, type(e).__name__
    finally:
        gc.collect(1)  # the workbook's reference cycles go now, not at a rare full collection


#: What the fork server imports once, so each worker it forks starts with the reader loaded.
_PRELOAD = ["formkit.returns.read"]


def _context():
    """Return the process start method: a fork server on Linux, spawn elsewhere.

    Workers are forked from the fork server, a small process of their own, never from the
    caller: a long-running caller (the app, a test run) has a large heap with free room in it,
    which a worker forked from it could fill without growing its address space, so a file could
    use far more memory than `Limits.max_read_memory` allows; and forking a caller with other
    threads (the app's server) can leave a lock held in the child.
    """
    context = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now (Linux), so the first check of a long-running caller (the app) does not wait for it."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _Worker:
    """One reading process, its pipe, and the file it is reading with its deadline."""

    def __init__(self, read: Reader, caps: _Caps):
        parent, child = _context().Pipe()
        self.process = _context().Process(target=_serve, args=(child, read, caps), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.task: tuple[int, Path] | None = None
        self.deadline = 0.0

    def give(self, index: int, path: Path, seconds: float) -> bool:
        """Send a file to read; return False when the worker is gone."""
        try:
            self.conn.send((index, path))
        except (OSError, ValueError):
            return False
        self.task, self.deadline = (index, path), time.monotonic() + seconds
        return True

    def stop(self, kill: bool = False) -> None:
        """End the process: politely when idle, by force when `kill` or when it does not end."""
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
            self.process.join(timeout=2)
        if kill or self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _limit_finding(kind: str, detail: object, path: Path, limits: Limits) -> Finding:
    """Return the finding for a file whose reading hit a limit or whose worker died."""
    where = Place(file=path.name)
    if kind == _MEMORY:
        return finding(Code.read_memory_limit, limit=limits.max_read_memory // MB, **where)
    if kind == _CPU:
        return finding(Code.read_time_limit, limit=limits.max_read_cpu_seconds, kind="rekentijd", **where)
    if kind == "wall":
        return finding(Code.read_time_limit, limit=_seconds(limits.max_read_seconds), kind="kloktijd", **where)
    return finding(Code.read_crashed, reason=str(detail), **where)


def _seconds(value: float) -> str:
    """Return seconds as Dutch text: '10', '0,5'."""
    return f"{value:g}".replace(".", ",")


def read_isolated(read: Callable[[Path], _T], paths: list[Path], limits: Limits, jobs: int = 1,
                  progress: Progress = lambda items: items) -> Iterator[tuple[Path, _T | Finding]]:
    """Yield (path, read(path) or the refusal Finding) for every path, in order, read by `jobs` capped workers.

    `read` must be picklable where processes are spawned (Windows, macOS): a module-level
    function or a functools.partial of one. `progress` wraps an iterator that knows its length.
    """
    paths = list(paths)
    yield from progress(_Counted(_run(read, paths, limits, max(1, jobs)), len(paths)))


def _run(read: Reader, paths: list[Path], limits: Limits, jobs: int) -> Iterator[tuple[Path, object]]:
    caps = _Caps(limits.max_read_memory, limits.max_read_cpu_seconds)
    workers: list[_Worker] = []
    done: dict[int, object] = {}
    following, handed = 0, 0
    try:
        while following < len(paths):
            handed = _hand_out(workers, read, caps, paths, handed, following, jobs, limits)
            _collect(workers, paths, limits, done)
            while following in done:
                yield paths[following], done.pop(following)
                following += 1
    finally:
        for worker in workers:
            worker.stop(kill=worker.task is not None)


def _hand_out(workers: list[_Worker], read: Reader, caps: _Caps, paths: list[Path], handed: int,
              following: int, jobs: int, limits: Limits) -> int:
    """Give idle workers the next files (starting workers as needed); return how many files are handed out.

    At most 4 files per worker run ahead of the oldest result not yet yielded, so results
    waiting to be yielded in order stay few.
    """
    while handed < len(paths) and handed < following + 4 * jobs:
        idle = next((w for w in workers if w.task is None), None)
        if idle is None and len(workers) < jobs:
            idle = _Worker(read, caps)
            workers.append(idle)
        if idle is None:
            break
        if not idle.give(handed, paths[handed], limits.max_read_seconds):
            workers.remove(idle)
            idle.stop(kill=True)
            continue
        handed += 1
    return handed


def _collect(workers: list[_Worker], paths: list[Path], limits: Limits, done: dict[int, object]) -> None:
    """Wait for a worker to answer or a deadline to pass; record results; replace workers that failed."""
    busy = [(w, w.task) for w in workers if w.task is not None]
    if not busy:
        return
    timeout = max(0.0, min(w.deadline for w, _ in busy) - time.monotonic())
    ready = wait([w.conn for w, _ in busy], timeout=timeout)
    for worker, (index, path) in busy:
        if worker.conn in ready:
            try:
                answer_index, kind, result = worker.conn.recv()
            except (EOFError, OSError):  # the worker died: killed by the system, or a crash in C code
                answer_index, kind, result = index, _CRASHED, _exit_reason(worker)
            if kind in (_OK, _REFUSED):
                done[answer_index] = result
                worker.task = None
                continue
            done[index] = _limit_finding(kind, result, path, limits)
        elif time.monotonic() >= worker.deadline:
            done[index] = _limit_finding("wall", None, path, limits)
        else:
            continue
        workers.remove(worker)
        worker.task = None
        worker.stop(kill=True)


def _exit_reason(worker: _Worker) -> str:
    """Return, in Dutch, how a worker process ended."""
    worker.process.join(timeout=1)
    code = worker.process.exitcode
    if code is None:
        return "het proces reageert niet meer"
    if code < 0:
        try:
            return f"beëindigd door signaal {signal.Signals(-code).name}"
        except ValueError:
            return f"beëindigd door signaal {-code}"
    return f"afgesloten met code {code}"
