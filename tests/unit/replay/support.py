"""Call logs for the replay tests, written as the live app writes them: a CallSession
recording on the real SqliteCallLog, the engine's decisions in RouteCall's stored shape
(``ivr.replay.record.decision_record``)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.decisions import Decision
from ivr.replay.record import decision_record
from ivr.replay.source import OPERATOR_MOVE
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.shipped import Shipped, shipped_folder
from ivr.store.db import iso
from ivr.store.log import SqliteCallLog
from tests.fakes import FakeControl, FakePrompts

LONDON = ZoneInfo("Europe/London")
MONDAY_10AM = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)  # every shipped schedule open


def draft_rules(tmp_path: Path) -> Path:
    """A copy of the shipped rules in which key 5 reaches the Resolution Centre, not online."""
    folder = tmp_path / "draft"
    shutil.copytree(shipped_folder(Shipped.ROUTING_RULES), folder)
    rules = folder / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert '  "5": online\n' in text
    rules.write_text(text.replace('  "5": online\n', '  "5": rc\n'), encoding="utf-8")
    return folder


@dataclass
class FixtureLog:
    """Writes calls through the real writer; the live engine decides them."""

    log: SqliteCallLog
    engine: RoutingEngine

    def _session(self, call_id: str, at: datetime) -> CallSession:
        info = CallInfo(call_id, f"chan-{call_id}", "07700900123", "Test", "101")
        self.log.call_started(
            {"call_id": call_id, "channel_id": info.channel_id, "started_at": iso(at)}
        )
        return CallSession(info, FakeControl(), FakePrompts(), self.log, [], list, lambda: at)

    def decided(self, call_id: str, inputs: RoutingInputs) -> Decision:
        """The engine's decision, stored as RouteCall stores it."""
        decision = self.engine.decide(inputs)
        stored, evidence = decision_record(decision, inputs, engine=None, question=["main_menu"])
        self._session(call_id, inputs.at).record_decision(stored, **evidence)
        return decision

    def decided_before_inputs_were_stored(self, call_id: str, inputs: RoutingInputs) -> Decision:
        """As a release before the inputs column stored it: the evidence alone."""
        decision = self.engine.decide(inputs)
        _, evidence = decision_record(decision, inputs, engine=None, question=["main_menu"])
        self._session(call_id, inputs.at).record_decision(decision, **evidence)
        return decision

    def answered(self, call_id: str, at: datetime, decision: Decision) -> None:
        """A danger check's answer, stored as AskDanger stores it (no inputs: not the engine's)."""
        self._session(call_id, at).record_decision(decision)

    def moved(self, call_id: str, at: datetime, source: str, target: str) -> None:
        """An operator's move, in the shape CallSession._operator_move stores (checked
        against a live session in test_replay.py)."""
        session = CallSession(
            CallInfo(call_id, f"chan-{call_id}", "", "", "101"),
            FakeControl(),
            FakePrompts(),
            self.log,
            [],
            list,
            lambda: at,
        )
        session.record_decision(
            Decision(
                "route",
                target,
                rule=OPERATOR_MOVE,
                reason="moved by ann: misrouted",
                evidence={"by": "ann", "from": source, "reason_code": "misrouted", "reason": ""},
            )
        )


@contextlib.asynccontextmanager
async def fixture_log(path: str | Path) -> AsyncIterator[FixtureLog]:
    """The writer running on ``path`` (a file or a PostgreSQL URL); everything is
    written when the block ends."""
    log = SqliteCallLog(str(path))
    await log.open()
    worker = asyncio.create_task(log.run())
    try:
        yield FixtureLog(log, RoutingEngine(load_bundle(None)))
        await log.flush()
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


def keyed(digits: str, at: datetime = MONDAY_10AM, **more: object) -> RoutingInputs:
    return RoutingInputs(at=at, digits=digits, **more)  # type: ignore[arg-type]


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)
