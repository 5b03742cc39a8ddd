"""An open SMS outbox on a fresh database, for the notify tests: on each engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ivr.notify.outbox import SmsOutbox


@pytest.fixture
async def outbox(db_location: str) -> AsyncIterator[SmsOutbox]:
    box = SmsOutbox(db_location)
    await box.open()
    try:
        yield box
    finally:
        await box.close()
