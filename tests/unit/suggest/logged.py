"""A call log for the miner's tests, written by the real writer (SqliteCallLog) as the
sessions write it: the engine's decision with what was heard in its ``inputs``, then
an operator's move (rule "operator-move", with by, from and reason_code)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.decisions import Decision
from ivr.store.db import iso
from ivr.store.log import SqliteCallLog

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Caller:
    call_id: str
    said: str
    routed_to: str
    moved_to: str | None = None
    reason_code: str = "misrouted"


def at(n: int) -> datetime:
    """The n-th call's start: one an hour from START."""
    return START + timedelta(hours=n)


async def write_log(path: str | Path, callers: Sequence[Caller], start: datetime = START) -> None:
    log = SqliteCallLog(str(path))
    await log.open()
    writer = asyncio.create_task(log.run())
    for n, caller in enumerate(callers):
        began = start + timedelta(hours=n)
        log.call_started(
            {"call_id": caller.call_id, "channel_id": caller.call_id, "started_at": iso(began)}
        )
        engine = Decision(
            "route", caller.routed_to, rule="intent-high", reason="matched"
        ).with_evidence(
            inputs={"digits": None, "heard": [{"text": caller.said, "confidence": 0.81},
                                              {"text": "something else", "confidence": 0.2}]}
        )  # fmt: skip
        log.decision(caller.call_id, began + timedelta(seconds=20), engine)
        if caller.moved_to is not None:
            move = Decision(
                "route",
                caller.moved_to,
                rule="operator-move",
                reason=f"moved by op1: {caller.reason_code}",
                evidence={
                    "by": "op1",
                    "from": caller.routed_to,
                    "reason_code": caller.reason_code,
                    "reason": "",
                },
            )
            log.decision(caller.call_id, began + timedelta(minutes=3), move)
    await log.flush()
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer


CUSTODY = "directory:custody-enquiries"
LOST = "directory:lost-and-found"

PRISONER = [
    "my brother is a prisoner at the station",
    "I want to visit a prisoner",
    "calling about a prisoner being released",
    "can I bring clothes for a prisoner",
    "what time do you let a prisoner out",
    "my son is a prisoner there since last night",
    "prisoner property collection",
]
OTHERS = [
    "I want to report a burglary",
    "someone stole my bike",
    "I lost my phone on the bus",
    "my car was broken into",
    "I need to speak to PC Johnson",
    "how do I get a copy of a crime report",
    "there's a suspicious van outside",
    "I'd like to update my crime report",
    "my neighbour is playing loud music",
    "where can I pay a speeding fine",
    "I found a wallet in the street",
    "I want to make a complaint",
]


def prisoner_calls() -> list[Caller]:
    """7 callers saying 'prisoner' moved online → Custody Enquiries, among 12 unmoved."""
    moved = [Caller(f"pris-{n}", said, "online", CUSTODY) for n, said in enumerate(PRISONER)]
    still = [Caller(f"other-{n}", said, "rc") for n, said in enumerate(OTHERS)]
    return [*moved, *still]
