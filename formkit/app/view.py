"""Rendering the app's pages: the Jinja2 templates (autoescape on), their Dutch filters, and helpers for pages.

Every page renders through :func:`page`, which gives the template the navigation, the CSRF
value and the app's state. Dates and numbers reach a page only through :mod:`formkit.core.dutch`
(filters ``datum``, ``lange_datum``, ``getal``); untrusted text through ``visible`` (filter
``zichtbaar``), and "name (organisation)" through :func:`formkit.core.text.person_label`.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..core import dutch
from ..core.findings import Finding
from ..core.messages import plural
from ..core.text import person_label, visible
from .filenames import file_name
from .jobs import DONE, FOREIGN, NOT_HERE, Job, JobScope
from .pages import Page
from .state import AppState

log = logging.getLogger("formkit.app")

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@cache
def environment() -> Environment:
    """Return the Jinja2 environment of the app's templates, escaping every value."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(datum=dutch.short_date, lange_datum=dutch.long_date, getal=dutch.number,
                       zichtbaar=lambda value: visible("" if value is None else str(value)), bestand=file_name)
    env.globals.update(persoon=person_label, meervoud=plural)
    return env


def state(request: Request) -> AppState:
    """Return the app's state for a request."""
    return request.app.state.formkit


def pages(request: Request) -> list[Page]:
    """Return the pages of the navigation, in order."""
    return request.app.state.pages


def fragment(name: str, **context: Any) -> str:
    """Return a template rendered on its own (a part of a page, as htmx swaps it in)."""
    return environment().get_template(name).render(**context)


def page(request: Request, name: str, active: str, title: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Return a whole page: `name` rendered in the layout, its slug `active` in the navigation, `title` its h1."""
    st = state(request)
    html = environment().get_template(name).render(
        request=request, nav=pages(request), active=active, title=title, csrf=st.keys.csrf, app=st, **context)
    return HTMLResponse(html, status_code=status_code)


def finding_rows(findings: list[Finding]) -> list[dict[str, str]]:
    """Return findings as table rows: kind, file, sheet, row, column (with cell), dossier and the Dutch message."""
    return [{"soort": f.severity.value, "bestand": visible(f.file or ""), "blad": visible(f.sheet or ""),
             "rij": str(f.row) if f.row is not None else "",
             "kolom": visible((f.column or "") + (f" ({f.cell})" if f.cell else "")),
             "dossier": visible(f.dossier or ""), "melding": visible(f.message, multiline=True)}
            for f in findings]


def job_for(request: Request, scope: JobScope) -> tuple[Job | None, str]:
    """Return the job of the address (`?taak=`) and its HTML when it belongs to `scope`; else None and "" or why not.

    A job of another page, meeting or household is never shown here: its title and result
    may name another household (need to know); the page says so instead.
    """
    found = state(request).jobs.scoped(request.query_params.get("taak"), scope)
    if found is FOREIGN:
        return None, foreign_job()
    return (found, job_fragment(found)) if isinstance(found, Job) else (None, "")


def foreign_job() -> str:
    """Return the HTML a page shows for a job that is not its own: no title, no result."""
    return f'<p class="melding" role="status">{NOT_HERE}</p>'


def job_fragment(job: Job) -> str:
    """Return the HTML of a job: a <progress> and its text, or its result when finished."""
    result = ""
    if job.finished and job.render is not None and job.state == DONE:
        try:
            result = job.render(job)
        except Exception as e:  # the result page failed: say so, never a 500
            log.error("resultaat van taak '%s' niet te tonen: %s", job.title, type(e).__name__)
            result = '<p class="fout">De uitkomst kan niet worden getoond door een onverwachte fout.</p>'
    return fragment("job.html", job=job, result=result)
