"""A caller who books a callback and then breaks out to 999 is not rung back, ever.

The callback is committed before "thank you" plays; a 9 during the thanks takes the
caller to the emergency route, and the callback must go with it: out of the queue,
closed in the book (so that no restart places it), and the call no longer recorded as
a callback. The real CallbackWorker and book, the real FlowBuilder and queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ivr.queues.book import CallbackBook
from ivr.queues.callbacks import CallbackWorker
from ivr.queues.service import QueueService
from ivr.session.events import CallerHungUp
from ivr.session.session import CallSession
from tests.unit.queues.test_callbacks import FakeCalls, eventually
from tests.unit.session.test_emergency_breakout import (
    WatchedLog,
    busy_queues,
    key,
    make_call,
    rc_queue_offering_callbacks,
)


@dataclass
class Booked:
    session: CallSession
    log: WatchedLog
    queues: QueueService
    worker: CallbackWorker
    book: CallbackBook


@pytest.fixture(params=["callback_thank_you", "goodbye"])
async def booked_then_999(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Booked]:
    """Yes to a callback, yes to the number, then 9 while being thanked or told goodbye
    (the queue step is over by then: the break-out is settled by the session)."""
    nine_during = str(request.param)
    queues = busy_queues()
    book = CallbackBook(str(tmp_path / "calls.db"))
    await book.open()
    worker = CallbackWorker(queues, book, FakeCalls(), None)
    cues = [
        ("callback_offer", False, key("1")),
        ("callback_number_is", False, key("1")),
        (nine_during, True, key("9")),
    ]
    call = make_call(cues, rc_queue_offering_callbacks, queues=queues, desk=worker)
    session, control, log = call.session, call.control, call.log
    task = asyncio.create_task(session.run())
    try:
        await log.until(lambda: "transfer:emergency" in log.steps())
        yield Booked(session, log, queues, worker, book)
        control.push(CallerHungUp())
        await task
    finally:
        task.cancel()
        await worker.close()
        queues.close()
        await book.close()


async def test_a_callback_booked_before_a_999_break_out_is_withdrawn_everywhere(
    booked_then_999: Booked,
) -> None:
    call = booked_then_999
    assert "callback-accepted" in call.log.kinds()  # committed before the thanks
    assert call.queues.place_of("call-1") is None  # no virtual place left to be placed
    withdrawn = [d for _, kind, d in call.log.events if kind == "callback-withdrawn"]
    assert withdrawn == [{"reason": "emergency"}]

    async def closed() -> bool:  # the book is written in the background
        found = await call.book.run(lambda s: s.get("call-1"))
        return found is not None and found["state"] != "waiting"

    await eventually(call.worker, closed)
    row = await call.book.run(lambda s: s.get("call-1"))
    assert row is not None
    assert (row["state"], row["outcome"], row["number"]) == (
        "withdrawn",
        "withdrawn-emergency",
        "",
    )
    # A restart neither places it nor lets the caller go as one who booked.
    assert await call.book.run(lambda s: s.open_callbacks()) == []
    assert await call.worker.booked_queue("call-1") is None
    assert call.session.outcome != "callback"


async def test_a_call_that_withdrew_its_callback_is_not_recorded_as_a_callback(
    booked_then_999: Booked,
) -> None:
    call = booked_then_999
    call.session.control.push(CallerHungUp())  # type: ignore[attr-defined]
    await call.session.done.wait()
    row = call.log.rows["call-1"]
    assert row["outcome"] == "abandoned" and row["destination"] == "emergency"
