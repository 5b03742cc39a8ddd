"""Reconciler: on every (re)connect, bring this process in line with Asterisk.

Asterisk drops, not replays, the events of a WebSocket gap, and keeps channels
in Stasis while no app is listening. So after each connect the calls running
here catch up on what they missed, and the calls a previous process (or this
one, before a gap) left behind are adopted, held for the callback worker, or
cleared.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from typing import Protocol

from ivr.ari.client import AriClient
from ivr.ari.errors import AriError
from ivr.ari.models import Bridge, Channel
from ivr.channel_ids import CALLBACK_PREFIX, is_own_channel
from ivr.session.control import AriCallControl
from ivr.session.held import HeldChannels
from ivr.session.notes import Note, QueuePlace, Urgency, read_note, read_notes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Adoption:
    """How to take over a call found in Stasis with no session (after a restart or gap)."""

    bridge_id: str | None = None  # the caller is in this bridge with the app's legs
    legs: tuple[str, ...] = ()
    # The app's own channels in that bridge, (id, name), a callback's own included:
    # which of the app's agents is still talking (ivr.channel_ids.agent_of, else the name).
    channels: tuple[tuple[str, str], ...] = ()
    place: QueuePlace | None = None  # the queue place the caller held (Note.QUEUE_PLACE)
    emergency: bool = False  # decided an emergency before the restart (Note.EMERGENCY)
    checking: bool = False  # was being asked whether someone is in danger (Note.EMERGENCY)


def in_stasis_of(channel: Channel, app: str) -> bool:
    """In Stasis(``app``,...) now: Asterisk names the application first in app_data."""
    location = channel.dialplan
    return location.app_name == "Stasis" and location.app_data.split(",", 1)[0] == app


class RunningCall(Protocol):
    """A call this process runs, as far as reconciling it goes."""

    @property
    def control(self) -> AriCallControl: ...


# Starts the session of an adopted call: (channel, dialled, adoption).
StartCall = Callable[[Channel, str, Adoption | None], object]


class Reconciler:
    """Adopts or clears what nobody here owns; the running calls catch up."""

    def __init__(
        self,
        client: AriClient,
        app: str,
        *,
        calls: Mapping[str, RunningCall],
        watched: Container[str],
        held: HeldChannels,
        start_call: StartCall,
    ) -> None:
        """``calls`` (by call id, the caller's channel id) and ``watched`` (every id a
        call follows) are the CallManager's own, read live: they change meanwhile."""
        self._client = client
        self._app = app
        self._calls = calls
        self._watched = watched
        self._held = held
        self._start_call = start_call

    async def reconcile(self) -> bool:
        """Bring sessions in line with Asterisk; adopt or clear what nobody owns.

        False when Asterisk could not be asked (nothing is known about what was left).
        """
        try:
            channels = await self._client.list_channels()
            in_stasis = set((await self._client.get_application(self._app)).get("channel_ids", []))
        except AriError as exc:
            log.error("reconcile: cannot list channels: %s", exc)
            return False
        live = {c.id: c for c in channels}
        for channel in channels:
            if (
                channel.id.startswith(CALLBACK_PREFIX)
                and ";" not in channel.id  # a Local channel's ;2 runs the dialplan
                and channel.id in in_stasis  # originated into this app, not another's
                and channel.id not in self._watched
                and channel.dialplan.app_name != "Stasis"
            ):
                self._held.hold(channel.id, channel.id)  # still ringing: its answer is the worker's
        for call_id, call in list(self._calls.items()):
            try:
                await call.control.reconcile(live)
            except AriError as exc:
                log.warning("reconcile: call %s: %s", call_id, exc)
        # channel_ids lists the app's subscriptions, not only channels in Stasis: an
        # originate into the app subscribes a Local channel's ;2 half too, which is
        # running the dialplan (ringing or talking to the agent), perhaps in Stasis of
        # another ARI application that answers for the desk. Only channels in this
        # app's Stasis are ours to adopt or hang up; hanging up that ;2 drops the agent.
        orphans = [
            live[cid]
            for cid in in_stasis
            if cid in live and cid not in self._watched and in_stasis_of(live[cid], self._app)
        ]
        if not orphans:
            return True
        try:
            bridges = await self._client.list_bridges()
        except AriError as exc:
            log.error("reconcile: cannot list bridges: %s", exc)
            return False
        await self._adopt(orphans, bridges, live)
        return True

    async def _adopt(
        self, orphans: list[Channel], bridges: list[Bridge], live: dict[str, Channel]
    ) -> None:
        bridge_of = {cid: b for b in bridges for cid in b.channels}
        adopted_legs: set[str] = set()
        adoptions: list[tuple[Channel, Adoption]] = []
        fresh: list[Channel] = []
        for channel in orphans:
            bridge = bridge_of.get(channel.id)
            legs = tuple(c for c in bridge.channels if is_own_channel(c)) if bridge else ()
            channels = tuple((c, live[c].name if c in live else "") for c in legs)
            place = None
            emergency = checking = False
            if channel.id.startswith(CALLBACK_PREFIX):
                legs = tuple(c for c in legs if c != channel.id)
                if not legs:
                    # Answered, not yet talking: the callback worker resumes it from the
                    # book, and takes over the leg it was ringing (answered or not); both
                    # are held for it meanwhile (or hung up, if it does not follow them).
                    self._held.hold(channel.id, channel.id)
                    ringing = await read_note(self._client, channel.id, Note.RINGING)
                    if ringing in live and ringing not in self._watched:
                        self._held.hold(ringing, channel.id)
                    continue
            elif is_own_channel(channel.id):
                continue
            elif bridge is None and channel.state != "Up":
                # Never answered: a call that came in while we (re)connected, whose
                # StasisStart is still on its way (or was lost in the gap). Adopted, it
                # would be asked again and never answered; it is a new call.
                fresh.append(channel)
                continue
            elif bridge is None:
                noted_place, noted_emergency, noted_playback = await read_notes(
                    self._client, channel.id, Note.QUEUE_PLACE, Note.EMERGENCY, Note.PLAYBACK
                )
                await self._silence(noted_playback)
                place = QueuePlace.decode(noted_place)
                emergency = noted_emergency == Urgency.DECIDED
                checking = noted_emergency == Urgency.CHECKING
            adoptions.append(
                (
                    channel,
                    Adoption(
                        bridge.id if bridge else None,
                        legs,
                        channels,
                        place,
                        emergency,
                        checking,
                    ),
                )
            )
        # Started only now, with no await in between, conversations first: their agents
        # are claimed busy before any caller put back in a queue can be offered one
        # (reading a note above lets a session started earlier run and dispatch).
        adoptions.sort(key=lambda item: item[1].bridge_id is None)
        for channel, adoption in adoptions:
            adopted_legs.update(adoption.legs)
            log.warning("reconcile: adopting call %s (bridge %s)", channel.id, adoption.bridge_id)
            self._start_call(channel, channel.dialplan.exten, adoption)
        for channel in fresh:
            log.info("reconcile: %s is a new call (not answered yet)", channel.id)
            self._start_call(channel, channel.dialplan.exten, None)
        for channel in orphans:
            if channel.id in self._calls or channel.id in self._held:
                continue  # adopted above, or held for the callback worker
            if is_own_channel(channel.id) and channel.id not in adopted_legs:
                log.warning("reconcile: hanging up orphaned %s", channel.id)
                with contextlib.suppress(AriError):
                    await self._client.hangup(channel.id)
        # Our bridges that no adopted call uses (a listening path, a call that ended).
        kept = {b.id for b in bridges if any(c in self._watched for c in b.channels)}
        for bridge in bridges:
            if bridge.id.startswith("br-") and bridge.id not in kept:
                log.warning("reconcile: destroying orphaned bridge %s", bridge.id)
                with contextlib.suppress(AriError):
                    await self._client.destroy_bridge(bridge.id)

    async def _silence(self, playback_id: str) -> None:
        """Stop the prompt the dead process left playing (Note.PLAYBACK), or the caller
        hears it out and every prompt of ours waits behind it."""
        if playback_id:
            with contextlib.suppress(AriError):
                await self._client.stop_playback(playback_id)
