"""A callback across two nodes (issue 19): two `ivr serve` processes share one PostgreSQL
database; the one placing a callback is killed -9 while the agent's phone rings; the
other takes the callback over once its claim has run out and places the next attempt.
Never the same attempt twice; the caller rung at most once per attempt.

The two nodes are two ARI applications on the one real Asterisk (``[ari] app``), so
their origins (ivr.ha.claims) differ as two Asterisk nodes' would, and neither can see
the other's channels. The callback is booked in the database as the first node's
accepting call would have left it (tests/integration/app/test_queues.py books them
through calls); what is under test here is its placing.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from ivr.ha.leadership import ari_lease_name
from ivr.queues.book import BookStore
from ivr.queues.model import Callback, Priority, QueueEntry
from tests.integration.app.test_queues import until
from tests.real.asterisk import RealAsterisk
from tests.real.leftovers import nothing_left
from tests.real.parties import Parties
from tests.real.serve import CONNECTED, ServeProcess, ivr_serve

NUMBER = "07700900123"
CALLEE = f"callee{NUMBER}"  # the caller's phone: Local/<desk>@test-agents, answered here
CLAIM_S = 2.0
# Attempts a second apart; the agent free again at once; the caller's phone and the
# agent's ring until the test answers or hangs up (a restart outlasts any short ring).
QUEUES_YAML = """
defaults:
  handling: {median_s: 30, p90_s: 60}
  wrap_up_s: 0
queues:
  rc: {}
  fcr: {}
  switchboard: {}
callback:
  max_attempts: 3
  retry_backoff_s: [1.0]
  hold_off_s: 0
"""
TAKEN_OVER = "taken over from a node whose claim ran out"
DB_WAIT_S = 60.0  # another process's writes: re-read until then (a loaded box of 2 cores)


def node_toml(app: str) -> str:
    return (
        f'\n[ari]\napp = "{app}"\n'
        f"\n[queues]\ncallback_claim_s = {CLAIM_S}\ncallback_ring_timeout = 120\n"
        f'callback_dial = "Local/callee{{number}}@test-agents"\n'
        '\n[agents]\nrc-1 = { endpoint = "Local/rc@test-agents", queues = ["rc"] }\n'
    )


def book(pg_url: str, origin: str) -> None:
    """The callback as node A's accepting call commits it: waiting, claimed by A."""
    now = time.time()
    entry = QueueEntry(
        "call-1",
        "rc",
        Priority.NORMAL,
        now - 60,
        seq=1,
        intent="report_crime",
        callback=Callback(NUMBER, accepted_at=now - 30, promised_by=now + 1800),
    )
    store = BookStore(pg_url, origin, CLAIM_S)
    try:
        store.accept(entry, now)
    finally:
        store.close()


def read(pg_url: str, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    store = BookStore(pg_url)
    try:
        return store.db.query(sql, params)
    finally:
        store.close()


async def callback_row(pg_url: str) -> dict[str, Any]:
    (row,) = await asyncio.to_thread(
        read, pg_url, "SELECT * FROM callbacks WHERE call_id = ?", ["call-1"]
    )
    return row


async def attempts(pg_url: str) -> list[dict[str, Any]]:
    return await asyncio.to_thread(
        read,
        pg_url,
        "SELECT attempt, outcome, channel_id FROM callback_attempts WHERE call_id = ? ORDER BY id",
        ["call-1"],
    )


async def caller_dialled(pg_url: str, channel_id: str) -> int:
    """How many times an attempt's channel rang the caller's number (its "dial" events)."""
    rows = await asyncio.to_thread(
        read,
        pg_url,
        "SELECT COUNT(*) AS n FROM call_events WHERE call_id = ? AND kind = 'dial'",
        [channel_id],
    )
    return int(rows[0]["n"])


async def test_a_callback_whose_node_is_killed_mid_attempt_is_placed_on_by_the_other_node(
    asterisk: RealAsterisk, parties: Parties, tmp_path: Path, pg_url: str
) -> None:
    rules = {"queues.yaml": QUEUES_YAML}
    origin_a = ari_lease_name(asterisk.ari_url, "ivr101a")
    await asyncio.to_thread(book, pg_url, origin_a)
    async with ivr_serve(
        asterisk, tmp_path, db=pg_url, extra_toml=node_toml("ivr101a"), name="a", rules=rules
    ) as a:
        # A claims its callback and places attempt 1: the agent's phone rings.
        first_ring = await parties.agent_rung("rc", timeout=60)
        placing = await callback_row(pg_url)
        assert (placing["state"], placing["attempts"], placing["claimed_by"]) == (
            "placing",
            1,
            origin_a,
        )
        async with ivr_serve(
            asterisk, tmp_path, db=pg_url, extra_toml=node_toml("ivr101b"), name="b", rules=rules
        ) as b:
            await b.until_logged(CONNECTED)
            # A lives (renewing its claim): B has not taken the callback.
            assert (await callback_row(pg_url))["claimed_by"] == origin_a
            await a.kill()  # mid-attempt: the agent's phone still ringing

            await b.until_logged(TAKEN_OVER)
            await first_ring.hang_up()  # A's ring, left to itself: the phone gives up

            async def interrupted() -> bool:
                return [t["outcome"] for t in await attempts(pg_url)][:1] == ["interrupted"]

            await until(interrupted, DB_WAIT_S)
            # Attempt 2, after the backoff, from B: the agent, then the caller.
            agent = await parties.agent_rung("rc", timeout=60)
            await agent.answer()
            caller = await parties.agent_rung(CALLEE, timeout=60)
            await caller.answer()

            async def talking() -> bool:
                tried = await attempts(pg_url)
                return len(tried) == 2 and await caller_dialled(pg_url, tried[1]["channel_id"]) > 0

            await until(talking, DB_WAIT_S)
            await agent.hang_up()
            await caller.until_ended()

            async def done() -> bool:
                return bool((await callback_row(pg_url))["state"] == "done")

            await until(done, DB_WAIT_S)
            await nothing_left(asterisk, parties)
            assert_callbacks_quiet(b)
    tried = await attempts(pg_url)
    assert [(t["attempt"], t["outcome"]) for t in tried] == [(1, "interrupted"), (2, "answered")]
    assert tried[0]["channel_id"] != tried[1]["channel_id"]
    # The caller: never rung by A's attempt (killed while the agent rang), once by B's.
    assert [await caller_dialled(pg_url, t["channel_id"]) for t in tried] == [0, 1]
    row = await callback_row(pg_url)
    assert (row["attempts"], row["claimed_by"], row["number"]) == (
        2,
        ari_lease_name(asterisk.ari_url, "ivr101b"),
        "",
    )


def assert_callbacks_quiet(serve: ServeProcess) -> None:
    """No error from the callback worker or its book (the takeover is only warned of)."""
    loud = [line for line in serve.lines if " ERROR ivr.queues" in line or "CRITICAL" in line]
    assert not loud, serve.log_file
