"""A crime already reported, asked after, is an update first (ivr.routing.follow_up)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import FCR, ONLINE, RC, Decision, Hypothesis
from ivr.routing.follow_up import UPDATE_INTENT, FollowUp
from ivr.routing.intents import IntentMatch
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def scored(intent: str, destination: str, score: float) -> IntentMatch:
    return IntentMatch(intent, destination, score, example="", matched="")


@pytest.fixture(scope="module")
def shipped() -> RoutingService:
    return RoutingService(None)


def said(service: RoutingService, text: str) -> Decision:
    return service.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def first_offer(decision: Decision) -> str | None:
    if decision.action == "route":
        return decision.destination
    chosen = decision.evidence.get("choices") or [c.destination for c in decision.candidates]
    return chosen[0] if chosen else None


@pytest.mark.parametrize(
    "text",
    [
        "any news on the lawnmower that was nicked out of my garage",
        "nobody has got back to me about my lawnmower being taken from the garage",
        "my lawnmower was stolen from the garage, what's happening with it",
        "my lawnmower was nicked out of the garage last month, not heard a thing since",
        "I reported my lawnmower stolen from the garage, I just want to know if anybody's"
        " looking at it",
    ],
)
def test_a_stolen_thing_asked_after_is_an_update_first(shipped: RoutingService, text: str) -> None:
    d = said(shipped, text)
    assert first_offer(d) == ONLINE and d.intent == UPDATE_INTENT, d.reason
    assert d.evidence["asked_after"] and "asks after a report" in d.reason


def test_the_same_crime_told_for_the_first_time_is_a_crime_report(
    shipped: RoutingService,
) -> None:
    d = said(shipped, "someone has stolen the lawnmower out of my garage")
    assert first_offer(d) == RC and "asked_after" not in d.evidence, d.reason


def test_only_a_crime_report_heard_well_enough_is_moved() -> None:
    heard = (Hypothesis("any news about the fight outside, nobody has come"),)
    update = scored(UPDATE_INTENT, ONLINE, 0.5)
    over_incident = [scored("incident", FCR, 0.8), update]
    assert FollowUp().first(over_incident, heard, 0.32) == (over_incident, None)
    weak = [scored("report_crime", RC, 0.8), scored(UPDATE_INTENT, ONLINE, 0.2)]
    assert FollowUp().first(weak, heard, 0.32) == (weak, None)
    moved, why = FollowUp().first([scored("report_crime", RC, 0.8), update], heard, 0.32)
    assert moved[0] is update and why == "any news"
