"""Someone asked for by rank or title and a name the directory lacks
(ivr.routing.unlisted_person): a person on the switchboard finds them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import NOT_FOUND_RULES, PERSON_NOT_LISTED, SWITCHBOARD, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService
from ivr.routing.unlisted_person import UnlistedPerson

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
OWN = [
    DirectoryEntry("vijay-parmar", "person", "Vijay Parmar", surname="Parmar", rank="DS"),
    DirectoryEntry("claire-hughes", "person", "Claire Hughes", surname="Hughes", rank="DI"),
    DirectoryEntry("amy-greaves", "person", "Amy Greaves", surname="Greaves", rank="PC"),
    DirectoryEntry("dogs", "department", "Dog Support Unit"),
]


@pytest.fixture(scope="module")
def people() -> UnlistedPerson:
    return UnlistedPerson(OWN)


def asked(people: UnlistedPerson, *texts: str) -> str | None:
    return people.asked(tuple(Hypothesis(t) for t in texts))


@pytest.mark.parametrize(
    ("said", "who"),
    [
        ("Can I speak to Sergeant Morrison please?", "sergeant morrison"),
        ("PC Hargreaves please", "pc hargreaves"),
        # near Greaves, but not near enough to be her (ratio 82)
        ("could I speak to PC Hargreaves", "pc hargreaves"),
        ("um, hello, DC Karen Bowyer please", "dc karen bowyer"),
        ("I'd like to speak to Detective Sergeant Mulholland", "detective sergeant mulholland"),
        ("is Mr Okonkwo there please", "mr okonkwo"),
        ("hello yes, Sergeant Pemberton, is he available", "sergeant pemberton"),
        ("can I speak to officer Jenkins", "officer jenkins"),
    ],
)
def test_a_request_for_a_rank_and_a_name_nobody_here_has_is_asked_for(
    people: UnlistedPerson, said: str, who: str
) -> None:
    assert asked(people, said) == who


@pytest.mark.parametrize(
    "said",
    [
        # a post, not a name
        "can I speak to the duty sergeant",
        "I want to speak to a sergeant please",
        "Inspector on duty please",
        "I need to speak to PC about my case",
        # a name the directory has, or one that sounds like it: the matcher's
        "DS Parmar please",
        "DS Parmer please",
        "Mr Hughes please",
        # no rank or title; a collar number
        "Morrison please",
        "PC 4471 please",
        # more said than the request (an adversarial review's, session 44): the rest of
        # the engine reads it, danger first
        "PC Hargreaves told me to ring and report my bike stolen",
        "Mr Okonkwo next door has had his shed broken into",
        "PC Jones kept me waiting for hours and I want to make a complaint",
        "I'm calling for Mrs Evans, my elderly neighbour, her purse was stolen",
        "is Mr Blackwood allowed to park across my drive",
        "I'm looking for Mrs Jenkins, she's 84 and hasn't come home",
        "can I speak to PC Jones, my ex is sat outside in his car again",
        "Can I speak to Constable Harrison? He came out about my car on Monday.",
        "is Sergeant Major a police rank",
    ],
)
def test_a_post_a_matter_or_a_name_here_is_no_unlisted_person(
    people: UnlistedPerson, said: str
) -> None:
    assert asked(people, said) is None


def test_another_alternative_heard_as_a_name_here_leaves_it_to_the_matcher(
    people: UnlistedPerson,
) -> None:
    # Whisper's "Palmer" beside PocketSphinx's "parmar": the recogniser misheard.
    assert asked(people, "DS Palmer please", "ds parmar please") is None
    assert asked(people, "DS Palmer please") == "ds palmer"


@pytest.fixture(scope="module")
def shipped() -> RoutingService:
    return RoutingService(None)


def test_an_unlisted_person_goes_to_the_switchboard_heard_again_first(
    shipped: RoutingService,
) -> None:
    # Without the rule "PC Hargreaves please" was left to the intents, which offered
    # online reporting; a name misheard is the likeliest cause, so two-pass speech
    # hears it again before routing (NOT_FOUND_RULES).
    decision = shipped.decide(
        RoutingInputs(at=AT, hypotheses=(Hypothesis("PC Hargreaves please", 0.9),))
    )
    assert (decision.action, decision.destination, decision.rule) == (
        "route",
        SWITCHBOARD,
        PERSON_NOT_LISTED,
    )
    assert decision.evidence["person"] == "pc hargreaves"
    assert PERSON_NOT_LISTED in NOT_FOUND_RULES


def test_a_danger_said_beside_the_name_is_still_heard_first(shipped: RoutingService) -> None:
    said = "Can I speak to PC Hargreaves, my ex is outside with a knife right now"
    decision = shipped.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(said, 0.9),)))
    assert decision.destination == "emergency"
