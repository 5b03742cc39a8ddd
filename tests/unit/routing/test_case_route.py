"""Crime references heard nearly right: exact routes, one near case is confirmed with the
reference read back (never its status), several go to a person (issue 16 item 4)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ivr.decisions import Ask, Decision, Hypothesis
from ivr.routing.case_route import CONFIRM_REFERENCE, reference_to_confirm
from ivr.routing.cases import Case, CaseBook
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from tests.unit.routing.fakes import fake_bundle, person

TUESDAY_10 = datetime(2026, 11, 24, 10, 0)
CASES = [
    Case("42/18734/24", "sarah-johnson", "under investigation"),
    Case("42/55555/25", "sarah-johnson", "closed - no further action"),
    Case("42/60001/25", "sarah-johnson", "open"),
    Case("42/60002/25", "sarah-johnson", "open"),
    Case("42/1234/23", "sarah-johnson", "open"),
]


@pytest.fixture(scope="module")
def engine() -> RoutingEngine:
    return RoutingEngine(
        fake_bundle(entries=[person("sarah-johnson", "Sarah Johnson")], cases=CASES)
    )


def said(engine: RoutingEngine, *texts: str) -> Decision:
    heard = tuple(Hypothesis(t) for t in texts)
    return engine.decide(RoutingInputs(at=TUESDAY_10, hypotheses=heard))


def keyed(engine: RoutingEngine, digits: str) -> Decision:
    return engine.decide(RoutingInputs(at=TUESDAY_10, digits=digits))


def test_the_reported_call_now_reaches_the_officer(engine: RoutingEngine) -> None:
    d = said(engine, "forty two stroke one eight seven three for stroke twenty for")
    assert (d.action, d.destination, d.rule) == (
        "route",
        "directory:sarah-johnson",
        "reference-officer",
    )
    assert d.evidence["reference"] == "42/18734/24"


@pytest.mark.parametrize(
    ("text", "heard"),
    [
        ("four two stroke one eight seven three five stroke two four", "42/18735/24"),  # wrong
        ("four two one eight seven three two four", "42/1873/24"),  # a digit dropped
        ("four two stroke one eight eight seven three four stroke two four", "42/188734/24"),
        ("four two one eight three four two four", "42/1834/24"),  # another digit dropped
    ],
)
def test_one_near_case_is_confirmed_with_its_reference(
    engine: RoutingEngine, text: str, heard: str
) -> None:
    d = said(engine, text)
    assert (d.action, d.destination, d.rule) == (
        "confirm",
        "directory:sarah-johnson",
        "reference-near",
    )
    assert reference_to_confirm(d) == "42/18734/24"
    assert d.evidence["reference_heard"] == heard
    # Nothing of the case is told before the caller says it is theirs.
    assert d.message is None and not d.offers
    assert "public_status" not in d.evidence and "reference" not in d.evidence


def test_a_digit_dropped_from_a_short_reference_leaves_no_reference_but_is_near(
    engine: RoutingEngine,
) -> None:
    d = said(engine, "my reference is four two one two four two three")
    assert (d.action, d.rule, reference_to_confirm(d)) == (
        "confirm",
        "reference-near",
        "42/1234/23",
    )
    assert d.evidence["reference_heard"] == "4212423"


def test_a_near_closed_case_is_confirmed_for_the_resolution_centre(engine: RoutingEngine) -> None:
    d = said(engine, "four two stroke five five five five six stroke two five")
    assert (d.action, d.destination, d.rule) == ("confirm", "rc", "reference-near")
    assert d.candidates[0].name == "crime reference 42/55555/25"
    assert d.evidence[CONFIRM_REFERENCE] == "42/55555/25"


def test_a_keyed_reference_a_digit_from_a_case_is_never_read_back(engine: RoutingEngine) -> None:
    # Keys are exact: reading back the case a digit away would tell a caller keying
    # references in turn which exist.
    for digits in ("42*55556*25#", "42*18735*24#"):
        d = keyed(engine, digits)
        assert (d.action, d.destination, d.rule) == ("route", "switchboard", "reference-unknown")
        assert reference_to_confirm(d) is None and "near_cases" not in d.evidence


def test_another_alternative_near_a_case_is_confirmed_not_routed(engine: RoutingEngine) -> None:
    d = said(engine, "42/18735/24", "42/18734/24")
    assert (d.action, d.rule, reference_to_confirm(d)) == (
        "confirm",
        "reference-near",
        "42/18734/24",
    )


def test_two_near_cases_go_to_a_person(engine: RoutingEngine) -> None:
    d = said(engine, "four two stroke six double oh oh three stroke two five")
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "reference-unknown")
    assert d.evidence["near_cases"] == 2
    assert reference_to_confirm(d) is None


def test_far_from_every_case_is_unknown_and_ordinary_words_are_not_references(
    engine: RoutingEngine,
) -> None:
    d = said(engine, "42/99999/25")
    assert (d.destination, d.rule) == ("switchboard", "reference-unknown")
    assert "near_cases" not in d.evidence
    d = said(engine, "I want to report it for my mum")
    assert d.rule != "reference-near" and "reference" not in d.evidence


@pytest.mark.parametrize(
    "text",
    [
        "reference forty two slash the road two seven one nine slash twenty six is it court",
        "my crime number is forty account last put the thousand five hundred twenty six",
        # Its shape without the word, as Whisper writes what it half heard:
        "42 slash 2 ATX 15 slash 25",
        "40 seconds flash 28,815 25",
        "I got a prime number for the two flashed 12209 flashed 25, what's happening",
        "76-21-26 it's about my daddy's crash on the coast road",  # hyphens for strokes
        # four digits and a separator heard after the word
        "hello dear my reference and they rode do one one nine three stroke it and the lady",
    ],
)
def test_a_reference_said_and_not_heard_whole_is_asked_for_on_the_keypad(
    engine: RoutingEngine, text: str
) -> None:
    d = said(engine, text)
    assert (d.action, d.rule, d.ask) == ("reprompt", "reference-unread", Ask.REFERENCE)
    assert d.message == "ask_reference"


@pytest.mark.parametrize(
    "text",
    [
        "I want an update, with reference to the break in at 42 High Street",
        "I've lost my crime reference number, can you help",
        "the ref at the match on the 21st was useless",
        "I live at flat 12 slash 3 and my phone is 07700 900123",
        "my car was broken into on 12/10/2024 outside the house",
        "someone keyed my car on 24/7/2024, reg AB12 CDE",
        "it happened on 12-10-24 on the coast road, my car was damaged",  # a date
        "my number is 0161-496-0000, somebody damaged my car",  # a phone number
        "I want an update, with reference to flat 12/3 on the High Street",
    ],
)
def test_a_reference_word_or_slash_without_a_reference_is_not_asked_about(
    engine: RoutingEngine, text: str
) -> None:
    assert said(engine, text).rule != "reference-unread"


def test_near_measures_digits_wrong_dropped_and_doubled() -> None:
    book = CaseBook(CASES)
    assert [c.reference for c in book.near(["42/18734/24"])] == ["42/18734/24"]
    assert [c.reference for c in book.near(["421873425"])] == ["42/18734/24"]
    assert [c.reference for c in book.near(["42187324"])] == ["42/18734/24"]
    assert [c.reference for c in book.near(["4218873424"])] == ["42/18734/24"]
    assert [c.reference for c in book.near(["426000325"])] == ["42/60001/25", "42/60002/25"]
    assert book.near(["42/99999/25", "", "nonsense"]) == []
    # two edits away is not near
    assert book.near(["421873535"]) == []


def test_a_reference_said_with_another_force_or_year_is_not_near() -> None:
    # "41/..." is another force's reference and "/25" another year's case, not a digit
    # misheard in ours: a person checks it. Bare digits (a recogniser's run) still are.
    book = CaseBook(CASES)
    assert book.near(["41/18734/24"]) == []
    assert book.near(["42/18734/25"]) == []
    assert [c.reference for c in book.near(["42/18784/24"])] == ["42/18734/24"]
    assert [c.reference for c in book.near(["421873425"])] == ["42/18734/24"]


def test_holding_finds_a_force_and_serial_said_whole_inside_a_longer_run() -> None:
    # "766-10482-266": Whisper's digits for "seven six stroke one oh four eight two
    # stroke two six", two edits from the case and a reference of the wrong shape.
    book = CaseBook(CASES)
    assert [c.reference for c in book.holding(["42/6187342/44"])] == ["42/18734/24"]
    assert [c.reference for c in book.holding(["4218734244"])] == ["42/18734/24"]
    # Another force's code first, or a short serial inside a long number: not held.
    assert book.holding(["4118734244"]) == []
    assert book.holding(["4212345678"]) == []  # 42/1234/23's four digits are anywhere
    # The very serial said whole with another year is another year's case.
    assert book.holding(["42/18734/25"]) == []


def test_a_serial_heard_whole_inside_extra_digits_is_confirmed(engine: RoutingEngine) -> None:
    d = said(engine, "Any news on my crime, the reference to 426-18734-244?")
    assert (d.action, d.destination, d.rule) == (
        "confirm",
        "directory:sarah-johnson",
        "reference-near",
    )
    assert reference_to_confirm(d) == "42/18734/24"
    assert "said whole inside" in d.reason
    # Single digits spelled with hyphens are one group, and a correction replaces its tail.
    d = said(engine, "4-2, stroke 1-8-7-5-5, no, 3-4, stroke 2-4.")
    assert (d.action, d.destination) == ("route", "directory:sarah-johnson"), d.reason
