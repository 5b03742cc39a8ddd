"""The live board through the real app: 200 live calls, event → board latency, CPU per update.

    PYTHONPATH=. .venv/bin/python bench/board.py [--calls 200] [--rate 20] [--seconds 60]
        [--clients 1] [--seed 1] [--no-baseline]

What runs: the embedded simulator (``ivr.embedded.running_simulator``, real time) in this
process, and the app as ``ivr demo`` builds it (``ivr.app.build_app``: console, board, an
app-run FCR queue, a temporary database, free ports) in a child process of its own, so
the app's CPU is measured apart from the simulator's, the driver's and the client's. An
operator is added the way the demo adds one (``ivr.console.people.add_person``), signs
in over ``POST /api/session`` and holds ``--clients`` streams of ``/api/board/events``
open with aiohttp, reading them as a browser's EventSource would.

The driver fills the board to ``--calls`` live callers and keeps it there, acting
``--rate`` times a second through the simulator's control API (``/_sim``), always the
first due of: a caller keys 1, 2 or 0 over the welcome (1 s to 3 s into it: the rc and
switchboard agents answer and talk until the caller hangs up; the one FCR agent takes
the first FCR caller and the rest wait in the app's queue); a new call while fewer than
``--calls`` are live; now and then a caller waiting for the FCR keys 9 (the emergency
route); otherwise a settled caller hangs up. The app's own steps (prompts, transfers,
queue announcements) change rows as well, as they would on a real board.

Measured over ``--seconds`` once the board is full:
  (a) each action's time from the moment the bench tells the simulator to act (just
      before its ``/_sim`` request) to the first SSE message that shows it: the new row,
      the step changed from the one the client showed, the row removed;
  (b) the app process's CPU time (every thread: calls, call log, board) per board
      message, and the board's own share: the publisher's thread CPU (building rows,
      JSON, queueing to the clients, ``time.thread_time`` around ``BoardFeed.publish``)
      and, with the baseline, the app's CPU with the stream open minus the same drive
      with no stream (the difference also holds the per-client writes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr.app import RUNTIME, build_app
from ivr.ari.settings import AriSettings
from ivr.callers.settings import CallerSettings
from ivr.config import Settings
from ivr.console.board_routes import BOARD
from ivr.console.feed import BoardFeed
from ivr.console.identity import Role
from ivr.console.people import add_person, new_password
from ivr.embedded import CREDENTIALS, WEEKDAY_MORNING, running_simulator, shifted_clock
from ivr.flow_settings import FlowSettings
from ivr.http_guard import server_options
from ivr.notify.settings import SmsSettings
from ivr.queues.settings import AgentSpec
from ivr.simulator import AgentProfile, TalkFrom
from ivr.speech.settings import SpeechEngine
from ivr.store.settings import StoreSettings

OPERATOR = "bench-operator"
# Agents answer after 1 s and talk until the caller hangs up: calls stay live.
TALKS_ON = AgentProfile(answer_after=1.0, talk_for=None, talk_from=TalkFrom.BRIDGED)
# One FCR call-taker in the app's queue: the other FCR callers wait (queue capacity 60).
APP_AGENTS = {"fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr",))}
# Keypad callers: a speech engine would load its models in the app and not be used.
APP_SETTINGS: dict[str, Any] = {"speech.engine": SpeechEngine.NONE, "queues.agents": APP_AGENTS}
WELCOME = "play:welcome"  # the step a new caller is at (the menu is in the welcome)
IN_FCR_QUEUE = "queue:fcr"
KEYS = (("1", 0.45), ("2", 0.25), ("0", 0.30))  # rc, fcr (queued), switchboard
EMERGENCY_SHARE = 0.05  # of the hang-up turns, a queued caller keys 9 instead
SETTLED_S = 4.0  # a keyed caller is left this long before hanging up (reaches its agent)
LAST_MESSAGES_S = 1.5  # after the window: what is still on its way arrives
LAG_TICK_S = 0.01


class Kind(StrEnum):
    """What the bench told the simulator to do, and so what the board must show."""

    NEW = "new call"  # the row appears
    KEY = "key over the welcome"  # the step leaves play:welcome
    EMERGENCY = "9 while queued"  # the step leaves queue:fcr
    HANGUP = "hang-up"  # the row is removed


class Command(StrEnum):
    """From the bench to the app process over its pipe."""

    MARK = "mark"  # send the figures since the last mark
    STOP = "stop"


# --- the app process -------------------------------------------------------------------------


@dataclass
class AppFigures:
    """The app process between two marks."""

    wall_s: float
    cpu_s: float  # process CPU, all threads
    publish_cpu_s: float  # BoardFeed.publish's own thread CPU
    publishes: int  # publish calls (one per coalesced change, or a sweep)
    change_ms: list[float]  # thread CPU of each publish of changes that sent a message
    sweep_ms: list[float]  # thread CPU of each sweep (every row rebuilt and compared)
    messages: int  # SSE messages queued (calls + queues), each to every client
    rows_built: int
    lag_ms: list[float]  # the app loop's lag (a 10 ms ticker)
    peak_rss_mb: float


class PublishProbe:
    """Wraps the board feed's publisher with ``time.thread_time``: only the loop thread's
    work is counted, not the call log's writer thread or the hash pool running meanwhile."""

    def __init__(self, feed: BoardFeed) -> None:
        self.feed = feed
        self._inner = feed.publish
        self.cpu_s = 0.0
        self.calls = 0
        self.change_ms: list[float] = []
        self.sweep_ms: list[float] = []
        feed.publish = self._publish  # type: ignore[method-assign]

    def _publish(self, *, sweep: bool = False) -> None:
        before = self.feed.stats.published
        started = time.thread_time()
        try:
            self._inner(sweep=sweep)
        finally:
            spent = time.thread_time() - started
            self.cpu_s += spent
            self.calls += 1
            if sweep:
                self.sweep_ms.append(spent * 1000)
            elif self.feed.stats.published != before:
                self.change_ms.append(spent * 1000)


class AppMeter:
    """The figures of the app process, from one mark to the next."""

    def __init__(self, feed: BoardFeed) -> None:
        self.feed = feed
        self.probe = PublishProbe(feed)
        self.lags: list[float] = []
        self._since = self._now()

    def _now(self) -> tuple[float, float, float, int, int, int, int, int]:
        probe, stats = self.probe, self.feed.stats
        return (
            time.perf_counter(),
            time.process_time(),
            probe.cpu_s,
            probe.calls,
            len(probe.change_ms),
            len(probe.sweep_ms),
            stats.published,
            stats.rows_built,
        )

    def mark(self) -> AppFigures:
        then, now = self._since, self._now()
        self._since = now
        lags, self.lags = self.lags, []
        return AppFigures(
            wall_s=now[0] - then[0],
            cpu_s=now[1] - then[1],
            publish_cpu_s=now[2] - then[2],
            publishes=now[3] - then[3],
            change_ms=self.probe.change_ms[then[4] :],
            sweep_ms=self.probe.sweep_ms[then[5] :],
            messages=now[6] - then[6],
            rows_built=now[7] - then[7],
            lag_ms=lags,
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )

    async def tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(LAG_TICK_S)
            self.lags.append((loop.time() - start - LAG_TICK_S) * 1000)


def app_process(conn: Connection, sim_port: int, db_path: str) -> None:
    """The child: the app against the simulator, until told to stop (spawned: no loop of
    the parent's comes along)."""
    asyncio.run(_serve_app(conn, sim_port, db_path))


async def _serve_app(conn: Connection, sim_port: int, db_path: str) -> None:
    user, password = CREDENTIALS
    base = f"http://127.0.0.1:{sim_port}"
    settings = Settings(  # as ivr.embedded.running_app builds them for the demo
        ari=AriSettings(url=base, user=user, password=password),
        store=StoreSettings(db_path=db_path),
        flow=FlowSettings(first_digit_timeout=6.0, ring_timeout=30),
        callers=CallerSettings(key="embedded-demo-key"),
        sms=SmsSettings(url=f"{base}/_sim/sms"),
    ).overridden(APP_SETTINGS)
    app = build_app(settings, shifted_clock(WEEKDAY_MORNING))
    runner = web.AppRunner(app, **server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        stream = app[RUNTIME].stream
        assert stream is not None
        await asyncio.wait_for(stream.connected.wait(), 10)
        meter = AppMeter(app[BOARD].feed)
        ticker = asyncio.create_task(meter.tick())
        conn.send(f"http://127.0.0.1:{runner.addresses[0][1]}")
        while (command := await asyncio.to_thread(conn.recv)) != Command.STOP:
            assert command == Command.MARK
            conn.send(meter.mark())
        ticker.cancel()
    finally:
        await runner.cleanup()


# --- the board client ------------------------------------------------------------------------


@dataclass
class Expect:
    kind: Kind
    sent: float  # perf_counter just before the bench's /_sim request
    from_step: str = ""


@dataclass
class BoardClient:
    """One event stream of the board: every row's step as shown, and when each change the
    bench expects first shows. Stamps are taken as each ``data:`` line is read."""

    steps: dict[str, str] = field(default_factory=dict)
    latencies: dict[Kind, list[float]] = field(default_factory=dict)
    messages: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    _expect: dict[str, Expect] = field(default_factory=dict)
    _seen_at: dict[str, float] = field(default_factory=dict)  # call id -> first shown

    def expect(self, call_id: str, expect: Expect) -> None:
        """Time ``expect``; a new call already shown (the app was quicker than the
        simulator's reply to the bench) is timed at once."""
        if expect.kind is Kind.NEW and call_id in self._seen_at:
            self._timed(expect, self._seen_at[call_id])
        else:
            self._expect[call_id] = expect

    def pending(self, call_id: str) -> bool:
        return call_id in self._expect

    def forget(self, call_id: str) -> None:
        """The call ended by itself before the bench acted: nothing to time."""
        self._expect.pop(call_id, None)

    def missed(self) -> Counter[Kind]:
        """Expected changes never shown; forgotten, so the next window starts clean."""
        left = Counter(e.kind for e in self._expect.values())
        self._expect.clear()
        return left

    def reset(self) -> None:
        self.latencies.clear()
        self.messages.clear()
        self.rows = 0

    async def run(self, http: aiohttp.ClientSession, url: str) -> None:
        async with http.get(url) as response:
            if response.status != 200:
                raise RuntimeError(f"board stream: {response.status} {await response.text()}")
            event = ""
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self._message(event, json.loads(line[6:]), time.perf_counter())

    def _message(self, event: str, data: dict[str, Any], now: float) -> None:
        self.messages[event] += 1
        if event == "snapshot":
            for row in data["calls"]:
                self._shown(row, now)
            self.ready.set()
        elif event == "calls":
            self.rows += len(data["changed"])
            for row in data["changed"]:
                self._shown(row, now)
            for call_id in data["removed"]:
                self.steps.pop(call_id, None)
                self._seen_at.pop(call_id, None)
                expect = self._expect.get(call_id)
                if expect is not None and expect.kind is Kind.HANGUP:
                    self._timed(self._expect.pop(call_id), now)

    def _shown(self, row: dict[str, Any], now: float) -> None:
        call_id, step = row["call_id"], row["step"]
        self._seen_at.setdefault(call_id, now)
        self.steps[call_id] = step
        expect = self._expect.get(call_id)
        if expect is None:
            return
        if expect.kind is Kind.NEW or (
            expect.kind in (Kind.KEY, Kind.EMERGENCY) and step != expect.from_step
        ):
            self._timed(self._expect.pop(call_id), now)

    def _timed(self, expect: Expect, shown: float) -> None:
        self.latencies.setdefault(expect.kind, []).append((shown - expect.sent) * 1000)


# --- the driver ------------------------------------------------------------------------------


@dataclass
class Caller:
    call_id: str
    key_at: float  # perf_counter: when to key over the welcome
    key: str = ""  # what was keyed ("" not yet)
    keyed_at: float = 0.0


class Driver:
    """Fills the board and keeps it full, one action per turn through ``/_sim``."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        sim: str,
        calls: int,
        clients: list[BoardClient],
        rng: random.Random,
    ) -> None:
        self.http = http
        self.sim = sim
        self.target = calls
        self.clients = clients
        self.rng = rng
        self.live: dict[str, Caller] = {}
        self.placed = 0
        self.actions: Counter[Kind] = Counter()
        self.unmeasured: Counter[Kind] = Counter()  # acted, but no client showed the before
        self.measuring = False
        self.ended_by_themselves = 0  # found gone when the bench acted on them

    def full(self) -> bool:
        now = time.perf_counter()
        return len(self.live) >= self.target and all(
            c.key and now - c.keyed_at >= SETTLED_S for c in self.live.values()
        )

    async def run(self, rate: float, until: float | None = None) -> None:
        """One action per 1/rate s, until ``until`` (perf_counter) or the board is full."""
        loop = asyncio.get_running_loop()
        start, turn = loop.time(), 0
        churn = until is not None  # filling: nobody hangs up
        while (time.perf_counter() < until) if until is not None else not self.full():
            await self.act(churn)
            turn += 1
            pause = start + turn / rate - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)

    async def act(self, churn: bool = True) -> None:
        now = time.perf_counter()
        due = [c for c in self.live.values() if not c.key and now >= c.key_at]
        if due:
            return await self._key(min(due, key=lambda c: c.key_at))
        if len(self.live) < self.target:
            return await self._place()
        if not churn:
            return
        settled = [
            c
            for c in self.live.values()
            if c.key and now - c.keyed_at >= SETTLED_S and not self._pending(c.call_id)
        ]
        queued = [c for c in settled if c.key == "2" and self._shows(c.call_id, IN_FCR_QUEUE)]
        if queued and self.rng.random() < EMERGENCY_SHARE:
            return await self._emergency(self.rng.choice(queued))
        if settled:
            await self._hangup(self.rng.choice(settled))

    def _pending(self, call_id: str) -> bool:
        return any(client.pending(call_id) for client in self.clients)

    def _shows(self, call_id: str, step: str) -> bool:
        """Every client shows the call at ``step`` (with no client: assumed)."""
        return all(client.steps.get(call_id) == step for client in self.clients)

    def _expect(self, call_id: str, kind: Kind, sent: float, from_step: str = "") -> None:
        self.actions[kind] += 1
        if not self.measuring:
            return
        for client in self.clients:
            client.expect(call_id, Expect(kind, sent, from_step))

    async def _place(self) -> None:
        self.placed += 1
        body = {
            "dialled": "101",
            "caller_number": f"0770{self.placed:07d}",
            "caller_name": "Bench Caller",
            "script": [],  # the bench keys and hangs up for them
        }
        sent = time.perf_counter()
        reply = await self._post("/_sim/calls", body)
        call_id = str(reply["channel_id"])
        self.live[call_id] = Caller(call_id, key_at=sent + self.rng.uniform(1.0, 3.0))
        self._expect(call_id, Kind.NEW, sent)

    async def _key(self, caller: Caller) -> None:
        digits = [k for k, _ in KEYS]
        caller.key = self.rng.choices(digits, weights=[w for _, w in KEYS])[0]
        caller.keyed_at = time.perf_counter()
        if self._shows(caller.call_id, WELCOME) and not self._pending(caller.call_id):
            self._expect(caller.call_id, Kind.KEY, caller.keyed_at, WELCOME)
        else:
            self.actions[Kind.KEY] += 1
            self.unmeasured[Kind.KEY] += self.measuring
        await self._on_call(caller, "dtmf", {"digits": caller.key})

    async def _emergency(self, caller: Caller) -> None:
        caller.key, caller.keyed_at = "9", time.perf_counter()
        self._expect(caller.call_id, Kind.EMERGENCY, caller.keyed_at, IN_FCR_QUEUE)
        await self._on_call(caller, "dtmf", {"digits": "9"})

    async def _hangup(self, caller: Caller) -> None:
        del self.live[caller.call_id]
        if all(caller.call_id in client.steps for client in self.clients):
            self._expect(caller.call_id, Kind.HANGUP, time.perf_counter())
        else:  # a row never shown is never removed
            self.actions[Kind.HANGUP] += 1
            self.unmeasured[Kind.HANGUP] += self.measuring
        await self._on_call(caller, "hangup", {})

    async def hang_up_all(self) -> None:
        for call_id in list(self.live):
            del self.live[call_id]
            await self._post(f"/_sim/calls/{call_id}/hangup", {}, quiet=True)

    async def _on_call(self, caller: Caller, action: str, body: dict[str, Any]) -> None:
        """A key or a hang-up; a call the app or the simulator ended meanwhile is dropped."""
        path = f"/_sim/calls/{caller.call_id}/{action}"
        async with self.http.post(f"{self.sim}{path}", json=body) as resp:
            if resp.status == 404:
                self.live.pop(caller.call_id, None)
                self.ended_by_themselves += 1
                for client in self.clients:
                    client.forget(caller.call_id)
            elif resp.status >= 300:
                raise RuntimeError(f"POST {path}: {resp.status} {await resp.text()}")

    async def _post(self, path: str, body: dict[str, Any], quiet: bool = False) -> Any:
        async with self.http.post(f"{self.sim}{path}", json=body) as resp:
            if resp.status >= 300 and not quiet:
                raise RuntimeError(f"POST {path}: {resp.status} {await resp.text()}")
            return await resp.json()


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Window:
    """One measured drive: the app's figures, the clients' and the actions."""

    app: AppFigures
    actions: Counter[Kind]
    latencies: dict[Kind, list[float]] = field(default_factory=dict)
    missed: Counter[Kind] = field(default_factory=Counter)
    unmeasured: Counter[Kind] = field(default_factory=Counter)
    calls_messages: int = 0  # per client
    rows: int = 0  # per client
    here_cpu_s: float = 0.0  # this process: simulator, driver, clients


class AppChild:
    """The app process and its pipe."""

    def __init__(self, sim_port: int, db_path: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=app_process, args=(theirs, sim_port, db_path), name="ivr-app"
        )
        self.process.start()
        theirs.close()  # the child's end: a child that dies is then an EOFError here

    async def url(self) -> str:
        return str(await asyncio.wait_for(asyncio.to_thread(self.conn.recv), 60))

    async def mark(self) -> AppFigures:
        self.conn.send(Command.MARK)
        figures: AppFigures = await asyncio.to_thread(self.conn.recv)
        return figures

    async def stop(self, timeout: float = 60.0) -> None:
        if self.process.is_alive():
            self.conn.send(Command.STOP)
        await asyncio.to_thread(self.process.join, timeout)
        if self.process.is_alive():
            print("the app process did not stop in time: terminated", flush=True)
            self.process.terminate()
            await asyncio.to_thread(self.process.join, 10)


async def measure(
    driver: Driver, child: AppChild, clients: list[BoardClient], rate: float, seconds: float
) -> Window:
    """Drive for ``seconds`` with latencies timed; the app's figures for just that time."""
    for client in clients:
        client.reset()
    driver.actions.clear()
    driver.unmeasured.clear()
    driver.measuring = bool(clients)
    await child.mark()
    here = time.process_time()
    await driver.run(rate, until=time.perf_counter() + seconds)
    driver.measuring = False
    app = await child.mark()  # the window ends with the last action
    window = Window(app, Counter(driver.actions), unmeasured=Counter(driver.unmeasured))
    window.here_cpu_s = time.process_time() - here
    for client in clients:  # messages within the window, as the app's figures
        window.calls_messages += client.messages["calls"]
        window.rows += client.rows
    await asyncio.sleep(LAST_MESSAGES_S)
    for client in clients:
        for kind, ms in client.latencies.items():
            window.latencies.setdefault(kind, []).extend(ms)
        window.missed += client.missed()
    if clients:
        window.calls_messages //= len(clients)
        window.rows //= len(clients)
    return window


async def run(
    calls: int, rate: float, seconds: float, clients: int, seed: int, baseline: bool
) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="ivr-board-bench-") as scratch:
        db_path = str(Path(scratch) / "calls.db")
        async with running_simulator(speed=1.0, agent=TALKS_ON) as sim:
            child = AppChild(sim.port, db_path)
            try:
                app_url = await child.url()
                return await _bench(
                    child,
                    app_url,
                    f"http://127.0.0.1:{sim.port}",
                    db_path,
                    rng,
                    calls,
                    rate,
                    seconds,
                    clients,
                    baseline,
                )
            finally:
                await child.stop()


async def _bench(
    child: AppChild,
    app_url: str,
    sim_url: str,
    db_path: str,
    rng: random.Random,
    calls: int,
    rate: float,
    seconds: float,
    clients: int,
    baseline: bool,
) -> int:
    password = new_password()
    await asyncio.to_thread(add_person, db_path, OPERATOR, Role.OPERATOR, password, by="bench")
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie of a 127.0.0.1 server
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(
            f"{app_url}/api/session", json={"user": OPERATOR, "password": password}
        ) as signed_in:
            if signed_in.status != 200:
                raise RuntimeError(f"sign-in: {signed_in.status} {await signed_in.text()}")
        board = [BoardClient() for _ in range(clients)]
        readers = [asyncio.create_task(c.run(http, f"{app_url}/api/board/events")) for c in board]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in board)), 30)
        driver = Driver(http, sim_url, calls, board, rng)
        t0 = time.perf_counter()
        print(f"filling the board to {calls} live calls ...", flush=True)
        await driver.run(rate)
        print(f"  {len(driver.live)} live after {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"measuring {seconds:g} s with {clients} board stream(s) ...", flush=True)
        watched = await measure(driver, child, board, rate, seconds)
        async with http.get(f"{app_url}/api/board") as resp:
            shown = len((await resp.json())["calls"])
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        unwatched = None
        if baseline:
            print(f"baseline: the same drive for {seconds:g} s with no stream open ...", flush=True)
            await asyncio.sleep(LAST_MESSAGES_S)  # the server sees the streams close
            unwatched = await measure(driver, child, [], rate, seconds)
        await driver.hang_up_all()
    report(calls, rate, clients, shown, watched, unwatched, driver.ended_by_themselves)
    return 0 if watched.latencies else 1


# --- the report ------------------------------------------------------------------------------


def _pct(ms: list[float], q: float) -> float:
    ordered = sorted(ms)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latency_row(name: str, ms: list[float], missed: int, unmeasured: int) -> str:
    if not ms:
        return f"| {name} | 0 | - | - | - | {missed} | {unmeasured} |"
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {_pct(ms, 0.95):.0f} |"
        f" {max(ms):.0f} | {missed} | {unmeasured} |"
    )


def report(
    calls: int,
    rate: float,
    clients: int,
    shown: int,
    watched: Window,
    unwatched: Window | None,
    ended: int,
) -> None:
    app = watched.app
    print()
    print(
        f"{calls} live calls (board showed {shown} at the end), {rate:g} actions/s asked,"
        f" {sum(watched.actions.values())} actions in {app.wall_s:.1f} s;"
        f" {clients} stream(s); app in its own process"
    )
    print()
    print("(a) action -> the SSE message showing it (ms, at the client)")
    print()
    print("| action | timed | p50 | p95 | max | never shown | not timed |")
    print("|---|---|---|---|---|---|---|")
    every: list[float] = []
    for kind in Kind:
        ms = watched.latencies.get(kind, [])
        every += ms
        print(_latency_row(kind.value, ms, watched.missed[kind], watched.unmeasured[kind]))
    print(
        _latency_row("all", every, sum(watched.missed.values()), sum(watched.unmeasured.values()))
    )
    print()
    print("(b) the app process")
    print()
    per_message = app.cpu_s / max(1, app.messages) * 1000
    lag = sorted(app.lag_ms)
    print("| figure | value |")
    print("|---|---|")
    print(
        f"| board messages sent | {app.messages} ({app.messages / app.wall_s:.1f}/s;"
        f" {watched.calls_messages} `calls`, {watched.rows} rows, per client) |"
    )
    print(f"| rows built by the publisher | {app.rows_built} |")
    print(
        f"| app process CPU | {app.cpu_s:.2f} s ({app.cpu_s / app.wall_s * 100:.1f} % of a core;"
        f" {per_message:.1f} ms per board message, calls included) |"
    )
    print(
        f"| publisher CPU (thread time) | {app.publish_cpu_s * 1000:.0f} ms"
        f" ({app.publish_cpu_s / max(1, app.messages) * 1000:.2f} ms per message;"
        f" {app.publish_cpu_s / app.wall_s * 100:.2f} % of a core) |"
    )
    for name, ms in (("a publish of changes", app.change_ms), ("a sweep", app.sweep_ms)):
        if ms:
            print(
                f"| {name} ({len(ms)}), p50 / p95 / max | {statistics.median(ms):.2f} /"
                f" {_pct(ms, 0.95):.2f} / {max(ms):.2f} ms |"
            )
    if unwatched is not None:
        base = unwatched.app
        per_s = app.cpu_s / app.wall_s - base.cpu_s / base.wall_s
        print(
            f"| app CPU with no stream (baseline) | {base.cpu_s:.2f} s"
            f" ({base.cpu_s / base.wall_s * 100:.1f} % of a core;"
            f" {sum(unwatched.actions.values())} actions) |"
        )
        print(
            f"| stream open minus baseline | {per_s * 100:+.1f} % of a core"
            f" ({per_s * app.wall_s / max(1, app.messages) * 1000:+.2f} ms per message) |"
        )
    if lag:
        print(
            f"| app loop lag p50 / p99 / max | {statistics.median(lag):.1f} /"
            f" {_pct(lag, 0.99):.1f} / {lag[-1]:.1f} ms |"
        )
    print(f"| app peak RSS | {app.peak_rss_mb:.0f} MB |")
    print(
        f"| this process (simulator, driver, client) | {watched.here_cpu_s:.2f} s CPU"
        f" ({watched.here_cpu_s / app.wall_s * 100:.1f} % of a core) |"
    )
    actions = ", ".join(f"{k.value} {n}" for k, n in watched.actions.items())
    print(f"\nactions: {actions}; calls found ended by themselves: {ended}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="live calls to hold")
    parser.add_argument("--rate", type=float, default=20.0, help="bench actions per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window")
    parser.add_argument("--clients", type=int, default=1, help="board streams (1 to 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the no-stream run")
    args = parser.parse_args()
    if not 1 <= args.clients <= 3:
        parser.error("--clients: 1 to 3 (an operator may hold 3 streams)")
    if args.calls < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--calls, --rate and --seconds must be positive")
    return asyncio.run(
        run(args.calls, args.rate, args.seconds, args.clients, args.seed, not args.no_baseline)
    )


if __name__ == "__main__":
    sys.exit(main())
