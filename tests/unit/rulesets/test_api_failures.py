"""The rulesets API when the folder or the store fails, or a number is out of range: JSON
that says what happened, never a bare 500; and what a reload does not apply (queues)."""

from __future__ import annotations

import errno
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from ivr.routing.service import RoutingService
from ivr.routing.snapshot import read_ruleset
from ivr.rulesets import folder as folder_module
from ivr.rulesets.api import register
from ivr.rulesets.book import BookDown, RulesetBook
from tests.unit.console.support import HandClock, ListAudit
from tests.unit.rulesets.test_api import SHIPPED, ClientFactory, Console, GatedLoader, signed_in


@pytest.fixture
async def console(tmp_path: Path, aiohttp_client: ClientFactory) -> AsyncIterator[Console]:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    loader = GatedLoader()
    routing = RoutingService(folder, loader=loader)
    audit = ListAudit()
    app = web.Application(middlewares=[signed_in])
    register(app, routing, audit, db_path=str(tmp_path / "calls.db"), clock=HandClock())
    client = await aiohttp_client(app)
    yield Console(client, routing, folder, audit, loader)
    await routing.close()


async def test_a_version_number_sqlite_cannot_hold_is_refused(console: Console) -> None:
    status, body = await console.call("POST", "/api/rules/rollback", {"version": 10**20})
    assert status == 400 and "version must be" in body["error"]
    status, body = await console.call("GET", "/api/rules/diff?a=1&b=999999999")
    assert status == 404 and "no ruleset version" in body["error"]


async def test_a_folder_that_cannot_be_swapped_answers_json_and_stays_live(
    console: Console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    console.edit("reprompt_limit: 2", "reprompt_limit: 3")
    assert await console.routing.publish() == []
    before = read_ruleset(console.folder)

    def cross_device(a: object, b: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link", str(b))

    monkeypatch.setattr(folder_module, "_exchange", cross_device)
    status, body = await console.call("POST", "/api/rules/rollback", {"version": 1})
    assert status == 500
    assert "cross-device" in body["error"] and "same file system" in body["error"]
    assert read_ruleset(console.folder) == before
    assert console.audit.entries == [], "nothing rolled back, nothing audited"
    status, body = await console.call("GET", "/api/rules/versions")
    assert [v["version"] for v in body["versions"]] == [2, 1]


async def test_a_store_that_is_down_answers_503(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(self: RulesetBook) -> None:
        raise BookDown("the rulesets store is closed")

    monkeypatch.setattr(RulesetBook, "history", down)
    status, body = await console.call("GET", "/api/rules/versions")
    assert (status, body) == (503, {"error": "the rulesets store is closed"})


async def test_a_changed_queues_file_asks_for_a_restart(console: Console) -> None:
    status, body = await console.call("GET", "/api/rules/versions")
    assert status == 200 and body["restart_needed"] == [] and "note" not in body
    queues = console.folder / "queues.yaml"
    queues.write_text(queues.read_text() + "# edited\n")
    assert await console.routing.publish() == []
    status, body = await console.call("GET", "/api/rules/versions")
    assert body["live"] == 2 and body["restart_needed"] == ["queues.yaml"]
    assert "start-up only" in body["note"]

    status, body = await console.call("POST", "/api/rules/rollback", {"version": 1})
    assert status == 200 and body["live"] == 3
    assert body["restart_needed"] == [] and "note" not in body, "back to what it started with"
