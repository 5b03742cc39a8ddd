"""Who may read the operator API (``/api/...``): a bearer token from IVR_API_TOKEN.

``/api/calls`` shows callers' numbers and flags such as "vulnerable": it is never open.
Without a token configured the API is off (403, saying how to turn it on), so a
forgotten setting fails closed. ``/health`` stays open for load balancers: it holds
counts only. The token is compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
MIN_TOKEN_LENGTH = 16  # a short token is guessable over an open port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class OperatorAuth:
    """aiohttp middleware: ``Authorization: Bearer <token>`` on every ``/api/`` request."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    def __repr__(self) -> str:
        return f"OperatorAuth(configured={bool(self._token)})"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        if not self._token:
            return _error(403, "the operator API is off: set IVR_API_TOKEN on the server")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), self._token
        ):
            log.warning(
                "operator api: refused %s %s from %s", request.method, request.path, request.remote
            )
            response = _error(401, "missing or wrong bearer token")
            response.headers["WWW-Authenticate"] = 'Bearer realm="ivr101"'
            return response
        return await handler(request)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
