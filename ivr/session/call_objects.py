"""CallObjects: what one call owns in Asterisk, and what ARI events about it mean.

AriCallControl makes the requests; this keeps the account of what they left
(prompts playing, legs ringing or up, the bridge, every id watched) so that a
release can undo all of it. ARI events are read against that account, because
an event means something only for an object the call owns: a StasisStart is a
leg answering only if that leg was ringing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from ivr.ari import events as ari
from ivr.ari.causes import dial_status
from ivr.ari.models import Channel
from ivr.session.events import (
    CallerHungUp,
    CallEvent,
    DigitPressed,
    LegAnswered,
    LegFailed,
    LegHungUp,
    PromptFinished,
)

_FAILED_DIALS = {
    "BUSY",
    "NOANSWER",
    "CHANUNAVAIL",
    "CONGESTION",
    "CANCEL",
    "DONTCALL",
    "INVALIDARGS",
}


class EventRouter(Protocol):
    """Delivers ARI events about an object id to whoever watches it."""

    def watch(self, object_id: str, sink: asyncio.Queue[ari.AriEvent]) -> None: ...
    def unwatch(self, object_id: str) -> None: ...


class LegState(Enum):
    RINGING = "ringing"
    UP = "up"


class CallObjects:
    """The account of one call's objects in Asterisk, and the inbox of their events."""

    def __init__(self, router: EventRouter, channel_id: str) -> None:
        self._router = router
        self._channel_id = channel_id
        self.inbox: asyncio.Queue[ari.AriEvent] = asyncio.Queue()
        self._watched: set[str] = set()
        self._playbacks: set[str] = set()
        self._legs: dict[str, LegState] = {}
        self.bridge_id: str | None = None  # the call's one mixing bridge, once made
        self.caller_gone = False
        self.watch(channel_id)

    # --- watching ----------------------------------------------------------------------

    def watch(self, object_id: str) -> None:
        self._watched.add(object_id)
        self._router.watch(object_id, self.inbox)

    def unwatch(self, object_id: str) -> None:
        self._watched.discard(object_id)
        self._router.unwatch(object_id)

    def unwatch_all(self) -> None:
        for object_id in list(self._watched):
            self.unwatch(object_id)

    # --- prompts -----------------------------------------------------------------------

    def add_playback(self, playback_id: str) -> None:
        self.watch(playback_id)  # before the request: PlaybackStarted can beat the response
        self._playbacks.add(playback_id)

    def owns_playback(self, playback_id: str) -> bool:
        return playback_id in self._playbacks

    def playbacks(self) -> list[str]:
        return list(self._playbacks)

    def forget_playback(self, playback_id: str) -> None:
        self._playbacks.discard(playback_id)
        self.unwatch(playback_id)

    # --- legs --------------------------------------------------------------------------

    def ring(self, leg_id: str) -> None:
        """A leg now ringing for this call (watched before it is requested)."""
        self.watch(leg_id)
        self._legs[leg_id] = LegState.RINGING

    def owns_leg(self, leg_id: str) -> bool:
        return leg_id in self._legs

    def legs(self) -> list[str]:
        return list(self._legs)

    def forget_leg(self, leg_id: str) -> None:
        self._legs.pop(leg_id, None)
        self.unwatch(leg_id)

    def answered(self, leg_id: str) -> bool:
        """Mark a ringing leg up; False if it was not ringing (already up, or not ours)."""
        if self._legs.get(leg_id) != LegState.RINGING:
            return False
        self._legs[leg_id] = LegState.UP
        return True

    def adopt(self, bridge_id: str | None, legs: Sequence[str]) -> None:
        """Take over a previous process's bridge and answered legs."""
        if bridge_id is not None:
            self.bridge_id = bridge_id
            self.watch(bridge_id)
        for leg_id in legs:
            self._legs[leg_id] = LegState.UP
            self.watch(leg_id)

    def forget_all(self) -> None:
        """Stop following everything, the caller included, without touching any of it."""
        self._playbacks.clear()
        self._legs.clear()
        self.bridge_id = None
        self.caller_gone = True
        self.unwatch_all()

    # --- events ------------------------------------------------------------------------

    def report(self, event: CallEvent) -> None:
        """Queue a CallEvent no ARI event will bring (made up, or from the listening path)."""
        self.inbox.put_nowait(_Synthetic(event))

    def catch_up_legs(self, live: Mapping[str, Channel]) -> None:
        """After a WebSocket gap: report the legs that went or answered meanwhile."""
        for leg_id, state in list(self._legs.items()):
            leg = live.get(leg_id)
            missed: CallEvent | None = None
            if leg is None:
                self.forget_leg(leg_id)
                missed = LegHungUp(leg_id) if state == LegState.UP else LegFailed(leg_id, "HANGUP")
            elif (
                state == LegState.RINGING
                and leg.state == "Up"
                and leg.dialplan.app_name == "Stasis"
            ):
                self._legs[leg_id] = (
                    LegState.UP
                )  # answered into the app while we were not listening
                missed = LegAnswered(leg_id)
            if missed is not None:
                self.report(missed)

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        """The next CallEvent, or None when ``timeout`` passes first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # lands as an event arrives, so an operator's re-route at the start of a dial
            # was lost (the old verb rang on; test_console_actions, 1 run in 8).
            try:
                async with asyncio.timeout(remaining):
                    raw = await self.inbox.get()
            except TimeoutError:
                return None
            event = self.translate(raw)
            if event is not None:
                return event

    def translate(self, event: ari.AriEvent) -> CallEvent | None:
        """Map one ARI event to a CallEvent, updating what this call owns."""
        match event:
            case _Synthetic(event=missed):
                return missed
            case ari.DtmfReceived(channel=ch, digit=digit) if ch.id == self._channel_id:
                return DigitPressed(digit)
            case ari.PlaybackFinished(playback=pb) if pb.id in self._playbacks:
                self.forget_playback(pb.id)
                return PromptFinished(pb.id, completed=pb.state != "failed")
            case ari.HangupRequested(channel=ch, cause=cause, soft=soft) if (
                ch.id == self._channel_id and not soft
            ):
                self.caller_gone = True
                return CallerHungUp(cause)
            case ari.StasisEnded(channel=ch) if ch.id == self._channel_id:
                self.caller_gone = True
                return CallerHungUp()
            case ari.StasisStarted(channel=ch) if self._legs.get(ch.id) == LegState.RINGING:
                self._legs[ch.id] = LegState.UP
                return LegAnswered(ch.id)
            case ari.DialProgressed(peer=peer, dialstatus=status) if (
                status in _FAILED_DIALS and self._legs.get(peer.id) == LegState.RINGING
            ):
                self._legs.pop(peer.id, None)
                return LegFailed(peer.id, status)
            case ari.ChannelDestroyed(channel=ch, cause=cause) if (
                self._legs.get(ch.id) == LegState.RINGING
            ):
                # Rung out or refused: Asterisk says which only in the cause (no Dial event).
                self._legs.pop(ch.id)
                self.unwatch(ch.id)
                return LegFailed(ch.id, dial_status(cause, "HANGUP"))
            case ari.StasisEnded(channel=ch) | ari.ChannelDestroyed(channel=ch) if (
                ch.id in self._legs
            ):
                state = self._legs.pop(ch.id)
                self.unwatch(ch.id)
                return LegHungUp(ch.id) if state == LegState.UP else LegFailed(ch.id, "HANGUP")
            case ari.HangupRequested(channel=ch) if self._legs.get(ch.id) == LegState.UP:
                self._legs.pop(ch.id)
                return LegHungUp(ch.id)
        return None


@dataclass(frozen=True, slots=True)
class _Synthetic(ari.AriEvent):
    """A CallEvent queued among the ARI events (made up after a gap, or from listening)."""

    event: CallEvent = field(default_factory=CallerHungUp)

    def __init__(self, event: CallEvent) -> None:
        object.__setattr__(self, "type", "Synthetic")
        object.__setattr__(self, "timestamp", "")
        object.__setattr__(self, "application", "")
        object.__setattr__(self, "event", event)
