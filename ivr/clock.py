"""The wall clock the app reads through (a leaf): the embedded harness and the tests
replace it to run a Tuesday morning or a bank holiday at will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]  # timezone-aware


def utc_now() -> datetime:
    return datetime.now(UTC)
