"""RoutingEngine logic against pinned matcher scores; the shipped bundle: test_decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Ask, Candidate, Hypothesis
from ivr.directory import Directory, DirectoryEntry, DirectoryMatcher
from ivr.routing.case_status import PublicStatus
from ivr.routing.cases import Case
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override, RoutingInputs
from tests.unit.routing.fakes import FakeIntents, department, fake_bundle, person

LONDON = ZoneInfo("Europe/London")
TUESDAY_10 = datetime(2030, 1, 8, 10, 0, tzinfo=LONDON)
TUESDAY_22 = datetime(2030, 1, 8, 22, 0, tzinfo=LONDON)

RULES = """
thresholds: {high: 0.85, low: 0.6, margin: 0.05, intent: 0.5, intent_route: 0.75, reprompt_limit: 2}
alternatives: {sam-closed: fcr, Night Team: online}
rules:
  - name: nuisance
    when: {caller: nuisance, destination: [rc, online]}
    then: {route: switchboard}
  - name: rc-closed
    when: {destination: rc, closed: rc-hours}
    then: {divert: fcr, continue: true}
  - name: overridden
    when: {override: true}
    then: {message: incident_divert, continue: true}
  - name: rc-long-wait
    when: {destination: rc, wait_above: 10}
    then: {offer: [callback, deflect-sms]}
  - name: fcr-long-wait
    when: {destination: fcr, wait_above: 15}
    then: {offer: callback}
"""

ENTRIES = [
    person("sarah-johnson", "Sarah Johnson"),
    person("david-johnson", "David Johnson"),
    person("jon-johnston", "Jon Johnston"),
    person("sam-closed", "Sam Closed", team="Day Team", hours="office-hours"),
    person("nina-night", "Nina Night", team="Night Team", hours="office-hours"),
    person("dan-day", "Dan Day", team="Day Team", hours="office-hours"),
    person("lone-wolf", "Lone Wolf", team="Nobody", hours="office-hours"),
    department("day-team", "Day Team"),
    department("coroners", "Coroner's Officers"),
]
NAMES = {
    "sarah johnson": [("sarah-johnson", 0.95), ("david-johnson", 0.6)],
    "johnson": [("sarah-johnson", 0.86), ("david-johnson", 0.86), ("mark", 0.5)],
    "johnston": [("jon-johnston", 0.86), ("david-johnson", 0.84)],
    "dc johnson": [("david-johnson", 0.91), ("sarah-johnson", 0.87)],
    "sarah jonsen": [("sarah-johnson", 0.7), ("david-johnson", 0.4)],
    "sam": [("sam-closed", 0.9)],
    "nina": [("nina-night", 0.9)],
    "dan": [("dan-day", 0.9)],
    "lone": [("lone-wolf", 0.9)],
    "report burglary": [("day-team", 0.45)],
    "a pothole": [("sarah-johnson", 0.6)],  # a sound-alike, not a name said
    "speak to johnson": [("sarah-johnson", 0.7), ("david-johnson", 0.6)],
    "burglary team": [("day-team", 0.7)],
    "gibberish": [("sarah-johnson", 0.3)],
    "knife johnson": [("sarah-johnson", 0.95)],
    "Day Team please.": [("day-team", 0.97)],
    "The day team, please": [("day-team", 0.97)],
    "is that day team": [("day-team", 0.97)],
    "can I speak to the day team": [("day-team", 0.97)],
    "the coroner's officer about my dad's inquest": [("coroners", 0.77)],
}
INTENTS = {
    "report burglary": ("report_crime", "rc", 0.91),
    "burglary team": ("report_crime", "rc", 0.8),
    "something happening": ("incident", "fcr", 0.7),
    "weak": ("online", "online", 0.3),
    "lost phone": ("online", "online", 0.9),
    "a pothole": ("switchboard", "switchboard", 0.8),
    "speak to johnson": ("switchboard", "switchboard", 0.8),
    "the coroner's officer about my dad's inquest": ("switchboard", "switchboard", 0.97),
}
CASES = [
    Case("42/18734/24", "sarah-johnson", "under investigation"),
    Case("42/55555/25", "retired", "closed"),
    Case("42/66666/25", "retired", "awaiting forensics"),
    Case("42/44444/25", "sarah-johnson", "closed - no further action"),
    Case("42/33333/25", "sarah-johnson", "a word the table lacks"),
    Case("42/22222/25", "sarah-johnson", "suspect named", PublicStatus.RECEIVED),
    Case("42/77777/25", "sarah-johnson", "closed - community resolution"),
]


@pytest.fixture(scope="module")
def engine() -> RoutingEngine:
    return RoutingEngine(
        fake_bundle(RULES, entries=ENTRIES, names=NAMES, intents=INTENTS, cases=CASES)
    )


def say(*texts: str, at: datetime = TUESDAY_10, **kw: object) -> RoutingInputs:
    return RoutingInputs(at=at, hypotheses=tuple(Hypothesis(t) for t in texts), **kw)  # type: ignore[arg-type]  # test helper


def key(digits: str, at: datetime = TUESDAY_10, **kw: object) -> RoutingInputs:
    return RoutingInputs(at=at, digits=digits, **kw)  # type: ignore[arg-type]  # test helper


# --- 1. emergency outranks everything -------------------------------------------------------


def test_an_emergency_cue_in_any_alternative_wins(engine: RoutingEngine) -> None:
    d = engine.decide(say("sarah johnson", "knife johnson"))
    assert (d.action, d.destination, d.rule) == ("route", "emergency", "emergency-cue")
    assert d.message == "emergency_advice"
    assert "knife" in d.reason


def test_emergency_outranks_keys_references_overrides_and_rules(engine: RoutingEngine) -> None:
    d = engine.decide(
        RoutingInputs(
            at=TUESDAY_22,
            hypotheses=(Hypothesis("there is a fire 42/18734/24", 0.2),),
            digits="1",
            caller=CallerContext("0700", frozenset({"nuisance"})),
            overrides=(Override("emergency", "switchboard", "nope"),),
        )
    )
    assert (d.destination, d.rule, d.offers) == ("emergency", "emergency-cue", ())


@pytest.mark.parametrize("digits", ["9", "99", "999"])
def test_key_nine_is_emergency(engine: RoutingEngine, digits: str) -> None:
    d = engine.decide(key(digits))
    assert (d.destination, d.rule, d.message) == (
        "emergency",
        "keypad-emergency",
        "emergency_advice",
    )


# --- 2. keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "destination"), [("1", "rc"), ("2", "fcr"), ("5", "online"), ("0", "switchboard")]
)
def test_keypad_routes(engine: RoutingEngine, digits: str, destination: str) -> None:
    d = engine.decide(key(digits))
    assert (d.action, d.destination, d.rule) == ("route", destination, "keypad")
    assert f"pressed {digits}" in d.reason


@pytest.mark.parametrize(("digits", "ask"), [("3", "reference"), ("4", "name")])
def test_keys_that_ask_for_more(engine: RoutingEngine, digits: str, ask: str) -> None:
    d = engine.decide(key(digits))
    assert (d.action, d.destination, d.rule, d.message) == (
        "reprompt",
        None,
        "keypad-ask",
        f"ask_{ask}",
    )
    assert d.evidence["ask"] == ask
    assert d.ask == Ask(ask)  # the typed next question the flow asks


def test_a_rule_message_that_is_a_question_is_the_typed_next_question() -> None:
    """``then: {message: ask_name}`` asks for a name, as a keypad ``ask:name`` does."""
    assert Ask.by_prompt("ask_name") is Ask.NAME
    assert Ask.by_prompt("ask_reference") is Ask.REFERENCE
    assert Ask.by_prompt("incident_divert") is None and Ask.by_prompt(None) is None
    assert [a.prompt for a in Ask] == ["ask_reference", "ask_name"]


def test_a_wrong_key_reprompts_then_goes_to_a_person(engine: RoutingEngine) -> None:
    d = engine.decide(key("7"))
    assert (d.action, d.rule, d.message) == ("reprompt", "no-match", "invalid_choice")
    d = engine.decide(key("7", attempt=2))
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "reprompt-limit")


def test_a_keyed_reference_reaches_the_officer(engine: RoutingEngine) -> None:
    d = engine.decide(key("4218734#24"))
    assert (d.destination, d.rule) == ("directory:sarah-johnson", "reference-officer")
    assert d.evidence["reference"] == "42/18734/24"


# --- 3. crime references --------------------------------------------------------------------


def test_reference_in_text(engine: RoutingEngine) -> None:
    d = engine.decide(say("my reference is 42/18734/24"))
    assert (d.destination, d.rule) == ("directory:sarah-johnson", "reference-officer")
    assert d.candidates[0].destination == "directory:sarah-johnson"
    d = engine.decide(say("it's 42 stroke 66666 stroke 25"))
    assert (d.destination, d.rule, d.offers) == ("online", "reference-no-officer", ("deflect-sms",))
    assert d.evidence["status"] == "awaiting forensics"
    assert d.message == "case_status_awaiting_information"
    d = engine.decide(say("42/99999/25"))
    assert (d.destination, d.rule) == ("switchboard", "reference-unknown")


def test_an_open_case_names_its_public_status_and_offers_it_by_text(
    engine: RoutingEngine,
) -> None:
    d = engine.decide(say("any news on 42/18734/24"))
    assert (d.destination, d.rule) == ("directory:sarah-johnson", "reference-officer")
    assert (d.message, d.offers) == ("case_status_under_investigation", ("status-sms",))
    assert d.evidence["public_status"] == "under_investigation"
    assert d.evidence["status"] == "under investigation"  # the log keeps the record's words


def test_a_case_closed_with_no_further_action_goes_to_the_resolution_centre(
    engine: RoutingEngine,
) -> None:
    # Its officer is in the directory: a closed case still goes to the RC, not to them.
    d = engine.decide(key("42*44444*25#"))
    assert (d.destination, d.rule, d.message) == (
        "rc",
        "reference-closed",
        "case_status_closed_nfa",
    )
    assert "case closed, no further action → Resolution Centre" in d.reason
    assert "status-sms" not in d.offers
    # Closed with an outcome, its officer gone from the directory: the RC too.
    d = engine.decide(say("42/55555/25"))
    assert (d.destination, d.rule, d.message) == ("rc", "reference-closed", "case_status_closed")


def test_a_case_closed_with_an_outcome_goes_to_its_officer_in_charge(
    engine: RoutingEngine,
) -> None:
    # A community resolution, a caution: the officer who dealt with it can explain it.
    d = engine.decide(say("42/77777/25"))
    assert (d.destination, d.rule, d.message) == (
        "directory:sarah-johnson",
        "reference-officer",
        "case_status_closed",
    )


def test_a_status_the_table_cannot_read_is_only_open_and_a_pin_wins(engine: RoutingEngine) -> None:
    d = engine.decide(say("42/33333/25"))
    assert (d.destination, d.message) == ("directory:sarah-johnson", "case_status_open")
    assert d.evidence["public_status"] == "open"
    d = engine.decide(say("42/22222/25"))
    assert (d.message, d.evidence["public_status"]) == ("case_status_received", "received")


def test_a_reference_keyed_after_star_at_the_menu(engine: RoutingEngine) -> None:
    d = engine.decide(key("*4218734*24"))
    assert (d.destination, d.rule) == ("directory:sarah-johnson", "reference-officer")
    d = engine.decide(key("*"))
    assert (d.action, d.rule, d.message) == ("reprompt", "no-match", "invalid_choice")


# --- 4. names against intents ----------------------------------------------------------------


def test_directory_bands(engine: RoutingEngine) -> None:
    d = engine.decide(say("sarah johnson"))
    assert (d.action, d.destination, d.rule) == (
        "route",
        "directory:sarah-johnson",
        "directory-high",
    )
    assert [c.destination for c in d.candidates] == [
        "directory:sarah-johnson",
        "directory:david-johnson",
    ]
    d = engine.decide(say("sarah jonsen"))
    assert (d.action, d.destination, d.rule) == (
        "confirm",
        "directory:sarah-johnson",
        "directory-confirm",
    )
    d = engine.decide(say("johnston"))  # sound-alikes: the caller hears which and picks
    assert (d.action, d.destination, d.rule) == ("disambiguate", None, "directory-disambiguate")
    assert d.evidence["choices"] == ["directory:jon-johnston", "directory:david-johnson"]


def test_a_surname_several_people_share_goes_to_a_person_who_asks_which(
    engine: RoutingEngine,
) -> None:
    d = engine.decide(say("johnson"))
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "directory-shared-name")
    assert d.evidence["choices"] == ["directory:sarah-johnson", "directory:david-johnson"]
    assert d.evidence["shared_surname"] == "Johnson"
    assert len(d.candidates) == 3  # all considered, not just the close ones
    assert "nothing said tells them apart" in d.reason
    d = engine.decide(say("dc johnson"))  # the rank tells them apart: the list, DC first
    assert (d.action, d.rule) == ("disambiguate", "directory-disambiguate")
    assert d.evidence["choices"] == ["directory:david-johnson", "directory:sarah-johnson"]


def test_intents_when_no_name_is_good_enough(engine: RoutingEngine) -> None:
    d = engine.decide(say("report burglary"))
    assert (d.action, d.destination, d.rule, d.intent) == ("route", "rc", "intent", "report_crime")
    assert d.reason.startswith("intent report_crime ~ 'example for report_crime' (0.91) >= 0.75")
    assert d.candidates and d.candidates[0].destination == "directory:day-team"
    # the caller asked for the unit ("the burglary team"): offered, not the intent's route
    d = engine.decide(say("burglary team"))
    assert (d.action, d.destination) == ("confirm", "directory:day-team")


def test_a_name_said_outranks_asking_for_someone_but_a_sound_alike_does_not(
    engine: RoutingEngine,
) -> None:
    d = engine.decide(say("speak to johnson"))
    assert (d.action, d.destination) == ("confirm", "directory:sarah-johnson"), d.reason
    d = engine.decide(say("a pothole"))
    assert (d.action, d.destination) == ("route", "switchboard"), d.reason


def test_nothing_usable_reprompts_then_switchboard(engine: RoutingEngine) -> None:
    d = engine.decide(say("gibberish"))
    assert (d.action, d.rule) == ("reprompt", "no-match")
    assert d.candidates  # the weak candidate is still listed
    d = engine.decide(say("weak"))
    assert (d.action, d.rule) == ("reprompt", "no-match")
    d = engine.decide(say())
    assert (d.action, d.message) == ("reprompt", "no_input")
    d = engine.decide(say("   ", "gibberish", attempt=2))
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "reprompt-limit")
    assert "attempt 2 of 2" in d.reason


# --- 5. rules, schedules, overrides ------------------------------------------------------------


def test_rules_offer_on_long_waits_with_a_readable_reason(engine: RoutingEngine) -> None:
    d = engine.decide(say("report burglary", queue_waits={"rc": 14 * 60}))
    assert (d.destination, d.rule, d.offers) == ("rc", "rc-long-wait", ("callback", "deflect-sms"))
    assert d.reason == (
        "intent report_crime ~ 'example for report_crime' (0.91) >= 0.75;"
        " rule rc-long-wait: rc wait 14 min > 10 min → offer callback + deflect-sms"
    )
    assert d.evidence["rules"] == ["intent", "rc-long-wait"]


def test_divert_when_closed_continues_to_later_rules(engine: RoutingEngine) -> None:
    d = engine.decide(key("1", at=TUESDAY_22, queue_waits={"fcr": 20 * 60, "rc": 20 * 60}))
    assert (d.destination, d.rule, d.offers) == ("fcr", "fcr-long-wait", ("callback",))
    assert "rule rc-closed: rc-hours closed → divert to fcr" in d.reason
    assert d.evidence["rules"] == ["keypad", "rc-closed", "fcr-long-wait"]


def test_first_match_wins(engine: RoutingEngine) -> None:
    flags = CallerContext("07700900123", frozenset({"nuisance"}))
    d = engine.decide(key("1", caller=flags, queue_waits={"rc": 3600}))
    assert (d.destination, d.rule, d.offers) == ("switchboard", "nuisance", ())


def test_operator_overrides_apply_to_the_chosen_destination(engine: RoutingEngine) -> None:
    overrides = (
        Override("rc", "fcr", "RC closed for training"),
        Override("fcr", "switchboard", "expired", until=TUESDAY_10 - timedelta(minutes=1)),
    )
    d = engine.decide(key("1", overrides=overrides))
    assert (d.destination, d.message) == ("fcr", "incident_divert")
    assert "operator override rc → fcr (RC closed for training)" in d.reason
    assert d.evidence["overrides"] == [
        {"source": "rc", "target": "fcr", "reason": "RC closed for training"}
    ]
    # chains are followed, loops stop, emergency is never an override target
    loop = (Override("rc", "fcr", "a"), Override("fcr", "rc", "b"))
    assert engine.decide(key("1", overrides=loop)).destination == "rc"
    assert (
        engine.decide(key("1", overrides=(Override("rc", "emergency", "x"),))).destination == "rc"
    )


def test_closed_directory_entry_goes_to_its_alternative(engine: RoutingEngine) -> None:
    at = TUESDAY_22
    d = engine.decide(say("sam", at=at))  # alternatives by entry id
    assert (d.destination, d.rule) == ("fcr", "directory-closed")
    assert "Sam Closed: office-hours closed → alternative fcr" in d.reason
    assert engine.decide(say("nina", at=at)).destination == "online"  # by team
    assert engine.decide(say("lone", at=at)).destination == "switchboard"
    # day team's department is itself always open: Dan's calls go there
    d = engine.decide(say("dan", at=at))
    assert (d.destination, d.rule) == ("directory:day-team", "directory-closed")
    assert engine.decide(say("sam")).destination == "directory:sam-closed"  # open by day


def test_confirmed_destination_routes_with_hours_and_rules(engine: RoutingEngine) -> None:
    d = engine.decide(RoutingInputs(at=TUESDAY_22, confirmed="directory:sam-closed"))
    assert (d.destination, d.rule) == ("fcr", "directory-closed")
    d = engine.decide(RoutingInputs(at=TUESDAY_10, confirmed="directory:sarah-johnson"))
    assert (d.action, d.destination, d.rule) == ("route", "directory:sarah-johnson", "confirmed")
    # nonsense or emergency in `confirmed` is ignored
    d = engine.decide(RoutingInputs(at=TUESDAY_10, confirmed="emergency"))
    assert d.action == "reprompt"


def test_decide_is_pure(engine: RoutingEngine) -> None:
    inputs = say("report burglary", queue_waits={"rc": 900})
    first = engine.decide(inputs)
    assert all(engine.decide(inputs) == first for _ in range(3))


def test_the_n_bests_agreement_can_lift_a_reprompt_to_a_question_but_never_to_a_route() -> None:
    """An intent its best alternative alone would only confirm is still confirmed, however
    many alternatives agree; one no alternative alone reached is asked about, not routed."""
    bundle = fake_bundle(intents=INTENTS)
    assert isinstance(bundle.intents, FakeIntents)
    lifted = replace(bundle.intents, alone={"report burglary": 0.62, "something happening": 0.2})
    engine = RoutingEngine(replace(bundle, intents=lifted))
    asked = engine.decide(say("report burglary"))
    assert (asked.action, asked.destination) == ("confirm", "rc")
    assert "agreement: 0.62 → 0.91" in asked.reason
    lifted_from_nothing = engine.decide(say("something happening"))
    assert (lifted_from_nothing.action, lifted_from_nothing.destination) == ("confirm", "fcr")
    plain = RoutingEngine(bundle).decide(say("report burglary"))
    assert (plain.action, plain.destination) == ("route", "rc")


class TicketsByMeaning:
    """DepartmentsLike: the Day Team found by what it does for any words about tickets."""

    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 3) -> list[Candidate]:
        if not any("ticket" in h.text for h in hypotheses):
            return []
        return [Candidate("directory:day-team", "Day Team", 0.79, "meaning ~ 'tickets'")]

    def of_kind(self, kind: str) -> list[DirectoryEntry]:
        return []  # no unit of any shipped kind: no caller's role names one


@pytest.mark.parametrize(
    ("said", "someone", "expect"),
    [
        # "someone about a speeding ticket", surely the switchboard by its words: the
        # department that does tickets is offered first (the caller's no is the switchboard)
        ("someone about my ticket", 0.9, ("confirm", "directory:day-team")),
        # ... but not over "someone" said in the switchboard example's own words
        ("someone about my ticket please", 0.97, ("route", "switchboard")),
    ],
)
def test_a_department_that_fits_is_offered_over_a_sure_someone(
    said: str, someone: float, expect: tuple[str, str]
) -> None:
    bundle = replace(
        fake_bundle(
            RULES, entries=ENTRIES, intents={said: ("switchboard", "switchboard", someone)}
        ),
        departments=TicketsByMeaning(),
    )
    d = RoutingEngine(bundle).decide(say(said))
    assert (d.action, d.destination) == expect, d.reason


@pytest.mark.parametrize("intent", ["switchboard", "online"])
def test_asking_whom_to_talk_to_offers_the_department_that_fits_over_a_sure_intent(
    intent: str,
) -> None:
    said = "who do I talk to about my ticket"
    bundle = replace(
        fake_bundle(RULES, entries=ENTRIES, intents={said: (intent, intent, 0.97)}),
        departments=TicketsByMeaning(),
    )
    d = RoutingEngine(bundle).decide(say(said))
    assert (d.action, d.destination) == ("confirm", "directory:day-team"), d.reason


def test_a_short_last_sentence_is_read_alone_for_a_name(engine: RoutingEngine) -> None:
    # The story first, then the ask: "We're a supplier and we haven't been paid. Finance
    # please." The story's words would otherwise count against the department's name.
    d = engine.decide(say("We are owed money for some work we did. Day Team please."))
    assert (d.action, d.destination) == ("route", "directory:day-team")


@pytest.mark.parametrize(
    "said",
    [
        # a "please" that ends the ask, then the reason
        "The day team, please, we are owed money for some work we did last spring",
        # one sentence, its short last clause the ask
        "I'm ringing about money we are owed for some work we did, is that day team?",
        # ... short after its ask words
        "we are owed money for some work we did last spring, can I speak to the day team",
    ],
)
def test_the_ask_said_beside_the_story_is_read_alone_for_a_name(
    engine: RoutingEngine, said: str
) -> None:
    d = engine.decide(say(said))
    assert (d.action, d.destination) == ("route", "directory:day-team"), d.reason


def test_a_last_clause_saying_where_the_one_named_is_is_not_read_alone(
    engine: RoutingEngine,
) -> None:
    # "Sergeant Baker, at Westhaven please": read alone, "at Westhaven please" names the
    # station, not the sergeant asked for.
    entries = [
        person("stephen-baker", "Stephen Baker", team="Westhaven"),
        department("westhaven", "Westhaven"),
    ]
    bundle = replace(
        fake_bundle(RULES, entries=entries), matcher=DirectoryMatcher(Directory(entries))
    )
    d = RoutingEngine(bundle).decide(say("PC Baker, at Westhaven please"))
    assert (d.action, d.destination) == ("route", "directory:stephen-baker"), d.reason


def test_a_unit_named_outranks_someone_said_in_an_examples_own_words(
    engine: RoutingEngine,
) -> None:
    # Another force's caller asked the switchboard for a coroner's officer (an example);
    # this force has the unit, and its name is no sound-alike of anything.
    d = engine.decide(say("the coroner's officer about my dad's inquest"))
    assert d.action == "confirm" and d.destination == "directory:coroners", d.reason
