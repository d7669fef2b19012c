"""Returned forms straight from the mailbox: the attachments of .eml and Outlook .msg files.

A secretary drags the professionals' replies out of the mail program; `formkit check`
takes those message files (and folders of them) beside loose workbooks. Each message is
as hostile as any returned file: it is opened in a capped reading worker
(:mod:`formkit.returns.isolation`), only when it is within the file size limit, and its
attachments are written under safe names (no path parts, no hidden names) into a new
folder of the batch's private scratch folder. From there every attachment goes through
the same intake, isolated reading and identity as a loose file; findings about it name
the message (sender, date, subject) and the attachment.

Which parts count: every attachment except the message's own text and inline images
(a signature's logo). An attached message (a forwarded reply, message/rfc822 or an
Outlook item) is opened one level deep: its attachments count as the outer message's;
a message inside that one is refused with a finding. .eml is read with the standard
`email` package, .msg with extract-msg.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from functools import partial
from pathlib import Path, PurePath

from ..core import dutch
from ..core.findings import Code, Finding, finding
from ..core.text import quote, visible
from .intake import MB, Limits
from .isolation import read_isolated

#: The suffixes of message files formkit opens.
EML, MSG = ".eml", ".msg"
MESSAGE_SUFFIXES = (EML, MSG)
#: An e-mail with more attachments than this is no professional's reply; none of them is read.
MAX_ATTACHMENTS = 100
#: How deep multipart containers may nest in one message (a real mail: 3 or 4).
MAX_NESTING = 20
#: Suffixes and content types that say an attachment is meant as a workbook.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam", ".xls", ".xlsb", ".ods", ".csv")
_WORKBOOK_TYPES = ("spreadsheet", "excel", "opendocument.spreadsheet", "text/csv")
#: Characters no attachment name keeps: path separators, what Windows forbids, controls.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_NAME_LIMIT = 100

# extract-msg logs its doubts about odd files; those are findings here, not lines on stderr
logging.getLogger("extract_msg").addHandler(logging.NullHandler())
logging.getLogger("extract_msg").propagate = False


def is_message(path: Path) -> bool:
    """Return True when the file is an e-mail message formkit opens (.eml or .msg, by its name)."""
    return path.suffix.lower() in MESSAGE_SUFFIXES


@dataclass(frozen=True)
class Envelope:
    """Who sent a message, when, and about what, as read from the message (untrusted text)."""

    path: Path
    sender: str = ""
    #: When it was sent: a datetime where the message says the time too.
    date: dt.date | None = None
    subject: str = ""

    def label(self) -> str:
        """Return the message in words, safe and short: its file name, sender, date and subject.

        A message never opened (damaged, too large) is named by its file name only.
        """
        name = f"e-mail {visible(self.path.name)}"
        if not (self.sender or self.date or self.subject):
            return name
        sender = quote(self.sender, 60) if self.sender else "onbekende afzender"
        date = dutch.long_date(self.date) if self.date else "zonder datum"
        subject = f"onderwerp '{quote(self.subject, 60)}'" if self.subject else "zonder onderwerp"
        return f"{name} (van {sender}, {date}, {subject})"

    def attachment_label(self, name: str) -> str:
        """Return an attachment of this message in words: its name as sent and the message."""
        return f"bijlage '{quote(name, 80)}' in {self.label()}"


@dataclass(frozen=True)
class Extracted:
    """One attachment saved in the scratch folder: its name as sent, where it is, and its label."""

    name: str
    saved: Path
    label: str


@dataclass
class Unpacked:
    """A message opened: its envelope, its attachments saved, and findings about the message or a part."""

    envelope: Envelope
    attachments: list[Extracted] = field(default_factory=list)
    #: (name of the part or None for the message itself, finding); each finding's file is already a label.
    findings: list[tuple[str | None, Finding]] = field(default_factory=list)


@dataclass(frozen=True)
class _Part:
    """An attachment as found in a message, before it is saved."""

    name: str
    data: bytes
    content_type: str = ""


class _Damaged(Exception):
    """Internal: the message cannot be read; the reason in Dutch."""


def unpack(path: Path, scratch: Path, limits: Limits) -> Unpacked:
    """Return a message's envelope, its attachments saved under safe names in a new folder of `scratch`, and findings.

    Never raises for a bad message: a damaged, empty or too large one is a finding.
    """
    path = Path(path)
    envelope = Envelope(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        return _refused(envelope, finding(Code.file_unreadable, reason=e.strerror or type(e).__name__,
                                          file=envelope.label()))
    if size == 0:
        return _refused(envelope, finding(Code.file_empty, file=envelope.label()))
    if size > limits.max_file_bytes:
        return _refused(envelope, finding(Code.file_too_large, size=round(size / MB, 1),
                                          limit=limits.max_file_bytes // MB, file=envelope.label()))
    try:
        if path.suffix.lower() == MSG:
            envelope, parts, nested = _read_msg(path)
        else:
            envelope, parts, nested = _read_eml(path)
    except _Damaged as e:
        return _refused(envelope, finding(Code.mail_damaged, reason=str(e), file=envelope.label()))
    except OSError as e:  # the file went away or its rights changed while the batch ran
        if e.errno is None:  # a parser's complaint about the content, not about reading the file
            return _refused(envelope, finding(Code.mail_damaged, reason=_reason(e), file=envelope.label()))
        return _refused(envelope, finding(Code.file_unreadable, reason=e.strerror or type(e).__name__,
                                          file=envelope.label()))
    except Exception as e:  # noqa: BLE001 - a parser's error on a hostile message is damage, never a traceback
        return _refused(envelope, finding(Code.mail_damaged, reason=_reason(e), file=envelope.label()))
    result = Unpacked(envelope)
    result.findings += [(name, finding(Code.mail_nested, file=envelope.attachment_label(name))) for name in nested]
    if len(parts) > MAX_ATTACHMENTS:
        result.findings.append((None, finding(Code.mail_too_many_attachments, count=len(parts), limit=MAX_ATTACHMENTS,
                                              file=envelope.label())))
        return result
    if not any(_is_workbook(p) for p in parts):
        result.findings.append((None, finding(Code.mail_no_workbook, file=envelope.label())))
    folder = Path(tempfile.mkdtemp(dir=scratch))
    for i, part in enumerate(parts):
        saved = folder / f"{i:03d}" / safe_name(part.name, i + 1)
        saved.parent.mkdir()
        saved.write_bytes(part.data)
        if isinstance(envelope.date, dt.datetime):  # a form without its own save time counts as sent then
            sent = envelope.date.timestamp()
            os.utime(saved, (sent, sent))
        result.attachments.append(Extracted(part.name, saved, envelope.attachment_label(part.name)))
    return result


def _refused(envelope: Envelope, problem: Finding) -> Unpacked:
    return Unpacked(envelope, findings=[(None, problem)])


def _reason(error: Exception) -> str:
    """Return why a parser gave up, in Dutch where formkit knows it."""
    if isinstance(error, RecursionError):
        return "te diep geneste onderdelen"
    return f"het bestand is niet te lezen als e-mailbericht: {type(error).__name__}"


def safe_name(raw: str, number: int) -> str:
    """Return a file name for an attachment that stays in its folder: no path parts, not hidden, not too long.

    The suffix stays (the intake judges a file by it too); a name with nothing left becomes 'bijlage-N'.
    """
    name = PurePath(raw.replace("\\", "/")).name if raw else ""
    name = _UNSAFE_NAME.sub("_", visible(name)).strip().lstrip(".~$ ").rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:10]
    stem = _cut_bytes(stem, _NAME_LIMIT) or f"bijlage-{number}"  # file systems count bytes (255), not characters
    return f"{stem}.{suffix}" if suffix else stem


def _cut_bytes(text: str, limit: int) -> str:
    """Return the longest start of `text` whose UTF-8 form has at most `limit` bytes (never half a character)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _is_workbook(part: _Part) -> bool:
    """Return True when an attachment is meant as a workbook, by its name or content type."""
    content_type = part.content_type.lower()
    return part.name.lower().endswith(WORKBOOK_SUFFIXES) or any(t in content_type for t in _WORKBOOK_TYPES)


# --- .eml: the standard email package ------------------------------------------------------

_HEADERS = ("from", "to", "date", "subject", "message-id", "mime-version", "content-type", "received")


def _read_eml(path: Path) -> tuple[Envelope, list[_Part], list[str]]:
    """Return a .eml message's envelope, its attachments (one attached message deep) and the names of deeper ones."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    if not any(k.lower() in _HEADERS for k in message.keys()):
        raise _Damaged("geen kopregels van een e-mail gevonden")
    envelope = Envelope(path, _header(message, "From"), _eml_date(message), _header(message, "Subject"))
    parts: list[_Part] = []
    nested: list[str] = []
    for part, depth in _eml_leaves(message, 0, 0):
        if part.get_content_type() == "message/rfc822":
            if depth > 0:
                nested.append(_eml_name(part) or "doorgestuurd bericht")
            continue
        if _eml_is_attachment(part):
            data = part.get_payload(decode=True)
            parts.append(_Part(_eml_name(part), data if isinstance(data, bytes) else b"", part.get_content_type()))
    return envelope, parts, nested


def _eml_leaves(part: Message, depth: int, nesting: int) -> Iterator[tuple[Message, int]]:
    """Yield (leaf part, message depth): multipart containers are opened, an attached message one level deep."""
    if nesting > MAX_NESTING:
        raise _Damaged("te diep geneste onderdelen")
    if part.get_content_maintype() == "multipart":
        for sub in part.iter_parts() if isinstance(part, EmailMessage) else []:
            yield from _eml_leaves(sub, depth, nesting + 1)
        return
    yield part, depth
    if part.get_content_type() == "message/rfc822" and depth == 0:
        inner = part.get_payload()
        for message in inner if isinstance(inner, list) else []:
            if isinstance(message, Message):
                yield from _eml_leaves(message, depth + 1, nesting + 1)


def _eml_is_attachment(part: Message) -> bool:
    """Return True for a part sent as a file: not the message's text, not an inline image."""
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "image":
        return False  # an inline image, such as a signature's logo
    if part.get_content_maintype() == "message":
        return False  # a delivery report or other message part, not a file sent
    return _eml_name(part) != "" or part.get_content_maintype() not in ("text", "multipart")


def _eml_name(part: Message) -> str:
    """Return an attachment's file name as sent ('' when it has none or it cannot be read)."""
    try:
        return str(part.get_filename() or "")
    except Exception:  # noqa: BLE001 - a malformed header gives no name, not a traceback
        return ""


def _header(message: Message, name: str) -> str:
    """Return a header as text ('' when absent or unreadable)."""
    try:
        return str(message.get(name) or "")
    except Exception:  # noqa: BLE001 - a malformed header reads as absent
        return ""


def _eml_date(message: Message) -> dt.date | None:
    """Return when a message was sent, by its Date header (None when absent or no date)."""
    try:
        header = message.get("Date")
        sent = getattr(header, "datetime", None)
    except Exception:  # noqa: BLE001 - an unparseable date reads as none
        return None
    return sent if isinstance(sent, dt.datetime) else None


# --- .msg: Outlook's own format, through extract-msg -------------------------------------------


def _read_msg(path: Path) -> tuple[Envelope, list[_Part], list[str]]:
    """Return an Outlook message's envelope, its attachments (one attached message deep) and the names of deeper ones."""
    import extract_msg  # imported where a batch holds .msg files: see `unpack_all`

    try:
        message = extract_msg.openMsg(str(path), strict=False)
    except Exception as e:  # noqa: BLE001 - extract-msg's many errors all mean: no readable Outlook message
        if isinstance(e, OSError) and e.errno is not None:
            raise  # the file itself could not be read (olefile says "not an OLE file" as an OSError without errno)
        raise _Damaged(f"geen leesbaar Outlook-bericht: {type(e).__name__}") from e
    try:
        envelope = _msg_envelope(path, message)
        parts: list[_Part] = []
        nested: list[str] = []
        _msg_parts(message, 0, parts, nested)
        return envelope, parts, nested
    finally:
        message.close()


def _msg_envelope(path: Path, message: object) -> Envelope:
    sent = getattr(message, "date", None)
    return Envelope(path, str(getattr(message, "sender", None) or ""),
                    sent if isinstance(sent, dt.datetime) else None,
                    str(getattr(message, "subject", None) or ""))


def _msg_parts(message: object, depth: int, parts: list[_Part], nested: list[str]) -> None:
    """Add an Outlook message's attachments to `parts`; open an attached message one level deep."""
    from extract_msg.enums import AttachmentType

    for attachment in getattr(message, "attachments", None) or []:
        name = str(attachment.longFilename or attachment.shortFilename or attachment.name or "")
        kind = attachment.type
        if kind in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED):
            if depth == 0:
                _msg_parts(attachment.data, depth + 1, parts, nested)
            else:
                nested.append(name or "doorgestuurd bericht")
            continue
        content_type = str(attachment.mimetype or "")
        if attachment.hidden or (attachment.cid and content_type.startswith("image/")):
            continue  # an inline image, such as a signature's logo
        data = attachment.data if kind == AttachmentType.DATA else None
        parts.append(_Part(name, data if isinstance(data, bytes) else b"", content_type))


# --- a batch's message files ---------------------------------------------------------------------


@dataclass
class Inbox:
    """A batch's files with its messages opened: what to read, and what each attachment is called.

    `files` holds the loose files and the saved attachments, in batch order; `refused`
    the findings about messages and parts that give no file to read, with the path the
    batch shows for them.
    """

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, Finding]] = field(default_factory=list)
    #: Saved attachment -> (the path the batch shows: message path / safe name, the label findings show).
    sources: dict[Path, tuple[Path, str]] = field(default_factory=dict)

    def relabel(self, path: Path, findings: list[Finding]) -> tuple[Path, str | None, list[Finding]]:
        """Return (shown path, label or None, findings naming the message) for a file the batch read."""
        source = self.sources.get(path)
        if source is None:
            return path, None, findings
        shown, label = source
        return shown, label, [replace(f, file=label) for f in findings]


def unpack_all(files: list[Path], scratch: Path, limits: Limits, jobs: int = 1) -> Inbox:
    """Return the batch's files with every message replaced by its attachments saved in `scratch`.

    Messages are opened in capped reading workers, as workbooks are read; one that
    hits a limit gets that limit's finding and the others go on.
    """
    inbox = Inbox()
    messages = [p for p in files if is_message(p)]
    if any(p.suffix.lower() == MSG for p in messages):
        import extract_msg  # noqa: F401 - a missing or broken install shows here, before any worker starts
    opened: dict[Path, Unpacked | Finding] = {}
    if messages:
        opener = partial(unpack, scratch=scratch, limits=limits)
        opened = dict(read_isolated(opener, messages, limits, jobs))
    for path in files:
        if path not in opened:
            inbox.files.append(path)
            continue
        result = opened[path]
        if isinstance(result, Finding):  # the worker hit a limit or died on this message
            inbox.refused.append((path, replace(result, file=Envelope(path).label())))
            continue
        for name, problem in result.findings:
            inbox.refused.append((path / safe_name(name, 0) if name is not None else path, problem))
        for attachment in result.attachments:
            inbox.files.append(attachment.saved)
            inbox.sources[attachment.saved] = (path / attachment.saved.name, attachment.label)
    return inbox
