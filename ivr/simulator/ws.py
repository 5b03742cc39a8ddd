"""GET /ari/events: the app WebSocket, one writer task per socket so sends never block."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import WSMsgType, web

from ivr.simulator.engine import Engine

log = logging.getLogger(__name__)

NO_APP_PAGE = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n'
    "<title>400 Bad Request</title>\r\n</head><body>\r\n<h1>Bad Request</h1>\r\n"
    "<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n"
    "<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n"
)


class SocketSink:
    """One app WebSocket as an EventSink: queued, in-order, silent once closed."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self._writer = asyncio.ensure_future(self._write())

    def deliver(self, text: str) -> None:
        if not self.closed:
            self._queue.put_nowait(text)

    async def _write(self) -> None:
        while True:
            text = await self._queue.get()
            if text is None or self.closed:
                return
            try:
                await self.ws.send_str(text)
            except (ConnectionError, RuntimeError) as exc:
                log.debug("event dropped, socket gone: %s", exc)
                self.closed = True
                return

    async def close(self, code: int) -> None:
        self.closed = True
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    async def finish(self) -> None:
        self.closed = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


class EventSocketHub:
    """Tracks open app sockets so /_sim/ws/drop and shutdown can close them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.sinks: set[SocketSink] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        names = [n for n in request.query.get("app", "").split(",") if n]
        if not names:
            return web.Response(status=400, text=NO_APP_PAGE, content_type="text/html")
        ws = web.WebSocketResponse(autoping=True, heartbeat=None)
        await ws.prepare(request)
        sink = SocketSink(ws)
        self.sinks.add(sink)
        for name in names:
            self._engine.apps.connect(name, sink)
        try:
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            for name in names:
                self._engine.apps.disconnect(name, sink)
            self.sinks.discard(sink)
            await sink.finish()
        return ws

    async def drop_all(self, code: int = 1001) -> int:
        sinks = list(self.sinks)
        for sink in sinks:
            await sink.close(code)
        return len(sinks)
