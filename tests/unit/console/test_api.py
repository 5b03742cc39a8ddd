"""The console's JSON API through the aiohttp test client: who may ask, what is refused
(as JSON, never a 500), and the OpenAPI document matching the routes both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.actions import ConsoleActions
from ivr.console.api import register
from ivr.console.destinations import KnownDestinations
from ivr.console.diverts import DivertStore
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import API_DOCUMENT, undocumented
from ivr.decisions import Decision
from ivr.queues.model import Priority, QueueEntry
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec
from ivr.session.steps import MoveTo, ToOperator
from tests.unit.console.support import (
    ANN,
    START,
    Calls,
    HandClock,
    ListAudit,
    Live,
    OneEntryDirectory,
    live_call,
)
from tests.unit.queues.conftest import small_config

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PEOPLE = {"ann": ANN, "root": Operator("root", Role.ADMIN)}


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    """The auth middleware's part, for these tests: the X-Test-User header names who."""
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


class Console:
    def __init__(self, client: Client, live: Live, audit: ListAudit, queues: QueueService) -> None:
        self.client, self.live, self.audit, self.queues = client, live, audit, queues

    async def call(
        self, method: str, path: str, body: Any = None, *, user: str = "ann", raw: bytes = b""
    ) -> tuple[int, Any]:
        headers = {"X-Test-User": user}
        if raw:  # sent as JSON unless the bytes say otherwise (a leading b"text:")
            as_text = raw.startswith(b"text:")
            headers["Content-Type"] = "text/plain" if as_text else "application/json"
            raw = raw.removeprefix(b"text:")
        kwargs: dict[str, Any] = {"data": raw} if raw else {"json": body}
        async with self.client.request(method, path, headers=headers, **kwargs) as resp:
            assert resp.content_type == "application/json", await resp.text()
            return resp.status, await resp.json()


@pytest.fixture
async def console(tmp_path: Path, aiohttp_client: ClientFactory) -> AsyncIterator[Console]:
    clock = HandClock()
    audit = ListAudit()
    db = str(tmp_path / "calls.db")
    destinations = KnownDestinations(OneEntryDirectory())
    diverts = DivertStore(db, destinations, audit, clock)
    messages = IncidentMessages(db, ("outage_phones",), audit, clock)
    await diverts.open()
    await messages.open()
    queues = QueueService(
        small_config(),
        {"a1": AgentSpec("PJSIP/rc-1", ("rc",)), "a2": AgentSpec("PJSIP/fcr-1", ("fcr",))},
    )
    try:
        async with live_call() as live:
            actions = ConsoleActions(Calls(live.session), destinations, audit, lambda: queues)
            app = web.Application(middlewares=[signed_in])
            register(app, actions, diverts, messages, audit)
            yield Console(await aiohttp_client(app), live, audit, queues)
    finally:
        await diverts.close()
        await messages.close()
        queues.close()


def later(**delta: float) -> str:
    return (START + timedelta(**delta)).isoformat()


async def test_nobody_signed_in_is_401_on_every_route(console: Console) -> None:
    for method, path in [
        ("GET", "/api/calls"),
        ("POST", "/api/calls/call-1/route"),
        ("POST", "/api/calls/call-1/take"),
        ("POST", "/api/calls/call-1/priority"),
        ("POST", "/api/calls/call-1/reveal"),
        ("GET", "/api/diverts"),
        ("POST", "/api/diverts"),
        ("DELETE", "/api/diverts/1"),
        ("GET", "/api/messages"),
        ("POST", "/api/messages"),
        ("DELETE", "/api/messages/1"),
    ]:
        status, body = await console.call(method, path, {}, user="")
        assert (status, body) == (401, {"error": "sign in first"}), (method, path)


async def test_the_live_calls_keep_their_shape_and_say_what_may_be_done(console: Console) -> None:
    status, calls = await console.call("GET", "/api/calls")
    assert status == 200
    (call,) = calls
    assert call["call_id"] == "call-1" and call["caller_number"] == "07•••••••23"
    for field in ("dialled", "step", "destination", "caller_flags", "recent_calls", "queue"):
        assert field in call
    assert (call["movable"], call["talking"]) == (True, False)
    assert console.audit.actions() == ["calls.view"]  # numbers are personal data


async def test_a_re_route_moves_the_call_and_records_the_move(console: Console) -> None:
    console.live.session.record_decision(Decision("route", "rc", rule="keypad", reason="1"))
    body = {"destination": "fcr", "reason_code": "misrouted", "reason": "said FCR"}
    status, moved = await console.call("POST", "/api/calls/call-1/route", body, user="root")
    assert status == 200
    assert moved == {
        "call_id": "call-1",
        "from": "rc",
        "to": "fcr",
        "reason_code": "misrouted",
        "reason": "said FCR",
        "by": "root",
        "kept_place": False,
    }
    assert console.live.plan.steps == [MoveTo("fcr")]
    assert console.live.log.decisions[-1]["rule"] == "operator-move"
    assert console.audit.actions() == ["call.route"]


async def test_a_caller_moved_between_queues_keeps_their_place(console: Console) -> None:
    console.queues.engine.agent_busy("a1", 1000.0)
    console.queues.join(QueueEntry("call-1", "rc", Priority.NORMAL, 900.0))
    body = {"destination": "fcr", "reason_code": "wrong-queue"}
    status, moved = await console.call("POST", "/api/calls/call-1/route", body)
    assert (status, moved["kept_place"]) == (200, True)
    assert console.live.plan.steps == [MoveTo("fcr", joined_at=900.0)]


@pytest.mark.parametrize(
    ("raw", "body", "status", "message"),
    [
        (b"{not json", None, 400, "not valid JSON"),
        (b"[" * 100 + b"]" * 100, None, 400, "nests deeper"),
        (b"{" + b" " * 5000 + b"}", None, 400, "longer than"),  # a 4,300-digit int too
        (b'text:{"destination": "fcr", "reason_code": "misrouted"}', None, 400, "application/json"),
        (b"", [1, 2], 400, "JSON object"),
        (b"", {"destination": "fcr"}, 400, "reason_code must be one of"),
        (b"", {"destination": "fcr", "reason_code": "other"}, 400, "reason is required"),
        (b"", {"destination": 7, "reason_code": "misrouted"}, 400, "destination is required"),
        (b"", {"destination": "mars", "reason_code": "misrouted"}, 400, "unknown"),
        (
            b"",
            {"destination": "fcr", "reason_code": "other", "reason": "x" * 300},
            400,
            "too long",
        ),
    ],
)
async def test_a_bad_re_route_is_a_400_saying_why(
    console: Console, raw: bytes, body: Any, status: int, message: str
) -> None:
    got, answer = await console.call("POST", "/api/calls/call-1/route", body, raw=raw)
    assert got == status and message in answer["error"]
    assert console.live.plan.steps == []


async def test_a_call_that_is_gone_or_with_a_person_is_refused(console: Console) -> None:
    body = {"destination": "fcr", "reason_code": "misrouted"}
    status, answer = await console.call("POST", "/api/calls/call-9/route", body)
    assert status == 404 and "no live call" in answer["error"]
    console.live.session.connected("leg-1", "rc")
    status, answer = await console.call("POST", "/api/calls/call-1/route", body)
    assert status == 409 and "talking to a person" in answer["error"]


async def test_raise_priority_then_take_to_my_phone(console: Console) -> None:
    body = {"flag": "vulnerable", "reason": "disclosed"}
    status, answer = await console.call("POST", "/api/calls/call-1/priority", body)
    assert status == 409 and "not waiting" in answer["error"]
    status, answer = await console.call("POST", "/api/calls/call-1/priority", {"flag": "x"})
    assert status == 400 and "flag must be one of" in answer["error"]
    console.queues.engine.agent_busy("a1", 1000.0)
    console.queues.join(QueueEntry("call-1", "rc", Priority.NORMAL, 900.0))
    status, raised = await console.call("POST", "/api/calls/call-1/priority", body)
    assert (status, raised["flag"], raised["position"]) == (200, "vulnerable", 1)
    status, moved = await console.call(
        "POST", "/api/calls/call-1/take", {"reason_code": "caller-asked"}
    )
    assert (status, moved["to"]) == (200, "operator:ann")
    assert console.live.plan.steps == [ToOperator("ann", "PJSIP/op-1")]


async def test_a_divert_is_listed_until_cancelled(console: Console) -> None:
    body = {"source": "rc", "target": "switchboard", "reason": "closed", "until": later(hours=1)}
    status, divert = await console.call("POST", "/api/diverts", body)
    assert status == 201 and divert["by"] == "ann"
    status, listed = await console.call("GET", "/api/diverts")
    assert (status, [d["id"] for d in listed]) == (200, [divert["id"]])
    status, twice = await console.call("POST", "/api/diverts", body)
    assert status == 409 and "cancel it first" in twice["error"]
    status, cancelled = await console.call("DELETE", f"/api/diverts/{divert['id']}")
    assert (status, cancelled["cancelled_by"]) == (200, "ann")
    assert (await console.call("GET", "/api/diverts"))[1] == []
    assert (await console.call("DELETE", f"/api/diverts/{divert['id']}"))[0] == 404
    assert (await console.call("DELETE", "/api/diverts/abc"))[0] == 400
    assert (await console.call("DELETE", "/api/diverts/²"))[0] == 400  # a digit, not 0-9
    bad = {**body, "until": later(days=30)}
    status, answer = await console.call("POST", "/api/diverts", bad)
    assert status == 400 and "7 days" in answer["error"]


async def test_a_message_is_listed_until_switched_off(console: Console) -> None:
    body = {"prompt_id": "outage_phones", "scope": "all", "until": later(hours=1)}
    status, message = await console.call("POST", "/api/messages", body)
    assert status == 201 and message["scope"] == "all"
    assert [m["id"] for m in (await console.call("GET", "/api/messages"))[1]] == [message["id"]]
    status, answer = await console.call("POST", "/api/messages", {**body, "prompt_id": "nope"})
    assert status == 400 and "catalogue" in answer["error"]
    status, off = await console.call("DELETE", f"/api/messages/{message['id']}")
    assert (status, off["cancelled_by"]) == (200, "ann")
    assert console.audit.actions() == ["message.add", "message.cancel"]


async def test_the_openapi_document_names_every_api_route_and_no_other(console: Console) -> None:
    status, doc = await console.call("GET", "/api/openapi.json", user="")
    assert status == 200 and doc["openapi"].startswith("3.1")
    app = console.client.app
    assert app is not None
    assert undocumented(app, app[API_DOCUMENT]) == (set(), set())
    assert "/api/calls/{call_id}/route" in doc["paths"]


async def test_the_list_never_carries_a_full_number(console: Console) -> None:
    async with console.client.get("/api/calls", headers={"X-Test-User": "ann"}) as resp:
        assert "07700900123" not in await resp.text()


async def test_a_full_number_is_shown_only_for_a_reason_and_the_view_is_audited(
    console: Console,
) -> None:
    url = "/api/calls/call-1/reveal"
    for body, message in [({}, "reason is required"), ({"reason": 5}, "reason must be text")]:
        status, answer = await console.call("POST", url, body)
        assert status == 400 and message in answer["error"]
    assert console.audit.entries == []
    status, shown = await console.call("POST", url, {"reason": "caller cut off: ring back"})
    assert (status, shown["caller_number"], shown["by"]) == (200, "07700900123", "ann")
    assert console.audit.entries == [
        (
            "ann",
            "call.number-revealed",
            {
                "call_id": "call-1",
                "reason": "caller cut off: ring back",
                "personal_data": "caller number",
            },
        )
    ]
    status, answer = await console.call("POST", "/api/calls/call-9/reveal", {"reason": "x"})
    assert status == 404 and "no live call" in answer["error"]


async def test_an_action_on_a_call_that_moved_on_since_the_operator_looked_is_409(
    console: Console,
) -> None:
    console.live.session.record_decision(Decision("route", "rc", rule="keypad", reason="1"))
    (call,) = (await console.call("GET", "/api/calls"))[1]
    seen = {"step": call["step"], "destination": call["destination"]}
    console.live.session.record_decision(Decision("route", "fcr", rule="keypad", reason="2"))
    stale = {"destination": "switchboard", "reason_code": "misrouted", "expected": seen}
    status, answer = await console.call("POST", "/api/calls/call-1/route", stale)
    assert status == 409
    assert answer["error"].startswith(f"the call moved on: now at {call['step']}, going to fcr")
    take = {"reason_code": "caller-asked", "expected": seen}
    assert (await console.call("POST", "/api/calls/call-1/take", take))[0] == 409
    priority = {"flag": "vulnerable", "reason": "disclosed", "expected": seen}
    assert (await console.call("POST", "/api/calls/call-1/priority", priority))[0] == 409
    assert console.live.plan.steps == [] and console.audit.actions() == ["calls.view"]
    fresh = {**stale, "expected": {**seen, "destination": "fcr"}}
    status, moved = await console.call("POST", "/api/calls/call-1/route", fresh)
    assert (status, moved["from"], moved["to"]) == (200, "fcr", "switchboard")


async def test_without_expected_an_action_proceeds_as_before(console: Console) -> None:
    console.live.session.record_decision(Decision("route", "rc", rule="keypad", reason="1"))
    body = {"destination": "fcr", "reason_code": "misrouted", "expected": None}
    assert (await console.call("POST", "/api/calls/call-1/route", body))[0] == 200


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ("rc", "expected must be an object"),
        ({"queue": "rc"}, "expected takes only step and destination"),
        ({"step": 5}, "expected.step must be text"),
        ({"destination": "x" * 300}, "expected.destination must be text"),
    ],
)
async def test_a_bad_expected_is_a_400_saying_why(
    console: Console, expected: Any, message: str
) -> None:
    body = {"destination": "fcr", "reason_code": "misrouted", "expected": expected}
    status, answer = await console.call("POST", "/api/calls/call-1/route", body)
    assert status == 400 and message in answer["error"]
    assert console.live.plan.steps == []
