"""Signing in and out over HTTP: ``/api/session`` (JSON) and the ``/login`` page.

``POST /api/session {"user", "password"}`` sets the session cookie (HttpOnly,
SameSite=Strict, Secure over TLS) and answers ``{"user", "role", "csrf_token"}``;
``GET`` says who is signed in; ``DELETE`` signs out. ``/login`` is a plain form that
also works without script (a form POST to ``/login``, then a redirect to the board).

Both sign-in posts refuse another site's page (login CSRF: signing a victim into the
attacker's account), and end the session of the cookie the browser already had.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import jinja2
from aiohttp import web

from ivr.console.auth import COOKIE, SESSION, SESSION_TOKEN
from ivr.console.identity import operator_of
from ivr.console.pages import CONTENT_SECURITY_POLICY
from ivr.console.requests import RequestFacts
from ivr.console.sessions import Grant
from ivr.console.signin import MAX_NAME, Busy, Refused, SignIn
from ivr.http_guard import BadJson, BodyTooLarge, loads_json, read_body

WRONG = "wrong user name or password"
CROSS_SITE = "sign in from this server's own login page"
BUSY = "the server is busy signing others in: try again in a moment"
MAX_BODY = 4096


@dataclass(frozen=True)
class SessionRoutes:
    sign_in: SignIn
    facts: RequestFacts

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/api/session", self.create)
        app.router.add_get("/api/session", self.show)
        app.router.add_delete("/api/session", self.delete)
        app.router.add_get("/login", self.login_page)
        app.router.add_post("/login", self.login_form)
        app.router.add_get("/login.js", _login_asset("login.js", "text/javascript"))
        app.router.add_get("/login.css", _login_asset("login.css", "text/css"))

    async def create(self, request: web.Request) -> web.Response:
        if not self.facts.same_origin(request):
            return _error(403, CROSS_SITE)
        try:
            name, password = _credentials(await _json(request))
        except ValueError as exc:
            return _error(400, str(exc))
        outcome = await self._attempt(request, name, password)
        if isinstance(outcome, Refused | Busy):
            return _refused(outcome)
        response = web.json_response(_who(outcome))
        self._set_cookie(request, response, outcome)
        return response

    async def show(self, request: web.Request) -> web.Response:
        operator = operator_of(request)
        session = request.get(SESSION)
        return web.json_response(
            {
                "user": operator.name,
                "role": operator.role.value,
                "phone": operator.phone,
                "csrf_token": session.csrf_token if session is not None else "",
            }
        )

    async def delete(self, request: web.Request) -> web.Response:
        operator = operator_of(request)
        token = request.get(SESSION_TOKEN)
        if token is not None:
            await self.sign_in.sign_out(token, operator, self.facts.client(request))
        response = web.json_response({"signed_out": operator.name})
        response.del_cookie(COOKIE, path="/")
        return response

    async def login_page(self, request: web.Request) -> web.Response:
        return _page()

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        if not self.facts.same_origin(request):
            return _page(CROSS_SITE, status=403)
        form = await request.post()
        name, password = form.get("user", ""), form.get("password", "")
        if not isinstance(name, str) or not isinstance(password, str) or not name:
            return _page("enter your user name and password", status=400)
        outcome = await self._attempt(request, name, password)
        if isinstance(outcome, Busy):
            page = _page(BUSY, name[:MAX_NAME], status=503)
            page.headers["Retry-After"] = str(outcome.retry_after)
            return page
        if isinstance(outcome, Refused):
            if outcome.retry_after:
                page = _page(_limited(outcome.retry_after), name[:MAX_NAME], status=429)
                page.headers["Retry-After"] = str(outcome.retry_after)
                return page
            return _page(WRONG, name[:MAX_NAME], status=401)
        response = web.Response(status=303, headers={"Location": "/"})
        self._set_cookie(request, response, outcome)
        return response

    async def _attempt(
        self, request: web.Request, name: str, password: str
    ) -> Grant | Refused | Busy:
        # The cookie already sent (another user's, or a planted one) ends on success:
        # a browser holds one session at a time.
        old = request.cookies.get(COOKIE, "")
        replacing = old if 0 < len(old) <= 256 else ""
        return await self.sign_in.attempt(
            name, password, self.facts.client(request), replacing=replacing
        )

    def _set_cookie(self, request: web.Request, response: web.StreamResponse, grant: Grant) -> None:
        # No max-age: the cookie ends with the browser; the server's expiries end it sooner.
        response.set_cookie(
            COOKIE,
            grant.token,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.facts.secure_cookie_for(request),
        )


async def _json(request: web.Request) -> Any:
    # JSON only: a cross-site page can post a form or text/plain without asking, but not
    # application/json (the browser asks first, and this app never says yes).
    if request.content_type != "application/json":
        raise ValueError("send JSON (Content-Type: application/json)")
    try:
        raw = await read_body(request, MAX_BODY)
    except BodyTooLarge:
        raise ValueError("the request body is too long") from None
    try:
        return loads_json(raw)
    except BadJson as exc:
        raise ValueError(str(exc)) from None
    except ValueError:
        raise ValueError('the body must be JSON: {"user": ..., "password": ...}') from None


def _credentials(body: Any) -> tuple[str, str]:
    if not isinstance(body, dict):
        raise ValueError('the body must be a JSON object: {"user": ..., "password": ...}')
    name, password = body.get("user"), body.get("password")
    if not isinstance(name, str) or not name or not isinstance(password, str):
        raise ValueError('"user" and "password" must be text')
    return name, password


def _who(grant: Grant) -> dict[str, str]:
    return {
        "user": grant.operator.name,
        "role": grant.operator.role.value,
        "csrf_token": grant.csrf_token,
    }


def _limited(wait: int) -> str:
    return f"too many failed sign-ins: try again in {wait} seconds"


def _refused(refused: Refused | Busy) -> web.Response:
    if isinstance(refused, Busy):
        response = _error(503, BUSY)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    if refused.retry_after:
        response = _error(429, _limited(refused.retry_after))
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return _error(401, WRONG)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("ivr.console", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
)


def _page(error: str = "", user: str = "", status: int = 200) -> web.Response:
    html = _TEMPLATES.get_template("login.html").render(error=error, user=user)
    response = web.Response(text=html, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    # The board's policy: the page's script and style come from this server, no inline.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _login_asset(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def asset(request: web.Request) -> web.Response:
        text = files("ivr.console").joinpath("static", name).read_text(encoding="utf-8")
        return web.Response(text=text, content_type=content_type)

    return asset
