"""The live board under 200 calls: server CPU per update, and event → browser latency.

.venv/bin/python bench/board.py [--calls 200] [--clients 3] [--rate 50] [--seconds 10]

Built against fakes, not the embedded harness: ``--calls`` real CallSessions (FakeControl,
a call log that keeps nothing, so only the board's own cost is measured) held at a step,
half of them waiting in an app-run queue with no agent; the board's real parts
(BoardCallLog, BoardView, BoardFeed, the aiohttp routes) on a real HTTP server on
127.0.0.1; ``--clients`` server-sent-event clients in the same process (their parsing is
counted in the process CPU too: a conservative figure). The driver changes a random call's
step ``--rate`` times a second; each client notes when a change reaches it (a call changed
twice before one message carries both: both are timed to that message).

Prints: messages sent, the publisher's CPU per message (building rows, JSON, queueing),
the process CPU per second meanwhile, the cost of a full sweep (every row rebuilt and
compared), and the event → client latency p50/p95/max.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web

from ivr.clock import utc_now
from ivr.console.board_routes import BoardConsole, register
from ivr.decisions import Candidate, Decision
from ivr.queues.model import Priority, QueueEntry
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from tests.fakes import FakeControl, FakePrompts
from tests.unit.console.livecalls import ANNA, Hold, operator_middleware, queues_service


class NullLog:
    """A CallLog that keeps nothing: the real one's cost is another bench's."""

    def call_started(self, row: Mapping[str, Any]) -> None: ...
    def call_updated(self, call_id: str, fields: Mapping[str, Any]) -> None: ...
    def event(self, call_id: str, at: datetime, kind: str, detail: Mapping[str, Any]) -> None: ...
    def decision(self, call_id: str, at: datetime, decision: Decision) -> None: ...


class NoAudit:
    def record(self, who: str, action: str, detail: Mapping[str, Any]) -> None: ...


async def client(
    url: str, sent: dict[str, dict[int, float]], latencies: list[float], ready: asyncio.Event
) -> None:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        event = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
                if event == "snapshot":
                    ready.set()
            elif line.startswith("data: ") and event == "calls":
                now = time.perf_counter()
                for row in json.loads(line[6:])["changed"]:
                    step = row["step"]
                    if not step.startswith("m-"):
                        continue
                    n = int(step[2:])
                    pending = sent[row["call_id"]]
                    for m in [m for m in pending if m <= n]:
                        latencies.append(now - pending.pop(m))


async def main(calls: int, clients: int, rate: float, seconds: float) -> None:
    clock = utc_now
    queues = queues_service(time.time)  # one agent on rc; fcr has none: its callers wait
    sessions: dict[str, CallSession] = {}
    console = BoardConsole.build(
        inner_log=NullLog(),
        live=lambda: list(sessions.values()),
        audit=NoAudit(),
        queues=queues,
        destinations=("rc", "fcr"),
        clock=clock,
    )
    tasks = []
    for i in range(calls):
        call_id = f"call-{i:04d}"
        control = FakeControl(f"chan-{i}")
        session = CallSession(
            CallInfo(call_id, control.channel_id, f"0770090{i:04d}", "", "101"),
            control,
            FakePrompts(),
            console.call_log,
            [Hold()],
            lambda: [],
            clock,
        )
        sessions[call_id] = session
        tasks.append(asyncio.create_task(session.run()))
    await asyncio.sleep(0.1)
    for i, session in enumerate(sessions.values()):
        session.record(
            "speech", text=f"my bike was stolen {i}", alternatives=["my bike"], confidence=0.8
        )
        session.record_decision(
            Decision(
                "route",
                "fcr",
                rule="intent-theft",
                reason="theft",
                candidates=(Candidate("fcr", "FCR", 0.9),),
            )
        )
        if i % 2 == 0:
            queues.join(QueueEntry(session.call_id, "fcr", Priority.NORMAL, time.time() - i))

    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, console)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/api/board/events"

    # Per client: call id -> change number -> when it was made.
    sent: list[dict[str, dict[int, float]]] = [defaultdict(dict) for _ in range(clients)]
    latencies: list[float] = []
    readies = [asyncio.Event() for _ in range(clients)]
    readers = [
        asyncio.create_task(client(url, mine, latencies, ready))
        for mine, ready in zip(sent, readies, strict=True)
    ]
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(0.5)

    feed = console.feed
    stats0 = (feed.stats.published, feed.stats.cpu_s, feed.stats.rows_built)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ids = list(sessions)
    n = 0
    pause = 1.0 / rate
    while time.perf_counter() - wall0 < seconds:
        n += 1
        call_id = random.choice(ids)
        at = time.perf_counter()
        for mine in sent:
            mine[call_id][n] = at
        sessions[call_id].at_step(f"m-{n}")
        await asyncio.sleep(pause)
    driven = time.perf_counter() - wall0
    await asyncio.sleep(1.0)  # the last messages arrive
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    published = feed.stats.published - stats0[0]
    publish_cpu = feed.stats.cpu_s - stats0[1]
    rows = feed.stats.rows_built - stats0[2]

    # A full sweep with every row changed: the worst a sweep can cost.
    feed._sent.clear()
    sweep0 = time.process_time()
    feed.publish(sweep=True)
    sweep_ms = (time.process_time() - sweep0) * 1000

    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await runner.cleanup()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    ms = sorted(x * 1000 for x in latencies)
    print(f"calls {calls}, clients {clients}, {n} events in {driven:.1f} s")
    print(f"messages published {published} ({published / wall:.1f}/s), rows built {rows}")
    print(f"publisher CPU per message {publish_cpu / max(1, published) * 1000:.2f} ms")
    print(f"process CPU {cpu / wall * 100:.1f} % of one core (server + {clients} clients)")
    print(f"full sweep, {calls} rows all changed: {sweep_ms:.1f} ms CPU")
    if ms:
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(
            f"event -> client latency ms: p50 {statistics.median(ms):.0f}  p95 {p95:.0f}"
            f"  max {ms[-1]:.0f}  ({len(ms)} timed)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.clients, args.rate, args.seconds))
