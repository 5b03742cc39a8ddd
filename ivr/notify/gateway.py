"""Sending one SMS through a provider's REST API.

``SmsGateway`` is the seam: the outbox worker only sees ``send()`` and a
``SendResult`` that says sent, retry (and when) or failed for good. The
HTTP adapter is configured rather than written per provider: URL, method,
one auth header, a JSON body template and the statuses that mean success,
which fits the common providers' "POST a JSON message" APIs.

Failures are classified so the worker neither hammers a provider that is
down nor keeps retrying a message the provider will never accept:
4xx (except 408 and 429) is permanent; 5xx, 408, 429, timeouts and
connection errors are retryable, and a Retry-After header is honoured.
The auth value is a secret: it is sent, never logged or shown in a repr.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import aiohttp

log = logging.getLogger(__name__)

# "{to}", "{body}", "{sender}", "{reference}" inside its strings are filled per message
# (JSON-escaped): see render_body.
DEFAULT_BODY_TEMPLATE = (
    '{"to": "{to}", "from": "{sender}", "body": "{body}", "reference": "{reference}"}'
)

PLACEHOLDERS = frozenset({"to", "body", "sender", "reference"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
RETRY_AFTER_MAX_S = 3600.0  # a provider asking for more than an hour is treated as an hour


class TemplateError(ValueError):
    """The body template is not JSON or names a placeholder we do not fill."""

    error_id = "sms-template-invalid"


@dataclass(frozen=True)
class SmsMessage:
    """One text to one number; ``reference`` is unique per outbox row (idempotency key)."""

    to: str
    body: str
    reference: str
    sender: str = ""


SendStatus = Literal["sent", "retry", "failed"]


@dataclass(frozen=True)
class SendResult:
    """What happened to one attempt. ``retry_after`` is the provider's own wait, if it gave one."""

    status: SendStatus
    provider_id: str = ""
    error: str = ""
    http_status: int | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "sent"

    @property
    def retryable(self) -> bool:
        return self.status == "retry"

    @property
    def permanent(self) -> bool:
        return self.status == "failed"


class SmsGateway(Protocol):
    async def send(self, message: SmsMessage) -> SendResult: ...


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    method: str = "POST"
    auth_header: str = "Authorization"
    auth_value: str = field(default="", repr=False)
    body_template: str = DEFAULT_BODY_TEMPLATE
    success_statuses: Collection[int] = (200, 201, 202)
    timeout: float = 10.0
    # Dotted path to the provider's message id in a JSON response ("id", "messages.0.id").
    id_field: str = "id"
    # Also sent as a header when set (e.g. "Idempotency-Key"), for providers that de-duplicate.
    idempotency_header: str = ""


def check_template(template: str) -> None:
    """Raise TemplateError unless the template is JSON using only the known placeholders."""
    try:
        doc = json.loads(template)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"SMS body template is not JSON: {exc}") from exc
    unknown = sorted(
        {name for text in _strings(doc) for name in _PLACEHOLDER.findall(text)} - PLACEHOLDERS
    )
    if unknown:
        raise TemplateError(
            f"SMS body template uses unknown placeholder(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(PLACEHOLDERS))}"
        )


def render_body(template: str, message: SmsMessage) -> str:
    """The request body: the template with placeholders filled, as JSON.

    The template is parsed first and placeholders are replaced inside its
    string values, then the whole is serialised: a body with quotes,
    backslashes, newlines or emoji stays valid JSON, and text that happens
    to look like ``{to}`` inside the caller's message is not substituted
    again (one pass).
    """
    values = {
        "to": message.to,
        "body": message.body,
        "sender": message.sender,
        "reference": message.reference,
    }

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return node

    return json.dumps(fill(json.loads(template)), ensure_ascii=False)


def classify_status(status: int, success: Collection[int]) -> SendStatus:
    """sent / retry / failed for an HTTP status (see the module docstring for why)."""
    if status in success:
        return "sent"
    if status in (408, 429) or 500 <= status <= 599:
        return "retry"
    # Other 4xx: the provider refuses this message. A 2xx/3xx we were not told is success
    # may have been accepted: retrying could send it twice, so it fails for a person to see.
    return "failed"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_S)


class HttpSmsGateway:
    """SmsGateway over one aiohttp ClientSession; ``close()`` it at shutdown."""

    def __init__(
        self, config: HttpGatewayConfig, session: aiohttp.ClientSession | None = None
    ) -> None:
        check_template(config.body_template)
        self._config = config
        self._session = session
        self._owns_session = session is None

    def __repr__(self) -> str:
        return f"HttpSmsGateway(url={self._config.url!r}, method={self._config.method!r})"

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._config.timeout)
            )
        return self._session

    async def send(self, message: SmsMessage) -> SendResult:
        cfg = self._config
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if cfg.auth_header and cfg.auth_value:
            headers[cfg.auth_header] = cfg.auth_value
        if cfg.idempotency_header:
            headers[cfg.idempotency_header] = message.reference
        data = render_body(cfg.body_template, message).encode("utf-8")
        try:
            async with self._http().request(
                cfg.method,
                cfg.url,
                data=data,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=cfg.timeout),
            ) as resp:
                text = await resp.text(errors="replace")
                status = resp.status
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        except TimeoutError:
            # The provider may have taken it: retrying is at-least-once, the reference dedupes.
            return SendResult("retry", error=f"timed out after {cfg.timeout:g} s")
        except (aiohttp.ClientError, OSError) as exc:
            return SendResult("retry", error=f"{type(exc).__name__}: {exc}"[:300])
        outcome = classify_status(status, cfg.success_statuses)
        if outcome == "sent":
            return SendResult(
                "sent", provider_id=_provider_id(text, cfg.id_field), http_status=status
            )
        return SendResult(
            outcome,
            error=f"HTTP {status}: {text.strip()[:200]}",
            http_status=status,
            retry_after=retry_after if outcome == "retry" else None,
        )


def _provider_id(text: str, path: str) -> str:
    """The provider's message id from a JSON response, or "" (an id is nice, not required)."""
    if not path:
        return ""
    try:
        node: Any = json.loads(text)
    except ValueError:
        return ""
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ""
    return "" if node is None or isinstance(node, dict | list) else str(node)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    return []


__all__ = [
    "DEFAULT_BODY_TEMPLATE",
    "HttpGatewayConfig",
    "HttpSmsGateway",
    "SendResult",
    "SmsGateway",
    "SmsMessage",
    "TemplateError",
    "check_template",
    "classify_status",
    "parse_retry_after",
    "render_body",
]
