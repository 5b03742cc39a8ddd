"""The rulesets' JSON API: admins only, refusals as JSON, a rollback published live."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import build_app
from ivr.config import Settings
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.openapi import API_DOCUMENT, ApiDocument, undocumented
from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.service import RoutingService
from ivr.rulesets.admin import RulesetAdmin
from ivr.rulesets.api import register
from ivr.rulesets.store import RulesetStore
from ivr.runtime import RUNTIME
from ivr.store.db import CallStore
from tests.unit.console.support import START, HandClock, ListAudit

SHIPPED = Path(__file__).resolve().parents[3] / "routing_rules"
Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PEOPLE = {"ann": Operator("ann", Role.OPERATOR), "root": Operator("root", Role.ADMIN)}


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    """The auth middleware's part, for these tests: X-Test-User names who."""
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


class GatedLoader:
    """Loads as usual; a build after ``gate_from`` waits for ``release`` (a slow publish)."""

    def __init__(self) -> None:
        self.gate = False
        self.building = asyncio.Event()
        self.release = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def __call__(self, folder: Path | None, prompts: frozenset[str] | None = None) -> RoutingBundle:
        if self.gate:
            self.loop.call_soon_threadsafe(self.building.set)
            asyncio.run_coroutine_threadsafe(self.release.wait(), self.loop).result(10)
        return load_bundle(folder, prompts)


def hidden_in(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


class Console:
    def __init__(
        self,
        client: Client,
        routing: RoutingService,
        folder: Path,
        audit: ListAudit,
        loader: GatedLoader,
    ) -> None:
        self.client, self.routing, self.folder = client, routing, folder
        self.audit, self.loader = audit, loader

    async def call(self, method: str, path: str, body: Any = None, user: str = "root") -> Any:
        headers = {"X-Test-User": user}
        async with self.client.request(method, path, json=body, headers=headers) as resp:
            assert resp.content_type == "application/json", await resp.text()
            return resp.status, await resp.json()

    def edit(self, old: str, new: str) -> None:
        rules = self.folder / "rules.yaml"
        rules.write_text(rules.read_text().replace(old, new))


@pytest.fixture
async def console(
    tmp_path: Path, db_location: str, aiohttp_client: ClientFactory
) -> AsyncIterator[Console]:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    loader = GatedLoader()
    routing = RoutingService(folder, loader=loader, prompts=["online_sms_offer", "no_input"])
    audit = ListAudit()
    app = web.Application(middlewares=[signed_in])
    register(app, routing, audit, db_path=db_location, clock=HandClock())
    client = await aiohttp_client(app)
    yield Console(client, routing, folder, audit, loader)
    await routing.close()


async def test_an_operator_reaches_none_of_it(console: Console) -> None:
    for method, path in (
        ("GET", "/api/rules/versions"),
        ("GET", "/api/rules/diff?a=1&b=live"),
        ("POST", "/api/rules/rollback"),
    ):
        status, body = await console.call(method, path, {"version": 1}, user="ann")
        assert (status, body) == (403, {"error": "this needs the admin role"})
        status, _ = await console.call(method, path, {"version": 1}, user="nobody")
        assert status == 401


async def test_versions_diff_and_a_rollback_published_live(console: Console) -> None:
    status, body = await console.call("GET", "/api/rules/versions")
    assert status == 200 and body["live"] == 1 and body["versions"][0]["kind"] == "adopted"
    console.edit("reprompt_limit: 2", "reprompt_limit: 3")
    assert await console.routing.publish() == [] and console.routing.version == 2

    status, body = await console.call("GET", "/api/rules/diff?a=1&b=live")
    assert status == 200 and [f["path"] for f in body["files"]] == ["rules.yaml"]
    assert "+  reprompt_limit: 3" in body["files"][0]["diff"]

    status, body = await console.call(
        "POST", "/api/rules/rollback", {"version": 1, "comment": "too many tries"}
    )
    assert status == 200, body
    assert body["version"]["version"] == 3 and body["version"]["kind"] == "rollback"
    assert body["version"]["comment"] == "rollback to 1: too many tries"
    assert body["live"] == 3 and body["publish_errors"] == []
    assert console.routing.bundle.rules.thresholds.reprompt_limit == 2
    assert console.audit.entries == [
        (
            "root",
            "rules-rolled-back",
            {"to": 1, "version": 3, "comment": "too many tries", "via": "console"},
        )
    ]
    status, body = await console.call("GET", "/api/rules/diff?a=1&b=live")
    assert (status, body["files"]) == (200, [])


async def test_a_version_that_is_no_longer_valid_is_refused_with_its_errors(
    console: Console, tmp_path: Path, db_location: str
) -> None:
    # Version 2 plays old_offer, which the catalogue this app reads no longer has.
    calls = CallStore(db_location)
    admin = RulesetAdmin(RulesetStore(calls.db), console.folder, None, HandClock())
    console.edit("message: online_sms_offer", "message: old_offer")
    assert admin.publish("ann", "when old_offer was recorded").version.version == 2
    console.edit("message: old_offer", "message: online_sms_offer")
    assert admin.publish("ann", "").version.version == 3
    calls.close()
    before = (console.folder / "rules.yaml").read_text()

    status, body = await console.call("POST", "/api/rules/rollback", {"version": 2})
    assert status == 400 and body["error"] == "version 2 is not valid now"
    rules = f"{console.folder}/rules.yaml:"
    assert len(body["errors"]) == 2 and all(e.startswith(rules) for e in body["errors"])
    assert all("old_offer" in e and "[prompt-unknown]" in e for e in body["errors"])
    assert (console.folder / "rules.yaml").read_text() == before
    assert hidden_in(tmp_path) == [], "nothing staged is left"
    status, body = await console.call("GET", "/api/rules/versions")
    assert [v["version"] for v in body["versions"]] == [3, 2, 1]


async def test_a_rollback_while_a_publish_is_building_is_refused(console: Console) -> None:
    loader = console.loader
    loader.gate = True
    publishing = asyncio.create_task(console.routing.publish())
    await loader.building.wait()
    status, body = await console.call("POST", "/api/rules/rollback", {"version": 1})
    assert status == 409 and "publish is running" in body["error"]
    loader.release.set()
    assert await publishing == []


@pytest.mark.parametrize(
    ("path", "body", "status", "says"),
    [
        ("/api/rules/diff?a=1", None, 400, "give b="),
        ("/api/rules/diff?a=1&b=x", None, 400, "not a version number"),
        ("/api/rules/diff?a=1&b=99", None, 404, "no ruleset version 99"),
        ("/api/rules/rollback", {"version": "1"}, 400, "version must be"),
        ("/api/rules/rollback", {"version": True}, 400, "version must be"),
        ("/api/rules/rollback", {"version": 1, "comment": 5}, 400, "comment must be"),
        ("/api/rules/rollback", [1], 400, "JSON object"),
        ("/api/rules/rollback", {"version": 99}, 404, "no ruleset version 99"),
    ],
)
async def test_bad_requests_are_refused_as_json(
    console: Console, path: str, body: Any, status: int, says: str
) -> None:
    method = "GET" if body is None else "POST"
    got, answer = await console.call(method, path, body)
    assert got == status and says in answer["error"]


def test_the_built_app_with_the_rulesets_api_documents_every_route(tmp_path: Path) -> None:
    settings = Settings().overridden({"store.db_path": str(tmp_path / "calls.db")})
    app = build_app(settings)
    runtime = app[RUNTIME]
    register(
        app,
        runtime.routing,
        ListAudit(),
        db_path=str(tmp_path / "calls.db"),
        clock=HandClock(START),
    )
    doc: ApiDocument = app[API_DOCUMENT]
    assert undocumented(app, doc) == (set(), set())
    assert {"/api/rules/versions", "/api/rules/diff", "/api/rules/rollback"} <= set(
        doc.document()["paths"]
    )
