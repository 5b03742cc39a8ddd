"""Another force's area (ivr.routing.elsewhere): a person transfers what is theirs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.elsewhere import OtherForceArea, shipped_places
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
OWN = [
    DirectoryEntry("leeds-npt", "department", "Leeds North Neighbourhood Team"),
    DirectoryEntry("ann-york", "person", "Ann York", surname="York", team="Leeds North"),
]


@pytest.fixture(scope="module")
def area() -> OtherForceArea:
    return OtherForceArea(OWN)


@pytest.fixture(scope="module")
def shipped() -> RoutingService:
    return RoutingService(None)


def said(service: RoutingService, text: str) -> Decision:
    return service.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def named(area: OtherForceArea, text: str) -> str | None:
    return area.named((Hypothesis(text),))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("I want to report a burglary at my flat in Bristol", "bristol"),
        ("something happened in Croydon last week when I was visiting", "croydon"),
        ("im in birmingham wiv my cousin n sum1 nicked my bag", "birmingham"),
        ("is this the Durham police? I think I rang the wrong one", "durham"),
        ("I live in Hull and my car was stolen from outside my house there", "hull"),
        ("I'm in Middlesbrough, is this the right police?", "middlesbrough"),
        ("a break in at my holiday flat in Cornwall, it happened down there", "cornwall"),
        # the force it was reported to: theirs to update
        ("I reported my car stolen to the Met when I was down in London", "the met"),
        ("I reported it to Greater Manchester police last week", "greater manchester"),
        ("I've a reference from Police Scotland for a theft on the ferry", "police scotland"),
        # over the border, for the forces beside it
        ("I'm in Dundalk and my car's been stolen from outside the house here", "dundalk"),
        ("Is this the Garda station in Letterkenny?", "letterkenny"),
        # the deed across the water: there, not here
        ("we got robbed across in Salford on Saturday night", "salford"),
        ("my car was broken into across in Liverpool last night", "liverpool"),
        # where the caller rings from, when the matter is theirs there
        ("I'm calling from Plymouth, somebody's stolen my car off my street here", "plymouth"),
    ],
)
def test_a_place_where_it_happened_or_a_force_asked_for_is_named(
    area: OtherForceArea, text: str, place: str
) -> None:
    assert named(area, text) == place


@pytest.mark.parametrize(
    "text",
    [
        "my ex keeps texting that he'll kill me, he lives up in Manchester now",
        "he's moved to Bristol but he keeps messaging me",
        "someone broke in while we were in Blackpool for the weekend",
        "someone took the panel off my caravan up here while I was back home in Galway",
        "my mum's not answering, she lives here and I'm up in Glasgow",
        # across the water, from an island force
        "my ex texts that he'll kill me but he lives across in Liverpool, he's not here",
        "my dad's not answered since yesterday and I'm across in Manchester so I can't look",
        "there's a fight outside the pub on London Road",
        "my car was damaged in the car park of the Durham Arms",
        "I keep getting parking fines from Bristol and I've never been there",
        "my ex keeps writing to me, he's in Durham prison at the moment",  # where he is held
        # where the caller is, worried about someone here
        "my brother's not answered in three days, I'm in Hull and he lives in Saltmouth",
        "my nan's got dementia and isn't answering, I live in Hull and can't get there",
        "I live in Hull and my dad lives in Saltmouth on his own, he's not picked up since monday",
        "I'm calling from Leeds, my mum lives in Saltmouth and she's not answered for two days",
        "I'm in Donegal at the minute but my house is in Saltmouth and the door's wide open",
        # someone else's whereabouts, the matter here
        "the owners are in Bristol and I look after the house, someone's taken their bench",
        "they are in Durham this week so I'm feeding their cat, and the shed's been done",
        # a university that shares a force's name (Cardiff Met, Manchester Met)
        "I'm a student at the Met and my landlord has taken some of my stuff",
        "I'm in second year at the Met, can I register my bike frame number",
    ],
)
def test_where_someone_lives_or_went_or_a_street_name_is_not_another_area(
    area: OtherForceArea, text: str
) -> None:
    assert named(area, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "someone's been using my bank card, there's payments in Birmingham",
        "there are transactions in London I never made, all from my account",
        "someone has cloned my card and bought things in London, the bank refunded me",
    ],
)
def test_where_stolen_money_was_spent_is_not_where_the_fraud_is_recorded(
    area: OtherForceArea, text: str
) -> None:
    assert named(area, text) is None
    assert named(area, "is this the Durham police? it's about payments on my card") == "durham"


def test_where_a_letter_or_a_call_came_from_is_not_where_the_matter_is(
    area: OtherForceArea,
) -> None:
    said = "someone took out a loan in my name, I've had a letter from a company in Bristol"
    assert named(area, said) is None
    assert named(area, "I had a call from a bank in Manchester, my account's hacked") is None
    said = "I had a letter from the council, my car was stolen in Bristol"
    assert named(area, said) == "bristol"


def test_where_a_stolen_thing_is_for_sale_is_not_where_it_was_stolen(
    area: OtherForceArea,
) -> None:
    said = "my trailer was stolen out of the yard and now it's up for sale on DoneDeal in Monaghan"
    assert named(area, said) is None
    assert named(area, "my bike's being sold on facebook marketplace in Bristol") is None
    assert named(area, "my trailer was stolen in Bristol and it's up for sale") == "bristol"


def test_a_place_the_force_s_own_directory_names_is_its_own(area: OtherForceArea) -> None:
    assert "leeds" in shipped_places() and "york" in shipped_places()
    assert named(area, "my shed was broken into in Leeds") is None  # a team of its own
    assert named(area, "someone keyed my car in York") is None  # a name in the directory
    assert named(area, "someone keyed my car in Hull") == "hull"


def test_a_crime_report_in_another_area_goes_to_a_person_with_the_reason(
    shipped: RoutingService,
) -> None:
    decision = said(shipped, "someone stole my bike outside my mate's house in Sheffield yesterday")
    assert (decision.action, decision.destination) == ("route", "switchboard")
    assert decision.rule == "other-force-area"
    assert decision.evidence["other_area"] == "sheffield"
    assert "another force's area" in decision.reason


def test_an_emergency_elsewhere_is_still_999_handling(shipped: RoutingService) -> None:
    decision = said(shipped, "my sister's been stabbed in Leeds and is bleeding")
    assert decision.destination == "emergency"


def test_a_department_offered_only_for_what_the_words_mean_is_moved_too(
    shipped: RoutingService,
) -> None:
    # Found by meaning, not asked for by name: another force's matter, like an intent's.
    decision = said(shipped, "the police in Leeds took my phone as evidence and I want it back")
    assert (decision.action, decision.destination) == ("route", "switchboard"), decision.reason
    assert decision.evidence["other_area"] == "leeds"
    # A department asked for by name is who the caller wants, wherever they are.
    decision = said(shipped, "firearms licensing please, I've moved here from Leeds")
    assert decision.destination == "directory:firearms-licensing", decision.reason


def test_an_update_on_a_report_made_to_another_force_goes_to_a_person(
    shipped: RoutingService,
) -> None:
    decision = said(shipped, "I reported my car stolen to the Met, what's happening with it?")
    assert (decision.destination, decision.rule) == ("switchboard", "other-force-area")
