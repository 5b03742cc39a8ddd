"""QueueService: the engine on the event loop, with tickets, agents' timers and callbacks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from ivr.queues.model import AgentState, Callback, Priority, QueueEntry, QueuesConfig, priority_for
from ivr.queues.outcomes import Connect, PlaceCallback, QueueError
from ivr.queues.service import QueueService, Ticket
from ivr.queues.settings import AgentSpec

from .conftest import small_config

AWAY_S = 0.05  # real seconds: the away and wrap-up timers run on the event loop
RC_AGENT = {"a1": AgentSpec("PJSIP/rc-1", ("rc",))}


class Clock:
    """The service's epoch clock, moved by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Placer:
    def __init__(self) -> None:
        self.placed: list[PlaceCallback] = []

    def place(self, action: PlaceCallback) -> None:
        self.placed.append(action)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def service(clock: Clock) -> AsyncIterator[QueueService]:
    svc = QueueService(small_config(capacity=20), RC_AGENT, away_s=AWAY_S, clock=clock)
    try:
        yield svc
    finally:
        svc.close()


def caller(
    call_id: str, at: float, flags: tuple[str, ...] = (), *, emergency: bool = False
) -> QueueEntry:
    priority = priority_for(flags, emergency=emergency)
    return QueueEntry(call_id, "rc", priority, at, flags=frozenset(flags))


async def turns() -> None:
    """A few turns of the loop, no time: for checking that nothing was offered (work the
    service schedules with call_soon has run by then)."""
    for _ in range(3):
        await asyncio.sleep(0)


async def offered(ticket: Ticket, timeout: float = 1.0) -> Connect:
    """The next agent offered to this caller, as it arrives (an away or wrap-up timer
    may have to fire first: those run on the loop, in real time)."""
    return await asyncio.wait_for(ticket.offers.get(), timeout)


async def first_offered(tickets: dict[str, Ticket]) -> Connect:
    """The next agent offered to any of these callers."""
    waits = {asyncio.create_task(t.offers.get()): c for c, t in tickets.items()}
    done, pending = await asyncio.wait(waits, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    assert len(done) == 1, f"offers: {len(done)}"
    return done.pop().result()


def offer(ticket: Ticket) -> Connect:
    assert not ticket.offers.empty(), f"no agent offered to {ticket.entry.call_id}"
    return ticket.offers.get_nowait()


def hold_agent(service: QueueService, clock: Clock, agent_id: str = "a1") -> None:
    service.engine.agent_busy(agent_id, clock())


def join(service: QueueService, entry: QueueEntry) -> Ticket:
    joined, ticket = service.join(entry)
    assert joined.accepted and ticket is not None
    return ticket


async def test_a_caller_joining_an_idle_agent_is_offered_that_agent_at_once(
    service: QueueService, clock: Clock
) -> None:
    joined, ticket = service.join(caller("c1", clock()))
    assert joined.accepted and joined.position == 1 and joined.entry.seq > 0
    assert ticket is not None
    action = offer(ticket)
    assert (action.agent_id, action.entry.call_id) == ("a1", "c1")
    assert service.endpoint(action.agent_id) == "PJSIP/rc-1"
    second = join(service, caller("c2", clock()))
    assert second.offers.empty() and service.position("c2") == 1


async def test_a_full_queue_gives_no_ticket(clock: Clock) -> None:
    svc = QueueService(small_config(capacity=1), RC_AGENT, clock=clock)
    try:
        hold_agent(svc, clock)
        join(svc, caller("c1", clock()))
        joined, ticket = svc.join(caller("c2", clock()))
        assert ticket is None and not joined.accepted and "full" in joined.reason
    finally:
        svc.close()


async def test_emergencies_then_flagged_callers_then_the_rest_whatever_the_wait(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    arrivals = [
        caller("normal-1", 1.0),
        caller("vulnerable", 2.0, ("vulnerable",)),
        caller("normal-2", 3.0, ("nuisance",)),
        caller("repeat", 4.0, ("repeat-victim",)),
        caller("emergency", 5.0, emergency=True),
        caller("hate", 6.0, ("hate-incident",)),
    ]
    tickets = {e.call_id: join(service, e) for e in arrivals}
    expected = ["emergency", "vulnerable", "repeat", "hate", "normal-1", "normal-2"]
    assert [service.position(c) for c in expected] == [1, 2, 3, 4, 5, 6]
    served = []
    for _ in expected:
        service.agent_done("a1", "rc")
        call_id = (await first_offered(tickets)).entry.call_id
        del tickets[call_id]
        served.append(call_id)
        service.served(call_id)
    assert served == expected


async def test_a_caller_who_leaves_is_gone_and_those_behind_move_up(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    join(service, caller("c1", clock()))
    join(service, caller("c2", clock() + 1))
    clock.now += 90
    gone = service.leave("c1", "queue:rc:announce")
    assert gone is not None
    assert (gone.call_id, gone.position, gone.waited_s, gone.where) == (
        "c1",
        1,
        90.0,
        "queue:rc:announce",
    )
    assert service.position("c2") == 1
    assert service.leave("c1") is None  # already gone
    assert service.leave("never-joined") is None


async def test_an_agent_who_did_not_answer_is_away_for_a_while_and_the_caller_keeps_the_place(
    service: QueueService, clock: Clock
) -> None:
    first = join(service, caller("c1", clock()))
    missed = offer(first)
    clock.now += 30
    join(service, caller("c2", clock()))
    service.agent_missed(missed)
    assert service.position("c1") == 1
    assert service.engine.agents() == []  # skipped, not just busy
    await turns()
    assert first.offers.empty()
    again = await offered(first, AWAY_S * 20)  # once the away time is over
    assert (again.agent_id, again.entry.call_id) == ("a1", "c1")


async def test_an_agent_rung_for_a_caller_who_left_is_free_again_at_once(
    service: QueueService, clock: Clock
) -> None:
    action = offer(join(service, caller("c1", clock())))
    assert service.leave("c1") is None  # being dialled: not waiting any more
    service.agent_missed(action)
    ticket = join(service, caller("c2", clock()))
    assert (await offered(ticket)).entry.call_id == "c2"
    assert [a.id for a in service.engine.agents()] == ["a1"]


async def test_after_a_call_the_agent_wraps_up_before_the_next_caller(clock: Clock) -> None:
    base = small_config()
    config = replace(base, queues={**base.queues, "rc": replace(base.queues["rc"], wrap_up_s=0.05)})
    svc = QueueService(config, RC_AGENT, clock=clock)
    try:
        svc.served(offer(join(svc, caller("c1", clock()))).entry.call_id)
        waiting = join(svc, caller("c2", clock()))
        clock.now += 300
        svc.agent_done("a1", "rc")
        (agent,) = svc.engine.agents()
        assert agent.state is AgentState.WRAP_UP
        await turns()
        assert waiting.offers.empty()
        assert (await offered(waiting)).entry.call_id == "c2"  # after the wrap-up
    finally:
        svc.close()


async def test_an_accepted_callback_keeps_its_place(service: QueueService, clock: Clock) -> None:
    hold_agent(service, clock)
    join(service, caller("c1", clock()))
    join(service, caller("c2", clock() + 1))
    join(service, caller("c3", clock() + 2))
    entry = service.accept_callback("c2", "07700900123")
    assert entry.virtual and entry.callback is not None
    assert entry.callback.number == "07700900123" and entry.callback.promised_by > clock()
    assert [service.position(c) for c in ("c1", "c2", "c3")] == [1, 2, 3]
    assert not service.offer_callback("c2").offer  # already has one


async def test_a_callback_at_the_front_goes_to_the_placer_not_a_ticket(
    service: QueueService, clock: Clock
) -> None:
    placer = Placer()
    service.placer = placer
    hold_agent(service, clock)
    first = join(service, caller("c1", clock()))
    behind = join(service, caller("c2", clock() + 1))
    service.accept_callback("c1", "07700900123")
    clock.now += service.config.callback.hold_off_s  # "thank you" heard
    service.agent_done("a1", "rc")
    await turns()  # the dispatch has run: one callback placed, no ticket offered
    (action,) = placer.placed
    assert (action.agent_id, action.entry.call_id) == ("a1", "c1")
    assert action.entry.callback is not None
    assert first.offers.empty() and behind.offers.empty()


async def test_a_callback_restored_from_the_book_takes_its_own_place(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    join(service, caller("live", clock()))
    join(service, caller("later", clock() + 1))
    booked = QueueEntry(
        "booked",
        "rc",
        Priority.NORMAL,
        clock() - 600,  # joined before the restart
        seq=1,
        callback=Callback("07700900123", clock() - 500, clock() + 900, attempts=1),
    )
    service.restore_callback(booked)
    assert [service.position(c) for c in ("booked", "live", "later")] == [1, 2, 3]
    assert service.engine.entry("booked") == booked


async def test_only_queues_with_agents_are_run_by_the_app(service: QueueService) -> None:
    assert service.runs("rc") and not service.runs("fcr")
    assert set(service.waits()) == {"rc"}


async def test_agents_of_an_unknown_queue_are_refused(config: QueuesConfig) -> None:
    with pytest.raises(QueueError, match="nowhere"):
        QueueService(config, {"a1": AgentSpec("PJSIP/a1", ("rc", "nowhere"))})


async def test_with_no_callback_worker_the_agent_comes_back_after_away_s(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    join(service, caller("c1", clock()))
    service.accept_callback("c1", "07700900123")
    clock.now += service.config.callback.hold_off_s
    service.agent_done("a1", "rc")  # the callback is due, nobody can place it
    await turns()
    assert service.position("c1") == 1  # kept in place
    service.leave("c1")  # nothing due any more: the agent's next caller is c2
    ticket = join(service, caller("c2", clock()))
    await offered(ticket, timeout=AWAY_S * 6)


async def test_operators_see_each_waiting_callers_place_and_each_queues_load(
    service: QueueService, clock: Clock
) -> None:
    _, first = service.join(caller("c1", clock.now))
    assert first is not None
    service.served("c1")  # the only agent takes c1
    service.join(caller("c2", clock.now + 1))
    service.join(caller("c3", clock.now + 2, ("vulnerable",)))
    assert service.place_of("c1") is None
    place = service.place_of("c2")
    assert place is not None and (place["queue"], place["position"]) == ("rc", 2)
    assert service.place_of("c3") == {**(service.place_of("c3") or {}), "position": 1}
    load = service.snapshot()["rc"]
    assert (load["on_hold"], load["callbacks"], load["agents"], load["agents_free"]) == (2, 0, 1, 0)


async def test_an_agent_offered_to_a_caller_who_moved_on_is_free_for_the_next(
    service: QueueService, clock: Clock
) -> None:
    """The caller left (or their flow moved on) before taking the offered agent."""
    first = join(service, caller("c1", clock()))
    second = join(service, caller("c2", clock() + 1))
    assert not first.offers.empty()  # a1 is offered to c1 ...
    service.served("c1")  # ... who never takes them
    assert (await offered(second)).agent_id == "a1"


async def test_an_operator_raises_a_waiting_caller_above_those_who_waited_longer(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    join(service, caller("early", 900.0))
    join(service, caller("late", 950.0))
    assert service.position("late") == 2
    raised = service.raise_priority("late", "vulnerable")
    assert (raised.priority, raised.joined_at) == (Priority.PRIORITY, 950.0)
    assert "vulnerable" in raised.flags
    assert (service.position("late"), service.position("early")) == (1, 2)


async def test_a_raised_priority_follows_the_caller_into_another_queue(
    service: QueueService, clock: Clock
) -> None:
    hold_agent(service, clock)
    join(service, caller("c1", 900.0))
    service.raise_priority("c1", "repeat-victim")
    service.leave("c1", where="moved-on")
    joined, _ = service.join(QueueEntry("c1", "fcr", Priority.NORMAL, 900.0))
    assert joined.entry.priority == Priority.PRIORITY
    assert service.entry_of("c1") == joined.entry


async def test_only_a_waiting_caller_and_a_priority_flag_can_be_raised(
    service: QueueService,
) -> None:
    assert service.entry_of("nobody") is None
    with pytest.raises(QueueError):
        service.raise_priority("nobody", "vulnerable")
    join(service, caller("c1", 900.0))
    with pytest.raises(QueueError):
        service.raise_priority("c1", "nuisance")
