"""Atomic file output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import FormkitError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, write: Callable[[str], object], mode: int | None = None) -> None:
    """Call `write(temporary path)`, then move the result onto `path` in one step.

    A crash or error half-way leaves any earlier file at `path` untouched. The file gets
    `mode`, or else the permissions a new file gets here (mkstemp's own are 0600).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~formkit-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- proving a place is writable, before anything is written -------------------------------

_REASONS = {
    errno.ENOSPC: "de schijf is vol",
    errno.EACCES: "geen schrijfrechten",
    errno.EPERM: "geen schrijfrechten",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "dit is een map, geen bestand",
    errno.ENOENT: "het pad bestaat niet",
    errno.EEXIST: "er staat al een bestand met die naam",
    getattr(errno, "EDQUOT", -1): "de schijfruimte (quota) is op",
    errno.ENAMETOOLONG: "de naam is te lang",
}


class UnwritablePath(FormkitError):
    """Een map of bestand is niet schrijfbaar."""


def describe_os_error(error: OSError) -> str:
    """Return in Dutch why an operating-system call failed, without file contents."""
    return _REASONS.get(error.errno or 0) or (error.strerror or type(error).__name__)


def unwritable(path: Path, error: OSError, nothing_written: bool = False) -> UnwritablePath:
    """Return the Dutch error that `path` cannot be written, with the reason."""
    return UnwritablePath(f"kan niet schrijven naar {path} ({describe_os_error(error)}); "
                          "kies een andere map of zorg dat deze schrijfbaar is."
                          + (" Er is niets geschreven." if nothing_written else ""))


def ensure_writable(folder: Path, create: bool = False) -> Path:
    """Return `folder` after proving it writable with a temporary file; raise UnwritablePath naming it.

    A folder that does not exist yet is made when `create`; otherwise its nearest existing
    parent is proven instead, so a check that fails leaves nothing behind.
    """
    folder = Path(folder)
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        probe_in = folder
        while not probe_in.exists() and probe_in.parent != probe_in:
            probe_in = probe_in.parent
        if not probe_in.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(probe_in))
        fd, probe = tempfile.mkstemp(prefix=".~formkit-", suffix=".probe", dir=probe_in)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise unwritable(folder, e, nothing_written=True) from e
    return folder


def ensure_writable_file(path: Path) -> Path:
    """Return `path` after proving its folder writable and, if it exists, the file itself; raise UnwritablePath."""
    path = Path(path)
    ensure_writable(path.parent)
    if path.exists():
        try:
            with open(path, "ab"):  # opens for writing without changing a byte
                pass
        except OSError as e:
            raise unwritable(path, e, nothing_written=True) from e
    return path
