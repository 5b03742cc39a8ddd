"""A force's own chat platform behind the ``ChatChannel`` seam ([chat] channel = "webhook").

When a caller opens their link, the call's context is POSTed, signed, to the platform
([chat] webhook_url); the platform answers with the page the caller is sent to. Whether
chat may be offered comes from the platform's status ([chat] webhook_status_url), polled
in the background: the IVR asks ``availability`` while a caller waits on the line and
must not wait on a network round trip then.

The payload carries no phone number (the number stays on the link's row, for a callback
asked from the built-in chat). docs/chat.md documents the payload, the headers and how the
platform verifies them; ``sign`` here is the reference for that recipe.

Every failure (timeout, refused connection, an HTTP error, an answer that is not the
agreed JSON, a plain-http page for a public site on https) is a ``ChatUnavailable`` with
its reason logged: the caller is shown the other ways in, never an error page.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ivr.chat.model import ChatAvailability, ChatContext, ChatStart, ChatUnavailable, Unavailable
from ivr.chat.settings import ChatSettings
from ivr.clock import Clock

log = logging.getLogger(__name__)

WEBHOOK_VERSION = 1  # the payload's "version": a platform refuses one it does not know
START_EVENT = "chat.start"
TIMESTAMP_HEADER = "X-Ivr101-Timestamp"
SIGNATURE_HEADER = "X-Ivr101-Signature"
SIGNATURE_SCHEME = "v1"  # the header is "v1=<hex>": a later scheme gets a new prefix
POLL_EVERY_S = 30.0
# A status older than this (the poller stopped or hangs) is no status: chat is not offered.
STALE_AFTER_POLLS = 3
MAX_ANSWER_BYTES = 64 * 1024  # the platform's answer is a few fields: more is not one
MAX_REDIRECT_CHARS = 2000
STARTED = frozenset({200, 201})
# What a closed status may give as its reason ("reason", optional): recorded, never said.
STATUS_REASONS = {
    "closed": Unavailable.CLOSED,
    "no-agents": Unavailable.NO_AGENTS,
    "full": Unavailable.FULL,
}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 under ``secret`` of
    ``<timestamp>.<body>`` (the timestamp in decimal, a dot, the body's exact bytes)."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


@dataclass(frozen=True)
class WebhookConfig:
    """The [chat] keys the channel needs (``from_settings``), named for what they do."""

    url: str
    secret: str = field(repr=False)
    status_url: str = ""  # "": always open, no wait (the schedule still applies)
    timeout_s: float = 5.0
    public_url: str = ""  # on https: the platform's page must be https too
    poll_every_s: float = POLL_EVERY_S

    @classmethod
    def from_settings(cls, chat: ChatSettings) -> WebhookConfig:
        """ValueError names the missing key: a webhook without a URL or a secret could
        neither reach the platform nor let it tell our requests from a forger's."""
        if not chat.webhook_url:
            raise ValueError('[chat] channel = "webhook" needs [chat] webhook_url')
        if not chat.webhook_secret:
            raise ValueError(
                '[chat] channel = "webhook" needs a secret: IVR_CHAT_WEBHOOK_SECRET'
                " (or [chat] webhook_secret)"
            )
        return cls(
            url=chat.webhook_url,
            secret=chat.webhook_secret,
            status_url=chat.webhook_status_url,
            timeout_s=chat.webhook_timeout,
            public_url=chat.public_url,
        )

    @property
    def https_only(self) -> bool:
        return self.public_url.lower().startswith("https://")


@dataclass(frozen=True)
class StartPayload:
    """The body POSTed when a caller opens their link (docs/chat.md, "The webhook")."""

    link_id: str  # unique per link, and a link starts one chat: the platform's idempotency key
    context: ChatContext
    opened_at: datetime  # when the caller opened the link (timezone-aware)

    def to_json(self) -> dict[str, Any]:
        ctx = self.context
        return {
            "version": WEBHOOK_VERSION,
            "event": START_EVENT,
            "link_id": self.link_id,
            "call_id": ctx.call_id,
            "opened_at": self.opened_at.isoformat(),
            "context": {
                "intent": ctx.intent,
                "destination": ctx.destination,
                "heard": list(ctx.heard),
                "reference": ctx.reference,
                "flags": list(ctx.flags),
                "categories": list(ctx.categories),
                "priority": ctx.priority,
            },
        }

    def body(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class PlatformStatus:
    """One good answer of the status URL, and when it was had."""

    open: bool
    wait_s: float
    why_not: Unavailable
    at: datetime

    @classmethod
    def parse(cls, doc: Any, at: datetime) -> PlatformStatus:
        """``{"open": bool, "wait_seconds": number >= 0, "reason": optional}``;
        ValueError names what is wrong."""
        if not isinstance(doc, dict):
            raise ValueError("the status is not a JSON object")
        is_open = doc.get("open")
        if not isinstance(is_open, bool):
            raise ValueError('the status has no true/false "open"')
        wait = doc.get("wait_seconds", 0)
        if isinstance(wait, bool) or not isinstance(wait, int | float):
            raise ValueError('"wait_seconds" is not a number')
        if not math.isfinite(wait) or wait < 0:
            raise ValueError(f'"wait_seconds" is not a wait: {wait}')
        reason = doc.get("reason", "no-agents")
        why_not = STATUS_REASONS.get(reason) if isinstance(reason, str) else None
        if why_not is None:
            raise ValueError(f'"reason" is not one of {", ".join(STATUS_REASONS)}')
        return cls(is_open, float(wait), why_not, at)


class _Failed(Exception):
    """One exchange with the platform failed; the message is the logged reason."""


class _Unreached(_Failed):
    """No answer came: refused, or the connection dropped first (a repeat is safe: the
    platform keeps one chat per link_id)."""


class WebhookChatChannel:
    """``ChatChannel`` over a force's platform: ``open()`` before use (it owns one HTTP
    session), ``close()`` at shutdown, ``run()`` as a background worker in between."""

    def __init__(self, config: WebhookConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._http: aiohttp.ClientSession | None = None
        self._status: PlatformStatus | None = None  # None: unknown or failing = down
        self._down_reason = "no status yet"

    @classmethod
    def from_settings(cls, chat: ChatSettings, clock: Clock) -> WebhookChatChannel:
        """ValueError (naming the key) when [chat] lacks the webhook's URL or secret."""
        return cls(WebhookConfig.from_settings(chat), clock)

    def __repr__(self) -> str:
        return f"WebhookChatChannel(url={self._config.url!r})"

    async def open(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._config.timeout_s)
            )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None

    # -- ChatChannel

    def availability(self, now: datetime) -> ChatAvailability:
        """The last status poll's word; no status URL: open with no wait."""
        if not self._config.status_url:
            return ChatAvailability(True, 0.0)
        status = self._status
        stale = timedelta(seconds=self._config.poll_every_s * STALE_AFTER_POLLS)
        if status is None or now - status.at > stale:
            return ChatAvailability.closed(Unavailable.PLATFORM_DOWN)
        if not status.open:
            return ChatAvailability.closed(status.why_not)
        return ChatAvailability(True, status.wait_s)

    async def start(self, context: ChatContext, link_id: str) -> ChatStart:
        """POST the context; the platform's page for the caller, or ChatUnavailable."""
        body = StartPayload(link_id, context, self._clock()).body()
        try:
            status, raw = await self._send_once_more_if_unreached(body)
            url = self._page_from(status, raw)
        except _Failed as failed:
            log.warning("chat webhook: link %s not started: %s", link_id, failed)
            raise ChatUnavailable(f"the chat platform did not start a chat: {failed}") from None
        log.info("chat webhook: link %s started on %s", link_id, urlsplit(url).hostname)
        return ChatStart(redirect=url)

    # -- the status

    async def poll(self) -> ChatAvailability:
        """Ask the status URL once; what ``availability`` says from now on."""
        now = self._clock()
        if not self._config.status_url:
            return self.availability(now)
        try:
            code, raw = await self._exchange("GET", self._config.status_url, b"")
            if code != 200:
                raise _Failed(f"the status URL answered HTTP {code}{_snippet(raw)}")
            try:
                status = PlatformStatus.parse(json.loads(raw), now)
            except ValueError as exc:  # JSONDecodeError included
                raise _Failed(f"the status URL's answer is not the agreed JSON: {exc}") from None
        except _Failed as failed:
            if self._status is not None or str(failed) != self._down_reason:
                log.warning("chat webhook: platform counted down (chat not offered): %s", failed)
            self._status, self._down_reason = None, str(failed)
            return self.availability(now)
        if self._status is None:
            log.info("chat webhook: platform status answers again (open=%s)", status.open)
        self._status = status
        return self.availability(now)

    async def run(self) -> None:
        """Poll every ``poll_every_s`` until cancelled (returns at once without a status URL)."""
        if not self._config.status_url:
            return
        while True:
            await self.poll()
            await asyncio.sleep(self._config.poll_every_s)

    # -- HTTP

    async def _send_once_more_if_unreached(self, body: bytes) -> tuple[int, bytes]:
        """One retry, on a connection error only: a timeout or an HTTP error may mean the
        platform has the chat already, and the caller is waiting on the page."""
        try:
            return await self._exchange("POST", self._config.url, body)
        except _Unreached as first:
            log.info("chat webhook: %s; trying once more", first)
            return await self._exchange("POST", self._config.url, body)

    async def _exchange(self, method: str, url: str, body: bytes) -> tuple[int, bytes]:
        if self._http is None:
            raise _Failed("the webhook channel is not open")
        timestamp = int(self._clock().timestamp())
        headers = signed_headers(self._config.secret, timestamp, body)
        if method == "POST":
            headers["Content-Type"] = "application/json; charset=utf-8"
        timeout = self._config.timeout_s
        try:
            async with self._http.request(
                method,
                url,
                data=body if method == "POST" else None,
                headers=headers,
                allow_redirects=False,  # the payload goes to the configured URL only
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as resp:
                return resp.status, await _read_capped(resp)
        except TimeoutError:  # aiohttp's ServerTimeoutError is one too: not retried
            raise _Failed(f"{method} {url} timed out after {timeout:g} s") from None
        except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
            raise _Unreached(f"{method} {url} did not connect: {exc}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise _Failed(f"{method} {url} failed: {type(exc).__name__}: {exc}") from None

    def _page_from(self, status: int, raw: bytes) -> str:
        """The caller's page from a start answer: 200/201 {"url": "https://..."}."""
        if status not in STARTED:
            raise _Failed(f"the platform answered HTTP {status}{_snippet(raw)}")
        try:
            doc = json.loads(raw)
        except ValueError:
            raise _Failed(f"the platform's answer is not JSON{_snippet(raw)}") from None
        url = doc.get("url") if isinstance(doc, dict) else None
        if not isinstance(url, str) or not url:
            raise _Failed('the platform\'s answer has no "url"')
        if len(url) > MAX_REDIRECT_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in url):
            raise _Failed('the platform\'s "url" is not a URL')
        parts = urlsplit(url)
        schemes = ("https",) if self._config.https_only else ("http", "https")
        if parts.scheme.lower() not in schemes or not parts.hostname:
            raise _Failed(
                f'the platform\'s "url" must be an absolute {" or ".join(schemes)} URL'
                f" (scheme {parts.scheme or 'none'!r})"
            )
        return url


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(8192):
        buf += chunk
        if len(buf) > MAX_ANSWER_BYTES:
            raise _Failed(f"the answer is over {MAX_ANSWER_BYTES // 1024} KiB")
    return bytes(buf)


def _snippet(raw: bytes) -> str:
    """A short, single-line start of an answer for the log (never the whole of it)."""
    text = " ".join(raw[:120].decode("utf-8", "replace").split())
    return f": {text}" if text else ""


__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WEBHOOK_VERSION",
    "PlatformStatus",
    "StartPayload",
    "WebhookChatChannel",
    "WebhookConfig",
    "sign",
    "signed_headers",
]
