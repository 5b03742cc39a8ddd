"""What a finished call may leave in a real Asterisk: channels, bridges, snoops.

Asterisk sends no event for "the last channel went away" to an application that did
not own it, so the state is read again after each event the test's application
receives, and at least every ``RECHECK_S`` (a bounded re-check: most of the app's
channels are gone without a word to us), until it is empty or ``timeout`` passes.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from tests.real.asterisk import RealAsterisk
from tests.real.parties import Parties

RECHECK_S = 0.1
LEFT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Leftovers:
    """What Asterisk still holds, by each of its two views (CLI and ARI)."""

    cli_channels: int
    channels: tuple[str, ...]  # ARI names (``Local/101@from-pstn-…;2``, ``Snoop/…``)
    bridges: tuple[str, ...]

    @property
    def snoops(self) -> tuple[str, ...]:
        return tuple(name for name in self.channels if name.startswith("Snoop/"))

    @property
    def empty(self) -> bool:
        return not (self.cli_channels or self.channels or self.bridges)

    def __str__(self) -> str:
        return (
            f"{self.cli_channels} channel(s) in `core show channels`, "
            f"ARI channels {list(self.channels)} (snoops {list(self.snoops)}), "
            f"ARI bridges {list(self.bridges)}"
        )


async def leftovers(asterisk: RealAsterisk, parties: Parties) -> Leftovers:
    channels = await parties.client.list_channels()
    bridges = await parties.client.list_bridges()
    count = await asyncio.to_thread(asterisk.active_channels)
    return Leftovers(
        cli_channels=count,
        channels=tuple(c.name for c in channels),
        bridges=tuple(b.id for b in bridges),
    )


async def nothing_left(
    asterisk: RealAsterisk, parties: Parties, timeout: float = LEFT_TIMEOUT_S
) -> None:
    """Until Asterisk holds no channel (CLI and ARI), bridge or snoop; AssertionError
    naming what was left when ``timeout`` passes first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        parties.activity.clear()  # before the read: an event meanwhile wakes us at once
        left = await leftovers(asterisk, parties)
        if left.empty:
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"left in Asterisk after {timeout:g} s: {left}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(parties.activity.wait(), min(RECHECK_S, remaining))
