"""Channels, bridges and playbacks as the simulator holds them, and their ARI JSON."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ivr.simulator.events import JsonObject, ari_timestamp

if TYPE_CHECKING:
    from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint
    from ivr.simulator.timers import Timer


@dataclass
class Party:
    name: str = ""
    number: str = ""

    def to_json(self) -> JsonObject:
        return {"name": self.name, "number": self.number}

    def copy(self) -> Party:
        return Party(self.name, self.number)


@dataclass
class Dialplan:
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    app_name: str = ""
    app_data: str = ""

    def to_json(self) -> JsonObject:
        return {
            "context": self.context,
            "exten": self.exten,
            "priority": self.priority,
            "app_name": self.app_name,
            "app_data": self.app_data,
        }

    def copy(self) -> Dialplan:
        return Dialplan(self.context, self.exten, self.priority, self.app_name, self.app_data)


class PlaybackTarget:
    """Something playbacks queue on: a channel or a bridge (one plays at a time)."""

    def __init__(self) -> None:
        self.playback_queue: deque[Playback] = deque()
        self.current_playback: Playback | None = None


class Channel(PlaybackTarget):
    """One Asterisk channel, plus what the simulator needs to drive it."""

    def __init__(
        self,
        channel_id: str,
        name: str,
        *,
        tech: str,
        state: str,
        dialplan: Dialplan,
        caller: Party | None = None,
        connected: Party | None = None,
        endpoint: str = "",
        audio: CallerAudio | None = None,
    ) -> None:
        super().__init__()
        self.id = channel_id
        self.name = name
        self.tech = tech
        self.state = state
        self.dialplan = dialplan
        self.caller = caller or Party()
        self.connected = connected or Party()
        self.endpoint = endpoint
        self.creationtime = ari_timestamp()
        self.created_at = time.time()
        self.language = "en"
        self.variables: dict[str, str] = {}
        self.stasis_app: str | None = None
        self.stasis_args: list[str] = []
        self.subscribers: set[str] = set()
        self.app_created = False
        self.saved_dialplan: Dialplan | None = None
        self.peer_id: str | None = None
        self.bridge_id: str | None = None
        self.audio = audio
        self.snoop_of: str | None = None
        self.spy = "none"
        self.snoop_ids: set[str] = set()
        self.external: ExternalMediaEndpoint | None = None
        self.record: CallRecord | None = None
        self.hung_up = False
        self.moh: tuple[str, float] | None = None
        self.dialstring = ""
        self.dialled = False
        self.pending_stasis: tuple[str, list[str]] | None = None

    def to_json(self, *, with_vars: bool = False) -> JsonObject:
        body: JsonObject = {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "protocol_id": "",
            "caller": self.caller.to_json(),
            "connected": self.connected.to_json(),
            "accountcode": "",
            "dialplan": self.dialplan.to_json(),
            "creationtime": self.creationtime,
            "language": self.language,
        }
        if with_vars and self.variables:
            body["channelvars"] = dict(self.variables)
        return body


class Bridge(PlaybackTarget):
    """A Stasis bridge; channels are kept in join order, listed sorted like Asterisk's."""

    def __init__(self, bridge_id: str, bridge_type: str, name: str) -> None:
        super().__init__()
        self.id = bridge_id
        self.bridge_type = bridge_type
        self.name = name
        self.channels: list[str] = []
        self.creationtime = ari_timestamp()
        self.subscribers: set[str] = set()
        self.moh: tuple[str, float] | None = None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "technology": "simple_bridge",
            "bridge_type": self.bridge_type,
            "bridge_class": "stasis",
            "creator": "Stasis",
            "name": self.name,
            "channels": sorted(self.channels),
            "creationtime": self.creationtime,
            "video_mode": "talker",
        }


@dataclass
class Playback:
    """A playback: one or more media URIs played in turn on one target."""

    id: str
    media: list[str]
    target_kind: str
    target_id: str
    language: str
    skip_seconds: float = 3.0
    index: int = 0
    state: str = "queued"
    timer: Timer | None = None
    segment_started: float = 0.0
    segment_length: float = 0.0
    position: float = 0.0
    heard: list[JsonObject] = field(default_factory=list)

    @property
    def target_uri(self) -> str:
        return f"{self.target_kind}:{self.target_id}"

    @property
    def media_uri(self) -> str:
        return self.media[self.index]

    def to_json(self) -> JsonObject:
        body: JsonObject = {"id": self.id, "media_uri": self.media_uri}
        if self.index + 1 < len(self.media):
            body["next_media_uri"] = self.media[self.index + 1]
        body.update({"target_uri": self.target_uri, "language": self.language, "state": self.state})
        return body


@dataclass
class CallRecord:
    """What happened to one simulated caller, for tests to assert on (GET /_sim/calls/{id})."""

    caller_channel_id: str
    channel_id: str
    dialled: str
    created: float = field(default_factory=time.time)
    answered: float | None = None
    hungup: float | None = None
    hungup_by: str | None = None
    heard: list[JsonObject] = field(default_factory=list)
    moh: list[JsonObject] = field(default_factory=list)
    bridge_peers: list[JsonObject] = field(default_factory=list)
    dtmf_sent: list[JsonObject] = field(default_factory=list)
    dtmf_heard: list[JsonObject] = field(default_factory=list)
    said: list[JsonObject] = field(default_factory=list)
    ringing: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> JsonObject:
        data: dict[str, Any] = {
            "caller_channel_id": self.caller_channel_id,
            "channel_id": self.channel_id,
            "dialled": self.dialled,
            "created": self.created,
            "answered": self.answered,
            "hungup": self.hungup,
            "hungup_by": self.hungup_by,
            "heard": self.heard,
            "moh": self.moh,
            "bridge_peers": self.bridge_peers,
            "dtmf_sent": self.dtmf_sent,
            "dtmf_heard": self.dtmf_heard,
            "said": self.said,
            "ringing": self.ringing,
            "notes": self.notes,
        }
        return data
