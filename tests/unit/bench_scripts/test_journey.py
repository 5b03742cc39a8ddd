"""The journey model on hand-made decisions: where the call goes, and when."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bench.journey import KEY_S, Clock, End, Reply, Turn, walk
from ivr.decisions import EMERGENCY, FCR, RC, SWITCHBOARD, Ask, Candidate, Decision

PROMPTS = {
    "ask_again": 3.0,
    "ask_speech": 6.0,
    "confirm_prefix": 1.0,
    "confirm_suffix": 3.0,
    "invalid_choice": 2.0,
    "danger_check": 6.5,
    "disambiguate_intro": 1.5,
    "someone_else": 2.0,
    "for": 0.5,
    "press": 0.5,
    "no_input": 1.9,
    "ask_name": 3.3,
}
NAME_S = 1.2
CLOCK = Clock(PROMPTS.__getitem__, lambda candidate: NAME_S, trailing_s=0.8, early_s=0.4)


def known(prompt_id: str) -> bool:
    return prompt_id in PROMPTS


def route(destination: str) -> Decision:
    return Decision("route", destination, "test", "test")


def reprompt(message: str | None = None) -> Decision:
    return Decision("reprompt", None, "no-match", "nothing usable", message=message)


def confirm(destination: str) -> Decision:
    return Decision(
        "confirm", None, "test", "unsure", candidates=(Candidate(destination, destination, 0.6),)
    )


def danger_check(otherwise: Decision) -> Decision:
    return Decision("confirm", EMERGENCY, "danger-doubt", "a cue, unsure", otherwise=otherwise)


@dataclass
class Scripted:
    """A caller whose every asking and reply is written down (decode times included)."""

    turns: list[Turn]
    heard: dict[str, str] = field(default_factory=lambda: {"yes": "yes", "no": "no"})
    said: list[str] = field(default_factory=list)

    def request(self, attempt: int) -> Turn:
        return self.turns[attempt - 1]

    def say(self, word: str, attempt: int) -> Reply:
        self.said.append(word)
        return Reply(self.heard[word], speech_s=0.5, decode_s=0.2)

    def confirmed(self, destination: str, attempt: int) -> Decision:
        return route(destination)

    def danger_key(self, heard: str) -> str | None:
        return "2" if heard == "no" else "9" if heard == "yes" else None


REPLY_S = 0.5 + 0.8  # words, then the endpointer's 0.8 s (the early decode is quicker)


def test_a_right_first_route_takes_the_words_the_endpoint_and_the_decision() -> None:
    fast = walk(Scripted([Turn(route(RC), 3.0, 0.3, 0.01)]), {RC}, CLOCK, known)
    assert (fast.end, fast.landed, fast.askings, fast.questions) == (End.RIGHT, RC, 1, 0)
    assert fast.seconds == pytest.approx(3.0 + 0.8 + 0.01)  # 0.4 + 0.3 < 0.8
    slow = walk(Scripted([Turn(route(RC), 3.0, 1.5, 0.01)]), {RC}, CLOCK, known)
    assert slow.seconds == pytest.approx(3.0 + 0.4 + 1.5 + 0.01)  # the decode ends later
    assert slow.first_wait_s == pytest.approx(0.4 + 1.5 + 0.01)


def test_a_confirmation_adds_the_question_and_a_heard_yes() -> None:
    caller = Scripted([Turn(confirm(FCR), 3.0, 0.2)])
    journey = walk(caller, {FCR}, CLOCK, known)
    assert (journey.end, journey.questions, caller.said) == (End.RIGHT, 1, ["yes"])
    assert journey.seconds == pytest.approx(3.0 + 0.8 + (1.0 + NAME_S + 3.0) + REPLY_S)


def test_a_wrong_offer_is_declined_and_the_menu_asked_again() -> None:
    caller = Scripted([Turn(confirm(RC), 3.0, 0.2), Turn(route(FCR), 2.5, 0.2)])
    journey = walk(caller, {FCR}, CLOCK, known)
    assert (journey.end, journey.askings, caller.said) == (End.RIGHT, 2, ["no"])
    offer = 1.0 + NAME_S + 3.0
    assert journey.seconds == pytest.approx(3.8 + offer + REPLY_S + 6.0 + 2.5 + 0.8)


def test_a_yes_heard_as_nothing_is_asked_twice_then_a_person() -> None:
    caller = Scripted([Turn(confirm(FCR), 3.0, 0.2)], heard={"yes": "gill"})
    journey = walk(caller, {FCR}, CLOCK, known)
    assert (journey.end, journey.landed, caller.said) == (End.PERSON, SWITCHBOARD, ["yes"] * 2)
    offer = 1.0 + NAME_S + 3.0
    assert journey.seconds == pytest.approx(3.8 + 2 * (offer + REPLY_S) + 2.0)


def test_a_reprompt_plays_its_message_and_the_caller_says_it_again() -> None:
    turns = [Turn(reprompt("no_input"), 3.0, 0.2), Turn(route(RC), 3.2, 0.2)]
    journey = walk(Scripted(turns), {RC}, CLOCK, known)
    assert (journey.end, journey.askings) == (End.RIGHT, 2)
    assert journey.seconds == pytest.approx(3.8 + 1.9 + 6.0 + 4.0)
    unknown = [Turn(reprompt("not_a_prompt"), 3.0, 0.2), Turn(route(RC), 3.2, 0.2)]
    assert walk(Scripted(unknown), {RC}, CLOCK, known).seconds == pytest.approx(
        3.8 + 3.0 + 6.0 + 4.0  # an unknown message: "ask_again", as the flow plays
    )


def test_the_engines_reprompt_limit_reaches_a_person_who_is_not_right() -> None:
    turns = [Turn(reprompt(), 3.0, 0.2), Turn(route(SWITCHBOARD), 3.0, 0.2)]
    assert walk(Scripted(turns), {RC}, CLOCK, known).end is End.PERSON
    assert walk(Scripted(turns), {SWITCHBOARD}, CLOCK, known).end is End.RIGHT


def test_an_emergency_says_yes_to_the_danger_check_and_reaches_999() -> None:
    caller = Scripted([Turn(danger_check(reprompt()), 2.0, 0.2)])
    journey = walk(caller, {EMERGENCY}, CLOCK, known)
    assert (journey.end, journey.landed, caller.said) == (End.RIGHT, EMERGENCY, ["yes"])
    assert journey.seconds == pytest.approx(2.8 + 6.5 + REPLY_S)


def test_anyone_else_says_no_and_goes_on_unless_the_no_is_misheard() -> None:
    check = danger_check(route(RC))
    heard = walk(Scripted([Turn(check, 2.0, 0.2)]), {RC}, CLOCK, known)
    assert (heard.end, heard.landed) == (End.RIGHT, RC)
    misheard = Scripted([Turn(check, 2.0, 0.2)], heard={"no": "bill"})
    wrong = walk(misheard, {RC}, CLOCK, known)  # unclear is danger: 999 for a 101 caller
    assert (wrong.end, wrong.landed) == (End.WRONG, EMERGENCY)


def test_a_choice_takes_the_list_and_a_key_or_someone_else() -> None:
    two = (Candidate(RC, "rc", 0.5), Candidate(FCR, "fcr", 0.49))
    choice = Decision("disambiguate", None, "close", "close", candidates=two)
    journey = walk(Scripted([Turn(choice, 3.0, 0.2)]), {FCR}, CLOCK, known)
    listed = 1.5 + 2.0 + 2 * (0.5 + 0.5 + NAME_S + 0.5)
    assert (journey.end, journey.landed) == (End.RIGHT, FCR)
    assert journey.seconds == pytest.approx(3.8 + listed + KEY_S)
    nobody = walk(Scripted([Turn(choice, 3.0, 0.2)]), {"online"}, CLOCK, known)
    assert (nobody.end, nobody.landed) == (End.PERSON, SWITCHBOARD)


def test_offer_after_declined_offer_ends_with_a_person() -> None:
    caller = Scripted([Turn(confirm(RC), 3.0, 0.2)] * 6)
    journey = walk(caller, {FCR}, CLOCK, known)
    assert (journey.end, journey.askings) == (End.PERSON, 4)
    assert journey.right is False


def test_a_question_for_a_name_is_asked_instead_of_the_menu() -> None:
    name = Decision("reprompt", None, "ask", "a name?", ask=Ask.NAME)
    turns = [Turn(name, 3.0, 0.2), Turn(route(RC), 3.2, 0.2)]
    assert walk(Scripted(turns), {RC}, CLOCK, known).seconds == pytest.approx(3.8 + 3.3 + 4.0)
