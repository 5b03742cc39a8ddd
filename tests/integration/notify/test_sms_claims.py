"""The SMS outbox shared by several nodes: each text claimed by one node for each send,
a dead node's send taken over once its claim runs out (ivr.ha.claims), on each engine.

Two outboxes with different origins on one call database are two nodes; the provider
is a real HTTP server on 127.0.0.1 that counts the references it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from ivr.notify.gateway import HttpGatewayConfig, HttpSmsGateway
from ivr.notify.outbox import OutboxStore, SmsOutbox, SmsWorker
from ivr.store.db import iso
from tests.integration.notify.provider import FakeProvider, free_port
from tests.integration.notify.test_sms_http import FAST, rows, running

A, B = "ari:http://asterisk-a:8088:ivr101", "ari:http://asterisk-b:8088:ivr101"
TEXTS = 20
LEASE_S = 60.0
LATER = iso(datetime.now(UTC) + timedelta(days=1))  # every stored text is due by then


@contextlib.asynccontextmanager
async def outboxes(db_location: str, *origins: str) -> AsyncIterator[list[SmsOutbox]]:
    """One node's outbox per origin, on one call database."""
    boxes = [SmsOutbox(db_location, origin=origin) for origin in origins]
    for box in boxes:
        await box.open()
    try:
        yield boxes
    finally:
        for box in boxes:
            await box.close()


@contextlib.contextmanager
def stores(db_location: str, *origins: str) -> Iterator[list[OutboxStore]]:
    found = [OutboxStore(db_location, origin) for origin in origins]
    try:
        yield found
    finally:
        for store in found:
            store.close()


@contextlib.asynccontextmanager
async def provider_up() -> AsyncIterator[FakeProvider]:
    provider = FakeProvider(free_port())
    await provider.start()
    try:
        yield provider
    finally:
        await provider.stop()


async def until_either(workers: list[SmsWorker], check: Callable[[], Awaitable[bool]]) -> None:
    """Re-check after each send outcome any of the workers stores."""
    async with asyncio.timeout(10):
        while True:
            outcomes = [worker.next_outcome() for worker in workers]  # before the read
            if await check():
                for outcome in outcomes:
                    outcome.cancel()
                return
            _, pending = await asyncio.wait(outcomes, return_when=asyncio.FIRST_COMPLETED)
            for outcome in pending:
                outcome.cancel()


def run_out(store: OutboxStore, origin: str) -> None:
    """``origin``'s node died mid-send: its claim was never renewed and has run out."""
    store.db.execute("UPDATE sms_outbox SET claim_until = 0 WHERE claimed_by = ?", [origin])


def text(store: OutboxStore, n: int) -> int:
    return store.insert(
        {
            "reference": f"sms-{n}",
            "call_id": f"c{n}",
            "to_number": "+447700900123",
            "body": f"text {n}",
            "kind": "online-link",
            "created_at": iso(datetime.now(UTC)),
        }
    )


async def test_two_nodes_send_every_text_exactly_once(db_location: str) -> None:
    async with outboxes(db_location, A, B) as boxes, provider_up() as provider:
        queued = [
            await boxes[n % 2].enqueue("07700 900123", f"text {n}", "online-link")
            for n in range(TEXTS)
        ]
        gateways = [HttpSmsGateway(HttpGatewayConfig(url=provider.url)) for _ in boxes]
        workers = [SmsWorker(box, gw, policy=FAST) for box, gw in zip(boxes, gateways, strict=True)]
        try:
            async with running(workers[0]), running(workers[1]):

                async def all_sent() -> bool:
                    return all(r["state"] == "sent" for r in await rows(boxes[0]))

                await until_either(workers, all_sent)
        finally:
            for gateway in gateways:
                await gateway.close()
        sent = Counter(provider.references())
        assert sent == Counter(q.reference for q in queued), f"sent twice: {sent.most_common(3)}"
        assert workers[0].sent + workers[1].sent == TEXTS
        stored = await rows(boxes[0])
        assert {r["claimed_by"] for r in stored} <= {A, B}
        assert all(r["attempts"] == 1 for r in stored)


async def test_a_text_a_dead_node_left_mid_send_is_sent_by_another_once_its_claim_runs_out(
    db_location: str,
) -> None:
    async with outboxes(db_location, A, B) as (a, b), provider_up() as provider:
        queued = await a.enqueue("07700 900123", "we will call you back", "callback-update")
        claimed = await a.run(lambda s: s.claim_next(LATER, "", LEASE_S))  # then A dies
        assert claimed is not None and claimed["claimed_by"] == A
        await b.run(lambda s: run_out(s, A))
        gateway = HttpSmsGateway(
            HttpGatewayConfig(url=provider.url, idempotency_header="Idempotency-Key")
        )
        try:
            async with running(SmsWorker(b, gateway, policy=FAST)) as worker:

                async def sent() -> bool:
                    row = await b.get(queued.id)
                    return row is not None and row["state"] == "sent"

                await until_either([worker], sent)
        finally:
            await gateway.close()
        row = await b.get(queued.id)
        assert row is not None and (row["attempts"], row["claimed_by"]) == (2, B)
        (request,) = provider.received
        assert request.headers["Idempotency-Key"] == queued.reference  # the same text


def test_a_live_claim_of_another_node_is_left_until_it_runs_out(db_location: str) -> None:
    with stores(db_location, A, B) as (a, b):
        row_id = text(a, 1)
        assert a.claim_next(LATER, "", LEASE_S) is not None
        assert b.claim_next(LATER, "", LEASE_S) is None
        left = b.next_takeover_s()
        assert left is not None and 0 < left <= LEASE_S  # when the worker looks again
        run_out(b, A)
        taken = b.claim_next(LATER, "", LEASE_S)
        assert taken is not None and (taken["id"], taken["claimed_by"]) == (row_id, B)
        assert "stopped mid-send" in taken["last_error"]


def test_a_restart_takes_back_at_once_only_its_own_origins_sends(db_location: str) -> None:
    with stores(db_location, A, B, A) as (a, b, a_again):
        mine, theirs = text(a, 1), text(a, 2)
        assert a.claim_next(LATER, "", LEASE_S)["id"] == mine  # type: ignore[index]
        assert b.claim_next(LATER, "", LEASE_S)["id"] == theirs  # type: ignore[index]
        assert a_again.requeue_sending() == 1
        states = {r["id"]: (r["state"], r["claimed_by"]) for r in a.db.rows_where("sms_outbox")}
        assert states == {mine: ("queued", A), theirs: ("sending", B)}


def test_only_the_node_holding_the_claim_records_the_outcome(db_location: str) -> None:
    with stores(db_location, A, B) as (a, b):
        row_id = text(a, 1)
        a.claim_next(LATER, "", LEASE_S)
        run_out(a, A)  # A stalled past its claim mid-send; B took the text over
        b.claim_next(LATER, "", LEASE_S)
        assert not a.mark_sent(row_id, "prov-a", LATER)
        assert not a.mark_retry(row_id, LATER, "HTTP 503")
        assert not a.mark_failed(row_id, "HTTP 400")
        row = b.get(row_id)
        assert row is not None and (row["state"], row["claimed_by"]) == ("sending", B)
        assert b.mark_sent(row_id, "prov-b", LATER)
        row = b.get(row_id)
        assert row is not None and (row["state"], row["provider_id"]) == ("sent", "prov-b")


def test_a_text_another_node_is_claiming_this_moment_is_skipped_not_waited_for(
    pg_url: str,
) -> None:
    """PostgreSQL: FOR UPDATE SKIP LOCKED (SQLite lets one writer in at a time)."""
    with stores(pg_url, A, B) as (a, b):
        first, second = text(a, 1), text(a, 2)
        with ThreadPoolExecutor(max_workers=1) as other, a.db.transaction():
            by_a = a.claim_next(LATER, "", LEASE_S)
            by_b = other.submit(b.claim_next, LATER, "", LEASE_S).result(timeout=10)
        assert by_a is not None and by_b is not None
        assert (by_a["id"], by_b["id"]) == (first, second)
