"""Failover of active/standby ``ivr serve`` on a real Asterisk 22: the gap callers hear.

Asterisk starts once (tests/real/asterisk.py: the project's dialplans plus the test-only
tests/real/conf/*/ files). Each run then starts two ``ivr serve`` processes with ``[ha]``
(nodes a and b, one database: a SQLite file, or a PostgreSQL schema), waits until a is
active and b standby, places ``--calls`` callers (tests/real/parties.py) who wait in the
menu, puts ``--talking`` of them through to an agent one at a time (each one's key → agent
rung is the "no failover" reference), and kills a with SIGKILL. From then on one of the
waiting callers (the probe) keys 1 every 0.5 s until an agent rings. Measured from the
kill: b's "active:" line (t_lease), its "ari websocket connected" (t_connect), the last
"adopting call" of the calls up (t_adopted): their log times against the wall-clock time
of the kill; and the probe's agent rung (t_heard: this process's monotonic clock, kill to
ring). The probe's agent is answered and must be bridged with the probe (so the ring was
its own); every caller must still be up (lost = 0) when the bench hangs them all up.

    .venv/bin/python bench/failover.py                        # 10 runs, 20 calls, lease 5 s
    .venv/bin/python bench/failover.py --runs 2 --calls 6 --talking 2 --lease 2   # a look
    .venv/bin/python bench/failover.py --db postgresql        # once the stores are ported

Progress goes to stderr, the runs' lines and the summary to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.failover_figures import RunFigures, log_epoch, log_records, message_kind, summary
from bench.sip_load import machine_busy_s
from bench.sipp.report import loadavg
from ivr.ari.errors import AriError
from ivr.ari.events import ChannelEnteredBridge, ChannelLeftBridge
from ivr.shipped import REPO_ROOT
from tests.postgres import running_postgres
from tests.real.app import DESKS
from tests.real.asterisk import RealAsterisk, running_asterisk, test_files
from tests.real.leftovers import nothing_left
from tests.real.parties import Agent, Caller, Parties, parties_on
from tests.real.serve import CONNECTED, ServeProcess, ivr_serve
from tests.real.watch import AsteriskWatch, watching

HA = '\n[ha]\nenabled = true\nlease_s = {lease}\nnode = "{node}"\n'
ACTIVE, STANDBY, ADOPTING = "active: ", "standby: ", "reconcile: adopting call"
MENU_PROMPT = "main_menu"
WELCOME_S = 60.0  # the welcome plays 12.5 s before the menu; 20 calls at once on 2 cores
PRESS_EVERY_S = 0.5  # the probe keys 1 again this often from the kill
HEARD_TIMEOUT_S = 60.0  # no agent for the probe by then: the run says so
ADOPTED_TIMEOUT_S = 30.0  # after b's connect, every call's "adopting" line by then
RING_TIMEOUT_S = 30.0
CLEANUP_TIMEOUT_S = 30.0
# Records of b's log worth counting after the kill (its adopting lines are WARNINGs too).
NOTEWORTHY = (" WARNING ", " ERROR ", " CRITICAL ")
_ASTERISK_LEVEL = re.compile(r"\b(WARNING|ERROR)\[\d+\](?:\[[^\]]*\])?: (.*)")


class DbKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Rung:
    """An agent leg the app rang, and when this process heard of it (monotonic)."""

    agent: Agent
    at: float


class AgentDesks:
    """Every agent the app rings, at any desk, in the order they ring; a ring from an
    earlier run's leftovers (its leg already gone) is passed over."""

    def __init__(self, parties: Parties) -> None:
        self._parties = parties
        self._rung: asyncio.Queue[Rung] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def _listen(self, desk: str) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                agent = await self._parties.agent_rung(desk, timeout=3600)
                self._rung.put_nowait(Rung(agent, time.monotonic()))

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[AgentDesks]:
        self._tasks = [asyncio.create_task(self._listen(d), name=f"desk-{d}") for d in DESKS]
        try:
            yield self
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def drain(self) -> None:
        while not self._rung.empty():
            self._rung.get_nowait()

    async def next(self, timeout: float = RING_TIMEOUT_S) -> Rung:
        async with asyncio.timeout(timeout):
            while True:
                rung = await self._rung.get()
                if not rung.agent.ended:
                    return rung


def bridged_with(watch: AsteriskWatch, caller: Caller, agent: Agent) -> bool:
    """The caller's latest bridge holds the app's half of this agent's leg."""
    leg = agent.channel_id.removesuffix(";2")
    for event in reversed(watch.events):
        if isinstance(event, ChannelEnteredBridge | ChannelLeftBridge) and (
            caller.call_id in event.bridge.channels
        ):
            return leg in event.bridge.channels
    return False


async def in_the_menu(watch: AsteriskWatch, caller: Caller) -> None:
    await caller.answered(timeout=WELCOME_S)
    await watch.until(
        lambda _: watch.playback_of(caller.call_id, MENU_PROMPT), "menu", timeout=WELCOME_S
    )


async def put_through(
    watch: AsteriskWatch, desks: AgentDesks, caller: Caller
) -> tuple[Agent, float]:
    """The caller keys 1, the agent rung answers and is bridged with them; the agent and
    the seconds from the key to the ring."""
    keyed = time.monotonic()
    await caller.keys("1")
    rung = await desks.next()
    await rung.agent.answer()
    await watch.until(lambda _: bridged_with(watch, caller, rung.agent) or None, "bridge")
    return rung.agent, rung.at - keyed


async def probe_gap(probe: Caller, desks: AgentDesks, killed: float) -> tuple[Rung | None, int]:
    """The probe keys 1 every PRESS_EVERY_S from the kill until an agent rings: the ring
    (None: none within HEARD_TIMEOUT_S) and how many times it pressed."""
    ring = asyncio.create_task(desks.next(HEARD_TIMEOUT_S), name="probe-ring")
    presses = 0
    try:
        while not ring.done():
            with contextlib.suppress(AriError):  # a key refused is a key the caller lost
                await probe.keys("1")
            presses += 1
            due = killed + presses * PRESS_EVERY_S
            await asyncio.wait({ring}, timeout=max(0.0, due - time.monotonic()))
        return ring.result(), presses
    except TimeoutError:
        return None, presses
    finally:
        ring.cancel()


def since_kill(line: str, killed_wall: float) -> float | None:
    at = log_epoch(line)
    return None if at is None else at - killed_wall


async def adopted_lines(b: ServeProcess, callers: list[Caller]) -> dict[str, str]:
    """Each caller's "adopting call" line from b, as far as they come by the deadline."""
    found: dict[str, str] = {}
    deadline = time.monotonic() + ADOPTED_TIMEOUT_S
    for caller in callers:
        with contextlib.suppress(TimeoutError):
            found[caller.call_id] = await b.until_logged(
                ADOPTING, f"call {caller.call_id} ", timeout=max(0.1, deadline - time.monotonic())
            )
    return found


def asterisk_lines_since(asterisk: RealAsterisk, offset: int) -> list[str]:
    """Asterisk's console WARNING/ERROR messages written after ``offset`` (bytes)."""
    with asterisk.console_log.open("rb") as console:
        console.seek(offset)
        text = console.read().decode(errors="replace")
    return [
        message_kind(f"{m.group(1)}: {m.group(2)}")
        for line in text.splitlines()
        if (m := _ASTERISK_LEVEL.search(line))
    ]


@dataclass(frozen=True)
class Bench:
    asterisk: RealAsterisk
    parties: Parties
    desks: AgentDesks
    calls: int
    talking: int
    lease_s: float


async def one_run(bench: Bench, run: int, folder: Path, db: str) -> RunFigures:
    figures = RunFigures(run, calls=bench.calls)
    asterisk, parties = bench.asterisk, bench.parties
    callers: list[Caller] = []
    agents: list[Agent] = []
    try:
        async with (
            watching(asterisk) as watch,
            ivr_serve(
                asterisk,
                folder,
                db=db,
                extra_toml=HA.format(lease=bench.lease_s, node="node-a"),
                name="a",
            ) as a,
        ):
            await a.until_logged(ACTIVE, "node-a")
            await a.until_logged(CONNECTED)
            async with ivr_serve(
                asterisk,
                folder,
                db=db,
                extra_toml=HA.format(lease=bench.lease_s, node="node-b"),
                name="b",
            ) as b:
                await b.until_logged(STANDBY, "node-a holds")
                progress(f"run {run}: a active, b standby; {bench.calls} calls to the menu")
                for n in range(bench.calls):
                    callers.append(await parties.call(caller=f"0770090{n:04d}"))
                await asyncio.gather(*(in_the_menu(watch, c) for c in callers))
                talking, waiting = callers[: bench.talking], callers[bench.talking :]
                bench.desks.drain()
                progress(f"run {run}: all in the menu; {len(talking)} put through one by one")
                waits = []
                for caller in talking:
                    agent, waited = await put_through(watch, bench.desks, caller)
                    agents.append(agent)
                    waits.append(waited)
                figures.key_to_ring = statistics.median(waits) if waits else None
                probe = waiting[0]

                console_at = asterisk.console_log.stat().st_size
                killed_wall, killed = time.time(), time.monotonic()
                await a.kill()
                progress(f"run {run}: a killed (load {loadavg()}); the probe keys 1 every 0.5 s")
                rung, figures.presses = await probe_gap(probe, bench.desks, killed)
                if rung is not None:
                    figures.t_heard = rung.at - killed
                    await rung.agent.answer()
                    agents.append(rung.agent)
                    with contextlib.suppress(TimeoutError):
                        figures.probe_bridged = await watch.until(
                            lambda _: bridged_with(watch, probe, rung.agent) or None,
                            "the probe with its agent",
                        )
                figures.t_lease = since_kill(await b.until_logged(ACTIVE, "node-b"), killed_wall)
                figures.t_connect = since_kill(await b.until_logged(CONNECTED), killed_wall)
                adopted = await adopted_lines(b, callers)
                figures.not_adopted = len(callers) - len(adopted)
                times = [since_kill(line, killed_wall) for line in adopted.values()]
                figures.t_adopted = max((t for t in times if t is not None), default=None)

                figures.lost = sum(c.ended for c in callers)
                figures.agents_dropped = sum(a.ended for a in agents[: len(talking)])
                figures.after_kill = [
                    str(record)
                    for record in log_records(b.lines)
                    if record.at >= killed_wall
                    and any(level in record.first for level in NOTEWORTHY)
                    and ADOPTING not in record.first
                ]
                figures.asterisk_after_kill = asterisk_lines_since(asterisk, console_at)
                progress(f"run {run}: measured; hanging up")
                await hang_up_all(agents, callers)
                try:
                    await nothing_left(asterisk, parties, timeout=CLEANUP_TIMEOUT_S)
                except AssertionError as left:
                    figures.leftovers = str(left)
    except Exception as exc:  # one run's failure is a figure too; the next run goes on
        figures.failed = f"{type(exc).__name__}: {exc}"
        progress(f"run {run}: FAILED ({figures.failed}); logs in {folder}")
        await hang_up_all(agents, callers)
    return figures


async def hang_up_all(agents: list[Agent], callers: list[Caller]) -> None:
    await asyncio.gather(*(leg.hang_up() for leg in [*agents, *callers]), return_exceptions=True)
    await asyncio.gather(
        *(c.until_ended(timeout=CLEANUP_TIMEOUT_S) for c in callers), return_exceptions=True
    )


@contextlib.contextmanager
def databases(kind: DbKind) -> Iterator[Callable[[Path], AbstractContextManager[str]]]:
    """A fresh shared database per run: a SQLite file in the run's folder, or a new schema
    of one PostgreSQL server started for the bench."""
    if kind is DbKind.SQLITE:

        @contextlib.contextmanager
        def sqlite_file(folder: Path) -> Iterator[str]:
            yield str(folder / "calls.db")

        yield sqlite_file
        return
    with running_postgres() as server:
        yield lambda _folder: server.schema()


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "?"


async def run_all(args: argparse.Namespace, work: Path) -> list[RunFigures]:
    results: list[RunFigures] = []
    with (
        databases(DbKind(args.db)) as fresh_db,
        running_asterisk(work / "asterisk", test_files()) as asterisk,
    ):
        asterisk.rx("core set verbose 0")  # as a daemon runs: no console line per step
        progress(f"Asterisk pid {asterisk.pid} up; work folder {work}")
        async with parties_on(asterisk) as parties, AgentDesks(parties).listening() as desks:
            bench = Bench(asterisk, parties, desks, args.calls, args.talking, args.lease)
            for run in range(1, args.runs + 1):
                folder = work / f"run{run:02d}"
                folder.mkdir(parents=True, exist_ok=True)
                with fresh_db(folder) as db:
                    figures = await one_run(bench, run, folder, db)
                results.append(figures)
                print(figures.line(), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=20, help="callers up at the kill")
    parser.add_argument("--talking", type=int, default=5, help="of them, talking to an agent")
    parser.add_argument("--lease", type=float, default=5.0, help="[ha] lease_s (seconds)")
    parser.add_argument("--db", choices=[k.value for k in DbKind], default=DbKind.SQLITE.value)
    parser.add_argument("--work", type=Path, help="keep the logs and databases here")
    args = parser.parse_args(argv)
    if not 0 <= args.talking < args.calls:
        parser.error("--talking must leave at least one caller waiting (the probe)")
    busy0, t0 = machine_busy_s(), time.monotonic()
    time.sleep(3)  # what the machine does without this bench: other helpers' work
    busy = (machine_busy_s() - busy0) / (time.monotonic() - t0) * 100
    print(
        f"settings: {args.runs} runs; {args.calls} calls ({args.talking} talking to an agent,"
        f" {args.calls - args.talking} in the menu, one of them the probe); [ha] lease_s"
        f" {args.lease:g} (renewed every {args.lease / 3:.2f} s); database {args.db};"
        f" commit {commit()}",
        flush=True,
    )
    print(
        f"machine: {os.cpu_count()} cores, load average {loadavg()}, {busy:.0f} % of a core"
        " busy before the bench started anything",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="failover_") as tmp:
        work = args.work or Path(tmp)
        results = asyncio.run(run_all(args, work))
    for line in summary(results):
        print(line)
    print(f"load average at the end: {loadavg()}")
    clean = all(not r.failed and not r.lost and not r.leftovers for r in results)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
