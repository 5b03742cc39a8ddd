"""Callbacks across nodes: each is served by the node that claims it, and a dead node's
are taken over once its claim runs out, never placed by two (ivr.ha.claims).

Two workers (two nodes: their own queues, agent and calls) on one call database, on
each engine. A node "dies" by its claims not being renewed: the test runs them out.
"""

from __future__ import annotations

import asyncio

from ivr.queues.model import AgentState, Priority, QueueEntry

from .test_callbacks import (
    BACKOFF_S,
    Clock,
    Rig,
    _true,
    agent_state,
    attempts,
    book_callback,
    eventually,
    free_agent,
    rig_on,
    row,
    state_is,
)

A, B = "ari:http://asterisk-a:8088:ivr101", "ari:http://asterisk-b:8088:ivr101"


async def run_out(rig: Rig, origin: str) -> None:
    """``origin``'s node died: its claims are no longer renewed, and have run out."""
    await rig.book.run(
        lambda s: (
            s.db.execute(
                "UPDATE callbacks SET claim_until = 0 WHERE claimed_by = ?", [origin]
            ).rowcount
        )
    )


async def test_a_live_nodes_callbacks_are_not_taken_by_another(db_location: str) -> None:
    clock = Clock()
    async with rig_on(db_location, A, clock) as a, rig_on(db_location, B, clock) as b:
        await book_callback(a)
        assert await b.worker.start() == 0
        assert await b.worker.reclaim() == 0
        assert b.service.place_of("c1") is None
        assert (await row(b))["claimed_by"] == A


async def test_the_same_origins_next_process_holds_its_callbacks_at_once(
    db_location: str,
) -> None:
    """A restart, or the standby of the same Asterisk: no wait for the claim to run out."""
    clock = Clock()
    async with rig_on(db_location, A, clock) as a:
        await book_callback(a)
    async with rig_on(db_location, B, clock) as b, rig_on(db_location, A, clock) as again:
        assert await b.worker.start() == 0
        again.service.engine.agent_busy("a1", clock())
        assert await again.worker.start() == 1
        assert again.service.position("c1") == 1


async def test_a_dead_nodes_waiting_callback_is_taken_over_in_its_own_place(
    db_location: str,
) -> None:
    clock = Clock()
    async with rig_on(db_location, A, clock) as a, rig_on(db_location, B, clock) as b:
        booked = await book_callback(a)
        await b.worker.start()
        b.service.engine.agent_busy("a1", clock())
        clock.now += 1
        b.service.join(QueueEntry("later", "rc", Priority.NORMAL, clock()))
        await run_out(b, A)
        assert await b.worker.reclaim() == 1
        assert [b.service.position(c) for c in ("c1", "later")] == [1, 2]
        taken = b.service.engine.entry("c1")
        assert (taken.joined_at, taken.seq, taken.callback) == (
            booked.joined_at,
            booked.seq,
            booked.callback,
        )
        assert (await row(b))["claimed_by"] == B
        b.calls.outcomes = ["answered"]
        free_agent(b)
        await eventually(b.worker, state_is(b, "done"))
        assert len(b.calls.runs) == 1 and a.calls.runs == []


async def test_a_callback_a_dead_node_had_under_way_is_interrupted_and_retried_after_the_backoff(
    db_location: str,
) -> None:
    """Its attempt rang on the dead node's Asterisk: nothing to follow from here, and the
    caller may have been rung, so the attempt is spent; the next one waits the backoff."""
    clock = Clock()
    async with rig_on(db_location, A, clock) as a, rig_on(db_location, B, clock) as b:
        await book_callback(a)
        a.calls.hold = asyncio.Event()  # A's attempt rings on: A dies meanwhile
        a.calls.outcomes = ["answered"]
        free_agent(a)
        await a.calls.ringing.wait()
        await b.worker.start()
        await run_out(b, A)
        b.calls.outcomes = ["answered"]
        assert await b.worker.reclaim() == 1
        await eventually(b.worker, state_is(b, "waiting", "interrupted"))
        r = await row(b)
        assert (r["attempts"], r["ready_at"], r["claimed_by"]) == (1, clock() + BACKOFF_S, B)
        await eventually(b.worker, lambda: _true(agent_state(b) is AgentState.FREE))
        assert b.calls.asked == [] and b.calls.runs == []  # not followed, not rung at once
        clock.now += BACKOFF_S
        b.service.dispatch()
        await eventually(b.worker, state_is(b, "done"))
        tried = await attempts(b)
        assert [(t["attempt"], t["outcome"]) for t in tried] == [
            (1, "interrupted"),
            (2, "answered"),
        ]
        assert [run[0] for run in b.calls.runs] == [tried[1]["channel_id"]]


async def test_a_callback_taken_over_leaves_the_old_nodes_queue_and_is_never_placed_there(
    db_location: str,
) -> None:
    """A node that stalled past its claim finds, at its next renewal, that another
    node serves the callback now."""
    clock = Clock()
    async with rig_on(db_location, A, clock) as a, rig_on(db_location, B, clock) as b:
        await book_callback(a)
        await b.worker.start()
        b.service.engine.agent_busy("a1", clock())
        await run_out(b, A)
        assert await b.worker.reclaim() == 1
        assert await a.worker.reclaim() == 0
        assert a.service.place_of("c1") is None
        free_agent(a)
        await eventually(a.worker, lambda: _true(agent_state(a) is AgentState.FREE))
        assert a.calls.runs == [] and (await row(a))["claimed_by"] == B


async def test_a_node_that_lost_the_claim_before_it_noticed_does_not_place_it(
    db_location: str,
) -> None:
    """Its agent comes free before its next renewal: ``begin_attempt`` refuses it."""
    clock = Clock()
    async with rig_on(db_location, A, clock) as a, rig_on(db_location, B, clock) as b:
        await book_callback(a)
        await b.worker.start()
        b.service.engine.agent_busy("a1", clock())
        await run_out(b, A)
        await b.worker.reclaim()
        free_agent(a)  # dispatched by A, which still has it in its queue
        await eventually(a.worker, lambda: _true(agent_state(a) is AgentState.FREE))
        assert a.calls.runs == [] and a.worker.placed == 0
        r = await row(b)
        assert (r["state"], r["attempts"], r["claimed_by"]) == ("waiting", 0, B)
        assert await attempts(b) == []
        b.calls.outcomes = ["answered"]
        free_agent(b)
        await eventually(b.worker, state_is(b, "done"))
        assert len(b.calls.runs) == 1


async def test_a_renewal_while_a_withdrawal_is_being_written_does_not_bring_it_back(
    db_location: str,
) -> None:
    """The caller went to 999: the claim read just before the book closes the row must
    not put the callback back in the queue."""
    async with rig_on(db_location, A) as a:
        await book_callback(a)
        assert await a.worker.withdraw("c1", "emergency")
        assert await a.worker.reclaim() == 0  # read before the withdrawal was written
        assert a.service.place_of("c1") is None
        await eventually(a.worker, state_is(a, "withdrawn"))
        free_agent(a)
        await eventually(a.worker, lambda: _true(agent_state(a) is AgentState.FREE))
        assert a.calls.runs == []
