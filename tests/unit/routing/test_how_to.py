"""A caller asking how or whether to report is offered the web link first
(ivr.routing.how_to)."""

from __future__ import annotations

import pytest

from ivr.decisions import FCR, ONLINE, RC, Hypothesis
from ivr.routing.how_to import HowToReport
from ivr.routing.intents import IntentMatch

FLOOR = 0.32  # the shipped rules' intent floor


def scored(intent: str, destination: str, score: float) -> IntentMatch:
    return IntentMatch(intent, destination, score, example="", matched="")


REPORT, LINK = scored("report_crime", RC, 0.54), scored("online", ONLINE, 0.45)


def first(text: str, *matches: IntentMatch) -> tuple[str, str | None]:
    moved, why = HowToReport().first(matches, (Hypothesis(text),), FLOOR)
    return moved[0].intent, why


@pytest.mark.parametrize(
    "text",
    [
        "someone clipped my wing mirror, we swapped details, do I need to report it?",
        "a car passed me far too close on my bike, how do I report it",
        "I'd like some advice on keeping my shed safe, is there anything on your website?",
        "my wallet's gone missing, I'm not saying it's stolen, I just want to log it",
        "I lost my bag in town yesterday, what should I do?",
    ],
)
def test_words_asking_how_to_report_put_the_web_link_first(text: str) -> None:
    intent, why = first(text, REPORT, LINK)
    assert intent == "online" and why, why


def test_a_crime_told_without_asking_how_keeps_the_report_first() -> None:
    told = "someone smashed my wing mirror last night"
    assert first(told, REPORT, LINK) == ("report_crime", None)


def test_only_a_web_link_heard_close_enough_to_the_report_is_moved() -> None:
    far = scored("online", ONLINE, 0.30)  # under the floor
    assert first("how do I report my shed being done", REPORT, far)[1] is None
    behind = scored("online", ONLINE, 0.35)  # 0.19 behind: no choice was near
    assert first("how do I report my shed being done", REPORT, behind)[1] is None


def test_an_incident_or_a_found_weapon_is_not_a_question_of_how_to_report() -> None:
    incident = scored("incident", FCR, 0.54)
    assert first("he's still outside, what should I do", incident, LINK)[1] is None
    found = "I found a knife in the park, what should I do with it"
    assert first(found, REPORT, LINK)[1] is None


@pytest.mark.parametrize(
    "text",
    [
        "a man rang saying he was from the bank and I had to move my money, I put the phone down",
        "I got a text saying my parcel needed a fee, I didn't click on it",
        "he said he was from HMRC and I'd be arrested, I never gave him anything",
        "the invoice had new bank details, we spotted it and didn't pay",
        "someone's hacked my email and changed the password, they haven't taken any money",
    ],
)
def test_a_scam_that_took_nothing_puts_the_web_link_first(text: str) -> None:
    intent, why = first(text, REPORT, LINK)
    assert intent == "online" and why and "nothing was lost" in why, why


@pytest.mark.parametrize(
    "text",
    [
        "they took five hundred pounds out of my account, I never gave anyone my details",
        "I didn't pay for the parcel but they've taken money out of my account",
        "someone used my card, I never gave it to anyone",
    ],
)
def test_money_taken_keeps_the_crime_report_first(text: str) -> None:
    assert first(text, REPORT, LINK) == ("report_crime", None)
