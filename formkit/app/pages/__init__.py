"""The app's pages, one module each, every module exposing ``PAGE = Page(slug, title, routes)``.

:mod:`formkit.app.web` collects them in a fixed order (:data:`ORDER`); a page that does not
exist (yet) is left out of the navigation. A new page is a module here and its name in ORDER.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.routing import BaseRoute

#: The pages in the order the navigation shows them.
ORDER = ("register", "overleg", "retour", "plannen", "pakket", "mail", "voortgang")


@dataclass(frozen=True)
class Page:
    """One page of the app: its address (`/<slug>`), its Dutch title in the navigation, and its routes."""

    slug: str
    title: str
    routes: list[BaseRoute] = field(default_factory=list)
