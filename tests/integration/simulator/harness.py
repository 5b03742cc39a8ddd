"""Drive a running Simulator over real HTTP and WebSocket, waiting on events not sleeps."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

Event = dict[str, Any]


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


AUTH = basic("asterisk", "asterisk")
CALLER_ID = '"Test Caller" <07700900123>'


class EventStream:
    """One app WebSocket; every event is kept so tests can wait for and inspect them."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[Event] = []
        self._cond = asyncio.Condition()
        self._reader = asyncio.ensure_future(self._read())
        self.closed_code: int | None = None

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                async with self._cond:
                    self.events.append(json.loads(message.data))
                    self._cond.notify_all()
        self.closed_code = self.ws.close_code
        async with self._cond:
            self._cond.notify_all()

    async def wait_for(
        self,
        event_type: str,
        where: Callable[[Event], bool] = lambda e: True,
        within: float = 5.0,
        after: int = 0,
    ) -> Event:
        def find() -> Event | None:
            for event in self.events[after:]:
                if event["type"] == event_type and where(event):
                    return event
            return None

        async with asyncio.timeout(within), self._cond:
            while (found := find()) is None:
                await self._cond.wait()
            return found

    async def wait_closed(self, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            await self._reader

    def types(self, channel_id: str | None = None) -> list[str]:
        return [
            e["type"]
            for e in self.events
            if channel_id is None or e.get("channel", {}).get("id") == channel_id
        ]

    async def close(self) -> None:
        await self.ws.close()
        await self._reader


class SimClient:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def ari(
        self, method: str, path: str, expect: int | None = None, **params: Any
    ) -> tuple[int, Any]:
        query = {k: str(v) for k, v in params.items() if v is not None}
        async with self.session.request(
            method, f"{self.base}/ari{path}", params=query, headers=AUTH
        ) as resp:
            body = await resp.json() if resp.content_type == "application/json" else None
            if expect is not None:
                assert resp.status == expect, (method, path, resp.status, body)
            return resp.status, body

    async def sim(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, f"{self.base}/_sim{path}", json=body) as resp:
            assert resp.status < 300, (path, resp.status, await resp.text())
            return await resp.json() if resp.content_type == "application/json" else None

    async def events(self, app: str = "ivr101") -> EventStream:
        ws = await self.session.ws_connect(f"{self.base}/ari/events?app={app}", headers=AUTH)
        return EventStream(ws)

    async def inbound(self, ext: str = "199", dialled: str = "101") -> tuple[str, str]:
        """The harness's fake caller; returns (caller ;1 id, ;2 id is learned from events)."""
        _, body = await self.ari(
            "POST",
            "/channels",
            200,
            endpoint=f"Local/{dialled}@ivr-in",
            context="ivr-in",
            extension=ext,
            priority=1,
            callerId=CALLER_ID,
        )
        return body["id"], body["name"]

    async def call(self, stream: EventStream, ext: str = "199") -> str:
        """Place a harness call and return the id the app sees in StasisStart."""
        _, name = await self.inbound(ext)
        start = await stream.wait_for(
            "StasisStart", lambda e: e["channel"]["name"] == name.replace(";1", ";2")
        )
        return str(start["channel"]["id"])

    async def wait_idle(self, within: float = 5.0) -> dict[str, Any]:
        """Wait until nothing is left alive (channels, bridges, playbacks, sockets, timers)."""
        keys = ("channels", "bridges", "playbacks", "external_media", "timers")
        objects: dict[str, Any] = {}

        async def idle() -> bool:
            objects.update(await self.sim("GET", "/objects"))
            return not any(objects[k] for k in keys)

        await eventually(idle, within)
        return objects


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Poll state that lives in another process's view (HTTP, UDP) until it holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)
