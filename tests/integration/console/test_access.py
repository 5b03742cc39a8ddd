"""The console's access control through the aiohttp test client: sign in, cookies, CSRF,
roles, the bearer token, the login limit, expiry and the audit of it all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from ivr.console.access import ACCESS, ConsoleAccess, register
from ivr.console.audit import AuditEntry
from ivr.console.identity import Role, operator_of, require
from ivr.console.passwords import Check, Passwords
from ivr.console.store import ConsoleStore
from ivr.console_settings import ConsoleSettings, SecureCookie
from ivr.http_guard import reject_bad_headers
from tests.unit.console.fixtures import (
    PASSWORD,
    POLICY,
    MovingClock,
    fast_passwords,
    seed_users,
)

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
TOKEN = "s3cret-operator-token-0123"
WRONG = {"error": "wrong user name or password"}


async def _whoami(request: web.Request) -> web.Response:
    operator = operator_of(request)
    return web.json_response({"name": operator.name, "role": operator.role.value})


async def _admin_only(request: web.Request) -> web.Response:
    return web.json_response({"name": require(request, Role.ADMIN).name})


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _board(request: web.Request) -> web.Response:
    return web.Response(text=f"board for {operator_of(request).name}")


def _app(
    tmp_path: Path,
    clock: MovingClock,
    token: str = TOKEN,
    settings: ConsoleSettings | None = None,
) -> web.Application:
    db = tmp_path / "calls.db"
    if not db.exists():
        seed_users(db, ("alice", Role.OPERATOR, "PJSIP/op-1"), ("root", Role.ADMIN, ""))
    app = web.Application(middlewares=[reject_bad_headers()])
    register(
        app,
        str(db),
        token,
        settings or ConsoleSettings(login_failures=3),
        clock,
        fast_passwords(),
    )
    app.router.add_get("/", _board)
    app.router.add_get("/health", _health)
    app.router.add_get("/api/whoami", _whoami)
    app.router.add_post("/api/whoami", _whoami)
    app.router.add_get("/api/admin", _admin_only)
    return app


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


async def _client(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock, **kw: Any
) -> Client:
    return await aiohttp_client(_app(tmp_path, clock, **kw))


async def _sign_in(client: Client, user: str = "alice", password: str = PASSWORD) -> str:
    resp = await client.post("/api/session", json={"user": user, "password": password})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["user"] == user
    return str(body["csrf_token"])


async def _audit(client: Client) -> list[AuditEntry]:
    access: ConsoleAccess = client.app[ACCESS]
    db = access.db
    await db.flush()
    day_ago = datetime.now(UTC) - timedelta(days=1000)  # the test clock is in the past

    def read(store: ConsoleStore) -> list[AuditEntry]:
        return store.audit.since(day_ago)

    return await db.run(read)


async def test_unauthenticated_api_is_401_and_pages_go_to_login(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    resp = await client.get("/api/whoami")
    assert resp.status == 401
    assert "sign in" in (await resp.json())["error"]
    resp = await client.get("/", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/login")
    assert (await client.get("/health")).status == 200
    assert (await client.get("/login")).status == 200
    assert (await client.get("/login.js")).status == 200


async def test_sign_in_sets_a_strict_httponly_cookie_and_says_who(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    resp = await client.post("/api/session", json={"user": "alice", "password": PASSWORD})
    assert resp.status == 200
    body = await resp.json()
    assert body["user"] == "alice" and body["role"] == "operator" and body["csrf_token"]
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP, no trusted proxy
    assert (await (await client.get("/api/whoami")).json())["name"] == "alice"
    session = await (await client.get("/api/session")).json()
    assert session == {
        "user": "alice",
        "role": "operator",
        "phone": "PJSIP/op-1",
        "csrf_token": body["csrf_token"],
    }
    assert [e.action for e in await _audit(client)] == ["sign-in"]


@pytest.mark.parametrize(
    ("settings", "headers", "secure"),
    [
        (ConsoleSettings(secure_cookie=SecureCookie.ALWAYS), {}, True),
        (ConsoleSettings(trusted_proxies=("127.0.0.1",)), {"X-Forwarded-Proto": "https"}, True),
        (ConsoleSettings(trusted_proxies=("10.9.9.9",)), {"X-Forwarded-Proto": "https"}, False),
    ],
)
async def test_the_cookie_is_secure_when_the_request_came_over_tls(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    clock: MovingClock,
    settings: ConsoleSettings,
    headers: dict[str, str],
    secure: bool,
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock, settings=settings)
    resp = await client.post(
        "/api/session", json={"user": "alice", "password": PASSWORD}, headers=headers
    )
    assert ("Secure" in resp.headers["Set-Cookie"]) is secure


async def test_wrong_password_and_unknown_user_get_the_same_401_and_are_audited(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    wrong = await client.post("/api/session", json={"user": "alice", "password": "nope"})
    unknown = await client.post("/api/session", json={"user": "nobody", "password": "nope"})
    assert (wrong.status, await wrong.json()) == (401, WRONG)
    assert (unknown.status, await unknown.json()) == (401, WRONG)
    assert "Set-Cookie" not in wrong.headers
    entries = await _audit(client)
    assert [(e.who, e.action, e.detail["why"]) for e in entries] == [
        ("alice", "sign-in-failed", "wrong password"),
        ("nobody", "sign-in-failed", "no such user"),
    ]
    assert all(e.client == "127.0.0.1" for e in entries)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"user": 1, "password": "x"}', b'{"user": "a"}', b"[" * 100],
)
async def test_bad_sign_in_bodies_are_400_not_500(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock, body: bytes
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    resp = await client.post(
        "/api/session", data=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert (await resp.json())["error"]


async def test_sign_in_takes_json_only(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    resp = await client.post("/api/session", data={"user": "alice", "password": PASSWORD})
    assert resp.status == 400
    assert "application/json" in (await resp.json())["error"]


async def test_a_hash_with_old_parameters_is_replaced_at_sign_in(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    store = ConsoleStore(tmp_path / "calls.db", POLICY)
    old = store.users.get("alice")
    store.users.set_password(
        "alice",
        Passwords(PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)).hash(PASSWORD),
        "t0",
    )
    store.close()
    await _sign_in(client)  # the app's hasher: memory_cost 8
    store = ConsoleStore(tmp_path / "calls.db", POLICY)
    new = store.users.get("alice")
    store.close()
    assert old is not None and new is not None
    assert "m=8," in new.password_hash and "m=16," not in new.password_hash
    assert fast_passwords().check(new.password_hash, PASSWORD) is Check.RIGHT


async def test_too_many_failures_are_429_with_retry_after(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    for _ in range(3):
        resp = await client.post("/api/session", json={"user": "alice", "password": "nope"})
        assert resp.status == 401
    resp = await client.post("/api/session", json={"user": "alice", "password": PASSWORD})
    assert resp.status == 429
    assert 0 < int(resp.headers["Retry-After"]) <= 300
    assert "too many" in (await resp.json())["error"]
    assert [e.action for e in await _audit(client)][-1] == "sign-in-limited"


async def test_state_changes_need_the_csrf_token(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    csrf = await _sign_in(client)
    missing = await client.post("/api/whoami")
    wrong = await client.post("/api/whoami", headers={"X-CSRF-Token": csrf + "x"})
    assert (missing.status, wrong.status) == (403, 403)
    assert "CSRF" in (await missing.json())["error"]
    right = await client.post("/api/whoami", headers={"X-CSRF-Token": csrf})
    assert right.status == 200
    form = await client.post("/api/whoami", data={"csrf_token": csrf})
    assert form.status == 200
    assert (await client.delete("/api/session")).status == 403


async def test_an_operator_is_refused_admin_routes(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    await _sign_in(client)
    resp = await client.get("/api/admin")
    assert resp.status == 403
    assert "admin" in (await resp.json())["error"]
    other = await _client(aiohttp_client, tmp_path, clock)
    await _sign_in(other, "root")
    assert (await other.get("/api/admin")).status == 200


async def test_the_bearer_token_is_a_machine_operator_without_csrf(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    resp = await client.post("/api/whoami", headers=bearer)
    assert await resp.json() == {"name": "api-token", "role": "operator"}
    assert (await client.get("/api/admin", headers=bearer)).status == 403
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer"):
        resp = await client.get("/api/whoami", headers={"Authorization": header})
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="ivr101"'


async def test_without_a_configured_token_a_bearer_is_refused_not_let_in(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock, token="")
    resp = await client.get("/api/whoami", headers={"Authorization": "Bearer "})
    assert resp.status == 403
    assert "IVR_API_TOKEN" in (await resp.json())["error"]


async def test_sessions_expire_when_idle(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    await _sign_in(client)
    clock.advance(minutes=29)
    assert (await client.get("/api/whoami")).status == 200
    clock.advance(minutes=31)
    assert (await client.get("/api/whoami")).status == 401


async def test_a_disabled_users_session_ends_and_they_cannot_sign_in(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    await _sign_in(client)
    store = ConsoleStore(tmp_path / "calls.db", POLICY)
    store.disable_user("alice", clock())
    store.close()
    assert (await client.get("/api/whoami")).status == 401
    resp = await client.post("/api/session", json={"user": "alice", "password": PASSWORD})
    assert (resp.status, await resp.json()) == (401, WRONG)


async def test_signing_out_ends_the_session(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    csrf = await _sign_in(client)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["ivr_console"].value
    resp = await client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert resp.status == 200
    # Even a copy of the cookie kept from before is refused now.
    resp = await client.get("/api/whoami", cookies={"ivr_console": cookie})
    assert resp.status == 401
    assert [e.action for e in await _audit(client)] == ["sign-in", "sign-out"]


async def test_the_login_form_works_without_script(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    page = await (await client.get("/login")).text()
    assert '<label for="user">' in page and '<label for="password">' in page
    resp = await client.post(
        "/login", data={"user": "alice", "password": "nope"}, allow_redirects=False
    )
    assert resp.status == 401
    assert "wrong user name or password" in await resp.text()
    resp = await client.post(
        "/login", data={"user": "alice", "password": PASSWORD}, allow_redirects=False
    )
    assert (resp.status, resp.headers["Location"]) == (303, "/")
    assert (await (await client.get("/")).text()) == "board for alice"


async def test_the_login_page_escapes_what_it_echoes(
    aiohttp_client: ClientFactory, tmp_path: Path, clock: MovingClock
) -> None:
    client = await _client(aiohttp_client, tmp_path, clock)
    resp = await client.post("/login", data={"user": '"><script>x()</script>', "password": "p"})
    text = await resp.text()
    assert "<script>x()" not in text and "&lt;script&gt;" in text
