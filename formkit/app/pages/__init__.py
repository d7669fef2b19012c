"""The app's pages, one module each, every module exposing ``PAGE = Page(slug, title, routes)``.

:mod:`formkit.app.web` lists them in the order of the navigation (``PAGES``); a new page is a
module here and its ``PAGE`` in that list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.routing import BaseRoute


@dataclass(frozen=True)
class Page:
    """One page of the app: its address (`/<slug>`), its Dutch title in the navigation, and its routes."""

    slug: str
    title: str
    routes: list[BaseRoute] = field(default_factory=list)
