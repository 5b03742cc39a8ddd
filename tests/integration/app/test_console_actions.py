"""Operators acting on real calls: the app against the simulator, the console's API
through the aiohttp test client (its own small app over the running stack's runtime)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.wiring import ConsoleRouting
from ivr.embedded import Embedded
from ivr.simulator import AgentProfile
from tests.integration.app.stack import running_stack, sim_seconds
from tests.unit.console.support import ListAudit

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
IN_MENU = sim_seconds("welcome") + 1.0
ANN = Operator("ann", Role.OPERATOR, "PJSIP/op-1")
NOTICE = "agent_unavailable"  # any prompt of the catalogue stands in for an incident message


@web.middleware
async def as_ann(request: web.Request, handler: Any) -> web.StreamResponse:
    request[OPERATOR] = ANN
    response: web.StreamResponse = await handler(request)
    return response


@asynccontextmanager
async def console_on(stack: Embedded, aiohttp_client: ClientFactory) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[as_ann])
    ConsoleRouting.build(stack.runtime, ListAudit()).register(app)
    client = await aiohttp_client(app)  # started: the stores are open and applied
    yield client


async def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    async with client.post(path, json=body) as resp:
        answer = await resp.json()
        assert resp.status in (200, 201), answer
        return answer


async def test_a_re_route_reaches_the_caller_and_is_an_override_row(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    slow_rc = {"Local/rc@ivr-agents": AgentProfile(answer_after=60.0)}
    async with (
        running_stack(tmp_path, agents=slow_rc) as stack,
        console_on(stack, aiohttp_client) as client,
    ):
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        await stack.step_reached(call_id, "transfer:rc")
        body = {"destination": "fcr", "reason_code": "misrouted", "reason": "wanted FCR"}
        moved = await post(client, f"/api/calls/{call_id}/route", body)
        assert (moved["from"], moved["to"]) == ("rc", "fcr")
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "fcr")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        last = decisions[-1]
        assert (last["destination"], last["rule"]) == ("fcr", "operator-move")
        assert last["evidence"] == {
            "by": "ann",
            "from": "rc",
            "reason_code": "misrouted",
            "reason": "wanted FCR",
        }
        record = await stack.sim_get(f"/_sim/calls/{call_id}")
        assert "sound:ivr101/transfer_fcr" in [h["media_uri"] for h in record["heard"]]
        requests = await stack.sim_get("/_sim/requests")
        dialled = [r["query"].get("endpoint") for r in requests if r["method"] == "POST"]
        assert "Local/fcr@ivr-agents" in dialled
        await stack.nothing_left()


async def test_a_divert_changes_the_next_decision_and_then_expires(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    async with (
        running_stack(tmp_path) as stack,
        console_on(stack, aiohttp_client) as client,
    ):
        until = stack.runtime.clock() + timedelta(seconds=3)
        body = {"source": "rc", "target": "switchboard", "reason": "closed"}
        divert = await post(client, "/api/diverts", {**body, "until": until.isoformat()})
        first = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        decision = await stack.first_decision(first, 10.0)
        assert decision is not None
        assert (decision["destination"], decision["rule"]) == ("switchboard", "operator-override")
        assert f"divert {divert['id']} by ann: closed" in decision["reason"]
        await stack.call_row(first)
        await asyncio.sleep(max(0.0, (until - stack.runtime.clock()).total_seconds()) + 0.1)
        second = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        decision = await stack.first_decision(second, 10.0)
        assert decision is not None and decision["destination"] == "rc"
        await stack.call_row(second)
        await stack.nothing_left()


async def test_an_incident_message_is_heard_after_the_welcome(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    async with (
        running_stack(tmp_path) as stack,
        console_on(stack, aiohttp_client) as client,
    ):
        until = stack.runtime.clock() + timedelta(hours=1)
        body = {"prompt_id": NOTICE, "scope": "all", "until": until.isoformat()}
        message = await post(client, "/api/messages", body)
        call_id = await stack.place([{"wait": IN_MENU + sim_seconds(NOTICE)}, {"dtmf": "1"}])
        await stack.call_row(call_id)
        record = await stack.sim_get(f"/_sim/calls/{call_id}")
        heard = [h["media_uri"] for h in record["heard"]]
        assert heard[:2] == ["sound:ivr101/welcome", f"sound:ivr101/{NOTICE}"]
        events = await stack.events(call_id)
        played = [e["detail"] for e in events if e["kind"] == "incident-message"]
        assert played == [{"id": message["id"], "prompt": NOTICE, "scope": "all", "set_by": "ann"}]
        await stack.nothing_left()
