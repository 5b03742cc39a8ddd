"""The aiohttp server: auth and error shaping for /ari, the WebSocket, and /_sim controls."""

from __future__ import annotations

import base64
import binascii
import logging

from aiohttp import web

from ivr.http_guard import HEADER_TIMEOUT_S, reject_bad_headers, server_options
from ivr.simulator.config import SimulatorConfig
from ivr.simulator.control import RequestLog, SimControl, problem
from ivr.simulator.engine import Engine
from ivr.simulator.errors import AriError
from ivr.simulator.rest import AriRoutes, Handler
from ivr.simulator.ws import EventSocketHub

log = logging.getLogger(__name__)

AUTH_HEADERS = {
    "WWW-Authenticate": 'Basic realm="Asterisk REST Interface"',
    "Cache-Control": "no-cache, no-store",
    "Server": "Asterisk/22.10.1",
}


class Simulator:
    """An ARI-compatible Asterisk 22 on one event loop (see docs/simulator-contract.md)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.engine = Engine(config)
        self.hub = EventSocketHub(self.engine)
        self.requests = RequestLog()
        self.app = web.Application(middlewares=[reject_bad_headers(problem), self._ari_middleware])
        self.app.router.add_get("/ari/events", self.hub.handle)
        AriRoutes(self.engine).register(self.app)
        SimControl(self.engine, self.hub, self.requests).register(self.app)
        self.app.router.add_route("*", "/ari/{tail:.*}", self._not_found)
        self.app.on_shutdown.append(self._on_shutdown)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, header_timeout: float = HEADER_TIMEOUT_S
    ) -> int:
        self._runner = web.AppRunner(
            self.app, handle_signals=False, shutdown_timeout=2.0, **server_options(header_timeout)
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1]) if sockets else port
        return self.port

    async def stop(self) -> None:
        await self.engine.shutdown()
        await self.hub.drop_all(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.engine.shutdown()

    async def _on_shutdown(self, app: web.Application) -> None:
        await self.hub.drop_all(1001)

    # ---- middleware ------------------------------------------------------------------
    def _authorised(self, request: web.Request) -> bool:
        wanted = f"{self.config.username}:{self.config.password}"
        api_key = request.query.get("api_key")
        if api_key is not None:
            return api_key == wanted
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            return base64.b64decode(encoded.strip()).decode("utf-8") == wanted
        except (binascii.Error, UnicodeDecodeError):
            return False

    @web.middleware
    async def _ari_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/ari"):
            return await handler(request)
        response = await self._ari_response(request, handler)
        if request.path != "/ari/events" or response.status != 101:
            query = {k: request.query.getall(k) for k in request.query}
            flat = {k: v[0] if len(v) == 1 else v for k, v in query.items()}
            self.requests.add(request.method, request.path, flat, response.status)
        return response

    async def _ari_response(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self._authorised(request):
            return web.json_response(
                {"message": "Authentication required"}, status=401, headers=AUTH_HEADERS
            )
        try:
            return await handler(request)
        except AriError as exc:
            return web.json_response(exc.body, status=exc.status)
        except web.HTTPMethodNotAllowed:
            return web.json_response({"message": "Invalid method"}, status=405)
        except web.HTTPNotFound:
            return web.json_response({"message": "Resource not found"}, status=404)
        except Exception:
            log.exception("simulator bug on %s %s", request.method, request.path)
            return web.json_response({"message": "Internal Server Error"}, status=500)

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"message": "Resource not found"}, status=404)
