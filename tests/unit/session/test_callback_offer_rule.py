"""A callback offer says who made it: the rule that offered it, or the queue's own threshold."""

from __future__ import annotations

import asyncio

from ivr.decisions import Hypothesis
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService
from ivr.session.events import CallerHungUp
from tests.fakes import fixed_clock
from tests.unit.session.test_emergency_breakout import key, make_call, rc_queue_offering_callbacks


def test_the_decision_names_the_rule_behind_each_offer() -> None:
    inputs = RoutingInputs(
        at=fixed_clock(),  # a Tuesday morning: the Resolution Centre is open
        hypotheses=(Hypothesis("someone stole my bike from the garden last week", 0.9),),
        queue_waits={"rc": 20 * 60.0},
    )
    decision = RoutingService(None).decide(inputs)
    assert decision.destination == "rc" and "callback" in decision.offers
    assert decision.evidence["offered_by"]["callback"] == "rc-long-wait"


async def test_the_queue_records_which_rule_offered_the_callback() -> None:
    call = make_call([("callback_offer", False, key("2"))], rc_queue_offering_callbacks)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "callback-declined" in call.log.kinds())
    (offered,) = [d for _, kind, d in call.log.events if kind == "callback-offered"]
    assert offered["rule"] == "long-wait-callback"
    assert offered["reason"].startswith("rule long-wait-callback; ")
    call.control.push(CallerHungUp())
    await task
