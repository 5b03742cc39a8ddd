"""Several Asterisk nodes on one database (issue 19): two real Asterisk 22 instances, each
with its own `ivr serve`, one call database. Each node's board lists the other node's
live calls (read from the database), and `ivr report` on the database counts every
node's calls, per node. Queues are each node's own: a caller waiting on node A and one
waiting on node B are both told they are first (the measured limitation, docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from ivr.shipped import REPO_ROOT
from ivr.store.db import CallStore
from tests.real.asterisk import RealAsterisk, running_asterisk
from tests.real.asterisk import test_files as conf_files  # not collected as a test
from tests.real.board import BoardWatch, Row, board_json, watching_board
from tests.real.leftovers import nothing_left
from tests.real.parties import Agent, Caller, Parties, parties_on
from tests.real.serve import CONNECTED, ServeProcess, ivr_serve

# rc is run by each node's app (an agent of its own); fcr rings [destinations] as before.
# The agent is skipped for 10 minutes once it has not answered: the callers then wait.
QUEUED = '\n[agents]\nrc-1 = { endpoint = "Local/rc@test-agents", queues = ["rc"] }\n'
AWAY = "\n[queues]\nagent_away_s = 600\n"
CRIME = "1"  # the menu's key for rc
INCIDENT = "2"  # ... for fcr


def origin(asterisk: RealAsterisk) -> str:
    """The node's name as its calls carry it (ivr.ha.leadership.ari_lease_name)."""
    return f"ari:{asterisk.ari_url}:ivr101"


@asynccontextmanager
async def second_asterisk(root: Path) -> AsyncIterator[tuple[RealAsterisk, Parties]]:
    """Node B's Asterisk (node A's is the session's), on ports of its own."""
    with running_asterisk(root, conf_files()) as asterisk:
        async with parties_on(asterisk) as parties:
            yield asterisk, parties


async def waiting_in_rc(parties: Parties, caller: Caller) -> None:
    """The caller keys rc; the node's only agent is rung and does not answer (hangs up):
    skipped a while, it leaves the caller waiting in the node's queue."""
    await caller.answered()
    await caller.keys(CRIME)
    agent = await parties.agent_rung("rc")
    await agent.hang_up()


async def put_through(parties: Parties, caller: Caller) -> Agent:
    """The caller keys fcr (rung at [destinations], not queued by the app); answered."""
    await caller.answered()
    await caller.keys(INCIDENT)
    agent = await parties.agent_rung("fcr")
    await agent.answer()
    return agent


def queue_position(board: BoardWatch, call_id: str) -> int | None:
    call = board.calls.get(call_id)
    return call["queue"]["position"] if call and call["queue"] else None


def talking(board: BoardWatch, call_id: str) -> bool:
    call = board.calls.get(call_id)
    return call is not None and call["talking"]


def announced(db: str, call_id: str) -> list[int]:
    """The positions the caller was told ("queue-announced"), as stored."""
    store = CallStore(db)
    try:
        events = store.events_for(call_id)
    finally:
        store.close()
    return [e["detail"]["position"] for e in events if e["kind"] == "queue-announced"]


def report(db: str, out: Path) -> str:
    """`ivr report` on the shared database, as an analyst runs it (this checkout's code)."""
    done = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "report", "--db", db, "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def per_node(page: str) -> dict[str, tuple[str, ...]]:
    """The report's "Calls by Asterisk node" rows: node -> (calls, answered, abandoned)."""
    section = page.split("<h2>Calls by Asterisk node</h2>", 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>((?:<td>.*?</td>)+)</tr>", section)
    cells = [tuple(html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r)) for r in rows]
    return {c[0]: c[1:] for c in cells}


async def test_each_node_sees_the_others_calls_and_the_report_counts_every_node(
    asterisk: RealAsterisk, parties: Parties, tmp_path: Path, pg_url: str
) -> None:
    db = pg_url
    token = secrets.token_urlsafe(24)
    async with (
        second_asterisk(tmp_path / "asterisk-b") as (asterisk_b, parties_b),
        ivr_serve(asterisk, tmp_path, db=db, extra_toml=QUEUED + AWAY, name="a", api_token=token)
        as a,
        ivr_serve(asterisk_b, tmp_path, db=db, extra_toml=QUEUED + AWAY, name="b", api_token=token)
        as b,
    ):  # fmt: skip
        await asyncio.gather(a.until_logged(CONNECTED), b.until_logged(CONNECTED))
        node_a, node_b = origin(asterisk), origin(asterisk_b)

        # A caller waits in rc on node A, another in rc on node B; and on node B a third
        # keys fcr and is put through (a transfer, answered).
        first = await parties.call(caller="07700900101")
        second = await parties_b.call(caller="07700900102")
        third = await parties_b.call(caller="07700900103")
        _, _, agent = await asyncio.gather(
            waiting_in_rc(parties, first),
            waiting_in_rc(parties_b, second),
            put_through(parties_b, third),
        )

        async with watching_board(a.url, token) as board_a, watching_board(b.url, token) as board_b:
            # Each node's board: its own caller in its own queue, at the front of it.
            at_a = await board_a.until(lambda w: queue_position(w, first.call_id), "A's caller")
            at_b = await board_b.until(lambda w: queue_position(w, second.call_id), "B's caller")
            assert (at_a, at_b) == (1, 1)  # a queue shared by the nodes would say 1 and 2
            await board_b.until(lambda w: talking(w, third.call_id), "B's third caller talking")

            # Node A's board lists node B's live calls as another node's, read-only.
            await board_a.until(
                lambda w: w.other(second.call_id) and w.other(third.call_id),
                "node B's calls among the other nodes'",
            )
            seen = board_a.others
            assert {(o["call_id"], o["node"]) for o in seen} == {
                (second.call_id, node_b),
                (third.call_id, node_b),
            }
            assert first.call_id not in {o["call_id"] for o in seen}  # its own: not "other"
            mine_a = await board_json(a.url, token)
            assert mine_a["node"] == node_a
            assert _ids(mine_a["calls"]) == {first.call_id}
            assert _ids(mine_a["others"]) == {second.call_id, third.call_id}
            other = board_a.other(second.call_id)
            assert other is not None and other["caller"] == "07•••••••02"
            # ... and node B's board lists node A's.
            await board_b.until(lambda w: w.other(first.call_id), "node A's call on B's board")

            await agent.hang_up()
            await asyncio.gather(first.hang_up(), second.hang_up())
            await asyncio.gather(*(c.until_ended() for c in (first, second, third)))
            # Ended everywhere once each node's board no longer lists the other's calls
            # (they are read from the rows: the rows are final).
            await board_a.until(BoardWatch.empty, "no call on A's board")
            await board_b.until(BoardWatch.empty, "no call on B's board")

        await nothing_left(asterisk, parties)
        await nothing_left(asterisk_b, parties_b)

    # What each caller heard: first in the queue, both of them.
    assert (announced(db, first.call_id)[0], announced(db, second.call_id)[0]) == (1, 1)

    page = report(db, tmp_path / "report.html")
    assert "<tr><td>Calls</td><td>3</td></tr>" in page  # every node's calls
    assert per_node(page) == {
        node_a: ("1", "0 (0.0%)", "1 (100.0%)"),
        node_b: ("2", "1 (50.0%)", "1 (50.0%)"),
    }
    await assert_no_tracebacks(a, b)


def _ids(rows: list[Row]) -> set[str]:
    return {r["call_id"] for r in rows}


async def assert_no_tracebacks(*nodes: ServeProcess) -> None:
    for node in nodes:
        assert not [line for line in node.lines if "Traceback" in line], node.log_file
