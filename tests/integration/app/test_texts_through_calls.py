"""Texts a call causes, through the simulator to a fake SMS provider over real HTTP.

Deflection by SMS link, the post-call survey, the text after a long wait
abandoned, and the text after a callback that never reached the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ivr.simulator import AgentProfile
from tests.integration.app.stack import running_stack
from tests.integration.app.test_queues import (
    CALLER,
    IN_MENU,
    callback_booked,
    hang_up,
    queue_settings,
    talking,
    until,
    until_callback,
    until_event,
)
from tests.integration.notify.provider import FakeProvider, free_port


@asynccontextmanager
async def provider() -> AsyncIterator[FakeProvider]:
    fake = FakeProvider(free_port())
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def texts_of(fake: FakeProvider, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The first ``count`` messages the provider received (waits for them)."""

    async def arrived() -> bool:
        return len(fake.received) >= count

    await until(arrived, timeout)
    return [r.json for r in fake.received]


async def outbox_kinds(stack: Any, call_id: str) -> list[str]:
    sms = stack.runtime.sms
    rows = await sms.outbox.run(lambda s: s.db.rows_where("sms_outbox", "call_id = ?", [call_id]))
    return [r["kind"] for r in rows]


async def test_accepting_the_online_link_texts_it_and_logs_the_call_as_deflected(
    tmp_path: Path,
) -> None:
    async with provider() as fake, running_stack(tmp_path, settings={"sms.url": fake.url}) as stack:
        call = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 2000}])
        await until_event(stack, call, "link-offered")
        await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
        row = await stack.call_row(call)
        assert (row["outcome"], row["destination"]) == ("deflected", "online")
        sent = await texts_of(fake, 1)
        assert sent[0]["to"] == "+447700900123"
        assert stack.runtime.settings.texts.online_link in sent[0]["body"]
        assert await outbox_kinds(stack, call) == ["deflection"]
        await stack.nothing_left()


async def test_declining_the_online_link_puts_the_caller_through_and_texts_nothing(
    tmp_path: Path,
) -> None:
    async with provider() as fake:
        settings = {"sms.url": fake.url, "sms.survey": False}
        async with running_stack(tmp_path, settings=settings) as stack:
            call = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 3000}])
            await until_event(stack, call, "link-offered")
            await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "2"})
            row = await stack.call_row(call)
            assert (row["outcome"], row["destination"]) == ("transferred", "rc")
            assert await outbox_kinds(stack, call) == []
            assert fake.received == []


async def test_a_call_a_person_answered_gets_one_survey_text(tmp_path: Path) -> None:
    agents = {"PJSIP/fcr-1": AgentProfile(answer_after=1.0, talk_for=2.0)}
    async with provider() as fake:
        settings = {"sms.url": fake.url, "flow.destinations": {"fcr": "PJSIP/fcr-1"}}
        async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
            call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
            row = await stack.call_row(call)
            assert row["outcome"] == "transferred"
            sent = await texts_of(fake, 1)
            assert "reply with 3 scores" in sent[0]["body"]
            assert await outbox_kinds(stack, call) == ["survey"]


async def test_no_survey_when_surveys_are_switched_off(tmp_path: Path) -> None:
    async with provider() as fake:
        settings = {"sms.url": fake.url, "sms.survey": False}
        async with running_stack(tmp_path, settings=settings) as stack:
            call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
            row = await stack.call_row(call)
            assert row["outcome"] == "transferred"
            assert await stack.texts_settled([call], 5)  # any text after the call is stored
            assert await outbox_kinds(stack, call) == []


async def test_a_caller_who_gives_up_after_a_long_wait_is_texted_a_way_back(
    tmp_path: Path,
) -> None:
    agents = {"PJSIP/fcr-1": talking(20.0)}
    async with provider() as fake:
        settings = queue_settings(
            tmp_path,
            changes={"sms.url": fake.url, "sms.survey": False, "flow.abandoned_sms_after_s": 0.3},
        )
        async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
            busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
            await until_event(stack, busy, "connected")
            waiting = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
            await until_event(stack, waiting, "callback-offered")
            await stack.sim_post(f"/_sim/calls/{waiting}/dtmf", {"digits": "2"})  # no thanks
            await until_event(stack, waiting, "callback-declined")
            await asyncio.sleep(0.4)  # time under test: longer than abandoned_sms_after_s
            await hang_up(stack, waiting)
            row = await stack.call_row(waiting)
            assert row["outcome"] == "abandoned"
            sent = await texts_of(fake, 1)
            assert "could not answer your call" in sent[0]["body"]
            assert await outbox_kinds(stack, waiting) == ["abandoned-callback-offer"]
            await hang_up(stack, busy)


async def test_a_callback_nobody_answers_is_retried_then_the_caller_is_texted(
    tmp_path: Path,
) -> None:
    agents = {
        "PJSIP/fcr-1": talking(2.0),
        f"Local/{CALLER}@ivr-callback": AgentProfile(reject=True),  # the caller's line is busy
    }
    async with provider() as fake:
        settings = queue_settings(tmp_path, changes={"sms.url": fake.url, "sms.survey": False})
        async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
            _, caller = await callback_booked(stack)
            await until_callback(stack, caller, "failed", timeout=30)
            book = stack.runtime.callbacks
            assert book is not None
            attempts = await book.book.run(lambda s: s.attempts(caller))
            assert [a["attempt"] for a in attempts] == [1, 2]  # max_attempts in QUEUES_YAML
            assert {a["outcome"] for a in attempts} == {"no-answer"}  # agent first: a busy line
            sent = await texts_of(fake, 1)
            assert "without reaching you" in sent[0]["body"]
            stored = await book.book.run(lambda s: s.get(caller))
            assert stored is not None and stored["number"] == ""


async def test_a_landline_caller_asking_for_online_is_told_where_to_go(tmp_path: Path) -> None:
    async with provider() as fake, running_stack(tmp_path, settings={"sms.url": fake.url}) as stack:
        call = await stack.place(
            [{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 3000}], caller="01632960123"
        )
        row = await stack.call_row(call)
        assert (row["outcome"], row["last_step"]) == ("completed", "hangup:goodbye")
        events = [e["kind"] for e in await stack.events(call)]
        assert "link-not-offered" in events and "dial" not in events
        assert fake.received == []
