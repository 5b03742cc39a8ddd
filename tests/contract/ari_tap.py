"""A pass-through between the app and its ARI server that records what the app received.

The app is pointed at the tap (``ari.url``) and the tap forwards every REST request
and the event WebSocket to the real server unchanged, keeping a copy of each event
frame as it went by. So a whole app call can be recorded the same way on a real
Asterisk and on the simulator with no seam in the app: what is recorded is exactly
the JSON the app's EventStream read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

Event = dict[str, Any]
#: Request headers passed on (the rest are the tap's own connection's business).
FORWARDED_REQUEST = ("Authorization", "Content-Type", "Accept")
FORWARDED_RESPONSE = ("Content-Type", "Location", "WWW-Authenticate")


@dataclass
class AriTap:
    upstream: str  # e.g. http://127.0.0.1:8088
    events: list[Event] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _session: aiohttp.ClientSession | None = None

    @property
    def _http(self) -> aiohttp.ClientSession:
        assert self._session is not None, "the tap is not running"
        return self._session

    async def until(self, check: Callable[[list[Event]], bool], timeout: float, what: str) -> None:
        """``check(events)`` now and after each event, until true; TimeoutError naming
        ``what`` after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while not check(self.events):
                self._changed.clear()
                await self._changed.wait()
        return None

    def _record(self, text: str) -> None:
        with contextlib.suppress(ValueError):
            self.events.append(json.loads(text))
            self._changed.set()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/ari/events" and request.headers.get("Upgrade", "").lower() == (
            "websocket"
        ):
            return await self._events(request)
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST if h in request.headers}
        async with self._http.request(
            request.method,
            self.upstream + request.path,
            params=request.query,
            data=await request.read(),
            headers=headers,
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            out = {h: resp.headers[h] for h in FORWARDED_RESPONSE if h in resp.headers}
            return web.Response(status=resp.status, body=body, headers=out)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST if h in request.headers}
        try:
            upstream = await self._http.ws_connect(
                self.upstream + request.path, params=request.query, headers=headers
            )
        except aiohttp.WSServerHandshakeError as refused:
            return web.Response(status=refused.status, text=refused.message)
        ours = web.WebSocketResponse()
        await ours.prepare(request)
        to_server = asyncio.create_task(self._to_server(ours, upstream))
        self._tasks.add(to_server)
        try:
            async for msg in upstream:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                self._record(msg.data)
                await ours.send_str(msg.data)
        finally:
            to_server.cancel()
            await asyncio.gather(to_server, return_exceptions=True)
            self._tasks.discard(to_server)
            await upstream.close()
            await ours.close()
        return ours

    async def _to_server(
        self, ours: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse
    ) -> None:
        """The app's own frames (none in ARI but pings) and its close go upstream."""
        async for msg in ours:
            if msg.type == aiohttp.WSMsgType.TEXT:
                await upstream.send_str(msg.data)
        await upstream.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free loopback port; yields the URL the app is to use."""
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._rest)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = int(runner.addresses[0][1])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()
            await self._http.close()
            self._session = None
