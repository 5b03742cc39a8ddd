"""Pure pieces of the simulator: JSON models, envelopes, dialplan parsing, apps, timers."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from ivr.simulator.apps import AppRegistry
from ivr.simulator.dialplan import (
    CALLER_EXTENSIONS,
    ScriptError,
    Step,
    dtmf_seconds,
    local_parts,
    parse_caller_id,
    parse_script,
)
from ivr.simulator.events import ari_timestamp, envelope
from ivr.simulator.model import Bridge, Channel, Dialplan, Party, Playback
from ivr.simulator.playbacks import tone_seconds
from ivr.simulator.timers import Scheduler


def test_timestamp_format() -> None:
    assert ari_timestamp(1795500638.3) == "2026-11-24T06:10:38.300+0000"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", ari_timestamp())


def test_envelope_fields() -> None:
    message = envelope("StasisStart", {"args": []}, "02:fc:00:00:00:01", "ivr101")
    assert list(message) == ["type", "timestamp", "args", "asterisk_id", "application"]


def test_channel_json_has_channelvars_only_when_asked_and_set() -> None:
    ch = Channel(
        "1.2",
        "Local/101@ivr-in-00000001;2",
        tech="Local",
        state="Ring",
        dialplan=Dialplan("ivr-in", "101", 2, "Stasis", "ivr101"),
        caller=Party("Test Caller", "07700900123"),
    )
    body = ch.to_json()
    assert list(body) == [
        "id",
        "name",
        "state",
        "protocol_id",
        "caller",
        "connected",
        "accountcode",
        "dialplan",
        "creationtime",
        "language",
    ]
    assert body["dialplan"]["priority"] == 2
    assert "channelvars" not in ch.to_json(with_vars=True)
    ch.variables["UNICASTRTP_LOCAL_PORT"] = "11208"
    assert ch.to_json(with_vars=True)["channelvars"] == {"UNICASTRTP_LOCAL_PORT": "11208"}


def test_bridge_json_lists_channels_sorted() -> None:
    bridge = Bridge("br-1", "mixing", "asr")
    bridge.channels = ["snoop-1", "em-1"]
    body = bridge.to_json()
    assert body["channels"] == ["em-1", "snoop-1"]
    assert (body["technology"], body["bridge_class"], body["creator"], body["video_mode"]) == (
        "simple_bridge",
        "stasis",
        "Stasis",
        "talker",
    )


def test_playback_json_next_media_uri() -> None:
    pb = Playback("pb", ["sound:beep", "sound:hello-world"], "channel", "1.2", "en")
    assert pb.to_json()["next_media_uri"] == "sound:hello-world"
    pb.index = 1
    assert "next_media_uri" not in pb.to_json()
    assert pb.to_json()["target_uri"] == "channel:1.2"


def test_parse_script() -> None:
    steps = parse_script(
        [
            {"wait": 1},
            {"dtmf": "12#"},
            {"say": "/x.wav"},
            {"say_sound": "tt-weasels"},
            {"hangup": True},
        ]
    )
    assert [s.kind for s in steps] == ["wait", "dtmf", "say", "say_sound", "hangup"]
    assert steps[1].application == ("SendDTMF", "12#")
    for bad in ([{"wait": -1}], [{"dtmf": "x"}], [{"fly": 1}], {"wait": 1}, [{"wait": True}]):
        with pytest.raises(ScriptError):
            parse_script(bad)


def test_builtin_caller_extensions() -> None:
    assert CALLER_EXTENSIONS["201"].steps[1] == Step("dtmf", text="123#")
    assert CALLER_EXTENSIONS["202"].steps[-1].kind == "hangup"
    assert not CALLER_EXTENSIONS["199"].hangup_at_end
    assert dtmf_seconds("123#") == pytest.approx(4 * 0.1 + 3 * 0.25)


def test_caller_id_and_local_parsing() -> None:
    assert parse_caller_id('"Test Caller" <07700900123>') == ("Test Caller", "07700900123")
    assert parse_caller_id("IVR 101 <101>") == ("IVR 101", "101")
    assert parse_caller_id("07700900123") == ("", "07700900123")
    assert local_parts("agent1@ivr-agents/n") == ("agent1", "ivr-agents")
    assert local_parts("s") == ("s", "default")


def test_tone_seconds() -> None:
    assert tone_seconds("440/500,0/300") == pytest.approx(0.8)
    assert tone_seconds("ring;tonezone=uk") == 0.5


class Sink:
    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    def deliver(self, text: str) -> None:
        self.sent.append(json.loads(text))


def test_app_replaced_and_unregistered_when_owner_closes() -> None:
    registry = AppRegistry("id")
    first, second = Sink(), Sink()
    registry.connect("ivr101", first)
    registry.connect("ivr101", second)
    assert [m["type"] for m in first.sent] == ["ApplicationReplaced"]
    registry.publish(["ivr101"], "StasisStart", {})
    assert len(first.sent) == 1 and len(second.sent) == 1
    registry.disconnect("ivr101", first)  # the replaced socket closing changes nothing
    assert registry.is_active("ivr101")
    registry.disconnect("ivr101", second)
    assert registry.get("ivr101") is None


def test_app_with_channels_survives_its_socket() -> None:
    registry = AppRegistry("id")
    sink = Sink()
    registry.connect("ivr101", sink)
    registry.track_channel("ivr101", "1.1", True)
    registry.disconnect("ivr101", sink)
    app = registry.get("ivr101")
    assert app is not None and not app.active
    registry.publish(["ivr101"], "PlaybackFinished", {})  # dropped, not queued
    again = Sink()
    registry.connect("ivr101", again)
    assert again.sent == []
    registry.disconnect("ivr101", again)
    registry.track_channel("ivr101", "1.1", False)
    assert registry.get("ivr101") is None


async def test_scheduler_counts_and_cancels_by_owner() -> None:
    scheduler = Scheduler(0.01)
    fired: list[str] = []
    b_fired = asyncio.Event()

    def fire(name: str) -> None:
        fired.append(name)
        if name == "b":
            b_fired.set()

    scheduler.later(1.0, fire, "a", owner="ch1")
    scheduler.later(1.0, fire, "b", owner="ch2")  # due with "a", after it
    assert len(scheduler) == 2
    scheduler.cancel_owner("ch1")
    assert len(scheduler) == 1
    await asyncio.wait_for(b_fired.wait(), 1)
    assert fired == ["b"] and len(scheduler) == 0
