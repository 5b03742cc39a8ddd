"""A fake SMS provider: a real aiohttp server on 127.0.0.1 that answers from a script."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    json: dict[str, Any]


class FakeProvider:
    """An SMS provider: answers from ``script`` in order, then ``then`` for ever."""

    def __init__(self, port: int, script: list[Reply] | None = None) -> None:
        self.port = port
        self.script = list(script or [])
        self.then = Reply(200)
        self.received: list[Received] = []
        self._runner: web.AppRunner | None = None
        self._ids = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/messages"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/messages", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(
            Received(time.monotonic(), dict(request.headers), await request.json())
        )
        reply = self.script.pop(0) if self.script else self.then
        body = dict(reply.body)
        if reply.status < 300:
            self._ids += 1
            body.setdefault("id", f"prov-{self._ids}")
        return web.json_response(body, status=reply.status, headers=reply.headers)

    def references(self) -> list[str]:
        return [r.json["reference"] for r in self.received]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
