"""An open SMS outbox on a fresh database, for the notify tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ivr.notify.outbox import SmsOutbox


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SmsOutbox]:
    box = SmsOutbox(str(tmp_path / "sms.db"))
    await box.open()
    try:
        yield box
    finally:
        await box.close()
