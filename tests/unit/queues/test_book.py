"""The callback book: a caller's accepted callback and every attempt, on each engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivr.queues.book import (
    DONE,
    FAILED,
    PLACING,
    WAITING,
    BookStore,
    CallbackBook,
    DoubleAttempt,
)
from ivr.queues.model import Callback, Priority, QueueEntry

NUMBER = "07700900123"


def booked(
    call_id: str = "c1",
    *,
    joined_at: float = 100.0,
    seq: int = 1,
    priority: Priority = Priority.NORMAL,
    flags: frozenset[str] = frozenset(),
) -> QueueEntry:
    return QueueEntry(
        call_id,
        "rc",
        priority,
        joined_at,
        flags=flags,
        intent="report_crime",
        seq=seq,
        callback=Callback(NUMBER, accepted_at=joined_at + 60, promised_by=joined_at + 1800),
    )


@pytest.fixture
def store(db_location: str) -> Iterator[BookStore]:
    book = BookStore(db_location)  # migrates a new database itself
    try:
        yield book
    finally:
        book.close()


def test_an_accepted_callback_survives_reopening_the_database(db_location: str) -> None:
    entry = booked(flags=frozenset({"vulnerable", "repeat-victim"}), priority=Priority.PRIORITY)
    first = BookStore(db_location)
    first.accept(entry, now=160.0)
    first.close()
    again = BookStore(db_location)
    try:
        (restored,) = again.open_callbacks()
        assert restored.entry == entry
        assert (restored.state, restored.late_sms) == (WAITING, False)
        row = again.get("c1")
        assert row is not None and row["number"] == NUMBER and row["attempts"] == 0
    finally:
        again.close()


def test_each_attempt_is_counted_before_it_is_placed(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    row = store.get("c1")
    assert row is not None and (row["state"], row["attempts"]) == (PLACING, 1)
    (attempt,) = store.attempts("c1")
    assert (attempt["attempt"], attempt["agent_id"], attempt["channel_id"]) == (
        1,
        "agent-1",
        "cb-x-1",
    )
    assert attempt["outcome"] == "placing" and attempt["started_at"] == 200.0


def test_an_attempt_already_placing_is_never_begun_twice(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    with pytest.raises(DoubleAttempt, match="not due"):
        store.begin_attempt("c1", 1, "agent-2", "cb-y-1", now=201.0)
    assert [a["channel_id"] for a in store.attempts("c1")] == ["cb-x-1"]


@pytest.mark.parametrize(("call_id", "attempt"), [("c1", 2), ("c1", 0), ("nobody", 1)])
def test_an_attempt_that_is_not_the_next_one_is_refused(
    store: BookStore, call_id: str, attempt: int
) -> None:
    store.accept(booked(), now=160.0)
    with pytest.raises(DoubleAttempt):
        store.begin_attempt(call_id, attempt, "agent-1", "cb-x", now=200.0)
    row = store.get("c1")
    assert row is not None and (row["state"], row["attempts"]) == (WAITING, 0)
    assert store.attempts("c1") == []


def test_an_unanswered_attempt_waits_for_its_retry_and_keeps_the_number(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    store.finish_attempt("c1", 1, "no-answer", 230.0, state=WAITING, ready_at=530.0)
    row = store.get("c1")
    assert row is not None
    assert (row["state"], row["outcome"], row["ready_at"], row["attempts"]) == (
        WAITING,
        "no-answer",
        530.0,
        1,
    )
    assert row["number"] == NUMBER
    (attempt,) = store.attempts("c1")
    assert (attempt["outcome"], attempt["ended_at"]) == ("no-answer", 230.0)
    # the retry is attempt 2, and only attempt 2
    store.begin_attempt("c1", 2, "agent-1", "cb-x-2", now=600.0)
    assert [a["attempt"] for a in store.attempts("c1")] == [1, 2]


@pytest.mark.parametrize(("outcome", "state"), [("answered", DONE), ("no-answer", FAILED)])
def test_a_finished_callback_keeps_no_phone_number(
    store: BookStore, outcome: str, state: str
) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    store.finish_attempt("c1", 1, outcome, 230.0, state=state, detail="kept")
    row = store.get("c1")
    assert row is not None and (row["state"], row["outcome"], row["number"]) == (
        state,
        outcome,
        "",
    )
    assert store.attempts("c1")[0]["detail"] == "kept"
    assert store.open_callbacks() == []


def test_an_attempt_the_caller_never_heard_can_give_the_count_back(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    store.finish_attempt("c1", 1, "agent-no-answer", 225.0, state=WAITING, attempts=0)
    row = store.get("c1")
    assert row is not None and (row["state"], row["attempts"]) == (WAITING, 0)
    assert row["number"] == NUMBER


def test_after_the_agent_did_not_answer_the_same_attempt_can_be_placed(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    store.finish_attempt("c1", 1, "agent-no-answer", 225.0, state=WAITING, attempts=0)
    store.begin_attempt("c1", 1, "agent-2", "cb-y-1", now=300.0)
    row = store.get("c1")
    assert row is not None and (row["state"], row["attempts"]) == (PLACING, 1)


def test_a_begin_attempt_that_cannot_record_its_attempt_changes_nothing(store: BookStore) -> None:
    store.accept(booked(), now=160.0)
    # A row that already holds the channel id (unique) makes the INSERT fail.
    store.db.execute(
        "INSERT INTO callback_attempts (call_id, attempt, channel_id, started_at)"
        " VALUES ('other', 1, 'cb-x-1', 1.0)"
    )
    with pytest.raises(Exception, match=r"(?i)unique"):  # SQLite's words, or PostgreSQL's
        store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    row = store.get("c1")
    assert row is not None and (row["state"], row["attempts"]) == (WAITING, 0)


def test_open_callbacks_are_the_waiting_and_placing_ones_in_queue_order(
    store: BookStore,
) -> None:
    store.accept(booked("late", joined_at=300.0, seq=7), now=400.0)
    store.accept(booked("tie-b", joined_at=200.0, seq=5), now=400.0)
    store.accept(booked("tie-a", joined_at=200.0, seq=4), now=400.0)
    store.accept(booked("done", joined_at=50.0, seq=1), now=400.0)
    store.accept(booked("failed", joined_at=60.0, seq=2), now=400.0)
    store.begin_attempt("done", 1, "a", "cb-d-1", now=500.0)
    store.finish_attempt("done", 1, "answered", 510.0, state=DONE)
    store.begin_attempt("failed", 1, "a", "cb-f-1", now=520.0)
    store.finish_attempt("failed", 1, "busy", 530.0, state=FAILED)
    store.begin_attempt("late", 1, "a", "cb-l-1", now=540.0)
    store.mark_late_sms("tie-b", now=550.0)
    opened = store.open_callbacks()
    assert [(b.entry.call_id, b.state, b.late_sms) for b in opened] == [
        ("tie-a", WAITING, False),
        ("tie-b", WAITING, True),
        ("late", PLACING, False),
    ]
    late = opened[2].entry.callback
    assert late is not None and late.attempts == 1


async def test_the_async_book_runs_queries_once_open_and_refuses_when_closed(
    db_location: str,
) -> None:
    book = CallbackBook(db_location)
    with pytest.raises(RuntimeError, match="not open"):
        await book.run(lambda s: s.open_callbacks())
    await book.open()
    entry = booked()
    await book.run(lambda s: s.accept(entry, 160.0))
    opened = await book.run(lambda s: s.open_callbacks())
    await book.close()
    assert [b.entry for b in opened] == [entry]
    with pytest.raises(RuntimeError, match="not open"):
        await book.run(lambda s: s.open_callbacks())


def test_an_operators_call_now_is_kept_for_a_restart_while_the_callback_waits(
    store: BookStore,
) -> None:
    store.accept(booked(), 160.0)
    assert store.ready_now("c1", 500.0)
    (open_one,) = store.open_callbacks()
    assert open_one.entry.callback is not None and open_one.entry.callback.ready_at == 500.0
    store.begin_attempt("c1", 1, "rc-1", "cb-c1-1", 510.0)
    assert not store.ready_now("c1", 520.0)  # ringing: nothing to make ready


def test_accepting_a_call_again_books_it_afresh(store: BookStore) -> None:
    """A second acceptance for the same call replaces the first row whole (outcome,
    late text and attempts too), as INSERT OR REPLACE did before ON CONFLICT."""
    store.accept(booked(joined_at=100.0), now=160.0)
    store.begin_attempt("c1", 1, "agent-1", "cb-x-1", now=200.0)
    store.finish_attempt("c1", 1, "no-answer", 230.0, state=WAITING, ready_at=530.0)
    store.mark_late_sms("c1", now=240.0)
    again = booked(joined_at=300.0, seq=9, flags=frozenset({"vulnerable"}))
    store.accept(again, now=400.0)
    (restored,) = store.open_callbacks()
    assert (restored.entry, restored.state, restored.late_sms) == (again, WAITING, False)
    row = store.get("c1")
    assert row is not None
    assert (row["outcome"], row["attempts"], row["updated_at"]) == ("", 0, 400.0)
