"""A small queues config for unit tests (the shipped file is tested separately)."""

from __future__ import annotations

import pytest

from ivr.queues.model import HandlingTime, QueuesConfig, QueueSettings


def small_config(capacity: int = 5) -> QueuesConfig:
    handling = HandlingTime(300.0, 720.0)
    return QueuesConfig(
        queues={
            name: QueueSettings(name, handling, capacity=capacity, callback_offer_above_s=600.0)
            for name in ("rc", "fcr", "switchboard")
        }
    )


@pytest.fixture
def config() -> QueuesConfig:
    return small_config()
