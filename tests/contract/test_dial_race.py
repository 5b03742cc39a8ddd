"""The one Dial race the replay allows: a dial's first event, its Local peer Down or Ringing."""

from __future__ import annotations

from tests.contract.replay import _dial_begin_race


def _dial(state: str, dialstatus: str = "") -> dict[str, object]:
    return {"type": "Dial", "dialstatus": dialstatus, "peer": {"id": "p", "state": state}}


def test_a_dials_first_event_may_find_its_peer_down_or_ringing() -> None:
    got = _dial_begin_race(_dial("Down"), _dial("Ringing"))
    assert got == _dial("Down")


def test_a_later_dial_event_or_another_state_is_still_compared() -> None:
    answered = _dial("Up", "ANSWER")
    assert _dial_begin_race(_dial("Ringing", "ANSWER"), answered) == answered
    up = _dial("Up")
    assert _dial_begin_race(_dial("Down"), up) == up
