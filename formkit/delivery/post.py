"""The way out of a run's messages: the mail server and the envelope, checked by the same rules for every caller.

``formkit mail``, ``formkit send ...`` and the app (:mod:`formkit.app.pages.mail`) build
their SMTP settings and their envelope here: a port must be a number, logging in needs
encryption, the sender is one plain address (``[post] afzender`` when none is given), and
sending by SMTP needs a sender. A broken rule raises UsageError with a Dutch reason; the
caller words it for its own options or fields.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UsageError
from ..core.settings import PostSettings
from ..core.text import visible
from .mail import Envelope, SmtpSettings, address_ok

#: The ways to secure the connection, with the port each uses when none is given.
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

NO_NUMBER = "'{value}' is geen HOST of HOST:POORT"
PLAIN_LOGIN = "inloggen zonder versleuteling doet formkit niet; kies STARTTLS of SSL"
NO_ADDRESS = "'{value}' is geen e-mailadres"
NO_SENDER = ("versturen via een mailserver kan alleen met een afzender: geef het adres op, of zet 'afzender' in "
             "de tabel [post] van de instellingen")


def server_address(value: str) -> tuple[str, int | None]:
    """Return (host, port or None) of "HOST[:POORT]"; raise UsageError when the port is no number or no host is given."""
    text = value.strip()
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    if not host or (port and not port.isdigit()) or any(c.isspace() for c in host):
        raise UsageError(NO_NUMBER.format(value=visible(value)))
    return host, int(port) if port else None


def smtp_server(address: str, security: str | None, user: str | None, password: str | None,
                cafile: Path | None = None) -> SmtpSettings:
    """Return how to reach the mail server at "HOST[:POORT]"; raise UsageError when logging in without encryption."""
    host, port = server_address(address)
    security = security or "none"
    if security not in DEFAULT_PORTS:
        raise UsageError(f"onbekende beveiliging '{visible(security)}'; kies STARTTLS, SSL of geen")
    if user and security == "none":
        raise UsageError(PLAIN_LOGIN)
    return SmtpSettings(host, port or DEFAULT_PORTS[security], security, user or None, password if user else None,
                        cafile)


def message_envelope(sender: str | None, post: PostSettings, *, smtp: bool) -> Envelope:
    """Return the envelope of a run's messages: `sender` or `[post] afzender`, and `[post] antwoordadres`.

    Raise UsageError when the sender is no plain address, or when sending by SMTP without one
    (mail servers refuse such messages).
    """
    sender = (sender or "").strip() or post.afzender
    if sender is not None and not address_ok(sender):
        raise UsageError(NO_ADDRESS.format(value=visible(sender)))
    if smtp and not sender:
        raise UsageError(NO_SENDER)
    return Envelope(sender, post.antwoordadres)
