"""Stasis bridges: joins and leaves with the trace's event order, and who hears whom."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from ivr.simulator.errors import AriError, bad_request, not_in_stasis
from ivr.simulator.model import Bridge, Channel

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine

BRIDGE_TYPES = frozenset(
    {"mixing", "holding", "dtmf_events", "proxy_media", "video_sfu", "video_single", "sdp_label"}
)


class BridgeManager:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, bridge_type: str | None, bridge_id: str | None, name: str | None) -> Bridge:
        kinds = [k.strip() for k in (bridge_type or "mixing").split(",") if k.strip()]
        for kind in kinds:
            if kind not in BRIDGE_TYPES:
                raise bad_request(f"Invalid bridge type '{kind}'", "invalid-bridge-type")
        bid = bridge_id or str(uuid.uuid4())
        if bid in self._engine.bridges:
            raise AriError(409, f"Bridge with id '{bid}' already exists", "bridge-exists")
        bridge = Bridge(bid, "holding" if "holding" in kinds else "mixing", name or "")
        self._engine.bridges[bid] = bridge
        return bridge

    def get(self, bridge_id: str) -> Bridge:
        bridge = self._engine.bridges.get(bridge_id)
        if bridge is None:
            raise AriError(404, "Bridge not found", "bridge-not-found")
        return bridge

    def resolve_members(self, raw: str | None) -> list[Channel]:
        """Parse `channel=a,b`: 400 when missing or unknown, 422 when not in Stasis."""
        ids = [c for c in (raw or "").split(",") if c]
        if not ids:
            raise bad_request("Missing parameter channel", "missing-channel")
        found: list[Channel] = []
        for channel_id in ids:
            ch = self._engine.channels.get(channel_id)
            if ch is None or ch.hung_up:
                raise bad_request("Channel not found", "channel-not-found")
            if ch.stasis_app is None:
                raise not_in_stasis(422)
            found.append(ch)
        return found

    def add(self, bridge: Bridge, members: list[Channel]) -> None:
        engine = self._engine
        joined: list[Channel] = []
        for ch in members:
            if ch.bridge_id == bridge.id:
                continue
            if ch.bridge_id is not None:
                self.leave(ch)
            bridge.channels.append(ch.id)
            ch.bridge_id = bridge.id
            if ch.stasis_app is not None and ch.stasis_app not in bridge.subscribers:
                bridge.subscribers.add(ch.stasis_app)
                engine.apps.track_bridge(ch.stasis_app, bridge.id, True)
            if ch.moh is not None:
                engine.stop_moh(ch)
            engine.emit(
                ch.subscribers | bridge.subscribers,
                "ChannelEnteredBridge",
                {"bridge": bridge.to_json(), "channel": ch.to_json()},
            )
            joined.append(ch)
        if joined:
            self._update_peers(bridge)
            engine.reroute(bridge)
            engine.ringer.conversation_starts(bridge)

    def remove(self, bridge: Bridge, members: list[Channel]) -> None:
        for ch in members:
            if ch.bridge_id != bridge.id:
                raise AriError(422, "Channel not in this bridge", "channel-not-in-bridge")
        for ch in members:
            self.leave(ch)

    def leave(self, ch: Channel) -> None:
        engine = self._engine
        bridge = engine.bridges.get(ch.bridge_id or "")
        ch.bridge_id = None
        if bridge is None:
            return
        if ch.variables.get("BRIDGEPEER"):
            engine.set_var(ch, "BRIDGEPEER", "")
        if ch.id in bridge.channels:
            bridge.channels.remove(ch.id)
        engine.emit(
            ch.subscribers | bridge.subscribers,
            "ChannelLeftBridge",
            {"bridge": bridge.to_json(), "channel": ch.to_json()},
        )
        engine.reroute(bridge, extra=[ch])

    def destroy(self, bridge: Bridge) -> None:
        engine = self._engine
        engine.player.channel_gone(bridge)
        for channel_id in list(bridge.channels):
            ch = engine.channels.get(channel_id)
            if ch is not None:
                self.leave(ch)
        self.stop_moh(bridge)
        engine.emit(bridge.subscribers, "BridgeDestroyed", {"bridge": bridge.to_json()})
        engine.bridges.pop(bridge.id, None)
        engine.scheduler.cancel_owner(bridge.id)
        for app in bridge.subscribers:
            engine.apps.track_bridge(app, bridge.id, False)

    def start_moh(self, bridge: Bridge, moh_class: str) -> None:
        self.stop_moh(bridge)
        bridge.moh = (moh_class, time.time())

    def stop_moh(self, bridge: Bridge) -> None:
        if bridge.moh is None:
            return
        moh_class, started = bridge.moh
        bridge.moh = None
        for channel_id in bridge.channels:
            ch = self._engine.channels.get(channel_id)
            if ch is not None and ch.record is not None:
                ch.record.moh.append(
                    {"class": moh_class, "start": started, "end": time.time(), "bridge": bridge.id}
                )

    def _update_peers(self, bridge: Bridge) -> None:
        engine = self._engine
        members = [engine.channels[c] for c in bridge.channels if c in engine.channels]
        if len(members) < 2:
            return
        for ch in members:
            peers = ",".join(other.name for other in members if other is not ch)
            if ch.variables.get("BRIDGEPEER") != peers:
                engine.set_var(ch, "BRIDGEPEER", peers)
        for ch in members:
            if ch.record is None:
                continue
            for other in members:
                if other is not ch and not any(
                    p["channel_id"] == other.id for p in ch.record.bridge_peers
                ):
                    ch.record.bridge_peers.append(
                        {
                            "channel_id": other.id,
                            "name": other.name,
                            "endpoint": other.endpoint,
                            "bridge_id": bridge.id,
                            "at": time.time(),
                        }
                    )
        if len(members) == 2:
            first, second = members
            for ch, other in ((second, first), (first, second)):
                if (ch.connected.name, ch.connected.number) != (
                    other.caller.name,
                    other.caller.number,
                ):
                    ch.connected = other.caller.copy()
                    engine.emit_channel(ch, "ChannelConnectedLine")
