"""POST /_sim/agents: every setting it is given takes effect, or the request is refused.

It used to drop ``talk_from`` without a word and take NaN or 1e308 as a wait.
"""

from __future__ import annotations

import pytest

from ivr.simulator import AgentProfile, Simulator, TalkFrom
from tests.integration.simulator.harness import SimClient


async def _post(client: SimClient, raw: str) -> tuple[int, dict[str, object]]:
    async with client.session.post(
        f"{client.base}/_sim/agents", data=raw, headers={"Content-Type": "application/json"}
    ) as resp:
        body = await resp.json()
        assert isinstance(body, dict)
        return resp.status, body


async def test_talk_from_is_taken(client: SimClient, simulator: Simulator) -> None:
    reply = await client.sim(
        "POST", "/agents", {"endpoint": "PJSIP/talker", "talk_for": 1.0, "talk_from": "bridged"}
    )
    assert reply["talk_from"] == "bridged"
    assert simulator.engine.agent_overrides["PJSIP/talker"].talk_from is TalkFrom.BRIDGED


async def test_an_agent_set_to_talk_from_the_bridge_waits_for_the_app(client: SimClient) -> None:
    await client.sim(
        "POST",
        "/agents",
        {"endpoint": "PJSIP/talker", "answer_after": 0.5, "talk_for": 3.0, "talk_from": "bridged"},
    )
    stream = await client.events()
    caller = await client.call(stream)
    await client.ari("POST", "/channels", 200, endpoint="PJSIP/talker", app="ivr101",
                     channelId="talker")  # fmt: skip
    await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "talker")
    # PJSIP/quick (conftest) answers sooner with the same talk time, counted from its answer
    await client.ari("POST", "/channels", 200, endpoint="PJSIP/quick", app="ivr101",
                     channelId="quick")  # fmt: skip
    await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "quick")
    assert "ChannelDestroyed" not in stream.types("talker")
    await client.ari("POST", "/bridges", 200, bridgeId="br-talk")
    await client.ari("POST", "/bridges/br-talk/addChannel", 204, channel=f"{caller},talker")
    destroyed = await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "talker")
    assert destroyed["cause"] == 16  # hung up by itself, after talking
    await client.ari("DELETE", "/bridges/br-talk", 204)
    await client.ari("DELETE", f"/channels/{caller}", 204)
    await client.wait_idle()
    await stream.close()


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('"answer_after": NaN', "answer_after"),
        ('"answer_after": Infinity', "answer_after"),
        ('"talk_for": 1e308', "talk_for"),
        ('"talk_for": 1e400', "talk_for"),  # json reads it as infinity
        ('"talk_for": 86401', "talk_for"),
        ('"answer_after": -1', "answer_after"),
        ('"answer_after": "2"', "answer_after"),
        ('"answer_after": true', "answer_after"),
        ('"reject": "yes"', "reject"),
        ('"talk_from": "later"', "talk_from"),
        ('"talk_form": "bridged"', "talk_form"),  # a typo is refused, not dropped
    ],
)
async def test_settings_it_cannot_take_are_refused_with_a_400(
    client: SimClient, simulator: Simulator, setting: str, named: str
) -> None:
    status, body = await _post(client, '{"endpoint": "PJSIP/x", ' + setting + "}")
    assert status == 400, body
    assert body["error_id"] == "invalid-agent"
    assert named in str(body["message"])
    assert "PJSIP/x" not in simulator.engine.agent_overrides


async def test_a_profile_without_an_endpoint_is_refused(client: SimClient) -> None:
    status, body = await _post(client, '{"answer_after": 1}')
    assert (status, body["error_id"]) == (400, "invalid-agent")
    assert "endpoint" in str(body["message"])


async def test_settings_not_given_keep_their_value(client: SimClient, simulator: Simulator) -> None:
    await client.sim("POST", "/agents", {"endpoint": "PJSIP/busy", "answer_after": 0})
    assert simulator.engine.agent_overrides["PJSIP/busy"] == AgentProfile(
        answer_after=0.0, reject=True
    )


@pytest.mark.parametrize("timeout", [0, 30])  # rings for a day, or would ring out first
async def test_a_ringing_phone_answers_when_told_not_before(
    client: SimClient, simulator: Simulator, timeout: int
) -> None:
    await client.sim("POST", "/agents", {"endpoint": "PJSIP/later", "answer_after": 86_400})
    stream = await client.events()
    await client.ari("POST", "/channels", 200, endpoint="PJSIP/later", app="ivr101",
                     channelId="later", timeout=timeout)  # fmt: skip
    await stream.wait_for("Dial", lambda e: e["dialstatus"] == "RINGING")
    # Another endpoint's ringing phone is not this one's to answer.
    assert await client.sim("POST", "/agents/answer", {"endpoint": "PJSIP/other"}) == {
        "endpoint": "PJSIP/other",
        "answered": [],
    }
    assert "StasisStart" not in stream.types("later")
    reply = await client.sim("POST", "/agents/answer", {"endpoint": "PJSIP/later"})
    assert reply == {"endpoint": "PJSIP/later", "answered": ["later"]}
    await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "later")
    # Answered once: it is no longer ringing, and its ring-out (if any) was called off.
    assert (await client.sim("POST", "/agents/answer", {"endpoint": "PJSIP/later"}))[
        "answered"
    ] == []
    assert (await client.sim("GET", "/objects"))["timers"] == 0
    await client.ari("DELETE", "/channels/later", 204)
    await client.wait_idle()
    await stream.close()


@pytest.mark.parametrize("raw", ["{}", '{"endpoint": ""}', '{"endpoint": 7}', "[1]"])
async def test_answering_without_an_endpoint_is_refused(client: SimClient, raw: str) -> None:
    async with client.session.post(
        f"{client.base}/_sim/agents/answer", data=raw, headers={"Content-Type": "application/json"}
    ) as resp:
        body = await resp.json()
    assert resp.status == 400, body
    assert body["error_id"] in ("invalid-agent", "invalid-json")
