"""How the draft's routes read bodies and answer refusals (as JSON, never a 500).

A file sent from the browser can be a 30 MB directory, far over the console's 4 kB
action bodies (ivr.console.bodies): these read up to the [rulesets] limit, parse off the
loop, and answer 413 past it. A refusal with a list (the loader's "file:line: message"
lines) answers ``{"error", "errors"}``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any

from aiohttp import BodyPartReader, web

from ivr.console.errors import BadRequest, ConsoleError
from ivr.http_guard import BadJson, BodyTooLarge, loads_json
from ivr.http_guard import read_body as read_whole_body

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TooLarge(Exception):
    """A body over the limit: 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the body is over the {limit // 1024:,} KB limit ([rulesets] max_file_mb)"
        )
        self.message = str(self)


class Invalid(Exception):
    """A refusal with every reason listed: 400 (or ``status``) ``{"error", "errors"}``
    (``errors`` None: left out), and any ``more`` fields."""

    def __init__(
        self,
        message: str,
        errors: Collection[str] | None,
        status: int = 400,
        more: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = None if errors is None else list(errors)
        self.status = status
        self.more = dict(more or {})

    def body(self) -> dict[str, Any]:
        listed = {} if self.errors is None else {"errors": self.errors}
        return {"error": self.message, **listed, **self.more}


def guarded(handler: Handler) -> Handler:
    async def guard(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ConsoleError as exc:
            return web.json_response({"error": exc.message}, status=int(exc.status))
        except TooLarge as exc:
            return web.json_response({"error": exc.message}, status=413)
        except Invalid as exc:
            return web.json_response(exc.body(), status=exc.status)

    return guard


async def read_body(request: web.Request, limit: int) -> bytes:
    try:
        return await read_whole_body(request, limit)
    except BodyTooLarge:
        raise TooLarge(limit) from None


async def large_json(request: web.Request, limit: int) -> dict[str, Any]:
    """A JSON object of up to ``limit`` bytes, parsed on a thread."""
    if request.content_type != "application/json":
        raise BadRequest("send the body as application/json")
    raw = await read_body(request, limit)
    try:
        body = await asyncio.to_thread(loads_json, raw)
    except BadJson as exc:
        raise BadRequest(str(exc)) from None
    except ValueError:
        raise BadRequest("the body is not JSON this API can read") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


async def form_parts(request: web.Request, limit: int) -> dict[str, bytes]:
    """A multipart form's parts by name (each at most ``limit`` bytes, all of them too)."""
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError) as exc:
        raise BadRequest(f"the multipart body cannot be read: {exc}") from None
    parts: dict[str, bytes] = {}
    total = 0
    while True:
        try:
            part = await reader.next()
        except (AssertionError, ValueError) as exc:
            raise BadRequest(f"the multipart body cannot be read: {exc}") from None
        if part is None:
            return parts
        if not isinstance(part, BodyPartReader) or not part.name:
            raise BadRequest("send a flat form (named fields and files)")
        data = bytearray()
        while chunk := await part.read_chunk():
            data += chunk
            total += len(chunk)
            if total > limit:
                raise TooLarge(limit)
        parts[part.name] = bytes(data)


def text_of(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(f"{what} is not UTF-8 text") from None


def is_multipart(request: web.Request) -> bool:
    return request.content_type.startswith("multipart/")
