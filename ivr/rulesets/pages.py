"""The rules admin pages: draft, try, replay (with publish), versions, suggestions.

Each page is a frame the browser fills from the rules JSON API (``/api/rules/...``,
ivr.rulesets.api and the draft routes): the server renders only what does not change
while the page is open (the caller flags a rule may name, the limits), so a page never
shows a draft older than the API's. Admins only, through the console's AdminPages
(signed out → /login, an operator → the 403 page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ivr.callers.model import KNOWN_FLAGS
from ivr.console.admin_pages import (
    RULES_DRAFT,
    RULES_REPLAY,
    RULES_SUGGESTIONS,
    RULES_TRY,
    RULES_VERSIONS,
    AdminPages,
    NavLink,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Files bigger than this are fetched only when the admin asks (the directory of a large
# force runs to megabytes; a textarea that size makes every keystroke slow).
LAZY_BYTES = 200_000


@dataclass(frozen=True)
class RulesPage:
    """One page: where it is in the navigation and its template."""

    link: NavLink
    template: str


DRAFT = RulesPage(RULES_DRAFT, "rules_draft.html")
TRY = RulesPage(RULES_TRY, "rules_try.html")
REPLAY = RulesPage(RULES_REPLAY, "rules_replay.html")
VERSIONS = RulesPage(RULES_VERSIONS, "rules_versions.html")
SUGGESTIONS = RulesPage(RULES_SUGGESTIONS, "rules_suggestions.html")
RULES_PAGES = (DRAFT, TRY, REPLAY, VERSIONS, SUGGESTIONS)


class RulesPages:
    """Serves the rules pages; the data behind them is the JSON API's."""

    def __init__(self, pages: AdminPages | None = None) -> None:
        self.pages = pages or AdminPages()

    def handler(self, page: RulesPage) -> Handler:
        async def show(request: web.Request) -> web.StreamResponse:
            return self.pages.render(request, page.template, page.link, **self._context())

        return show

    def _context(self) -> dict[str, Any]:
        return {"caller_flags": sorted(KNOWN_FLAGS), "lazy_bytes": LAZY_BYTES}


def register(app: web.Application, pages: AdminPages | None = None) -> RulesPages:
    """GET on each rules page's path."""
    rules_pages = RulesPages(pages)
    for page in RULES_PAGES:
        app.router.add_get(page.link.path, rules_pages.handler(page))
    return rules_pages
