"""``/health`` for load balancers: open, counts only (the console's API is ivr.console)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiohttp import web

from ivr.runtime import RUNTIME

HealthReport = Callable[[], Mapping[str, object]]
# What parts above this layer add to /health (the console's audit trail): their fields.
HEALTH_REPORTS = web.AppKey("health_reports", list[HealthReport])


def add_health_report(app: web.Application, report: HealthReport) -> None:
    app.setdefault(HEALTH_REPORTS, []).append(report)


def register(app: web.Application) -> None:
    app.router.add_get("/health", _health)


async def _health(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    stream = runtime.stream
    connected = stream is not None and stream.connected.is_set() and not stream.replaced
    body = {
        "ari_connected": connected,
        "live_calls": len(runtime.manager.calls) if runtime.manager else 0,
        "speech": runtime.speech is not None,
        "call_log_healthy": runtime.call_log.healthy,
        # Without IVR_CALLER_KEY, operator flags stop matching after a restart.
        "caller_key_configured": bool(runtime.settings.callers.key),
        "queues": runtime.queues.snapshot() if runtime.queues is not None else {},
    }
    for report in request.app.get(HEALTH_REPORTS, []):
        body.update(report())
    return web.json_response(body, status=200 if connected else 503)
