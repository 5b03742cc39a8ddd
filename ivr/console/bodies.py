"""The one way the console reads a request's JSON body: small, UTF-8, shallow, an object.

Anything else is a 400 with a message (never a 500): a body too long, deeply nested,
a number too long to convert, a charset nobody knows, or not JSON at all.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ivr.console.errors import BadRequest
from ivr.http_guard import BadJson, BodyTooLarge, loads_json, read_body

MAX_BODY = 4096  # bytes: an action is a few fields and a sentence


async def json_object(request: web.Request, *, empty_ok: bool = False) -> dict[str, Any]:
    try:
        raw = await read_body(request, MAX_BODY)
    except BodyTooLarge:
        raise BadRequest(f"the body is longer than {MAX_BODY} bytes") from None
    if empty_ok and not raw.strip():
        return {}
    if request.content_type != "application/json":
        raise BadRequest("send the body as application/json")
    try:
        body = loads_json(raw)
    except BadJson as exc:
        raise BadRequest(str(exc)) from None
    except ValueError:  # e.g. an integer of thousands of digits
        raise BadRequest("the body is not JSON this API can read") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body
