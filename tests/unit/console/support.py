"""What the console's unit tests share: a clock moved by hand, an audit list, operators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.console.identity import Operator, Role
from ivr.directory import DirectoryEntry
from ivr.routing.service import RoutingService
from ivr.session.model import CallInfo, Outcome, Verb
from ivr.session.session import CallSession
from ivr.session.steps import Step
from ivr.verbs import Hangup
from ivr.verbs.basic import VerbBase
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog

SHIPPED_RULES = Path(__file__).resolve().parents[3] / "routing_rules"
START = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
ANN = Operator("ann", Role.OPERATOR, "PJSIP/op-1")
BOB = Operator("bob", Role.OPERATOR)  # no phone


class HandClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ListAudit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, who: str, action: str, detail: Mapping[str, Any]) -> None:
        self.entries.append((who, action, dict(detail)))

    def actions(self) -> list[str]:
        return [a for _, a, _ in self.entries]


class OneEntryDirectory:
    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        if entry_id != "priya-patel":
            return None
        return DirectoryEntry(
            id="priya-patel", kind="person", name="Priya Patel", rank="PS", extension="4321"
        )


def shipped_routing() -> RoutingService:
    return RoutingService(SHIPPED_RULES)


class Hold(VerbBase):
    """Waits for the caller, as a verb on hold does, until it is cancelled."""

    name = "hold"

    def __init__(self) -> None:
        self.holding = asyncio.Event()  # the call is on hold: an operator may act on it

    async def run(self, session: CallSession) -> Outcome:
        self.holding.set()
        while True:
            await session.wait()


class StepPlan:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def verbs_for(self, step: Step) -> Sequence[Verb]:
        self.steps.append(step)
        return [Hangup(None)]


class Calls:
    def __init__(self, *sessions: CallSession) -> None:
        self.by_id = {s.call_id: s for s in sessions}

    def session(self, call_id: str) -> CallSession | None:
        return self.by_id.get(call_id)

    def sessions(self) -> list[CallSession]:
        return list(self.by_id.values())


class Live:
    def __init__(self, plan: StepPlan, call_log: MemoryCallLog, control: FakeControl) -> None:
        self.plan, self.log, self.control = plan, call_log, control
        self.hold = Hold()
        self.session = CallSession(
            CallInfo("call-1", control.channel_id, "07700900123", "Test", "101"),
            control,
            FakePrompts(),
            call_log,
            [self.hold],
            lambda: [Hangup("technical_difficulty")],
            HandClock(),
            plan=plan,
        )


@asynccontextmanager
async def live_call() -> AsyncIterator[Live]:
    """A call running (on hold) with a plan that records the steps it is given."""
    call = Live(StepPlan(), MemoryCallLog(), FakeControl())
    task = asyncio.create_task(call.session.run())
    await call.hold.holding.wait()
    try:
        yield call
    finally:
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
