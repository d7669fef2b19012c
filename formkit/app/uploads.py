"""Receiving uploaded files: streamed straight into the folder they belong in, never into a shared temp dir.

:func:`receive_upload` reads a ``multipart/form-data`` body as it arrives (python-multipart's
streaming parser) and writes each file into a private folder inside the target folder,
counting bytes: a file over the intake's ``max_file_bytes`` is cut off and refused with the
intake's own finding, and the rest of the upload goes on. The hidden ``csrf`` field must come
before the first file (browsers send fields in page order), so no byte of a forged upload is
ever written, and no folder is made before the CSRF value passed (the private folder, and
the target folder with it, come with the first file). The caller inspects each stored file with :func:`formkit.returns.intake.inspect_file`
and moves it where it belongs with :meth:`Upload.discard` for what it does not keep.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ..core.errors import FormkitError
from ..core.findings import Code, Finding, finding
from ..core.paths import windows_safe
from ..core.text import visible
from ..returns.intake import DEFAULT_LIMITS, MB, Limits

#: At most this many files in one upload, and this many plain fields.
MAX_FILES = 500
MAX_FIELDS = 50
MAX_FIELD_BYTES = 64 * 1024
_UNSAFE_NAME = re.compile(r"[^\w .()+,-]")


class Refusal(Enum):
    """Why an upload is refused as a whole (the value: for the log, never shown)."""

    NO_CSRF = "no csrf before the first file"
    WRONG_CSRF = "wrong csrf"
    NOT_MULTIPART = "not multipart"
    TOO_MANY_FILES = "too many files"
    TOO_MANY_FIELDS = "too many fields"
    FIELD_TOO_LONG = "field too long"
    DAMAGED = "damaged or broken off"


class UploadRefused(Exception):
    """The upload is refused as a whole: no CSRF value before the files (`forbidden`), too many parts, damaged."""

    def __init__(self, kind: Refusal, detail: str = ""):
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind

    @property
    def forbidden(self) -> bool:
        """True when the CSRF value was missing or wrong: the answer is 403, not a page to try again."""
        return self.kind in (Refusal.NO_CSRF, Refusal.WRONG_CSRF)


@dataclass
class UploadedFile:
    """One file of an upload: the name the browser gave (shown), where it is stored, or why not."""

    name: str
    path: Path | None = None
    finding: Finding | None = None


@dataclass
class Upload:
    """What an upload brought: its plain fields and its files, in the private folder `inbox`."""

    inbox: Path
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def discard(self) -> None:
        """Remove the private folder and whatever the caller did not move out of it."""
        shutil.rmtree(self.inbox, ignore_errors=True)


def stored_name(name: str) -> str:
    """Return a file name safe to store: the last part of `name`, odd characters replaced, never hidden, empty or a device."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    safe = _UNSAFE_NAME.sub("_", base).strip(" .")[-120:]
    return windows_safe(safe) if safe else "bestand"


class _Receiver:
    """The parser's callbacks: collects fields, streams files to disk with their limits."""

    def __init__(self, upload: Upload, limits: Limits, csrf_ok: Callable[[str | None], bool], csrf_seen: bool,
                 prepare: Callable[[Path], object]):
        self.upload, self.limits, self.csrf_ok, self.prepare = upload, limits, csrf_ok, prepare
        self.headers: dict[bytes, bytes] = {}
        self._field_name = b""
        self._value = b""
        self.name: str | None = None
        self.filename: str | None = None
        self.value = bytearray()
        self.out: IO[bytes] | None = None
        self.current: UploadedFile | None = None
        self.size = 0
        self.csrf_seen = csrf_seen

    def callbacks(self) -> dict[str, Any]:
        """Return the callbacks python-multipart calls."""
        return {"on_part_begin": self.part_begin, "on_part_data": self.part_data, "on_part_end": self.part_end,
                "on_header_field": self.header_field, "on_header_value": self.header_value,
                "on_header_end": self.header_end, "on_headers_finished": self.headers_finished}

    def part_begin(self) -> None:
        self.headers, self.value, self.size, self.out, self.current = {}, bytearray(), 0, None, None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self.headers[self._field_name.lower()] = self._value
        self._field_name, self._value = b"", b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw = options.get(b"filename")
        self.filename = raw.decode("utf-8", "replace") if raw is not None else None
        if self.filename is None:
            return
        if not self.csrf_seen:
            raise UploadRefused(Refusal.NO_CSRF)
        if not self.filename:  # an empty file input: no file chosen
            return
        if len(self.upload.files) >= MAX_FILES:
            raise UploadRefused(Refusal.TOO_MANY_FILES)
        if not self.upload.inbox.exists():  # the first file, after the CSRF value: now the folders are made
            self.prepare(self.upload.inbox.parent)
            self.upload.inbox.mkdir(mode=0o700)
        shown = visible(self.filename.replace("\\", "/").rsplit("/", 1)[-1])
        target = self.upload.inbox / f"{len(self.upload.files):04d}" / stored_name(self.filename)
        target.parent.mkdir(parents=True)
        self.current = UploadedFile(shown, target)
        self.upload.files.append(self.current)
        self.out = target.open("wb")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.filename is None:
            if len(self.value) + len(chunk) > MAX_FIELD_BYTES:
                raise UploadRefused(Refusal.FIELD_TOO_LONG)
            self.value += chunk
            return
        if self.out is None or self.current is None:
            return
        self.size += len(chunk)
        if self.size > self.limits.max_file_bytes:  # cut off: the rest of this part is not written
            self._refuse_current()
            return
        self.out.write(chunk)

    def _refuse_current(self) -> None:
        assert self.out is not None and self.current is not None and self.current.path is not None
        self.out.close()
        self.current.path.unlink(missing_ok=True)
        self.current.finding = finding(Code.file_too_large, file=self.current.name,
                                       size=f"meer dan {self.limits.max_file_bytes // MB}",
                                       limit=self.limits.max_file_bytes // MB)
        self.current.path, self.out = None, None

    def part_end(self) -> None:
        if self.filename is None:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise UploadRefused(Refusal.TOO_MANY_FIELDS)
            text = self.value.decode("utf-8", "replace")
            self.upload.fields[self.name or ""] = text
            if self.name == "csrf":
                if not self.csrf_ok(text):
                    raise UploadRefused(Refusal.WRONG_CSRF)
                self.csrf_seen = True
        elif self.out is not None:
            self.out.close()
            self.out = None

    def close(self) -> None:
        if self.out is not None:
            self.out.close()


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def accepts_upload(endpoint: Callable[[Request], Awaitable[Any]]) -> Callable[[Request], Awaitable[Any]]:
    """Mark a POST endpoint that reads its body with :func:`receive_upload` (which checks the CSRF value itself)."""
    endpoint.accepts_upload = True  # type: ignore[attr-defined]
    return endpoint


async def receive_upload(request: Request, folder: Path, csrf_ok: Callable[[str | None], bool], *,
                         limits: Limits = DEFAULT_LIMITS, csrf_seen: bool = False,
                         prepare: Callable[[Path], object] = _make_folder) -> Upload:
    """Return the fields and files of a multipart POST, the files stored in a private folder inside `folder`.

    Raises UploadRefused (the caller answers 403 or 400) when the CSRF value is missing or wrong
    before the first file (`csrf_seen`: the request's header already proved it), or the upload
    has too many parts; nothing stays behind then. `prepare(folder)` makes the folder when the
    first file comes (after the CSRF value); what it raises (OSError, FormkitError) goes to the caller.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise UploadRefused(Refusal.NOT_MULTIPART)
    upload = Upload(folder / f".ontvangst-{secrets.token_hex(8)}")
    receiver = _Receiver(upload, limits, csrf_ok, csrf_seen, prepare)
    parser = MultipartParser(options[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
    try:
        await _feed(request.stream(), parser.write)
        parser.finalize()
    except Exception as e:  # a forged, damaged or broken-off upload: nothing of it stays
        receiver.close()
        upload.discard()
        if isinstance(e, (UploadRefused, OSError, FormkitError)):
            raise  # refused, or the folder cannot be made: the caller says which
        raise UploadRefused(Refusal.DAMAGED, type(e).__name__) from e
    receiver.close()
    for item in upload.files:
        if item.path is not None and item.path.stat().st_size == 0:
            item.path.unlink()
            item.finding, item.path = finding(Code.file_empty, file=item.name), None
    return upload


async def _feed(stream: Any, write: Callable[[bytes], Awaitable[Any] | Any]) -> None:
    async for chunk in stream:
        if chunk:
            write(chunk)
