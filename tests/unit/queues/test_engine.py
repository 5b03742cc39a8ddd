"""Strict priority then FIFO; emergencies overtake a full queue; callbacks keep their place."""

from __future__ import annotations

import pytest

from ivr.queues.engine import QueueEngine
from ivr.queues.model import (
    Agent,
    AgentState,
    Priority,
    QueueEntry,
    QueuesConfig,
    QueuesConfigError,
    priority_for,
)
from ivr.queues.outcomes import Connect, PlaceCallback, QueueError
from ivr.queues.queues_yaml import parse_queues_config


def entry(
    call_id: str, queue: str = "rc", priority: Priority = Priority.NORMAL, at: float = 0.0
) -> QueueEntry:
    return QueueEntry(call_id, queue, priority, at)


def busy_agent(engine: QueueEngine, agent_id: str, queues: set[str], now: float = 0.0) -> None:
    engine.add_agent(Agent(agent_id, frozenset(queues)), now)
    engine.agent_busy(agent_id, now)


def test_priority_for_flags() -> None:
    assert priority_for(["vulnerable"], emergency=True) is Priority.EMERGENCY_TRANSFER
    assert priority_for(["hate-incident"]) is Priority.PRIORITY
    assert priority_for(["repeat-victim", "nuisance"]) is Priority.PRIORITY
    assert priority_for(["repeat"]) is Priority.NORMAL
    assert Priority.EMERGENCY_TRANSFER < Priority.PRIORITY < Priority.NORMAL


def test_strict_priority_then_fifo(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    busy_agent(engine, "a", {"rc"})
    engine.join(entry("n1", at=1), 1)
    engine.join(entry("p1", priority=Priority.PRIORITY, at=2), 2)
    engine.join(entry("n2", at=3), 3)
    engine.join(entry("p2", priority=Priority.PRIORITY, at=4), 4)
    assert [e.call_id for e, _ in engine.positions("rc")] == ["p1", "p2", "n1", "n2"]
    assert engine.position("n2") == 4
    served = []
    for t in range(10, 14):
        action = engine.agent_free("a", float(t))
        assert isinstance(action, Connect)
        served.append(action.entry.call_id)
    assert served == ["p1", "p2", "n1", "n2"]
    assert engine.agent_free("a", 20.0) is None


def test_equal_join_times_stay_first_come_first_served(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    for i in range(4):
        engine.join(entry(f"c{i}", at=5.0), 5.0)
    assert [e.call_id for e, _ in engine.positions("rc")] == ["c0", "c1", "c2", "c3"]


def test_emergency_transfer_overtakes_a_full_101_queue(config: QueuesConfig) -> None:
    """Pin the production bug: a 101 caller was answered before a 999-class transfer."""
    engine = QueueEngine(config)
    busy_agent(engine, "fcr-1", {"fcr", "rc"})  # an FCR agent who also takes 101 RC calls
    capacity = config.queue("fcr").capacity
    for i in range(capacity):
        assert engine.join(entry(f"n{i}", "fcr", at=float(i)), float(i)).accepted
    engine.join(entry("rc-old", "rc", Priority.PRIORITY, at=-3600.0), 0.0)  # waited an hour
    refused = engine.join(entry("late", "fcr", at=100.0), 100.0)
    assert not refused.accepted and "full" in refused.reason
    joined = engine.join(entry("999", "fcr", Priority.EMERGENCY_TRANSFER, at=101.0), 101.0)
    assert joined.accepted and joined.position == 1
    action = engine.agent_free("fcr-1", 102.0)
    assert isinstance(action, Connect) and action.entry.call_id == "999"
    offer = engine.offer_callback("n0", 102.0)
    # an emergency transfer is never offered a callback: it is answered first
    engine.join(entry("999b", "fcr", Priority.EMERGENCY_TRANSFER, at=103.0), 103.0)
    assert not engine.offer_callback("999b", 103.0).offer
    assert offer.threshold_s == config.queue("fcr").callback_offer_above_s


def test_callback_keeps_its_place_and_becomes_place_callback(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    busy_agent(engine, "a", {"rc"})
    for i in range(3):
        engine.join(entry(f"c{i}", at=float(i)), float(i))
    cb = engine.accept_callback("c1", "+447700900123", 10.0)
    assert cb.virtual and cb.callback is not None
    assert cb.callback.promised_by > 10.0 and cb.joined_at == 1.0
    assert engine.position("c1") == 2
    first = engine.agent_free("a", 20.0)
    assert isinstance(first, Connect) and first.entry.call_id == "c0"
    # Not rung while still hearing "thank you" (hold_off_s): c2 is not served instead,
    # the agent waits for the next dispatch.
    assert config.callback.hold_off_s == 30.0
    second = engine.agent_free("a", 40.0)
    assert isinstance(second, PlaceCallback) and second.entry.call_id == "c1"
    assert second.waited_s == 39.0
    # no answer: back at its own place after the backoff, ahead of c2
    retry = engine.callback_attempted(second.entry, 50.0, answered=False)
    assert retry is not None and retry.callback is not None and retry.callback.attempts == 1
    assert engine.position("c1") == 1
    third = engine.agent_free("a", 51.0)  # c1 not ready yet: c2 is served
    assert isinstance(third, Connect) and third.entry.call_id == "c2"
    ready = retry.callback.ready_at
    again = engine.agent_free("a", ready)
    assert isinstance(again, PlaceCallback) and again.entry.call_id == "c1"
    assert engine.callback_attempted(again.entry, ready + 5, answered=True) is None


def test_callback_gives_up_after_max_attempts(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    engine.join(entry("c"), 0.0)
    e = engine.accept_callback("c", "+447700900123", 1.0)
    engine.add_agent(Agent("a", frozenset({"rc"})), 0.0)
    now = 1.0 + config.callback.hold_off_s  # not rung while hearing "thank you"
    for _ in range(config.callback.max_attempts):
        action = engine.agent_free("a", now)
        assert isinstance(action, PlaceCallback)
        e = action.entry
        result = engine.callback_attempted(e, now + 25, answered=False)
        now += 10_000.0
    assert result is None and engine.waiting("rc") == 0


def test_callbacks_do_not_use_lines(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    capacity = config.queue("rc").capacity
    for i in range(capacity):
        engine.join(entry(f"c{i}", at=float(i)), float(i))
    engine.accept_callback("c0", "+447700900123", 10.0)
    assert engine.join(entry("new", at=11.0), 11.0).accepted


def test_retransfer_keeps_joined_at(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    engine.join(entry("f1", "fcr", at=50.0), 50.0)
    engine.join(entry("f2", "fcr", at=60.0), 60.0)
    engine.join(entry("r1", "rc", at=10.0), 10.0)
    moved = engine.retransfer("r1", "fcr", 70.0)
    assert moved.entry.joined_at == 10.0 and moved.entry.transfers == 1
    assert moved.position == 1 and engine.waiting("rc") == 0
    # an answered call re-transferred (agent says: this is an FCR matter) keeps it too
    busy_agent(engine, "rc-a", {"rc"})
    engine.join(entry("r2", "rc", at=20.0), 20.0)
    action = engine.agent_free("rc-a", 80.0)
    assert isinstance(action, Connect) and action.entry.call_id == "r2"
    back = engine.retransfer("r2", "fcr", 200.0)
    assert back.entry.joined_at == 20.0 and back.position == 2
    with pytest.raises(QueueError):
        engine.retransfer("nobody", "fcr", 1.0)


def test_abandonment_records_where_and_how_long(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    for i in range(3):
        engine.join(entry(f"c{i}", at=float(i)), float(i))
    record = engine.leave("c1", 301.0)
    assert (record.queue, record.position, record.waited_s) == ("rc", 2, 300.0)
    assert record.where == "queue:rc" and list(engine.abandoned) == [record]
    assert engine.position("c2") == 2
    with pytest.raises(QueueError):
        engine.leave("c1", 302.0)


def test_dispatch_serves_longest_idle_agent_and_tracks_state(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    engine.add_agent(Agent("late", frozenset({"rc"})), 5.0)
    engine.add_agent(Agent("early", frozenset({"rc"})), 1.0)
    engine.join(entry("c", at=10.0), 10.0)
    actions = engine.dispatch(10.0)
    assert [a.agent_id for a in actions] == ["early"]
    assert {a.id: a.state for a in engine.agents("rc")} == {
        "late": AgentState.FREE,
        "early": AgentState.BUSY,
    }
    engine.agent_wrap_up("early", 300.0)
    assert engine.agent_free("early", 360.0) is None  # handling 350 s observed


def test_agent_missed_puts_the_caller_back(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    engine.add_agent(Agent("a", frozenset({"rc"})), 0.0)
    engine.join(entry("c0", at=1.0), 1.0)
    engine.join(entry("c1", at=2.0), 2.0)
    (action,) = engine.dispatch(3.0)
    engine.join(entry("c2", at=4.0), 4.0)
    assert engine.agent_missed(action, 30.0) == 1
    assert engine.agents("rc") == []


def test_offer_callback_follows_the_threshold(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    busy_agent(engine, "a", {"rc"})
    for i in range(5):
        engine.join(entry(f"c{i}", at=float(i)), float(i))
    near = engine.offer_callback("c0", 10.0)
    far = engine.offer_callback("c4", 10.0)
    assert not near.offer and far.offer and "min >" in far.reason
    assert engine.offer_callback("c0", 10.0, threshold_s=1.0).offer
    engine.accept_callback("c4", "+447700900123", 10.0)
    assert not engine.offer_callback("c4", 10.0).offer
    waits = engine.queue_waits(10.0)
    assert 600 < waits["rc"] < float("inf") and waits["fcr"] == float("inf")  # nobody staffed


def test_unknown_queue_and_duplicate_join(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    with pytest.raises(QueueError):
        engine.join(entry("x", "nowhere"), 0.0)
    engine.join(entry("x"), 0.0)
    with pytest.raises(QueueError):
        engine.join(entry("x"), 0.0)


def test_the_promise_stretches_the_top_of_the_wait_range(config: QueuesConfig) -> None:
    engine = QueueEngine(config)
    busy_agent(engine, "a", {"rc"})
    engine.join(entry("c0", at=0.0), 0.0)
    top = engine.estimate("c0", 10.0).high
    cb = engine.accept_callback("c0", "+447700900123", 10.0).callback
    assert cb is not None
    settings = config.callback
    assert settings.promise_factor == 1.5
    assert cb.promised_by == 10.0 + top * 1.5 + settings.promise_margin_s


def test_a_misspelt_callback_setting_is_named_not_ignored() -> None:
    data = {"queues": {"rc": {}}, "callback": {"promise_factr": 2}}
    with pytest.raises(QueuesConfigError, match="callback: unknown key 'promise_factr'"):
        parse_queues_config(data, "q.yaml")
