"""HeldChannels: a callback's channels wait for the worker, or are let go."""

from __future__ import annotations

from ivr.session.held import HeldChannels


def test_channels_of_callbacks_nobody_follows_are_let_go_once() -> None:
    held = HeldChannels()
    held.hold("cb-1", "cb-1")
    held.hold("leg-1", "cb-1")
    held.hold("cb-2", "cb-2")
    assert held.unfollowed({"cb-2"}) == ["cb-1", "leg-1"]
    assert "cb-1" not in held and "cb-2" in held
    assert held.unfollowed({"cb-2"}) == []


def test_a_channel_taken_over_is_no_longer_held() -> None:
    held = HeldChannels()
    held.hold("cb-1", "cb-1")
    held.take("cb-1")
    held.take("never-held")
    assert "cb-1" not in held
    assert held.unfollowed(()) == []
