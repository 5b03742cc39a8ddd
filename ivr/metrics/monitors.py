"""Two small background tasks whose figures a scrape only reads.

- ``LoopLagMonitor``: asks the loop to wake it every ``every_s`` and measures how late it
  woke. Lateness is time the loop spent on something else without yielding (a slow
  handler, a blocking call): every call's timers were that late too.
- ``OutboxDepth``: counts the SMS outbox's unsent texts every ``every_s`` on the outbox's
  own thread (``SmsOutbox.counts``), so the table is read a few times a minute whatever
  the scrape rate, and never on the loop.

Each takes its clock and sleep, so a test drives one ``tick`` at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from ivr.metrics.instruments import IvrMetrics

log = logging.getLogger(__name__)

LAG_EVERY_S = 0.5
DEPTH_EVERY_S = 15.0
UNSENT = ("queued", "sending")  # sms_outbox.state of a text not yet sent nor given up

Sleep = Callable[[float], Awaitable[None]]


class LoopLagMonitor:
    def __init__(
        self,
        metrics: IvrMetrics,
        every_s: float = LAG_EVERY_S,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._metrics = metrics
        self._every_s = every_s
        self._clock = clock
        self._sleep = sleep

    async def tick(self) -> float:
        """One wake-up: how late it came (also recorded)."""
        clock = self._clock or asyncio.get_running_loop().time
        asked = clock()
        await self._sleep(self._every_s)
        lag = clock() - asked - self._every_s
        self._metrics.lag_seen(lag)
        return max(0.0, lag)

    async def run(self) -> None:
        while True:
            await self.tick()


Counts = Callable[[], Awaitable[Mapping[str, int]]]


class OutboxDepth:
    """The outbox's unsent texts, as last counted (None before the first count)."""

    def __init__(
        self, counts: Counts | None, every_s: float = DEPTH_EVERY_S, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        """``counts`` None: the app has no outbox; the depth stays unknown."""
        self._counts = counts
        self._every_s = every_s
        self._sleep = sleep
        self.depth: int | None = None
        self._failing = False

    def __call__(self) -> int | None:
        return self.depth

    async def tick(self) -> None:
        """Count now, then rest; a failed count (the outbox not open yet, a locked
        database) leaves the last figure and is logged once until a count works."""
        if self._counts is not None:
            try:
                counts = await self._counts()
            except Exception:
                if not self._failing:
                    log.warning("metrics: the SMS outbox could not be counted", exc_info=True)
                self._failing = True
            else:
                self._failing = False
                self.depth = sum(counts.get(state, 0) for state in UNSENT)
        await self._sleep(self._every_s)

    async def run(self) -> None:
        while True:
            await self.tick()
