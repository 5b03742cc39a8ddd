"""A caller's way from their first words to where the call goes, and how long it takes.

The shipped flow, as ivr.flows.decision_plan and ivr.verbs carry out a Decision, walked
by a caller who knows what they need and answers honestly:

* **route**: the call goes there (an emergency route is 999 handling);
* **danger check** (ivr.verbs.danger, ivr.flows.emergency.DangerCheck): "If someone is
  in danger right now, press 9, or say yes..." in full; an emergency caller says "yes",
  anyone else "no"; the reply is heard by the engine, told a yes or a no is coming
  (``Hint.YES_NO``, as at every yes/no question), and read as the app reads it (only
  a plain no carries on: anything unclear is danger); then the decision it picks;
* **confirm**: "Did you want <name>? If that's right, press 1..." in full; the caller
  says "yes" when the offer serves them, else "no"; heard and read by
  ivr.verbs.choice.spoken_yes_no. Unclear: "Sorry, that isn't one of the choices" and
  the question again, once (ask_choice's two tries; the same words are heard the same
  way), then a person (switchboard). Yes: the router decides once more on the
  confirmed destination. No: the menu again, at the next asking, with no apology;
* **disambiguate**: the list in full, then a key (``KEY_S``) for the offer that serves
  the caller, or 0 (someone else: a person) when none does;
* **reprompt**: the apology (the decision's message, else "ask_again") and the spoken
  invitation ("In a few words, tell me why you're calling...", the caller then speaks
  over the keypad menu), or only "ask_name" / "ask_reference" when it asks for one; the
  caller says the same request again (after the name or reference question too: the
  bench has no other answer), in the next voice of the rotation. The engine
  itself sends the call to the switchboard once the reprompt limit is reached
  (routing_rules/rules.yaml ``reprompt_limit``: the decision says so).

Time runs from the caller's first word (the welcome and the first invitation are the
same for every caller) to the decision that puts the call through (the transfer
prompt is the same for all). Words take their audio's length; the endpointer then
waits ``trailing_silence_s`` of silence, or less when the early decode
(``early_s``) finishes first: max(trailing, early + decode), then routing. Prompts
take their shipped audio's length (prompts/sounds), names theirs.

A walk that asks the menu more than ``MAX_ASKINGS`` times (a caller declining offer
after offer) is counted as reaching a person: no real caller goes on longer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ivr.decisions import EMERGENCY, SWITCHBOARD, Ask, Candidate, Decision
from ivr.media.endpointing import EndpointerConfig
from ivr.verbs.choice import spoken_yes_no

MAX_ASKINGS = 4
KEY_S = 1.0  # a key pressed after a list ends
DIGIT_S = 0.5  # "digits:N" read out in a disambiguation
SPOKEN_MENU = ("ask_speech",)  # the invitation a caller answers; they barge in over the rest
YES, NO = "yes", "no"


class End(StrEnum):
    RIGHT = "right"  # put through to a destination that serves the caller
    PERSON = "person"  # a person (switchboard) took over, not where the caller needed
    WRONG = "wrong"  # put through somewhere that does not serve the caller


@dataclass(frozen=True, slots=True)
class Turn:
    """One asking of the menu as the engine heard it."""

    decision: Decision
    speech_s: float  # the caller's words (audio length)
    decode_s: float  # recognition (both passes when the second was asked)
    decide_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Reply:
    """A word said at a question, as the engine heard it."""

    heard: str
    speech_s: float
    decode_s: float


class Caller(Protocol):
    """A caller with one need, speaking through one engine (bench/spoken_caller.py)."""

    def request(self, attempt: int) -> Turn:
        """Says the request at the ``attempt``-th asking; the engine decides on it."""
        ...

    def say(self, word: str, attempt: int) -> Reply: ...

    def confirmed(self, destination: str, attempt: int) -> Decision:
        """The router's decision on a destination the caller confirmed or picked."""
        ...

    def danger_key(self, heard: str) -> str | None:
        """How the danger check reads a reply: "9", "2" or None (unclear)."""
        ...


@dataclass(frozen=True, slots=True)
class Clock:
    """How long the flow's prompts and the caller's turns take."""

    prompt_s: Callable[[str], float]  # a catalogue prompt's length
    name_s: Callable[[Candidate], float]  # a candidate's name as the flow says it
    trailing_s: float = EndpointerConfig().trailing_silence_s
    early_s: float | None = EndpointerConfig().early_s

    def listened(self, speech_s: float, decode_s: float) -> float:
        """Words, then the endpointer's wait or the early decode, whichever ends later."""
        early = self.trailing_s if self.early_s is None else self.early_s + decode_s
        return speech_s + max(self.trailing_s, early)

    def turn(self, turn: Turn) -> float:
        return self.listened(turn.speech_s, turn.decode_s) + turn.decide_s

    def reply(self, reply: Reply) -> float:
        return self.listened(reply.speech_s, reply.decode_s)

    def prompts(self, ids: Collection[str]) -> float:
        return sum(self.prompt_s(i) for i in ids)

    def offer(self, candidate: Candidate) -> float:
        return self.prompts(["confirm_prefix", "confirm_suffix"]) + self.name_s(candidate)

    def choices(self, candidates: Collection[Candidate]) -> float:
        each = sum(self.prompts(["for", "press"]) + self.name_s(c) + DIGIT_S for c in candidates)
        return self.prompts(["disambiguate_intro", "someone_else"]) + each


@dataclass(frozen=True, slots=True)
class Journey:
    end: End
    landed: str  # where the call went
    seconds: float  # from the first word to the decision that put the call through
    askings: int  # times the request was said
    questions: int  # confirmations, choices and danger checks asked
    first_wait_s: float = 0.0  # end of the first words -> the first decision

    @property
    def right(self) -> bool:
        return self.end is End.RIGHT


def offered(decision: Decision) -> list[Candidate]:
    """The candidates a disambiguation offers, as ivr.flows.decision_plan picks them."""
    chosen = set(decision.evidence.get("choices") or ())
    return [c for c in decision.candidates if c.destination in chosen] or list(decision.candidates)


def asked_again(decision: Decision, known: Callable[[str], bool]) -> tuple[str, ...]:
    """What a reprompt plays before the caller speaks again (ivr.flows.decision_plan):
    its own question when it asks for a name or a reference, else an apology and the
    menu's spoken invitation."""
    if decision.ask is Ask.REFERENCE or decision.ask is Ask.NAME:
        return (decision.ask.prompt,)
    message = decision.message or "ask_again"
    return (message if known(message) else "ask_again", *SPOKEN_MENU)


class Walk:
    """One caller's journey (``walk``), kept as state so each step stays small."""

    def __init__(self, caller: Caller, accepted: Collection[str], clock: Clock) -> None:
        self.caller = caller
        self.accepted = frozenset(accepted)
        self.emergency = EMERGENCY in self.accepted
        self.clock = clock
        self.seconds = 0.0
        self.askings = 0
        self.questions = 0
        self.first_wait_s = 0.0

    def run(self, known: Callable[[str], bool]) -> Journey:
        decision = self.ask(1)
        attempt = 1
        while True:
            if decision.action == "route" and decision.destination:
                return self.end(decision.destination)
            if decision.is_danger_check:
                decision = self.danger_check(decision, attempt)
                continue
            if decision.action == "confirm" and decision.candidates:
                answer = self.confirm(decision.candidates[0], attempt)
                if answer is None:
                    return self.end(SWITCHBOARD)
                if answer:
                    decision = self.caller.confirmed(decision.candidates[0].destination, attempt)
                    continue
            elif decision.action == "disambiguate" and decision.candidates:
                choices = offered(decision)
                self.questions += 1
                self.seconds += self.clock.choices(choices) + KEY_S
                serves = [c for c in choices if c.destination in self.accepted]
                if not serves:
                    return self.end(SWITCHBOARD)  # "someone else": a person
                decision = self.caller.confirmed(serves[0].destination, attempt)
                continue
            if attempt >= MAX_ASKINGS:
                return self.end(SWITCHBOARD)
            declined = decision.action == "confirm" and decision.candidates
            # A declined offer asks the menu again with no apology (ivr.session.steps.AskAgain).
            again = SPOKEN_MENU if declined else asked_again(decision, known)
            self.seconds += self.clock.prompts(again)
            attempt += 1
            decision = self.ask(attempt)

    def ask(self, attempt: int) -> Decision:
        turn = self.caller.request(attempt)
        self.askings += 1
        self.seconds += self.clock.turn(turn)
        if self.askings == 1:
            self.first_wait_s = self.clock.turn(turn) - turn.speech_s
        return turn.decision

    def danger_check(self, decision: Decision, attempt: int) -> Decision:
        self.questions += 1
        self.seconds += self.clock.prompt_s("danger_check")
        reply = self.caller.say(YES if self.emergency else NO, attempt)
        self.seconds += self.clock.reply(reply)
        key = self.caller.danger_key(reply.heard)
        return decision.answered(key != "2", f"said {reply.heard!r}")

    def confirm(self, candidate: Candidate, attempt: int) -> bool | None:
        """True: the caller said yes (and was heard); False: no; None: a person."""
        self.questions += 1
        word = YES if candidate.destination in self.accepted else NO
        for tries in (1, 2):
            if tries == 2:
                self.seconds += self.clock.prompt_s("invalid_choice")
            self.seconds += self.clock.offer(candidate)
            reply = self.caller.say(word, attempt)
            self.seconds += self.clock.reply(reply)
            key = spoken_yes_no(reply.heard)
            if key is not None:
                return key == "1"
        return None

    def end(self, destination: str) -> Journey:
        if destination in self.accepted:
            end = End.RIGHT
        else:
            end = End.PERSON if destination == SWITCHBOARD else End.WRONG
        return Journey(
            end, destination, self.seconds, self.askings, self.questions, self.first_wait_s
        )


def walk(
    caller: Caller, accepted: Collection[str], clock: Clock, known: Callable[[str], bool]
) -> Journey:
    """Where the caller's call goes, and when (``known``: a prompt id the catalogue has)."""
    return Walk(caller, accepted, clock).run(known)
