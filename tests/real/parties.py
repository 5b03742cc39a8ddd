"""Scripted callers and agents on a real Asterisk: the test's own ARI application.

A caller is a Local channel dialled into the project's dialplan (``101@from-pstn``):
its ``;2`` half runs the dialplan into ``Stasis(ivr101)`` (the app's call, id
``<caller id>;2``), its ``;1`` half comes into this application once the app answers,
and the test keys digits, speaks a WAV or hangs up on it. An agent is a Local leg the
app rings at ``Local/<desk>@test-agents``, whose other half comes here to be answered
(or left ringing). Each waits on ARI events, never on time. Built on the project's own
AriClient and EventStream, so the client code is exercised against the real thing too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp

from ivr.ari.client import AriClient
from ivr.ari.errors import AriNotFound
from ivr.ari.events import (
    AriEvent,
    ChannelDestroyed,
    ChannelStateChanged,
    ChannelVarset,
    DtmfReceived,
    PlaybackEvent,
    PlaybackFinished,
    PlaybackStarted,
    StasisEnded,
    StasisStarted,
    UnknownEvent,
)
from ivr.ari.stream import EventStream
from ivr.embedded import AppWatch
from tests.real.asterisk import TEST_APP, RealAsterisk

EVENT_TIMEOUT_S = 30.0
_ids = itertools.count(1)
_apps = itertools.count(1)
# The global the test-agents dialplan reads the application's name from.
APP_VARIABLE = "IVR101_TEST_APP"


@dataclass
class Leg:
    """One channel of the test's: what it has seen, awaited by kind."""

    channel_id: str
    client: AriClient
    events: list[AriEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, event: AriEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def seen(self, kind: type[AriEvent], timeout: float = EVENT_TIMEOUT_S) -> AriEvent:
        """The first event of ``kind`` on this leg, once it has come."""
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if isinstance(event, kind):
                        return event
                self.changed.clear()
                await self.changed.wait()

    @property
    def ended(self) -> bool:
        return any(isinstance(e, StasisEnded) for e in self.events)

    async def until_ended(self, timeout: float = EVENT_TIMEOUT_S) -> None:
        await self.seen(StasisEnded, timeout)

    async def hang_up(self) -> None:
        with contextlib.suppress(AriNotFound):
            await self.client.hangup(self.channel_id)

    def digits(self) -> str:
        """Keys this leg has received (an agent hears what the app sends)."""
        return "".join(e.digit for e in self.events if isinstance(e, DtmfReceived))


@dataclass
class Caller(Leg):
    """The caller's half: keys and speech go to the app's ``;2`` half as heard."""

    created: bool = False  # created, then dialled (``call_watched``), not originated

    @property
    def call_id(self) -> str:
        """The app's id for this call: the ``;2`` half Asterisk names after ours."""
        return f"{self.channel_id};2"

    async def answered(self, timeout: float = EVENT_TIMEOUT_S) -> None:
        """Until the call is answered. An originated half enters this application then
        (its state may say Up a moment before: only StasisStart means we may key); a
        created one was here from the start and changes state to Up."""
        if not self.created:
            await self.seen(StasisStarted, timeout)
            return
        async with asyncio.timeout(timeout):
            while not any(
                isinstance(e, ChannelStateChanged) and e.channel.state == "Up" for e in self.events
            ):
                self.changed.clear()
                await self.changed.wait()

    async def keys(self, digits: str) -> None:
        """RFC 4733-style key presses, as SendDTMF makes them (100 ms each)."""
        await self.client.request("POST", f"/channels/{self.channel_id}/dtmf", {"dtmf": digits})

    async def say(self, sound: str, timeout: float = EVENT_TIMEOUT_S) -> None:
        """Play ``sound`` (e.g. ``sound:test/name``) into the call; returns once said."""
        playback_id = f"{self.channel_id}-says-{next(_ids)}"
        await self.client.play(self.channel_id, playback_id, [sound])
        async with asyncio.timeout(timeout):
            while not any(
                isinstance(e, PlaybackFinished) and e.playback.id == playback_id
                for e in self.events
            ):
                self.changed.clear()
                await self.changed.wait()


@dataclass
class Agent(Leg):
    """The agent's half of a leg the app rang; ``desk`` is the extension it dialled."""

    desk: str = ""

    async def answer(self) -> None:
        await self.client.answer(self.channel_id)


@dataclass(frozen=True)
class DialplanStep:
    """A ``ChannelDialplan`` event: the application a channel's dialplan ran next."""

    app: str
    data: str


@dataclass
class Watched(Leg):
    """One of the app's or the dialplan's channels the test listens to (its events
    forwarded by a subscription), never driven: it shows what Asterisk did to a call."""

    @property
    def ended(self) -> bool:
        return any(isinstance(e, ChannelDestroyed) for e in self.events)

    async def until_ended(self, timeout: float = EVENT_TIMEOUT_S) -> None:
        await self.seen(ChannelDestroyed, timeout)

    def dialplan(self) -> list[DialplanStep]:
        """The dialplan applications it ran, in order; its own name in their data put back
        as ``${CHANNEL}``, as the dialplan wrote it."""
        steps: list[DialplanStep] = []
        for e in self.events:
            if isinstance(e, UnknownEvent) and e.raw.get("type") == "ChannelDialplan":
                channel = e.raw.get("channel")
                name = str(channel.get("name", "")) if isinstance(channel, dict) else ""
                data = str(e.raw.get("dialplan_app_data", ""))
                if name:
                    data = data.replace(name, "${CHANNEL}")
                steps.append(DialplanStep(str(e.raw.get("dialplan_app", "")), data))
        return steps

    def variable_set(self, name: str) -> list[str]:
        """The values the channel variable ``name`` took, in order (empty ones left out:
        Asterisk clears DIALSTATUS and the like before each Dial)."""
        return [
            e.value
            for e in self.events
            if isinstance(e, ChannelVarset) and e.variable == name and e.value
        ]

    async def until_dialplan(
        self, step: DialplanStep, timeout: float = EVENT_TIMEOUT_S
    ) -> list[DialplanStep]:
        """Until its dialplan has run ``step``; every step so far."""
        async with asyncio.timeout(timeout):
            while step not in self.dialplan():
                self.changed.clear()
                await self.changed.wait()
        return self.dialplan()

    async def until_playing(self, media: str, timeout: float = EVENT_TIMEOUT_S) -> PlaybackEvent:
        """Until a playback on it starts ``media`` (e.g. ``sound:ivr101/main_menu``)."""
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if isinstance(event, PlaybackStarted) and event.playback.media_uri == media:
                        return event
                self.changed.clear()
                await self.changed.wait()


class Parties:
    """The test's ARI application: places callers, hands out rung agents."""

    def __init__(self, asterisk: RealAsterisk, http: aiohttp.ClientSession) -> None:
        user, password = asterisk.credentials
        self.client = AriClient(http, asterisk.ari_url, user, password)
        # A name of its own each test: Asterisk 22 tearing down the last test's socket
        # while this one registers the same name can leave the name inactive
        # (res_stasis app_update gives up when the handler went meanwhile), and then no
        # event of this test's would come.
        self.app = f"{TEST_APP}-{next(_apps)}"
        self._stream = EventStream(self.client, self.app, self._on_event, self._on_connected)
        self._legs: dict[str, Leg] = {}
        self._rung: dict[str, asyncio.Queue[Agent]] = defaultdict(asyncio.Queue)
        self._task: asyncio.Task[None] | None = None
        # Set on every event this application receives: whoever re-reads Asterisk's
        # state (``nothing_left``) looks again then.
        self.activity = asyncio.Event()

    async def _on_connected(self, reconnect: bool) -> None:
        return None

    def _on_event(self, event: AriEvent) -> None:
        if isinstance(event, StasisStarted) and event.args[:1] == ("agent",):
            desk = event.args[1] if len(event.args) > 1 else ""
            agent = Agent(event.channel.id, self.client, desk=desk)
            self._legs[agent.channel_id] = agent
            agent.note(event)
            self._rung[desk].put_nowait(agent)
            return
        self.activity.set()
        for object_id in _channel_ids(event):
            # A caller's playbacks are named after its channel (``Caller.say``).
            leg = self._legs.get(object_id.split("-says-")[0])
            if leg is not None:
                leg.note(event)
                return

    async def start(self) -> None:
        self._task = asyncio.create_task(self._stream.run(), name="test-parties")
        await asyncio.wait_for(self._stream.connected.wait(), 10)
        await self.client.request(
            "POST", "/asterisk/variable", {"variable": APP_VARIABLE, "value": self.app}
        )

    async def stop(self) -> None:
        for leg in list(self._legs.values()):
            if not leg.ended:
                await leg.hang_up()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def call(
        self, number: str = "101", caller: str = "07700900123", context: str = "from-pstn"
    ) -> Caller:
        """A caller dials ``number`` into ``context``; returns once Asterisk has the call."""
        channel_id = f"caller-{next(_ids)}"
        leg = Caller(channel_id, self.client)
        self._legs[channel_id] = leg
        await self.client.originate(
            f"Local/{number}@{context}",
            channel_id,
            self.app,
            app_args="caller",
            caller_id=f'"Test Caller" <{caller}>',
        )
        return leg

    async def watch(self, channel_id: str) -> Watched:
        """Subscribe this application to a channel it does not own (the app's call, a
        dialplan's channel): its events (state, dialplan, playbacks, DTMF, its end) come
        here too, so a test can see what Asterisk did to it."""
        leg = Watched(channel_id, self.client)
        self._legs[channel_id] = leg
        await self.client.request(
            "POST",
            f"/applications/{self.app}/subscription",
            {"eventSource": f"channel:{channel_id}"},
        )
        return leg

    async def call_watched(
        self, number: str = "101", caller: str = "07700900123", context: str = "from-pstn"
    ) -> tuple[Caller, Watched]:
        """A caller as ``call`` places it, whose ``;2`` half (the one that runs the
        dialplan) is watched from before it runs its first priority: the channel is
        created, the half subscribed, then dialled, so no event of its is missed."""
        channel_id = f"caller-{next(_ids)}"
        leg = Caller(channel_id, self.client, created=True)
        self._legs[channel_id] = leg
        await self.client.request(
            "POST",
            "/channels/create",
            {
                "endpoint": f"Local/{number}@{context}",
                "channelId": channel_id,
                "app": self.app,
                "appArgs": "caller",
            },
        )
        dialplan_half = await self.watch(leg.call_id)
        await leg.seen(StasisStarted)  # the 200 can come before it is in Stasis (409)
        # A Local ;2 half takes its caller id from the ;1 half's connected line.
        await self.client.set_variable(
            channel_id, "CONNECTEDLINE(all)", f'"Test Caller" <{caller}>'
        )
        await self.client.dial(channel_id)
        return leg, dialplan_half

    async def put_through(self, app: AppWatch, caller: Caller, key: str, desk: str) -> Agent:
        """``caller`` keys ``key``; the agent rung at ``desk`` answers; returns once the
        app has connected them."""
        await caller.keys(key)
        agent = await self.agent_rung(desk)
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        return agent

    async def agent_rung(self, desk: str, timeout: float = EVENT_TIMEOUT_S) -> Agent:
        """The next leg the app rings at ``desk`` (``Local/<desk>@test-agents``)."""
        return await asyncio.wait_for(self._rung[desk].get(), timeout)


def _channel_ids(event: AriEvent) -> tuple[str, ...]:
    """The ids to find a leg by: a playback's channel too (its target), and the channel
    of an event the app's parser does not type (``ChannelDialplan``)."""
    if isinstance(event, PlaybackEvent):
        target = event.playback.target_uri
        playing_on = (target.removeprefix("channel:"),) if target.startswith("channel:") else ()
        return (*event.object_ids(), *playing_on)
    if isinstance(event, UnknownEvent):
        channel = event.raw.get("channel")
        return (str(channel["id"]),) if isinstance(channel, dict) and "id" in channel else ()
    return event.object_ids()


@contextlib.asynccontextmanager
async def parties_on(asterisk: RealAsterisk) -> AsyncIterator[Parties]:
    async with aiohttp.ClientSession() as http:
        parties = Parties(asterisk, http)
        await parties.start()
        try:
            yield parties
        finally:
            await parties.stop()
