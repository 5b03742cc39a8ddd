"""The sign-in review's findings (issue 12), each through the aiohttp test client: the
limit under parallel requests, lockouts per (name, address), the hashing pool, the
audit of refusals, login CSRF, security headers, and the session a sign-in replaces."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.access import ACCESS, ConsoleAccess, register
from ivr.console.audit import AuditEntry
from ivr.console.hashpool import HashPool, PoolFull
from ivr.console.identity import Role, operator_of
from ivr.console.passwords import Check, Passwords
from ivr.console.sessions import ActiveSession, Grant
from ivr.console.signin import INVALID_NAME
from ivr.console.store import ConsoleStore
from ivr.console_settings import ConsoleSettings
from ivr.http_guard import reject_bad_headers
from tests.unit.console.fixtures import FAST, PASSWORD, MovingClock, seed_users

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PROXY = ConsoleSettings(login_failures=3, trusted_proxies=("127.0.0.1",))


class CountingPasswords(Passwords):
    """The fast hasher, counting checks and the threads they ran on; ``gate`` holds them."""

    def __init__(self) -> None:
        super().__init__(FAST)
        self.checks = 0
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Semaphore(0)  # released as each check starts

    def check(self, stored: str | None, password: str) -> Check:
        self.checks += 1
        self.threads.add(threading.current_thread().name)
        self.entered.release()
        self.gate.wait(10)
        return super().check(stored, password)


async def _whoami(request: web.Request) -> web.Response:
    return web.json_response({"name": operator_of(request).name})


async def _client(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    passwords: Passwords | None = None,
    settings: ConsoleSettings = PROXY,
    pool: HashPool | None = None,
) -> Client:
    db = tmp_path / "calls.db"
    if not db.exists():
        seed_users(db, ("alice", Role.OPERATOR, ""), ("root", Role.ADMIN, ""))
    app = web.Application(middlewares=[reject_bad_headers()])
    register(app, str(db), "tok", settings, MovingClock(), passwords or CountingPasswords(), pool)
    app.router.add_get("/api/whoami", _whoami)
    return await aiohttp_client(app)


def _from(address: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **headers}


async def _post(client: Client, user: str, password: str, address: str = "10.0.0.1") -> int:
    resp = await client.post(
        "/api/session", json={"user": user, "password": password}, headers=_from(address)
    )
    return resp.status


async def _audit(client: Client) -> list[AuditEntry]:
    access: ConsoleAccess = client.app[ACCESS]
    await access.db.flush()
    since = datetime.now(UTC) - timedelta(days=1000)
    return await access.db.run(lambda s: s.audit.since(since))


async def test_parallel_sign_ins_get_no_more_checks_than_the_limit(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    passwords = CountingPasswords()
    client = await _client(aiohttp_client, tmp_path, passwords)
    statuses = await asyncio.gather(*(_post(client, "alice", "wrong") for _ in range(40)))
    assert passwords.checks <= 3
    assert statuses.count(401) == passwords.checks
    assert set(statuses) <= {401, 429}


async def test_one_addresss_failures_never_lock_out_the_right_password_elsewhere(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    for _ in range(3):
        assert await _post(client, "alice", "wrong", "10.6.6.6") == 401
    assert await _post(client, "alice", PASSWORD, "10.6.6.6") == 429
    assert await _post(client, "alice", PASSWORD, "10.0.0.1") == 200
    # A desk-mate's typos do not lock out the whole office's NAT either.
    assert await _post(client, "root", PASSWORD, "10.6.6.6") == 200


async def test_one_address_spraying_names_is_stopped_by_the_address_limit(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    for n in range(12):  # 4 x the limit of 3
        assert await _post(client, f"user{n}", "wrong", "10.6.6.6") == 401
    assert await _post(client, "someone", "wrong", "10.6.6.6") == 429
    assert await _post(client, "alice", PASSWORD, "10.0.0.1") == 200


async def test_ipv6_neighbours_in_one_64_share_a_limit(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    for host in ("1", "2", "3"):
        assert await _post(client, "alice", "wrong", f"2001:db8:0:1::{host}") == 401
    assert await _post(client, "alice", "wrong", "2001:db8:0:1::99") == 429


async def test_hashing_runs_on_its_own_pool_and_a_full_queue_is_503(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    passwords = CountingPasswords()
    pool = HashPool(1, 1)
    client = await _client(aiohttp_client, tmp_path, passwords, pool=pool)
    assert await _post(client, "alice", PASSWORD) == 200
    assert passwords.threads and all(t.startswith("ivr-hash") for t in passwords.threads)
    passwords.gate.clear()
    assert passwords.entered.acquire(timeout=0)  # alice's check, done
    first = asyncio.ensure_future(_post(client, "a1", "wrong", "10.0.0.2"))
    assert await asyncio.to_thread(passwords.entered.acquire, True, 5)  # running: a1
    # Scheduled before the request below, so it takes the queue's one place first.
    queued = asyncio.create_task(pool.run(passwords.gate.wait, 10))
    resp = await client.post(
        "/api/session", json={"user": "root", "password": PASSWORD}, headers=_from("10.0.0.9")
    )
    assert pool.waiting == 2  # a1 running, one queued
    assert resp.status == 503
    assert int(resp.headers["Retry-After"]) > 0
    passwords.gate.set()
    assert await first == 401 and await queued is True
    # The refused attempt was not counted as a failure: root signs in at once.
    assert await _post(client, "root", PASSWORD, "10.0.0.9") == 200


async def test_the_pool_refuses_past_its_queue() -> None:
    pool, gate, entered = HashPool(1, 0), threading.Event(), threading.Event()

    def held() -> bool:
        entered.set()
        return gate.wait(10)

    running = asyncio.ensure_future(pool.run(held))
    assert await asyncio.to_thread(entered.wait, 5)  # the pool's one thread is busy
    with pytest.raises(PoolFull):
        await pool.run(gate.wait, 10)
    gate.set()
    assert await running is True
    pool.close()


async def test_a_flood_of_refusals_is_audited_once_with_a_count(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    for _ in range(3):
        await _post(client, "alice", "wrong")
    for _ in range(50):
        assert await _post(client, "alice", "wrong") == 429
    limited = [e for e in await _audit(client) if e.action == "sign-in-limited"]
    assert len(limited) == 1
    assert limited[0].detail["retry_after"] > 0


async def test_a_failed_sign_ins_name_is_audited_only_if_it_could_be_a_name(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    await _post(client, "\x1b[2Jroot", "wrong")
    await _post(client, "nobody", "wrong")
    assert [e.who for e in await _audit(client)] == [INVALID_NAME, "nobody"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.example"},
    ],
)
async def test_a_cross_site_sign_in_is_refused(
    aiohttp_client: ClientFactory, tmp_path: Path, headers: dict[str, str]
) -> None:
    passwords = CountingPasswords()
    client = await _client(aiohttp_client, tmp_path, passwords)
    resp = await client.post(
        "/api/session", json={"user": "alice", "password": PASSWORD}, headers=headers
    )
    assert resp.status == 403
    assert "error" in await resp.json()
    assert "Set-Cookie" not in resp.headers
    page = await client.post(
        "/login", data={"user": "alice", "password": PASSWORD}, headers=headers
    )
    assert page.status == 403 and "Error:" in await page.text()
    assert "Set-Cookie" not in page.headers
    assert passwords.checks == 0


async def test_a_same_origin_sign_in_is_let_through(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    origin = str(client.make_url("/")).rstrip("/")
    same = {"Sec-Fetch-Site": "same-origin", "Origin": origin}
    resp = await client.post(
        "/api/session", json={"user": "alice", "password": PASSWORD}, headers=same
    )
    assert resp.status == 200
    # Behind a TLS proxy the browser's origin is https.
    https = {"X-Forwarded-Proto": "https", "Origin": origin.replace("http:", "https:")}
    resp = await client.post(
        "/api/session", json={"user": "root", "password": PASSWORD}, headers=https
    )
    assert resp.status == 200


async def test_every_response_has_the_security_headers(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    responses = {
        "/login": await client.get("/login"),
        "/login.css": await client.get("/login.css"),
        "/api/whoami": await client.get("/api/whoami"),
        "/nowhere": await client.get("/nowhere", allow_redirects=False),
        "/api/session": await client.post("/api/session", json={"user": "a", "password": "b"}),
    }
    for path, resp in responses.items():
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Referrer-Policy"] == "no-referrer", path
        assert resp.headers["X-Frame-Options"] == "DENY", path
        if path.startswith("/api/"):
            assert resp.headers["Cache-Control"] == "no-store", path
    login = responses["/login"]
    assert "default-src 'none'" in login.headers["Content-Security-Policy"]
    assert "style-src 'self'" in login.headers["Content-Security-Policy"]
    page = await login.text()
    assert "<style" not in page and 'href="/login.css"' in page
    assert responses["/login.css"].status == 200
    assert responses["/login.css"].content_type == "text/css"


async def test_signing_in_ends_the_session_the_browser_already_had(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    assert await _post(client, "alice", PASSWORD) == 200
    old = client.session.cookie_jar.filter_cookies(client.make_url("/"))["ivr_console"].value
    assert await _post(client, "root", PASSWORD) == 200
    assert (await client.get("/api/whoami")).status == 200
    resp = await client.get("/api/whoami", cookies={"ivr_console": old})
    assert resp.status == 401


def test_session_tokens_stay_out_of_reprs() -> None:
    from ivr.console.identity import Operator

    operator = Operator("alice", Role.OPERATOR)
    grant = Grant("tok-secret", "csrf-secret", operator)
    active = ActiveSession(operator, "csrf-secret")
    for text in (repr(grant), repr(active)):
        assert "secret" not in text and "alice" in text


async def test_a_refused_bearers_path_is_logged_escaped(
    aiohttp_client: ClientFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    with caplog.at_level(logging.WARNING, logger="ivr.console.auth"):
        await client.get("/api/x%0afake%1b[2J", headers={"Authorization": "Bearer nope"})
    [message] = [r.getMessage() for r in caplog.records if "refused bearer" in r.getMessage()]
    assert "\n" not in message and "\x1b" not in message and "\\x1b" in message


def test_password_reset_ends_the_users_sessions(tmp_path: Path) -> None:
    from ivr.console.people import add_person
    from tests.unit.console.fixtures import POLICY

    db = tmp_path / "calls.db"
    seed_users(db, ("alice", Role.OPERATOR, ""))
    store = ConsoleStore(db, POLICY)
    user = store.users.get("alice")
    assert user is not None
    grant = store.sessions.start(user.operator, "10.0.0.1", datetime.now(UTC))
    store.close()
    add_person(db, "alice", Role.OPERATOR, "a brand new password", by="test")
    store = ConsoleStore(db, POLICY)
    try:
        assert store.sessions.find(grant.token, datetime.now(UTC)) is None
    finally:
        store.close()


def test_the_access_log_escapes_the_decoded_path(caplog: pytest.LogCaptureFixture) -> None:
    from aiohttp.test_utils import make_mocked_request

    from ivr.http_guard import PathAccessLogger, loggable

    assert loggable('/a\n\x1b"b') == '/a\\n\\x1b\\"b'
    request = make_mocked_request("GET", "/x%0a1.2.3.4%20%22GET%20/admin%22%20200")
    logger = logging.getLogger("test.access")
    with caplog.at_level(logging.INFO, logger="test.access"):
        PathAccessLogger(logger, "").log(request, web.Response(), 0.0)
    [line] = [r.getMessage() for r in caplog.records]
    assert "\n" not in line and '"GET /x\\n1.2.3.4 \\"GET /admin\\" 200" 200' in line
