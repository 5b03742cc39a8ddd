"""The simulated Asterisk core: channel registry, Stasis enter/leave, answer and hangup.

Everything runs on one event loop; delays go through the Scheduler so a hangup cancels
whatever the call still had pending. Event order follows the golden traces.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterable
from typing import Any

from ivr.simulator.apps import AppRegistry
from ivr.simulator.config import AgentProfile, SimulatorConfig
from ivr.simulator.dialplan import (
    AGENT_CONTEXT,
    ScriptRunner,
)
from ivr.simulator.errors import channel_not_found, not_in_stasis
from ivr.simulator.events import JsonObject, cause_text
from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint
from ivr.simulator.model import Bridge, CallRecord, Channel, Dialplan, Playback
from ivr.simulator.sounds import SoundLibrary
from ivr.simulator.timers import Scheduler

log = logging.getLogger(__name__)


class Engine:
    """Holds every live object; other parts (player, bridges, calls, callers) work through it."""

    def __init__(self, config: SimulatorConfig) -> None:
        from ivr.simulator.bridging import BridgeManager
        from ivr.simulator.caller_side import CallerSide
        from ivr.simulator.calls import CallFactory
        from ivr.simulator.playbacks import PlaybackPlayer
        from ivr.simulator.ringing import AgentRinger
        from ivr.simulator.special import ChannelSpecials

        self.config = config
        self.scheduler = Scheduler(config.time_scale)
        self.apps = AppRegistry(config.asterisk_id)
        self.sounds = SoundLibrary(list(config.sound_roots))
        self.channels: dict[str, Channel] = {}
        self.bridges: dict[str, Bridge] = {}
        self.playbacks: dict[str, list[Playback]] = {}
        self.records: dict[str, CallRecord] = {}
        self.runners: dict[str, ScriptRunner] = {}
        self.agent_overrides: dict[str, AgentProfile] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.started_at = time.time()
        self._uid = itertools.count(1)
        self._local_seq = itertools.count(1)
        self._snoop_seq = itertools.count(1)
        self._tech_seq = itertools.count(1)
        self.player = PlaybackPlayer(self)
        self.bridging = BridgeManager(self)
        self.calls = CallFactory(self)
        self.ringer = AgentRinger(self)
        self.specials = ChannelSpecials(self)
        self.caller_side = CallerSide(self)

    # ---- ids -------------------------------------------------------------------------
    def new_uid(self) -> str:
        return f"{int(time.time())}.{next(self._uid)}"

    def next_local(self) -> str:
        return f"{next(self._local_seq):08x}"

    def next_snoop(self) -> str:
        return f"{next(self._snoop_seq):08x}"

    def next_tech(self) -> str:
        return f"{next(self._tech_seq):08x}"

    # ---- lookups ---------------------------------------------------------------------
    def channel(self, channel_id: str) -> Channel:
        ch = self.channels.get(channel_id)
        if ch is None or ch.hung_up:
            raise channel_not_found()
        return ch

    def stasis_channel(self, channel_id: str, status: int = 409) -> Channel:
        ch = self.channel(channel_id)
        if ch.stasis_app is None:
            raise not_in_stasis(status)
        return ch

    def peer(self, ch: Channel) -> Channel | None:
        if ch.peer_id is None:
            return None
        other = self.channels.get(ch.peer_id)
        return None if other is None or other.hung_up else other

    def new_channel(self, channel_id: str, name: str, **kwargs: Any) -> Channel:
        ch = Channel(channel_id, name, audio=CallerAudio(), **kwargs)
        self.channels[channel_id] = ch
        return ch

    def spawn(self, coro: Any) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("simulator task failed: %r", task.exception())

    # ---- events ----------------------------------------------------------------------
    def emit(self, apps: Iterable[str], event_type: str, fields: JsonObject) -> None:
        self.apps.publish(apps, event_type, fields)

    def emit_channel(self, ch: Channel, event_type: str, **extra: Any) -> None:
        if not ch.subscribers:
            return
        fields: JsonObject = dict(extra)
        fields["channel"] = ch.to_json()
        self.apps.publish(ch.subscribers, event_type, fields)

    def set_var(self, ch: Channel, name: str, value: str) -> None:
        ch.variables[name] = value
        self.emit_channel(ch, "ChannelVarset", variable=name, value=value)

    def set_state(self, ch: Channel, state: str) -> None:
        if ch.state != state:
            ch.state = state
            self.emit_channel(ch, "ChannelStateChange")

    def set_dialplan(
        self,
        ch: Channel,
        priority: int,
        app: str,
        data: str,
        *,
        context: str | None = None,
        exten: str | None = None,
    ) -> None:
        ch.dialplan = Dialplan(
            context or ch.dialplan.context, exten or ch.dialplan.exten, priority, app, data
        )
        self.emit_channel(ch, "ChannelDialplan", dialplan_app=app, dialplan_app_data=data)

    # ---- stasis ----------------------------------------------------------------------
    def enter_stasis(
        self,
        ch: Channel,
        app: str,
        args: list[str],
        *,
        varset: bool,
        announce_dialplan: bool = False,
    ) -> bool:
        """Run Stasis(app,args) on the channel; False (and nothing sent) if app is gone."""
        if ch.hung_up:
            return False
        if not self.apps.is_active(app):
            log.info("Stasis app %s doesn't exist; %s continues to hang up", app, ch.name)
            return False
        ch.saved_dialplan = ch.dialplan.copy()
        data = ",".join([app, *args])
        ch.dialplan = Dialplan(
            ch.dialplan.context, ch.dialplan.exten, ch.dialplan.priority, "Stasis", data
        )
        ch.stasis_app = app
        ch.stasis_args = list(args)
        self.subscribe(ch, app)
        if announce_dialplan:
            self.emit_channel(ch, "ChannelDialplan", dialplan_app="Stasis", dialplan_app_data=data)
        if varset:
            self.set_var(ch, "STASISSTATUS", "")
        self.emit_channel(ch, "StasisStart", args=list(args))
        return True

    def leave_stasis(self, ch: Channel) -> None:
        app = ch.stasis_app
        if app is None:
            return
        self.emit_channel(ch, "StasisEnd")
        ch.stasis_app = None
        if ch.app_created:
            # Still subscribed (events go on to ChannelDestroyed: transfer trace), and so
            # still in the application's channel_ids.
            self.set_var(ch, "STASISSTATUS", "SUCCESS")
        else:
            ch.subscribers.discard(app)
            ch.variables["STASISSTATUS"] = "SUCCESS"
            self.apps.track_channel(app, ch.id, False)

    def subscribe(self, ch: Channel, app: str) -> None:
        """The app hears this channel's events; GET /applications lists it in channel_ids.

        Asterisk lists subscriptions there, not only channels in Stasis: an originate
        into an app subscribes the Local channel's ;2 half too (res_ari channels.c).
        """
        ch.subscribers.add(app)
        self.apps.track_channel(app, ch.id, True)

    # ---- answer / hangup -------------------------------------------------------------
    def answer(self, ch: Channel) -> None:
        if ch.state == "Up":
            return
        self.set_state(ch, "Up")
        self.on_up(ch)
        peer = self.peer(ch)
        if peer is not None and peer.state != "Up":
            self.set_state(peer, "Up")
            self.on_up(peer)

    def on_up(self, ch: Channel) -> None:
        if ch.record is not None and ch.record.answered is None:
            ch.record.answered = time.time()
        runner = self.runners.get(ch.id)
        if runner is not None:
            runner.start()
        if ch.pending_stasis is not None:
            app, args = ch.pending_stasis
            ch.pending_stasis = None
            if not self.enter_stasis(ch, app, args, varset=True):
                self.hangup(ch, cause=16, request={"cause": 16}, who="stasis-failed")

    def hangup(
        self, ch: Channel, *, cause: int = 16, request: JsonObject | None = None, who: str = ""
    ) -> None:
        """Hang a channel up with Asterisk's event order, then its Local half and snoops."""
        if ch.hung_up:
            return
        ch.hung_up = True
        if ch.record is not None and ch.record.hungup is None:
            ch.record.hungup = time.time()
            ch.record.hungup_by = who or "unknown"
        if request is not None:
            self.emit_channel(ch, "ChannelHangupRequest", **request)
        self.player.channel_gone(ch)
        if ch.bridge_id is not None:
            self.bridging.leave(ch)
        self.leave_stasis(ch)
        peer = self.peer(ch)
        if peer is not None:
            peer.peer_id = None
            self.emit_channel(peer, "ChannelHangupRequest", cause=cause)
        if ch.saved_dialplan is not None:
            ch.dialplan = ch.saved_dialplan
        self.emit_channel(ch, "ChannelDestroyed", cause=cause, cause_txt=cause_text(cause))
        self._forget(ch)
        if peer is not None:
            soft = None if peer.stasis_app is not None else {"cause": cause, "soft": True}
            if soft is not None and peer.dialplan.context == AGENT_CONTEXT:
                self.emit_channel(peer, "ChannelHangupRequest", **soft)
                self.set_dialplan(peer, 1, "NoOp", "agent hangup", exten="h")
                # NoOp ran; the h extension ends at priority 2 with no application (trace).
                peer.dialplan = Dialplan(peer.dialplan.context, "h", 2, "", "")
                soft = None
            self.hangup(peer, cause=cause, request=soft, who=who)
        for snoop_id in list(ch.snoop_ids):
            snoop = self.channels.get(snoop_id)
            if snoop is not None:
                self.hangup(snoop, cause=16, request={"cause": 16}, who=who)

    def _forget(self, ch: Channel) -> None:
        self.channels.pop(ch.id, None)
        for app in ch.subscribers:
            self.apps.track_channel(app, ch.id, False)
        self.scheduler.cancel_owner(ch.id)
        self.runners.pop(ch.id, None)
        self.ringer.forget(ch.id)
        if ch.moh is not None:
            self.stop_moh(ch)
        if ch.snoop_of is not None:
            target = self.channels.get(ch.snoop_of)
            if target is not None:
                target.snoop_ids.discard(ch.id)
        if ch.external is not None:
            endpoint = ch.external
            ch.external = None
            endpoint.stop_streaming()
            self.spawn(endpoint.close())

    def set_agent(self, endpoint: str, profile: AgentProfile) -> None:
        """Change how an endpoint answers from now on (POST /_sim/agents)."""
        self.agent_overrides[endpoint] = profile

    # ---- music on hold ---------------------------------------------------------------
    def start_moh(self, ch: Channel, moh_class: str) -> None:
        if ch.moh is not None:
            self.stop_moh(ch)
        ch.moh = (moh_class, time.time())

    def stop_moh(self, ch: Channel) -> None:
        if ch.moh is None:
            return
        moh_class, started = ch.moh
        ch.moh = None
        if ch.record is not None:
            ch.record.moh.append({"class": moh_class, "start": started, "end": time.time()})

    # ---- media routing ---------------------------------------------------------------
    def external_source(self, external: Channel) -> CallerAudio | None:
        """Whose audio an externalMedia channel hears in its bridge (snoop spy=in/both)."""
        if external.bridge_id is None:
            return None
        bridge = self.bridges.get(external.bridge_id)
        if bridge is None:
            return None
        for member_id in bridge.channels:
            member = self.channels.get(member_id)
            if member is None or member is external or member.external is not None:
                continue
            if member.snoop_of is not None:
                if member.spy in ("in", "both"):
                    target = self.channels.get(member.snoop_of)
                    if target is not None and target.audio is not None:
                        return target.audio
                continue
            if member.audio is not None:
                return member.audio
        return None

    def reroute(self, bridge: Bridge | None, extra: Iterable[Channel] = ()) -> None:
        members = (
            [self.channels[c] for c in bridge.channels if c in self.channels] if bridge else []
        )
        for ch in [*members, *extra]:
            endpoint: ExternalMediaEndpoint | None = ch.external
            if endpoint is None:
                continue
            endpoint.stop_streaming()
            source = self.external_source(ch)
            if source is not None:
                endpoint.start_streaming(source.next_frame)

    # ---- shutdown --------------------------------------------------------------------
    async def shutdown(self) -> None:
        for ch in list(self.channels.values()):
            self.hangup(ch, cause=16, request={"cause": 16}, who="simulator")
        for bridge in list(self.bridges.values()):
            self.bridging.destroy(bridge)
        self.scheduler.cancel_all()
        if self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
