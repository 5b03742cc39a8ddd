"""One node's live board, read as its page reads it: the event stream
(``/api/board/events``) with the API's bearer token. The calls and the other nodes' calls
are kept as the events say; a test waits until they show what it expects (an event, not
a clock, moves it on).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp

T = TypeVar("T")
Row = dict[str, Any]
BOARD_WAIT_S = 30.0  # the other nodes' calls are read every 2 s; a call's steps take seconds


@dataclass
class BoardWatch:
    """What the board shows now: this node's calls by id, and the other nodes' calls."""

    calls: dict[str, Row] = field(default_factory=dict)
    others: list[Row] = field(default_factory=list)
    ended: bool = False
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def empty(self) -> bool:
        """No call of this node's nor of another's."""
        return not self.calls and not self.others

    def other(self, call_id: str) -> Row | None:
        return next((o for o in self.others if o["call_id"] == call_id), None)

    def apply(self, event: str, data: Row) -> None:
        if event == "snapshot":
            self.calls = {c["call_id"]: c for c in data["calls"]}
            self.others = data["others"]
        elif event == "calls":
            self.calls.update((c["call_id"], c) for c in data["changed"])
            for call_id in data["removed"]:
                self.calls.pop(call_id, None)
        elif event == "others":
            self.others = data["others"]
        self._changed.set()

    async def until(self, check: Callable[[BoardWatch], T | None], what: str) -> T:
        """``check(self)`` now and after each event, until it is truthy."""
        try:
            async with asyncio.timeout(BOARD_WAIT_S):
                while True:
                    self._changed.clear()
                    found = check(self)
                    if found:
                        return found
                    if self.ended:
                        raise AssertionError(f"the board's stream ended before {what}")
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"the board never showed {what}: {self}") from None

    async def read(self, response: aiohttp.ClientResponse) -> None:
        event, data = "", ""
        try:
            while line := (await response.content.readline()).decode():
                line = line.rstrip("\n")
                if not line:
                    if event:
                        self.apply(event, json.loads(data))
                    event, data = "", ""
                elif line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data = line.removeprefix("data: ")
        finally:
            self.ended = True
            self._changed.set()


@contextlib.asynccontextmanager
async def watching_board(url: str, token: str) -> AsyncIterator[BoardWatch]:
    """The board of the node at ``url`` (its HTTP side), kept up to date until the end."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as http,
        http.get(f"{url}/api/board/events", timeout=aiohttp.ClientTimeout(total=None)) as stream,
    ):
        assert stream.status == 200, await stream.text()
        watch = BoardWatch()
        reader = asyncio.create_task(watch.read(stream), name="board-stream")
        try:
            yield watch
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def board_json(url: str, token: str) -> Row:
    """``GET /api/board``: the calls, this node's name and the other nodes' calls."""
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http,
        http.get(f"{url}/api/board") as response,
    ):
        assert response.status == 200, await response.text()
        data: Row = await response.json()
        return data
