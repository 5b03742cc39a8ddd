"""Self-test of the Swagger 1.1 validator against the golden traces and hand-made values."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.contract.conftest import SHARED_MISSING, shared_available
from tests.contract.swagger import Swagger, traces_dir

TRACES = (
    [pytest.param(p, id=p.stem) for p in sorted(traces_dir().glob("*.json"))]
    if shared_available()
    else [pytest.param(None, id="no-shared-folder", marks=pytest.mark.skip(reason=SHARED_MISSING))]
)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


CHANNEL: dict[str, Any] = {
    "id": "1795500638.173",
    "name": "Local/101@ivr-in-0000003b;2",
    "state": "Up",
    "protocol_id": "",
    "caller": {"name": "Test Caller", "number": "07700900123"},
    "connected": {"name": "Test Caller", "number": "07700900123"},
    "accountcode": "",
    "dialplan": {
        "context": "ivr-in",
        "exten": "101",
        "priority": 2,
        "app_name": "Stasis",
        "app_data": "ivr101",
    },
    "creationtime": "2026-11-24T06:10:38.300+0000",
    "language": "en",
}
EVENT: dict[str, Any] = {
    "type": "StasisStart",
    "timestamp": "2026-11-24T06:10:38.300+0000",
    "args": [],
    "channel": CHANNEL,
    "asterisk_id": "02:fc:00:00:00:01",
    "application": "ivr101",
}


@pytest.mark.parametrize("path", TRACES)
def test_validator_reproduces_the_traces_own_validation_list(swagger: Swagger, path: Path) -> None:
    trace = _load(path)
    assert swagger.check_trace(trace) == trace["validation"]


def test_known_quirks_are_flagged_in_the_traces_wording(swagger: Swagger) -> None:
    paused = {
        "id": "pb-1",
        "media_uri": "sound:vm-intro",
        "target_uri": "channel:1.2",
        "language": "en",
        "state": "paused",
    }
    assert swagger.check_rest("GET", "/ari/playbacks/pb-1", 200, paused) == [
        "Playback.state: 'paused' not in ['queued', 'playing', 'continuing', 'done', 'failed']"
    ]
    assert swagger.check_rest("POST", "/ari/channels", 500, {"error": "Allocation failed"}) == [
        "status 500 not among the documented errorResponses [400, 409] of POST /channels",
        "error body is not {\"message\": string}: {'error': 'Allocation failed'}",
    ]


def test_a_good_event_and_channel_pass(swagger: Swagger) -> None:
    assert swagger.validate_event(EVENT) == []
    assert swagger.validate(CHANNEL, "Channel") == []
    extra = dict(CHANNEL, channelvars={"A": "b"}, something_new=1)
    assert swagger.validate(extra, "Channel") == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.pop("dialplan"), "Channel.dialplan: missing required property"),
        (
            lambda c: c["dialplan"].__setitem__("priority", "2"),
            "Channel.dialplan.priority: expected long, got str '2'",
        ),
        (
            lambda c: c.__setitem__("state", "Flying"),
            "Channel.state: 'Flying' not in ['Down', 'Rsrved', 'OffHook', 'Dialing', 'Ring', "
            "'Ringing', 'Up', 'Busy', 'Dialing Offhook', 'Pre-ring', 'Unknown']",
        ),
        (
            lambda c: c.__setitem__("creationtime", "2026-11-24T06:10:38.300123+00:00"),
            "Channel.creationtime: expected Date, got str '2026-11-24T06:10:38.300123+00:00'",
        ),
        (
            lambda c: c["caller"].__setitem__("number", None),
            "Channel.caller.number: expected string, got NoneType None",
        ),
        (
            lambda c: c.__setitem__("channelvars", ["X"]),
            "Channel.channelvars: expected object, got list ['X']",
        ),
    ],
)
def test_bad_channels_are_flagged(swagger: Swagger, mutate: Any, expected: str) -> None:
    bad = copy.deepcopy(CHANNEL)
    mutate(bad)
    assert swagger.validate(bad, "Channel") == [expected]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (dict(EVENT, type="NoSuchEvent"), "Message.type: unknown Message subtype 'NoSuchEvent'"),
        (dict(EVENT, type="Channel"), "Message.type: 'Channel' is not a subtype of Message"),
        (
            {k: v for k, v in EVENT.items() if k != "application"},
            "StasisStart.application: missing required property",
        ),
        (dict(EVENT, args="agent"), "StasisStart.args: expected List[string], got str 'agent'"),
        (dict(EVENT, args=[1]), "StasisStart.args[0]: expected string, got int 1"),
        (
            {
                "type": "ChannelDtmfReceived",
                "timestamp": EVENT["timestamp"],
                "application": "ivr101",
                "digit": "1",
                "duration_ms": True,
                "channel": CHANNEL,
            },
            "ChannelDtmfReceived.duration_ms: expected int, got bool True",
        ),
        (
            {
                "type": "ChannelHangupRequest",
                "timestamp": EVENT["timestamp"],
                "application": "ivr101",
                "cause": 16,
                "soft": "true",
                "channel": CHANNEL,
            },
            "ChannelHangupRequest.soft: expected boolean, got str 'true'",
        ),
    ],
)
def test_bad_events_are_flagged(swagger: Swagger, event: Any, expected: str) -> None:
    assert swagger.validate_event(event) == [expected]


def test_status_and_body_checks_of_rest_exchanges(swagger: Swagger) -> None:
    # 2xx bodies are checked against responseClass, void must be empty.
    assert swagger.check_rest("POST", "/ari/channels/1.2/answer", 204, None) == []
    assert swagger.check_rest("POST", "/ari/channels/1.2/answer", 204, {"x": 1}) == [
        "POST /channels/{channelId}/answer returns void but the body is dict {'x': 1}"
    ]
    assert swagger.check_rest("GET", "/ari/channels", 200, [CHANNEL, {"id": 3}])[0] == (
        "List[Channel][1].id: expected string, got int 3"
    )
    # Documented error statuses with a {"message"} body pass; 401 is always allowed.
    assert swagger.check_rest("GET", "/ari/channels/x", 404, {"message": "Channel not found"}) == []
    assert swagger.check_rest("GET", "/ari/asterisk/info", 401, {"message": "Auth"}) == []
    assert swagger.check_rest("GET", "/ari/channels/x", 409, {"message": "m"}) == [
        "status 409 not among the documented errorResponses [404] of GET /channels/{channelId}"
    ]
    # An unknown URL has no operation: only the error body shape is checked.
    assert swagger.check_rest("GET", "/ari/no/such/resource", 404, {"message": "x"}) == []


@pytest.mark.parametrize(
    ("method", "path", "template", "response_class", "errors"),
    [
        ("POST", "/ari/channels/externalMedia", "/channels/externalMedia", "Channel", (400, 409)),
        ("POST", "/ari/channels/create", "/channels/create", "Channel", (409,)),
        ("GET", "/ari/channels/1795500638.173", "/channels/{channelId}", "Channel", (404,)),
        (
            "POST",
            "/ari/channels/1795500638.173/play",
            "/channels/{channelId}/play",
            "Playback",
            (404, 409, 412),
        ),
        (
            "POST",
            "/ari/channels/agent-1;2/play/pb-1",
            "/channels/{channelId}/play/{playbackId}",
            "Playback",
            (404, 409, 412),
        ),
        (
            "POST",
            "/ari/playbacks/pb-1/control",
            "/playbacks/{playbackId}/control",
            "void",
            (400, 404, 409),
        ),
        ("POST", "/channels/x/move", "/channels/{channelId}/move", "void", (404, 409)),
        ("GET", "/ari/channels", "/channels", "List[Channel]", ()),
        ("GET", "/ari/events?app=ivr101", "/events", "Message", ()),
    ],
)
def test_operation_lookup_by_method_and_concrete_path(
    swagger: Swagger,
    method: str,
    path: str,
    template: str,
    response_class: str,
    errors: tuple[int, ...],
) -> None:
    op = swagger.find_operation(method, path)
    assert op is not None
    assert (op.path, op.response_class, op.error_codes) == (template, response_class, errors)


def test_operation_lookup_misses(swagger: Swagger) -> None:
    assert swagger.find_operation("GET", "/ari/no/such/resource") is None
    assert swagger.find_operation("PATCH", "/ari/channels/1.2") is None
    assert swagger.find_operation("GET", "/ari/channels/1.2/answer") is None
