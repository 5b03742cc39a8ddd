"""The point of a call after "the thing is" is what names and intents read
(ivr.routing.preamble)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Hypothesis
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.routing.preamble import Preamble, point, without_details

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (
            "sorry to bother you, I'm not sure this is the right number, the thing is,"
            " someone has taken the mower from my garage",
            "someone has taken the mower from my garage",
        ),
        (
            "so I live on Foxcovert, and what's happened is someone stole my catalytic converter",
            "someone stole my catalytic converter",
        ),
        (
            "we've had diesel nicked three times, but the reason I'm ringing is there's a van"
            " by the tank",
            "there's a van by the tank",
        ),
        (
            "the thing is the thing is my bike's gone from the station",
            "my bike's gone from the station",
        ),
        (
            "Good evening, I am Polish. On my street is a car with engine on all night",
            "On my street is a car with engine on all night",
        ),
        (
            "Hello, I am from Lithuania. Somebody take my wallet at the market",
            "Somebody take my wallet at the market",
        ),
        (
            "I am Romanian driver, I am in the queue for the ferry",
            "I am in the queue for the ferry",
        ),
        # the caller's own name, said first
        (
            "Hello, it's Mrs Owen, I'm ringing because somebody took the plant pots",
            "I'm ringing because somebody took the plant pots",
        ),
        (
            "Good morning, my name is Krzysztof, somebody took the diesel",
            "somebody took the diesel",
        ),
        ("Hi, it's Dave Owen here, somebody took the plant pots", "somebody took the plant pots"),
        ("It's Mrs Hewitson at Thornsett, I can smell gas", "I can smell gas"),
        (
            "Hello, I am Latvian, my name is Inese. The man next door is hitting his wife",
            "The man next door is hitting his wife",
        ),
        (
            "Och it's me again, Mrs MacKinnon, the bairns have broken my fence again",
            "the bairns have broken my fence again",
        ),
    ],
)
def test_the_words_after_the_last_marker_are_the_point(said: str, meant: str) -> None:
    assert point(said) == meant


@pytest.mark.parametrize(
    "said",
    [
        "my bike was stolen from the station",  # no marker
        "the thing is, I don't",  # too little after it
        "what is the thing you need",
        "Hello, I am Polish, no English",  # a language asked for: too little after it
        "I'm from the Polish shop, someone smashed the window",  # a place, not a nation
        "I am polishing the car and somebody keyed it",
        # where the caller is from, told after the matter: the matter stays
        "my wallet was stolen from my bag in the pub last night, I am Polish, I need the"
        " crime number for my bank",
        # a name said later, or no name: whom the caller asks for stays
        "tell PC Lisa Grant it's Mrs Okonkwo returning her call",
        "This is my husband speaking for me, I'm deaf. Is there a way to do this by text",
        "Hello, this is about my burglary, can I speak to someone",
    ],
)
def test_without_a_marker_and_a_point_nothing_is_cut(said: str) -> None:
    assert point(said) is None


def test_every_alternative_keeps_its_confidence() -> None:
    heard = (Hypothesis("hello sorry the thing is my shed was broken into", 0.7),)
    (kept,) = Preamble().applied(heard)
    assert (kept.text, kept.confidence) == ("my shed was broken into", 0.7)


def test_the_callers_own_name_before_the_point_is_not_whom_they_ask_for(
    engine: RoutingEngine,
) -> None:
    # The fixture directory has a PC Tariq Sharma: the caller is another one.
    said = (
        "Good afternoon, sorry to bother you, my name is Tariq Sharma, and the thing is,"
        " somebody has smashed my car window and taken my bag"
    )
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(said, 0.9),)))
    assert d.destination == "rc", d.reason


def test_the_callers_own_name_said_first_is_not_whom_they_ask_for(engine: RoutingEngine) -> None:
    # The fixture directory has a PC Tariq Sharma: the caller is another Sharma.
    said = "Hello, it's Mr Sharma, somebody has smashed my car window and taken my bag"
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(said, 0.9),)))
    assert d.destination == "rc", d.reason


def test_where_the_caller_is_from_is_not_a_language_asked_for(engine: RoutingEngine) -> None:
    said = "Hello, I am Polish. Somebody has smashed my car window in the night and taken my bag"
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(said, 0.9),)))
    assert d.destination != "switchboard", d.reason
    asked = "Hello, I am Polish, I need an interpreter please"
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(asked, 0.9),)))
    assert d.destination == "switchboard", d.reason


def test_danger_in_the_preamble_is_still_heard(engine: RoutingEngine) -> None:
    said = "he's got a knife and he's outside, the thing is, I don't know what to do now"
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(said, 0.9),)))
    assert d.destination == "emergency", d.reason


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (
            "I need to ask about my bail conditions. My date of birth is the fourteenth of"
            " March ninety-nine, no, ninety-eight.",
            "I need to ask about my bail conditions.",
        ),
        (
            "my number is 07700 900123 and I want to report a burglary",
            "and I want to report a burglary",
        ),
        ("my postcode is PR4 3TY, someone has dumped rubbish", "someone has dumped rubbish"),
        # a value's end: "no one" is no correction, a stop ends it
        (
            "my number is 07700 900123, no one has called me back about my burglary",
            "no one has called me back about my burglary",
        ),
        ("my number\u2019s 07700 900123! The man came back", "The man came back"),
    ],
)
def test_the_callers_own_details_are_not_the_matter(said: str, meant: str) -> None:
    assert without_details(said) == meant


@pytest.mark.parametrize(
    "said",
    [
        "he has my number and keeps ringing me",  # no value said
        "my number plate was stolen",
        "my birthday is on Friday and my car was stolen",  # no value after it
        "my date of birth is 14",  # nothing else said: the words are kept
    ],
)
def test_words_that_give_no_detail_are_kept(said: str) -> None:
    assert without_details(said) == said
