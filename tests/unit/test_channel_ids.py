"""The app's own channel ids say which agent a channel rings, and nothing else does."""

from __future__ import annotations

import pytest

from ivr.channel_ids import agent_of, callback_id, is_own_channel, new_id


def test_a_leg_that_rings_an_agent_names_the_agent() -> None:
    leg = new_id("leg", "rc-1")
    assert is_own_channel(leg)
    assert agent_of(leg) == "rc-1"


def test_a_local_channels_second_half_names_the_same_agent() -> None:
    assert agent_of(new_id("leg", "rc-1") + ";2") == "rc-1"


def test_a_callback_channel_names_its_agent_and_attempt() -> None:
    channel = callback_id(2, "fcr_2")
    assert channel.startswith("cb-") and "-2." in channel
    assert agent_of(channel) == "fcr_2"


@pytest.mark.parametrize(
    "channel_id",
    [
        new_id("leg"),  # a transfer to a destination, no agent
        new_id("snoop"),
        "1795500508.157",  # Asterisk's own id: a dot, but not ours
        "leg-0123456789ab.",  # a mark with nothing after it
    ],
    ids=["leg", "snoop", "asterisk-id", "mark-without-agent"],
)
def test_other_ids_name_no_agent(channel_id: str) -> None:
    assert agent_of(channel_id) is None
