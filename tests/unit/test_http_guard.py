"""The JSON depth check: brackets inside strings do not count, and it reads a body once.

The check runs on the event loop before ``json.loads``; a body built to make it
backtrack (an unterminated string of escaped quotes) must cost no more than reading it.
pytest-timeout is the only clock here: the old check took minutes on these bodies.
"""

from __future__ import annotations

import json

import pytest

from ivr.http_guard import MAX_JSON_DEPTH, BadJson, _depth, loads_json

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
