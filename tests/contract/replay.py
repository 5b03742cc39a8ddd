"""Replay a golden ARI trace against the simulator and collect every difference.

One `Replay` runs one trace: it starts the simulator in-process on port 0, opens the
WebSocket(s) the trace opened, sends the trace's REST requests (harness steps
included) in order and with the trace's pacing (scaled by `time_scale`), waits for
the events the trace's app waited for, and compares:

* every REST status, body (up to ids and times), Content-Type, Location and
  WWW-Authenticate header;
* per WebSocket, the sequence of events (type, who, key fields) and then each
  event in full (up to ids and times);
* every simulator body and event against the Swagger models, allowing only the
  quirks the trace itself shows in its `validation` list;
* for the externalMedia scenarios, the RTP the simulator sent to our UDP socket.

Run `python -m tests.contract.replay [scenario ...]` for a plain-text report.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import difflib
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from multidict import MultiDict

from tests.contract.compare import diff, event_key, event_subject, normalise
from tests.contract.idmap import IdMap
from tests.contract.rtp import UdpSink, check_rtp, open_sink
from tests.contract.sequences import Seen, pair_allowing_races, seen
from tests.contract.swagger import Swagger, load_traces
from tests.contract.targets import ReplayTarget, SimulatorTarget

#: Every simulated delay is multiplied by this; the trace's own pacing too.
TIME_SCALE = float(os.environ.get("IVR_CONTRACT_TIME_SCALE", "0.1"))
APP = "ivr101"

#: Timing check: only gaps of at least MIN_GAP trace seconds; a delay may come early by
#: no more than the larger of the absolute and relative tolerance (in trace seconds, i.e.
#: already unscaled), plus how far the step before it ran behind the trace's schedule
#: (``_behind``): a simulator that skips or shortens a prompt's length fails. Late is
#: what a loaded 2-core runner does at time_scale 0.1 (a stalled loop lengthens every
#: gap), so only a gross overrun fails: more than LATE_FACTOR x the trace's gap plus
#: LATE_SLACK trace seconds (a prompt played twice, a delay in the wrong unit).
MIN_GAP = 0.2
TIMING_TOLERANCE_ABS = 0.15
TIMING_TOLERANCE_REL = 0.10
LATE_FACTOR = 2.0
LATE_SLACK = 2.0

#: How long to wait for an event the trace's app waited for, beyond its scaled delay.
EVENT_GRACE = 1.0

#: Event types a request can itself cause (used only to break ties when the trace shows
#: an event and the next request in the same millisecond: an event that the request
#: itself may have caused is not waited for).
_EFFECTS: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = (
    ("POST", re.compile(r"^/ari/channels/[^/]+/answer$"), frozenset({"ChannelStateChange"})),
    (
        "POST",
        re.compile(r"^/ari/channels/[^/]+/play(/[^/]+)?$"),
        frozenset({"PlaybackStarted", "PlaybackContinuing", "PlaybackFinished"}),
    ),
    ("POST", re.compile(r"^/ari/playbacks/[^/]+/control$"), frozenset({"PlaybackStarted"})),
    (
        "DELETE",
        re.compile(r"^/ari/playbacks/[^/]+$"),
        frozenset({"PlaybackFinished", "PlaybackStarted"}),
    ),
    (
        "DELETE",
        re.compile(r"^/ari/channels/[^/]+$"),
        frozenset(
            {
                "ChannelHangupRequest",
                "StasisEnd",
                "ChannelVarset",
                "ChannelLeftBridge",
                "ChannelDestroyed",
                "PlaybackFinished",
                "ChannelDialplan",
            }
        ),
    ),
    (
        "POST",
        re.compile(r"^/ari/bridges/[^/]+/addChannel$"),
        frozenset({"ChannelEnteredBridge", "ChannelVarset", "ChannelConnectedLine"}),
    ),
    ("DELETE", re.compile(r"^/ari/bridges/[^/]+$"), frozenset({"BridgeDestroyed"})),
    (
        "POST",
        re.compile(r"^/ari/channels/[^/]+/dial$"),
        frozenset({"Dial", "ChannelStateChange", "ChannelConnectedLine"}),
    ),
)


@dataclass
class Mismatch:
    scenario: str
    step: int | None
    what: str
    detail: str

    def __str__(self) -> str:
        where = f"step {self.step}" if self.step is not None else "end"
        return f"{self.scenario} {where} {self.what}: {self.detail}"


@dataclass
class Received:
    at: float
    event: dict[str, Any]
    matched: int | None = None  # index into the expected events of this socket


@dataclass
class Socket:
    name: str
    expected: list[tuple[int, dict[str, Any]]]  # (trace step, event)
    ws: aiohttp.ClientWebSocketResponse | None = None
    reader: asyncio.Task[None] | None = None
    received: list[Received] = field(default_factory=list)
    matched_at: dict[int, float] = field(default_factory=dict)  # expected index -> time
    given_up: set[int] = field(default_factory=set)  # expected indexes we stopped waiting for
    changed: asyncio.Event = field(default_factory=asyncio.Event)


def _step_note(step: Mapping[str, Any]) -> str:
    return str(step.get("note", ""))


def _request_label(step: Mapping[str, Any]) -> str:
    query = step.get("query") or {}
    q = "&".join(
        f"{k}={v}" for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])
    )
    return f"{step['method']} {step['path']}{'?' + q if q else ''}"


class Replay:
    def __init__(
        self,
        trace: dict[str, Any],
        swagger: Swagger,
        target: ReplayTarget | None = None,
        *,
        allow_races: bool = False,
    ) -> None:
        # Asterisk's own cross-subject races (tests/contract/sequences.py): a real target
        # cannot promise the trace's order of events raised in the same millisecond.
        self.allow_races = allow_races
        self.target: ReplayTarget = target or SimulatorTarget(TIME_SCALE)
        self.trace = trace
        self.name = str(trace["scenario"])
        self.steps: list[dict[str, Any]] = list(trace["steps"])
        self.swagger = swagger
        self.ts = self.target.time_scale
        self.username = self.target.username
        self.password = self.target.password
        self.ids = IdMap()
        self.mismatches: list[Mismatch] = []
        self.sockets: dict[str, Socket] = {}
        self.expected_by_step: dict[int, tuple[str, int]] = {}
        self.trace_validation = self._trace_validation_by_step()
        self.sinks: dict[str, UdpSink] = {}
        self.em_vars: dict[str, str] = {}
        self.rtp_joined_at: float | None = None
        self.rtp_left_at: float | None = None
        self.em_channel: str | None = None
        self.action_at: dict[int, float] = {}
        self.degraded = False
        self.base_url = ""
        self._id_changed = asyncio.Event()
        for i, step in enumerate(self.steps):
            if step["kind"] == "event":
                ws = str(step.get("ws", "ws1"))
                sock = self.sockets.setdefault(ws, Socket(ws, []))
                self.expected_by_step[i] = (ws, len(sock.expected))
                sock.expected.append((i, step["event"]))
            elif step["kind"] == "ws" and step.get("status") == 101:
                ws = str(step["ws"])
                self.sockets.setdefault(ws, Socket(ws, []))

    # ------------------------------------------------------------------ reporting

    def miss(self, step: int | None, what: str, detail: str) -> None:
        self.mismatches.append(Mismatch(self.name, step, what, detail))

    def _trace_validation_by_step(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for line in self.trace.get("validation", []):
            m = re.match(r"^step (\d+) .*? -> \d+: (.*)$", str(line))
            if m:
                out.setdefault(int(m.group(1)), []).append(m.group(2))
        return out

    # ------------------------------------------------------------------ running

    async def run(self) -> list[Mismatch]:
        for step in self.steps:
            if step["kind"] != "rest":
                continue
            query = step.get("query") or {}
            host = query.get("external_host")
            if isinstance(host, str) and host not in self.sinks:
                sink = await open_sink("127.0.0.1")
                self.sinks[host] = sink
                self.ids.add(host, f"127.0.0.1:{sink.port}")
            if step["path"].endswith("/externalMedia") and "channelId" in query:
                self.em_channel = str(query["channelId"])
        self.base_url = await self.target.start()
        try:
            async with aiohttp.ClientSession(
                headers={aiohttp.hdrs.AUTHORIZATION: basic_auth(self.username, self.password)}
            ) as session:
                await self._run_steps(session)
                await self._finish()
        finally:
            for sock in self.sockets.values():
                if sock.ws is not None and not sock.ws.closed:
                    await sock.ws.close()
                if sock.reader is not None:
                    sock.reader.cancel()
                    await asyncio.gather(sock.reader, return_exceptions=True)
            await self.target.stop()
            for sink in self.sinks.values():
                sink.close()
        self._compare_events()
        if self.target.timed:
            self._check_timing()
        self._check_rtp()
        for c in self.ids.conflicts:
            self.miss(None, "id mapping conflict", c)
        return self.mismatches

    async def _run_steps(self, session: aiohttp.ClientSession) -> None:
        loop = asyncio.get_running_loop()
        anchor_trace, anchor_real = 0.0, loop.time()
        for i, step in enumerate(self.steps):
            if step["kind"] == "event":
                continue
            # 1. The events the trace's app had already received before it acted.
            for j in range(i):
                if j not in self.expected_by_step:
                    continue
                ev_step = self.steps[j]
                if not self._waited_for(ev_step, step):
                    continue
                got_at = await self._wait_event(j, anchor_trace, anchor_real)
                if got_at is not None and float(ev_step["t"]) >= anchor_trace:
                    anchor_trace, anchor_real = float(ev_step["t"]), got_at
            # 2. The trace's own pacing, scaled.
            t_sent = float(step.get("t_sent", step["t"]))
            delay = anchor_real + (t_sent - anchor_trace) * self.ts - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            sent_at = loop.time()
            self.action_at[i] = sent_at
            if step["kind"] == "rest":
                await self._rest(session, i, step)
            else:
                await self._ws_step(session, i, step)
            anchor_trace, anchor_real = t_sent, sent_at

    def _waited_for(self, ev_step: Mapping[str, Any], action: Mapping[str, Any]) -> bool:
        t_sent = float(action.get("t_sent", action["t"]))
        t_ev = float(ev_step["t"])
        if t_ev > t_sent:
            return False  # arrived after the request went out
        if t_ev < t_sent:
            return True
        # Same millisecond: skip events the request itself may have caused.
        if action["kind"] != "rest":
            return True
        event = ev_step["event"]
        subject = event_subject(event)
        text = action["path"] + " " + json.dumps(action.get("query") or {})
        if subject is None or subject not in text:
            return True
        for method, rx, types in _EFFECTS:
            if action["method"] == method and rx.match(action["path"]):
                return event.get("type") not in types
        return True

    async def _wait_event(
        self, step_index: int, anchor_trace: float, anchor_real: float
    ) -> float | None:
        ws, idx = self.expected_by_step[step_index]
        sock = self.sockets[ws]
        loop = asyncio.get_running_loop()
        t_ev = float(self.steps[step_index]["t"])
        due = anchor_real + max(0.0, t_ev - anchor_trace) * self.ts
        grace = 0.3 if self.degraded else EVENT_GRACE
        deadline = max(due, loop.time()) + grace
        while idx not in sock.matched_at and idx not in sock.given_up:
            remaining = deadline - loop.time()
            if remaining <= 0:
                ev = self.steps[step_index]["event"]
                self.miss(
                    step_index,
                    f"event on {ws} never came",
                    f"waited {grace + max(0.0, due - loop.time()):.1f}s for {event_key(ev)}",
                )
                self.degraded = True
                sock.given_up.add(idx)  # do not wait for it again
                return None
            sock.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sock.changed.wait(), remaining)
        return sock.matched_at.get(idx)

    async def _wait_ids(self, i: int, texts: list[str]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (0.3 if self.degraded else EVENT_GRACE)
        while True:
            missing = sorted({t for text in texts for t in self.ids.unmapped_tokens(text)})
            if not missing:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.miss(
                    i,
                    "unknown id",
                    f"the simulator never revealed its id for trace id(s) {missing}",
                )
                self.degraded = True
                return
            self._id_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._id_changed.wait(), remaining)

    def _learn(self, trace_value: Any, sim_value: Any) -> None:
        before = self.ids.version
        self.ids.learn_from(trace_value, sim_value)
        if self.ids.version != before:
            self._id_changed.set()

    # ------------------------------------------------------------------ REST

    async def _rest(self, session: aiohttp.ClientSession, i: int, step: dict[str, Any]) -> None:
        query: dict[str, Any] = step.get("query") or {}
        texts = [step["path"]] + [
            str(v) for vs in query.values() for v in (vs if isinstance(vs, list) else [vs])
        ]
        await self._wait_ids(i, texts)
        path = self.ids.to_sim(step["path"])
        params: MultiDict[str] = MultiDict()
        for k, vs in query.items():
            for v in vs if isinstance(vs, list) else [vs]:
                params.add(k, self.ids.to_sim(str(v)))
        # The 401 steps: the note says which credentials the recording used.
        auth: str | None = basic_auth(self.username, self.password)
        note = _step_note(step).lower()
        if step["status"] == 401 and "wrong password" in note:
            auth = basic_auth(self.username, self.password + "-wrong")
        elif step["status"] == 401:
            auth = None
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        if auth is None:
            async with (
                aiohttp.ClientSession() as bare,
                bare.request(step["method"], self.base_url + path, params=params) as resp,
            ):
                status, body, rheaders, ctype = await self._read(resp)
        else:
            async with session.request(
                step["method"],
                self.base_url + path,
                params=params,
                headers={aiohttp.hdrs.AUTHORIZATION: auth},
            ) as resp:
                status, body, rheaders, ctype = await self._read(resp)
        done_at = loop.time()
        if status == step["status"] and body is not None:
            self._learn(step["body"], body)
        self._compare_rest(i, step, status, body, rheaders, ctype)
        # RTP bookkeeping: when the external channel joined / left the bridge.
        em = self.em_channel
        if em is not None and step["method"] == "POST" and path.endswith("/addChannel"):
            members = ",".join(params.getall("channel", [])).split(",")
            if status == 204 and em in members:
                self.rtp_joined_at = sent_at
        if (
            step["method"] == "POST"
            and path.endswith("/externalMedia")
            and isinstance(body, dict)
            and isinstance(body.get("channelvars"), dict)
        ):
            self.em_vars = {str(k): str(v) for k, v in body["channelvars"].items()}
        if em is not None and step["method"] == "DELETE" and path == f"/ari/channels/{em}":
            self.rtp_left_at = done_at

    async def _read(self, resp: aiohttp.ClientResponse) -> tuple[int, Any, Mapping[str, str], str]:
        raw = await resp.read()
        ctype = resp.content_type
        body: Any
        if not raw:
            body = None
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        return resp.status, body, resp.headers, ctype

    def _playback_states(self, playback: Mapping[str, Any]) -> set[str]:
        """The states the trace's Playback* events show for this playback id."""
        states: set[str] = set()
        for step in self.steps:
            event = step.get("event") if step.get("kind") == "event" else None
            shown = event.get("playback") if isinstance(event, dict) else None
            if isinstance(shown, dict) and shown.get("id") == playback.get("id"):
                states.add(str(shown.get("state")))
        return states

    def _compare_rest(
        self,
        i: int,
        step: dict[str, Any],
        status: int,
        body: Any,
        headers: Mapping[str, str],
        ctype: str,
    ) -> None:
        label = _request_label(step)
        if status != step["status"]:
            self.miss(
                i,
                label,
                f"status: expected {step['status']} {_brief(step['body'])}, got {status} "
                f"{_brief(body)}",
            )
            return
        if step["status"] != 204 and "content_type" in step and ctype != step["content_type"]:
            self.miss(i, label, f"Content-Type: expected {step['content_type']}, got {ctype}")
        if step["status"] == 204 and body is not None:
            self.miss(i, label, f"204 with a body: {_brief(body)}")
        want_headers = step.get("headers") or {}
        for h in ("Location", "WWW-Authenticate"):
            if h in want_headers:
                got_h = headers.get(h)
                got_tr = self.ids.to_trace(got_h) if got_h is not None else None
                if got_tr != want_headers[h]:
                    self.miss(i, label, f"header {h}: expected {want_headers[h]!r}, got {got_h!r}")
        expected = normalise(step["body"])
        got = normalise(self.ids.translate(body))
        if isinstance(expected, list) and isinstance(got, list):
            # GET /channels: Asterisk lists its hashed container; order is not significant.
            expected = sorted(expected, key=json.dumps)
            got = sorted(got, key=json.dumps)
        if (
            step["method"] == "POST"
            and re.search(r"/play(/[^/]+)?$", step["path"])
            and isinstance(got, dict)
            and isinstance(expected, dict)
            and expected.get("state") in ("queued", "playing")
            and got.get("state") in {"queued", "playing", *self._playback_states(expected)}
        ):
            # Documented race (README "Ordering"): the play response state is `queued`,
            # `playing`, or a state the trace shows that playback reach next (a missing
            # sound file fails within a millisecond), as far as the playback thread got
            # before the response was written.
            got = dict(got, state=expected["state"])
        for d in diff(expected, got, "body"):
            self.miss(i, label, d)
        # Swagger: only the quirks the trace itself shows for this step are allowed.
        allowed = set(self.trace_validation.get(i, []))
        for msg in self.swagger.check_rest(step["method"], step["path"], status, body):
            if msg not in allowed:
                self.miss(i, label, f"swagger: {msg}")

    # ------------------------------------------------------------------ WebSocket

    async def _ws_step(self, session: aiohttp.ClientSession, i: int, step: dict[str, Any]) -> None:
        name = str(step["ws"])
        action = step["action"]
        if action == "connect" and step["status"] == 101:
            sock = self.sockets[name]
            try:
                sock.ws = await session.ws_connect(
                    self.base_url + step["path"], params=step.get("query") or {}
                )
            except aiohttp.WSServerHandshakeError as exc:
                self.miss(i, f"WebSocket {name} connect", f"expected 101, got {exc.status}")
                return
            sock.reader = asyncio.create_task(self._read_ws(sock))
        elif action == "connect":
            await self._raw_upgrade(i, step)
        elif action == "close":
            sock = self.sockets[name]
            if sock.ws is not None and sock.ws.closed:
                # The trace's socket stayed open until the app closed it (even a replaced one).
                self.miss(
                    i,
                    f"WebSocket {name}",
                    f"expected it open until the app closes it, but the simulator closed it "
                    f"(code {sock.ws.close_code})",
                )
            if sock.ws is not None:
                await sock.ws.close(code=int(step.get("close_code", 1000)))
            if sock.reader is not None:
                await asyncio.gather(sock.reader, return_exceptions=True)
        else:
            self.miss(i, "unsupported ws step", str(action))

    async def _read_ws(self, sock: Socket) -> None:
        assert sock.ws is not None
        loop = asyncio.get_running_loop()
        async for msg in sock.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                event = json.loads(msg.data)
            except ValueError:
                self.miss(None, f"{sock.name} non-JSON frame", repr(msg.data)[:120])
                continue
            rec = Received(loop.time(), event)
            sock.received.append(rec)
            self._match(sock, rec)
            sock.changed.set()

    def _match(self, sock: Socket, rec: Received) -> None:
        """Pair a simulator event with the next unmatched trace event like it; learn ids."""
        taken = {r.matched for r in sock.received}
        pending = [k for k in range(len(sock.expected)) if k not in taken]
        typ = rec.event.get("type")
        sim_subject = event_subject(rec.event)
        for k in pending[:8]:
            trace_event = sock.expected[k][1]
            if trace_event.get("type") != typ:
                continue
            t_subject = event_subject(trace_event)
            if sim_subject is not None and t_subject is not None:
                translated = self.ids.to_trace(sim_subject)
                if translated != t_subject and (
                    translated != sim_subject or not self.ids.unmapped_tokens(t_subject)
                ):
                    continue
            rec.matched = k
            sock.matched_at[k] = rec.at
            self._learn(trace_event, rec.event)
            return

    async def _raw_upgrade(self, i: int, step: dict[str, Any]) -> None:
        """A WebSocket upgrade the trace saw refused (401/400): raw HTTP, to see the body."""
        note = _step_note(step).lower()
        query = step.get("query") or {}
        target = step["path"] + (
            "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        )
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {self.base_url.removeprefix('http://')}",
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode(),
        ]
        if "wrong password" in note:
            lines.append(f"Authorization: {basic_auth(self.username, self.password + '-wrong')}")
        elif "without credentials" not in note:
            lines.append(f"Authorization: {basic_auth(self.username, self.password)}")
        host, port = self.base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for h in header_lines:
                if ":" in h:
                    k, v = h.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0"))
            raw = await asyncio.wait_for(reader.readexactly(n), 5) if n else b""
        finally:
            writer.close()
            await writer.wait_closed()
        label = f"WebSocket upgrade ({step['ws']}: {step.get('note', '')})"
        status = int(status_line.split()[1])
        if status != step["status"]:
            self.miss(i, label, f"status: expected {step['status']}, got {status_line!r}")
            return
        want_headers = {k.lower(): v for k, v in (step.get("headers") or {}).items()}
        if (
            "www-authenticate" in want_headers
            and headers.get("www-authenticate") != want_headers["www-authenticate"]
        ):
            self.miss(
                i,
                label,
                f"WWW-Authenticate: expected {want_headers['www-authenticate']!r}, "
                f"got {headers.get('www-authenticate')!r}",
            )
        want_type = want_headers.get("content-type", "").split(";")[0]
        got_type = headers.get("content-type", "").split(";")[0]
        if want_type and got_type != want_type:
            self.miss(i, label, f"Content-Type: expected {want_type}, got {got_type or None}")
        want_body = step.get("body")
        if isinstance(want_body, dict):
            try:
                got_body = json.loads(raw)
            except ValueError:
                got_body = raw.decode("utf-8", "replace")
            if got_body != want_body:
                self.miss(i, label, f"body: expected {want_body!r}, got {got_body!r}")
        elif isinstance(want_body, str):
            # The 400 page: Asterisk's HTML; the one sentence that matters must be there.
            m = re.search(r"<p>(.*?)</p>", want_body)
            key = m.group(1) if m else want_body
            if key not in raw.decode("utf-8", "replace"):
                self.miss(i, label, f"body: expected an HTML page with {key!r}, got {raw[:200]!r}")

    # ------------------------------------------------------------------ finishing

    async def _finish(self) -> None:
        """Wait for the events still expected on open sockets, and a little for extras."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (0.3 if self.degraded else EVENT_GRACE)
        for sock in self.sockets.values():
            if sock.ws is None or sock.ws.closed:
                continue
            while (
                len(sock.matched_at) + len(sock.given_up) < len(sock.expected)
                and loop.time() < deadline
            ):
                sock.changed.clear()
                try:
                    await asyncio.wait_for(sock.changed.wait(), deadline - loop.time())
                except TimeoutError:
                    break
        await asyncio.sleep(0.05)

    def received_seen(self) -> dict[str, list[Seen]]:
        """Per WebSocket, what this target sent, in the trace's ids (comparable across
        targets), with the target's own timestamps."""
        return {
            name: [
                seen(r.event, event_key(r.event, self.ids.to_trace), self.ids.to_trace)
                for r in sock.received
            ]
            for name, sock in self.sockets.items()
        }

    def expected_seen(self) -> dict[str, list[Seen]]:
        return {
            name: [seen(ev, event_key(ev)) for _, ev in sock.expected]
            for name, sock in self.sockets.items()
        }

    def _compare_events(self) -> None:
        expected_seen = self.expected_seen()
        received_seen = self.received_seen()
        for sock in self.sockets.values():
            if self.allow_races:
                pairs, problems = pair_allowing_races(
                    expected_seen[sock.name], received_seen[sock.name]
                )
                for p in problems:
                    self.miss(None, f"event sequence on {sock.name}", p)
                if pairs is not None:
                    self._compare_full(sock, pairs)
                    self._validate_events(sock)
                    continue
                self._validate_events(sock)
                continue
            expected = [event_key(ev) for _, ev in sock.expected]
            got = [event_key(r.event, self.ids.to_trace) for r in sock.received]
            sm = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
            opcodes = sm.get_opcodes()
            for tag, a0, a1, b0, b1 in opcodes:
                if tag == "equal":
                    continue
                want = expected[a0:a1]
                have = got[b0:b1]
                if a0 < len(sock.expected):
                    step: int | None = sock.expected[a0][0]
                    where = f"event sequence on {sock.name}"
                else:
                    step = None
                    where = f"event sequence on {sock.name} (after the last trace event)"
                if tag == "insert":
                    where += " (extra events before this trace event)"
                self.miss(
                    step,
                    where,
                    "expected "
                    + (" , ".join(want) or "nothing")
                    + "\n      got "
                    + (" , ".join(have) or "nothing"),
                )
            # Full comparison of the events that line up.
            self._compare_full(
                sock,
                [
                    (a0 + k, b0 + k)
                    for tag, a0, a1, b0, _ in opcodes
                    if tag == "equal"
                    for k in range(a1 - a0)
                ],
            )
            self._validate_events(sock)

    def _compare_full(self, sock: Socket, pairs: list[tuple[int, int]]) -> None:
        for a, b in pairs:
            step_i, want_ev = sock.expected[a]
            have_ev = _dial_begin_race(want_ev, self.ids.translate(sock.received[b].event))
            for d in diff(normalise(want_ev), normalise(have_ev), want_ev.get("type", "")):
                self.miss(step_i, f"event {event_key(want_ev)}", d)

    def _validate_events(self, sock: Socket) -> None:
        """Swagger for every event the target sent."""
        for r in sock.received:
            for msg in self.swagger.validate_event(r.event):
                self.miss(None, f"swagger event on {sock.name}", msg)

    def _check_timing(self) -> None:
        """Simulated delays (prompt lengths, DTMF spacing, ringing, caller hangups).

        For every trace event that comes a noticeable time (>= MIN_GAP) after the step
        before it, the simulator's delay, divided by time_scale, may be short of the
        trace's by no more than TIMING_TOLERANCE, and long by no more than a gross
        overrun (LATE_FACTOR, LATE_SLACK: load only ever lengthens it).
        """
        real_at: dict[int, float] = dict(self.action_at)
        for sock in self.sockets.values():
            for idx, at in sock.matched_at.items():
                real_at[sock.expected[idx][0]] = at
        behind = self._behind(real_at)
        for sock in self.sockets.values():
            for idx, (step_i, event) in enumerate(sock.expected):
                if idx not in sock.matched_at:
                    continue
                prev = step_i - 1
                if prev not in real_at:
                    continue
                prev_step = self.steps[prev]
                prev_t = float(prev_step.get("t_sent", prev_step["t"]))
                want = float(self.steps[step_i]["t"]) - prev_t
                if want < MIN_GAP:
                    continue
                got = (sock.matched_at[idx] - real_at[prev]) / self.ts
                tolerance = max(TIMING_TOLERANCE_ABS, TIMING_TOLERANCE_REL * want)
                early = want - got > tolerance + behind.get(prev, 0.0)
                if early or got > LATE_FACTOR * want + LATE_SLACK:
                    self.miss(
                        step_i,
                        f"timing of {event_key(event)}",
                        f"expected {want:.3f}s after step {prev}, got {got:.3f}s "
                        f"(simulated time, time_scale {self.ts})",
                    )

    def _behind(self, real_at: Mapping[int, float]) -> dict[int, float]:
        """How far each step ran behind the trace's schedule, in trace seconds, beyond the
        least it had run behind before it: a delay the simulator started at an earlier step
        (a caller's hangup timed from the answer) ends that much sooner after a step a
        loaded loop sent or saw late, without being short itself."""
        known = sorted(real_at)
        if not known:
            return {}
        first = known[0]
        base_real, base_trace = real_at[first], self._trace_t(first)
        out: dict[int, float] = {}
        least = 0.0
        for i in known:
            drift = (real_at[i] - base_real) / self.ts - (self._trace_t(i) - base_trace)
            least = min(least, drift)
            out[i] = max(0.0, drift - least)
        return out

    def _trace_t(self, i: int) -> float:
        step = self.steps[i]
        return float(step.get("t_sent", step["t"]))

    def _check_rtp(self) -> None:
        observed = self.trace.get("observations", {}).get("rtp_received_by_udp_listener")
        if not self.sinks or not isinstance(observed, dict):
            return
        for host, sink in self.sinks.items():
            for p in check_rtp(
                sink.received,
                observed,
                local_address=self.em_vars.get("UNICASTRTP_LOCAL_ADDRESS"),
                local_port=self.em_vars.get("UNICASTRTP_LOCAL_PORT"),
                time_scale=self.ts,
                joined_at=self.rtp_joined_at,
                left_at=self.rtp_left_at,
                caller_speech=self.target.caller_speech(),
            ):
                self.miss(None, f"RTP to {host}", p)


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _brief(body: Any) -> str:
    text = json.dumps(body)
    return text if len(text) <= 120 else text[:117] + "..."


async def replay(
    trace: dict[str, Any], swagger: Swagger | None = None, target: ReplayTarget | None = None
) -> list[Mismatch]:
    return await Replay(trace, swagger or Swagger(), target).run()


async def _main(names: list[str]) -> int:
    swagger = Swagger()
    total = 0
    for trace in load_traces(names or None):
        found = await replay(trace, swagger)
        total += len(found)
        print(f"## {trace['scenario']}: {len(found)} mismatch(es)")
        for m in found:
            print(f"- {m}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))


DIAL_BEGIN_STATES = frozenset({"Down", "Ringing"})


def _dial_begin_race(want: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """Documented race (README "Documented races"): the ``peer`` of a dial's first
    ``Dial`` event (no ``dialstatus`` yet) is a Local channel that may already ring by the
    time Asterisk snapshots it: ``Down`` or ``Ringing``, as the threads fall (seen on the
    real Asterisk under load; the trace recorded ``Down``)."""
    if want.get("type") != "Dial" or got.get("type") != "Dial" or want.get("dialstatus"):
        return got
    want_peer, got_peer = want.get("peer"), got.get("peer")
    if not isinstance(want_peer, dict) or not isinstance(got_peer, dict):
        return got
    states = {want_peer.get("state"), got_peer.get("state")}
    if got.get("dialstatus") or not states <= DIAL_BEGIN_STATES:
        return got
    return dict(got, peer=dict(got_peer, state=want_peer.get("state")))
