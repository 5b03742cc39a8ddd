"""One scenario for the simulator and a real Asterisk: another socket takes the app over
and leaves, so Asterisk unregisters the app while the stream's own socket stays open.
The stream must notice (``GET /applications/<app>`` is 404), connect again, and hear the
next call; both Asterisks must agree, as everything the app relies on."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from ivr.ari.client import AriClient
from ivr.ari.events import ApplicationReplaced, AriEvent, StasisStarted
from ivr.ari.stream import EventStream

WAIT_S = 15.0
CHECK_S = 0.05  # how often the stream asks; what the test waits on is the reconnect
_ids = itertools.count(1)


async def _first(
    events: asyncio.Queue[AriEvent], kind: type[AriEvent], channel_id: str = ""
) -> AriEvent:
    """The next event of ``kind`` (on ``channel_id``, if given)."""
    async with asyncio.timeout(WAIT_S):
        while True:
            event = await events.get()
            if isinstance(event, kind) and (not channel_id or channel_id in event.object_ids()):
                return event


async def taken_over_and_left(client: AriClient, app: str, endpoint: str) -> EventStream:
    """Run the scenario; returns the stream (its counts) once a new call reached it."""
    events: asyncio.Queue[AriEvent] = asyncio.Queue()
    reconnected = asyncio.Event()

    async def on_connected(reconnect: bool) -> None:
        if reconnect:
            reconnected.set()

    stream = EventStream(client, app, events.put_nowait, on_connected, registration_check=CHECK_S)
    task = asyncio.create_task(stream.run(), name="registration-scenario")
    try:
        await asyncio.wait_for(stream.connected.wait(), WAIT_S)
        async with client.http.ws_connect(
            client.events_url, params={"app": app}, headers=client.auth_headers
        ):
            await _first(events, ApplicationReplaced)
        await asyncio.wait_for(reconnected.wait(), WAIT_S)
        channel_id = f"registration-{next(_ids)}"
        await client.create_channel(endpoint, channel_id, app)
        try:
            await _first(events, StasisStarted, channel_id)
        finally:
            await client.hangup(channel_id)
        return stream
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
