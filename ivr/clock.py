"""The wall clock the app reads through (a leaf): the embedded harness and the tests
replace it to run a Tuesday morning or a bank holiday at will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]  # timezone-aware

# The forces' clock: what an admin or analyst means by "from 1 July" or "09:00".
UK = ZoneInfo("Europe/London")


def uk_time(when: datetime) -> datetime:
    """``when`` as given if it names its zone; a naive time is UK local time."""
    return when if when.tzinfo else when.replace(tzinfo=UK)


def parse_uk_time(text: str) -> datetime:
    """An ISO time, or a date (its midnight); without a zone, UK local time.
    ValueError names the text when it is neither."""
    try:
        return uk_time(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return uk_time(datetime.combine(date.fromisoformat(text), time()))
    except ValueError:
        raise ValueError(f"not a date or ISO time: {text!r}") from None


def utc_now() -> datetime:
    return datetime.now(UTC)
