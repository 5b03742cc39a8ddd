"""What a request says about where it came from, believed only from a trusted proxy.

Behind a TLS-terminating proxy the app sees the proxy's address and plain HTTP; the
proxy's X-Forwarded-For and X-Forwarded-Proto say otherwise. From anyone else those
headers are ignored: a client could claim any address and dodge the login limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from ivr.console_settings import SecureCookie


@dataclass(frozen=True)
class RequestFacts:
    trusted_proxies: frozenset[str]
    secure_cookie: SecureCookie = SecureCookie.AUTO

    def _via_proxy(self, request: web.BaseRequest) -> bool:
        return request.remote is not None and request.remote in self.trusted_proxies

    def client(self, request: web.BaseRequest) -> str:
        """The client's address: the proxy's last hop when a trusted proxy sent it."""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self._via_proxy(request) and forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
        return request.remote or ""

    def over_tls(self, request: web.BaseRequest) -> bool:
        if request.transport is not None and request.transport.get_extra_info("sslcontext"):
            return True
        proto = request.headers.get("X-Forwarded-Proto", "")
        return self._via_proxy(request) and proto.strip().lower() == "https"

    def origin(self, request: web.BaseRequest) -> str:
        """This server's origin as the browser sees it (https behind a TLS proxy)."""
        scheme = "https" if self.over_tls(request) else request.scheme
        return f"{scheme}://{request.host}".lower()

    def same_origin(self, request: web.BaseRequest) -> bool:
        """False for a post another site's page made (login CSRF): the browser says so
        in Sec-Fetch-Site or Origin. Absent headers pass (curl, an old browser): the
        cookie's SameSite=Strict is the guard there."""
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() != "same-origin":
            return False
        origin = request.headers.get("Origin")
        return origin is None or origin.strip().lower() == self.origin(request)

    def secure_cookie_for(self, request: web.BaseRequest) -> bool:
        return self.secure_cookie == SecureCookie.ALWAYS or self.over_tls(request)
