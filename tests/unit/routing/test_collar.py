"""An officer asked for by collar number, with no name, goes to a person who can look it
up (ivr.routing.collar)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ivr.decisions import SWITCHBOARD, Decision, Hypothesis
from ivr.routing.collar import CollarNumber
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

TUESDAY_10 = datetime(2026, 11, 24, 10, 0)


def said(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=TUESDAY_10, hypotheses=(Hypothesis(text),)))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Collar number 4103, I need to speak to him about my statement", "4103"),
        ("the officer with shoulder number two two six one came round yesterday", "2261"),
        ("his badge number is five one two", "512"),
        ("the dog had no collar, number of dogs two", None),
        ("I want to report a stolen collar", None),
    ],
)
def test_the_number_said_after_collar_or_shoulder_is_read(text: str, number: str | None) -> None:
    assert CollarNumber().said((Hypothesis(text),)) == number


def test_a_collar_number_without_a_name_goes_to_the_switchboard(engine: RoutingEngine) -> None:
    decision = said(engine, "Collar number 4103, I need to speak to him about my statement")
    assert (decision.action, decision.destination) == ("route", SWITCHBOARD), decision.reason
    assert decision.rule == "collar-number"
    assert decision.evidence["collar_number"] == "4103"


def test_a_name_said_with_the_collar_number_is_the_one_asked_for(engine: RoutingEngine) -> None:
    decision = said(engine, "Can I have PC Tariq Sharma? His collar number is four five one two")
    assert decision.destination == "directory:tariq-sharma", decision.reason
