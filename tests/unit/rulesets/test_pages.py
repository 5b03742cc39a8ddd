"""The rules admin pages through the aiohttp test client: signed out → sign in, an
operator → the 403 page (HTML a person reads), an admin → the page in the admin frame,
with its navigation, strict CSP, labelled fields and only this server's scripts."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.admin_pages import ADMIN_NAV
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.pages import CONTENT_SECURITY_POLICY, STATIC_DIR
from ivr.rulesets import pages
from ivr.rulesets.pages import RULES_PAGES, RulesPage

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PEOPLE = {"ann": Operator("ann", Role.OPERATOR), "root": Operator("root", Role.ADMIN)}


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Client:
    app = web.Application(middlewares=[signed_in])
    pages.register(app)
    return await aiohttp_client(app)


async def get(client: Client, path: str, user: str = "") -> tuple[int, str, Any]:
    headers = {"X-Test-User": user} if user else {}
    async with client.get(path, headers=headers, allow_redirects=False) as resp:
        return resp.status, await resp.text(), resp.headers


def ids(page: RulesPage) -> str:
    return page.link.path


@pytest.mark.parametrize("page", RULES_PAGES, ids=ids)
async def test_signed_out_is_sent_to_sign_in_and_an_operator_gets_the_403_page(
    client: Client, page: RulesPage
) -> None:
    status, _, headers = await get(client, page.link.path)
    assert (status, headers["Location"]) == (303, "/login")
    status, body, headers = await get(client, page.link.path, "ann")
    assert status == 403
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "needs the admin role" in body and "signed in as\n    operator" in body
    assert 'href="/"' in body  # a way back to the board


@pytest.mark.parametrize("page", RULES_PAGES, ids=ids)
async def test_an_admin_gets_the_page_in_the_admin_frame(client: Client, page: RulesPage) -> None:
    status, body, headers = await get(client, page.link.path, "root")
    assert status == 200
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # Every admin page in the navigation, this one marked as the current page.
    for link in ADMIN_NAV:
        assert f'href="{link.path}"' in body
    assert f'<a href="{page.link.path}" aria-current="page">' in body
    assert body.count('aria-current="page"') == 1
    # No inline script or style: the CSP would block it.
    assert "<script>" not in body and "style=" not in body and "<style" not in body
    for src in re.findall(r'<script src="/static/([^"]+)"', body):
        assert (STATIC_DIR / src).is_file(), src
    # Every field has a label: its own for=, or (a checkbox) the label around it.
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
        field = re.search(r'\bid="([^"]+)"', tag)
        if 'type="checkbox"' in tag:
            assert re.search(r"<label[^>]*>\s*" + re.escape(tag), body), tag
        else:
            assert field is not None and f'for="{field.group(1)}"' in body, tag


async def test_the_draft_page_says_which_files_load_lazily(client: Client) -> None:
    _, body, _ = await get(client, "/admin/rules", "root")
    assert f'data-lazy-bytes="{pages.LAZY_BYTES}"' in body


async def test_the_try_page_offers_the_caller_flags_rules_can_name(client: Client) -> None:
    _, body, _ = await get(client, "/admin/rules/try", "root")
    for flag in ("vulnerable", "repeat", "nuisance"):
        assert f'<input type="checkbox" name="flag" value="{flag}">' in body
