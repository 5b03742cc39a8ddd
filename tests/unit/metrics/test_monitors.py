"""The two sampling tasks, one tick at a time (their clock and sleep are given)."""

from __future__ import annotations

from collections.abc import Mapping

from ivr.metrics.instruments import IvrMetrics
from ivr.metrics.monitors import LoopLagMonitor, OutboxDepth
from ivr.notify.outbox import SmsOutbox
from tests.unit.metrics.scrape import scrape, value


class FakeTime:
    """A clock that a sleep moves on by what was asked, plus how busy the loop was."""

    def __init__(self, busy: list[float]) -> None:
        self.now = 100.0
        self.busy = busy
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds + (self.busy.pop(0) if self.busy else 0.0)


async def test_the_lag_is_how_late_the_wake_up_came() -> None:
    metrics = IvrMetrics()
    time = FakeTime(busy=[0.0, 0.3])
    monitor = LoopLagMonitor(metrics, 0.5, clock=time.clock, sleep=time.sleep)
    assert await monitor.tick() == 0.0
    assert abs(await monitor.tick() - 0.3) < 1e-9
    got = scrape(metrics.registry)
    assert value(got, "ivr_event_loop_lag_seconds_count") == 2
    assert value(got, "ivr_event_loop_lag_seconds_bucket", le="0.25") == 1
    assert value(got, "ivr_event_loop_lag_seconds_bucket", le="0.5") == 2
    assert abs((value(got, "ivr_event_loop_lag_last_seconds") or 0) - 0.3) < 1e-9
    assert time.slept == [0.5, 0.5]


async def test_the_outbox_depth_counts_unsent_texts_on_the_outboxs_thread(
    db_location: str,
) -> None:
    outbox = SmsOutbox(db_location)
    await outbox.open()
    try:
        time = FakeTime(busy=[])
        depth = OutboxDepth(outbox.counts, 15.0, sleep=time.sleep)
        assert depth() is None
        await depth.tick()
        assert depth() == 0
        await outbox.enqueue("07700900123", "hello", "online-link")
        await outbox.enqueue("07700900456", "hello", "online-link")
        await depth.tick()
        assert depth() == 2 and time.slept == [15.0, 15.0]
    finally:
        await outbox.close()


async def test_a_failed_count_keeps_the_last_figure() -> None:
    answers: list[Mapping[str, int] | Exception] = [{"queued": 3, "sent": 9}, OSError("locked")]

    async def counts() -> Mapping[str, int]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    time = FakeTime(busy=[])
    depth = OutboxDepth(counts, sleep=time.sleep)
    await depth.tick()
    await depth.tick()
    assert depth() == 3
