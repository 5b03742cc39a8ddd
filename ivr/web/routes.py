"""``/health`` for load balancers (counts only) and ``/api/calls`` for operators.

``/api/...`` sits behind the bearer token (ivr.operator_auth); ``/health`` is open.
"""

from __future__ import annotations

from aiohttp import web

from ivr.runtime import RUNTIME


def register(app: web.Application) -> None:
    app.router.add_get("/health", _health)
    app.router.add_get("/api/calls", _live_calls)


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
    return web.json_response(body, status=200 if connected else 503)


async def _live_calls(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    calls = runtime.manager.calls.values() if runtime.manager else []
    queues = runtime.queues
    return web.json_response(
        [
            {
                "call_id": c.session.call_id,
                "caller_number": c.session.info.caller_number,
                "dialled": c.session.info.dialled,
                "step": c.session.last_step,
                "destination": c.session.destination,
                "caller_flags": sorted(c.session.caller.flags),
                "recent_calls": c.session.caller.recent_calls,
                "queue": queues.place_of(c.session.call_id) if queues is not None else None,
            }
            for c in calls
        ]
    )
