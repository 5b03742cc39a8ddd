"""The webhook channel against a fake force platform: a real HTTP server that checks each
request with the verification recipe printed in docs/chat.md (run as written)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ivr.chat.model import ChatContext, ChatStart, ChatUnavailable, Unavailable
from ivr.chat.settings import ChannelKind, ChatSettings
from ivr.chat.webhook import StartPayload, WebhookChatChannel, WebhookConfig
from ivr.shipped import REPO_ROOT

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]

SECRET = "s3cret-" + "x" * 32
NOW = datetime(2026, 12, 3, 22, 14, 5, tzinfo=UTC)
NUMBER = "07700900123"  # the caller's: must never reach the platform
CONTEXT = ChatContext(
    call_id="1764800000.42",
    intent="report-theft",
    destination="online",
    heard=("someone has taken my bike", "outside the station"),
    reference="CR-2026-001",
    flags=("repeat",),
    categories=("theft",),
)
DOC = (REPO_ROOT / "docs" / "chat.md").read_text()


def _docs_verify() -> Callable[..., dict[str, Any]]:
    """The platform's side, exactly as docs/chat.md prints it."""
    section = DOC.split("### Verifying a request", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/chat.md has no verification snippet"
    namespace: dict[str, Any] = {}
    exec(match.group(1), namespace)
    verify: Callable[..., dict[str, Any]] = namespace["verify"]
    return verify


verify = _docs_verify()


@dataclass
class FakePlatform:
    """What the platform answers (settable per test) and what it was sent."""

    start_status: int = 201
    start_body: str = json.dumps({"url": "https://chat.example.police.uk/c/abc"})
    status_status: int = 200
    status_body: str = json.dumps({"open": True, "wait_seconds": 240})
    hang: bool = False  # never answer a start (the timeout case)
    drop_first: bool = False  # drop the first start's connection without an answer
    starts: list[dict[str, Any]] = field(default_factory=list)
    raw_starts: list[bytes] = field(default_factory=list)
    status_polls: int = 0
    polls_to_signal: int = 1
    polled: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/start", self._start)
        app.router.add_get("/status", self._status)
        return app

    async def _start(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            payload = verify(SECRET, request.headers, body, now=NOW.timestamp())
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=401)
        self.raw_starts.append(body)
        self.starts.append(payload)
        if self.drop_first and len(self.starts) == 1:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if self.hang:
            await self.release.wait()
        return web.Response(
            status=self.start_status, text=self.start_body, content_type="application/json"
        )

    async def _status(self, request: web.Request) -> web.Response:
        verify(SECRET, request.headers, await request.read(), now=NOW.timestamp())
        self.status_polls += 1
        if self.status_polls >= self.polls_to_signal:
            self.polled.set()
        return web.Response(
            status=self.status_status, text=self.status_body, content_type="application/json"
        )


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    yield fake
    fake.release.set()


@pytest.fixture
async def server(aiohttp_server: ServerFactory, platform: FakePlatform) -> TestServer:
    return await aiohttp_server(platform.app())


def _config(server: TestServer, **changes: Any) -> WebhookConfig:
    config = WebhookConfig(
        url=str(server.make_url("/start")),
        secret=SECRET,
        status_url=str(server.make_url("/status")),
        timeout_s=5.0,
        public_url="https://101.example.police.uk",
    )
    return replace(config, **changes)


@pytest.fixture
async def channel(server: TestServer) -> AsyncIterator[WebhookChatChannel]:
    chan = WebhookChatChannel(_config(server), lambda: NOW)
    await chan.open()
    yield chan
    await chan.close()


async def _channel(config: WebhookConfig) -> WebhookChatChannel:
    chan = WebhookChatChannel(config, lambda: NOW)
    await chan.open()
    return chan


# -- the start request


async def test_start_posts_the_documented_payload_and_sends_the_caller_to_its_page(
    channel: WebhookChatChannel, platform: FakePlatform
) -> None:
    started = await channel.start(CONTEXT, "link-1")
    assert started == ChatStart(redirect="https://chat.example.police.uk/c/abc")
    assert platform.starts == [
        {
            "version": 1,
            "event": "chat.start",
            "link_id": "link-1",
            "call_id": "1764800000.42",
            "opened_at": "2026-12-03T22:14:05+00:00",
            "context": {
                "intent": "report-theft",
                "destination": "online",
                "heard": ["someone has taken my bike", "outside the station"],
                "reference": "CR-2026-001",
                "flags": ["repeat"],
                "categories": ["theft"],
                "priority": 0,
            },
        }
    ]


def _keys(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return set()
    return {f"{prefix}{k}" for k in node} | {
        key for k, v in node.items() for key in _keys(v, f"{prefix}{k}.")
    }


def test_the_docs_example_has_exactly_the_payloads_fields() -> None:
    example = re.search(r"### The start request.*?```json\n(.*?)```", DOC, re.S)
    assert example
    built = StartPayload("link-1", CONTEXT, NOW).to_json()
    assert _keys(json.loads(example.group(1))) == _keys(built)


async def test_no_phone_number_is_anywhere_in_the_payload(
    channel: WebhookChatChannel, platform: FakePlatform
) -> None:
    await channel.start(CONTEXT, "link-1")
    (raw,) = platform.raw_starts
    assert NUMBER.encode() not in raw and NUMBER[1:].encode() not in raw
    named = {key.rsplit(".", 1)[-1] for key in _keys(platform.starts[0])}
    assert not {k for k in named if re.search("number|phone|msisdn|cli|name", k)}


async def test_the_docs_recipe_refuses_a_forged_a_tampered_and_a_replayed_request(
    channel: WebhookChatChannel, platform: FakePlatform, server: TestServer
) -> None:
    forged = WebhookChatChannel(_config(server, secret="another-" + "y" * 32), lambda: NOW)
    await forged.open()
    try:
        with pytest.raises(ChatUnavailable, match="HTTP 401"):
            await forged.start(CONTEXT, "link-1")
    finally:
        await forged.close()
    assert platform.starts == []
    await channel.start(CONTEXT, "link-1")
    (raw,) = platform.raw_starts
    headers = {
        "X-Ivr101-Timestamp": str(int(NOW.timestamp())),
        "X-Ivr101-Signature": _signature_of(raw),
    }
    assert verify(SECRET, headers, raw, now=NOW.timestamp())["link_id"] == "link-1"
    with pytest.raises(ValueError, match="signature"):
        verify(SECRET, headers, raw.replace(b"link-1", b"link-2"), now=NOW.timestamp())
    with pytest.raises(ValueError, match="replay"):
        verify(SECRET, headers, raw, now=NOW.timestamp() + 301)


def _signature_of(raw: bytes) -> str:
    from ivr.chat.webhook import sign

    return sign(SECRET, int(NOW.timestamp()), raw)


async def test_a_plain_http_page_is_refused_when_the_public_site_is_https(
    channel: WebhookChatChannel, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    platform.start_body = json.dumps({"url": "http://chat.example.police.uk/c/abc"})
    with caplog.at_level(logging.WARNING), pytest.raises(ChatUnavailable, match="https"):
        await channel.start(CONTEXT, "link-1")
    assert "link link-1 not started" in caplog.text


async def test_a_plain_http_page_is_taken_when_the_public_site_is_http_too(
    server: TestServer, platform: FakePlatform
) -> None:
    platform.start_body = json.dumps({"url": "http://127.0.0.1:9000/c/abc"})
    chan = await _channel(_config(server, public_url="http://127.0.0.1:8080"))
    try:
        assert await chan.start(CONTEXT, "link-1") == ChatStart(
            redirect="http://127.0.0.1:9000/c/abc"
        )
    finally:
        await chan.close()


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (503, '{"error": "maintenance"}', "HTTP 503: .*maintenance"),
        (500, "", "HTTP 500"),
        (302, "", "HTTP 302"),
        (409, '{"error": "no agents"}', "HTTP 409"),
        (200, "<html>chat</html>", "not JSON"),
        (200, '["https://x.example"]', 'no "url"'),
        (201, '{"url": ""}', 'no "url"'),
        (200, '{"url": "/c/abc"}', "absolute https URL"),
        (200, '{"url": "javascript:alert(1)"}', "absolute https URL"),
        (200, '{"url": "https://x.example/a b"}', "not a URL"),
        (200, json.dumps({"url": "https://x.example/" + "a" * 70_000}), "over 64 KiB"),
    ],
)
async def test_anything_but_a_good_answer_is_chat_unavailable_with_its_reason(
    channel: WebhookChatChannel,
    platform: FakePlatform,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: str,
    reason: str,
) -> None:
    platform.start_status, platform.start_body = status, body
    with caplog.at_level(logging.WARNING), pytest.raises(ChatUnavailable, match=reason):
        await channel.start(CONTEXT, "link-1")
    assert re.search(reason, caplog.text)
    assert len(platform.starts) == 1  # an HTTP answer is never retried


async def test_a_timeout_is_chat_unavailable_and_not_retried(
    server: TestServer, platform: FakePlatform
) -> None:
    platform.hang = True
    chan = await _channel(_config(server, timeout_s=0.2))
    try:
        with pytest.raises(ChatUnavailable, match=r"timed out after 0\.2 s"):
            await chan.start(CONTEXT, "link-1")
    finally:
        await chan.close()
    assert len(platform.starts) == 1


async def test_a_dropped_connection_is_tried_once_more_with_the_same_link(
    channel: WebhookChatChannel, platform: FakePlatform
) -> None:
    platform.drop_first = True
    started = await channel.start(CONTEXT, "link-1")
    assert started.redirect == "https://chat.example.police.uk/c/abc"
    assert [s["link_id"] for s in platform.starts] == ["link-1", "link-1"]
    assert platform.raw_starts[0] == platform.raw_starts[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_refused_connection_is_tried_twice_then_chat_unavailable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/start"
    chan = await _channel(WebhookConfig(url=url, secret=SECRET))
    try:
        with caplog.at_level(logging.INFO), pytest.raises(ChatUnavailable, match="connect"):
            await chan.start(CONTEXT, "link-1")
    finally:
        await chan.close()
    assert "trying once more" in caplog.text
    assert caplog.text.count("did not connect") == 2


async def test_a_channel_not_opened_is_unavailable_not_a_crash(server: TestServer) -> None:
    with pytest.raises(ChatUnavailable, match="not open"):
        await WebhookChatChannel(_config(server), lambda: NOW).start(CONTEXT, "link-1")


# -- the status


async def test_availability_follows_the_last_status_poll(
    channel: WebhookChatChannel, platform: FakePlatform
) -> None:
    down = channel.availability(NOW)
    assert (down.open, down.why_not) == (False, Unavailable.PLATFORM_DOWN)  # none yet
    polled = await channel.poll()
    assert (polled.open, polled.expected_wait_s) == (True, 240.0)
    assert channel.availability(NOW + timedelta(seconds=30)) == polled

    platform.status_body = json.dumps({"open": False, "reason": "full"})
    closed = await channel.poll()
    assert (closed.open, closed.why_not) == (False, Unavailable.FULL)
    platform.status_body = json.dumps({"open": False})
    assert (await channel.poll()).why_not == Unavailable.NO_AGENTS

    platform.status_body = json.dumps({"open": True})
    assert (await channel.poll()).expected_wait_s == 0.0
    assert platform.status_polls == 4


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, "down"),
        (200, "not json"),
        (200, "[]"),
        (200, '{"open": "yes"}'),
        (200, '{"open": true, "wait_seconds": -5}'),
        (200, '{"open": true, "wait_seconds": "soon"}'),
        (200, '{"open": false, "reason": "lunch"}'),
    ],
)
async def test_a_failing_or_unknown_status_is_platform_down(
    channel: WebhookChatChannel, platform: FakePlatform, status: int, body: str
) -> None:
    assert (await channel.poll()).open
    platform.status_status, platform.status_body = status, body
    down = await channel.poll()
    assert (down.open, down.why_not) == (False, Unavailable.PLATFORM_DOWN)
    assert channel.availability(NOW) == down


async def test_an_unreachable_status_url_is_platform_down() -> None:
    config = WebhookConfig(
        url="http://127.0.0.1:9/start",
        secret=SECRET,
        status_url=f"http://127.0.0.1:{_closed_port()}/status",
    )
    chan = await _channel(config)
    try:
        assert (await chan.poll()).why_not == Unavailable.PLATFORM_DOWN
    finally:
        await chan.close()


async def test_a_status_gone_stale_is_platform_down(channel: WebhookChatChannel) -> None:
    assert (await channel.poll()).open
    assert channel.availability(NOW + timedelta(seconds=90)).open
    stale = channel.availability(NOW + timedelta(seconds=91))
    assert (stale.open, stale.why_not) == (False, Unavailable.PLATFORM_DOWN)


async def test_without_a_status_url_chat_is_open_with_no_wait(server: TestServer) -> None:
    chan = WebhookChatChannel(_config(server, status_url=""), lambda: NOW)
    assert (await chan.poll()).expected_wait_s == 0.0
    assert chan.availability(NOW).open
    await chan.run()  # nothing to poll: returns at once


async def test_run_polls_in_the_background_until_cancelled(
    server: TestServer, platform: FakePlatform
) -> None:
    platform.polls_to_signal = 2  # the second poll starts only after the first is done
    chan = await _channel(_config(server, poll_every_s=0.01))
    task = asyncio.create_task(chan.run())
    try:
        await platform.polled.wait()
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await chan.close()
    assert chan.availability(NOW).expected_wait_s == 240.0


# -- settings


def test_the_config_comes_from_chat_settings_and_names_what_is_missing() -> None:
    settings = ChatSettings(
        channel=ChannelKind.WEBHOOK,
        public_url="https://101.example.police.uk",
        webhook_url="https://chat.example.police.uk/start",
        webhook_status_url="https://chat.example.police.uk/status",
        webhook_secret=SECRET,
        webhook_timeout=3.0,
    )
    config = WebhookConfig.from_settings(settings)
    assert (config.url, config.status_url, config.timeout_s) == (
        "https://chat.example.police.uk/start",
        "https://chat.example.police.uk/status",
        3.0,
    )
    assert config.https_only and SECRET not in repr(config)
    assert SECRET not in repr(WebhookChatChannel.from_settings(settings, lambda: NOW))
    with pytest.raises(ValueError, match="webhook_url"):
        WebhookConfig.from_settings(replace(settings, webhook_url=""))
    with pytest.raises(ValueError, match="IVR_CHAT_WEBHOOK_SECRET"):
        WebhookConfig.from_settings(replace(settings, webhook_secret=""))
