"""What every HTTP server of the project (the app's port, the simulator) does with bad input.

A malformed request is the client's mistake: it gets a 400 with a JSON body, never a
500 and a traceback in our log. Three holes aiohttp leaves open:

- **Header bytes that are not UTF-8** reach handlers as surrogate escapes, and the
  first ``.encode()`` of such a value (a bearer token, a shared secret, a Basic auth
  header) raises. ``reject_bad_headers`` answers 400 before any handler runs.
- **Deeply nested JSON** makes ``json.loads`` raise RecursionError (and ``str()`` of a
  nested value raises it again). ``loads_json`` refuses more than ``MAX_JSON_DEPTH``
  levels and bytes that are not UTF-8, as ``BadJson`` (a ValueError).
- **A body that arrives in pieces** is cut short by ``StreamReader.read(n)``, which
  returns what has arrived so far (up to n), not n bytes: a 550 KB intents.yaml saved
  from the rules editor came through as its first chunks and "not valid JSON".
  ``read_body`` reads to the end, refusing more than the limit as ``BodyTooLarge``.
- **A client that never finishes its headers** holds a connection for aiohttp's
  default keep-alive of an hour. aiohttp's keep-alive timer runs from the connection
  (or the last response) until a request's headers are complete, and bytes received
  do not push it back, so a bounded keep-alive *is* a header timeout: ``SERVER_OPTIONS``
  sets it to ``HEADER_TIMEOUT_S``. (Above 15 s, aiohttp clients' own pool idle time,
  so a pooled connection is never closed under a client about to reuse it.)

Access logs print the path without the query string: ARI's ``api_key`` and a
provider's signed callback can ride in the query; and escaped (``loggable``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

HEADER_TIMEOUT_S: Final = 30.0
MAX_JSON_DEPTH: Final = 32

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (status, message, error_id) -> the server's own error shape
ErrorResponse = Callable[[int, str, str], web.StreamResponse]

# A bracket or the quote opening a string; then the rest of that string through its closing
# quote (an escape is two characters, so an escaped quote never ends it). Possessive: no
# backtracking, so each character is read once.
_STRUCTURE = re.compile(r'["\[\]{}]')
_STRING_REST = re.compile(r'(?:[^"\\]++|\\.)*+"', re.S)


class BodyTooLarge(ValueError):
    """A request body over the handler's limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is longer than {limit:,} bytes")
        self.limit = limit


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes (BodyTooLarge past it, read no further)."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)


class BadJson(ValueError):
    """A request body we will not parse; ``error_id`` says why."""

    def __init__(self, message: str, error_id: str) -> None:
        super().__init__(message)
        self.error_id = error_id


def loads_json(raw: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for untrusted bodies: UTF-8 only, at most ``max_depth`` levels."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJson("the body is not UTF-8", "body-not-utf8") from None
    if _depth(raw, max_depth) > max_depth:
        raise BadJson(f"the JSON nests deeper than {max_depth} levels", "json-too-deep")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadJson(f"the body is not valid JSON: {exc.msg}", "invalid-json") from None


def _depth(text: str, limit: int) -> int:
    """How deep the brackets outside strings nest (stops counting once past ``limit``).

    One left-to-right pass that skips each string whole. A regex matching whole strings
    anywhere in the body backtracked over an unterminated one from each of its escaped
    quotes: quadratic, on the event loop (60 KB of escaped quotes held a server ~14 s).
    An unterminated string ends the count: nothing after it is outside a string, and
    ``json.loads`` refuses it. Up to the first character that is not valid JSON (a
    backslash outside a string, say) this reads brackets and strings as ``json.loads``
    does, and ``json.loads`` nests no deeper than that point, so no deep document slips by.
    """
    depth = deepest = 0
    pos = 0
    while (found := _STRUCTURE.search(text, pos)) is not None:
        pos = found.end()
        char = found.group()
        if char == '"':
            rest = _STRING_REST.match(text, pos)
            if rest is None:
                break
            pos = rest.end()
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:  # refused already: no need to read on
                    break
        else:
            depth -= 1
    return deepest


def json_error(status: int, message: str, error_id: str) -> web.Response:
    """The app's error shape: ``{"error": ..., "error_id": ...}``."""
    return web.json_response({"error": message, "error_id": error_id}, status=status)


def reject_bad_headers(respond: ErrorResponse = json_error) -> Middleware:
    """Middleware: a request whose header bytes are not UTF-8 gets 400, not a handler."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        for name, value in request.raw_headers:
            try:
                name.decode("utf-8")
                value.decode("utf-8")
            except UnicodeDecodeError:
                return respond(400, "a request header is not UTF-8", "header-not-utf8")
        return await handler(request)

    return middleware


class PathAccessLogger(AbstractAccessLogger):
    """``remote "METHOD /path" status bytes seconds``: never the query string."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3f',
            request.remote,
            request.method,
            loggable(request.path),
            response.status,
            response.body_length,
            time,
        )


def loggable(text: str) -> str:
    """``text`` with control characters, non-ASCII, backslashes and quotes escaped: a
    decoded path (``%0a``, ``%1b``) cannot forge a log line or drive a terminal. (Like
    ``%r`` but without the quotes, so the access log keeps its shape.)"""
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def server_options(header_timeout: float = HEADER_TIMEOUT_S) -> dict[str, Any]:
    """Keyword arguments for ``web.AppRunner`` / ``web.run_app``: header timeout, access log."""
    return {"keepalive_timeout": header_timeout, "access_log_class": PathAccessLogger}
