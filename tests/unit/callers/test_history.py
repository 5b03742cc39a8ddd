"""CallerHistory on a real (temporary) database, on each engine: thresholds, flags, re-dial
links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.callers.history import CallerHistory
from ivr.callers.model import CallerPolicy, CallRecord
from ivr.store.db import CallStore

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
P = "p" * 64
POLICY = CallerPolicy(repeat_calls=3, repeat_days=7, nuisance_calls_per_day=4, redial_link_hours=2)


@pytest.fixture
def history(db_location: str) -> Iterator[CallerHistory]:
    store = CallStore(db_location)
    yield CallerHistory(store.db)
    store.close()


def call(
    history: CallerHistory,
    call_id: str,
    ago: timedelta,
    outcome: str = "transferred",
    lasted: timedelta = timedelta(minutes=3),
    pseudonym: str = P,
) -> None:
    start = NOW - ago
    history.record_call(
        pseudonym, CallRecord("", call_id, start, outcome, "rc", ended_at=start + lasted)
    )


def test_a_first_call_is_one_recent_call_and_carries_no_flags(history: CallerHistory) -> None:
    profile = history.profile(P, "now", NOW, POLICY)
    assert (profile.recent_calls, profile.calls_today, profile.flags) == (1, 1, frozenset())
    assert profile.redial_of is None


def test_repeat_is_computed_at_the_threshold_within_the_window(history: CallerHistory) -> None:
    call(history, "old", timedelta(days=8))  # outside the 7 days
    call(history, "c1", timedelta(days=6))
    assert "repeat" not in history.profile(P, "now", NOW, POLICY).flags  # 2 calls with this
    call(history, "c2", timedelta(days=1, hours=1))
    profile = history.profile(P, "now", NOW, POLICY)
    assert profile.recent_calls == 3 and "repeat" in profile.flags  # the third call
    assert profile.calls_today == 1


def test_the_current_call_is_never_counted_twice(history: CallerHistory) -> None:
    call(history, "c1", timedelta(days=1))
    call(history, "now", timedelta(0))  # an adopted call that already has a row
    assert history.profile(P, "now", NOW, POLICY).recent_calls == 2


def test_nuisance_is_more_than_the_daily_limit_or_a_stored_flag(history: CallerHistory) -> None:
    for n in range(3):
        call(history, f"c{n}", timedelta(hours=n + 1))
    assert "nuisance" not in history.profile(P, "now", NOW, POLICY).flags  # 4 = the limit
    call(history, "c3", timedelta(hours=5))
    assert "nuisance" in history.profile(P, "now", NOW, POLICY).flags  # 5 > 4
    other = "q" * 64
    history.set_flag(other, "nuisance", set_by="op", reason="abuse", at=NOW, expires_at=None)
    assert "nuisance" in history.profile(other, "now", NOW, POLICY).flags


def test_flags_lapse_at_expiry_and_clearing_keeps_the_row(history: CallerHistory) -> None:
    history.set_flag(
        P,
        "vulnerable",
        set_by="op1",
        reason="lives alone",
        at=NOW - timedelta(days=89),
        expires_at=NOW + timedelta(days=1),
    )
    assert "vulnerable" in history.profile(P, "now", NOW, POLICY).flags
    later = NOW + timedelta(days=1, seconds=1)
    assert "vulnerable" not in history.profile(P, "now", later, POLICY).flags
    assert history.clear_flag(P, "vulnerable", cleared_by="op2", at=later) == 0  # already lapsed

    history.set_flag(P, "hate-incident", set_by="op1", reason="r", at=NOW, expires_at=None)
    history.set_flag(P, "hate-incident", set_by="op2", reason="r2", at=NOW, expires_at=None)
    (row,) = [r for r in history.flags(P, NOW) if r["flag"] == "hate-incident"]  # superseded
    assert (row["flag"], row["set_by"], row["reason"]) == ("hate-incident", "op2", "r2")
    assert history.clear_flag(P, "hate-incident", cleared_by="op3", at=NOW) == 1
    assert [r["flag"] for r in history.flags(P, NOW)] == ["vulnerable"]
    assert history.db.count("caller_flags") == 3  # audit trail


def test_a_redial_within_two_hours_of_an_abandoned_call_is_linked(history: CallerHistory) -> None:
    # Abandoned after waiting 20 minutes; the re-dial is timed from when they gave up.
    call(history, "gave-up", timedelta(hours=2, minutes=10), "abandoned", timedelta(minutes=20))
    profile = history.profile(P, "now", NOW, POLICY)
    assert profile.redial_of == "gave-up"
    assert profile.redial_after_s == pytest.approx(110 * 60)


def test_a_redial_after_two_hours_is_not_linked(history: CallerHistory) -> None:
    call(history, "gave-up", timedelta(hours=2, minutes=1), "abandoned", timedelta(0))
    assert history.profile(P, "now", NOW, POLICY).redial_of is None


def test_only_the_call_just_before_can_be_redialled(history: CallerHistory) -> None:
    call(history, "gave-up", timedelta(minutes=50), "abandoned", timedelta(minutes=1))
    call(history, "answered", timedelta(minutes=30), "transferred")
    assert history.profile(P, "now", NOW, POLICY).redial_of is None
    call(history, "other-caller", timedelta(minutes=5), "abandoned", pseudonym="q" * 64)
    assert history.profile(P, "now", NOW, POLICY).redial_of is None


def test_an_adopted_call_updates_its_row_and_keeps_its_start(history: CallerHistory) -> None:
    call(history, "c1", timedelta(hours=1), "handed-to-dialplan")
    history.record_call(P, CallRecord("", "c1", NOW, "transferred", "fcr", linked_call_id="x"))
    (row,) = history.calls(P)
    assert (row["outcome"], row["destination"], row["abandoned"]) == ("transferred", "fcr", 0)
    assert row["at"].startswith("2026-11-24T08:00")


def test_a_ring_back_after_taking_a_chat_link_is_linked_to_that_call(
    history: CallerHistory,
) -> None:
    """The caller may never have got through on chat: their ring-back is not a new start."""
    call(history, "to-chat", timedelta(hours=1), "deflected:chat", timedelta(minutes=2))
    profile = history.profile(P, "now", NOW, POLICY)
    assert (profile.redial_of, profile.redial_of_outcome) == ("to-chat", "deflected:chat")
    assert profile.redial_after_s == pytest.approx(58 * 60)
    call(history, "gave-up", timedelta(minutes=30), "abandoned", timedelta(minutes=1))
    assert history.profile(P, "now", NOW, POLICY).redial_of_outcome == "abandoned"


@pytest.mark.parametrize("outcome", ["deflected", "transferred", "callback"])
def test_other_ended_calls_are_not_redialled(history: CallerHistory, outcome: str) -> None:
    call(history, "earlier", timedelta(minutes=30), outcome)
    profile = history.profile(P, "now", NOW, POLICY)
    assert (profile.redial_of, profile.redial_of_outcome) == (None, "")


def test_a_ring_back_long_after_the_chat_link_is_not_linked(history: CallerHistory) -> None:
    call(history, "to-chat", timedelta(hours=2, minutes=5), "deflected:chat", timedelta(0))
    assert history.profile(P, "now", NOW, POLICY).redial_of is None
