"""Security headers on every response of the app: pages, JSON, streams, errors, redirects.

Every response: no MIME sniffing, no Referer (a URL can carry a call's id), no
framing (clickjacking). Every ``/api/`` response: never stored (callers' details, a
CSRF token). A response that sets its own value (a page's CSP) keeps it.

Added as ``on_response_prepare`` rather than a middleware: it runs for every
response, including those made by another middleware (a 400 for a bad header), the
router's 404 and a stream's headers before its first byte.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from ivr.console.auth import API_PREFIX

EVERY_RESPONSE: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
API_RESPONSE: Mapping[str, str] = {"Cache-Control": "no-store"}


async def security_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """aiohttp ``on_response_prepare`` signal handler."""
    for name, value in EVERY_RESPONSE.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(API_PREFIX):
        for name, value in API_RESPONSE.items():
            response.headers.setdefault(name, value)


def add_security_headers(app: web.Application) -> None:
    app.on_response_prepare.append(security_headers)
