"""A chat database (on each engine: ``db_location``), its records opened, and a clock
moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.chat.model import ChatContext
from ivr.chat.store import ChatRecords

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class HandClock:
    """Stands still until a test moves it."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def move(self, **by: float) -> None:
        self.at += timedelta(**by)


def context(call_id: str = "call-1", *flags: str) -> ChatContext:
    return ChatContext(
        call_id=call_id,
        intent="report-theft",
        destination="rc",
        heard=("my bike was stolen", "from the station"),
        reference="",
        flags=tuple(flags),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A SQLite file (the tests not yet run on both engines)."""
    return str(tmp_path / "calls.db")


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
async def records(db_location: str) -> AsyncIterator[ChatRecords]:
    opened = ChatRecords(db_location)
    await opened.open()
    yield opened
    await opened.close()
