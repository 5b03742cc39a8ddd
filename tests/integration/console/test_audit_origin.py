"""Every audit row says where it came from: the client's address and, for a signed-in
person, a short reference to their session (never the session id); the bearer token is
"api-token". Refused requests (no CSRF token, a wrong bearer token) are audited, a few
rows a minute per address at most."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.access import ACCESS, ConsoleAccess, register
from ivr.console.audit import AuditEntry
from ivr.console.identity import Role, operator_of
from ivr.console.refusals import ROWS_PER_ADDRESS
from ivr.console.sessions import token_hash
from ivr.console.store import ConsoleStore
from ivr.console_settings import ConsoleSettings
from tests.unit.console.fixtures import PASSWORD, MovingClock, fast_passwords, seed_users

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
TOKEN = "s3cret-operator-token-0123"


async def _act(request: web.Request) -> web.Response:
    """Stands in for any console action: it records one row, as they do."""
    request.app[ACCESS].audit.record(operator_of(request).name, "test.acted", {})
    return web.json_response({})


async def _client(aiohttp_client: ClientFactory, tmp_path: Path) -> Client:
    db = tmp_path / "calls.db"
    seed_users(db, ("alice", Role.OPERATOR, ""))
    app = web.Application()
    register(app, str(db), TOKEN, ConsoleSettings(), MovingClock(), fast_passwords())
    app.router.add_post("/api/act", _act)
    return await aiohttp_client(app)


async def _audit(client: Client) -> list[AuditEntry]:
    access: ConsoleAccess = client.app[ACCESS]
    await access.db.flush()
    long_ago = datetime.now(UTC) - timedelta(days=1000)  # the test clock is in the past

    def read(store: ConsoleStore) -> list[AuditEntry]:
        return store.audit.since(long_ago)

    return await access.db.run(read)


async def test_a_persons_rows_name_their_address_and_session_never_its_id(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    signed_in = await client.post("/api/session", json={"user": "alice", "password": PASSWORD})
    csrf = (await signed_in.json())["csrf_token"]
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["ivr_console"].value
    assert (await client.post("/api/act", headers={"X-CSRF-Token": csrf})).status == 200
    assert (await client.delete("/api/session", headers={"X-CSRF-Token": csrf})).status == 200
    rows = await _audit(client)
    assert [r.action for r in rows] == ["sign-in", "test.acted", "sign-out"]
    reference = token_hash(cookie)[:8]
    assert {(r.who, r.client, r.session) for r in rows} == {("alice", "127.0.0.1", reference)}
    assert cookie not in str(rows) and token_hash(cookie) not in str(rows)


async def test_the_bearer_token_is_audited_as_api_token_with_its_address(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    response = await client.post("/api/act", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    [row] = await _audit(client)
    assert (row.who, row.action, row.client, row.session) == (
        "api-token",
        "test.acted",
        "127.0.0.1",
        "",
    )


async def test_refused_requests_are_audited_but_a_flood_is_not_written_row_by_row(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    await client.post("/api/session", json={"user": "alice", "password": PASSWORD})
    assert (await client.post("/api/act")).status == 403  # no CSRF token
    for _ in range(ROWS_PER_ADDRESS + 5):
        wrong = await client.post("/api/act", headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status == 401
    rows = await _audit(client)
    csrf = [r for r in rows if r.action == "csrf-refused"]
    assert [(r.who, r.detail, r.client, bool(r.session)) for r in csrf] == [
        ("alice", {"method": "POST", "path": "/api/act"}, "127.0.0.1", True)
    ]
    bearer = [r for r in rows if r.action == "api-token-refused"]
    assert len(bearer) == ROWS_PER_ADDRESS - 1  # the CSRF refusal counted in the same budget
    assert bearer[0].who == "api-token" and bearer[0].detail["token"] == "wrong"
    assert "test.acted" not in [r.action for r in rows]
