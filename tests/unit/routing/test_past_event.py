"""A crime said to be over is offered as a report first (ivr.routing.past_event)."""

from __future__ import annotations

from ivr.decisions import FCR, ONLINE, RC, Hypothesis
from ivr.routing.intents import IntentMatch
from ivr.routing.past_event import PastEvent

FLOOR, MARGIN = 0.32, 0.08  # the shipped rules' intent floor and margin


def scored(intent: str, destination: str, score: float) -> IntentMatch:
    return IntentMatch(intent, destination, score, example="", matched="")


INCIDENT, REPORT = scored("incident", FCR, 0.53), scored("report_crime", RC, 0.50)


def first(text: str, *matches: IntentMatch) -> tuple[str, str | None]:
    moved, why = PastEvent().first(matches, (Hypothesis(text),), FLOOR, MARGIN)
    return moved[0].intent, why


def test_an_event_put_in_the_past_offers_the_crime_report_before_the_incident() -> None:
    text = "the lads next door smashed my shed window on Sunday"
    assert first(text, INCIDENT, REPORT) == ("report_crime", "on sunday")
    assert first("they kicked my fence in last night", INCIDENT, REPORT)[0] == "report_crime"


def test_a_time_the_caller_was_away_puts_the_event_in_the_past() -> None:
    for text, why in (
        ("someone's been in our static over the winter, the door's forced", "over the winter"),
        ("we were burgled while we were away, the telly's gone", "while we were away"),
        ("they stripped the pipes out while the cottage was empty", "while the cottage was empty"),
    ):
        assert first(text, INCIDENT, REPORT) == ("report_crime", why)


def test_anything_said_to_be_happening_now_keeps_the_incident_first() -> None:
    for text in (
        "they smashed my shed window on Sunday and they're still out there",
        "it started yesterday and it's going on right now",
        "someone untied the boats overnight and they're drifting across the canal",
    ):
        assert first(text, INCIDENT, REPORT) == ("incident", None)


def test_a_crime_told_as_a_habit_offers_the_crime_report_first() -> None:
    for text in (
        "someone's been taking the milk off my doorstep for weeks now",
        "somebody keeps taking logs from my log store, it's happened three times now",
        "someone keeps ringing me at night and breathing, it's been happening for weeks",
    ):
        assert first(text, INCIDENT, REPORT)[0] == "report_crime", text
    # ... unless something is said to be going on now beside it
    going = "they keep nicking from the shed, they're in there right now"
    assert first(going, INCIDENT, REPORT) == ("incident", None)


def test_a_plan_or_a_thing_missing_is_not_happening_now() -> None:
    assert first("they smashed my window on Sunday and they're going to pay", INCIDENT, REPORT)[1]
    assert first("my bike was taken on Sunday, it's missing", INCIDENT, REPORT)[0] == "report_crime"


def test_with_no_time_said_or_no_tie_the_order_stands() -> None:
    assert first("the lads next door smashed my shed window", INCIDENT, REPORT)[1] is None
    far = scored("report_crime", RC, 0.40)  # 0.13 behind: no choice was to be offered
    assert first("my shed window was smashed", INCIDENT, far)[1] is None
    # ... a day gone by lets it be twice the margin behind, not more
    further = scored("report_crime", RC, 0.36)  # 0.17 behind
    assert first("my shed window was smashed on Sunday", INCIDENT, far)[1] == "on sunday"
    assert first("my shed window was smashed on Sunday", INCIDENT, further)[1] is None
    # ... nor is a state that began a day gone by an event over ("since yesterday")
    since = "a man has been sat in a car in the lay-by since yesterday morning"
    assert first(since, INCIDENT, far)[1] is None
    weak = (scored("incident", FCR, 0.35), scored("report_crime", RC, 0.30))  # under the floor
    assert first("my shed window was smashed on Sunday", *weak)[1] is None
    someone = scored("switchboard", "switchboard", 0.52)  # only a report is its rival here
    assert first("my shed window was smashed on Sunday", INCIDENT, someone)[1] is None


def test_a_report_on_the_website_is_offered_first_as_a_crime_report_is() -> None:
    # "did a runner without paying yesterday, I just want it logged": the online report.
    link = scored("online", ONLINE, 0.52)
    assert first("someone did a runner without paying yesterday", INCIDENT, link) == (
        "online",
        "yesterday",
    )


def test_a_day_gone_by_with_the_offender_gone_offers_a_report_further_behind_first() -> None:
    # "It's gone now" is no deed going on now, and a day gone by with nobody left there
    # lets a report three times the usual margin behind lead.
    behind = scored("report_crime", RC, 0.33)  # 0.20 behind the incident
    for text in (
        "someone was flying a drone over my back garden yesterday, it's gone now",
        "there were kids on motorbikes on the rec last night, they've gone now",
        # ... with which way they went
        "kids threw stones at my boat yesterday afternoon. They ran off over the fields.",
        # ... or before anyone could stop them
        "kids threw fireworks at my windows last night, they ran off before I got out.",
    ):
        assert first(text, INCIDENT, behind)[0] == "report_crime", text
    # ... not when it was the last hour, or they are not said to be gone
    hour = "kids on motorbikes on the rec an hour ago, they've gone"
    assert first(hour, INCIDENT, behind)[1] is None
    assert first("kids on motorbikes on the rec last night", INCIDENT, behind)[1] is None
    # ... nor when the going is not the clause's end, or is going out or away: who was
    # left, where they went, or what is still there is the point
    for text in (
        "my neighbours left their kids home alone last night and they've gone out now again",
        "the youths who threatened me last night have all gone now but one is in my shed",
        "my ex took the kids on sunday. he's gone away now.",
        "the noise started yesterday, it's gone quiet now",
    ):
        assert first(text, INCIDENT, behind)[1] is None, text
    # ... and never further than that
    far = scored("report_crime", RC, 0.32)
    far_ahead = scored("incident", FCR, 0.58)  # 0.26 ahead
    assert first("a drone over my garden yesterday, it's gone now", far_ahead, far)[1] is None
