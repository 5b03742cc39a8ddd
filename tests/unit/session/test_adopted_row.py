"""An adopted call's row: its start and its duration agree.

The first process stored the start it saw (its StasisStart); the process that adopts
the call counts from the caller's channel's creation, a little earlier. The real
Asterisk resilience test caught the row saying one start and counting from another.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.store.db import iso
from ivr.store.log import SqliteCallLog
from tests.fakes import FakeControl, FakePrompts

CREATED = datetime(2026, 11, 24, 9, 0, 0, 100_000, tzinfo=UTC)
FIRST_SEEN = CREATED + timedelta(milliseconds=12)
ENDED = CREATED + timedelta(seconds=30, milliseconds=637)


async def test_an_adopted_call_ends_with_the_start_its_duration_counts_from(
    tmp_path: Path,
) -> None:
    call_log = SqliteCallLog(str(tmp_path / "calls.db"))
    await call_log.open()
    writer = asyncio.create_task(call_log.run())
    call_log.call_started(
        {"call_id": "call-1", "channel_id": "ch-1", "started_at": iso(FIRST_SEEN)}
    )
    control = FakeControl()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(
        info, control, FakePrompts(), call_log, [], list, lambda: ENDED, None, started_at=CREATED
    )
    await session.run()
    await call_log.flush()
    row = await call_log.query(lambda store: store.get_call("call-1"))
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    assert row is not None
    assert row["started_at"] == iso(CREATED)
    counted = datetime.fromisoformat(row["ended_at"]) - datetime.fromisoformat(row["started_at"])
    assert row["duration_s"] == counted.total_seconds() == 30.637
