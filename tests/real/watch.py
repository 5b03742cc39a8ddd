"""Everything Asterisk does, seen by the test: an ARI application subscribed to all.

The app's own events go to ``ivr101`` only; a test that must see the app's prompts start
and stop, or wait until every channel and bridge of a call is gone, connects its own
application with ``subscribeAll`` (every channel, bridge and playback, in the order
Asterisk sent them) and asks ARI what is left after each destruction it hears of.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp

from ivr.ari.client import AriClient
from ivr.ari.events import (
    AriEvent,
    ChannelEnteredBridge,
    ChannelLeftBridge,
    PlaybackFinished,
    PlaybackStarted,
    parse_event,
)
from tests.real.asterisk import RealAsterisk

WATCH_APP = "ivr101-watch"
_names = itertools.count(1)
WAIT_S = 30.0
T = TypeVar("T")


@dataclass
class AsteriskWatch:
    """All events since connecting; ``until`` waits on them, never on time."""

    client: AriClient
    # A name of its own each watch, as the parties' (Asterisk 22 can leave a name
    # inactive when one socket registers it while the last one is torn down).
    app: str = field(default_factory=lambda: f"{WATCH_APP}-{next(_names)}")
    events: list[AriEvent] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, connected: asyncio.Event) -> None:
        async with self.client.http.ws_connect(
            self.client.events_url,
            params={"app": self.app, "subscribeAll": "true"},
            headers=self.client.auth_headers,
        ) as ws:
            connected.set()
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    self.events.append(parse_event(json.loads(message.data)))
                    self._changed.set()

    async def until(
        self, found: Callable[[list[AriEvent]], T | None], what: str, timeout: float = WAIT_S
    ) -> T:
        """``found(events)`` now and after each new event, until it is not None."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._changed.clear()
                    result = found(self.events)
                    if result is not None:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"Asterisk showed no {what} within {timeout:g} s") from None

    def playbacks(self, channel_id: str, media: str) -> list[str]:
        """Ids of the playbacks started on ``channel_id`` whose media names ``media``."""
        target = f"channel:{channel_id}"
        return [
            e.playback.id
            for e in self.events
            if isinstance(e, PlaybackStarted)
            and e.playback.target_uri == target
            and media in e.playback.media_uri
        ]

    def playback_of(self, channel_id: str, media: str) -> str | None:
        """The latest of ``playbacks(channel_id, media)``; None before the first."""
        started = self.playbacks(channel_id, media)
        return started[-1] if started else None

    def in_bridge_with_another(self, channel_id: str) -> str | None:
        """The id of a bridge ``channel_id`` shares with another channel, once it does."""
        for event in reversed(self.events):
            if isinstance(event, ChannelEnteredBridge | ChannelLeftBridge) and (
                channel_id in event.bridge.channels
            ):
                return event.bridge.id if len(event.bridge.channels) >= 2 else None
        return None

    def finished_at(self, playback_id: str) -> int | None:
        """Where in ``events`` the playback's PlaybackFinished is; None before it."""
        for index, event in enumerate(self.events):
            if isinstance(event, PlaybackFinished) and event.playback.id == playback_id:
                return index
        return None


@contextlib.asynccontextmanager
async def watching(asterisk: RealAsterisk) -> AsyncIterator[AsteriskWatch]:
    user, password = asterisk.credentials
    async with aiohttp.ClientSession() as http:
        watch = AsteriskWatch(AriClient(http, asterisk.ari_url, user, password))
        connected = asyncio.Event()
        task = asyncio.create_task(watch.run(connected), name="asterisk-watch")
        try:
            async with asyncio.timeout(10):
                await connected.wait()
            yield watch
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
