"""Typed ARI WebSocket events.

Only the events the app acts on get a class; everything else becomes an
``UnknownEvent`` so a new Asterisk release or an event we never subscribe to
is logged and skipped instead of breaking the listener.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ivr.ari.models import Bridge, Channel, JsonObject, ModelError, Playback


class EventParseError(ValueError):
    """A WebSocket message that is not a well-formed ARI event."""

    error_id = "ari-event-malformed"


@dataclass(frozen=True, slots=True)
class AriEvent:
    type: str
    timestamp: str
    application: str

    def object_ids(self) -> tuple[str, ...]:
        """Ids of the channels, playbacks and bridges the event concerns (for dispatch)."""
        return ()


@dataclass(frozen=True, slots=True)
class ChannelEvent(AriEvent):
    channel: Channel

    def object_ids(self) -> tuple[str, ...]:
        return (self.channel.id,)


@dataclass(frozen=True, slots=True)
class StasisStarted(ChannelEvent):
    args: tuple[str, ...] = ()
    replace_channel: Channel | None = None


@dataclass(frozen=True, slots=True)
class StasisEnded(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class DtmfReceived(ChannelEvent):
    digit: str = ""
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class HangupRequested(ChannelEvent):
    cause: int = 0
    soft: bool = False


@dataclass(frozen=True, slots=True)
class ChannelDestroyed(ChannelEvent):
    cause: int = 0
    cause_txt: str = ""


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class ChannelVarset(ChannelEvent):
    variable: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class TalkingStarted(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class TalkingFinished(ChannelEvent):
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class BridgeChannelEvent(ChannelEvent):
    bridge: Bridge

    def object_ids(self) -> tuple[str, ...]:
        return (self.channel.id, self.bridge.id)


@dataclass(frozen=True, slots=True)
class ChannelEnteredBridge(BridgeChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class ChannelLeftBridge(BridgeChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class BridgeDestroyed(AriEvent):
    bridge: Bridge

    def object_ids(self) -> tuple[str, ...]:
        return (self.bridge.id,)


@dataclass(frozen=True, slots=True)
class PlaybackEvent(AriEvent):
    playback: Playback

    def object_ids(self) -> tuple[str, ...]:
        return (self.playback.id,)


@dataclass(frozen=True, slots=True)
class PlaybackStarted(PlaybackEvent):
    pass


@dataclass(frozen=True, slots=True)
class PlaybackContinuing(PlaybackEvent):
    pass


@dataclass(frozen=True, slots=True)
class PlaybackFinished(PlaybackEvent):
    pass


@dataclass(frozen=True, slots=True)
class DialProgressed(AriEvent):
    """Asterisk's ``Dial`` event. ``caller`` is absent for originate and /dial (traces)."""

    peer: Channel
    dialstatus: str = ""
    dialstring: str = ""
    caller: Channel | None = None

    def object_ids(self) -> tuple[str, ...]:
        return (self.peer.id,) if self.caller is None else (self.peer.id, self.caller.id)


@dataclass(frozen=True, slots=True)
class ApplicationReplaced(AriEvent):
    pass


@dataclass(frozen=True, slots=True)
class UnknownEvent(AriEvent):
    raw: JsonObject


def _int(raw: JsonObject, key: str) -> int:
    value = raw.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(raw: JsonObject, key: str) -> str:
    value = raw.get(key, "")
    return value if isinstance(value, str) else str(value)


def _channel(raw: JsonObject, key: str = "channel") -> Channel:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise EventParseError(f"{raw.get('type')} without a {key!r} object")
    return Channel.from_json(value)


def _bridge(raw: JsonObject) -> Bridge:
    value = raw.get("bridge")
    if not isinstance(value, dict):
        raise EventParseError(f"{raw.get('type')} without a 'bridge' object")
    return Bridge.from_json(value)


def _playback(raw: JsonObject) -> Playback:
    value = raw.get("playback")
    if not isinstance(value, dict):
        raise EventParseError(f"{raw.get('type')} without a 'playback' object")
    return Playback.from_json(value)


Envelope = tuple[str, str, str]
_Builder = Callable[[Envelope, JsonObject], AriEvent]


def _stasis_start(env: Envelope, raw: JsonObject) -> AriEvent:
    args = raw.get("args", [])
    replaced = raw.get("replace_channel")
    return StasisStarted(
        *env,
        channel=_channel(raw),
        args=tuple(str(a) for a in args) if isinstance(args, list) else (),
        replace_channel=Channel.from_json(replaced) if isinstance(replaced, dict) else None,
    )


def _dial(env: Envelope, raw: JsonObject) -> AriEvent:
    caller = raw.get("caller")
    return DialProgressed(
        *env,
        peer=_channel(raw, "peer"),
        dialstatus=_str(raw, "dialstatus"),
        dialstring=_str(raw, "dialstring"),
        caller=Channel.from_json(caller) if isinstance(caller, dict) else None,
    )


_BUILDERS: dict[str, _Builder] = {
    "StasisStart": _stasis_start,
    "StasisEnd": lambda env, raw: StasisEnded(*env, channel=_channel(raw)),
    "ChannelDtmfReceived": lambda env, raw: DtmfReceived(
        *env, channel=_channel(raw), digit=_str(raw, "digit"), duration_ms=_int(raw, "duration_ms")
    ),
    "ChannelHangupRequest": lambda env, raw: HangupRequested(
        *env, channel=_channel(raw), cause=_int(raw, "cause"), soft=raw.get("soft") is True
    ),
    "ChannelDestroyed": lambda env, raw: ChannelDestroyed(
        *env, channel=_channel(raw), cause=_int(raw, "cause"), cause_txt=_str(raw, "cause_txt")
    ),
    "ChannelStateChange": lambda env, raw: ChannelStateChanged(*env, channel=_channel(raw)),
    "ChannelVarset": lambda env, raw: ChannelVarset(
        *env, channel=_channel(raw), variable=_str(raw, "variable"), value=_str(raw, "value")
    ),
    "ChannelTalkingStarted": lambda env, raw: TalkingStarted(*env, channel=_channel(raw)),
    "ChannelTalkingFinished": lambda env, raw: TalkingFinished(
        *env, channel=_channel(raw), duration_ms=_int(raw, "duration")
    ),
    "ChannelEnteredBridge": lambda env, raw: ChannelEnteredBridge(
        *env, channel=_channel(raw), bridge=_bridge(raw)
    ),
    "ChannelLeftBridge": lambda env, raw: ChannelLeftBridge(
        *env, channel=_channel(raw), bridge=_bridge(raw)
    ),
    "BridgeDestroyed": lambda env, raw: BridgeDestroyed(*env, bridge=_bridge(raw)),
    "PlaybackStarted": lambda env, raw: PlaybackStarted(*env, playback=_playback(raw)),
    "PlaybackContinuing": lambda env, raw: PlaybackContinuing(*env, playback=_playback(raw)),
    "PlaybackFinished": lambda env, raw: PlaybackFinished(*env, playback=_playback(raw)),
    "Dial": _dial,
    "ApplicationReplaced": lambda env, raw: ApplicationReplaced(*env),
}


def parse_event(raw: Any) -> AriEvent:
    """Build the typed event for one decoded WebSocket message.

    Raises EventParseError when the message is not an event at all or a
    known event lacks the object it is about; unknown types are returned as
    UnknownEvent.
    """
    if not isinstance(raw, dict):
        raise EventParseError(f"event is a {type(raw).__name__}, not an object")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise EventParseError("event without a 'type'")
    env: Envelope = (kind, _str(raw, "timestamp"), _str(raw, "application"))
    builder = _BUILDERS.get(kind)
    if builder is None:
        return UnknownEvent(*env, raw=raw)
    try:
        return builder(env, raw)
    except ModelError as exc:
        raise EventParseError(f"{kind}: {exc}") from exc
