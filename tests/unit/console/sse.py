"""Reading server-sent events from an aiohttp client response, for the board's tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp


async def next_event(response: aiohttp.ClientResponse, wait: float = 3.0) -> tuple[str, Any]:
    """The next event (name, parsed data); heartbeat comments are skipped."""
    event, data = "", ""
    async with asyncio.timeout(wait):
        while True:
            raw = await response.content.readline()
            if not raw:
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\n")
            if line.startswith(":"):
                continue
            if not line:
                if event:
                    return event, json.loads(data)
                continue
            name, _, value = line.partition(": ")
            if name == "event":
                event = value
            elif name == "data":
                data = value


async def next_calls(response: aiohttp.ClientResponse, wait: float = 3.0) -> Any:
    """The data of the next ``calls`` event (a ``queues`` event in between is skipped)."""
    while True:
        kind, data = await next_event(response, wait)
        if kind == "calls":
            return data
