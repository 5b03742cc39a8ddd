"""Event parsing: every event the traces show parses, bad messages are rejected cleanly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ivr.ari import events as ev

TRACES = Path(__file__).resolve().parents[4] / "shared" / "ari-traces"


def _channel(cid: str = "1795500638.173") -> dict[str, Any]:
    return {
        "id": cid,
        "name": "Local/101@ivr-in-0000003b;2",
        "state": "Ring",
        "protocol_id": "",
        "caller": {"name": "Test Caller", "number": "07700900123"},
        "connected": {"name": "", "number": ""},
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


def _env(kind: str, **body: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "timestamp": "2026-11-24T06:10:38.300+0000",
        "application": "ivr101",
        **body,
    }


def test_stasis_start_carries_channel_args_and_caller() -> None:
    event = ev.parse_event(_env("StasisStart", args=["101"], channel=_channel()))
    assert isinstance(event, ev.StasisStarted)
    assert event.args == ("101",)
    assert event.channel.caller.number == "07700900123"
    assert event.channel.dialplan.app_data == "ivr101"
    assert event.object_ids() == ("1795500638.173",)


def test_remote_hangup_has_no_soft_flag_and_app_hangup_is_soft() -> None:
    remote = ev.parse_event(_env("ChannelHangupRequest", cause=16, channel=_channel()))
    own = ev.parse_event(_env("ChannelHangupRequest", cause=32, soft=True, channel=_channel()))
    assert isinstance(remote, ev.HangupRequested) and not remote.soft and remote.cause == 16
    assert isinstance(own, ev.HangupRequested) and own.soft


def test_playback_events_are_dispatched_by_playback_id() -> None:
    pb = {
        "id": "pb-1",
        "media_uri": "sound:x",
        "target_uri": "channel:c",
        "language": "en",
        "state": "failed",
    }
    event = ev.parse_event(_env("PlaybackFinished", playback=pb))
    assert isinstance(event, ev.PlaybackFinished)
    assert event.playback.state == "failed"
    assert event.object_ids() == ("pb-1",)


def test_dial_without_caller_is_routed_by_peer() -> None:
    event = ev.parse_event(
        _env("Dial", dialstatus="RINGING", dialstring="agent1@ivr-agents", peer=_channel("leg-1"))
    )
    assert isinstance(event, ev.DialProgressed)
    assert event.caller is None
    assert event.object_ids() == ("leg-1",)


def test_unknown_event_type_is_kept_not_rejected() -> None:
    event = ev.parse_event(_env("ChannelUserevent", eventname="x"))
    assert isinstance(event, ev.UnknownEvent)
    assert event.raw["eventname"] == "x"


@pytest.mark.parametrize(
    "raw",
    [
        [],
        "StasisStart",
        {"timestamp": "x"},
        {"type": ""},
        _env("StasisStart"),
        _env("StasisStart", channel={"name": "no id"}),
        _env("PlaybackStarted", playback="pb-1"),
        _env("ChannelEnteredBridge", channel=_channel()),
    ],
)
def test_malformed_messages_raise_event_parse_error(raw: Any) -> None:
    with pytest.raises(ev.EventParseError):
        ev.parse_event(raw)


def test_wrong_typed_fields_fall_back_to_neutral_values() -> None:
    event = ev.parse_event(
        _env("ChannelDtmfReceived", digit=5, duration_ms="100", channel=_channel())
    )
    assert isinstance(event, ev.DtmfReceived)
    assert event.digit == "5"
    assert event.duration_ms == 0


@pytest.mark.skipif(
    not TRACES.is_dir(), reason="golden traces folder ../shared/ari-traces is absent"
)
def test_every_event_in_the_golden_traces_parses() -> None:
    seen: set[str] = set()
    for trace in sorted(TRACES.glob("*.json")):
        for step in json.loads(trace.read_text())["steps"]:
            if step["kind"] == "event":
                event = ev.parse_event(step["event"])
                seen.add(type(event).__name__)
    assert {
        "StasisStarted",
        "StasisEnded",
        "DtmfReceived",
        "PlaybackFinished",
        "DialProgressed",
    } <= seen
