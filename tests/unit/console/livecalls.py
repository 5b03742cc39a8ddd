"""Live calls for the board's tests: real CallSessions on fakes, held at a step until hung up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ivr.callers.model import CallerProfile
from ivr.console.board_routes import BoardConsole
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.queues.model import HandlingTime, QueuesConfig, QueueSettings
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec
from ivr.session.events import CallerHungUp
from ivr.session.model import CallInfo, Outcome
from ivr.session.session import CallSession
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, TableCallers

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Hold:
    """A verb that keeps the caller at one step until they hang up."""

    name = "hold"

    def describe(self) -> str:
        return self.name

    async def run(self, session: CallSession) -> Outcome:
        session.at_step("hold")
        while True:
            await session.wait()

    def cancel(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


class AuditList:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, who: str, action: str, detail: Mapping[str, Any]) -> None:
        self.entries.append((who, action, dict(detail)))


class Withdrawals:
    def __init__(self, open_ids: set[str]) -> None:
        self.open = open_ids
        self.done: list[tuple[str, str]] = []
        self.ready: list[str] = []  # written down as ready now

    async def withdraw(self, call_id: str, reason: str) -> bool:
        if call_id not in self.open:
            return False
        self.open.discard(call_id)
        self.done.append((call_id, reason))
        return True

    async def made_ready(self, call_id: str, now: float) -> None:
        self.ready.append(call_id)


def queues_service(epoch: Callable[[], float]) -> QueueService:
    """rc with one agent (rc-1), fcr with none (its callers wait); ``epoch``: seconds."""
    handling = HandlingTime(300.0, 720.0)
    config = QueuesConfig(queues={q: QueueSettings(q, handling) for q in ("rc", "fcr")})
    return QueueService(config, {"rc-1": AgentSpec("PJSIP/rc-1", ("rc",))}, clock=epoch)


class Switchboard:
    """What the CallManager would hold: live sessions, each running until hung up."""

    def __init__(self, profiles: dict[str, CallerProfile] | None = None) -> None:
        self.clock = Clock()
        self.inner = MemoryCallLog()
        self.callers = TableCallers(profiles)
        self.sessions: dict[str, CallSession] = {}
        self.controls: dict[str, FakeControl] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.audit = AuditList()
        self.queues = queues_service(self.clock.epoch)
        self.withdrawals = Withdrawals(set())
        self.console = BoardConsole.build(
            inner_log=self.inner,
            live=lambda: list(self.sessions.values()),
            audit=self.audit,
            queues=self.queues,
            callbacks=self.withdrawals,
            destinations=("rc", "fcr", "switchboard"),
            clock=self.clock,
            long_wait_s=600.0,
        )

    async def call(self, call_id: str, number: str = "07700900001") -> CallSession:
        control = FakeControl(f"chan-{call_id}")
        session = CallSession(
            CallInfo(call_id, control.channel_id, number, "", "101"),
            control,
            FakePrompts(),
            self.console.call_log,
            [Hold()],
            lambda: [],
            self.clock,
            callers=self.callers,
        )
        self.sessions[call_id] = session
        self.controls[call_id] = control
        self.tasks[call_id] = asyncio.create_task(self._run(session))
        await session.caller_profile()
        return session

    async def _run(self, session: CallSession) -> None:
        try:
            await session.run()
        finally:
            self.sessions.pop(session.call_id, None)

    async def hang_up(self, call_id: str) -> None:
        self.controls[call_id].push(CallerHungUp())
        await self.tasks[call_id]

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)


def operator_middleware(operator: Operator | None) -> Middleware:
    """Stands in for the auth middleware: every request is ``operator``'s (None: nobody's)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if operator is not None:
            request[OPERATOR] = operator
        return await handler(request)

    return middleware


ANNA = Operator("anna", Role.OPERATOR, "PJSIP/operator-1")
