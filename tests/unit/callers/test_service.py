"""CallerService: the thread-backed CallerLookup the app uses, on a temporary database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.callers.model import EMPTY_PROFILE, CallerPolicy, CallRecord
from ivr.callers.pseudonym import Pseudonymiser
from ivr.callers.service import CallerHistoryDown, CallerService, build_caller_service
from ivr.callers.settings import CallerSettings
from ivr.store.db import CallStore
from ivr.store.engine import open_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def service(tmp_path: Path) -> CallerService:
    return CallerService(str(tmp_path / "calls.db"), Pseudonymiser("k"), CallerPolicy())


async def test_a_recorded_abandoned_call_links_the_redial_and_counts(db_location: str) -> None:
    callers = CallerService(db_location, Pseudonymiser("k"), CallerPolicy())
    await callers.open()
    start = NOW - timedelta(minutes=30)
    callers.record(
        CallRecord("07700 900123", "c1", start, "abandoned", ended_at=start + timedelta(minutes=5))
    )
    profile = await callers.profile("+447700900123", "c2", NOW)  # the same line, another form
    assert profile.known and profile.redial_of == "c1" and profile.recent_calls == 2
    assert callers.recorded == 1 and callers.pending == 0
    await callers.close()
    store = CallStore(db_location)
    (row,) = store.db.rows_where("caller_calls")
    assert "7700900123" not in str(row) and row["abandoned"] == 1  # no number at rest
    store.close()


async def test_withheld_callers_are_neither_looked_up_nor_recorded(tmp_path: Path) -> None:
    callers = service(tmp_path)  # never opened: touching the database would raise
    assert await callers.profile("anonymous", "c1", NOW) is EMPTY_PROFILE
    callers.record(CallRecord("", "c1", NOW, "abandoned"))
    assert (callers.pending, callers.failed) == (0, 0)
    await callers.close()


async def test_a_closed_history_raises_for_lookups_and_swallows_records(tmp_path: Path) -> None:
    callers = service(tmp_path)
    with pytest.raises(CallerHistoryDown):
        await callers.profile("07700900123", "c1", NOW)
    callers.record(CallRecord("07700900123", "c1", NOW, "completed"))
    await callers.close()
    assert callers.failed == 1
    callers.record(CallRecord("07700900123", "c2", NOW, "completed"))  # after shutdown
    assert callers.failed == 2


def test_settings_build_the_policy_and_the_key(tmp_path: Path) -> None:
    settings = CallerSettings(key="secret", repeat_calls=5, repeat_days=30)
    callers = build_caller_service(settings, str(tmp_path / "c.db"))
    assert callers.policy == CallerPolicy(5, 30, 10, 2.0)
    assert callers.pseudonyms.pseudonym("07700900123") == Pseudonymiser("secret").pseudonym(
        "07700900123"
    )
    assert "secret" not in repr(settings)


async def test_a_record_whose_postgresql_connection_was_lost_is_written_on_a_new_one(
    pg_url: str,
) -> None:
    """A server restart or failover drops the connection: the call is still recorded."""
    callers = CallerService(pg_url, Pseudonymiser("k"), CallerPolicy())
    await callers.open()
    try:
        pid = await callers._thread.run(lambda s: s.store.db.scalar("SELECT pg_backend_pid()"))
        admin = open_database(pg_url)
        try:  # the timeout makes it wait until that backend has gone
            assert admin.scalar("SELECT pg_terminate_backend(?, 5000)", [pid]) is True
        finally:
            admin.close()
        callers.record(CallRecord("07700900123", "c1", NOW, "abandoned"))
        await callers.flush()
        assert (callers.recorded, callers.failed) == (1, 0)
        profile = await callers.profile("07700900123", "c2", NOW)
        assert profile.recent_calls == 2
    finally:
        await callers.close()
