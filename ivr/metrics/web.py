"""``GET /metrics``: the Prometheus text format, to scrapers we know.

Who may scrape (docs/metrics.md): a client at an address in ``[metrics] scrapers``, one
sending the scrape-only token (IVR_METRICS_TOKEN: it opens nothing else, so Prometheus
need not hold an operator's powers), or one sending the operator API's bearer token
(IVR_API_TOKEN). The gate is a middleware ahead of the console's sign-in: an allowed
address or the scrape token (compared in constant time) is answered at once, another
bearer request goes on to the console's check (constant-time, refusals audited),
anything else gets a 401 rather than the console's redirect to its sign-in page.
The values hold no personal data (ivr.metrics.labels), so the figures themselves are the
only thing guarded: a force's load is not for anyone on the network to read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from ivr.console.identity import OPERATOR
from ivr.http_guard import Handler, json_error
from ivr.metrics.instruments import IvrMetrics
from ivr.metrics_settings import Network

PATH = "/metrics"
Monitor = Callable[[], Coroutine[None, None, None]]


@dataclass
class MetricsEndpoint:
    """The registry to expose, who may read it, and the tasks that sample for it."""

    metrics: IvrMetrics
    scrapers: Sequence[Network] = ()
    monitors: Sequence[Monitor] = ()  # each runs for the app's lifetime (``run`` methods)
    token: str = ""  # the scrape-only token ([metrics] token); "" is none

    def scrape_token(self, request: web.BaseRequest) -> bool:
        """The request bears the scrape-only token (constant-time compare)."""
        if not self.token:
            return False
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(sent.strip().encode(), self.token.encode())

    def allowed_peer(self, request: web.BaseRequest) -> bool:
        """The TCP peer is a listed scraper (a forwarded-for header counts for nothing)."""
        try:
            peer = ipaddress.ip_address(request.remote or "")
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
            peer = peer.ipv4_mapped
        return any(peer in network for network in self.scrapers)

    def response(self, request: web.BaseRequest) -> web.Response:
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encode(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    @web.middleware
    async def gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != PATH:
            return await handler(request)
        if self.allowed_peer(request) or self.scrape_token(request):
            return self.response(request)
        if "Authorization" in request.headers:
            return await handler(request)  # the console's bearer check, then _scrape
        return _unauthorised()


METRICS = web.AppKey("metrics", MetricsEndpoint)


def register(app: web.Application, endpoint: MetricsEndpoint) -> None:
    """The route, its gate (before any middleware added after this), and the monitors.

    Call before the console's access is installed: the gate must run ahead of its sign-in.
    """
    app[METRICS] = endpoint
    app.middlewares.append(endpoint.gate)
    app.router.add_get(PATH, _scrape)
    app.cleanup_ctx.append(_monitors)


async def _scrape(request: web.Request) -> web.StreamResponse:
    """Reached only through the gate with a bearer token the console has checked."""
    if request.get(OPERATOR) is None:
        return _unauthorised()
    return request.app[METRICS].response(request)


def _unauthorised() -> web.Response:
    response = json_error(
        401,
        "send the scrape token (IVR_METRICS_TOKEN) or the operator token (IVR_API_TOKEN),"
        " or scrape from an address in [metrics] scrapers",
        "metrics-unauthorised",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="ivr101"'
    return response


async def _monitors(app: web.Application) -> AsyncIterator[None]:
    tasks = [
        asyncio.create_task(monitor(), name=f"metrics-monitor-{n}")
        for n, monitor in enumerate(app[METRICS].monitors)
    ]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
