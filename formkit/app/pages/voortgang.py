"""The Voortgang page: per household its safety scores over meetings as a chart, and its signals with their rule.

Everything comes from the history store beside the register, read as ``formkit status``
reads it (:func:`formkit.plan.status.household_statuses`): the same scores, the same
signals, each with the Dutch text of the rule of the method it comes from. The overview
names each household with only its counts; a household's scores and signals are on its
own page, ``/voortgang/<dossier as formkit names its folders>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ...core.paths import id_part
from ...core.text import person_label, visible
from ...plan.history import History, default_path
from ...plan.status import HouseholdStatus, household_statuses
from ..state import AppState
from ..svg import Line, legend_key, score_chart, series_of
from ..view import finding_rows, page, state
from . import Page
from .meetings import parse_meeting

SLUG = "voortgang"
TITLE = "Voortgang"


def _message(request: Request, text: str, status_code: int) -> HTMLResponse:
    return page(request, "message.html", SLUG, TITLE, status_code=status_code, text=text)


def as_of_date(request: Request) -> dt.date | None:
    """Return the date the page shows the state on (`?op=jjjj-mm-dd`, as `formkit status --op`), today without one."""
    asked = request.query_params.get("op", "")
    return parse_meeting(asked) if asked else dt.date.today()


@dataclass(frozen=True)
class Statuses:
    """What a Voortgang page shows: every household's status on the date asked, and the history they come from."""

    st: AppState
    as_of: dt.date
    found: list[HouseholdStatus]
    history: History


def statuses(st: AppState, as_of: dt.date) -> tuple[list[HouseholdStatus], History]:
    """Return every household's status as of a date, as `formkit status` makes it, and the history read."""
    assert st.loaded is not None and st.register_path is not None
    history = History(default_path(st.register_path))
    return household_statuses(st.loaded.register, history, as_of, st.settings), history


def with_statuses(endpoint: Callable[[Request, Statuses], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Return a route running `endpoint(request, statuses)` once a register is chosen and the date asked is one."""
    async def route(request: Request) -> Response:
        st = state(request)
        if st.loaded is None or st.register_path is None:
            return _message(request, "Kies eerst het register op de pagina Register; de historie staat ernaast.", 409)
        as_of = as_of_date(request)
        if as_of is None:
            return _message(request, f"{visible(request.query_params.get('op', ''))} is geen datum (jjjj-mm-dd).", 400)
        found, history = statuses(st, as_of)
        return await endpoint(request, Statuses(st, as_of, found, history))
    route.__name__, route.__doc__ = endpoint.__name__, endpoint.__doc__
    return route


@with_statuses
async def index(request: Request, asked: Statuses) -> Response:
    """Return every household with its last meeting, next deadline and how many signals, most urgent first named."""
    as_of, found, history = asked.as_of, asked.found, asked.history
    return page(request, "voortgang.html", SLUG, TITLE, as_of=as_of, statuses=found, part=id_part,
                query=_query(request), rows=finding_rows(history.findings))


def _query(request: Request) -> str:
    """Return the `?op=` part to keep the date asked about on the links."""
    asked = request.query_params.get("op")
    return f"?op={asked}" if asked and parse_meeting(asked) else ""


@with_statuses
async def show(request: Request, asked: Statuses) -> Response:
    """Return one household's page: its scores over meetings (chart and table) and its signals with their rule."""
    st, as_of, found, history = asked.st, asked.as_of, asked.found, asked.history
    status = next((s for s in found if id_part(s.dossier) == request.path_params["deel"]), None)
    if status is None:
        return _message(request, "Dit huishouden staat niet in het register.", 404)
    people = series_of(status.history)
    chart = score_chart(people, f"Veiligheidscijfers van dossier {status.dossier}", st.settings.score_min,
                        st.settings.score_max, [Line(st.settings.direct_safety_score, "directe veiligheid"),
                                                Line(st.settings.stable_safety_score, "stabiele veiligheid")])
    return page(request, "voortgang_huishouden.html", SLUG, f"Voortgang dossier {status.dossier}", status=status,
                as_of=as_of, chart=chart, people=[s.who for s in people], query=_query(request),
                keys=[legend_key(index) for index in range(len(people))], regisseur=_regisseur(st, status.dossier),
                rows=finding_rows([f for f in history.findings if f.dossier in (None, status.dossier)]))


def _regisseur(st: AppState, dossier: str) -> str:
    """Return the household's regisseur as every document names a person, "name (organisation)"; empty when unset."""
    assert st.loaded is not None
    found = st.loaded.register.regisseur_of(dossier)
    return person_label(found.name, found.organisation) if found else ""


PAGE = Page(SLUG, TITLE, [
    Route(f"/{SLUG}", index, methods=["GET"]),
    Route(f"/{SLUG}/{{deel}}", show, methods=["GET"]),
])
