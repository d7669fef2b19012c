"""One run at a time per output folder: an operating-system lock that a crash releases.

`formkit merge`, `pack`, `mail`, `check --report` and the other writing commands hold
:data:`LOCK_NAME` in their output folder while they write. A second run on the same
folder waits a little and then stops with a Dutch message. The lock is an OS lock
(`fcntl.flock` on POSIX, `msvcrt.locking` on Windows) on an open file, so a killed run
releases it the moment its process ends; the file itself may stay and means nothing.
Once a run holds the lock it removes the temporary files and folders a killed run left.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .atomic import ensure_writable, unwritable
from .errors import FormkitError

LOCK_NAME = ".formkit-lock"
WAIT_SECONDS = 10.0  # how long a second run waits for the first before it stops
_POLL = 0.2
_STALE_DIR = re.compile(r"^\.v\d+\..*\.tmp$")  # a plan version being written (plan_files.write_version)
_STALE_FILE = re.compile(r"^\.~formkit-")  # a file being written (atomic.write_atomic)
_STALE_DEPTH = 3  # plans/<dossier>/<meeting>/.vN.*.tmp is the deepest


class FolderBusy(FormkitError):
    """Er loopt al een andere formkit-opdracht in deze map."""


# sys.platform, not os.name, picks the branch: mypy then checks each branch only for its own
# platform (msvcrt's locking functions do not exist on POSIX, fcntl's not on Windows).


def _try_lock(handle: BinaryIO) -> bool:
    """Return True when this process now holds the lock on the open file `handle`."""
    try:
        if sys.platform == "win32":
            import msvcrt
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(handle: BinaryIO) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass  # closing the file releases it anyway


@contextmanager
def folder_lock(folder: Path, what: str, wait: float | None = None) -> Iterator[Path]:
    """Hold the lock of `folder` (created if needed) for the block; yield the folder.

    Waits up to `wait` seconds (default :data:`WAIT_SECONDS`) for another run, then raises
    FolderBusy naming the folder. With the lock held, leftovers of a killed run are removed.
    """
    folder = ensure_writable(folder, create=True)
    path = folder / LOCK_NAME
    try:
        handle = open(path, "a+b")
    except OSError as e:
        raise unwritable(path, e) from e
    try:
        deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise FolderBusy(f"er loopt al een andere formkit-opdracht in {folder}; {what} wacht daar niet "
                                 "langer op. Wacht tot die klaar is en probeer het dan opnieuw.")
            time.sleep(_POLL)
        try:
            remove_leftovers(folder)
            yield folder
        finally:
            _unlock(handle)
    finally:
        handle.close()


@contextmanager
def folder_locks(folders: list[Path], what: str) -> Iterator[None]:
    """Hold the locks of several folders (each once, in a fixed order) for the block."""
    unique = sorted({Path(f).resolve() for f in folders}, key=str)
    with _nested(unique, what):
        yield


@contextmanager
def _nested(folders: list[Path], what: str) -> Iterator[None]:
    if not folders:
        yield
        return
    with folder_lock(folders[0], what), _nested(folders[1:], what):
        yield


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files and version folders a killed run left in `folder`; return what went.

    Call only while holding the folder's lock: then no other run is writing them.
    """
    removed: list[Path] = []
    _sweep(Path(folder), _STALE_DEPTH, removed)
    return removed


def _sweep(folder: Path, depth: int, removed: list[Path]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and _STALE_DIR.match(entry.name):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
            elif not is_dir and _STALE_FILE.match(entry.name):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            elif is_dir and depth > 1 and not entry.is_symlink():
                _sweep(Path(entry.path), depth - 1, removed)
        except OSError:
            continue  # a leftover that cannot go now goes next time
