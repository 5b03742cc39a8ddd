"""Mapping between the ids a real Asterisk made in a golden trace and the ones the simulator made.

App-chosen ids (playbackId, bridgeId, channelId, snoopId, bridge names) are sent verbatim
and must come back verbatim, so they are never mapped. Asterisk-made values are:

* channel unique ids (`1795500638.173`);
* Local channel names (`Local/101@ivr-in-0000003b;2`): the base before `;1`/`;2` is
  mapped, so both halves follow;
* Snoop and UnicastRTP channel names (`Snoop/<id>-00000008`,
  `UnicastRTP/127.0.0.1:36552-0x7f2864015ce0`);
* UUIDs (playbacks without a playbackId);
* `host:port` of the external media socket (pre-seeded: the test opens its own UDP port);
* exact values, such as the `UNICASTRTP_LOCAL_PORT` number.

The mapping is learned by walking a trace value and the simulator's value side by side
(`learn_from`), and applied with `to_sim` (trace -> simulator: request paths and queries)
and `to_trace` (simulator -> trace: before comparing).
"""

from __future__ import annotations

import re
from typing import Any

UID_RE = re.compile(r"^\d{9,11}\.\d+$")
LOCAL_NAME_RE = re.compile(r"^(Local/[^;\s]+-[0-9a-f]{8});([12])$")
SNOOP_NAME_RE = re.compile(r"^Snoop/\S+-[0-9a-f]{8}$")
UNICAST_NAME_RE = re.compile(r"^UnicastRTP/\S+-0x[0-9a-f]+$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Asterisk-made tokens as they appear inside a longer string (a request path, a query
#: value such as `asr-1795500508.158`, a target_uri `channel:<id>`).
EMBEDDED_TOKEN_RE = re.compile(
    r"(?<![\w.])(?:"
    r"\d{9,11}\.\d+"
    r"|Local/[^;\s/]+-[0-9a-f]{8}"
    r"|Snoop/[^\s/]+-[0-9a-f]{8}"
    r"|UnicastRTP/[^\s/]+-0x[0-9a-f]+"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r")(?![\w])"
)

#: Keys whose string value is an Asterisk-made number mapped only as a whole value.
EXACT_VALUE_KEYS = frozenset({"UNICASTRTP_LOCAL_PORT"})


class IdMap:
    def __init__(self) -> None:
        self._to_sim: dict[str, str] = {}
        self._to_trace: dict[str, str] = {}
        self._exact_to_sim: dict[str, str] = {}
        self._exact_to_trace: dict[str, str] = {}
        self._rx_sim: re.Pattern[str] | None = None
        self._rx_trace: re.Pattern[str] | None = None
        self.conflicts: list[str] = []
        self.version = 0

    # ------------------------------------------------------------------ learning

    def add(self, trace_token: str, sim_token: str) -> bool:
        """Map one token both ways; False (and a recorded conflict) if it contradicts."""
        have = self._to_sim.get(trace_token)
        back = self._to_trace.get(sim_token)
        if have == sim_token and back == trace_token:
            return True
        if have is not None or back is not None:
            self.conflicts.append(
                f"{trace_token!r} <-> {sim_token!r} (already {trace_token!r} -> {have!r}, "
                f"{sim_token!r} -> {back!r})"
            )
            return False
        self._to_sim[trace_token] = sim_token
        self._to_trace[sim_token] = trace_token
        self._rx_sim = self._rx_trace = None
        self.version += 1
        return True

    def add_exact(self, trace_value: str, sim_value: str) -> None:
        if trace_value in self._exact_to_sim or sim_value in self._exact_to_trace:
            return
        self._exact_to_sim[trace_value] = sim_value
        self._exact_to_trace[sim_value] = trace_value
        self.version += 1

    def learn_from(self, trace_value: Any, sim_value: Any, key: str | None = None) -> None:
        """Walk two JSON values side by side and learn every Asterisk-made id pair."""
        if isinstance(trace_value, dict) and isinstance(sim_value, dict):
            for k, v in trace_value.items():
                if k in sim_value:
                    self.learn_from(v, sim_value[k], k)
            return
        if isinstance(trace_value, list) and isinstance(sim_value, list):
            if len(trace_value) != len(sim_value):
                return
            if all(isinstance(v, dict) and "name" in v for v in trace_value + sim_value):
                # Lists of channels (GET /channels): pair them by already known names
                # first, else by position.
                trace_value, sim_value = self._pair_by_name(trace_value, sim_value)
            elif key == "channels" and len(trace_value) > 1:
                return  # bridge members: order is not significant, do not guess
            for t, s in zip(trace_value, sim_value, strict=True):
                self.learn_from(t, s, key)
            return
        if not isinstance(trace_value, str) or not isinstance(sim_value, str):
            return
        if key in EXACT_VALUE_KEYS:
            self.add_exact(trace_value, sim_value)
            return
        m = LOCAL_NAME_RE.match(trace_value)
        if m:
            ms = re.match(r"^(.*);([12])$", sim_value)
            if ms and ms.group(2) == m.group(2):
                self.add(m.group(1), ms.group(1))
            return
        if any(rx.match(trace_value) for rx in (UID_RE, SNOOP_NAME_RE, UNICAST_NAME_RE, UUID_RE)):
            self.add(trace_value, sim_value)

    def _pair_by_name(
        self, trace_items: list[Any], sim_items: list[Any]
    ) -> tuple[list[Any], list[Any]]:
        by_name = {self.to_trace(str(s["name"])): s for s in sim_items}
        if all(str(t["name"]) in by_name for t in trace_items):
            return trace_items, [by_name[str(t["name"])] for t in trace_items]
        return trace_items, sim_items

    # ------------------------------------------------------------------ applying

    def unmapped_tokens(self, text: str) -> list[str]:
        """Asterisk-made tokens of a trace string that have no simulator value yet."""
        return [m.group(0) for m in EMBEDDED_TOKEN_RE.finditer(text) if not self._known(m.group(0))]

    def _known(self, token: str) -> bool:
        return token in self._to_sim

    def to_sim(self, text: str) -> str:
        if text in self._exact_to_sim:
            return self._exact_to_sim[text]
        if self._rx_sim is None:
            self._rx_sim = _alternation(self._to_sim)
        if self._rx_sim is None:
            return text
        return self._rx_sim.sub(lambda m: self._to_sim[m.group(0)], text)

    def to_trace(self, text: str) -> str:
        if text in self._exact_to_trace:
            return self._exact_to_trace[text]
        if self._rx_trace is None:
            self._rx_trace = _alternation(self._to_trace)
        if self._rx_trace is None:
            return text
        return self._rx_trace.sub(lambda m: self._to_trace[m.group(0)], text)

    def translate(self, value: Any) -> Any:
        """A simulator JSON value with every known simulator id replaced by the trace's."""
        if isinstance(value, dict):
            return {k: self._translate_item(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.translate(v) for v in value]
        if isinstance(value, str):
            return self.to_trace(value)
        return value

    def _translate_item(self, key: str, value: Any) -> Any:
        if key in EXACT_VALUE_KEYS and isinstance(value, str):
            return self._exact_to_trace.get(value, value)
        return self.translate(value)

    def describe(self) -> dict[str, str]:
        out = dict(self._to_sim)
        out.update(self._exact_to_sim)
        return out


def _alternation(tokens: dict[str, str]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    body = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w])")
