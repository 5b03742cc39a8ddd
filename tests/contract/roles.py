"""Two recordings of the same call, on different servers, made comparable.

Every id in them is made by whoever ran the call (Asterisk's unique ids and Local
channel numbers, the app's random playback, bridge and leg ids). Each is replaced by
its kind and order of first appearance (``<pb1>``, ``<br1>``, ``<ch2>``, and
``Local/agent1@ivr-agents-<2>;1``), so the same call reads the same on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tests.contract.compare import event_key
from tests.contract.sequences import Seen, seen

#: The unique part Asterisk appends to a Local channel's name (`-0000002a;1`).
_LOCAL_SUFFIX = re.compile(r"(Local/[^\s;\]',]+?)-([0-9a-f]{8})(?=;[12])")


class RoleNames:
    """Learns the ids of a recording in order, then renames them by role."""

    def __init__(self, events: Iterable[dict[str, Any]]) -> None:
        self._labels: dict[str, str] = {}
        self._locals: dict[str, int] = {}
        for event in events:
            self._learn(event)

    def _label(self, token: object, kind: str) -> None:
        if isinstance(token, str) and token and token not in self._labels:
            count = sum(1 for label in self._labels.values() if label.startswith(f"<{kind}"))
            self._labels[token] = f"<{kind}{count + 1}>"

    def _learn(self, event: dict[str, Any]) -> None:
        for role in ("channel", "peer", "caller", "replace_channel"):
            ch = event.get(role)
            if isinstance(ch, dict):
                # An app-chosen leg id `x` has a `x;2` other half: label the base first.
                self._label(str(ch.get("id", "")).split(";")[0], "ch")
                self._label(ch.get("id"), "ch")
                for m in _LOCAL_SUFFIX.finditer(str(ch.get("name", ""))):
                    self._locals.setdefault(m.group(2), len(self._locals) + 1)
        playback = event.get("playback")
        if isinstance(playback, dict):
            self._label(playback.get("id"), "pb")
        bridge = event.get("bridge")
        if isinstance(bridge, dict):
            self._label(bridge.get("id"), "br")

    def rename(self, text: str) -> str:
        text = _LOCAL_SUFFIX.sub(
            lambda m: f"{m.group(1)}-<{self._locals.get(m.group(2), 0)}>", text
        )
        for token in sorted(self._labels, key=len, reverse=True):
            text = text.replace(token, self._labels[token])
        return text

    def seen(self, events: Iterable[dict[str, Any]]) -> list[Seen]:
        # event_key leaves playback and bridge ids as they are: rename the whole line.
        return [seen(e, self.rename(event_key(e, self.rename)), self.rename) for e in events]


def by_role(events: list[dict[str, Any]]) -> list[Seen]:
    """A recording's events as comparable summaries (see the module's docstring)."""
    return RoleNames(events).seen(events)
