"""Serving the app with uvicorn on 127.0.0.1 only, on a free port, in a thread of its own.

:func:`start_in_thread` binds a loopback socket on port 0 (the system picks a free port),
hands it to uvicorn and returns once the server answers; :func:`serve` is what
``formkit app`` runs: it prints the link (with the token), opens the browser and waits for
Ctrl+C or the page's Stoppen button. uvicorn's access log stays off: addresses may carry
dossier numbers.
"""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from ..returns.isolation import warm_up
from .config import AppConfig
from .jobs import Jobs
from .web import create_app

HOST = "127.0.0.1"


@dataclass
class RunningApp:
    """A running app: its first URL (with the token), its base address, the token; `stop()` ends it."""

    url: str
    base: str
    token: str
    server: uvicorn.Server
    thread: threading.Thread
    jobs: Jobs

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the jobs (waiting ones cancelled) and the server; wait (at most `timeout` seconds) for its thread."""
        self.jobs.shutdown()
        self.server.should_exit = True
        self.thread.join(timeout)


def _loopback_socket() -> socket.socket:
    """Return a socket bound to 127.0.0.1 on a free port.

    The protocol is named: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on a socket
    whose protocol says TCP, and with it on every answer on a kept-open connection waits ~40 ms.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind((HOST, 0))
    return sock


def start_in_thread(config: AppConfig, *, token: str | None = None) -> RunningApp:
    """Return the app for `config` running on 127.0.0.1 on a free port in a background thread, ready to answer."""
    app = create_app(config, token=token)
    # the readers' fork server starts beside the page server, not at the first dropped form
    threading.Thread(target=warm_up, name="formkit-lezers", daemon=True).start()
    keys = app.state.formkit.keys
    sock = _loopback_socket()
    port = sock.getsockname()[1]
    # log_level "error": uvicorn's own English warnings ("Invalid HTTP request received") stay off the
    # secretary's console; the app's errors come as their type only (web.App).
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", access_log=False, lifespan="off",
                                           server_header=False))
    app.state.formkit.stop = _stopper(server, app.state.formkit.jobs.shutdown)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="formkit-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    base = f"http://{HOST}:{port}"
    return RunningApp(f"{base}/?token={keys.token}", base, keys.token, server, thread, app.state.formkit.jobs)


def _stopper(server: uvicorn.Server, shutdown: Callable[[], None]) -> Callable[[], None]:
    def stop() -> None:
        shutdown()
        server.should_exit = True
    return stop


def serve(config: AppConfig, open_browser: bool = True, echo: Callable[[str], None] = print) -> None:
    """Run the app until Ctrl+C or the Stoppen button: print the link in Dutch and open the browser."""
    running = start_in_thread(config)
    if not running.server.started:
        running.stop()
        raise OSError("de webserver van formkit kon niet starten")
    echo(f"formkit draait op {running.base} (alleen op deze computer).")
    echo(f"Open formkit met deze link: {running.url}")
    echo("Stoppen: druk op Ctrl+C, of klik op Stoppen in formkit.")
    if open_browser:
        webbrowser.open(running.url)
    try:
        while running.thread.is_alive():
            running.thread.join(0.5)
    except KeyboardInterrupt:
        running.stop()
    echo("formkit is gestopt.")
