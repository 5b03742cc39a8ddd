"""Bridges, agents by originate and by create+dial, continue and redirect."""

from __future__ import annotations

from tests.integration.simulator.harness import SimClient


async def test_transfer_to_agent_by_originate(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream, "204")
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    _, bridge = await client.ari(
        "POST", "/bridges", 200, type="mixing", bridgeId="br-1", name="xfer"
    )
    assert bridge == {
        "id": "br-1",
        "technology": "simple_bridge",
        "bridge_type": "mixing",
        "bridge_class": "stasis",
        "creator": "Stasis",
        "name": "xfer",
        "channels": [],
        "creationtime": bridge["creationtime"],
        "video_mode": "talker",
    }
    await client.ari("POST", "/bridges/br-1/addChannel", 204, channel=chan)
    await stream.wait_for("ChannelEnteredBridge")
    _, agent = await client.ari(
        "POST",
        "/channels",
        200,
        endpoint="Local/agent1@ivr-agents",
        app="ivr101",
        appArgs="agent",
        channelId="agent-1",
        callerId="IVR 101 <101>",
        within=30,
    )
    assert agent["state"] == "Down" and agent["name"].endswith(";1")
    assert agent["dialplan"]["app_name"] == "AppDial2"
    start = await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "agent-1")
    assert start["args"] == ["agent"]
    dials = [e["dialstatus"] for e in stream.events if e["type"] == "Dial"]
    assert dials == ["", "RINGING", "ANSWER"]
    assert "ChannelCallerId" in stream.types("agent-1;2")
    # The app is subscribed to the agent's ;2 half too (it hears its events), and
    # Asterisk lists subscriptions, not only channels in Stasis, in channel_ids.
    _, application = await client.ari("GET", "/applications/ivr101", 200)
    assert {chan, "agent-1", "agent-1;2"} <= set(application["channel_ids"])
    await client.ari("POST", "/bridges/br-1/addChannel", 204, channel="agent-1")
    await stream.wait_for("ChannelConnectedLine", lambda e: e["channel"]["id"] == chan)
    peers = {
        e["channel"]["id"]: e["value"]
        for e in stream.events
        if e["type"] == "ChannelVarset" and e["variable"] == "BRIDGEPEER"
    }
    assert peers["agent-1"].startswith("Local/101@ivr-in-")
    assert peers[chan] == agent["name"]
    _, bridge = await client.ari("GET", "/bridges/br-1", 200)
    assert bridge["channels"] == sorted([chan, "agent-1"])
    # the caller (ext 204) hangs up 6 s after answer; the agent stays alone in the bridge
    await stream.wait_for("StasisEnd", lambda e: e["channel"]["id"] == chan, within=5)
    assert stream.types(chan)[-4:] == [
        "ChannelHangupRequest",
        "ChannelVarset",
        "ChannelLeftBridge",
        "StasisEnd",
    ]
    _, bridge = await client.ari("GET", "/bridges/br-1", 200)
    assert bridge["channels"] == ["agent-1"]
    await client.ari("GET", "/channels/agent-1", 200)
    await client.ari("DELETE", "/channels/agent-1", 204)
    destroyed = await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "agent-1")
    assert (destroyed["cause"], destroyed["cause_txt"]) == (16, "Normal Clearing")
    assert (
        stream.types("agent-1")[-5:]
        == [
            "ChannelHangupRequest",
            "ChannelVarset",
            "ChannelLeftBridge",
            "StasisEnd",
            "ChannelVarset",
        ]
        or stream.types("agent-1")[-1] == "ChannelDestroyed"
    )
    await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "agent-1;2")
    _, application = await client.ari("GET", "/applications/ivr101", 200)
    assert not {chan, "agent-1", "agent-1;2"} & set(application["channel_ids"])
    await client.ari("DELETE", "/bridges/br-1", 204)
    await stream.wait_for("BridgeDestroyed")
    record = await client.sim("GET", f"/calls/{chan}")
    assert record["bridge_peers"][0]["endpoint"] == "Local/agent1@ivr-agents"
    assert record["hungup_by"] == "caller"
    await client.wait_idle()
    await stream.close()


async def test_create_then_dial(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream, "199")
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    _, agent = await client.ari(
        "POST",
        "/channels/create",
        200,
        endpoint="PJSIP/quick",
        app="ivr101",
        appArgs="agent",
        channelId="ag-2",
    )
    assert agent["dialplan"]["app_name"] == ""
    start = await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "ag-2")
    assert start["channel"]["state"] == "Down"
    await client.ari("POST", "/channels/ag-2/dial", 204, caller=chan, within=30)
    answer = await stream.wait_for("Dial", lambda e: e["dialstatus"] == "ANSWER")
    assert "caller" not in answer
    assert answer["peer"]["connected"] == {"name": "Test Caller", "number": "07700900123"}
    await client.ari("POST", "/bridges", 200, bridgeId="br-2")
    await client.ari("POST", "/bridges/br-2/addChannel", 204, channel=f"{chan},ag-2")
    # PJSIP/quick talks for 3 s then hangs up by itself
    destroyed = await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "ag-2")
    assert destroyed["cause"] == 16
    assert (await client.ari("POST", "/channels/ag-2/dial"))[0] == 404
    await client.ari("DELETE", "/bridges/br-2", 204)
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await client.wait_idle()
    await stream.close()


async def test_busy_agent_rejects(client: SimClient) -> None:
    stream = await client.events()
    await client.ari(
        "POST", "/channels", 200, endpoint="PJSIP/busy", app="ivr101", channelId="ag-busy"
    )
    destroyed = await stream.wait_for("ChannelDestroyed")
    assert destroyed["cause"] == 17
    assert [e["dialstatus"] for e in stream.events if e["type"] == "Dial"] == [
        "",
        "RINGING",
        "BUSY",
    ]
    assert "StasisStart" not in stream.types()
    await client.sim(
        "POST",
        "/agents",
        {"endpoint": "PJSIP/busy", "reject": False, "answer_after": 0.2, "talk_for": 0.5},
    )
    await client.ari(
        "POST", "/channels", 200, endpoint="PJSIP/busy", app="ivr101", channelId="ag-ok"
    )
    await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "ag-ok")
    await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "ag-ok")
    await client.wait_idle()
    await stream.close()


async def test_continue_leaves_stasis_and_hangs_up(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream)
    await client.ari(
        "POST", f"/channels/{chan}/continue", 204, context="ivr-in", extension="999", priority=1
    )
    await stream.wait_for("StasisEnd")
    await client.wait_idle()
    chan = await client.call(stream)
    mark = len(stream.events)
    await client.ari(
        "POST", f"/channels/{chan}/continue", 204, context="ivr-in", extension="101", priority=1
    )
    again = await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == chan, after=mark)
    assert again["args"] == []
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await client.wait_idle()
    await stream.close()


async def test_bridge_playback_and_moh(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream)
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await client.ari("POST", "/bridges", 200, bridgeId="br-p")
    await client.ari("POST", "/bridges/br-p/addChannel", 204, channel=chan)
    _, pb = await client.ari("POST", "/bridges/br-p/play", 201, media="sound:beep")
    assert pb["target_uri"] == "bridge:br-p"
    await stream.wait_for("PlaybackFinished", lambda e: e["playback"]["id"] == pb["id"])
    await client.ari("POST", "/bridges/br-p/moh", 204, mohClass="default")
    await client.ari("DELETE", "/bridges/br-p/moh", 204)
    await client.ari("POST", "/bridges/br-p/removeChannel", 204, channel=chan)
    await stream.wait_for("ChannelLeftBridge")
    await client.ari("DELETE", "/bridges/br-p", 204)
    await stream.wait_for("BridgeDestroyed")
    record = await client.sim("GET", f"/calls/{chan}")
    assert record["heard"][0]["target_uri"] == "bridge:br-p"
    assert record["moh"][0]["bridge"] == "br-p"
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await client.wait_idle()
    await stream.close()
