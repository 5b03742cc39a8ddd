"""The danger check (ivr.routing.danger_check): asked first, and where each answer goes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Candidate, Decision, Hypothesis
from ivr.routing.bundle import MeantLike, load_bundle
from ivr.routing.danger_check import ASK_FROM_WHEN_NAMED, DangerDoubt, MeaningDoubts, ask_first
from ivr.routing.danger_check import _told_no_danger as told_no_danger
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))

DOUBT = DangerDoubt(
    "past-emergency-cue",
    "emergency cue in context: 'he threatened me last week'",
    {"matched": "he threatened me last week"},
    "emergency",
)
RC = Decision("confirm", "rc", "intent-confirm", "intent report_crime (0.6)", intent="report")
AGAIN = Decision("reprompt", None, "no-match", "nothing usable")


def test_the_check_asks_about_emergency_and_keeps_the_ordinary_decision_for_a_no() -> None:
    check = ask_first(DOUBT, RC)
    assert check.is_danger_check
    assert (check.action, check.destination, check.rule) == ("confirm", "emergency", "danger-check")
    assert check.otherwise == RC
    assert check.evidence["raised_by"] == "past-emergency-cue"
    assert check.evidence["otherwise"] == {
        "action": "confirm",
        "destination": "rc",
        "rule": "intent-confirm",
    }
    assert "(no: confirm rc)" in check.reason


def test_a_no_with_nothing_else_understood_goes_to_the_control_room_not_the_menu() -> None:
    for ordinary in (AGAIN, Decision("route", "switchboard", "reprompt-limit", "attempt 3")):
        check = ask_first(DOUBT, ordinary)
        assert check.otherwise is not None
        assert (check.otherwise.destination, check.otherwise.rule) == (
            "fcr",
            "danger-check-declined",
        )


def test_yes_is_the_emergency_route_with_999_advice_and_the_checks_reasons() -> None:
    yes = ask_first(DOUBT, RC).answered(True, "no-input")
    assert (yes.action, yes.destination, yes.rule) == ("route", "emergency", "danger-check-yes")
    assert yes.message == "emergency_advice" and yes.otherwise is None
    assert yes.evidence["danger_check"] == "no-input"
    assert "he threatened me last week" in yes.reason and "no-input" in yes.reason
    assert not yes.is_danger_check


def test_no_is_the_ordinary_decision_saying_danger_was_ruled_out() -> None:
    no = ask_first(DOUBT, RC).answered(False, "said 'no'")
    assert (no.action, no.destination, no.rule) == ("confirm", "rc", "intent-confirm")
    assert no.evidence["danger_check"] == "said 'no'"
    assert no.reason.startswith("nobody in danger now (said 'no')")


def test_only_a_danger_check_can_be_answered() -> None:
    with pytest.raises(ValueError, match="not a danger check"):
        RC.answered(True, "key 9")


def test_a_no_after_danger_never_sends_a_web_link_unasked() -> None:
    online = Decision("route", "online", "online-by-sms", "threatening phone calls")
    check = ask_first(DOUBT, online)
    assert check.otherwise is not None
    assert (check.otherwise.destination, check.otherwise.rule) == ("fcr", "danger-check-declined")
    assert "not a web form" in check.otherwise.reason


@pytest.mark.parametrize(
    "ordinary",
    [
        Decision("confirm", "online", "online-by-sms", "posts online about the march"),
        RC,
    ],
)
def test_a_no_to_a_doubt_that_wants_someone_sent_goes_to_the_control_room(
    ordinary: Decision,
) -> None:
    # "a group's planning to attack the march on Saturday": nobody in danger now, but
    # the control room's to prevent, not a web form's or the crime desk's.
    planned = replace(DOUBT, rule="future-emergency-cue", attend=True)
    check = ask_first(planned, ordinary)
    assert check.otherwise is not None
    assert (check.otherwise.destination, check.otherwise.rule) == ("fcr", "danger-check-declined")
    assert "someone to send or something to prevent" in check.otherwise.reason
    # A person asked for is still who the caller gets.
    named = Decision("confirm", "directory:victim-care", "directory-confirm", "victim care")
    assert ask_first(planned, named).otherwise == named


def test_a_no_after_danger_keeps_a_web_link_that_was_only_offered() -> None:
    offered = Decision("confirm", "online", "online-by-sms", "is it safe to go into town")
    check = ask_first(DOUBT, offered)
    assert check.otherwise == offered
    assert "(no: confirm online)" in check.reason


def test_a_no_to_a_choice_between_the_rc_and_the_fcr_offers_the_fcr_first() -> None:
    both = Decision(
        "disambiguate",
        None,
        "intent-disambiguate",
        "report_crime (0.51) and incident (0.50)",
        candidates=(Candidate("rc", "Resolution Centre", 0.51), Candidate("fcr", "FCR", 0.50)),
        evidence={"choices": ["rc", "fcr"]},
    )
    check = ask_first(DOUBT, both)
    assert check.otherwise is not None
    assert [c.destination for c in check.otherwise.candidates] == ["fcr", "rc"]
    assert ask_first(DOUBT, RC).otherwise == RC  # a confirm is left as it is
    # Danger only an unsure engine's words raised is a recogniser's guess: the choice
    # stays as ordinary routing ordered it.
    guessed = ask_first(replace(DOUBT, heard_alone=True), both)
    assert guessed.otherwise == both


# --- on the shipped rules -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> RoutingService:
    return RoutingService(None)


def said(service: RoutingService, text: str) -> Decision:
    return service.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def test_a_negated_cue_does_not_hide_words_that_mean_danger(shipped: RoutingService) -> None:
    decision = said(shipped, "he isn't armed but he's broken into my house and I'm hiding upstairs")
    assert decision.is_danger_check and decision.evidence["raised_by"] == "danger-meaning"


def test_an_injury_cleared_does_not_hide_words_that_mean_danger(shipped: RoutingService) -> None:
    # "Nobody's hurt" clears the cue "hurt", and only it: the screen's verdict on that
    # word stood for the whole, and the caller was offered the crime desk (dev_aw).
    text = (
        "Nobody's hurt, not yet. But my ex is in the stairwell with a can of petrol saying"
        " he's going to burn the flat."
    )
    decision = said(shipped, text)
    assert decision.is_danger_check and decision.evidence["raised_by"] == "danger-meaning"
    # ... while a bump with nobody hurt is still what the caller asked
    bump = said(
        shipped, "we had a little bump in the car park, nobody's hurt, do I need to report it"
    )
    assert not bump.is_danger_check and bump.destination == "online"


def test_a_name_said_does_not_hide_words_that_surely_mean_danger(shipped: RoutingService) -> None:
    text = (
        "Rachel in child protection please, my daughter's gone off in a car with a man"
        " we don't know"
    )
    decision = said(shipped, text)
    assert decision.is_danger_check and decision.evidence["p"] >= ASK_FROM_WHEN_NAMED
    assert decision.otherwise is not None
    assert decision.otherwise.destination == "directory:rachel-smyth"  # a no: the person


def test_an_ordinary_crime_report_is_not_asked_about_danger(shipped: RoutingService) -> None:
    for text in ("someone broke into my car", "my bike was stolen from the station"):
        decision = said(shipped, text)
        assert not decision.is_danger_check and decision.destination == "rc", text


def test_a_number_said_in_words_is_not_read_for_danger(shipped: RoutingService) -> None:
    # The sentence model reads number words as noise, some of it near danger; a reference
    # said out of order is asked for again, not treated as a possible emergency.
    for text in (
        "sixty-one four four two oh, stroke twenty-six, force forty-two",
        "seven three nine nine one, oh two, forty-two",
    ):
        decision = said(shipped, text)
        assert not decision.is_danger_check and decision.destination != "emergency", text


def test_a_short_alternative_beside_a_longer_reading_is_not_read_for_danger(
    shipped: RoutingService,
) -> None:
    # A recogniser's "the me" reads close to danger (p 0.93), but two words mean nothing:
    # each alternative is read on its own words, as a short request is.
    for top in ("Take a card please, I need to talk", "can I have a word with someone please"):
        heard = (Hypothesis(top, 0.55), Hypothesis("the me", 0.29))
        decision = shipped.decide(RoutingInputs(at=AT, hypotheses=heard))
        assert not decision.is_danger_check, decision.reason


@pytest.mark.parametrize(
    ("text", "turn"),
    [
        (
            "they stole the quad from my barn on monday and I did report it to you lot,"
            " and now there's two of them in the yard again with a van",
            "and now there's two of them",
        ),
        # The robbery last week is a crime report; the lads back there now, holding him,
        # are not.
        (
            "Last week a group of lads robbed my son at the skate park for his phone and"
            " they're back there now, they've got him up against the wall again.",
            "they're back there now",
        ),
    ],
)
def test_what_the_caller_turns_to_now_is_read_apart_from_the_story_before_it(
    shipped: RoutingService, text: str, turn: str
) -> None:
    decision = said(shipped, text)
    assert decision.is_danger_check and decision.evidence["raised_by"] == "danger-meaning"
    assert decision.evidence["matched"].startswith(turn)


@pytest.mark.parametrize(
    "text",
    [
        "someone's just driven a car at my brother on purpose and now they're doing laps",
        "my daughter's rang from a party, she thinks someone put something in her drink",
        "my friend's drink got spiked at the club and she can't stand up",
    ],
)
def test_a_deed_said_in_other_words_still_reaches_999_handling_or_the_check(
    shipped: RoutingService, text: str
) -> None:
    decision = said(shipped, text)
    assert decision.destination == "emergency", decision.reason


def test_a_unit_named_for_a_crime_is_a_place_asked_for_not_a_cue(
    shipped: RoutingService,
) -> None:
    # "the rape team" names a unit: no 999 advice for the caller asking for it, while the
    # crime said in a sentence still raises the check.
    assert not said(shipped, "can I speak to the rape team please").is_danger_check
    assert said(shipped, "Sam in the rape investigation team please").rule != "emergency-cue"
    assert said(shipped, "I've been raped and I need the rape team").is_danger_check


def test_a_name_only_a_weaker_alternative_heard_does_not_hide_danger(
    shipped: RoutingService,
) -> None:
    # A recogniser's LM full of directory names made "hannah read old wallet" of a child
    # on a carriageway: the best reading, with no name in it, is still asked about.
    heard = (
        Hypothesis(
            "a little boy maybe about three on his own next to the carriageway no one else"
            " anywhere",
            0.78,
        ),
        Hypothesis(
            "rachel smyth old wallet maybe about three on the carriageway at the help anywhere",
            0.55,
        ),
    )
    decision = shipped.decide(RoutingInputs(at=AT, hypotheses=heard))
    assert decision.is_danger_check or decision.destination == "emergency", decision.reason


def test_a_vulnerable_person_missing_in_the_cold_is_asked_and_a_no_is_the_control_room(
    shipped: RoutingService,
) -> None:
    # (words the sentence model reads as danger itself are asked by it first)
    decision = said(
        shipped, "my autistic son went out this afternoon and he is not back, it is freezing"
    )
    assert decision.evidence["raised_by"] == "exposed-missing-person", decision.reason
    assert decision.otherwise is not None and decision.otherwise.destination == "fcr"


@pytest.mark.parametrize(
    "text",
    [
        "my pal's been arrested and he's in the cells at Hexmoor, when's he getting out",
        "is my brother still in the Bridewell? He got lifted last night",
    ],
)
def test_someone_held_by_the_police_is_not_asked_about_danger(
    shipped: RoutingService, text: str
) -> None:
    decision = said(shipped, text)
    assert not decision.is_danger_check, decision.reason


def test_an_arrest_told_beside_danger_here_now_is_still_asked(shipped: RoutingService) -> None:
    decision = said(shipped, "my husband got arrested last night and now he's outside my house")
    assert decision.is_danger_check, decision.reason


def test_a_unit_asked_for_in_a_few_words_is_not_asked_about_danger(
    shipped: RoutingService,
) -> None:
    # "burglary" is near the emergency examples to the sentence model; the words ask for
    # whoever deals with it.
    decision = said(shipped, "someone in the burglary team")
    assert not decision.is_danger_check, decision.reason


def test_harm_put_in_the_past_whose_victim_is_fine_now_is_not_asked_about(
    shipped: RoutingService,
) -> None:
    told = "my ex kept turning up at my flat last week, not today, but he's been leaving notes"
    decision = said(shipped, told)
    assert not decision.is_danger_check, decision.reason
    assert told_no_danger("my mum was shoved over at the bus stop yesterday, she's okay now")
    # ... but not with someone said to be here now
    assert not told_no_danger("he hit my dad yesterday, he's fine, but the man is outside now")
    assert not told_no_danger("my mum was shoved over at the bus stop, she's okay now")  # when?


@pytest.mark.parametrize(
    "text",
    [
        "there's a man been sitting in a car outside my house for three hours, just looking,"
        " I don't know him, he's still there",
        "two lads have been hanging round the back of the flats looking in people's cars,"
        " they're still there",
    ],
)
def test_someone_acting_suspiciously_and_still_there_is_asked_not_assumed(
    shipped: RoutingService, text: str
) -> None:
    decision = said(shipped, text)
    assert decision.is_danger_check, decision.reason
    assert decision.otherwise is not None and decision.otherwise.destination == "fcr"


GOING_ON = "a theft said to be going on"
OVERDUE = "overdue out walking, on the water or the hills"
NEARBY = "whoever did it said to be nearby now"
HELD = "someone held who is struggling to get away"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "there's two men in hi-vis taking the lead off the chapel roof, no markings on the van",
            GOING_ON,
        ),
        (
            "there's a trailer in the lane loading my neighbour's sheep and he's away on holiday",
            GOING_ON,
        ),
        # a machine driven or towed off, or its tracker moving
        ("someone's driving my tractor out of the field as we speak", GOING_ON),
        (
            "a telehandler's being driven off down the lane, it's ours and nobody should be on it",
            GOING_ON,
        ),
        ("the GPS on the tractor is moving and it's the middle of the night", GOING_ON),
        # told with other verbs and subjects
        ("there's a Transit backed up to my workshop and they're carrying out tools", GOING_ON),
        ("a man's taking the batteries out of the tractors in the yard as we speak", GOING_ON),
        ("the lads are putting my bike in their van in the car park", GOING_ON),
        ("there's a lorry backed up to the depot and six men loading our stock into it", GOING_ON),
        (
            "two of our lads took a canoe out on the lake at two, they should have been back an"
            " hour ago and the wind's got up",
            OVERDUE,
        ),
        (
            "my husband went out fishing on the loch this morning and he's not back yet, it's dark",
            OVERDUE,
        ),
        (
            "my dad went up the big hill for a walk this morning and should have been back by"
            " three, his phone's off",
            OVERDUE,
        ),
        # a horse or dog back without its person: the person is out there, overdue
        (
            "my daughter went out riding on the common at four, the horse has just come back to"
            " the yard without her and she isn't answering",
            OVERDUE,
        ),
        (
            "my husband took the dog out along the towpath hours ago and the dog's come home on"
            " its own, he's eighty-one",
            OVERDUE,
        ),
        (
            "this morning we found the container broken and tools gone, and I think the men"
            " who did it are sleeping in a car next to the site now",
            NEARBY,
        ),
        (
            "someone stole my bike last night and the lad who took it is sat outside the shop",
            NEARBY,
        ),
        (
            "I was assaulted on Saturday night and the same lad has just walked into the pub"
            " I'm in and he's coming over to me now",
            NEARBY,
        ),
        # someone held by bystanders, fighting to get away: a struggle going on now
        (
            "we've caught the lad who took my phone, the bus driver and another man are"
            " holding him against the shelter and he's trying to break free",
            HELD,
        ),
    ],
)
def test_a_matter_told_without_a_cue_word_is_asked_about(
    shipped: RoutingService, text: str, why: str
) -> None:
    decision = said(shipped, text)
    assert decision.is_danger_check, decision.reason
    assert why in decision.reason
    if why in (NEARBY, OVERDUE, HELD):  # nobody in danger, but someone to send or look for
        otherwise = decision.otherwise
        assert otherwise is not None
        assert (otherwise.destination or otherwise.candidates[0].destination) == "fcr"


@pytest.mark.parametrize(
    "text",
    [
        "we've caught a shoplifter, we're holding him in the back office, he's calm now",
        "we've detained a shoplifter, he's not struggling, he's just sat there",
        "my mum is struggling to cope since dad died, can someone talk to her",
        # a hold that is no body's, resisting that is no struggle, another time or a screen
        "my neighbour is holding them responsible for the fence and he's struggling to pay",
        "I finally got hold of her on the phone and she's trying to get out of paying me",
        "the school are holding him back a year and he's struggling to make friends",
        "earlier my staff were holding him in the office and he's struggling, he's gone now",
        "there's a video on tiktok of bouncers sitting on him while he's struggling",
        "there's a swan tangled in fishing line, we're holding her and she's struggling",
    ],
)
def test_someone_held_and_calm_or_struggling_with_life_is_no_struggle_now(
    shipped: RoutingService, text: str
) -> None:
    assert HELD not in said(shipped, text).reason


@pytest.mark.parametrize(
    "text",
    [
        "my dad was overdue off the hills last night but he's home now, his phone had died",
        # a pet home on its own, or without a thing, or with nobody out, is nobody missing
        "our dog ran home without his lead again, how do I get a new tag",
        "the dog came back on its own this morning, he's home now, he'd gone to the pub",
        "my horse came home without her saddle, someone stole it off the fence",
        "our dog ran home by himself when the fireworks started",
        "my horse came home by herself after I fell off, I'm fine, I want to report the driver",
    ],
)
def test_someone_overdue_who_is_back_now_is_not_asked_about(
    shipped: RoutingService, text: str
) -> None:
    assert "overdue out walking" not in said(shipped, text).reason


def test_violence_planned_for_another_day_is_asked_then_the_control_room(
    shipped: RoutingService,
) -> None:
    decision = said(shipped, "a group is planning to attack the march on saturday")
    assert decision.is_danger_check, decision.reason
    assert decision.otherwise is not None and decision.otherwise.destination == "fcr"


@pytest.mark.parametrize(
    "text",
    [
        "I got punched on Saturday outside a club in town and I know who did it, he was"
        " outside my house last week",
        "my shed was broken into and the man who did it is still at large",
        "I want to know if the man who did it is being let out of prison",
        # where someone is now that says nothing of here: a job, a trial, a debt
        "the officer who took my statement is now on holiday, who can I speak to",
        "the builder who did my extension is now asking for more money",
        "the man who did it is standing trial next month",
        # the same one back on another day, told of after
        "the same lads came round last week and smashed the window again",
        "it's the same man who has come into the shop three times this month",
    ],
)
def test_whoever_did_it_not_said_to_be_here_now_is_not_read_as_nearby(
    shipped: RoutingService, text: str
) -> None:
    assert NEARBY not in said(shipped, text).reason


def test_someone_followed_home_who_got_in_safe_last_night_is_not_asked_about(
    shipped: RoutingService,
) -> None:
    text = "A man followed me from the bus stop last night. I got in safe and he walked on."
    assert not said(shipped, text).is_danger_check
    now = "a man followed me home from the bus stop, I got in safe but he's outside now"
    assert said(shipped, now).destination == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my neighbour's doorbell camera shows a man taking parcels off my step on Tuesday",
        "there's a man by the school gates taking photos of his kids' sports day",
        "I'm towing my caravan to Wales tomorrow and the lights aren't working",
        "they're carrying out repairs on the road and the lights are broken",
        # driving denied: a ticket appealed
        "I want to appeal a speeding ticket, I wasn't even driving the car that day",
    ],
)
def test_a_theft_told_in_the_past_or_no_theft_is_not_read_as_going_on(
    shipped: RoutingService, text: str
) -> None:
    decision = said(shipped, text)
    assert GOING_ON not in decision.reason


def test_someone_said_to_be_here_now_in_a_sentence_of_its_own_is_asked_about(
    shipped: RoutingService,
) -> None:
    # A guarded caller's story drowns the one sentence that matters: read from there on.
    text = (
        "Hello, it's about the parcel I ordered. No, it isn't alright. He took my phone off"
        " me last time. He's here now. Can you send someone to the address this number is"
        " registered to, please?"
    )
    decision = said(shipped, text)
    assert decision.is_danger_check, decision.reason
    assert "He's here now." in decision.reason


def read_both(tmp_path: Path, entries: str, text: str) -> tuple[MeantLike, MeantLike]:
    """How the model reads ``text`` as it is, and as MeaningDoubts has it read, with a
    directory of the shipped rules' firearms licensing and ``entries``."""
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n" + entries
    )
    bundle = load_bundle(tmp_path)
    said = [Hypothesis(text)]
    raw = bundle.intents.danger_meant(said)
    read = MeaningDoubts(bundle).danger_meant(said)
    assert raw is not None and read is not None
    return raw, read


def test_the_directorys_names_are_not_read_for_danger(tmp_path: Path) -> None:
    # A name the sentence model never learnt reads as alarm ("Craig Lomax in IT"); left
    # out, the words mean what they say. The words shown are still the caller's own.
    raw, read = read_both(
        tmp_path,
        "- {id: it, kind: department, name: IT Service Desk, teams: [IT], extension: '4200'}\n"
        "- {id: craig-lomax, kind: person, name: Craig Lomax, rank: Mr, team: IT,"
        " extension: '4201'}\n",
        "Craig Lomax in IT please",
    )
    assert read.probability < ASK_FROM_WHEN_NAMED <= raw.probability
    assert read.text == "Craig Lomax in IT please"


def test_a_place_name_no_example_says_is_not_read_for_danger(tmp_path: Path) -> None:
    # "Quorndyke" is this force's own place, in no intent example: the model never learnt
    # it. Words the examples say ("neighbourhood", "team") are read as ever.
    raw, read = read_both(
        tmp_path,
        "- {id: npt-q, kind: department, name: Quorndyke Moss Neighbourhood Team,"
        " extension: '4200'}\n",
        "the local bobbies in Quorndyke Moss, it's about the lads on our corner",
    )
    assert read.probability < raw.probability


def test_the_words_left_beside_a_name_are_read_as_they_were_said(tmp_path: Path) -> None:
    # The model learnt "she's not in her room, we're in the halls"; rebuilt from bare
    # words ("shes ... were in the halls") a goodbye note was read at p 0.13, not asked.
    text = (
        "My flatmate's left a note saying sorry and goodbye and she's not answering her"
        " phone and she's not in her room, we're in the Quorndyke halls."
    )
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n"
        "- {id: campus, kind: department, name: Quorndyke Campus Team, extension: '4200'}\n"
    )
    bundle = load_bundle(tmp_path)
    read = MeaningDoubts(bundle).danger_meant([Hypothesis(text)])
    as_said = bundle.intents.danger_meant([Hypothesis(text.replace("Quorndyke ", ""))])
    assert read is not None and as_said is not None
    assert read.probability == pytest.approx(as_said.probability)
    assert read.text == text


def test_danger_said_beside_the_callers_details_is_still_asked(shipped: RoutingService) -> None:
    # Names and intents read the words without the date of birth; so does the sentence
    # model, or the date's words would drown the danger under a sure route.
    told = "my date of birth is 3rd March 1990, my little boy is missing, he's only four"
    decision = said(shipped, told)
    assert decision.is_danger_check, decision.reason


def test_a_second_matter_after_a_gun_told_by_its_licence_is_asked_about(
    shipped: RoutingService,
) -> None:
    text = (
        "I'm ringing about getting my late husband's shotgun taken away, and, oh, also,"
        " the man who's been sleeping in my shed has come into the kitchen and he won't"
        " leave"
    )
    decision = said(shipped, text)
    assert decision.is_danger_check, decision.reason
    assert "a second matter" in decision.reason


def test_a_second_matter_after_oh_and_is_read_on_its_own(shipped: RoutingService) -> None:
    """A sure first request ("the number for lost property") drowns a second told after
    "Oh, and" in the sentence model's reading of the whole."""
    text = (
        "Can I get the number for lost property at the airport? Oh, and there's a bloke going"
        " along the long-stay trying all the car doors, he's just got into a black BMW, I'm"
        " looking at him now."
    )
    decision = said(shipped, text)
    assert decision.is_danger_check, decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Can I get the number for lost property? Oh, and I lost my umbrella on the train.",
        # a few words read alone mean more than they say: only a sure meaning is asked
        "I want to report a stolen bike. Oh, and is there parking at the back of the station",
    ],
)
def test_a_second_request_after_oh_and_that_is_no_danger_is_not_asked_about(
    shipped: RoutingService, text: str
) -> None:
    assert not said(shipped, text).is_danger_check


def test_a_gun_told_by_its_licence_alone_is_not_asked_about(shipped: RoutingService) -> None:
    text = "I'm ringing about getting my late husband's shotgun taken away, he had a licence"
    assert not said(shipped, text).is_danger_check


@pytest.mark.parametrize(
    "text",
    [
        "people keep parking right across the dropped kerb so my wife can't get her wheelchair out",
        "someone keeps parking across my drive so I can't get my car out in the mornings",
    ],
)
def test_parking_told_as_a_habit_is_not_asked_about(shipped: RoutingService, text: str) -> None:
    assert not said(shipped, text).is_danger_check


@pytest.mark.parametrize(
    "text",
    [
        "my neighbour keeps parking across my drive and my wife's gone into labour and we"
        " can't get the car out",
        "the man who keeps parking across my drive has followed my daughter into the house"
        " and won't leave",
    ],
)
def test_danger_told_beside_a_parking_habit_is_still_asked_about(
    shipped: RoutingService, text: str
) -> None:
    assert said(shipped, text).is_danger_check


@pytest.mark.parametrize(
    "text",
    [
        "I reported my bike stolen while I was out walking the dog and they still haven't"
        " come back to me about it",
        "someone took my walking stick on the bus and hasn't returned it",
        "I've got CCTV of two men stealing my parcel off the step, who do I send it to",
        "the men taking the bins out leave rubbish everywhere",
        "how do I get onto the course for speed awareness instead of the points",
    ],
)
def test_walks_groups_and_courses_that_are_no_danger_are_not_asked_about(
    shipped: RoutingService, text: str
) -> None:
    assert not said(shipped, text).is_danger_check


def test_railings_as_a_place_are_no_emergency(shipped: RoutingService) -> None:
    decision = said(shipped, "my bike was nicked from outside the railings at the station")
    assert decision.destination != "emergency" and not decision.is_danger_check


def test_a_second_matter_told_as_a_habit_is_not_asked_about(shipped: RoutingService) -> None:
    text = (
        "I'm ringing about my late husband's shotgun licence, also my neighbour keeps shouting"
        " at my kids over the fence"
    )
    assert not said(shipped, text).is_danger_check
