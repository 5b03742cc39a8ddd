"""Pulse: a callback beats it each time something arrives, and a waiter re-checks its
condition then, not on a timer (datagram protocols, audio sinks, media sources)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Pulse:
    def __init__(self) -> None:
        self._beat = asyncio.Event()

    def beat(self) -> None:
        self._beat.set()

    @property
    def beaten(self) -> bool:
        """Beaten since the last wait (or ever, before one)."""
        return self._beat.is_set()

    async def until(self, condition: Callable[[], bool], limit: float = 5.0) -> None:
        """``limit`` bounds a wait for something that never comes; it times nothing."""
        async with asyncio.timeout(limit):
            while not condition():
                self._beat.clear()  # no await since the check: no beat is missed
                await self._beat.wait()
