"""ConsoleAuth: who is asking, on every request but the few that are open.

- ``Authorization: Bearer <IVR_API_TOKEN>``: a machine client, Operator("api-token",
  operator). No CSRF token: a browser never sends this header by itself.
- the session cookie: the signed-in person. A state-changing request (POST, PUT,
  PATCH, DELETE) also carries the session's CSRF token, in the ``X-CSRF-Token``
  header or a form's ``csrf_token`` field; SameSite=Strict is the first guard, this
  the second (an old browser, a sibling subdomain).
- neither: ``/api/...`` answers 401 as JSON; a page redirects to ``/login``.

Open: ``/health`` (counts only, for load balancers), ``/sms/inbound`` (its own shared
secret), the login page, its script and style, ``/static/``, the public chat under
``/chat/`` (its own signed cookie), and ``POST /api/session`` (signing in). Every
refusal is JSON ``{"error": ...}``.

A request let through is handled inside its ``AuditOrigin`` (the client's address, and
the cookie session's reference), so every row it leads to in the audit trail says where
it came from. A wrong bearer token and a state change without its CSRF token are
audited too, through RefusalAudit (a few rows a minute per address at most).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ivr.clock import Clock
from ivr.console.audit import AuditAction, AuditOrigin, audit_origin, session_reference
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.passwords import MACHINE_NAME
from ivr.console.refusals import RefusalAudit
from ivr.console.requests import RequestFacts
from ivr.console.sessions import ActiveSession
from ivr.console.store import ConsoleDatabase

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "ivr_console"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LOGIN_PAGE = "/login"
OPEN_PATHS = frozenset({"/health", "/sms/inbound", LOGIN_PAGE, "/login.js", "/login.css"})
OPEN_PREFIXES = ("/static/", "/chat/")  # /chat/: the public chat (ivr.console.chat_public)
SIGN_IN = ("POST", "/api/session")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# The session behind a cookie request (its CSRF token for GET /api/session; the
# cookie's value for signing out). Absent for a bearer request.
SESSION = web.RequestKey("console_session", ActiveSession)
SESSION_TOKEN = web.RequestKey("console_session_token", str)

MACHINE = Operator(MACHINE_NAME, Role.OPERATOR)


class ConsoleAuth:
    """aiohttp middleware (``.middleware``): sets request[OPERATOR] or refuses."""

    def __init__(
        self,
        db: ConsoleDatabase,
        api_token: str,
        facts: RequestFacts,
        clock: Clock,
        refusals: RefusalAudit | None = None,
    ) -> None:
        """``refusals``: where refused requests are audited (None: only logged)."""
        self._db = db
        self._token = api_token.encode("utf-8")
        self._facts = facts
        self._clock = clock
        self._refusals = refusals

    def __repr__(self) -> str:
        return f"ConsoleAuth(api_token={bool(self._token)})"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return await handler(request)
        if (request.method, path) == SIGN_IN:
            return await handler(request)
        if "Authorization" in request.headers:
            origin = AuditOrigin(self._facts.client(request))
            refusal = self._bearer(request, origin)
            if refusal is not None:
                return refusal
            request[OPERATOR] = MACHINE
            with audit_origin(origin):
                return await handler(request)
        token = request.cookies.get(COOKIE, "")
        active = await self._session(token) if token else None
        if active is None:
            return _unauthenticated(request)
        origin = AuditOrigin(self._facts.client(request), session_reference(token))
        if request.method not in SAFE_METHODS and not await _csrf_ok(request, active.csrf_token):
            log.warning(
                "console: %s %r by %s without its CSRF token",
                request.method,
                path,
                active.operator.name,
            )
            self._refused(active.operator.name, AuditAction.CSRF_REFUSED, request, origin)
            return _error(403, f"missing or wrong CSRF token: send the {CSRF_HEADER} header")
        request[OPERATOR] = active.operator
        request[SESSION] = active
        request[SESSION_TOKEN] = token
        with audit_origin(origin):
            return await handler(request)

    def _bearer(self, request: web.Request, origin: AuditOrigin) -> web.Response | None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and not self._token:
            self._refused(MACHINE_NAME, AuditAction.TOKEN_REFUSED, request, origin, "off")
            return _error(403, "the bearer token is off: set IVR_API_TOKEN on the server")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), self._token
        ):
            log.warning(
                "console: refused bearer %s %r from %s",
                request.method,
                request.path,
                origin.client,
            )
            self._refused(MACHINE_NAME, AuditAction.TOKEN_REFUSED, request, origin, "wrong")
            response = _error(401, "missing or wrong bearer token")
            response.headers["WWW-Authenticate"] = 'Bearer realm="ivr101"'
            return response
        return None

    def _refused(
        self,
        who: str,
        action: AuditAction,
        request: web.Request,
        origin: AuditOrigin,
        why: str = "",
    ) -> None:
        if self._refusals is None:
            return
        # The path as asked, cut short: it is the requester's text (ivr audit escapes it).
        detail = {"method": request.method, "path": request.path[:200]}
        if why:
            detail["token"] = why
        self._refusals.refused(who, action, detail, origin)

    async def still_signed_in(self, request: web.Request) -> bool:
        """A long-lived request (the board's event stream) checks its session again:
        signed out, disabled or expired ends it. A bearer request stays valid."""
        token = request.get(SESSION_TOKEN)
        if token is None:
            return OPERATOR in request
        return await self._session(token) is not None

    async def _session(self, token: str) -> ActiveSession | None:
        if len(token) > 256:
            return None
        now = self._clock()
        return await self._db.run(lambda s: s.sessions.find(token, now))


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.content_type in FORM_TYPES:
        form = await request.post()
        field = form.get(CSRF_FIELD, "")
        given = field if isinstance(field, str) else ""
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _unauthenticated(request: web.Request) -> web.StreamResponse:
    if not request.path.startswith(API_PREFIX) and request.method in ("GET", "HEAD"):
        raise web.HTTPSeeOther(LOGIN_PAGE)
    response = _error(401, "sign in first (POST /api/session), or send a bearer token")
    response.headers["WWW-Authenticate"] = 'Bearer realm="ivr101"'
    return response


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
