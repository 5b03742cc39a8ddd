"""A crime said to be happening now or minutes ago offers the incident first
(ivr.routing.recent_event)."""

from __future__ import annotations

import pytest

from ivr.decisions import FCR, ONLINE, RC, Hypothesis
from ivr.routing.intents import IntentMatch
from ivr.routing.recent_event import RecentEvent


def scored(intent: str, destination: str, score: float) -> IntentMatch:
    return IntentMatch(intent, destination, score, example="", matched="")


REPORT, INCIDENT = scored("report_crime", RC, 0.86), scored("incident", FCR, 0.31)


def offered(text: str, *matches: IntentMatch) -> tuple[str, str] | None:
    found = RecentEvent().incident(matches, (Hypothesis(text),))
    return None if found is None else (found[0].intent, found[1])


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("my shed's just been broken into, they went off over the fields", "just been broken"),
        ("two kids spraying graffiti on the underpass wall right now", "right now"),
        ("a car dumped in our close, windows smashed, the engine's still warm", "still warm"),
        ("my car was stolen off the drive, it was there half an hour ago", "half an hour ago"),
        ("I saw a torch in my back garden a few minutes ago", "a few minutes ago"),
        ("my doorbell camera has just shown a man going round the side of my house", "just shown"),
        ("he ran out on the bill, now he is sitting in his car outside", "now he is sitting"),
        ("the customer took the food without paying and he won't leave", "wont leave"),
        ("kids have climbed onto the church roof and they're still up there", "still up there"),
        # away, but of the caller: the event is still minutes old
        ("I'm on holiday and my car's just been stolen off the drive", "just been stolen"),
    ],
)
def test_an_event_now_or_minutes_old_offers_the_incident_before_the_report(
    text: str, when: str
) -> None:
    assert offered(text, REPORT, INCIDENT) == ("incident", when)


@pytest.mark.parametrize(
    "text",
    [
        "my bike was stolen yesterday, I saw them a few minutes before it went",  # over
        "someone used my card online, the bank said I should still report it",  # not the event
        "I've only just noticed my number plates have gone",  # found now, done long ago
        "they broke my car window this morning, nobody is still there",  # said to be gone
        "my e-scooter got nicked from outside college, like an hour ago",  # an hour is over
        "my shed was broken into",  # no time said
        # where the one who did it is, not when: "at the moment" of his stay abroad
        "my ex texted he'll smash my face in, he's working in Spain at the moment",
        "he threatened me last year, he's in prison at the moment",
    ],
)
def test_an_event_over_or_with_no_time_said_keeps_the_report(text: str) -> None:
    assert offered(text, REPORT, INCIDENT) is None


def test_only_a_leading_crime_report_with_an_incident_behind_it_moves() -> None:
    text = "someone's breaking into cars on our road right now"
    assert offered(text, INCIDENT, REPORT) is None  # the incident leads already
    link = scored("online", ONLINE, 0.9)
    assert offered(text, link, REPORT, INCIDENT) is None  # a link leads: not this module's
    assert offered(text, REPORT) is None  # no incident to offer
