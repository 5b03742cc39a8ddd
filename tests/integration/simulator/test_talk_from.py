"""An agent's talk time counts from the answer, or (TalkFrom.BRIDGED) from being bridged.

At a tiny time scale an agent who talks from the answer can hang up before the app has
bridged them (`ivr demo --speed 100`: addChannel -> 400 "Channel not found"); one who
talks from being bridged waits for the app however long it takes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from ivr.simulator import AgentProfile, Simulator, SimulatorConfig, TalkFrom
from tests.integration.simulator.harness import SimClient

TALK = 1.0  # simulated seconds; 50 ms at this scale


@pytest.fixture
async def client() -> AsyncIterator[SimClient]:
    sim = Simulator(
        SimulatorConfig(
            time_scale=0.05,
            agents={
                "PJSIP/hasty": AgentProfile(answer_after=0.5, talk_for=TALK),
                "PJSIP/talker": AgentProfile(
                    answer_after=0.5, talk_for=TALK, talk_from=TalkFrom.BRIDGED
                ),
            },
        )
    )
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield SimClient(session, f"http://127.0.0.1:{sim.port}")
    finally:
        await sim.stop()


async def test_an_agent_who_talks_once_bridged_is_still_there_when_the_app_is_slow(
    client: SimClient,
) -> None:
    stream = await client.events()
    caller = await client.call(stream)
    await client.ari("POST", "/channels", 200, endpoint="PJSIP/talker", app="ivr101",
                     channelId="talker")  # fmt: skip
    await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "talker")
    # Answered after the talker, with the same talk time from its answer: once it has hung
    # up, the talker's talk time would be over too had it counted from the answer.
    await client.ari("POST", "/channels", 200, endpoint="PJSIP/hasty", app="ivr101",
                     channelId="hasty")  # fmt: skip
    await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "hasty")
    assert "ChannelDestroyed" not in stream.types("talker")

    await client.ari("POST", "/bridges", 200, bridgeId="br-talk")
    await client.ari("POST", "/bridges/br-talk/addChannel", 204, channel=f"{caller},talker")
    destroyed = await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "talker")
    assert destroyed["cause"] == 16  # hung up by itself, after talking
    await client.ari("DELETE", "/bridges/br-talk", 204)
    await client.ari("DELETE", f"/channels/{caller}", 204)
    await client.wait_idle()
    await stream.close()
