"""The outbox against a fake SMS provider over real HTTP on 127.0.0.1.

The provider is an aiohttp server in the test: it receives real requests
(body, headers) and answers from a script, so outages, 429s and refusals
are what the gateway really sees. Backoff is shrunk to milliseconds so
the tests stay fast; only the Retry-After test waits (one second).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from ivr.config import load_settings
from ivr.notify.gateway import HttpGatewayConfig, HttpSmsGateway
from ivr.notify.outbox import OutboxStore, RetryPolicy, SmsOutbox, SmsWorker
from ivr.notify.service import SmsService
from ivr.notify.survey import SmsInbound, SurveyService
from tests.integration.notify.provider import FakeProvider, Reply, free_port

FAST = RetryPolicy(max_attempts=10, base_delay=0.02, max_delay=0.1)
AUTH = "Bearer provider-s3cret"


async def wait_until(
    worker: SmsWorker, check: Callable[[], Awaitable[bool]], timeout: float = 5.0
) -> None:
    """Re-check after each send attempt the worker records (sent, failed or retry)."""
    async with asyncio.timeout(timeout):
        while True:
            outcome = worker.next_outcome()  # before the read: none is missed
            if await check():
                outcome.cancel()
                return
            await outcome


@contextlib.asynccontextmanager
async def running(worker: SmsWorker) -> AsyncIterator[SmsWorker]:
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def outbox(db_location: str) -> AsyncIterator[SmsOutbox]:
    """The outbox on each engine in turn."""
    box = SmsOutbox(db_location)
    await box.open()
    yield box
    await box.close()


def gateway_for(url: str) -> HttpSmsGateway:
    return HttpSmsGateway(HttpGatewayConfig(url=url, auth_value=AUTH, timeout=2.0))


async def rows(outbox: SmsOutbox) -> list[dict[str, Any]]:
    return await outbox.run(lambda s: s.db.rows_where("sms_outbox", order_by="id"))


async def test_gateway_down_then_up_drains_the_outbox_and_loses_nothing(
    outbox: SmsOutbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = FakeProvider(free_port(), [Reply(503), Reply(503)])
    gateway = gateway_for(provider.url)
    worker = SmsWorker(outbox, gateway, sender="Police101", policy=FAST)
    try:
        async with running(worker):
            queued = [
                await outbox.enqueue(
                    "07700 900101", "Your online link: https://x/1", "online-link"
                ),
                await outbox.enqueue(
                    "07700 900102", 'Sorry we missed you "A&B" \\ 😀', "abandoned-callback-offer"
                ),
                await outbox.enqueue("+447700900103", "Third", "online-link", call_id="c3"),
            ]

            async def all_tried_while_down() -> bool:
                return all(r["attempts"] >= 2 for r in await rows(outbox))

            await wait_until(worker, all_tried_while_down)  # connection refused, more than once
            assert all(r["state"] in ("queued", "sending") for r in await rows(outbox))
            assert "Connect" in (await rows(outbox))[0]["last_error"]
            await provider.start()  # up, but 503 twice first

            async def drained() -> bool:
                return all(r["state"] == "sent" for r in await rows(outbox))

            await wait_until(worker, drained)
    finally:
        await gateway.close()
        await provider.stop()
    stored = await rows(outbox)
    assert {r["reference"] for r in stored} == {q.reference for q in queued}
    assert set(provider.references()) == {q.reference for q in queued}  # nothing lost
    assert len(provider.received) == 5  # two 503s, then each message once
    bodies = {r.json["to"]: r.json["body"] for r in provider.received}
    assert bodies["+447700900102"] == 'Sorry we missed you "A&B" \\ 😀'
    assert all(r.headers["Authorization"] == AUTH for r in provider.received)
    assert all(r.json["from"] == "Police101" for r in provider.received)
    for row in stored:
        assert row["attempts"] >= 3  # at least two refusals while down, then the send
        assert row["provider_id"].startswith("prov-")
        assert row["sent_at"]
    assert worker.sent == 3
    assert "s3cret" not in caplog.text  # the auth header is never logged


async def test_429_retry_after_is_honoured(outbox: SmsOutbox) -> None:
    provider = FakeProvider(free_port(), [Reply(429, headers={"Retry-After": "1"})])
    await provider.start()
    gateway = gateway_for(provider.url)
    try:
        async with running(SmsWorker(outbox, gateway, policy=FAST)) as worker:
            queued = await outbox.enqueue("07700 900123", "hello", "online-link")

            async def sent() -> bool:
                row = await outbox.get(queued.id)
                return row is not None and row["state"] == "sent"

            await wait_until(worker, sent)
    finally:
        await gateway.close()
        await provider.stop()
    first, second = provider.received
    assert second.at - first.at >= 0.95  # not the 10-20 ms the backoff alone would give
    assert first.json["reference"] == second.json["reference"] == queued.reference
    row = await outbox.get(queued.id)
    assert row is not None and row["attempts"] == 2


async def test_a_permanent_400_marks_the_message_failed_after_one_attempt(
    outbox: SmsOutbox,
) -> None:
    provider = FakeProvider(free_port(), [Reply(400, {"error": "invalid destination"})])
    await provider.start()
    gateway = gateway_for(provider.url)
    try:
        async with running(SmsWorker(outbox, gateway, policy=FAST)) as worker:
            queued = await outbox.enqueue("07700 900123", "hello", "online-link")

            async def failed() -> bool:
                row = await outbox.get(queued.id)
                return row is not None and row["state"] == "failed"

            await wait_until(worker, failed)
            assert await outbox.run(lambda s: s.next_due()) is None  # no retry is due, ever
    finally:
        await gateway.close()
        await provider.stop()
    row = await outbox.get(queued.id)
    assert row is not None
    assert row["attempts"] == 1
    assert "HTTP 400" in row["last_error"] and "invalid destination" in row["last_error"]
    assert len(provider.received) == 1


async def test_an_outage_longer_than_max_attempts_fails_the_message_with_the_reason(
    outbox: SmsOutbox,
) -> None:
    gateway = gateway_for(f"http://127.0.0.1:{free_port()}/v1/messages")  # nobody listening
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    try:
        async with running(SmsWorker(outbox, gateway, policy=policy)) as worker:
            queued = await outbox.enqueue("07700 900123", "hello", "online-link")

            async def failed() -> bool:
                row = await outbox.get(queued.id)
                return row is not None and row["state"] == "failed"

            await wait_until(worker, failed)
    finally:
        await gateway.close()
    row = await outbox.get(queued.id)
    assert row is not None
    assert row["attempts"] == 3
    assert row["last_error"].startswith("gave up after 3 attempts")


async def test_rows_left_sending_by_a_dead_process_are_sent_after_a_restart(
    db_location: str,
) -> None:
    before = SmsOutbox(db_location)
    await before.open()
    queued = await before.enqueue("07700 900123", "we will call you back", "callback-update")

    # The previous process claimed it (attempt counted) and died before the answer was
    # stored: its claim has not run out, and needs not (the same origin takes it back).
    def die_mid_send(store: OutboxStore) -> None:
        with store.db.transaction():
            store.db.execute(
                "UPDATE sms_outbox SET state = 'sending', attempts = 1, claimed_by = ?,"
                f" claim_until = {store.db.epoch_now()} + 3600 WHERE id = ?",
                [store.origin, queued.id],
            )

    await before.run(die_mid_send)
    await before.close()

    provider = FakeProvider(free_port())
    await provider.start()
    after = SmsOutbox(db_location)
    await after.open()
    gateway = HttpSmsGateway(
        HttpGatewayConfig(url=provider.url, idempotency_header="Idempotency-Key")
    )
    try:
        async with running(SmsWorker(after, gateway, policy=FAST)) as worker:

            async def sent() -> bool:
                row = await after.get(queued.id)
                return row is not None and row["state"] == "sent"

            await wait_until(worker, sent)
        row = await after.get(queued.id)
    finally:
        await gateway.close()
        await provider.stop()
        await after.close()
    assert row is not None and row["attempts"] == 2
    (request,) = provider.received
    # Same reference as the interrupted attempt: a de-duplicating provider sends one text.
    assert request.headers["Idempotency-Key"] == queued.reference
    assert request.json["reference"] == queued.reference


async def test_the_inbound_webhook_records_a_survey_reply(outbox: SmsOutbox) -> None:
    provider = FakeProvider(free_port())
    await provider.start()
    gateway = gateway_for(provider.url)
    survey = SurveyService(outbox)
    hook = web.Application()
    SmsInbound(survey, "hook-s3cret").register(hook)
    runner = web.AppRunner(hook)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/sms/inbound"
    secret = {"X-Sms-Secret": "hook-s3cret"}
    try:
        async with running(SmsWorker(outbox, gateway, policy=FAST)) as worker:
            offer = await survey.offer("call-1", "07700 900123", ["report_crime"])
            assert offer.outcome == "queued" and offer.outbox_id is not None
            outbox_id = offer.outbox_id

            async def sent() -> bool:
                row = await outbox.get(outbox_id)
                return row is not None and row["state"] == "sent"

            await wait_until(worker, sent)
        assert "reply with 3 scores" in provider.received[0].json["body"]

        async with aiohttp.ClientSession() as http:

            async def post(data: Any, headers: dict[str, str], *, form: bool = False) -> Any:
                kwargs: dict[str, Any] = {"data": data} if form else {"json": data}
                async with http.post(url, headers=headers, **kwargs) as resp:
                    return resp.status, await resp.json()

            status, body = await post({"from": "07700900123", "body": "5 4"}, {})
            assert status == 401
            status, body = await post({"from": "07700900123", "body": "5 4"}, secret)
            assert (status, "three scores" in body["error"]) == (400, True)
            status, body = await post({"from": "01632 960123", "body": "5 4 3"}, secret)
            assert (status, "landline" in body["error"]) == (400, True)
            status, body = await post({"from": "07700900999", "body": "5 5 5"}, secret)
            assert (status, body["recorded"]) == (202, False)  # we sent them no survey
            status, body = await post(
                {"from": "+447700900123", "body": "5 4 3 great service"}, secret, form=True
            )
            assert (status, body["recorded"], body["call_id"]) == (200, True, "call-1")
            status, body = await post(
                {"from": "07700 900123", "body": "5,4,4", "reference": "sms-other"}, secret
            )
            assert status == 202  # a reference that is not this number's survey
    finally:
        await gateway.close()
        await provider.stop()
        await runner.cleanup()
    (response,) = await outbox.run(lambda s: s.db.rows_where("survey_responses"))
    assert response["outbox_id"] == outbox_id
    assert response["call_id"] == "call-1"
    assert (response["q1_overall"], response["q2_time_to_answer"], response["q3_dealt_with"]) == (
        5,
        4,
        3,
    )
    assert response["comment"] == "great service"


async def test_with_no_url_sms_is_disabled_and_messages_stay_queued(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(env={"IVR_DB": str(tmp_path / "ivr.db")})
    sms = SmsService.from_settings(settings.sms, settings.store.db_path)
    async with sms.running():
        queued = await sms.outbox.enqueue("07700 900123", "hello", "online-link")
        await asyncio.sleep(0.05)
        row = await sms.outbox.get(queued.id)
        assert row is not None and (row["state"], row["attempts"]) == ("queued", 0)
    assert caplog.text.count("SMS disabled") == 1
