"""The JSON depth check: brackets inside strings do not count, and it reads a body once.

The check runs on the event loop before ``json.loads``; a body built to make it
backtrack (an unterminated string of escaped quotes) must cost no more than reading it.
pytest-timeout is the only clock here: the old check took minutes on these bodies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ivr.http_guard import MAX_JSON_DEPTH, BadJson, BodyTooLarge, _depth, loads_json, read_body

PATHOLOGICAL = 200_000  # escaped quotes: 400 KB; the old regex needed ~10 minutes


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "{{{{"]', 1),  # brackets inside strings
        (r'["a\"[[[", [[]]]', 3),  # an escaped quote does not end the string
        (r'["\\", [[]]]', 3),  # an escaped backslash does: the brackets after it count
        (r'["\\\"[[[", []]', 2),  # backslash, then an escaped quote: still inside
        ('[[ "unterminated [[[[[[', 2),  # nothing after an open string counts
        ('"\\', 0),  # a lone backslash at the end of an open string
        ("[]]]][[", 1),  # more closes than opens (invalid): the deepest is still 1
        ('"\u00e9[", [[', 2),  # non-ASCII in a string
    ],
)
def test_depth_counts_brackets_outside_strings_only(text: str, depth: int) -> None:
    assert _depth(text, MAX_JSON_DEPTH) == depth


def test_depth_stops_once_past_the_limit() -> None:
    assert _depth("[" * 10_000, 5) == 6


def _nesting(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_nesting(v) for v in value), default=0)
    return 0


def test_depth_agrees_with_the_parsed_document() -> None:
    document = {'a"[': ["{\\", {"b": [[["]]]"]]]}], "c": '\\"{{'}
    assert _depth(json.dumps(document), MAX_JSON_DEPTH) == _nesting(document) == 6


def test_an_unterminated_string_of_escaped_quotes_is_refused_as_invalid_json() -> None:
    body = b'"' + b'\\"' * PATHOLOGICAL
    with pytest.raises(BadJson) as caught:
        loads_json(body)
    assert caught.value.error_id == "invalid-json"


def test_a_long_string_of_escaped_quotes_is_read() -> None:
    body = b'{"a": "' + b'\\"' * PATHOLOGICAL + b'"}'
    assert loads_json(body) == {"a": '"' * PATHOLOGICAL}


def test_deep_nesting_after_a_string_of_escaped_quotes_is_still_refused() -> None:
    body = '["' + '\\"' * PATHOLOGICAL + '", ' + "[" * 5000 + "]" * 5001
    with pytest.raises(BadJson) as caught:
        loads_json(body)
    assert caught.value.error_id == "json-too-deep"


async def _served_body_lengths(pieces: list[bytes], limit: int) -> tuple[int, str]:
    """POST ``pieces`` as a chunked body, one piece per write, to a handler that reads it
    with ``read_body``; the handler's answer: (status, text)."""

    async def handler(request: web.Request) -> web.Response:
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            return web.Response(status=413, text=str(exc))
        return web.Response(text=str(len(body)))

    app = web.Application()
    app.router.add_post("/", handler)

    async def chunks() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece  # each piece its own chunked write: the server sees pieces

    async with TestClient(TestServer(app)) as client:
        response = await client.post("/", data=chunks())
        return response.status, await response.text()


async def test_a_body_that_arrives_in_pieces_is_read_whole() -> None:
    # StreamReader.read(n) stops at what has arrived: a 550 KB rules file was cut short.
    pieces = [bytes([65 + i % 26]) * 40_000 for i in range(15)]
    assert await _served_body_lengths(pieces, limit=1_000_000) == (200, "600000")


async def test_a_body_over_the_limit_is_refused_however_it_arrives() -> None:
    status, text = await _served_body_lengths([b"x" * 3000, b"y" * 3000], limit=4096)
    assert status == 413 and "longer than 4,096 bytes" in text
