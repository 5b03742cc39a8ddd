"""CallbackWorker: each callback placed once per attempt, retried, finished, or recovered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from ivr.ha.claims import ALONE
from ivr.notify.outbox import OutboxStore, SmsOutbox
from ivr.notify.texts import Texts
from ivr.queues.book import CallbackBook
from ivr.queues.callbacks import CallbackWorker
from ivr.queues.model import (
    NO_TEXTS,
    AgentState,
    Callback,
    CallbackSettings,
    Priority,
    QueueEntry,
    QueuesConfig,
)
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec

from .conftest import small_config

MOBILE = "07700900123"
AWAY_S = 0.05
BACKOFF_S = 100.0


class Clock:
    def __init__(self, now: float = 10_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeCalls:
    """CallbackCalls: answers with the next scripted outcome; ``resumed`` channels were
    left under way by a previous process, and end with the outcome given."""

    outcomes: list[str] = field(default_factory=list)
    resumed: dict[str, str] = field(default_factory=dict)
    runs: list[tuple[str, str, str, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    released: list[frozenset[str]] = field(default_factory=list)  # what was followed then
    # Set when an attempt starts ringing; with ``hold`` set, it rings until that is set.
    ringing: asyncio.Event = field(default_factory=asyncio.Event)
    hold: asyncio.Event | None = None

    async def run(self, channel_id: str, agent_endpoint: str, number: str, queue: str) -> str:
        self.runs.append((channel_id, agent_endpoint, number, queue))
        self.ringing.set()
        if self.hold is not None:
            await self.hold.wait()
        return self.outcomes.pop(0)

    async def resume(
        self, channel_id: str, agent_endpoint: str, number: str, queue: str
    ) -> str | None:
        self.asked.append(channel_id)
        return self.resumed.get(channel_id)

    def release(self, following: Collection[str]) -> None:
        self.released.append(frozenset(following))


@dataclass
class Rig:
    clock: Clock
    service: QueueService
    book: CallbackBook
    calls: FakeCalls
    outbox: SmsOutbox
    worker: CallbackWorker


def worker_config() -> QueuesConfig:
    callback = CallbackSettings(max_attempts=2, retry_backoff_s=(BACKOFF_S,), hold_off_s=0.0)
    return replace(small_config(), callback=callback)


@contextlib.asynccontextmanager
async def rig_on(
    db_location: str, origin: str = ALONE, clock: Clock | None = None
) -> AsyncIterator[Rig]:
    """One node's worker (its queues, agent and calls) on the call database at
    ``db_location``, its book holding callbacks as ``origin``."""
    clock = clock or Clock()
    service = QueueService(
        worker_config(), {"a1": AgentSpec("PJSIP/rc-1", ("rc",))}, away_s=AWAY_S, clock=clock
    )
    book = CallbackBook(db_location, origin=origin)
    await book.open()
    outbox = SmsOutbox(db_location, origin=origin)
    await outbox.open()
    calls = FakeCalls()
    worker = CallbackWorker(
        service, book, calls, Texts(outbox, "https://example.police.uk/"), tick_s=0.01
    )
    try:
        yield Rig(clock, service, book, calls, outbox, worker)
    finally:
        await worker.close()
        service.close()
        await book.close()
        await outbox.close()


@pytest.fixture
async def rig(db_location: str) -> AsyncIterator[Rig]:
    """The worker on a book and an outbox that share one call database, on each engine."""
    async with rig_on(db_location) as one:
        yield one


async def eventually(
    worker: CallbackWorker, check: Callable[[], Awaitable[bool]], timeout: float = 1.0
) -> None:
    """Re-check each time the worker finishes a piece of work or an agent's timer fires
    (the two things that move a callback, its agent and its texts along)."""
    async with asyncio.timeout(timeout):
        while True:
            woken = {worker.next_step(), worker.service.next_timer()}
            if await check():
                for fut in woken:
                    fut.cancel()
                return
            _, pending = await asyncio.wait(woken, return_when=asyncio.FIRST_COMPLETED)
            for fut in pending:
                fut.cancel()


async def row(rig: Rig, call_id: str = "c1") -> dict[str, Any]:
    found = await rig.book.run(lambda s: s.get(call_id))
    assert found is not None
    return found


async def attempts(rig: Rig, call_id: str = "c1") -> list[dict[str, Any]]:
    return await rig.book.run(lambda s: s.attempts(call_id))


def state_is(rig: Rig, state: str, outcome: str | None = None) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        r = await row(rig)
        return bool(r["state"] == state and (outcome is None or r["outcome"] == outcome))

    return check


async def texts(rig: Rig) -> list[tuple[str, str, str]]:
    def read(store: OutboxStore) -> list[tuple[str, str, str]]:
        rows = store.db.execute("SELECT kind, call_id, body FROM sms_outbox ORDER BY id")
        return [(str(k), str(c), str(b)) for k, c, b in rows.fetchall()]

    return await rig.outbox.run(read)


async def book_callback(
    rig: Rig, call_id: str = "c1", flags: frozenset[str] = frozenset()
) -> QueueEntry:
    """A caller waits (the agent is busy) and accepts a callback."""
    rig.service.engine.agent_busy("a1", rig.clock())
    entry = QueueEntry(call_id, "rc", Priority.NORMAL, rig.clock(), flags=flags)
    _, ticket = rig.service.join(entry)
    assert ticket is not None
    return await rig.worker.accept(call_id, MOBILE)


def free_agent(rig: Rig) -> None:
    rig.service.agent_done("a1", "rc")


def agent_state(rig: Rig) -> AgentState | None:
    agents = rig.service.engine.agents()
    return agents[0].state if agents else None


def waiting_entry(
    call_id: str, joined_at: float, *, seq: int, attempts: int = 0, ready_at: float = 0.0
) -> QueueEntry:
    callback = Callback(MOBILE, joined_at + 60, joined_at + 3600, attempts, ready_at)
    return QueueEntry(call_id, "rc", Priority.NORMAL, joined_at, seq=seq, callback=callback)


async def test_an_accepted_callback_is_in_the_book_before_the_caller_is_thanked(rig: Rig) -> None:
    entry = await book_callback(rig)
    assert entry.callback is not None
    r = await row(rig)
    assert (r["state"], r["number"], r["attempts"]) == ("waiting", MOBILE, 0)
    assert r["promised_by"] == entry.callback.promised_by
    assert rig.service.engine.entry("c1").virtual


async def test_a_callback_that_cannot_be_stored_leaves_the_caller_holding_in_place(
    rig: Rig, tmp_path: Path
) -> None:
    closed = CallbackBook(str(tmp_path / "other.db"))  # never opened: every write fails
    worker = CallbackWorker(rig.service, closed, rig.calls, None)
    rig.service.engine.agent_busy("a1", rig.clock())
    for i, call_id in enumerate(("c0", "c1", "c2")):
        rig.service.join(QueueEntry(call_id, "rc", Priority.NORMAL, rig.clock() + i))
    with pytest.raises(RuntimeError, match="not open"):
        await worker.accept("c1", MOBILE)
    await closed.close()
    assert not rig.service.engine.entry("c1").virtual
    assert rig.service.position("c1") == 2


async def test_an_answered_callback_is_done_and_forgets_the_number(rig: Rig) -> None:
    rig.calls.outcomes = ["answered"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "done"))
    r = await row(rig)
    assert (r["outcome"], r["attempts"], r["number"]) == ("answered", 1, "")
    (attempt,) = await attempts(rig)
    assert (attempt["outcome"], attempt["detail"], attempt["agent_id"]) == (
        "answered",
        "kept",
        "a1",
    )
    assert rig.calls.runs == [(attempt["channel_id"], "PJSIP/rc-1", MOBILE, "rc")]
    assert rig.worker.placed == 1
    assert rig.service.engine.waiting("rc") == 0
    await eventually(rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE))
    assert await texts(rig) == []


async def _true(value: bool) -> bool:
    return value


async def test_a_callback_answered_after_its_promised_time_is_recorded_as_late(
    rig: Rig,
) -> None:
    rig.calls.outcomes = ["answered"]
    entry = await book_callback(rig)
    assert entry.callback is not None
    rig.clock.now = entry.callback.promised_by + 1
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "done"))
    assert (await attempts(rig))[0]["detail"] == "late"


async def test_no_answer_is_retried_after_the_backoff_then_failed_with_a_text(rig: Rig) -> None:
    rig.calls.outcomes = ["no-answer", "busy"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "waiting", "no-answer"))
    first_try = rig.clock()
    r = await row(rig)
    assert (r["attempts"], r["ready_at"], r["number"]) == (1, first_try + BACKOFF_S, MOBILE)
    retry = rig.service.engine.entry("c1")
    assert retry.callback is not None and retry.callback.attempts == 1
    assert rig.service.position("c1") == 1
    # Free again (its dispatch has run with it), but the backoff has not passed.
    await eventually(rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE))
    assert len(rig.calls.runs) == 1
    rig.clock.now = first_try + BACKOFF_S
    rig.service.dispatch()
    await eventually(rig.worker, state_is(rig, "failed"))
    r = await row(rig)
    assert (r["outcome"], r["attempts"], r["number"]) == ("busy", 2, "")
    tried = await attempts(rig)
    assert [(a["attempt"], a["outcome"]) for a in tried] == [(1, "no-answer"), (2, "busy")]
    assert [run[0] for run in rig.calls.runs] == [a["channel_id"] for a in tried]
    ((kind, call_id, body),) = await texts(rig)
    assert (kind, call_id) == ("callback-update", "c1") and "2 times" in body
    assert rig.service.engine.waiting("rc") == 0


async def test_a_caller_rung_first_who_was_not_put_through_is_not_told_we_missed_them(
    rig: Rig,
) -> None:
    rig.calls.outcomes = ["caller-left", "no-agent"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "waiting", "caller-left"))
    rig.clock.now += BACKOFF_S
    rig.service.dispatch()
    await eventually(rig.worker, state_is(rig, "failed"))
    tried = await attempts(rig)
    assert [(a["attempt"], a["outcome"]) for a in tried] == [(1, "caller-left"), (2, "no-agent")]
    ((_, _, body),) = await texts(rig)
    assert "could not put you through" in body and "without reaching you" not in body


async def test_an_agent_who_did_not_answer_costs_the_caller_no_attempt(rig: Rig) -> None:
    rig.calls.outcomes = ["agent-no-answer"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "waiting", "agent-no-answer"))
    r = await row(rig)
    assert (r["attempts"], r["number"]) == (0, MOBILE)
    kept = rig.service.engine.entry("c1")
    assert kept.callback is not None and kept.callback.attempts == 0
    assert rig.service.position("c1") == 1
    assert rig.service.engine.agents() == []  # the agent is away, not given the next caller
    assert await texts(rig) == []


async def test_after_the_agent_did_not_answer_the_callback_is_placed_again(rig: Rig) -> None:
    rig.calls.outcomes = ["agent-no-answer", "answered"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "waiting", "agent-no-answer"))
    await eventually(rig.worker, state_is(rig, "done"), timeout=AWAY_S * 8)
    assert len(rig.calls.runs) == 2


async def test_an_attempt_another_process_began_is_not_placed_again(rig: Rig) -> None:
    await book_callback(rig)
    now = rig.clock()
    await rig.book.run(lambda s: s.begin_attempt("c1", 1, "a9", "cb-other-1", now))
    free_agent(rig)
    await eventually(rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE))
    assert rig.calls.runs == [] and rig.worker.placed == 0
    assert [a["channel_id"] for a in await attempts(rig)] == ["cb-other-1"]


async def test_start_puts_waiting_callbacks_back_in_their_own_places(rig: Rig) -> None:
    later = rig.clock() + 5000
    early = waiting_entry("early", rig.clock() - 900, seq=3, ready_at=later)
    late = waiting_entry("late", rig.clock() - 600, seq=9, ready_at=later)
    await rig.book.run(lambda s: s.accept(late, 0.0))
    await rig.book.run(lambda s: s.accept(early, 0.0))
    rig.service.engine.agent_busy("a1", rig.clock())
    assert await rig.worker.start() == 2
    rig.service.join(QueueEntry("live", "rc", Priority.NORMAL, rig.clock()))
    assert [rig.service.position(c) for c in ("early", "late", "live")] == [1, 2, 3]
    assert rig.service.engine.entry("early") == early


async def test_start_follows_an_interrupted_attempt_still_under_way_to_its_end(
    rig: Rig,
) -> None:
    await rig.book.run(lambda s: s.accept(waiting_entry("c1", rig.clock() - 900, seq=1), 0.0))
    await rig.book.run(lambda s: s.begin_attempt("c1", 1, "a1", "cb-old-1.a1", rig.clock() - 10))
    rig.calls.resumed = {"cb-old-1.a1": "answered"}
    await rig.worker.start()
    await eventually(rig.worker, state_is(rig, "done"))
    r = await row(rig)
    assert (r["outcome"], r["number"]) == ("answered", "")
    (attempt,) = await attempts(rig)
    assert attempt["outcome"] == "answered"
    assert rig.calls.asked == ["cb-old-1.a1"] and rig.calls.runs == []
    assert rig.service.engine.waiting("rc") == 0


async def test_an_interrupted_attempt_whose_agent_left_before_the_caller_rang_is_not_spent(
    rig: Rig,
) -> None:
    await rig.book.run(lambda s: s.accept(waiting_entry("c1", rig.clock() - 900, seq=1), 0.0))
    await rig.book.run(lambda s: s.begin_attempt("c1", 1, "a1", "cb-old-1.a1", rig.clock() - 10))
    rig.calls.resumed = {"cb-old-1.a1": "agent-left"}
    await rig.worker.start()
    await eventually(rig.worker, state_is(rig, "waiting", "agent-left"))
    assert (await row(rig))["attempts"] == 0
    kept = rig.service.engine.entry("c1")
    assert kept.callback is not None and kept.callback.attempts == 0


async def test_an_agent_who_hangs_up_on_the_intro_never_costs_the_caller_a_text(
    rig: Rig,
) -> None:
    """max_attempts is 2: three agents hanging up on the intro fail nothing, text nobody."""
    rig.calls.outcomes = ["agent-left", "agent-left", "agent-left", "answered"]
    await book_callback(rig)
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "done"), timeout=AWAY_S * 40)
    tried = await attempts(rig)
    assert [(a["attempt"], a["outcome"]) for a in tried] == [
        (1, "agent-left"),
        (1, "agent-left"),
        (1, "agent-left"),
        (1, "answered"),
    ]
    assert await texts(rig) == []


async def test_start_retries_an_interrupted_attempt_only_after_the_backoff(rig: Rig) -> None:
    await rig.book.run(lambda s: s.accept(waiting_entry("c1", rig.clock() - 900, seq=1), 0.0))
    await rig.book.run(lambda s: s.begin_attempt("c1", 1, "a1", "cb-old-1", rig.clock() - 10))
    rig.calls.outcomes = ["answered"]
    await rig.worker.start()  # an agent is free, yet nobody is rung at once
    await eventually(rig.worker, state_is(rig, "waiting", "interrupted"))
    r = await row(rig)
    assert r["attempts"] == 1 and r["ready_at"] == rig.clock() + BACKOFF_S
    await eventually(
        rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE)
    )  # and dispatched
    assert rig.calls.runs == [] and rig.service.position("c1") == 1
    rig.clock.now += BACKOFF_S
    rig.service.dispatch()
    await eventually(rig.worker, state_is(rig, "done"))
    tried = await attempts(rig)
    assert [(a["attempt"], a["outcome"]) for a in tried] == [(1, "interrupted"), (2, "answered")]
    ((channel_id, *_),) = rig.calls.runs
    assert channel_id == tried[1]["channel_id"] != "cb-old-1"


async def test_start_fails_an_interrupted_last_attempt_and_texts_the_caller(rig: Rig) -> None:
    last = waiting_entry("c1", rig.clock() - 900, seq=1, attempts=1)
    await rig.book.run(lambda s: s.accept(last, 0.0))
    await rig.book.run(lambda s: s.begin_attempt("c1", 2, "a1", "cb-old-2", rig.clock() - 10))
    await rig.worker.start()
    await eventually(rig.worker, state_is(rig, "failed"))
    r = await row(rig)
    assert (r["outcome"], r["number"]) == ("interrupted", "")
    ((kind, call_id, body),) = await texts(rig)
    assert (kind, call_id) == ("callback-update", "c1") and "2 times" in body
    await eventually(
        rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE)
    )  # and dispatched
    assert rig.calls.runs == []


async def test_a_missed_promise_is_texted_once(rig: Rig) -> None:
    entry = await book_callback(rig)
    assert entry.callback is not None
    rig.clock.now = entry.callback.promised_by + 1
    ticking = asyncio.create_task(rig.worker.run())
    try:
        await eventually(rig.worker, lambda: _count(texts(rig), 1))
        for _ in range(3):  # several more ticks
            await rig.worker.next_step()
        ((kind, call_id, body),) = await texts(rig)
        assert (kind, call_id) == ("callback-update", "c1") and "not called you back" in body
        assert (await row(rig))["late_sms"] == 1
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking


async def _count(items: Awaitable[list[Any]], n: int) -> bool:
    return len(await items) == n


async def test_a_sensitive_callers_callback_is_rung_but_never_texted(rig: Rig) -> None:
    rig.calls.outcomes = ["no-answer", "busy"]
    entry = await book_callback(rig, flags=frozenset({NO_TEXTS}))
    assert entry.callback is not None
    rig.clock.now = entry.callback.promised_by + 1  # the promise slips too
    ticking = asyncio.create_task(rig.worker.run())
    try:
        free_agent(rig)
        await eventually(rig.worker, state_is(rig, "waiting", "no-answer"))
        rig.clock.now += BACKOFF_S
        rig.service.dispatch()
        await eventually(rig.worker, state_is(rig, "failed"))
        for _ in range(3):  # several ticks past the promise
            await rig.worker.next_step()
        assert len(rig.calls.runs) == 2
        assert await texts(rig) == []
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking


async def test_start_again_skips_those_back_and_a_bad_row_holds_up_no_other(rig: Rig) -> None:
    later = rig.clock() + 5000
    lost = replace(waiting_entry("lost", rig.clock() - 900, seq=1, ready_at=later), queue="gone")
    kept = waiting_entry("kept", rig.clock() - 600, seq=2, ready_at=later)
    await rig.book.run(lambda s: s.accept(lost, 0.0))  # its queue is no longer configured
    await rig.book.run(lambda s: s.accept(kept, 0.0))
    assert await rig.worker.start() == 1
    assert await rig.worker.start() == 1  # a reconnect: nothing restored twice
    assert rig.service.position("kept") == 1


async def test_a_callback_the_call_moved_on_from_before_thanks_is_not_kept(rig: Rig) -> None:
    """An operator's override (or a shutdown) cancels the verb while the row is written."""
    rig.service.engine.agent_busy("a1", rig.clock())
    rig.service.join(QueueEntry("c1", "rc", Priority.NORMAL, rig.clock()))
    accepting = asyncio.create_task(rig.worker.accept("c1", MOBILE))
    await asyncio.sleep(0)
    accepting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await accepting
    assert await rig.book.run(lambda s: s.get("c1")) is None
    assert rig.service.engine.entry("c1").callback is None  # still holding, same place


async def test_a_withdrawn_callback_leaves_queue_and_book_and_is_never_placed(rig: Rig) -> None:
    """The caller broke out to 999 after booking: nobody rings them back, now or after a
    restart, and nobody texts them about it."""
    await book_callback(rig)
    assert await rig.worker.withdraw("c1", "emergency")
    assert rig.service.place_of("c1") is None
    await eventually(rig.worker, state_is(rig, "withdrawn", "withdrawn-emergency"))
    assert (await row(rig))["number"] == ""
    free_agent(rig)
    await eventually(rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE))  # not given it
    assert rig.calls.runs == []
    assert await rig.worker.booked_queue("c1") is None
    assert await rig.worker.start() == 0  # a restart finds nothing to put back
    assert rig.service.place_of("c1") is None
    assert not await rig.worker.withdraw("c1", "emergency")  # once
    assert await texts(rig) == []


async def test_only_a_callback_still_to_be_put_through_counts_as_booked(rig: Rig) -> None:
    rig.calls.outcomes = ["answered"]
    await book_callback(rig)
    assert await rig.worker.booked_queue("c1") == "rc"
    free_agent(rig)
    await eventually(rig.worker, state_is(rig, "done"))
    assert await rig.worker.booked_queue("c1") is None


async def test_a_callback_withdrawn_while_it_rings_is_not_retried_nor_texted(rig: Rig) -> None:
    rig.calls.outcomes = ["no-answer"]
    rig.calls.hold = asyncio.Event()
    await book_callback(rig)
    free_agent(rig)
    await rig.calls.ringing.wait()
    assert await rig.worker.withdraw("c1", "emergency")
    await eventually(rig.worker, state_is(rig, "withdrawn"))
    rig.calls.hold.set()

    async def attempt_ended() -> bool:
        return [a["outcome"] for a in await attempts(rig)] == ["no-answer"]

    await eventually(rig.worker, attempt_ended)
    assert (await row(rig))["state"] == "withdrawn"  # not reopened for a retry
    assert rig.service.place_of("c1") is None
    await eventually(rig.worker, lambda: _true(agent_state(rig) is AgentState.FREE))
    assert len(rig.calls.runs) == 1
    assert await texts(rig) == []


async def test_start_keeps_the_channels_of_attempts_it_follows_and_lets_go_of_the_rest(
    rig: Rig,
) -> None:
    """What a previous process left in Asterisk for callbacks is held until the book
    says which attempts are under way: those are followed, everything else hung up."""
    await rig.book.run(lambda s: s.accept(waiting_entry("c1", rig.clock() - 900, seq=1), 0.0))
    await rig.book.run(lambda s: s.accept(waiting_entry("c2", rig.clock() - 800, seq=2), 0.0))
    await rig.book.run(lambda s: s.begin_attempt("c1", 1, "a1", "cb-old-1.a1", rig.clock() - 10))
    rig.calls.resumed = {"cb-old-1.a1": "answered"}
    await rig.worker.start()
    assert rig.calls.released[0] == {"cb-old-1.a1"}  # c2 is waiting: nothing of it rings
    await eventually(rig.worker, state_is(rig, "done"))
    await eventually(rig.worker, lambda: _true(rig.calls.released[-1] == frozenset()))
