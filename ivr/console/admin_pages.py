"""The admin pages' shared frame: who may see them, their navigation, their 403 page.

Every admin page (prepared messages here, the rules pages in ivr.rulesets.pages) is
rendered through ``AdminPages``: signed out → the sign-in page; an operator → a plain
403 page that says why (HTML, not the API's JSON, since a person is reading it); an
admin → the page inside ``admin_base.html`` with the navigation and the session's CSRF
token in a ``<meta>``, so the page's script can change things from its first click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ivr.console.auth import LOGIN_PAGE, SESSION
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.pages import CONTENT_SECURITY_POLICY, PAGE_HEADERS, Pages

FORBIDDEN_TEMPLATE = "forbidden.html"


@dataclass(frozen=True)
class NavLink:
    """One entry of the admin navigation; ``path`` is also the page's own address."""

    label: str
    path: str


BOARD = NavLink("Board", "/")
MESSAGES = NavLink("Messages", "/admin/messages")
RULES_DRAFT = NavLink("Rules: draft", "/admin/rules")
RULES_TRY = NavLink("Try", "/admin/rules/try")
RULES_REPLAY = NavLink("Replay", "/admin/rules/replay")
RULES_VERSIONS = NavLink("Versions", "/admin/rules/versions")
RULES_SUGGESTIONS = NavLink("Suggestions", "/admin/rules/suggestions")

ADMIN_NAV = (
    BOARD,
    MESSAGES,
    RULES_DRAFT,
    RULES_TRY,
    RULES_REPLAY,
    RULES_VERSIONS,
    RULES_SUGGESTIONS,
)


class AdminPages:
    """Renders admin pages for admins only; one per app, over the console's ``Pages``."""

    def __init__(self, pages: Pages | None = None) -> None:
        self.pages = pages or Pages()

    def admin(self, request: web.Request) -> Operator:
        """The signed-in admin; else a redirect to sign in, or the 403 page (raised)."""
        operator: Operator | None = request.get(OPERATOR)
        if operator is None:
            raise web.HTTPSeeOther(LOGIN_PAGE)
        if not operator.may(Role.ADMIN):
            body = self.pages.env.get_template(FORBIDDEN_TEMPLATE).render(operator=operator)
            raise web.HTTPForbidden(text=body, content_type="text/html", headers=PAGE_HEADERS)
        return operator

    def render(
        self,
        request: web.Request,
        template: str,
        current: NavLink,
        *,
        policy: str = CONTENT_SECURITY_POLICY,
        **context: Any,
    ) -> web.Response:
        """``template`` (which extends admin_base.html) for the admin asking."""
        admin = self.admin(request)
        session = request.get(SESSION)
        response = self.pages.render(
            template,
            operator=admin,
            nav=ADMIN_NAV,
            current=current,
            csrf_token=session.csrf_token if session is not None else "",
            **context,
        )
        response.headers["Content-Security-Policy"] = policy
        return response
