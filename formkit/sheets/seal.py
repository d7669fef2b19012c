"""The secretariat's key and the seal formkit puts on every form it writes.

The seal is an HMAC-SHA256 over a form's identity (form id, dossier, professional,
meeting, schema version) with a secret key of the secretariat. A form whose identity
was edited after it was made, or that was made with another key, does not verify.

The key is a file of 32 random bytes (hex, after a Dutch comment line). It is looked
up in this order: the path in FORMKIT_SLEUTEL, the `sleutel` setting of the
`[beveiliging]` table in the settings TOML, and the per-user configuration folder.
Writing forms creates it (mode 0600) when it is missing; checking never does. The key
is never written into a form, an output or a log, and never shown. On Windows the mode
only sets the read-only bit: there the user folder's own access rights protect the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import FormkitError

#: Environment variable with the path of the key file; it wins over every other place.
KEY_ENV = "FORMKIT_SLEUTEL"
KEY_FILE_NAME = "sleutel.key"
#: The workbook metadata key that holds the seal, in both copies of the metadata.
SEAL_KEY = "formkit_seal"
KEY_BYTES = 32

_SEAL_PREFIX = "hmac-sha256:"
_DOMAIN = "formkit-zegel-v1"
_HEADER = ("# formkit-sleutel van het secretariaat: geheim houden, nooit mailen of in een formulier zetten, "
           "wel veilig back-uppen. Zonder deze sleutel kan formkit de formulieren die ermee gemaakt zijn "
           "niet meer controleren.")


class SealKeyError(FormkitError):
    """De sleutel van het secretariaat kan niet worden gelezen of gemaakt."""


@dataclass(frozen=True)
class SealKey:
    """The secretariat's key: where it lives and its secret (None when the file does not exist)."""

    path: Path
    secret: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def present(self) -> bool:
        """True when the key file exists and was read."""
        return self.secret is not None


def user_config_dir() -> Path:
    """Return the per-user folder for formkit's configuration (%APPDATA% or XDG)."""
    if sys.platform.startswith("win") and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "formkit"
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "formkit"


def key_path(configured: Path | None = None, *, explicit: Path | None = None) -> Path:
    """Return where the key file is: `explicit` (--sleutel), FORMKIT_SLEUTEL, `configured` (settings), user folder."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser()
    if configured is not None:
        return Path(configured).expanduser()
    return user_config_dir() / KEY_FILE_NAME


def _parse(text: str, path: Path) -> bytes:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        secret = bytes.fromhex(lines[0]) if len(lines) == 1 else b""
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise SealKeyError(f"het sleutelbestand {path} is geen formkit-sleutel (beschadigd of een ander bestand); "
                        "zet de sleutel terug uit de back-up")
    return secret


def _create(path: Path) -> None:
    """Write a new random key to `path` (mode 0600); leave an existing key alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"{_HEADER}\n{secrets.token_bytes(KEY_BYTES).hex()}\n".encode("ascii")
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temp, path)  # never replaces a key another run just made
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: create in place, still exclusively
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd, "wb") as f:
                f.write(text)
    finally:
        temp.unlink(missing_ok=True)


def load_key(path: Path, *, create: bool = False) -> SealKey:
    """Return the key at `path`; create it first when `create` and it is missing; raise SealKeyError if unusable.

    Without `create` a missing file gives a SealKey whose secret is None: checking never
    makes a key, since a new key would verify no form made before.
    """
    path = Path(path)
    try:
        if create and not path.exists():
            _create(path)
        if not path.exists():
            return SealKey(path)
        if path.stat().st_size > 4096:
            raise SealKeyError(f"het sleutelbestand {path} is geen formkit-sleutel (te groot)")
        return SealKey(path, _parse(path.read_text(encoding="ascii", errors="replace"), path))
    except OSError as e:
        what = "gemaakt" if create else "gelezen"
        raise SealKeyError(f"de sleutel van het secretariaat kan niet worden {what}: {path} "
                        f"({e.strerror or type(e).__name__})") from None


def canonical(identity: Mapping[str, str]) -> bytes:
    """Return the unambiguous bytes the seal is computed over: sorted-key JSON after a domain tag."""
    body = json.dumps({str(k): str(v) for k, v in identity.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return f"{_DOMAIN}\n{body}".encode()


def seal(key: SealKey, identity: Mapping[str, str]) -> str:
    """Return the seal text of an identity under `key`."""
    if key.secret is None:
        raise SealKeyError(f"de sleutel van het secretariaat ontbreekt: {key.path}")
    return _SEAL_PREFIX + hmac.new(key.secret, canonical(identity), hashlib.sha256).hexdigest()


def verify(key: SealKey, identity: Mapping[str, str], stored: str) -> bool:
    """True when `stored` is the seal of `identity` under `key` (compared in constant time)."""
    if key.secret is None:
        return False
    return hmac.compare_digest(seal(key, identity).encode("utf-8"), str(stored).encode("utf-8", "replace"))


def default_key(*, create: bool = False, configured: Path | None = None) -> SealKey:
    """Return the key from its usual place (see key_path); create it when `create` and missing."""
    return load_key(key_path(configured), create=create)
