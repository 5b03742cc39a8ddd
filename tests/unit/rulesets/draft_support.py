"""The draft API's tests share this: an app with the rulesets' routes on a copy of the
shipped rules, a real versions store and call database, and an admin (X-Test-User)."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import FormData, web
from aiohttp.test_utils import TestClient

from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.openapi import API_DOCUMENT, ApiDocument
from ivr.routing.service import RoutingService
from ivr.rulesets.api import RulesetsApi, register
from ivr.rulesets.draft_wiring import DraftDesk, DraftOptions
from ivr.shipped import Shipped, shipped_folder
from tests.unit.console.support import HandClock, ListAudit

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PEOPLE = {"ann": Operator("ann", Role.OPERATOR), "root": Operator("root", Role.ADMIN)}
KEY_5_ONLINE = '  "5": online\n'
KEY_5_RC = '  "5": rc\n'


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    """The auth middleware's part, for these tests: X-Test-User names who."""
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


class Admin:
    """The app, and requests to it as someone."""

    def __init__(
        self,
        client: Client,
        routing: RoutingService,
        api: RulesetsApi,
        folder: Path,
        db: str,
        audit: ListAudit,
    ) -> None:
        self.client, self.routing, self.api = client, routing, api
        self.folder, self.db, self.audit = folder, db, audit

    @property
    def desk(self) -> DraftDesk:
        assert self.api.draft is not None
        return self.api.draft

    async def call(self, method: str, path: str, body: Any = None, user: str = "root") -> Any:
        headers = {"X-Test-User": user}
        kwargs: dict[str, Any] = {}
        if isinstance(body, FormData | bytes | str):
            kwargs["data"] = body
        elif body is not None:
            # A stream, as a browser's upload is: a whole intents.yaml is over the 1 MiB
            # above which aiohttp warns that raw bytes may block the loop.
            kwargs["data"] = io.BytesIO(json.dumps(body).encode())
            headers["Content-Type"] = "application/json"
        async with self.client.request(method, path, headers=headers, **kwargs) as resp:
            assert resp.content_type == "application/json", await resp.text()
            return resp.status, await resp.json()

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = await self.call(method, path, body)
        assert status in (200, 202), (status, answer)
        return answer

    async def rules_text(self) -> str:
        answer = await self.ok("GET", "/api/rules/draft/files/rules.yaml")
        text: str = answer["text"]
        return text

    async def edit_rules(self, old: str, new: str) -> Any:
        text = await self.rules_text()
        assert old in text
        return await self.ok(
            "PUT", "/api/rules/draft/files/rules.yaml", {"text": text.replace(old, new)}
        )


@asynccontextmanager
async def admin_app(
    tmp_path: Path,
    aiohttp_client: ClientFactory,
    clock: Callable[[], datetime] | None = None,
    options: DraftOptions | None = None,
    db: str = "",
) -> AsyncIterator[Admin]:
    """``db``: the call database (``db_location``); a SQLite file in ``tmp_path`` if not
    given (the replays read the calls from there)."""
    folder = tmp_path / "rules"
    shutil.copytree(shipped_folder(Shipped.ROUTING_RULES), folder)
    db = db or str(tmp_path / "calls.db")
    routing = RoutingService(folder, prompts=["online_sms_offer", "no_input", "invalid_choice"])
    audit = ListAudit()
    app = web.Application(middlewares=[signed_in])
    doc = ApiDocument()
    doc.serve(app)
    assert app[API_DOCUMENT] is doc
    api = register(
        app,
        routing,
        audit,
        db_path=db,
        clock=clock or HandClock(),
        draft=options or DraftOptions(),
    )
    client = await aiohttp_client(app)
    try:
        yield Admin(client, routing, api, folder, db, audit)
    finally:
        await client.close()
        await routing.close()
