"""The app's gate: only the browser that opened the link `formkit app` printed, only on this computer.

One random token per app start. ``GET /?token=T`` with the right token sets the session
cookie (HttpOnly, SameSite=Strict) and sends the browser to ``/`` so the token leaves the
address bar; any other request without that cookie gets a short Dutch 403 page. The cookie's
value is a session secret of its own (never the token, which stays in the terminal and the
browser's history), and its name carries the port, so two apps in one browser keep their own.
A request whose ``Host`` is not this server on loopback (DNS rebinding) or a POST from another
(or an opaque) origin is refused too. Every response carries a strict Content-Security-Policy,
Referrer-Policy same-origin and no-store.
The CSRF value (a second random value) is checked per POST in :mod:`formkit.app.web`.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

#: The session cookie's name; the port follows (`formkit_sessie_<port>`): cookies are per host, not per port.
COOKIE = "formkit_sessie"
CSRF_FIELD = "csrf"
#: The largest form body (application/x-www-form-urlencoded) the gate lets through: the app's forms are a few fields.
MAX_FORM_BYTES = 1024 * 1024
CSRF_HEADER = "x-csrf-token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin: the app's own forms carry their real Origin (no-referrer made it "null"); no address
    # (they carry dossier numbers) ever goes to another site.
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]
NO_SESSION = "Open formkit via de link die 'formkit app' gaf."
WRONG_HOST = "Deze pagina hoort bij formkit op deze computer; open haar via 127.0.0.1 of localhost."
WRONG_ORIGIN = "Dit formulier kwam niet van formkit zelf en is niet uitgevoerd."
FORM_TOO_LARGE = "Dit formulier is te groot en is niet verwerkt; de formulieren van formkit zijn veel kleiner."
NO_CSRF = "Dit formulier is verlopen of kwam niet van formkit zelf; laad de pagina opnieuw en probeer het nog eens."

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Secrets:
    """The random values of one app start: the link's token, the session cookie's value and the CSRF value."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def token_ok(self, value: str | None) -> bool:
        """Return True when `value` is the session token (compared in constant time)."""
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())

    def session_ok(self, value: str | None) -> bool:
        """Return True when `value` is the session cookie's value (compared in constant time)."""
        return value is not None and hmac.compare_digest(value.encode(), self.session.encode())

    def csrf_ok(self, value: str | None) -> bool:
        """Return True when `value` is the CSRF value (compared in constant time)."""
        return value is not None and hmac.compare_digest(value.encode(), self.csrf.encode())


def refusal_page(text: str) -> bytes:
    """Return the short Dutch page of a refused request."""
    from html import escape

    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Geen toegang – formkit</title>'
            f'</head><body><main><h1>Geen toegang</h1><p>{escape(text)}</p></main></body></html>').encode()


async def refuse(send: Send, text: str, status: int = 403) -> None:
    """Send a refusal page with the app's headers."""
    body = refusal_page(text)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def cookie_name(scope: Scope) -> str:
    """Return the name of this server's session cookie: `formkit_sessie_<port>`."""
    server = scope.get("server") or ("127.0.0.1", None)
    return f"{COOKIE}_{server[1] or 80}"


def session_cookie(scope: Scope) -> str | None:
    """Return the value of this server's session cookie in a request, or None."""
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is no session
        return None
    morsel = jar.get(cookie_name(scope))
    return morsel.value if morsel else None


def allowed_hosts(scope: Scope) -> set[str]:
    """Return the Host values this server answers to: 127.0.0.1 and localhost with its own port."""
    server = scope.get("server") or ("127.0.0.1", None)
    port = server[1]
    names = ("127.0.0.1", "localhost")
    return {f"{name}:{port}" for name in names} | ({*names} if port in (80, None) else set())


FORM_TYPE = "application/x-www-form-urlencoded"


async def _read_capped(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """Return the request's body, or None when it is (or says it is) longer than `limit` bytes."""
    declared = _header(scope, b"content-length") or ""
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > limit):
        return None
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the browser went away: an empty form
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a `receive` that gives the body read already, then what the connection says (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replayed


class Gate:
    """ASGI middleware: session token, Host and Origin checks, and the security headers on every response."""

    def __init__(self, app: ASGIApp, keys: Secrets):
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request when it passes the gate; otherwise answer 403 with a Dutch page."""
        if scope["type"] == "websocket":  # the app has none: refuse before any check could be skipped
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if host is None or host.lower() not in allowed_hosts(scope):
            await refuse(send, WRONG_HOST)
            return
        if scope["method"] == "POST":
            origin = _header(scope, b"origin")
            # Under Referrer-Policy same-origin a browser sends the real origin for the app's own forms;
            # "null" (a sandboxed frame, a data: or file: page) is another origin and refused.
            if origin is not None and origin.lower() != f"http://{host.lower()}":
                await refuse(send, WRONG_ORIGIN)
                return
        if scope["path"] == "/" and scope["method"] == "GET" and b"token=" in scope.get("query_string", b""):
            await self._open_session(scope, send)
            return
        if not self.keys.session_ok(session_cookie(scope)):
            await refuse(send, NO_SESSION)
            return
        if scope["method"] == "POST" and (_header(scope, b"content-type") or "").lower().startswith(FORM_TYPE):
            body = await _read_capped(scope, receive, MAX_FORM_BYTES)
            if body is None:
                await refuse(send, FORM_TOO_LARGE, 413)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, self._with_headers(send))

    async def _open_session(self, scope: Scope, send: Send) -> None:
        """Turn the link's token into the session cookie and send the browser on to `/`; a wrong token: 403.

        The token stays valid while the app runs: a secretary who closed the browser opens the
        link from the terminal again (a session cookie is gone with the browser). Single use would
        lock her out until a restart, for little gain: the token is only on this computer (the
        terminal, this browser's history) and the server answers only on loopback.
        """
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if not self.keys.token_ok((query.get("token") or [None])[0]):
            await refuse(send, NO_SESSION)
            return
        cookie = f"{cookie_name(scope)}={self.keys.session}; HttpOnly; SameSite=Strict; Path=/"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0"), *HEADERS]})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + HEADERS
            await send(message)
        return wrapped
