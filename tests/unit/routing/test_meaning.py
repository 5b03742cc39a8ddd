"""Intents and departments by meaning, on the shipped ruleset and the packaged model.

The sentences here are written for these tests (never taken from a held-out set):
phrasings that share no content word with any example of their intent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.departments import DepartmentMeaning
from ivr.routing.engine import RoutingEngine
from ivr.routing.intents import IntentMatcher
from ivr.routing.meaning import MEANING_CALIBRATION
from ivr.routing.model import RoutingInputs
from ivr.shipped import ROUTING_RULES

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(scope="module")
def bundle() -> RoutingBundle:
    return load_bundle(None)


def say(text: str, confidence: float = 1.0) -> RoutingInputs:
    return RoutingInputs(at=TUESDAY_10, hypotheses=(Hypothesis(text, confidence),))


def test_the_shipped_ruleset_matches_by_meaning(bundle: RoutingBundle) -> None:
    assert isinstance(bundle.intents, IntentMatcher) and bundle.intents.meaning is not None
    assert "intents matched by meaning" in bundle.summary()


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("some toerag had the catalytic converter off my motor overnight", "report_crime"),
        ("a bloke conned my nan out of her savings with a fake bank call", "report_crime"),
        ("there are youths setting off fireworks at the bus shelter as we speak", "incident"),
        ("I've mislaid my purse on the number 12", "online"),
    ],
)
def test_phrasings_never_given_as_examples_find_their_intent(
    bundle: RoutingBundle, text: str, intent: str
) -> None:
    best = bundle.intents.match([Hypothesis(text)])[0]
    assert best.intent == intent


def test_the_decision_names_the_nearest_example_and_its_meaning_score(
    bundle: RoutingBundle,
) -> None:
    decision = RoutingEngine(bundle).decide(say("someone pinched my pushbike from the station"))
    assert decision.intent == "report_crime" and decision.destination == "rc"
    assert "(meaning 0." in decision.reason and " ~ '" in decision.reason
    matcher = bundle.intents
    assert isinstance(matcher, IntentMatcher)
    match = matcher.match([Hypothesis("someone pinched my pushbike from the station")])[0]
    intent = matcher.get("report_crime")
    assert intent is not None and match.semantic is not None and match.example in intent.examples


def test_a_correct_transcript_heard_with_low_confidence_is_not_reprompted(
    bundle: RoutingBundle,
) -> None:
    # Speech confidence used to multiply intent scores under the cut-off.
    engine = RoutingEngine(bundle)
    sure = engine.decide(say("I want to report that my shed was broken into last week"))
    unsure = engine.decide(say("I want to report that my shed was broken into last week", 0.45))
    assert sure.destination == unsure.destination == "rc"
    assert unsure.action in ("route", "confirm")


def _engine_with(tmp_path: Path, thresholds: str) -> RoutingEngine:
    (tmp_path / "rules.yaml").write_text(f"thresholds: {{{thresholds}}}\nrules: []\n")
    return RoutingEngine(load_bundle(tmp_path))


def test_an_unsure_intent_is_confirmed_not_routed(tmp_path: Path) -> None:
    engine = _engine_with(tmp_path, "intent: 0.05, intent_route: 0.99, intent_margin: 0.0")
    decision = engine.decide(say("my bike got nicked from the station"))
    assert (decision.action, decision.rule, decision.destination) == (
        "confirm",
        "intent-confirm",
        "rc",
    )
    assert decision.candidates[0].destination == "rc"


def test_two_close_intents_are_offered_as_a_choice(tmp_path: Path) -> None:
    engine = _engine_with(tmp_path, "intent: 0.01, intent_route: 0.99, intent_margin: 0.5")
    decision = engine.decide(say("something has happened to my car"))
    assert (decision.action, decision.rule) == ("disambiguate", "intent-disambiguate")
    first, second = decision.evidence["choices"]
    assert first == "rc" and second not in ("rc", "emergency")
    assert [c.destination for c in decision.candidates[:2]] == [first, second]


def test_a_department_is_found_by_what_the_caller_needs(bundle: RoutingBundle) -> None:
    assert bundle.departments is not None
    found = bundle.departments.match([Hypothesis("my shotgun certificate runs out next month")])
    assert found and found[0].destination == "directory:firearms-licensing"
    assert found[0].evidence.startswith("meaning ~ ")


@pytest.mark.parametrize(
    ("said", "department"),
    [
        ("I'm delivering tyres to your vehicle workshop", "Fleet and Vehicle Workshop"),
        ("the team for young people who keep going missing from care", "Missing Persons Unit"),
        ("whoever deals with gangmasters exploiting workers", "Modern Slavery Team"),
    ],
)
def test_a_department_of_a_shipped_kind_is_found_by_what_it_does(
    bundle: RoutingBundle, said: str, department: str
) -> None:
    # A force's own department names, close to the shipped kinds' (department_kinds.yaml).
    names = ("Fleet and Vehicle Workshop", "Missing Persons Unit", "Modern Slavery Team")
    entries = [DirectoryEntry(n.lower().replace(" ", "-"), "department", n) for n in names]
    found = _meaning_of(bundle, entries).match([Hypothesis(said)])
    assert found and found[0].name == department, found


def _meaning_of(bundle: RoutingBundle, entries: list[DirectoryEntry]) -> DepartmentMeaning:
    assert isinstance(bundle.intents, IntentMatcher) and bundle.intents.meaning is not None
    return DepartmentMeaning(bundle.intents.meaning.encoder, entries)


def test_a_kind_a_departments_team_names_is_its_too(bundle: RoutingBundle) -> None:
    # Collision investigators inside the Roads Policing Unit: its team says so, though
    # "roads policing" is closer still to its name.
    roads = DirectoryEntry(
        "roads", "department", "Roads Policing Unit", teams=("Serious Collision Investigation",)
    )
    said = "my dad died in that crash on the bypass and I need the collision investigators"
    found = _meaning_of(bundle, [roads]).match([Hypothesis(said)])
    assert found and "(collision investigation)" in found[0].evidence, found


def test_a_kind_another_department_says_far_better_is_that_ones(bundle: RoutingBundle) -> None:
    cyber = DirectoryEntry("cyber", "department", "Cyber Crime Unit", teams=("Cyber Crime",))
    socu = DirectoryEntry(
        "socu",
        "department",
        "Serious and Organised Crime Unit",
        aliases=("SOCU", "Drugs Squad"),
        teams=("Organised Crime", "Drugs"),
    )
    said = "someone's got into my email and my social media and locked me out"
    found = _meaning_of(bundle, [cyber, socu]).match([Hypothesis(said)])
    assert [c.destination for c in found] == ["directory:cyber"], found


NEIGHBOURHOOD_TEAMS = (
    # the shipped rules name this one
    "- {id: firearms-licensing, kind: department, name: Firearms Licensing, extension: '4100'}\n"
    "- {id: npt-city, kind: department, name: City Centre Neighbourhood Policing Team,"
    " extension: '3000'}\n"
    "- {id: npt-hills, kind: department, name: Haywold Hills Neighbourhood Team,"
    " extension: '3050'}\n"
    "- {id: npt-castle, kind: department, name: Castlemoor Neighbourhood Team,"
    " extension: '3100'}\n"
    "- {id: prison, kind: department, name: Prison Liaison Team, aliases: [Prison Police Team],"
    " extension: '3300'}\n"
)


def test_a_kind_is_read_by_any_name_it_goes_by(bundle: RoutingBundle, tmp_path: Path) -> None:
    # "Neighbourhood Team" is the neighbourhood policing kind by its other name
    # (department_kinds.yaml names:), however far a place name puts it from "policing".
    (tmp_path / "directory.yaml").write_text("entries:\n" + NEIGHBOURHOOD_TEAMS)
    meaning = load_bundle(tmp_path).departments
    assert meaning is not None
    found = meaning.match([Hypothesis("I want to talk to my local neighbourhood team")], limit=5)
    assert {c.destination for c in found} == {
        "directory:npt-city",
        "directory:npt-hills",
        "directory:npt-castle",
    }, found


def test_of_departments_tied_on_a_kinds_meaning_the_one_named_too_is_offered(
    tmp_path: Path,
) -> None:
    (tmp_path / "directory.yaml").write_text("entries:\n" + NEIGHBOURHOOD_TEAMS)
    engine = RoutingEngine(load_bundle(tmp_path))
    said = "I'd like to speak to the local officers for the villages up in the Haywold hills"
    decision = engine.decide(say(said))
    assert (decision.action, decision.destination) == ("confirm", "directory:npt-hills"), (
        decision.reason
    )
    assert "its name said too" in decision.candidates[0].evidence


def test_a_local_team_whose_place_is_said_is_offered_ahead_of_the_kinds_others(
    tmp_path: Path,
) -> None:
    # Its own name puts it a little ahead of the other local teams, which "the local
    # bobbies" match as well: too little to choose it, so the place said tells.
    (tmp_path / "directory.yaml").write_text("entries:\n" + NEIGHBOURHOOD_TEAMS)
    engine = RoutingEngine(load_bundle(tmp_path))
    decision = engine.decide(say("the local bobbies in Castlemoor"))
    assert (decision.action, decision.destination) == ("confirm", "directory:npt-castle"), (
        decision.reason
    )


CUSTODY_SUITES = (
    "- {id: firearms-licensing, kind: department, name: Firearms Licensing, extension: '4100'}\n"
    "- {id: custody-sandhaven, kind: department, name: Sandhaven Custody Suite,"
    " aliases: [Sandhaven Cells], extension: '3300'}\n"
    "- {id: custody-lunsford, kind: department, name: Lunsford Custody Suite,"
    " aliases: [Lunsford Cells], extension: '3400'}\n"
    "- {id: custody-brier, kind: department, name: Brierclough Custody Suite,"
    " aliases: [Brierclough Cells], extension: '3500'}\n"
)


def test_of_departments_tied_on_a_kinds_meaning_the_one_whose_own_word_is_said_is_offered(
    tmp_path: Path,
) -> None:
    # In a long sentence the name scores nothing by words; the place is still said.
    (tmp_path / "directory.yaml").write_text("entries:\n" + CUSTODY_SUITES)
    engine = RoutingEngine(load_bundle(tmp_path))
    said = "my brother's been taken to the cells at Lunsford last night and we want to know"
    said += " if he's getting bail or if he has to stay in until court on monday"
    decision = engine.decide(say(said))
    assert decision.candidates[0].destination == "directory:custody-lunsford", decision.reason
    assert "'lunsford' said" in decision.candidates[0].evidence
    # ... and with no place said, none is put first.
    decision = engine.decide(say("my brother's been taken to the cells, is he getting bail"))
    assert "said" not in decision.candidates[0].evidence, decision.reason


BEAT_TEAMS = (
    "- {id: firearms-licensing, kind: department, name: Firearms Licensing, extension: '4100'}\n"
    "- {id: snt-city, kind: department, name: Derwentford City Centre Neighbourhood Team,"
    " aliases: [City Centre SNT, City Centre Beat Team], extension: '3600'}\n"
    "- {id: snt-bolsby, kind: department, name: Bolsby and Thornley Neighbourhood Team,"
    " aliases: [Bolsby SNT, Coalfield Neighbourhood Team], extension: '3650'}\n"
    "- {id: snt-peak, kind: department, name: Peak Villages Neighbourhood Team,"
    " aliases: [Peak SNT, Dales Team], extension: '3700'}\n"
)


def test_of_tied_local_teams_half_named_by_the_kinds_words_the_place_said_is_offered(
    tmp_path: Path,
) -> None:
    # "beat team" is in one team's alias, "Thornley" in another's name: any local team is
    # a beat team, so the place tells which.
    (tmp_path / "directory.yaml").write_text("entries:\n" + BEAT_TEAMS)
    engine = RoutingEngine(load_bundle(tmp_path))
    said = "I'd like to speak to the local bobbies for Thornley Main, the beat team."
    decision = engine.decide(say(said))
    assert (decision.action, decision.destination) == ("confirm", "directory:snt-bolsby"), (
        decision.reason
    )
    assert "'thornley' said" in decision.candidates[0].evidence


def test_a_temporary_event_notice_is_licensing(bundle: RoutingBundle) -> None:
    entries = [
        DirectoryEntry("pubs", "department", "Alcohol and Entertainment Licensing"),
        DirectoryEntry("guns", "department", "Firearms Licensing Unit"),
    ]
    said = "we're putting a bar on at the village fete and need a temporary event notice"
    found = _meaning_of(bundle, entries).match([Hypothesis(said)])
    assert found and found[0].destination == "directory:pubs", found


def test_words_with_no_department_meaning_give_no_department(bundle: RoutingBundle) -> None:
    assert bundle.departments is not None
    assert bundle.departments.match([Hypothesis("the weather is lovely today")]) == []


@pytest.mark.parametrize("said", ["Police.", "hello, police please", "police"])
def test_words_that_say_only_police_name_no_department(bundle: RoutingBundle, said: str) -> None:
    # The model reads "Police." as near "Roads Policing Unit": the caller named nothing.
    assert bundle.departments is not None
    assert bundle.departments.match([Hypothesis(said)]) == []


@pytest.mark.parametrize(
    ("text", "destination"),
    [
        # a named person, not "someone": the switchboard intent does not take it
        ("can I speak to Inspector Jones", "directory:gareth-jones"),
        ("could I speak to Sergeant Priya Patel please", "directory:priya-patel"),
        # a department's alias does not: the intent is the stronger evidence
        ("I want to report a crime", "rc"),
        ("lost property", "online"),
    ],
)
def test_names_and_intents_weigh_as_a_caller_means_them(
    bundle: RoutingBundle, text: str, destination: str
) -> None:
    decision = RoutingEngine(bundle).decide(say(text))
    offered = decision.destination or (
        decision.candidates[0].destination if decision.candidates else None
    )
    assert offered == destination, decision.reason


class _FailingAtRunTime:
    """The real model for anchors at build time; out of memory for a caller's words."""

    def __init__(self) -> None:
        from ivr.embedding.encoder import shared_encoder

        self._real = shared_encoder()
        self.identity, self.dimension = self._real.identity, self._real.dimension

    def encode_anchors(self, texts: Sequence[str]) -> Any:
        return self._real.encode_anchors(texts)

    def fit_kept(self, key: str, length: int, fit: Any) -> Any:
        return self._real.fit_kept(key, length, fit)

    def encode(self, texts: Sequence[str]) -> Any:
        raise MemoryError("no room for a caller's words")


def test_a_model_failing_mid_call_steps_down_to_words(caplog: pytest.LogCaptureFixture) -> None:
    matcher = IntentMatcher.load(ROUTING_RULES / "intents.yaml", _FailingAtRunTime())
    with caplog.at_level(logging.ERROR):
        best = matcher.match([Hypothesis("my bike was stolen from the station")])[0]
    assert best.intent == "report_crime" and best.semantic is None
    assert "matched by words only" in caplog.text


def test_no_number_is_evidence() -> None:
    assert MEANING_CALIBRATION.probability(float("nan"), 1.0, 1.0, 1.0) == 0.0
    assert MEANING_CALIBRATION.probability(0.9, 1.0, 1.0, float("inf")) == 0.0


def test_words_that_mean_an_emergency_without_a_cue_are_asked_about_first(
    bundle: RoutingBundle,
) -> None:
    said = "my mum has swallowed a whole packet of paracetamol"
    decision = RoutingEngine(bundle).decide(say(said))
    assert decision.is_danger_check and decision.evidence["raised_by"] == "danger-meaning"
    assert "nearest emergency example" in decision.reason
    # No: ordinary routing's decision, made in the same step.
    assert decision.otherwise is not None and decision.otherwise.destination != "emergency"
    no = decision.answered(False, "key 2")
    assert no.destination == decision.otherwise.destination
    assert no.reason.startswith("nobody in danger now (key 2)")
    yes = decision.answered(True, "key 9")
    assert (yes.action, yes.destination, yes.message) == ("route", "emergency", "emergency_advice")


def test_a_department_by_meaning_alone_is_asked_about_never_put_through(
    bundle: RoutingBundle,
) -> None:
    decision = RoutingEngine(bundle).decide(say("my shotgun certificate runs out next month"))
    assert decision.action == "confirm"
    assert decision.candidates[0].destination == "directory:firearms-licensing"


def test_the_decision_carries_the_intent_evidence(bundle: RoutingBundle) -> None:
    decision = RoutingEngine(bundle).decide(say("someone pinched my pushbike from the station"))
    evidence = decision.evidence["intent_evidence"]
    assert evidence["intent"] == "report_crime" and evidence["example"]
    assert {"semantic", "fuzzy", "keyword", "margin"} <= set(evidence)


@pytest.mark.parametrize(
    "text",
    [
        "there's a man in the kitchen I've never seen before and he's going through the drawers",
        "my sister's fella has locked her in the shed and he's got the key",
        "the lads next door have got a man on the floor and they're jumping on him",
    ],
)
def test_an_emergency_told_without_a_cue_word_is_asked_about_at_once(
    bundle: RoutingBundle, text: str
) -> None:
    assert bundle.intents.emergency_cue([Hypothesis(text)]) is None  # no cue: meaning only
    decision = RoutingEngine(bundle).decide(say(text))
    assert decision.is_danger_check, decision.reason
    assert "may mean danger" in decision.reason


@pytest.mark.parametrize(
    "text", ["I lost my purse in the park yesterday", "my bike was nicked last week from the gym"]
)
def test_everyday_requests_do_not_mean_an_emergency(bundle: RoutingBundle, text: str) -> None:
    assert RoutingEngine(bundle).decide(say(text)).destination != "emergency"


def test_danger_is_learned_from_the_intents_own_examples() -> None:
    # An admin's emergency examples teach it: here, only water danger is an emergency.
    text = """intents:
  - name: emergency
    destination: emergency
    emergency: true
    examples: [someone is drowning in the river, a child fell in the canal and went under,
               a man is in the sea and can't get back to shore]
    cues: [drowning]
  - name: report_crime
    destination: rc
    examples: [my bike was stolen, someone scratched my car, my shed was broken into,
               I was scammed online, my phone was taken from my bag]
"""
    from ivr.embedding.encoder import shared_encoder

    matcher = IntentMatcher.parse(text, "intents.yaml", shared_encoder())
    wet = matcher.danger_meant([Hypothesis("a little boy has slipped into the lake")])
    dry = matcher.danger_meant([Hypothesis("somebody took my wallet on the train")])
    assert wet is not None and dry is not None and wet.probability > 0.5 > dry.probability


def test_a_department_that_surely_does_it_is_offered_over_a_web_link(
    bundle: RoutingBundle,
) -> None:
    engine = RoutingEngine(bundle)
    decision = engine.decide(say("I want to get a copy of everything the police hold on me"))
    assert (decision.action, decision.destination) == (
        "confirm",
        "directory:freedom-of-information",
    )
    # ... but words that are the online intent's own example keep the link.
    decision = engine.decide(say("how do I get a copy of a police report"))
    assert (decision.action, decision.destination) == ("route", "online")


def test_a_department_as_near_as_the_link_to_track_a_report_is_offered_first() -> None:
    # The shipped force's custody suite, by meaning, within the margin of the update intent's
    # tracking link: the people holding him know whether he is still held.
    engine = RoutingEngine(load_bundle(ROUTING_RULES))
    decision = engine.decide(say("my brother was arrested last night, is he still being held", 0.9))
    assert (decision.action, decision.destination) == (
        "confirm",
        "directory:custody-enquiries",
    ), decision.reason


def test_a_crime_happening_now_offers_the_control_room_before_the_crime_report(
    bundle: RoutingBundle,
) -> None:
    engine = RoutingEngine(bundle)
    # (Not "... I saw two lads legging it": offenders seen fleeing a moment ago may be near,
    # and the danger model rightly asks about that, sitting on its bar.)
    text = "my garage has just been broken into and my bike's gone"
    decision = engine.decide(say(text))
    assert (decision.action, decision.rule) == ("disambiguate", "recent-event")
    assert [c.destination for c in decision.candidates[:2]] == ["fcr", "rc"]
    assert decision.evidence["recent"] == "just been broken"
    over = engine.decide(say("my shed was broken into last week"))
    assert over.destination == "rc" and over.rule != "recent-event"


def test_the_danger_model_learns_that_asking_for_a_unit_is_no_emergency() -> None:
    from ivr.embedding.encoder import shared_encoder
    from ivr.routing.departments import kind_requests

    encoder = shared_encoder()
    alone = IntentMatcher.load(ROUTING_RULES / "intents.yaml", encoder)
    taught = IntentMatcher.load(ROUTING_RULES / "intents.yaml", encoder, kind_requests())
    # What callers say for the shipped department kinds is among the model's negatives.
    assert "I want to know if my brother is in custody" in kind_requests()
    asked = [Hypothesis("is my son still in the cells, he was arrested last night")]
    before, after = alone.danger_meant(asked), taught.danger_meant(asked)
    assert before is not None and after is not None
    assert after.probability < before.probability
    # The bundle the app builds fits it so.
    built = load_bundle(None).intents.danger_meant(asked)
    assert built is not None and built.probability == pytest.approx(after.probability)
