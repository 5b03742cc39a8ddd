"""Stasis applications: who owns each app's WebSocket, and event fan-out to them.

Asterisk keeps an app alive after its socket closes for as long as channels or bridges are
still in it (the reconnect trace); events meanwhile are dropped. An app with nothing left is
unregistered at once (the errors trace). A newer socket for the same app replaces the older
one, which gets ApplicationReplaced and then nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Protocol

from ivr.simulator.events import JsonObject, envelope

log = logging.getLogger(__name__)


class EventSink(Protocol):
    """A WebSocket as the registry sees it: a non-blocking, never-raising send."""

    def deliver(self, text: str) -> None: ...


class Application:
    def __init__(self, name: str, sink: EventSink) -> None:
        self.name = name
        self.sink: EventSink | None = sink
        self.channel_ids: set[str] = set()
        self.bridge_ids: set[str] = set()

    @property
    def active(self) -> bool:
        return self.sink is not None

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "channel_ids": sorted(self.channel_ids),
            "bridge_ids": sorted(self.bridge_ids),
            "endpoint_ids": [],
            "device_names": [],
            "events_allowed": [],
            "events_disallowed": [],
        }


class AppRegistry:
    def __init__(self, asterisk_id: str) -> None:
        self._asterisk_id = asterisk_id
        self._apps: dict[str, Application] = {}
        self.sinks: set[EventSink] = set()

    def connect(self, name: str, sink: EventSink) -> None:
        app = self._apps.get(name)
        if app is None:
            self._apps[name] = Application(name, sink)
            return
        previous = app.sink
        app.sink = sink
        if previous is not None and previous is not sink:
            message = envelope("ApplicationReplaced", {}, self._asterisk_id, name)
            previous.deliver(json.dumps(message))

    def disconnect(self, name: str, sink: EventSink) -> None:
        app = self._apps.get(name)
        if app is None or app.sink is not sink:
            return
        app.sink = None
        self._collect(app)

    def get(self, name: str) -> Application | None:
        return self._apps.get(name)

    def all(self) -> list[Application]:
        return sorted(self._apps.values(), key=lambda app: app.name)

    def is_active(self, name: str) -> bool:
        app = self._apps.get(name)
        return app is not None and app.active

    def track_channel(self, name: str, channel_id: str, present: bool) -> None:
        app = self._apps.get(name)
        if app is None:
            return
        if present:
            app.channel_ids.add(channel_id)
        else:
            app.channel_ids.discard(channel_id)
            self._collect(app)

    def track_bridge(self, name: str, bridge_id: str, present: bool) -> None:
        app = self._apps.get(name)
        if app is None:
            return
        if present:
            app.bridge_ids.add(bridge_id)
        else:
            app.bridge_ids.discard(bridge_id)
            self._collect(app)

    def publish(self, apps: Iterable[str], event_type: str, fields: JsonObject) -> None:
        """Send one event to each named app that is connected; drop it for the others."""
        for name in sorted(set(apps)):
            app = self._apps.get(name)
            if app is None or app.sink is None:
                continue
            text = json.dumps(envelope(event_type, fields, self._asterisk_id, name))
            app.sink.deliver(text)

    def _collect(self, app: Application) -> None:
        if not app.active and not app.channel_ids and not app.bridge_ids:
            self._apps.pop(app.name, None)
            log.debug("stasis app %s unregistered", app.name)
