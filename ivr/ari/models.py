"""Typed views of the ARI JSON models the app reads.

Parsing is tolerant: Asterisk adds fields between releases and the traces
show values outside the Swagger enums (a playback state of ``paused``), so
unknown fields are ignored and missing optional ones get neutral defaults.
Only the fields an IVR acts on are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

JsonObject = dict[str, Any]


class ModelError(ValueError):
    """An ARI payload lacks a field the app cannot work without."""

    error_id = "ari-model-invalid"


def _str(obj: JsonObject, key: str, default: str = "") -> str:
    value = obj.get(key, default)
    return value if isinstance(value, str) else str(value)


def _required_str(obj: JsonObject, key: str, model: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ModelError(f"{model} without a string {key!r}")
    return value


def _obj(obj: JsonObject, key: str) -> JsonObject:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class CallerId:
    name: str = ""
    number: str = ""

    @classmethod
    def from_json(cls, obj: JsonObject) -> CallerId:
        return cls(name=_str(obj, "name"), number=_str(obj, "number"))


@dataclass(frozen=True, slots=True)
class DialplanLocation:
    context: str = ""
    exten: str = ""
    priority: int = 0
    app_name: str = ""
    app_data: str = ""

    @classmethod
    def from_json(cls, obj: JsonObject) -> DialplanLocation:
        priority = obj.get("priority", 0)
        return cls(
            context=_str(obj, "context"),
            exten=_str(obj, "exten"),
            priority=priority if isinstance(priority, int) else 0,
            app_name=_str(obj, "app_name"),
            app_data=_str(obj, "app_data"),
        )


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    state: str
    caller: CallerId = CallerId()
    connected: CallerId = CallerId()
    dialplan: DialplanLocation = DialplanLocation()
    creationtime: str = ""
    language: str = "en"
    channelvars: dict[str, str] = field(default_factory=dict)

    def age(self, now: datetime) -> timedelta:
        """How long the channel has existed at ``now`` (Asterisk's ``creationtime``, e.g.
        ``2026-11-24T06:00:59.786+0000``); zero when it is missing or unreadable."""
        try:
            created = datetime.strptime(self.creationtime, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            return timedelta(0)
        return max(now - created, timedelta(0))

    @classmethod
    def from_json(cls, obj: JsonObject) -> Channel:
        raw_vars = _obj(obj, "channelvars")
        return cls(
            id=_required_str(obj, "id", "Channel"),
            name=_str(obj, "name"),
            state=_str(obj, "state"),
            caller=CallerId.from_json(_obj(obj, "caller")),
            connected=CallerId.from_json(_obj(obj, "connected")),
            dialplan=DialplanLocation.from_json(_obj(obj, "dialplan")),
            creationtime=_str(obj, "creationtime"),
            language=_str(obj, "language", "en"),
            channelvars={str(k): str(v) for k, v in raw_vars.items()},
        )


@dataclass(frozen=True, slots=True)
class Bridge:
    id: str
    bridge_type: str = ""
    name: str = ""
    channels: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: JsonObject) -> Bridge:
        chans = obj.get("channels", [])
        return cls(
            id=_required_str(obj, "id", "Bridge"),
            bridge_type=_str(obj, "bridge_type"),
            name=_str(obj, "name"),
            channels=tuple(str(c) for c in chans) if isinstance(chans, list) else (),
        )


@dataclass(frozen=True, slots=True)
class Playback:
    id: str
    media_uri: str = ""
    target_uri: str = ""
    state: str = ""
    next_media_uri: str | None = None

    @classmethod
    def from_json(cls, obj: JsonObject) -> Playback:
        nxt = obj.get("next_media_uri")
        return cls(
            id=_required_str(obj, "id", "Playback"),
            media_uri=_str(obj, "media_uri"),
            target_uri=_str(obj, "target_uri"),
            state=_str(obj, "state"),
            next_media_uri=nxt if isinstance(nxt, str) else None,
        )


@dataclass(frozen=True, slots=True)
class AsteriskInfo:
    version: str
    entity_id: str

    @classmethod
    def from_json(cls, obj: JsonObject) -> AsteriskInfo:
        system = _obj(obj, "system")
        return cls(version=_str(system, "version"), entity_id=_str(system, "entity_id"))
