"""Keyed numbers: keys past an entry's length stay in it (and make it invalid), never spill."""

from __future__ import annotations

from ivr.session.events import DigitPressed, PromptFinished
from ivr.verbs.ask import Question
from tests.fakes import FakeControl
from tests.unit.session.test_verbs import make_session


async def test_keys_beyond_a_numbers_length_do_not_spill_into_the_next_question() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    too_long = "0770090012345"  # 13 keys for an 11-digit entry
    control.push(PromptFinished("pb-1", True), *[DigitPressed(d) for d in too_long])
    control.push(DigitPressed("#"))
    entry = await Question(["callback_enter_number"], max_digits=11, speech=False).ask(session)
    assert entry.digits == too_long  # kept whole: too long to be valid, not cut to fit
    assert "dtmf-overflow" in call_log.kinds()

    control.push(PromptFinished("pb-2", True), DigitPressed("1"))
    menu = await Question(["callback_number_check"]).ask(session)
    assert menu.digits == "1"  # the next menu hears its own key, not "4" or "5"


async def test_a_number_of_the_right_length_ends_on_the_hash_key() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), *[DigitPressed(d) for d in "07700900123#"])
    entry = await Question(["callback_enter_number"], max_digits=11, speech=False).ask(session)
    assert entry.digits == "07700900123"
    assert "dtmf-overflow" not in call_log.kinds()
