"""CallManager: turns ARI events into call sessions and keeps them in step.

It is the app's only ARI event handler. A StasisStart for a channel nobody
owns is a new inbound call; every other event goes to whichever session
watches one of the object ids it names. It runs each session's task, places
the calls the app makes itself (callbacks), and on every (re)connect has its
Reconciler (ivr.session.reconciler) bring the calls in line with Asterisk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any

from ivr.ari import events as ari
from ivr.ari.causes import dial_status
from ivr.ari.client import AriClient
from ivr.ari.errors import AriError, AriNotFound
from ivr.ari.models import Channel
from ivr.channel_ids import is_own_channel
from ivr.chores import Chores
from ivr.masking import mask_number
from ivr.session.control import AriCallControl
from ivr.session.held import HeldChannels
from ivr.session.listening import MediaSettings
from ivr.session.reconciler import Adoption, Reconciler
from ivr.session.session import CallSession

log = logging.getLogger(__name__)

# appArgs the app gives the channels it creates itself; they are never new calls.
OWN_CHANNEL_ARGS = frozenset({"leg", "snoop", "media", "callback"})

SessionFactory = Callable[[Channel, str, AriCallControl, Adoption | None], CallSession]
# Builds the session for a call the app placed itself (a callback), once it answers.
PlacedSession = Callable[[Channel, AriCallControl], CallSession]


@dataclass(frozen=True)
class Unanswered:
    """An app-placed call that never answered: ``status`` is BUSY, NOANSWER, FAILED..."""

    status: str
    cause: int = 0


@dataclass
class LiveCall:
    session: CallSession
    control: AriCallControl
    task: asyncio.Task[None]


class CallManager:
    """Routes events to sessions (it is the EventRouter) and owns their tasks."""

    def __init__(
        self,
        client: AriClient,
        app: str,
        make_session: SessionFactory,
        media: Callable[[], MediaSettings | None] = lambda: None,
    ) -> None:
        """``media`` says, per new call, whether and how to open a listening path."""
        self._media = media
        self._client = client
        self._app = app
        self._make_session = make_session
        self._watchers: dict[str, asyncio.Queue[ari.AriEvent]] = {}
        self._chores = Chores()
        # Found by reconcile: their StasisStart is not hung up as an orphan's, until the
        # callback worker takes them over (``watch``) or lets them go (``release_held``).
        self._held = HeldChannels()
        self.calls: dict[str, LiveCall] = {}
        self._reconciler = Reconciler(
            client,
            app,
            calls=self.calls,
            watched=self._watchers,
            held=self._held,
            start_call=self.start_call,
        )
        self.unrouted = 0
        self.closing = False

    # --- EventRouter -----------------------------------------------------------------

    def watch(self, object_id: str, sink: asyncio.Queue[ari.AriEvent]) -> None:
        self._held.take(object_id)
        self._watchers[object_id] = sink

    def release_held(self, following: Collection[str]) -> None:
        """Hang up the held channels of every callback not in ``following`` (the ``cb-``
        ids the callback worker follows): callbacks off, or not placing in the book."""
        for channel_id in self._held.unfollowed(following):
            log.warning("hanging up %s, left by a callback nobody follows", channel_id)
            self._chore(self._client.hangup(channel_id))

    def unwatch(self, object_id: str) -> None:
        self._watchers.pop(object_id, None)

    # --- event intake ------------------------------------------------------------------

    def on_event(self, event: ari.AriEvent) -> None:
        if isinstance(event, ari.StasisStarted) and event.channel.id not in self._watchers:
            self._unowned_stasis_start(event)
            return
        if isinstance(event, ari.UnknownEvent | ari.ApplicationReplaced):
            log.debug("unhandled ari event %s", event.type)
            return
        sinks = {id(q): q for oid in event.object_ids() if (q := self._watchers.get(oid))}
        if not sinks:
            self.unrouted += 1
            log.debug("%s for objects %s that no call owns", event.type, event.object_ids())
        for queue in sinks.values():
            queue.put_nowait(event)

    def _unowned_stasis_start(self, event: ari.StasisStarted) -> None:
        channel = event.channel
        if channel.id in self._held:
            # Answered before the callback worker followed it: the worker finds it in
            # Stasis (resume_placed, FollowLeg) and carries on from there.
            log.info("%s answered; held for the callback worker", channel.id)
            return
        if (event.args and event.args[0] in OWN_CHANNEL_ARGS) or is_own_channel(channel.id):
            # A leg answering after its call ended (or a previous process's): nobody to talk to.
            log.warning("hanging up own channel %s that no call owns", channel.id)
            self._chore(self._client.hangup(channel.id))
            return
        if self.closing:
            self._chore(self._client.continue_in_dialplan(channel.id))
            return
        dialled = event.args[0] if event.args else channel.dialplan.exten
        self.start_call(channel, dialled)

    def _chore(self, request: Coroutine[Any, Any, None]) -> None:
        """Fire one best-effort request (a hang-up, a hand-back) without blocking intake."""

        async def run() -> None:
            with contextlib.suppress(AriError):
                await request

        self._chores.spawn(run())

    def start_call(
        self, channel: Channel, dialled: str, adoption: Adoption | None = None
    ) -> CallSession:
        return self._start(
            channel,
            lambda control: self._make_session(channel, dialled, control, adoption),
            adoption,
        )

    async def place_call(
        self,
        channel_id: str,
        endpoint: str,
        build: PlacedSession,
        *,
        caller_id: str,
        timeout: int,
    ) -> CallSession | Unanswered:
        """Ring ``endpoint`` into the app; when it answers, run the session ``build`` makes.

        Returns the session once it has ended, or ``Unanswered`` with the reason. The
        channel id is chosen by the caller (``cb-...``) and watched before the request,
        since the StasisStart can beat the response.
        """
        sink: asyncio.Queue[ari.AriEvent] = asyncio.Queue()
        self.watch(channel_id, sink)
        try:
            await self._client.originate(
                endpoint,
                channel_id,
                self._app,
                app_args="callback",
                caller_id=caller_id,
                timeout=timeout,
            )
        except AriError as exc:
            self.unwatch(channel_id)
            return Unanswered("FAILED", getattr(exc, "status", 0))
        return await self._follow_placed(sink, channel_id, build, timeout)

    async def resume_placed(
        self, channel_id: str, build: PlacedSession, *, timeout: int
    ) -> CallSession | Unanswered | None:
        """After a restart: follow a call a previous process placed, from where it is.

        Still ringing: wait for it as ``place_call`` would. Answered meanwhile (in
        Stasis, not taken over by ``reconcile``): its session starts now. Gone: None.
        Watched before it is looked up, so an answer in between is not lost.
        """
        sink: asyncio.Queue[ari.AriEvent] = asyncio.Queue()
        self.watch(channel_id, sink)
        pause = 0.2
        while True:
            try:
                channel = await self._client.get_channel(channel_id)
                break
            except AriNotFound:
                self.unwatch(channel_id)
                return None
            except AriError as exc:
                # Not known to be gone (still watched meanwhile): asked again, for an
                # attempt counted as gone while it still rang would be placed twice.
                log.warning("callback %s: cannot look it up yet: %s", channel_id, exc)
                await asyncio.sleep(pause)
                pause = min(5.0, pause * 2)
        if channel.dialplan.app_name != "Stasis":
            return await self._follow_placed(sink, channel_id, build, timeout)
        self.unwatch(channel_id)
        session = self._start(channel, lambda control: build(channel, control), None, True)
        await session.done.wait()
        return session

    async def _follow_placed(
        self,
        sink: asyncio.Queue[ari.AriEvent],
        channel_id: str,
        build: PlacedSession,
        timeout: int,
    ) -> CallSession | Unanswered:
        try:
            channel = await _answered(sink, channel_id, timeout + 5)
        except _NotAnswered as exc:
            if exc.status == "TIMEOUT":
                with contextlib.suppress(AriError):
                    await self._client.hangup(channel_id)  # Asterisk's timeout should have
            return Unanswered(exc.status, exc.cause)
        finally:
            self.unwatch(channel_id)
        session = self._start(channel, lambda control: build(channel, control), None, True)
        await session.done.wait()
        return session

    def _start(
        self,
        channel: Channel,
        build: Callable[[AriCallControl], CallSession],
        adoption: Adoption | None,
        placed: bool = False,
    ) -> CallSession:
        """``placed``: a call the app placed (a callback) notes the legs it rings."""
        language = channel.language or "en"
        control = AriCallControl(
            self._client, self, self._app, channel.id, language, self._media(), note_legs=placed
        )
        if adoption is not None:
            control.adopt(adoption.bridge_id, adoption.legs)
        session = build(control)
        task = asyncio.create_task(self._run(session), name=f"call:{session.call_id}")
        self.calls[session.call_id] = LiveCall(session, control, task)
        log.info(
            "call %s from %s to %s",
            session.call_id,
            mask_number(channel.caller.number),
            session.info.dialled,
        )
        return session

    async def _run(self, session: CallSession) -> None:
        try:
            await session.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s crashed", session.call_id)
        finally:
            self.calls.pop(session.call_id, None)

    # --- on every connect ----------------------------------------------------------------

    async def reconcile(self) -> bool:
        """Bring sessions in line with Asterisk; adopt or clear what nobody owns.

        False when Asterisk could not be asked (nothing is known about what was left).
        """
        return await self._reconciler.reconcile()

    async def shutdown(self) -> None:
        """Stop taking calls; hand IVR callers back to the dialplan, leave conversations up."""
        self.closing = True
        for call in self.calls.values():
            call.session.shut_down()
        tasks = [c.task for c in self.calls.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._chores.settle()


class _NotAnswered(Exception):
    def __init__(self, status: str, cause: int = 0) -> None:
        super().__init__(status)
        self.status = status
        self.cause = cause


async def _answered(sink: asyncio.Queue[ari.AriEvent], channel_id: str, wait: float) -> Channel:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while (remaining := deadline - loop.time()) > 0:
        try:  # asyncio.timeout: 3.11's wait_for swallows a cancel landing with an event
            async with asyncio.timeout(remaining):
                event = await sink.get()
        except TimeoutError:
            break
        if isinstance(event, ari.StasisStarted) and event.channel.id == channel_id:
            return event.channel
        if isinstance(event, ari.ChannelDestroyed) and event.channel.id == channel_id:
            raise _NotAnswered(dial_status(event.cause, "NOANSWER"), event.cause)
    raise _NotAnswered("TIMEOUT")
