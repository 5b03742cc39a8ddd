"""Inbound calls, answer, playback, hangups and DTMF, against the golden traces' order."""

from __future__ import annotations

from tests.integration.simulator.harness import SimClient


async def test_inbound_answer_play_hangup(client: SimClient) -> None:
    stream = await client.events()
    caller_id, caller_name = await client.inbound("199")
    start = await stream.wait_for("StasisStart")
    channel = start["channel"]
    assert start["args"] == []
    assert start["application"] == "ivr101"
    assert start["asterisk_id"] == "02:fc:00:00:00:01"
    assert start["timestamp"].endswith("+0000") and len(start["timestamp"]) == 28
    assert channel["state"] == "Ring"
    assert channel["name"] == caller_name.replace(";1", ";2")
    assert channel["dialplan"] == {
        "context": "ivr-in",
        "exten": "101",
        "priority": 2,
        "app_name": "Stasis",
        "app_data": "ivr101",
    }
    assert channel["caller"] == {"name": "Test Caller", "number": "07700900123"}
    assert "channelvars" not in channel
    chan = channel["id"]
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await stream.wait_for("ChannelStateChange", lambda e: e["channel"]["state"] == "Up")
    _, body = await client.ari("GET", f"/channels/{chan}", 200)
    assert body["state"] == "Up"
    _, pb = await client.ari(
        "POST",
        f"/channels/{chan}/play",
        201,
        media="sound:hello-world",
        playbackId="pb-1",
        lang="en",
    )
    assert pb == {
        "id": "pb-1",
        "media_uri": "sound:hello-world",
        "target_uri": f"channel:{chan}",
        "language": "en",
        "state": "queued",
    }
    started = await stream.wait_for("PlaybackStarted")
    assert started["playback"]["state"] == "playing"
    finished = await stream.wait_for("PlaybackFinished")
    assert finished["playback"]["state"] == "done"
    await client.ari("DELETE", f"/channels/{chan}", 204)
    request = await stream.wait_for("ChannelHangupRequest")
    assert (request["cause"], request["soft"]) == (32, True)
    await stream.wait_for("StasisEnd")
    await client.wait_idle()
    assert stream.types() == [
        "StasisStart",
        "ChannelStateChange",
        "PlaybackStarted",
        "PlaybackFinished",
        "ChannelHangupRequest",
        "StasisEnd",
    ]
    record = await client.sim("GET", f"/calls/{chan}")
    assert record["caller_channel_id"] == caller_id
    assert record["hungup_by"] == "app"
    assert [h["media_uri"] for h in record["heard"]] == ["sound:hello-world"]
    assert record["heard"][0]["state"] == "done"
    await stream.close()


async def test_caller_hangs_up_during_playback(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream, "202")
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    _, pb = await client.ari(
        "POST",
        f"/channels/{chan}/play",
        201,
        media="sound:tt-monkeys,sound:hello-world",
        playbackId="pb-x",
    )
    assert pb["next_media_uri"] == "sound:hello-world"
    request = await stream.wait_for("ChannelHangupRequest")
    assert request["cause"] == 16 and "soft" not in request
    finished = await stream.wait_for("PlaybackFinished")
    assert finished["playback"]["state"] == "failed"
    assert finished["playback"]["media_uri"] == "sound:tt-monkeys"
    await stream.wait_for("StasisEnd")
    assert stream.types()[-3:] == ["ChannelHangupRequest", "PlaybackFinished", "StasisEnd"]
    assert (await client.ari("POST", f"/channels/{chan}/play", media="sound:beep")) == (
        404,
        {"message": "Channel not found"},
    )
    assert (await client.ari("POST", f"/channels/{chan}/answer"))[0] == 404
    assert (await client.ari("DELETE", f"/channels/{chan}"))[0] == 404
    assert (await client.ari("GET", "/playbacks/pb-x")) == (404, {"message": "Playback not found"})
    record = await client.sim("GET", f"/calls/{chan}")
    assert record["hungup_by"] == "caller"
    assert record["heard"][0]["state"] == "failed"
    await client.wait_idle()
    await stream.close()


async def test_dtmf_from_caller_201(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream, "201")
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await client.ari(
        "POST", f"/channels/{chan}/play", 201, media="sound:tt-monkeys", playbackId="pb-d"
    )
    first = await stream.wait_for("ChannelDtmfReceived")
    assert (first["digit"], first["duration_ms"]) == ("1", 100)
    await client.ari("DELETE", "/playbacks/pb-d", 204)
    done = await stream.wait_for("PlaybackFinished")
    assert done["playback"]["state"] == "done"
    await stream.wait_for("ChannelDtmfReceived", lambda e: e["digit"] == "#")
    digits = [e["digit"] for e in stream.events if e["type"] == "ChannelDtmfReceived"]
    assert digits == ["1", "2", "3", "#"]
    # the script ends with Wait(30); then the caller hangs up by itself
    await stream.wait_for("StasisEnd", within=5)
    record = await client.sim("GET", f"/calls/{chan}")
    assert [d["digit"] for d in record["dtmf_sent"]] == ["1", "2", "3", "#"]
    await client.wait_idle()
    await stream.close()


async def test_playback_list_and_control(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream)
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await client.ari(
        "POST",
        f"/channels/{chan}/play",
        201,
        media="sound:beep,sound:hello-world",
        playbackId="pb-l",
    )
    await stream.wait_for("PlaybackFinished")
    kinds = [
        (e["type"], e["playback"]["media_uri"], e["playback"]["state"])
        for e in stream.events
        if e["type"].startswith("Playback")
    ]
    assert kinds == [
        ("PlaybackStarted", "sound:beep", "playing"),
        ("PlaybackContinuing", "sound:beep", "continuing"),
        ("PlaybackStarted", "sound:hello-world", "playing"),
        ("PlaybackFinished", "sound:hello-world", "done"),
    ]
    mark = len(stream.events)
    await client.ari(
        "POST", f"/channels/{chan}/play", 201, media="sound:vm-intro", playbackId="pb-c"
    )
    await stream.wait_for("PlaybackStarted", after=mark)
    await client.ari("POST", "/playbacks/pb-c/control", 204, operation="pause")
    assert (await client.ari("GET", "/playbacks/pb-c"))[1]["state"] == "paused"
    await client.ari("POST", "/playbacks/pb-c/control", 204, operation="pause")
    mark = len(stream.events)
    await client.ari("POST", "/playbacks/pb-c/control", 204, operation="unpause")
    await stream.wait_for("PlaybackStarted", after=mark)
    await client.ari("POST", "/playbacks/pb-c/control", 204, operation="restart")
    await client.ari("POST", "/playbacks/pb-c/control", 204, operation="forward")
    assert await client.ari("POST", "/playbacks/pb-c/control", operation="sideways") == (
        400,
        {"message": "Invalid operation sideways"},
    )
    assert await client.ari("POST", "/playbacks/pb-c/control") == (
        400,
        {"message": "Missing operation"},
    )
    await client.ari("POST", f"/channels/{chan}/play/pb-q", 201, media="sound:hello-world")
    await client.ari("POST", f"/channels/{chan}/play", 201, media="sound:beep", playbackId="pb-q")
    _, queued = await client.ari("GET", "/playbacks/pb-q", 200)
    assert (queued["media_uri"], queued["state"]) == ("sound:hello-world", "queued")
    mark = len(stream.events)
    await client.ari("DELETE", "/playbacks/pb-c", 204)
    await stream.wait_for("PlaybackStarted", lambda e: e["playback"]["id"] == "pb-q", after=mark)
    await stream.wait_for(
        "PlaybackStarted", lambda e: e["playback"]["media_uri"] == "sound:beep", after=mark
    )
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await stream.wait_for("StasisEnd")
    await client.wait_idle()
    await stream.close()


async def test_moh_ring_hold_silence_raise_no_events(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream)
    await client.ari("POST", f"/channels/{chan}/ring", 204)
    await client.ari("DELETE", f"/channels/{chan}/ring", 204)
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await client.ari("POST", f"/channels/{chan}/moh", 204, mohClass="default")
    await client.ari("DELETE", f"/channels/{chan}/moh", 204)
    await client.ari("POST", f"/channels/{chan}/moh", 204, mohClass="no-such-class")
    await client.ari("DELETE", f"/channels/{chan}/moh", 204)
    await client.ari("DELETE", f"/channels/{chan}/moh", 204)
    for verb in ("hold", "silence"):
        await client.ari("POST", f"/channels/{chan}/{verb}", 204)
        await client.ari("DELETE", f"/channels/{chan}/{verb}", 204)
    await client.ari("POST", f"/channels/{chan}/dtmf", 204, dtmf="12")
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await stream.wait_for("StasisEnd")
    assert stream.types() == [
        "StasisStart",
        "ChannelStateChange",
        "ChannelHangupRequest",
        "StasisEnd",
    ]
    record = await client.sim("GET", f"/calls/{chan}")
    assert [m["class"] for m in record["moh"]] == ["default", "no-such-class"]
    assert record["dtmf_heard"][0]["digits"] == "12"
    await client.wait_idle()
    await stream.close()


async def test_unsupported_scheme_and_missing_sound(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream)
    await client.ari(
        "POST", f"/channels/{chan}/play", 201, media="nosuchscheme:x", playbackId="pb-u"
    )
    await stream.wait_for("PlaybackStarted", lambda e: e["playback"]["id"] == "pb-u")
    await client.ari(
        "POST", f"/channels/{chan}/play", 201, media="sound:no-such-sound-file", playbackId="pb-m"
    )
    failed = await stream.wait_for("PlaybackFinished")
    assert (failed["playback"]["id"], failed["playback"]["state"]) == ("pb-m", "failed")
    assert (await client.ari("GET", "/playbacks/pb-u"))[0] == 404
    assert not any(
        e["type"] == "PlaybackFinished" and e["playback"]["id"] == "pb-u" for e in stream.events
    )
    _, last = await client.ari(
        "POST", f"/channels/{chan}/play?media=sound:beep", 201, media="sound:hello-world"
    )
    assert last["media_uri"] == "sound:hello-world"
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await stream.wait_for("StasisEnd")
    await client.wait_idle()
    await stream.close()
