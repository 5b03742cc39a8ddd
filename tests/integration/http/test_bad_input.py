"""Bad input on any of our HTTP ports gets a 400 or a closed connection, never a 500.

Every HTTP server the project runs: the app's port (/health, /api/calls, /sms/inbound)
and the simulator's (/ari REST, /_sim controls). Requests go over a raw socket where a
client library would refuse to send them (header bytes that are not UTF-8, half a
request line).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from ivr.app import build_app
from ivr.ari.settings import AriSettings
from ivr.config import Settings
from ivr.http_guard import MAX_JSON_DEPTH, server_options
from ivr.http_settings import HttpSettings
from ivr.notify.settings import SmsSettings
from ivr.simulator import Simulator, SimulatorConfig
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.settings import StoreSettings

TOKEN = "s3cret-operator-token-0123"
SMS_SECRET = "inbound-secret"
SIM_AUTH = "api_key=u:p"
QUICK = 0.2  # header timeout of the servers under test: the tests wait on the close


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> dict[str, object]:
        data = json.loads(self.body)
        assert isinstance(data, dict)
        return data


@pytest.fixture
async def app_port(tmp_path: Path) -> AsyncIterator[int]:
    settings = Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),  # nothing listens there: no calls
        store=StoreSettings(db_path=str(tmp_path / "calls.db")),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        http=HttpSettings(api_token=TOKEN),
        sms=SmsSettings(url="http://127.0.0.1:9/sms", inbound_secret=SMS_SECRET),
    )
    runner = web.AppRunner(build_app(settings), **server_options(header_timeout=QUICK))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield site.port
    await runner.cleanup()


@pytest.fixture
async def sim_port() -> AsyncIterator[int]:
    sim = Simulator(SimulatorConfig(username="u", password="p"))
    port = await sim.start(header_timeout=QUICK)
    yield port
    await sim.stop()


async def _exchange(port: int, data: bytes) -> bytes:
    """Send ``data``, read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


async def _request(
    port: int, method: str, target: str, headers: list[bytes], body: bytes = b""
) -> Reply:
    head = [f"{method} {target} HTTP/1.1".encode(), b"Host: localhost", b"Connection: close"]
    head += headers
    if body:
        head.append(b"Content-Length: %d" % len(body))
    raw = await _exchange(port, b"\r\n".join(head) + b"\r\n\r\n" + body)
    status_line, _, rest = raw.partition(b"\r\n")
    return Reply(int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2])


NOT_UTF8 = b"\xff\xfe"
DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    ("method", "target", "header"),
    [
        ("GET", "/health", b"X-Trace: " + NOT_UTF8),
        ("GET", "/api/calls", b"Authorization: Bearer " + NOT_UTF8),
        ("POST", "/sms/inbound", b"X-Sms-Secret: " + NOT_UTF8),
    ],
)
async def test_app_answers_400_to_header_bytes_that_are_not_utf8(
    app_port: int, method: str, target: str, header: bytes
) -> None:
    reply = await _request(app_port, method, target, [header])
    assert reply.status == 400
    assert reply.json()["error_id"] == "header-not-utf8"


@pytest.mark.parametrize(
    ("method", "target", "header"),
    [
        ("GET", "/ari/asterisk/info", b"Authorization: Basic " + NOT_UTF8),
        ("GET", f"/ari/asterisk/info?{SIM_AUTH}", b"X-Trace: " + NOT_UTF8),
        ("POST", "/_sim/calls", b"X-Trace: " + NOT_UTF8),
    ],
)
async def test_simulator_answers_400_to_header_bytes_that_are_not_utf8(
    sim_port: int, method: str, target: str, header: bytes
) -> None:
    reply = await _request(sim_port, method, target, [header])
    assert reply.status == 400
    assert reply.json()["error_id"] == "header-not-utf8"


async def test_sms_inbound_answers_400_to_deeply_nested_json(app_port: int) -> None:
    headers = [f"X-Sms-Secret: {SMS_SECRET}".encode(), b"Content-Type: application/json"]
    reply = await _request(app_port, "POST", "/sms/inbound", headers, DEEP)
    assert reply.status == 400
    assert reply.json()["error_id"] == "json-too-deep"


async def test_sms_inbound_answers_400_to_a_body_that_is_not_utf8(app_port: int) -> None:
    headers = [f"X-Sms-Secret: {SMS_SECRET}".encode(), b"Content-Type: application/json"]
    reply = await _request(app_port, "POST", "/sms/inbound", headers, NOT_UTF8 + b"{}")
    assert reply.status == 400
    assert reply.json()["error_id"] == "body-not-utf8"


@pytest.mark.parametrize(
    "target",
    ["/_sim/calls", f"/ari/channels?endpoint=PJSIP/rc&app=ivr101&{SIM_AUTH}"],
)
async def test_simulator_answers_400_to_deeply_nested_json(sim_port: int, target: str) -> None:
    headers = [b"Content-Type: application/json"]
    reply = await _request(sim_port, "POST", target, headers, DEEP)
    assert reply.status == 400


async def test_json_within_the_depth_limit_is_still_read(sim_port: int) -> None:
    nested = {"variables": {"A": "1"}, "pad": json.loads("[" * (MAX_JSON_DEPTH - 2) + "]" * 30)}
    target = f"/ari/channels?endpoint=PJSIP/rc&app=ivr101&{SIM_AUTH}"
    body = json.dumps(nested).encode()
    reply = await _request(sim_port, "POST", target, [b"Content-Type: application/json"], body)
    assert reply.status == 200


# Escaped quotes after an opening one: the old depth check backtracked over them from
# each quote, quadratic, on the loop (60 KB held the simulator ~14 s; this, many minutes).
ESCAPED_QUOTES = b'\\"' * 150_000


async def test_simulator_answers_a_body_of_escaped_quotes_without_stalling(sim_port: int) -> None:
    headers = [b"Content-Type: application/json"]
    unterminated = await _request(sim_port, "POST", "/_sim/calls", headers, b'"' + ESCAPED_QUOTES)
    assert unterminated.status == 400
    assert unterminated.json()["error_id"] == "invalid-json"
    valid = b'{"caller_name": "' + ESCAPED_QUOTES + b'"}'
    placed = await _request(sim_port, "POST", "/_sim/calls", headers, valid)
    assert placed.status == 201


async def _cut_off(port: int) -> bytes:
    """Half a request line, then nothing: what the server sends before it closes.

    The bound is only there so the old behaviour (held for an hour) fails, not hangs.
    """
    return await asyncio.wait_for(_exchange(port, b"GET /hea"), 30)


async def test_app_cuts_off_a_client_that_never_finishes_its_headers(app_port: int) -> None:
    assert await _cut_off(app_port) == b""


async def test_simulator_cuts_off_a_client_that_never_finishes_its_headers(
    sim_port: int,
) -> None:
    assert await _cut_off(sim_port) == b""


async def test_access_log_prints_the_path_without_its_query_string(
    sim_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        reply = await _request(sim_port, "GET", f"/ari/asterisk/info?{SIM_AUTH}", [])
        assert reply.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /ari/asterisk/info" 200' in line for line in lines), lines
    assert not any("api_key" in line for line in lines), lines
