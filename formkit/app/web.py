"""The web application: the pages of :mod:`formkit.app.pages` behind the gate of :mod:`formkit.app.security`.

:func:`create_app` builds a Starlette app. Every POST route is wrapped so that it runs only
with the app's CSRF value (header ``X-CSRF-Token``, sent by htmx, or the hidden form field
``csrf``); an upload route (:func:`formkit.app.uploads.accepts_upload`) checks the field itself
while it streams. Errors never show a traceback: a Dutch page instead.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from ..core.errors import FormkitError
from ..core.text import visible
from .config import AppConfig
from .jobs import JobScope
from .pages import Page, mail, overleg, pakket, plannen, register, retour, voortgang
from .security import CSRF_FIELD, CSRF_HEADER, HEADERS, NO_CSRF, Gate, Secrets, refusal_page
from .state import AppState
from .view import STATIC, foreign_job, fragment, job_fragment, page, state

log = logging.getLogger("formkit.app")

Endpoint = Callable[[Request], Awaitable[Response]]


#: The pages in the order of the navigation.
PAGES: list[Page] = [register.PAGE, overleg.PAGE, retour.PAGE, plannen.PAGE, pakket.PAGE, mail.PAGE, voortgang.PAGE]


def csrf_protected(endpoint: Endpoint) -> Endpoint:
    """Return `endpoint` guarded: it runs only when the request carries the app's CSRF value."""
    async def guarded(request: Request) -> Response:
        keys = state(request).keys
        if keys.csrf_ok(request.headers.get(CSRF_HEADER)):
            return await endpoint(request)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            if getattr(endpoint, "accepts_upload", False):
                return await endpoint(request)  # receive_upload checks the field before the first file
        elif content_type.startswith("application/x-www-form-urlencoded"):
            form = await request.form(max_files=0, max_fields=100)
            value = form.get(CSRF_FIELD)
            if keys.csrf_ok(value if isinstance(value, str) else None):
                return await endpoint(request)
        return HTMLResponse(refusal_page(NO_CSRF), status_code=403)
    guarded.__name__ = getattr(endpoint, "__name__", "guarded")
    return guarded


def _guard(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Return the routes with every POST endpoint wrapped by :func:`csrf_protected`."""
    guarded: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            route = Route(route.path, csrf_protected(route.endpoint), methods=list(route.methods), name=route.name)
        guarded.append(route)
    return guarded


async def home(request: Request) -> Response:
    """Send the browser to the first page (the register)."""
    return RedirectResponse("/register", status_code=303)


async def job_status(request: Request) -> Response:
    """Return a job's progress fragment: polling itself while the job runs, the page's result once done.

    A page polls with its own scope (``pagina``, ``datum``, ``dossier``, see job.html): a job of
    another page, meeting or household is not shown there. Without a scope the job is shown as itself.
    """
    job = state(request).jobs.get(request.path_params["job_id"])
    if job is None:
        return HTMLResponse('<p class="melding">Deze taak is niet (meer) bekend; start haar opnieuw.</p>', status_code=404)
    asked = JobScope.from_fields(request.query_params)  # a page's poll names the page's scope
    if asked is not None:  # ... of the register chosen now
        asked = dataclasses.replace(asked, register=state(request).register_path)
    if asked is not None and asked != job.scope:
        return HTMLResponse(foreign_job())  # 200: htmx swaps it in and stops polling
    return HTMLResponse(job_fragment(job))


async def stop(request: Request) -> Response:
    """Stop the app after this response: the page says it stopped."""
    st = state(request)
    response = page(request, "stopped.html", "", "formkit is gestopt")
    if st.stop is not None:
        response.background = BackgroundTask(st.stop)  # after the response: the page says it stopped
    return response


async def not_found(request: Request, exc: Exception) -> Response:
    """Return the Dutch page for an address that does not exist (or a method it does not take)."""
    code = exc.status_code if isinstance(exc, HTTPException) else 404
    text = "Deze pagina bestaat niet." if code == 404 else "Dat kan op deze pagina niet."
    return page(request, "message.html", "", "Niet gevonden" if code == 404 else "Niet mogelijk",
                status_code=code, text=text)


async def server_error(request: Request, exc: Exception) -> Response:
    """Return the Dutch page for an unexpected error (:class:`App` logs its type only, no case data)."""
    text = (visible(str(exc)) if isinstance(exc, FormkitError) else
            "Er ging iets onverwachts mis. Probeer het nog eens; blijft het misgaan, meld het dan aan uw beheerder.")
    return HTMLResponse(fragment("message.html", request=request, nav=request.app.state.pages, active="",
                                 title="Er ging iets mis", text=text, csrf=state(request).keys.csrf),
                        status_code=500, headers={k.decode(): v.decode() for k, v in HEADERS})


class App(Starlette):
    """The Starlette app that never hands an error on to the server.

    Starlette answers an unexpected error with :func:`server_error` and then raises it again for
    the server to log: uvicorn would print the traceback with the error's message (a path, a
    name) on the secretary's console. Here the error ends: the log gets its type only, never the
    message nor the address (addresses carry dossier numbers).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; an error that escaped the 500 page is logged by its type only."""
        try:
            await super().__call__(scope, receive, send)
        except Exception as e:  # answered already (or the answer was under way): its type only
            log.error("onverwachte fout: %s", type(e).__name__)


def create_app(config: AppConfig, *, token: str | None = None) -> Starlette:
    """Return the app for `config`; `token` fixes the session token (tests), else it is random per start."""
    keys = Secrets(token=token) if token is not None else Secrets()
    app_state = AppState(config, keys, config.method_settings())
    if config.register is not None and config.register.is_file():
        app_state.choose_register(config.register)
    found = list(PAGES)
    routes: list[BaseRoute] = [
        Route("/", home, methods=["GET"]),
        Route("/taken/{job_id}", job_status, methods=["GET"]),
        Route("/stoppen", stop, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    for found_page in found:
        routes += found_page.routes
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        404: not_found, 405: not_found, Exception: server_error}
    app = App(routes=_guard(routes), middleware=[Middleware(Gate, keys=keys)], exception_handlers=handlers)
    app.state.formkit = app_state
    app.state.pages = found
    return app
