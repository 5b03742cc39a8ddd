"""Retention on a real database: numbers go after one age, whole calls after another;
on both engines (``db_location``)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from ivr.callers.history import CallerHistory
from ivr.callers.model import CallRecord
from ivr.decisions import Hypothesis
from ivr.notify.outbox import OutboxStore
from ivr.queues.book import DONE, WAITING, BookStore
from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.replay.model import Fidelity
from ivr.replay.replayer import Replayer
from ivr.replay.report import FirstCalls, TextReport
from ivr.replay.source import DecisionLog, Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.retention import KEYS_CLEARED, Retention, RetentionPolicy, RetentionWorker
from tests.unit.replay.support import fixture_log, keyed

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = RetentionPolicy(numbers_days=30, records_days=400)
NUMBER = "07700900123"


# What each engine raises when the audit trail's guard refuses a statement.
REFUSED = (sqlite3.IntegrityError, psycopg.errors.RaiseException)


@pytest.fixture
def store(db_location: str) -> Iterator[CallStore]:
    s = CallStore(db_location)
    yield s
    s.close()


def add_call(store: CallStore, call_id: str, days_ago: float, number: str = NUMBER) -> None:
    at = NOW - timedelta(days=days_ago)
    with write_transaction(store.db):
        store.call_started(
            {
                "call_id": call_id,
                "channel_id": f"ch-{call_id}",
                "caller_number": number,
                "caller_name": "Jo Bloggs" if number else "",
                "dialled": "101",
                "started_at": iso(at),
            }
        )
        store.add_event(call_id, iso(at), "dtmf", {"digit": "7", "during": "callback_number"})
        store.add_event(
            call_id, iso(at), "callback-number-invalid", {"reason": f"'{number}' is a landline"}
        )
        # A callback rings the caller's number (ivr.flows.callback_call).
        store.add_event(
            call_id,
            iso(at),
            "dial",
            {"destination": "rc", "endpoint": f"Local/{number}@ivr-callback"},
        )
        store.add_decision(
            call_id, iso(at), {"action": "transfer", "destination": "rc", "rule": "crime-report"}
        )


def call_row(store: CallStore, call_id: str) -> dict[str, object] | None:
    return store.get_call(call_id)


def events(store: CallStore, call_id: str) -> dict[str, dict[str, object]]:
    return {e["kind"]: e["detail"] for e in store.events_for(call_id)}


def purge(store: CallStore, *, batch: int = 500) -> dict[str, int]:
    return Retention(store.db, POLICY, batch=batch).purge(NOW).counts


def test_numbers_and_keyed_digits_go_after_numbers_days_but_the_routing_stays(
    store: CallStore,
) -> None:
    add_call(store, "old", days_ago=31)
    add_call(store, "recent", days_ago=29)
    counts = purge(store)
    old = call_row(store, "old")
    assert old is not None and (old["caller_number"], old["caller_name"]) == ("", "")
    assert events(store, "old")["dtmf"] == {"digit": "", "during": "callback_number"}
    assert events(store, "old")["callback-number-invalid"] == {"reason": ""}
    assert events(store, "old")["dial"] == {"destination": "rc", "endpoint": ""}
    assert store.decisions_for("old")[0]["rule"] == "crime-report"
    recent = call_row(store, "recent")
    assert recent is not None and recent["caller_number"] == NUMBER
    assert events(store, "recent")["dtmf"]["digit"] == "7"
    assert counts["calls: number and name blanked"] == 1
    assert counts["events: keyed digits and quoted numbers blanked"] == 3


def test_whole_calls_go_after_records_days_children_first(store: CallStore) -> None:
    add_call(store, "ancient", days_ago=401)
    add_call(store, "kept", days_ago=399)
    counts = purge(store)
    assert call_row(store, "ancient") is None
    assert store.events_for("ancient") == [] and store.decisions_for("ancient") == []
    assert call_row(store, "kept") is not None and len(store.events_for("kept")) == 3
    assert counts["calls deleted"] == 1
    assert counts["call events deleted"] == 3
    assert counts["decisions deleted"] == 1


def test_small_batches_reach_every_row(store: CallStore) -> None:
    for i in range(7):
        add_call(store, f"a{i}", days_ago=450)
        add_call(store, f"b{i}", days_ago=40, number="" if i == 3 else NUMBER)
    counts = purge(store, batch=2)
    assert counts["calls deleted"] == 7
    assert counts["calls: number and name blanked"] == 7  # the withheld one marked too
    assert counts["events: keyed digits and quoted numbers blanked"] == 21
    rows = store.recent_calls(100)
    assert sorted(r["call_id"] for r in rows) == [f"b{i}" for i in range(7)]
    assert {r["caller_number"] for r in rows} == {""}


def test_a_call_written_late_behind_blanked_ones_is_still_blanked(store: CallStore) -> None:
    add_call(store, "old", days_ago=35)
    purge(store)
    add_call(store, "late", days_ago=40)  # say, a clock set back, or a restored backup
    assert purge(store)["calls: number and name blanked"] == 1
    late = call_row(store, "late")
    assert late is not None and late["caller_number"] == ""


def test_a_run_ahead_of_time_leaves_nothing_behind(store: CallStore) -> None:
    """A purge with a clock running fast must not stop later runs blanking earlier calls."""
    Retention(store.db, POLICY).purge(NOW + timedelta(days=60))
    add_call(store, "old", days_ago=31)
    assert purge(store)["calls: number and name blanked"] == 1


def test_every_batch_is_its_own_timed_transaction(store: CallStore) -> None:
    for i in range(4):
        add_call(store, f"c{i}", days_ago=40)
    report = Retention(store.db, POLICY, batch=2).purge(NOW)
    # 2 blanking batches, the empty delete queries (one transaction per table step) and
    # the texts step: never one transaction for the whole run.
    assert report.transactions >= 3
    assert 0 < report.longest_hold_s < 1


def test_a_second_run_changes_nothing(store: CallStore) -> None:
    add_call(store, "old", days_ago=31)
    add_call(store, "ancient", days_ago=500)
    purge(store)
    assert Retention(store.db, POLICY).purge(NOW).total == 0


@pytest.fixture
def outbox(db_location: str) -> Iterator[OutboxStore]:
    box = OutboxStore(db_location)
    yield box
    box.close()


def text(outbox: OutboxStore, name: str, days_ago: float) -> int:
    """A text stored ``days_ago`` (still queued)."""
    return outbox.insert(
        {
            "reference": name,
            "call_id": name,
            "to_number": "+447700900123",
            "body": "How did we do?",
            "kind": "survey",
            "created_at": iso(NOW - timedelta(days=days_ago)),
        }
    )


def claimed(outbox: OutboxStore, row_id: int) -> int:
    """The one queued text claimed for sending, as the worker does before it settles it."""
    row = outbox.claim_next(iso(NOW), "", 60.0)
    assert row is not None and row["id"] == row_id
    return row_id


def test_texts_lose_their_recipient_then_go_with_their_survey_replies(
    outbox: OutboxStore,
) -> None:
    ids = {}
    for name, days in (("sent-old", 31), ("sent-new", 2), ("ancient", 401)):
        ids[name] = claimed(outbox, text(outbox, name, days))
        outbox.mark_sent(ids[name], "prov-1", iso(NOW - timedelta(days=days)))
    with write_transaction(outbox.db):
        outbox.db.execute(
            "INSERT INTO survey_responses (outbox_id, call_id, q1_overall, received_at)"
            " VALUES (?, 'ancient', 4, ?)",
            [ids["ancient"], iso(NOW - timedelta(days=400))],
        )
    counts = Retention(outbox.db, POLICY).purge(NOW).counts
    assert outbox.get(ids["sent-old"])["to_number"] == ""  # type: ignore[index]
    assert outbox.get(ids["sent-new"])["to_number"] == "+447700900123"  # type: ignore[index]
    assert outbox.get(ids["ancient"]) is None
    assert counts["survey replies deleted"] == 1 and counts["texts deleted"] == 1


def test_a_failed_text_loses_its_recipient_and_the_providers_error(
    outbox: OutboxStore,
) -> None:
    row_id = claimed(outbox, text(outbox, "failed", days_ago=31))
    outbox.mark_failed(row_id, "400: +447700900123 is not a valid recipient")
    report = Retention(outbox.db, POLICY).purge(NOW)
    row = outbox.get(row_id)
    assert row is not None and (row["to_number"], row["last_error"]) == ("", "")
    assert row["state"] == "failed" and report.counts["texts: recipient blanked"] == 1


def test_a_text_still_queued_keeps_its_number(outbox: OutboxStore) -> None:
    row_id = text(outbox, "queued", days_ago=500)
    Retention(outbox.db, POLICY).purge(NOW)
    assert outbox.get(row_id)["to_number"] == "+447700900123"  # type: ignore[index]


def test_finished_callbacks_and_their_attempts_go_after_records_days(db_location: str) -> None:
    book = BookStore(db_location)
    for call_id, days in (
        ("done-old", 401),
        ("done-new", 10),
        ("waiting-old", 401),
        ("waiting-new", 10),
    ):
        joined = (NOW - timedelta(days=days)).timestamp()
        entry = QueueEntry(
            call_id,
            "rc",
            Priority.NORMAL,
            joined,
            callback=Callback(NUMBER, accepted_at=joined, promised_by=joined + 1800),
        )
        book.accept(entry, joined)
        if call_id.startswith("done"):
            book.begin_attempt(call_id, 1, "rc-1", f"cb-{call_id}", joined + 60)
            book.finish_attempt(call_id, 1, "answered", joined + 120, state=DONE)
    counts = Retention(book.db, POLICY).purge(NOW).counts
    assert book.get("done-old") is None and book.attempts("done-old") == []
    assert book.get("done-new") is not None and len(book.attempts("done-new")) == 1
    waiting = book.get("waiting-new")
    assert waiting is not None and (waiting["state"], waiting["number"]) == (WAITING, NUMBER)
    expired = book.get("waiting-old")  # never placed (say, its queue was removed)
    assert expired is not None
    assert (expired["state"], expired["outcome"], expired["number"]) == ("failed", "expired", "")
    assert counts["callbacks deleted"] == 1 and counts["callback attempts deleted"] == 1
    assert counts["callbacks: stale ones expired"] == 1
    book.close()


def test_caller_history_and_lapsed_flags_go_but_flags_in_force_stay(store: CallStore) -> None:
    history = CallerHistory(store.db)
    long_ago = NOW - timedelta(days=420)
    with write_transaction(store.db):
        history.record_call("p" * 64, CallRecord("", "gone", long_ago, "transferred", "rc"))
        history.record_call("p" * 64, CallRecord("", "kept", NOW, "transferred", "rc"))
        history.set_flag(
            "p" * 64,
            "vulnerable",
            set_by="op",
            reason="lapsed",
            at=long_ago,
            expires_at=long_ago + timedelta(days=5),
        )
        history.set_flag(
            "q" * 64, "vulnerable", set_by="op", reason="in force", at=long_ago, expires_at=None
        )
        history.set_flag(
            "r" * 64, "nuisance", set_by="op", reason="cleared", at=long_ago, expires_at=None
        )
        history.clear_flag("r" * 64, "nuisance", cleared_by="op", at=long_ago + timedelta(days=1))
    counts = purge(store)
    assert [r["call_id"] for r in history.calls("p" * 64)] == ["kept"]
    assert [r["reason"] for r in history.flags("q" * 64, NOW)] == ["in force"]
    assert history.flags("r" * 64, NOW) == []
    assert counts["caller history: old flags deleted"] == 2  # lapsed, and cleared
    assert counts["caller history: calls deleted"] == 1


def test_policy_refuses_numbers_kept_longer_than_records() -> None:
    with pytest.raises(ValueError, match="numbers_days <= records_days"):
        RetentionPolicy(numbers_days=60, records_days=30)


async def test_the_worker_purges_at_start_and_stops_cleanly(db_location: str) -> None:
    store = CallStore(db_location)
    add_call(store, "ancient", days_ago=401)
    add_call(store, "old", days_ago=31)
    store.close()
    worker = RetentionWorker(db_location, POLICY, lambda: NOW, every_s=3600)
    await worker.open()
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(worker.ran.wait(), 10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()
    assert worker.last is not None and worker.last.counts["calls deleted"] == 1
    store = CallStore(db_location)
    old = store.get_call("old")
    assert store.get_call("ancient") is None and old is not None and old["caller_number"] == ""
    store.close()


def test_a_stopped_purge_ends_between_batches_and_the_next_run_finishes(
    store: CallStore,
) -> None:
    for i in range(6):
        add_call(store, f"c{i}", days_ago=40)
    stop = threading.Event()
    seen: list[str] = []

    def progress(step: str, n: int) -> None:
        seen.append(step)
        stop.set()  # as a shutdown would, after the first batch

    Retention(store.db, POLICY, batch=2, stop=stop).purge(NOW, progress)
    assert [r["caller_number"] for r in store.recent_calls()].count("") == 2
    Retention(store.db, POLICY, batch=2).purge(NOW)
    assert {r["caller_number"] for r in store.recent_calls()} == {""}


def add_audit(store: CallStore, who: str, days_ago: float) -> None:
    store.db.insert(
        "audit",
        {
            "at": iso(NOW - timedelta(days=days_ago)),
            "who": who,
            "action": "sign-in",
            "detail": "{}",
            "client": "10.0.0.1",
        },
    )


def audit_rows(store: CallStore) -> list[str]:
    return [r["who"] for r in store.db.rows_where("audit", order_by="id")]


def test_audit_rows_past_audit_days_go_recent_ones_stay_and_the_guard_is_back(
    store: CallStore,
) -> None:
    for n in range(5):
        add_audit(store, f"old-{n}", 120 + n)
    add_audit(store, "recent", 89)
    policy = POLICY.with_audit(90)
    report = Retention(store.db, policy, batch=2, rest=0).purge(NOW)
    assert audit_rows(store) == ["recent"]
    assert report.counts["audit trail: old rows deleted"] == 5
    with pytest.raises(REFUSED, match="append-only"):
        store.db.execute("DELETE FROM audit")
    with pytest.raises(REFUSED, match="append-only"):
        store.db.execute("UPDATE audit SET who = 'mallory'")
    assert audit_rows(store) == ["recent"]


def test_without_audit_days_the_audit_trail_is_left_alone(store: CallStore) -> None:
    add_audit(store, "old", 1000)
    Retention(store.db, POLICY, rest=0).purge(NOW)
    assert audit_rows(store) == ["old"]


def test_policy_refuses_a_non_positive_audit_age() -> None:
    with pytest.raises(ValueError, match="audit_days"):
        POLICY.with_audit(0)


async def test_keyed_digits_in_decisions_go_after_numbers_days_and_replay_skips_those_rows(
    db_location: str,
) -> None:
    """A number keyed at the menu is in the decision's evidence (twice), in its stored
    RoutingInputs and in its reason ("key '07700900123' is not a choice"): all go with the
    call's number. Replay cannot decide such a row again (its keys are gone): it counts
    the row apart, never as a changed call."""
    path = db_location
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    async with fixture_log(path) as log:
        log.decided("keyed", keyed(NUMBER, old))
        log.decided("menu", keyed("1", old))
        log.decided_before_inputs_were_stored("before", keyed(NUMBER, old))
        log.decided("said", RoutingInputs(at=old, hypotheses=(Hypothesis("my car", 0.9),)))
        log.decided("recent", keyed(NUMBER, recent))
    store = CallStore(path)
    try:
        counts = Retention(store.db, POLICY).purge(NOW).counts
        rows = {
            call_id: row
            for call_id, *row in store.db.execute(
                "SELECT call_id, evidence, inputs, reason FROM decisions"
            ).fetchall()
        }
    finally:
        store.close()
    assert counts["decisions: keyed digits blanked"] == 3
    assert [c for c, row in rows.items() if NUMBER in str(row)] == ["recent"]
    menu = json.loads(rows["menu"][0])
    assert (menu["digits"], menu["inputs"]["digits"], menu[KEYS_CLEARED]) == ("", "", True)
    assert json.loads(rows["menu"][1])["digits"] is None
    assert KEYS_CLEARED not in json.loads(rows["said"][0])  # nothing keyed: replayed as it was

    with DecisionLog(path) as decisions:
        summary = Replayer(RoutingEngine(load_bundle(None))).run(decisions, Period(), Sink())
    assert summary.keys_cleared == 3 and summary.skipped == 0
    assert summary.replayed == {Fidelity.EXACT: 2} and sum(summary.changed.values()) == 0
    report = TextReport(summary, FirstCalls(5), "t").render()
    assert "3 rows not replayed: their keyed digits were cleared after numbers_days" in report
    assert json.loads(json.dumps(summary.to_json()))["keys_cleared"] == 3


class Sink:
    def changed(self, call: object) -> None:
        raise AssertionError(f"no call should change: {call}")

    def overridden(self, call: object) -> None:
        raise AssertionError(f"no operator moved a call: {call}")
