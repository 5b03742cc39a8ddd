"""A name several people answer to, with nothing said that tells them apart, goes to a
person who asks which; a list of names would be a guess for a caller who knows only one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.decisions import Decision, Hypothesis
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
# The fixture bundle's directory: PS Ffion Okafor, DS Gethin Okafor, DC Marek Okafor;
# PC Tariq Sharma and PC Tariq Fletcher.
FFION, GETHIN = "directory:ffion-okafor", "directory:gethin-okafor"


def decide(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def test_sergeant_is_a_detective_sergeants_title_too(engine: RoutingEngine) -> None:
    d = decide(engine, "Sergeant Okafor please")
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "directory-shared-name")
    assert d.evidence["shared_surname"] == "Okafor"
    assert set(d.evidence["choices"]) == {FFION, GETHIN}  # not the DC
    # The detective's own rank, or the uniformed one's in full, picks one first.
    assert decide(engine, "DS Okafor please").candidates[0].destination == GETHIN
    assert decide(engine, "police sergeant okafor").candidates[0].destination == FFION


def test_a_first_name_two_people_share_goes_to_a_person_who_asks_which(
    engine: RoutingEngine,
) -> None:
    for text in ("Tariq please", "can I speak to Tariq"):
        d = decide(engine, text)
        assert (d.action, d.destination, d.rule) == (
            "route",
            "switchboard",
            "directory-shared-name",
        ), d.reason
        assert d.evidence["shared_first_name"] == "Tariq"
    d = decide(engine, "Tariq Sharma please")
    assert (d.action, d.destination) == ("route", "directory:tariq-sharma")
