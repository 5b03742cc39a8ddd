"""A callback survives kill -9 of the app and is placed exactly once by the next process.

The app runs as a real `ivr serve` process against the in-process simulator,
so SIGKILL is a real crash: no shutdown hook, no flush.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ivr.embedded import CREDENTIALS
from tests.integration.app.stack import lasting_prompts, running_sim
from tests.integration.app.test_queues import (
    CALLER,
    IN_MENU,
    originates,
    rules_dir,
    talking,
)
from tests.integration.app.test_queues import until as until_within

REPO = Path(__file__).resolve().parents[3]
API_TOKEN = "restart-test-operator-token"
# Every wait here is for an event; its timeout only ends a test that is stuck. Here
# three processes (this one, the simulator in it, ``ivr serve``) share a loaded CI box
# of 2 cores, where starting the app alone can take ten seconds: the timeouts are
# generous, for a stuck test is told apart from a slow one by nothing else.
SLOW_BOX = 4.0


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    await until_within(check, timeout * SLOW_BOX)


# The app's HTTP port is bound twice, once by each process: between the kill and the
# restart it is free, and a port the kernel hands out (32768-60999) may meanwhile become
# the local end of any outgoing connection. Ports below that range are never handed out.
BELOW_EPHEMERAL = range(20_000, 32_000)


def free_port() -> int:
    """A port free now and outside the kernel's ephemeral range."""
    for port in random.sample(BELOW_EPHEMERAL, 50):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port below the ephemeral range")


# Callbacks and transfers never ring out in these tests (a day: the simulator counts it in its
# own seconds, 20 to one, so 600 ran out in 30 s of a restart on a loaded machine): the
# phones that ring through a restart are answered by the test once the next process is up.
NEVER_RINGS_OUT = 86_400


def write_config(tmp_path: Path, ari_port: int, http_port: int, ring_timeout: int = 30) -> Path:
    """The app of these tests; texts go to the simulator's stand-in provider."""
    config = tmp_path / "ivr101.toml"
    rules = rules_dir(tmp_path)
    config.write_text(
        f"""
[ari]
url = "http://127.0.0.1:{ari_port}"
user = "ivr101"
[store]
db = "{tmp_path / "calls.db"}"
[http]
port = {http_port}
[routing]
rules = "{rules}"
[flow]
first_digit_timeout = 0.4
ring_timeout = {ring_timeout}
[sms]
url = "http://127.0.0.1:{ari_port}/_sim/sms"
survey = false
[speech]
engine = "none"
[queues]
announce_every = 30
agent_away_s = 0.5
callback_ring_timeout = {NEVER_RINGS_OUT}
[agents]
fcr-1 = {{ endpoint = "PJSIP/fcr-1", queues = ["fcr"] }}
""",
        encoding="utf-8",
    )
    return config


@asynccontextmanager
async def serving(config: Path, http_port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "IVR_ARI_PASSWORD": CREDENTIALS[1],
        "IVR_CALLER_KEY": "test-key-for-restarts",
        "IVR_API_TOKEN": API_TOKEN,
    }
    # The log goes to a file (a pipe nobody reads could fill and stall the app): a
    # process that exits before it is healthy fails the test with its last words.
    log = config.parent / f"serve-{len(list(config.parent.glob('serve-*.log')))}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ivr.cli",
            "serve",
            "--config",
            str(config),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                if proc.returncode is not None:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise AssertionError(f"ivr serve exited ({proc.returncode}):\n{tail}")
                try:
                    async with http.get(f"http://127.0.0.1:{http_port}/health") as resp:
                        return resp.status == 200
                except aiohttp.ClientError:
                    return False

            await until(healthy, 30)
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def query(db: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    except sqlite3.OperationalError:
        return []  # not migrated yet
    finally:
        conn.close()


async def event_seen(db: Path, call_id: str, kind: str) -> bool:
    rows = await asyncio.to_thread(
        query, db, "SELECT 1 FROM call_events WHERE call_id = ? AND kind = ?", call_id, kind
    )
    return bool(rows)


async def hang_up_all(http: aiohttp.ClientSession, base: str, calls: tuple[str, ...]) -> None:
    for call_id in calls:
        async with http.post(f"{base}/_sim/calls/{call_id}/hangup") as resp:
            assert resp.status in (200, 202, 204, 404)


# A phone that rings until the test answers it (POST /_sim/agents/answer): a restart on a
# loaded machine can outlast any delay, and a phone answered while no app listens is hung
# up by Asterisk (the attempt then is not the one the test is about).
RINGS_UNTIL_ANSWERED = 86_400.0
# The agent talks until the other side hangs up (JSON null): they leave the first caller
# when the test hangs that call up, not while the second is still booking on a slow
# machine, and a callback's agent is still there when the caller answers after a restart.
TALKS_UNTIL_HUNG_UP = None


async def callback_attempts_of(db: Path, call_id: str) -> list[dict[str, Any]]:
    return await asyncio.to_thread(
        query,
        db,
        "SELECT attempt, outcome, channel_id FROM callback_attempts WHERE call_id = ? ORDER BY id",
        call_id,
    )


async def fcr_caller(http: aiohttp.ClientSession, base: str, *, hold_ms: int) -> str:
    """A simulated caller who keys 2 (the FCR) and holds ``hold_ms``; their channel id."""
    script = [{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": hold_ms}]
    body = {"dialled": "101", "caller_number": CALLER, "script": script}
    async with http.post(f"{base}/_sim/calls", json=body) as resp:
        assert resp.status == 201, await resp.text()
        return str((await resp.json())["channel_id"])


async def sim_post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> None:
    async with http.post(url, json=body) as resp:
        assert resp.status < 300, await resp.text()


# The prompt that plays during each step before the callback is placed.
PROMPT_OF_STEP = {"booking": "callback_number_check", "thank-you": "callback_thank_you"}


@pytest.mark.parametrize(
    "step", ["booking", "thank-you", "agent-ringing", "agent-intro", "caller-ringing", "bridged"]
)
async def test_kill_9_at_each_step_of_a_callback_rings_the_caller_once_and_texts_nobody(
    tmp_path: Path, step: str
) -> None:
    """Whatever the callback was doing, the next process carries it on from there.

    booking (the number being confirmed, nothing committed): the caller is back at
    their place in the queue, not at the menu, and books again. thank-you (committed,
    being thanked): the book says it is booked, so the caller hears goodbye and is let
    go, never asked again. Either way the callback is placed once (thank-you: a booked
    callback, its agent still busy across the restart, is placed when they come free).
    """
    db = tmp_path / "calls.db"
    http_port = free_port()
    callback_end = f"Local/{CALLER}@ivr-callback"
    before_placing = step in PROMPT_OF_STEP
    # The phone that may be ringing when the app is killed: it answers once the next
    # process follows the callback, never while no app is there to take it.
    rings_through = {
        "agent-ringing": "PJSIP/fcr-1",
        "agent-intro": callback_end,
        "caller-ringing": callback_end,
    }.get(step)
    sounds = lasting_prompts(tmp_path / "sounds", [PROMPT_OF_STEP[step]] if before_placing else [])
    async with running_sim({"PJSIP/fcr-1": talking(2.0)}, sounds) as (_sim, ari_port):
        base = f"http://127.0.0.1:{ari_port}"
        config = write_config(tmp_path, ari_port, http_port)
        async with aiohttp.ClientSession() as http:

            async def call() -> str:
                return await fcr_caller(http, base, hold_ms=2000)

            async def press(call_id: str) -> None:
                await sim_post(http, f"{base}/_sim/calls/{call_id}/dtmf", {"digits": "1"})

            async def rung(endpoint: str) -> int:
                async with http.get(f"{base}/_sim/requests") as resp:
                    return originates(await resp.json(), endpoint)

            async def callback_channel_reached(kind: str) -> bool:
                rows = await asyncio.to_thread(
                    query,
                    db,
                    "SELECT 1 FROM call_events WHERE call_id LIKE 'cb-%' AND kind = ?",
                    kind,
                )
                return bool(rows)

            async def callback_state() -> str | None:
                rows = await asyncio.to_thread(
                    query, db, "SELECT state FROM callbacks WHERE call_id = ?", caller
                )
                return str(rows[0]["state"]) if rows else None

            # The agent stays on the first call until the test hangs it up: the second
            # caller is offered a callback, and (before_placing) nothing is placed before
            # the restart.
            waits = {"endpoint": "PJSIP/fcr-1", "talk_for": TALKS_UNTIL_HUNG_UP}
            await sim_post(http, f"{base}/_sim/agents", waits)
            async with serving(config, http_port) as first:
                busy = await call()
                await until(lambda: event_seen(db, busy, "connected"))
                if rings_through is not None:
                    slow = {"endpoint": rings_through, "answer_after": RINGS_UNTIL_ANSWERED}
                    await sim_post(http, f"{base}/_sim/agents", slow)
                caller = await call()
                await until(lambda: event_seen(db, caller, "callback-offered"))
                await press(caller)
                await until(lambda: event_seen(db, caller, "callback-number-asked"))
                if step != "booking":
                    await press(caller)
                    await until(lambda: event_seen(db, caller, "callback-accepted"))
                if not before_placing:
                    # Booked: the caller goes, then the agent comes free for the callback.
                    await hang_up_all(http, base, (caller,))
                    await hang_up_all(http, base, (busy,))
                if step == "agent-ringing":
                    await until(lambda: callback_channel_reached_ringing(http, base))
                elif step == "agent-intro":
                    await until(lambda: callback_channel_reached("step"))
                elif step == "caller-ringing":
                    await until(lambda: rung_at_least(rung, callback_end))
                elif step == "bridged":
                    await until(lambda: callback_channel_reached("connected"), 30)
                first.send_signal(signal.SIGKILL)
                await first.wait()
            if before_placing:
                # Booking: the caller never said yes to the number, so nothing is in the
                # book; thank-you: the callback was committed before the thanks began.
                assert await callback_state() == (None if step == "booking" else "waiting")
                assert not await event_seen(db, caller, "callback-kept")
            for endpoint in ("PJSIP/fcr-1", callback_end):
                await sim_post(
                    http, f"{base}/_sim/agents", {"endpoint": endpoint, "answer_after": 1.0}
                )
            killed_at = await last_event_id(db, caller)
            async with http.get(f"{base}/_sim/requests") as resp:
                asked_before = len(await resp.json())

            async with serving(config, http_port):
                if rings_through is not None:
                    # The next process looks the callback's channel up to follow it
                    # (after reconciling): from then on an answer is its to take.
                    placed = (await callback_attempts_of(db, caller))[-1]["channel_id"]
                    await until(lambda: looked_up(http, base, placed, asked_before), 30)
                    await sim_post(http, f"{base}/_sim/agents/answer", {"endpoint": rings_through})
                if step == "booking":
                    await until(lambda: event_seen(db, caller, "queue-resumed"), 30)
                    # Resumed, then joined again (the join is written a moment later).
                    await until(lambda: event_count_at_least(db, caller, "queue-joined", 2), 30)
                    joins = await joins_of(db, caller)
                    assert len(joins) == 2 and joins[1]["joined_at"] == joins[0]["joined_at"]
                    # Offered again (nothing was booked) and accepted, at the same place.
                    await until(lambda: event_count_at_least(db, caller, "callback-offered", 2))
                    await press(caller)
                    await until(
                        lambda: event_count_at_least(db, caller, "callback-number-asked", 2)
                    )
                    await press(caller)
                    await until(lambda: event_seen(db, caller, "callback-accepted"))
                elif step == "thank-you":
                    await until(lambda: event_seen(db, caller, "callback-kept"), 30)
                    await until(lambda: call_ended(db, caller))
                    rows = await asyncio.to_thread(
                        query, db, "SELECT outcome FROM calls WHERE call_id = ?", caller
                    )
                    assert rows == [{"outcome": "callback"}]
                if before_placing:
                    after = await kinds_after(db, caller, killed_at)
                    assert not await menu_steps_after(db, caller, killed_at)  # not the menu
                    if step == "thank-you":  # let go: nothing asked, no queue
                        asked = {"queue-resumed", "queue-joined", "callback-offered", "dtmf"}
                        assert not asked & set(after), after
                    await hang_up_all(http, base, (busy,))  # the agent comes free

                async def done() -> bool:
                    return await callback_state() == "done"

                await until(done, 40)
                attempts = await callback_attempts_of(db, caller)
                assert [a["outcome"] for a in attempts][-1] == "answered"
                assert all(a["outcome"] == "answered" for a in attempts), attempts
                assert await rung(callback_end) == 1
                texts = await asyncio.to_thread(
                    query, db, "SELECT kind FROM sms_outbox WHERE call_id = ?", caller
                )
                assert texts == []
                left = await asyncio.to_thread(
                    query,
                    db,
                    "SELECT call_id FROM calls WHERE outcome = 'in-progress' AND call_id != ?",
                    busy,
                )
                assert left == []
                await hang_up_all(http, base, (busy,))


async def last_event_id(db: Path, call_id: str) -> int:
    rows = await asyncio.to_thread(
        query, db, "SELECT MAX(id) AS last FROM call_events WHERE call_id = ?", call_id
    )
    return int(rows[0]["last"] or 0) if rows else 0


async def events_after(db: Path, call_id: str, event_id: int) -> list[dict[str, Any]]:
    """A call's events (kind, detail) after an event, in order."""
    rows: list[dict[str, Any]] = await asyncio.to_thread(
        query,
        db,
        "SELECT kind, detail FROM call_events WHERE call_id = ? AND id > ? ORDER BY id",
        call_id,
        event_id,
    )
    return rows


async def kinds_after(db: Path, call_id: str, event_id: int) -> list[str]:
    return [str(r["kind"]) for r in await events_after(db, call_id, event_id)]


async def event_count_at_least(db: Path, call_id: str, kind: str, times: int) -> bool:
    rows = await asyncio.to_thread(
        query,
        db,
        "SELECT COUNT(*) AS n FROM call_events WHERE call_id = ? AND kind = ?",
        call_id,
        kind,
    )
    return bool(rows) and int(rows[0]["n"]) >= times


async def call_ended(db: Path, call_id: str) -> bool:
    rows = await asyncio.to_thread(
        query, db, "SELECT ended_at FROM calls WHERE call_id = ?", call_id
    )
    return bool(rows) and bool(rows[0]["ended_at"])


async def callback_channel_reached_ringing(http: aiohttp.ClientSession, base: str) -> bool:
    async with http.get(f"{base}/_sim/requests") as resp:
        requests = await resp.json()
    return any(
        r["method"] == "POST"
        and r["path"] == "/ari/channels"
        and r.get("query", {}).get("channelId", "").startswith("cb-")
        for r in requests
    )


async def looked_up(http: aiohttp.ClientSession, base: str, channel_id: str, since: int) -> bool:
    """Whether the app has asked ARI for this channel since request number ``since``."""
    async with http.get(f"{base}/_sim/requests") as resp:
        requests = (await resp.json())[since:]
    return any(
        r["method"] == "GET" and r["path"] == f"/ari/channels/{channel_id}" for r in requests
    )


async def rung_at_least(rung: Any, endpoint: str) -> bool:
    return bool(await rung(endpoint) >= 1)


async def test_after_kill_9_a_waiting_caller_is_back_at_their_place_not_the_menu(
    tmp_path: Path,
) -> None:
    """Same queue, same joined_at: still ahead of the caller who came after them."""
    db = tmp_path / "calls.db"
    http_port = free_port()
    async with running_sim({"PJSIP/fcr-1": talking(4.0)}) as (_sim, ari_port):
        base = f"http://127.0.0.1:{ari_port}"
        config = write_config(tmp_path, ari_port, http_port)
        async with aiohttp.ClientSession() as http:

            async def call() -> str:
                return await fcr_caller(http, base, hold_ms=4000)

            # The agent stays on the first call until the test hangs it up: nobody is
            # served while the places are compared.
            await sim_post(
                http, f"{base}/_sim/agents", {"endpoint": "PJSIP/fcr-1", "talk_for": 10_000}
            )
            async with serving(config, http_port) as first:
                busy = await call()
                await until(lambda: event_seen(db, busy, "connected"))
                waiting = await call()
                await until(lambda: event_seen(db, waiting, "queue-announced"))
                later = await call()
                await until(lambda: event_seen(db, later, "queue-announced"))
                first.send_signal(signal.SIGKILL)
                await first.wait()
            before = {c: await joins_of(db, c) for c in (waiting, later)}
            assert [len(j) for j in before.values()] == [1, 1]
            assert before[waiting][0]["joined_at"] < before[later][0]["joined_at"]
            async with serving(config, http_port):
                for c in (waiting, later):
                    await until(functools.partial(joined_times, db, c, 2), 30)
                for c in (waiting, later):
                    resumed = await asyncio.to_thread(
                        query,
                        db,
                        "SELECT id, kind, detail FROM call_events WHERE call_id = ? ORDER BY id",
                        c,
                    )
                    kinds = [r["kind"] for r in resumed]
                    assert "queue-resumed" in kinds
                    # Not asked again: no menu (decisions live in their own table, so the
                    # menu shows as a route step) and no key asked for.
                    after = kinds[kinds.index("queue-resumed") :]
                    assert "dtmf" not in after
                    assert not await menu_steps_after(db, c, resumed_id(resumed))
                    restored = json.loads(resumed[kinds.index("queue-resumed")]["detail"])
                    rejoined = (await joins_of(db, c))[-1]
                    # The place the restart gave back is the one held before the kill.
                    assert restored["joined_at"] == before[c][0]["joined_at"]
                    assert rejoined["joined_at"] == before[c][0]["joined_at"]
                    assert rejoined["queue"] == "fcr"
                places = await live_places(http, http_port)
                assert (places[waiting]["position"], places[later]["position"]) == (1, 2)
                assert not await event_seen(db, waiting, "dial")  # the agent is still busy
                rows = await asyncio.to_thread(
                    query, db, "SELECT destination FROM calls WHERE call_id = ?", busy
                )
                assert rows == [{"destination": "fcr"}]
                # The agent comes free: the caller who was first is served first.
                await hang_up_all(http, base, (busy,))
                await until(lambda: event_seen(db, waiting, "connected"), 30)
                assert not await event_seen(db, later, "dial")
                await hang_up_all(http, base, (waiting, later))


async def joins_of(db: Path, call_id: str) -> list[dict[str, Any]]:
    rows = await asyncio.to_thread(
        query,
        db,
        "SELECT detail FROM call_events WHERE call_id = ? AND kind = 'queue-joined' ORDER BY id",
        call_id,
    )
    return [json.loads(r["detail"]) for r in rows]


async def joined_times(db: Path, call_id: str, times: int) -> bool:
    return len(await joins_of(db, call_id)) >= times


async def live_places(http: aiohttp.ClientSession, http_port: int) -> dict[str, Any]:
    """Each live call's queue place, as the operator API shows it."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with http.get(f"http://127.0.0.1:{http_port}/api/calls", headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return {c["call_id"]: c["queue"] for c in await resp.json()}


EMERGENCY_LINE = "Local/fcr-priority@ivr-agents"


async def test_killed_while_an_emergency_break_out_rings_the_caller_resumes_the_emergency_route(
    tmp_path: Path,
) -> None:
    """Key 9 on hold gave the place up for the emergency route: a restart while the
    emergency line rings puts the caller straight back on that route, never at their old
    101 place nor at the menu."""
    db = tmp_path / "calls.db"
    http_port = free_port()
    agents = {"PJSIP/fcr-1": talking(4.0), EMERGENCY_LINE: talking(4.0)}
    async with running_sim(agents) as (_sim, ari_port):
        base = f"http://127.0.0.1:{ari_port}"
        # The emergency line rings through the restart (never timed out meanwhile).
        config = write_config(tmp_path, ari_port, http_port, ring_timeout=NEVER_RINGS_OUT)
        async with aiohttp.ClientSession() as http:

            async def call() -> str:
                return await fcr_caller(http, base, hold_ms=4000)

            await sim_post(
                http, f"{base}/_sim/agents", {"endpoint": "PJSIP/fcr-1", "talk_for": 10_000}
            )
            slow = {"endpoint": EMERGENCY_LINE, "answer_after": RINGS_UNTIL_ANSWERED}
            await sim_post(http, f"{base}/_sim/agents", slow)
            async with serving(config, http_port) as first:
                busy = await call()
                await until(lambda: event_seen(db, busy, "connected"))
                urgent = await call()
                await until(lambda: event_seen(db, urgent, "queue-announced"))
                await sim_post(http, f"{base}/_sim/calls/{urgent}/dtmf", {"digits": "9"})
                await until(lambda: event_seen(db, urgent, "emergency-breakout"))

                async def emergency_line_rings() -> bool:
                    async with http.get(f"{base}/_sim/requests") as resp:
                        return originates(await resp.json(), EMERGENCY_LINE) >= 1

                await until(emergency_line_rings)
                first.send_signal(signal.SIGKILL)
                await first.wait()
            # The place was given up on the channel itself, before the line was rung.
            assert await queue_place_note(http, base, urgent) == ""
            killed_at = await last_event_id(db, urgent)
            async with serving(config, http_port):

                async def back_on_the_emergency_route() -> bool:
                    return "transfer:emergency" in await steps_after(db, urgent, killed_at)

                await until(back_on_the_emergency_route, 30)
                after = await kinds_after(db, urgent, killed_at)
                assert "queue-resumed" not in after and "queue-joined" not in after, after
                assert "callback-kept" not in after
                assert await menu_steps_after(db, urgent, killed_at) == []  # never the menu
                rules = await asyncio.to_thread(
                    query, db, "SELECT rule FROM decisions WHERE call_id = ? ORDER BY id", urgent
                )
                assert [r["rule"] for r in rules][-1] == "emergency-resumed"
                await hang_up_all(http, base, (busy, urgent))


async def queue_place_note(http: aiohttp.ClientSession, base: str, channel_id: str) -> str:
    """The caller's Note.QUEUE_PLACE as Asterisk holds it ("" when unset)."""
    headers = {"Authorization": aiohttp.encode_basic_auth(*CREDENTIALS)}
    url = f"{base}/ari/channels/{channel_id}/variable"
    async with http.get(url, params={"variable": "IVR101_QUEUE_PLACE"}, headers=headers) as resp:
        if resp.status == 404:
            return ""
        assert resp.status == 200, await resp.text()
        return str((await resp.json()).get("value", ""))


def resumed_id(events: list[dict[str, Any]]) -> int:
    return int(next(e["id"] for e in events if e["kind"] == "queue-resumed"))


async def steps_after(db: Path, call_id: str, event_id: int) -> list[str]:
    """The steps a call ran after an event."""
    events = await events_after(db, call_id, event_id)
    return [str(json.loads(e["detail"]).get("step", "")) for e in events if e["kind"] == "step"]


async def menu_steps_after(db: Path, call_id: str, event_id: int) -> list[str]:
    """The menu questions (route steps) a call was asked after an event."""
    return [s for s in await steps_after(db, call_id, event_id) if s.startswith("route:")]
