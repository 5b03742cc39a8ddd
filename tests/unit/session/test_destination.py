"""Where a call went: a decision that goes nowhere leaves no literal 'None' behind."""

from __future__ import annotations

from ivr.decisions import Decision
from ivr.session.model import CallInfo
from ivr.session.outcomes import CallOutcome
from ivr.session.session import CallSession
from ivr.store.db import CallStore
from ivr.store.migrations import MIGRATIONS, _m8_no_none_destinations
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, fixed_clock

M8_VERSION = MIGRATIONS.index(_m8_no_none_destinations) + 1


def _session() -> tuple[CallSession, MemoryCallLog]:
    call_log = MemoryCallLog()
    control = FakeControl()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(info, control, FakePrompts(), call_log, [], lambda: [], fixed_clock)
    return session, call_log


def test_a_decision_without_a_destination_is_stored_as_empty_not_none() -> None:
    session, call_log = _session()
    session.record_decision(Decision("route", "rc", rule="confirm", reason="caller confirmed"))
    session.record_decision(Decision("reprompt", None, rule="no-match", reason="ask again"))
    assert session.destination == ""
    assert call_log.rows["call-1"]["destination"] == ""
    assert "None" not in session.categories
    assert call_log.decisions[-1]["destination"] is None  # the Decision itself says none


def test_an_outcome_that_names_no_destination_keeps_the_one_before() -> None:
    """Only a Decision moves the call: settling how it ends, or a conversation taken
    over after a restart, leaves the destination it was routed to."""
    session, call_log = _session()
    session.record_decision(Decision("route", "fcr", rule="keypad", reason="caller pressed 2"))
    session.settle(CallOutcome.CALLBACK)
    assert session.destination == "fcr"
    session.connected("leg-1", None)
    assert (session.outcome, session.destination) == (CallOutcome.TRANSFERRED, "fcr")
    assert call_log.rows["call-1"]["destination"] == "fcr"


def test_migration_repairs_destinations_stored_as_the_text_none(db_location: str) -> None:
    store = CallStore(db_location)
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    store.call_updated("c1", {"destination": "None"})
    store.call_started({"call_id": "c2", "channel_id": "c2", "started_at": "t0"})
    store.call_updated("c2", {"destination": "rc"})
    # Later steps do not repair this: only m8 runs again.
    store.db.execute("DELETE FROM schema_migrations WHERE version = ?", [M8_VERSION])
    # an older release wrote the 'None'
    store.db.execute(
        "INSERT INTO caller_calls (call_id, pseudonym, at, outcome, destination)"
        " VALUES ('c1', 'p', 't0', 'abandoned', 'None')"
    )
    store.close()
    store = CallStore(db_location)
    calls = {r["call_id"]: r["destination"] for r in store.db.rows_where("calls")}
    history = [r["destination"] for r in store.db.rows_where("caller_calls")]
    store.close()
    assert calls == {"c1": "", "c2": "rc"}
    assert history == [""]
