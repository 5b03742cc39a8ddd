"""A unit asked for by name that the directory lacks (ivr.routing.units): a person knows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import SWITCHBOARD, Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService
from ivr.routing.units import UnlistedUnit

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
OWN = [
    DirectoryEntry(
        "rural-crime-unit", "department", "Rural and Wildlife Crime Unit", teams=("Rural Crime",)
    ),
    DirectoryEntry("marine-unit", "department", "Marine Policing Unit"),
    DirectoryEntry("amy-ward", "person", "Amy Ward", surname="Ward", team="Dog Handlers"),
]


@pytest.fixture(scope="module")
def units() -> UnlistedUnit:
    return UnlistedUnit(OWN)


def asked(units: UnlistedUnit, text: str) -> str | None:
    found = units.asked((Hypothesis(text),))
    return found.name if found is not None else None


@pytest.mark.parametrize(
    ("said", "unit"),
    [
        ("the hate crime unit, please", "hate crime unit"),
        ("um, hello, cyber crime unit", "cyber crime unit"),
        ("can you put me through to the mounted section", "mounted section"),
        ("I want the fraud squad", "fraud squad"),
        ("mounted police please", "mounted police"),
        ("is this British Transport Police? my bag went on the train", "british transport police"),
        ("Civil Nuclear Constabulary at the works, please", "civil nuclear constabulary"),
        # named without a word like "unit"
        ("scenes of crime, please, the lady who came to dust for prints", "scenes of crime"),
        ("I'd like to talk to the coroner's officer about the inquest", "coroners officer"),
        ("I want to speak to the Chief Constable", "chief constable"),
        # bodies beside the police
        (
            "I'd like to speak to the Police and Crime Commissioner's office, please.",
            "police and crime commissioners",
        ),
        ("Is this Crimestoppers?", "crimestoppers"),
        ("Is that Victim Support? I was given this number for them.", "victim support"),
        # a local team told by a place the directory has no team for
        ("Can I have the Southcliffe neighbourhood team please?", "southcliffe neighbourhood team"),
        # bodies that are not the police at all, asked for and nothing else said
        ("Can I speak to the community council please", "community council"),
        ("Is this the number for the coastguard?", "coastguard"),
        ("Can you give me the number for the RSPCA?", "rspca"),
        ("hello? is this the council?", "council"),
        ("trading standards please", "trading standards"),
    ],
)
def test_a_unit_the_directory_lacks_is_named(units: UnlistedUnit, said: str, unit: str) -> None:
    assert asked(units, said) == unit


@pytest.mark.parametrize(
    "said",
    [
        "the rural crime team please, hare coursers again",  # a word of a listed team
        "the marines unit please",  # near a listed unit's word: the recogniser's spelling
        "the dog unit please",  # a person's team: the matcher finds its people
        "the crime team please",  # no word tells which unit
        "my son plays for the football team and his boots were stolen",  # not asked for
        "someone broke into the office at work",
        "I lost my passport, I need a paper from police for the embassy",  # the force itself
        "do I need to tell the police?",
        "where's my nearest police station",
        "I want to join the police",
        "I lost my passport and need a crime number for the passport office",  # not put through
        "the marine police please",  # a listed unit's word
        "our finance team paid a fake invoice, the bank details had been changed",  # their own
        "can I have the neighbourhood team please",  # no place said: the matcher's to ask which
        "can I have forensics come out to my car, it was broken into",  # not the request's end
        "can I have the marine unit please",  # a listed unit
        "can I have the mar ine unit please",  # a word the recogniser split ("marine")
        "I want to speak to someone about my council tax",  # a bill, not the council asked
        "I've got a parking ticket from the council and it's not fair",  # not asked for
        "the parish council noticeboard has been smashed up, I'm the clerk",  # told of
        # ... anything said beside the ask is read for what it is, danger first
        "is this the coastguard? there's someone in the water off the pier",
        "is this the council? I want to report a burglary",
        "I need social services, my ex has just taken my kids and he's drunk",
        # ... and the other emergency services are no body to pass on
        "is this the ambulance service?",
    ],
)
def test_a_listed_unit_or_no_unit_asked_is_not_named(units: UnlistedUnit, said: str) -> None:
    assert asked(units, said) is None


def test_a_body_that_is_not_the_police_is_not_a_unit_for_one_word_the_directory_has() -> None:
    # "Community Policing" has the community, not the council.
    units = UnlistedUnit([DirectoryEntry("cp", "department", "Community Policing City")])
    assert asked(units, "can I speak to the community council please") == "community council"
    assert asked(units, "can I speak to community policing please") is None


def test_a_police_asked_for_at_a_local_teams_place_is_that_team() -> None:
    # "the island police on Eadsey": the directory's local team for Eadsey, whatever the
    # caller calls it; the same words with no place, or another place, are no team here.
    units = UnlistedUnit(OWN, places=("eadsey", "wansmouth"))
    assert asked(units, "The island police on Eadsey, please.") is None
    assert asked(units, "The island police, please.") == "the island police"
    assert asked(units, "The island police on Lundy, please.") == "the island police"


@pytest.fixture(scope="module")
def shipped() -> RoutingService:
    return RoutingService(None)


def said(service: RoutingService, text: str) -> Decision:
    return service.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def test_an_unlisted_unit_goes_to_the_switchboard_not_by_the_rest_of_the_words(
    shipped: RoutingService,
) -> None:
    # The shipped force has no dogs; "dog" is near a lost-dog report otherwise.
    decision = said(shipped, "The dog section, please.")
    assert (decision.action, decision.destination, decision.rule) == (
        "route",
        SWITCHBOARD,
        "unit-not-listed",
    )
    assert decision.evidence["unit"] == "dog section"


def test_a_unit_the_directory_lists_by_another_name_is_still_found(
    shipped: RoutingService,
) -> None:
    # The shipped force has Economic Crime: "fraud" is none of its words, but its meaning.
    decision = said(shipped, "the fraud squad please")
    assert decision.rule != "unit-not-listed"
    assert decision.destination != SWITCHBOARD


def test_a_unit_another_alternative_heard_as_a_listed_one_is_not_unlisted(
    units: UnlistedUnit,
) -> None:
    # Whisper's "Fatebrime" beside PocketSphinx's "marine": the recogniser misheard.
    heard = (
        Hypothesis("Can I speak to the Fatebrime unit? It's about my mooring", 0.82),
        Hypothesis("can i speak to the marine unit it's about my mooring", 0.75),
    )
    assert units.asked(heard) is None
    assert units.asked(heard[:1]) is not None


def test_a_body_that_is_not_the_police_goes_to_the_switchboard_for_its_number(
    shipped: RoutingService,
) -> None:
    decision = said(shipped, "Is this the number for the coastguard?")
    assert (decision.destination, decision.rule) == (SWITCHBOARD, "unit-not-listed")
    assert "not the police" in decision.reason


def test_a_unit_said_as_the_councils_is_not_the_polices(shipped: RoutingService) -> None:
    # "anti-social behaviour" is an incident's words, but the council's team is the
    # council's: the operator gives its number, whatever else the caller says.
    decision = said(
        shipped,
        "Not the police, I need the council's anti-social behaviour team, I was given this number",
    )
    assert (decision.destination, decision.rule) == (SWITCHBOARD, "unit-not-listed")
    assert "not the police" in decision.reason
    # ... and a council's unit whose every telling word the force has is left to the rest
    units = UnlistedUnit([DirectoryEntry("asb", "department", "Anti-Social Behaviour Unit")])
    assert asked(units, "I need the council's anti social behaviour team") is None
    assert asked(units, "I need the council's housing team") == "councils housing team"
