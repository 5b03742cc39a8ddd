"""A message an admin adds as text reaches callers: rendered into the [messages] sounds
folder, switched on by an operator, played as ``sound:ivr101-messages/<id>`` (what a
real Asterisk plays once its sounds dir links to that folder), which the simulator
finds in the same folder; the call's record names who switched it on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.wiring import ConsoleRouting
from ivr.embedded import Embedded
from ivr.embedded.start import message_sounds
from ivr.media.synth import missing_tools
from tests.integration.app.stack import running_app, running_sim, sim_seconds
from tests.unit.console.support import ANN, ListAudit

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PEOPLE = {"ann": ANN, "root": Operator("root", Role.ADMIN)}
IN_MENU = sim_seconds("welcome") + 1.0

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason="espeak-ng and sox are not installed (scripts/install_system.sh)"
)


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


@asynccontextmanager
async def console_on(stack: Embedded, aiohttp_client: ClientFactory) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[signed_in])
    ConsoleRouting.build(stack.runtime, ListAudit()).register(app)
    yield await aiohttp_client(app)


async def post(client: Client, path: str, body: dict[str, Any], user: str) -> Any:
    async with client.post(path, json=body, headers={"X-Test-User": user}) as resp:
        answer = await resp.json()
        assert resp.status == 201, answer
        return answer


async def test_a_message_an_admin_added_is_heard_by_the_next_caller(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    sounds = message_sounds(str(tmp_path / "calls.db"))  # where running_app's app renders
    async with (
        running_sim(sound_roots=[sounds]) as sim,
        running_app(sim, tmp_path) as stack,
        console_on(stack, aiohttp_client) as client,
    ):
        text = "The ring road is closed by a fire. Please avoid the area."
        added = await post(
            client, "/api/messages/prompts", {"id": "ring_road_fire", "text": text}, "root"
        )
        assert (sounds / "en" / "ivr101-messages" / "ring_road_fire.wav").is_file()
        until = (stack.runtime.clock() + timedelta(hours=1)).isoformat()
        body = {"prompt_id": "ring_road_fire", "scope": "all", "until": until}
        message = await post(client, "/api/messages", body, "ann")

        call_id = await stack.place([{"wait": IN_MENU + added["seconds"]}, {"dtmf": "1"}])
        await stack.call_row(call_id)
        record = await stack.sim_get(f"/_sim/calls/{call_id}")
        heard = [(h["media_uri"], h["state"]) for h in record["heard"]]
        assert heard[:2] == [
            ("sound:ivr101/welcome", "done"),
            ("sound:ivr101-messages/ring_road_fire", "done"),  # found and played to its end
        ]
        events = await stack.events(call_id)
        played = [e["detail"] for e in events if e["kind"] == "incident-message"]
        assert played == [
            {"id": message["id"], "prompt": "ring_road_fire", "scope": "all", "set_by": "ann"}
        ]
        await stack.nothing_left()
