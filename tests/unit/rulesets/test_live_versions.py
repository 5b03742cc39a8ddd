"""A running app's rules carry their version, and a call keeps the version it began with.

The real RoutingService, RulesetBook (on each engine), FlowBuilder and CallSession, with the
shipped rules in a folder of the test's own; the caller keys 7, which the shipped rules
do not know (ask again) and version 2 sends to the Force Control Room.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService
from ivr.rulesets.admin import RulesetAdmin
from ivr.rulesets.book import RulesetBook
from ivr.rulesets.store import RulesetStore, VersionKind
from ivr.session.events import CallerHungUp, DigitPressed
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.store.db import CallStore
from ivr.store.log import SqliteCallLog
from tests.fakes import FakeControl, FakePrompts, fixed_clock

SHIPPED = Path(__file__).resolve().parents[3] / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@dataclass
class App:
    folder: Path
    db: str
    routing: RoutingService
    book: RulesetBook

    def publish_with_key_7(self) -> None:
        """`ivr rules publish` of the folder with 7 for the Force Control Room."""
        rules = self.folder / "rules.yaml"
        rules.write_text(
            rules.read_text().replace('  "9": emergency', '  "7": fcr\n  "9": emergency')
        )
        store = CallStore(self.db)
        try:
            RulesetAdmin(RulesetStore(store.db), self.folder, None, lambda: AT).publish("ann", "")
        finally:
            store.close()


@pytest.fixture
async def app(tmp_path: Path, db_location: str) -> AsyncIterator[App]:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    routing = RoutingService(folder)
    book = RulesetBook(db_location, lambda: AT)
    await book.open()
    await routing.use_versions(book)
    yield App(folder, db_location, routing, book)
    await book.close()
    await routing.close()


async def test_the_live_rules_are_adopted_at_start_and_a_publish_is_found_by_digest(
    app: App,
) -> None:
    assert app.routing.version == 1
    (adopted,) = await app.book.history()
    assert adopted.kind is VersionKind.ADOPTED
    decision = app.routing.decide(RoutingInputs(at=AT, digits="1"))
    assert decision.ruleset_version == 1 and decision.to_json()["ruleset_version"] == 1

    app.publish_with_key_7()
    assert await app.routing.publish() == []
    assert app.routing.version == 2
    assert [v.kind for v in await app.book.history()] == [VersionKind.PUBLISH, VersionKind.ADOPTED]
    assert app.routing.decide(RoutingInputs(at=AT, digits="7")).ruleset_version == 2

    (app.folder / "rules.yaml").write_text(
        (app.folder / "rules.yaml").read_text().replace('"7": fcr', '"7": rc')
    )
    assert await app.routing.publish() == []  # edited by hand, reloaded: adopted as 3
    assert app.routing.version == 3
    assert app.routing.decide(RoutingInputs(at=AT, digits="7")).destination == "rc"


async def test_a_pinned_view_keeps_the_rules_of_its_start(app: App) -> None:
    before = app.routing.pinned()
    app.publish_with_key_7()
    assert await app.routing.publish() == []
    after = app.routing.pinned()
    old, new = (
        before.decide(RoutingInputs(at=AT, digits="7")),
        after.decide(RoutingInputs(at=AT, digits="7")),
    )
    assert (old.action, old.ruleset_version) == ("reprompt", 1)
    assert (new.destination, new.ruleset_version) == ("fcr", 2)
    assert before.emergency_key == after.emergency_key == "9"
    assert before.breakout((), "9") is not None


class KeysSeven(FakeControl):
    """Keys 7 at every menu; holds the "not a choice" prompt until ``gate`` opens."""

    def __init__(self, channel_id: str, gate: asyncio.Event | None = None) -> None:
        super().__init__(channel_id, auto_finish=True)
        self.gate = gate
        self.sorry = asyncio.Event()

    async def play(self, media: Sequence[str]) -> str:
        if self.gate is not None and "sound:ivr101/invalid_choice" in media:
            self.sorry.set()
            await self.gate.wait()
        playback = await super().play(media)
        if "sound:ivr101/main_menu" in media:
            self.push(DigitPressed("7"))
        return playback


def session(app: App, flows: FlowBuilder, control: FakeControl, log: SqliteCallLog) -> CallSession:
    info = CallInfo(control.channel_id, control.channel_id, "07700900123", "Test", "101")
    pinned = flows.for_call(app.routing.pinned())
    return CallSession(
        info,
        control,
        FakePrompts(),
        log,
        pinned.inbound(),
        pinned.step_down,
        fixed_clock,
        None,
        breakout=pinned.breakout(),
        plan=pinned,
    )


async def decisions(log: SqliteCallLog, call_id: str, count: int) -> list[dict[str, Any]]:
    while True:
        written = log.next_write()
        rows: list[dict[str, Any]] = await log.query(lambda s: s.decisions_for(call_id))
        if len(rows) >= count:
            return rows
        await written


async def test_a_call_started_before_a_publish_is_decided_by_its_own_version(app: App) -> None:
    log = SqliteCallLog(app.db)
    await log.open()
    writer = asyncio.create_task(log.run())
    flows = FlowBuilder(FlowSettings(), app.routing, FakePrompts())
    gate = asyncio.Event()
    first = KeysSeven("call-1", gate)
    running = asyncio.create_task(session(app, flows, first, log).run())
    await first.sorry.wait()  # decided once (7: not a choice), told so, about to ask again

    app.publish_with_key_7()
    assert await app.routing.publish() == [] and app.routing.version == 2
    second = KeysSeven("call-2")
    later = asyncio.create_task(session(app, flows, second, log).run())
    gate.set()

    one = await decisions(log, "call-1", 2)
    assert [(d["rule"], d["ruleset_version"]) for d in one] == [
        ("no-match", 1),
        ("reprompt-limit", 1),  # version 2 would have sent this 7 to the FCR
    ]
    (two,) = await decisions(log, "call-2", 1)
    assert (two["destination"], two["ruleset_version"]) == ("fcr", 2)

    for control in (first, second):
        control.push(CallerHungUp())
    await asyncio.wait_for(asyncio.gather(running, later), 10)
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)


class BrokenBook:
    async def version_of(self, digest: str, folder: Path | None) -> int | None:
        raise OSError("disk full")


async def test_rules_still_go_live_when_their_version_cannot_be_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    routing = RoutingService(folder)
    await routing.use_versions(BrokenBook())
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("reprompt_limit: 2", "reprompt_limit: 3"))
    assert await routing.publish() == []
    assert routing.generation == 2 and routing.version is None
    assert routing.decide(RoutingInputs(at=AT, digits="1")).ruleset_version is None
