"""CallControl: the one seam between call logic and Asterisk.

``AriCallControl`` implements it over ARI for one inbound channel. It makes the
requests; what they create for the call (playbacks, bridges, agent legs) is kept
in its ``CallObjects`` (ivr.session.call_objects), so that ``release()`` can
clean all of it up on any exit path, and the ARI events routed to the call are
turned into CallEvents there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from ivr.ari import events as ari
from ivr.ari.client import AriClient
from ivr.ari.errors import AriConflict, AriError, AriNotFound, AriUnavailable
from ivr.ari.models import Channel
from ivr.channel_ids import new_id
from ivr.session.call_objects import CallObjects, EventRouter
from ivr.session.events import CallerHungUp, CallEvent, LegAnswered, LegFailed, PromptFinished
from ivr.session.listening import AsrTap, ListeningError, MediaSettings
from ivr.session.notes import Note, write_note

log = logging.getLogger(__name__)


class CallControl(Protocol):
    """What a verb may do to its call."""

    @property
    def channel_id(self) -> str: ...
    async def answer(self) -> None: ...
    async def play(self, media: Sequence[str]) -> str: ...
    async def stop_playback(self, playback_id: str) -> None: ...
    async def next_event(self, timeout: float | None = None) -> CallEvent | None: ...
    async def dial(
        self, endpoint: str, *, timeout: int, caller_id: str, agent: str = ""
    ) -> str: ...
    async def connect(self, leg_id: str) -> None: ...
    async def hold_music(self, on: bool) -> None: ...
    async def drop_leg(self, leg_id: str) -> None: ...
    async def hangup(self) -> None: ...
    async def release(self) -> None: ...
    async def caller_present(self) -> bool: ...
    async def hand_back(self) -> None: ...
    def detach(self) -> None: ...
    async def start_listening(self) -> bool: ...
    def reset_listening(self) -> int: ...
    async def stop_listening(self) -> None: ...
    async def remember(self, note: Note, value: str) -> None: ...
    async def follow_leg(self, leg_id: str) -> None: ...


class AriCallControl:
    """CallControl for one inbound channel, over ARI."""

    def __init__(
        self,
        client: AriClient,
        router: EventRouter,
        app: str,
        channel_id: str,
        language: str = "en",
        media: MediaSettings | None = None,
        *,
        note_legs: bool = False,
    ) -> None:
        """``media`` None: no listening path (keypad only).

        ``note_legs``: name each leg on the channel before ringing it (``Note.RINGING``),
        so that after a restart a callback can take its ringing leg over, not ring again.
        """
        self._note_legs = note_legs
        self._client = client
        self._media = media
        self._tap: AsrTap | None = None
        self._router = router
        self._app = app
        self._channel_id = channel_id
        self._language = language
        self._objects = CallObjects(router, channel_id)
        self._moh = False
        self._dialled = 0
        self._refused = 0

    @property
    def channel_id(self) -> str:
        return self._channel_id

    @property
    def caller_gone(self) -> bool:
        """The caller hung up, or is no longer this call's to serve."""
        return self._objects.caller_gone

    @property
    def dialled(self) -> int:
        """Legs originated for this call: a callback charges the caller only when their
        number was really rung (ivr.queues.placement)."""
        return self._dialled

    @property
    def refused(self) -> int:
        """Legs ARI refused to originate (a misconfigured dial string, a missing context)."""
        return self._refused

    @property
    def inbox(self) -> asyncio.Queue[ari.AriEvent]:
        return self._objects.inbox

    async def answer(self) -> None:
        await self._client.answer(self._channel_id)

    async def play(self, media: Sequence[str]) -> str:
        playback_id = new_id("pb")
        if not self._objects.playbacks():
            # Only with nothing playing: Asterisk sets a variable in the channel's command
            # queue, behind a prompt still playing (this one is then the queued next).
            await self.remember(Note.PLAYBACK, playback_id)
        self._objects.add_playback(playback_id)
        try:
            await self._client.play(self._channel_id, playback_id, media, self._language)
        except BaseException:
            self._objects.forget_playback(playback_id)
            raise
        return playback_id

    async def stop_playback(self, playback_id: str) -> None:
        if not self._objects.owns_playback(playback_id):
            return
        try:
            await self._client.stop_playback(playback_id)
        except AriNotFound:
            self._objects.forget_playback(playback_id)  # already finished: nothing to stop

    async def dial(self, endpoint: str, *, timeout: int, caller_id: str, agent: str = "") -> str:
        """Originate a leg into the app; it reports LegAnswered at its StasisStart.

        ``agent``: the app-run queue's agent this leg rings (marked in the leg's id).
        """
        leg_id = new_id("leg", agent)
        if self._note_legs:
            await self.remember(Note.RINGING, leg_id)
        self._objects.ring(leg_id)
        try:
            await self._client.originate(
                endpoint, leg_id, self._app, app_args="leg", caller_id=caller_id, timeout=timeout
            )
        except BaseException as exc:
            if isinstance(exc, AriUnavailable):
                # The request may have reached Asterisk: make sure no agent rings for nobody.
                with contextlib.suppress(AriError):
                    await self._client.hangup(leg_id)
            elif isinstance(exc, AriError):
                self._refused += 1
            self._objects.forget_leg(leg_id)
            raise
        self._dialled += 1
        return leg_id

    async def follow_leg(self, leg_id: str) -> None:
        """Take over a leg a previous process was ringing for this call (it counts as rung).

        Watched before it is looked up; one that answered or went meanwhile is reported
        as such (``LegAnswered`` / ``LegFailed``), since its events were never ours.
        """
        self._objects.ring(leg_id)
        self._dialled += 1
        try:
            leg = await self._client.get_channel(leg_id)
        except AriNotFound:
            self._objects.forget_leg(leg_id)
            self._objects.report(LegFailed(leg_id, "HANGUP"))
            return
        up = leg.state == "Up" and leg.dialplan.app_name == "Stasis"
        if up and self._objects.answered(leg_id):
            self._objects.report(LegAnswered(leg_id))

    async def remember(self, note: Note, value: str) -> None:
        """Leave a note on the call's channel for the next process (ivr.session.notes)."""
        if not self.caller_gone:
            await write_note(self._client, self._channel_id, note, value)

    async def connect(self, leg_id: str) -> None:
        """Bridge the caller with an answered leg (one mixing bridge per call)."""
        bridge_id = await self._ensure_bridge()
        await self._client.add_channels(bridge_id, [leg_id])

    async def _ensure_bridge(self) -> str:
        if self._objects.bridge_id is None:
            bridge_id = new_id("br")
            self._objects.watch(bridge_id)
            await self._client.create_bridge(bridge_id, name=f"call-{self._channel_id}")
            self._objects.bridge_id = bridge_id
            await self._client.add_channels(bridge_id, [self._channel_id])
        return self._objects.bridge_id

    async def hold_music(self, on: bool) -> None:
        if on == self._moh:
            return
        if on:
            await self._client.start_moh(self._channel_id)
        else:
            await self._client.stop_moh(self._channel_id)
        self._moh = on

    async def drop_leg(self, leg_id: str) -> None:
        if not self._objects.owns_leg(leg_id):
            self._objects.unwatch(leg_id)
            return
        with contextlib.suppress(AriNotFound):
            await self._client.hangup(leg_id)  # on any other error the leg stays ours to retry
        self._objects.forget_leg(leg_id)

    async def hangup(self) -> None:
        if self.caller_gone:
            return
        with contextlib.suppress(AriNotFound):  # already gone is what we wanted
            await self._client.hangup(self._channel_id)
        self._objects.caller_gone = True

    async def start_listening(self) -> bool:
        """Open the caller's audio path once per call; False means keypad only."""
        if self._media is None or self.caller_gone:
            return False
        if self._tap is not None:
            return self._tap.active
        self._tap = AsrTap(
            self._client,
            self._router,
            self._app,
            self._channel_id,
            self._media,
            self._objects.report,
            new_id,
        )
        try:
            await self._tap.start()
        except ListeningError as exc:
            log.warning("call %s: no speech, keypad only: %s", self._channel_id, exc)
            return False
        return True

    def reset_listening(self) -> int:
        """Start a new question's epoch; speech from before it is ignored."""
        return self._tap.reset() if self._tap is not None else 0

    async def stop_listening(self) -> None:
        if self._tap is not None:
            await self._tap.stop()

    async def caller_present(self) -> bool:
        """Ask Asterisk whether the caller is still there (events may lag a 404 by a moment)."""
        try:
            await self._client.get_channel(self._channel_id)
        except AriNotFound:
            self._objects.caller_gone = True
            return False
        except AriError:
            return True  # cannot tell: assume the caller is there and keep serving them
        return True

    async def hand_back(self) -> None:
        """Give the caller back to the dialplan (its fallback rings a person), keeping them on.

        Used when the app stops or cannot go on: ``continue`` returns the
        channel to the priority after Stasis() in [ivr101-entry].
        """
        await self._release_owned()
        if not self.caller_gone:
            try:
                await self._client.continue_in_dialplan(self._channel_id)
                self._objects.caller_gone = True  # no longer ours
            except AriNotFound:
                self._objects.caller_gone = True
            except AriError as exc:
                log.warning("hand back %s failed (%s); hanging up", self._channel_id, exc)
                await self.hangup()
        self._objects.unwatch_all()

    def detach(self) -> None:
        """Stop following the call without touching it (on shutdown, mid-conversation).

        Listening has already stopped by then: Transfer stops it before bridging.
        """
        self._objects.forget_all()

    async def release(self) -> None:
        """Undo everything this call created; safe to call more than once, on any path."""
        await self._release_owned()
        try:
            await self.hangup()
        except Exception as exc:
            log.warning("release: hang up caller: %s", exc)
        self._objects.unwatch_all()

    async def _release_owned(self) -> None:
        """Stop prompts, listening, legs and the bridge; the caller is left alone."""
        await self.stop_listening()
        for playback_id in self._objects.playbacks():
            try:
                await self.stop_playback(playback_id)
            except Exception as exc:
                log.warning("release: stop playback %s: %s", playback_id, exc)
            self._objects.forget_playback(playback_id)
        for leg_id in self._objects.legs():
            try:
                await self.drop_leg(leg_id)
            except Exception as exc:
                log.warning("release: hang up leg %s: %s", leg_id, exc)
        if self._objects.bridge_id is not None:
            bridge_id, self._objects.bridge_id = self._objects.bridge_id, None
            try:
                await self._client.destroy_bridge(bridge_id)
            except AriNotFound:
                pass
            except Exception as exc:
                log.warning("release: destroy bridge %s: %s", bridge_id, exc)
            self._objects.unwatch(bridge_id)
        if self._moh and not self.caller_gone:
            with contextlib.suppress(AriError):
                await self._client.stop_moh(self._channel_id)
        self._moh = False

    def adopt(self, bridge_id: str | None, legs: Sequence[str]) -> None:
        """Take over a call a previous process left in Stasis: its bridge and answered legs."""
        self._objects.adopt(bridge_id, legs)

    async def reconcile(self, live: Mapping[str, Channel]) -> None:
        """After a WebSocket gap: synthesise what was missed (caller gone, prompt ended, leg up)."""
        if self._channel_id not in live:
            self._objects.report(CallerHungUp())
            return
        for playback_id in self._objects.playbacks():
            try:
                await self._client.get_playback(playback_id)
            except AriNotFound:
                self._objects.report(PromptFinished(playback_id, completed=True))
                self._objects.forget_playback(playback_id)
        self._objects.catch_up_legs(live)

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        """The next CallEvent, or None when ``timeout`` passes first."""
        return await self._objects.next_event(timeout)

    def translate(self, event: ari.AriEvent) -> CallEvent | None:
        """Map one ARI event to a CallEvent, updating what this call owns."""
        return self._objects.translate(event)


def is_gone(exc: BaseException) -> bool:
    """True when an ARI error means the caller's channel no longer exists."""
    return isinstance(exc, AriNotFound) or (
        isinstance(exc, AriConflict) and "not in Stasis" in exc.message
    )
