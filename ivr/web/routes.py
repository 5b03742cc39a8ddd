"""``/health`` for load balancers: open, counts only (the console's API is ivr.console)."""

from __future__ import annotations

from aiohttp import web

from ivr.console.access import ACCESS
from ivr.runtime import RUNTIME


def register(app: web.Application) -> None:
    app.router.add_get("/health", _health)


async def _health(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    stream = runtime.stream
    access = request.app.get(ACCESS)
    connected = stream is not None and stream.connected.is_set() and not stream.replaced
    body = {
        "ari_connected": connected,
        "live_calls": len(runtime.manager.calls) if runtime.manager else 0,
        "speech": runtime.speech is not None,
        "call_log_healthy": runtime.call_log.healthy,
        # An audit row that cannot be written fails no request: it shows here.
        "audit_healthy": access.audit.healthy if access is not None else True,
        "audit_failed": access.audit.failed if access is not None else 0,
        # Without IVR_CALLER_KEY, operator flags stop matching after a restart.
        "caller_key_configured": bool(runtime.settings.callers.key),
        "queues": runtime.queues.snapshot() if runtime.queues is not None else {},
    }
    return web.json_response(body, status=200 if connected else 503)
