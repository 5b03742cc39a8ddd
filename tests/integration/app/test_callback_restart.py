"""A callback survives kill -9 of the app and is placed exactly once by the next process.

The app runs as a real `ivr serve` process against the in-process simulator,
so SIGKILL is a real crash: no shutdown hook, no flush.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.app.stack import running_sim
from tests.integration.app.test_queues import (
    CALLER,
    IN_MENU,
    originates,
    rules_dir,
    talking,
    until,
)

REPO = Path(__file__).resolve().parents[3]
API_TOKEN = "restart-test-operator-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, ari_port: int, http_port: int) -> Path:
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
[sms]
url = "http://127.0.0.1:{ari_port}/_sim/sms"
survey = false
[speech]
engine = "none"
[queues]
announce_every = 30
agent_away_s = 0.5
callback_ring_timeout = 600
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
        "IVR_ARI_PASSWORD": "test-secret",
        "IVR_CALLER_KEY": "test-key-for-restarts",
        "IVR_API_TOKEN": API_TOKEN,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivr.cli",
        "serve",
        "--config",
        str(config),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
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


async def test_a_callback_survives_kill_9_and_is_placed_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    http_port = free_port()
    async with running_sim({"PJSIP/fcr-1": talking(4.0)}) as (_sim, ari_port):
        base = f"http://127.0.0.1:{ari_port}"
        config = write_config(tmp_path, ari_port, http_port)
        async with aiohttp.ClientSession() as http:

            async def call(script: list[dict[str, object]]) -> str:
                body = {"dialled": "101", "caller_number": CALLER, "script": script}
                async with http.post(f"{base}/_sim/calls", json=body) as resp:
                    assert resp.status == 201, await resp.text()
                    return str((await resp.json())["channel_id"])

            async def press(call_id: str, digits: str) -> None:
                async with http.post(
                    f"{base}/_sim/calls/{call_id}/dtmf", json={"digits": digits}
                ) as resp:
                    assert resp.status < 300, await resp.text()

            async with serving(config, http_port) as first:
                busy = await call([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
                await until(lambda: event_seen(db, busy, "connected"))
                caller = await call([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
                await until(lambda: event_seen(db, caller, "callback-offered"))
                await press(caller, "1")
                await until(lambda: event_seen(db, caller, "callback-number-asked"))
                await press(caller, "1")

                async def booked() -> bool:
                    rows = await asyncio.to_thread(
                        query, db, "SELECT state FROM callbacks WHERE call_id = ?", caller
                    )
                    return bool(rows) and rows[0]["state"] == "waiting"

                await until(booked)
                first.send_signal(signal.SIGKILL)  # a crash: no shutdown, no flush
                await first.wait()
            # The agent is still talking to the first caller: nobody has been rung back.
            async with http.get(f"{base}/_sim/requests") as resp:
                before = await resp.json()
            assert originates(before, f"Local/{CALLER}@ivr-callback") == 0

            async with serving(config, http_port):

                async def done() -> bool:
                    rows = await asyncio.to_thread(
                        query, db, "SELECT state FROM callbacks WHERE call_id = ?", caller
                    )
                    return bool(rows) and rows[0]["state"] == "done"

                await until(done, 30)
                await asyncio.sleep(1.0)  # time for a second placing, if there were one
                attempts = await asyncio.to_thread(
                    query,
                    db,
                    "SELECT attempt, outcome FROM callback_attempts WHERE call_id = ?",
                    caller,
                )
                assert attempts == [{"attempt": 1, "outcome": "answered"}]
                async with http.get(f"{base}/_sim/requests") as resp:
                    after = await resp.json()
                assert originates(after, f"Local/{CALLER}@ivr-callback") == 1
                await hang_up_all(http, base, (busy, caller))


async def hang_up_all(http: aiohttp.ClientSession, base: str, calls: tuple[str, ...]) -> None:
    for call_id in calls:
        async with http.post(f"{base}/_sim/calls/{call_id}/hangup") as resp:
            assert resp.status in (200, 202, 204, 404)


# Long enough (x TIME_SCALE: 4 s) for a restart to happen while it rings; the agent
# rung first talks for longer, so that they are still there when the caller answers.
RINGS_THROUGH_A_RESTART = 80.0
AGENT_WAITS = 120.0


async def callback_attempts_of(db: Path, call_id: str) -> list[dict[str, Any]]:
    return await asyncio.to_thread(
        query,
        db,
        "SELECT attempt, outcome, channel_id FROM callback_attempts WHERE call_id = ? ORDER BY id",
        call_id,
    )


async def sim_post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> None:
    async with http.post(url, json=body) as resp:
        assert resp.status < 300, await resp.text()


@pytest.mark.parametrize("step", ["agent-ringing", "agent-intro", "caller-ringing", "bridged"])
async def test_kill_9_at_each_step_of_a_callback_rings_the_caller_once_and_texts_nobody(
    tmp_path: Path, step: str
) -> None:
    """Whatever the callback was doing, the next process carries it on from there."""
    db = tmp_path / "calls.db"
    http_port = free_port()
    callback_end = f"Local/{CALLER}@ivr-callback"
    async with running_sim({"PJSIP/fcr-1": talking(2.0)}) as (_sim, ari_port):
        base = f"http://127.0.0.1:{ari_port}"
        config = write_config(tmp_path, ari_port, http_port)
        async with aiohttp.ClientSession() as http:

            async def call() -> str:
                script = [{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}]
                body = {"dialled": "101", "caller_number": CALLER, "script": script}
                async with http.post(f"{base}/_sim/calls", json=body) as resp:
                    assert resp.status == 201, await resp.text()
                    return str((await resp.json())["channel_id"])

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

            async with serving(config, http_port) as first:
                busy = await call()
                await until(lambda: event_seen(db, busy, "connected"))
                if step == "agent-ringing":
                    slow = {"endpoint": "PJSIP/fcr-1", "answer_after": RINGS_THROUGH_A_RESTART}
                    await sim_post(http, f"{base}/_sim/agents", slow)
                if step in ("agent-intro", "caller-ringing"):
                    slow = {"endpoint": callback_end, "answer_after": RINGS_THROUGH_A_RESTART}
                    await sim_post(http, f"{base}/_sim/agents", slow)
                    waits = {"endpoint": "PJSIP/fcr-1", "talk_for": AGENT_WAITS}
                    await sim_post(http, f"{base}/_sim/agents", waits)
                caller = await call()
                await until(lambda: event_seen(db, caller, "callback-offered"))
                await press(caller)
                await until(lambda: event_seen(db, caller, "callback-number-asked"))
                await press(caller)
                await until(lambda: event_seen(db, caller, "callback-accepted"))
                await hang_up_all(http, base, (caller,))
                if step == "agent-ringing":
                    await until(lambda: callback_channel_reached_ringing(http, base))
                elif step == "agent-intro":
                    await until(lambda: callback_channel_reached("step"))
                elif step == "caller-ringing":
                    await until(lambda: rung_at_least(rung, callback_end))
                else:
                    await until(lambda: callback_channel_reached("connected"), 30)
                first.send_signal(signal.SIGKILL)
                await first.wait()
            for endpoint in ("PJSIP/fcr-1", callback_end):
                await sim_post(
                    http, f"{base}/_sim/agents", {"endpoint": endpoint, "answer_after": 1.0}
                )

            async with serving(config, http_port):

                async def done() -> bool:
                    rows = await asyncio.to_thread(
                        query, db, "SELECT state FROM callbacks WHERE call_id = ?", caller
                    )
                    return bool(rows) and rows[0]["state"] == "done"

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


async def callback_channel_reached_ringing(http: aiohttp.ClientSession, base: str) -> bool:
    async with http.get(f"{base}/_sim/requests") as resp:
        requests = await resp.json()
    return any(
        r["method"] == "POST"
        and r["path"] == "/ari/channels"
        and r.get("query", {}).get("channelId", "").startswith("cb-")
        for r in requests
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
                script = [{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 4000}]
                body = {"dialled": "101", "caller_number": CALLER, "script": script}
                async with http.post(f"{base}/_sim/calls", json=body) as resp:
                    assert resp.status == 201, await resp.text()
                    return str((await resp.json())["channel_id"])

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
                        "SELECT kind, detail FROM call_events WHERE call_id = ? ORDER BY id",
                        c,
                    )
                    kinds = [r["kind"] for r in resumed]
                    assert "queue-resumed" in kinds
                    after = kinds[kinds.index("queue-resumed") :]
                    assert "decision" not in after and "dtmf" not in after  # not asked again
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
