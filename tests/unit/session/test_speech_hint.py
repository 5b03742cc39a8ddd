"""The question tells the recogniser what it asked: a name question primes Whisper with
names, the menu does not (issue 16: names primed at the menu were heard in sentences)."""

from __future__ import annotations

import pytest

from ivr.decisions import Ask, Candidate, Decision, Expect, Hint, Hypothesis
from ivr.flows.builder import SPOKEN_MENU
from ivr.session.events import PromptFinished, SpeechEnded, SpeechStarted
from ivr.speech.model import Transcript
from ivr.verbs.route import Confirm, Disambiguate, RouteCall
from tests.fakes import FakeControl
from tests.unit.session.test_route_verbs import TableRouter
from tests.unit.session.test_verbs import make_session


class HintedSpeech:
    def __init__(self) -> None:
        self.expected: list[Expect | None] = []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.expected.append(expect)
        return Transcript((Hypothesis("sergeant smyth", 0.9),), "fake", audio_seconds=1.0)


@pytest.mark.parametrize(
    ("question", "expect"),
    [(SPOKEN_MENU, None), (("ask_name",), Ask.NAME), (("ask_reference",), Ask.REFERENCE)],
)
async def test_the_question_asked_is_the_hint_the_recogniser_gets(
    question: tuple[str, ...], expect: Expect | None
) -> None:
    speech = HintedSpeech()
    control = FakeControl()
    control.listening = True
    session, _ = make_session(control, speech=speech)
    control.push(
        PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
    )
    router = TableRouter(Decision("route", "directory:x", rule="r", reason="r"))
    await RouteCall(question, router, spoken_question=question).run(session)
    assert speech.expected == [expect]


class Answers(HintedSpeech):
    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.expected.append(expect)
        return Transcript((Hypothesis(self.words, 0.9),), "fake", audio_seconds=1.0)


async def test_a_confirmation_hints_a_yes_or_no_and_a_list_of_names_does_not() -> None:
    johnson = Candidate("directory:p-0001", "PC Sarah Johnson", 0.74, "surname phonetic")
    johnston = Candidate("directory:p-0002", "DC Sam Johnston", 0.72, "surname phonetic")
    for verb, words, expect in (
        (Confirm(johnson), "yes", Hint.YES_NO),
        (Disambiguate([johnson, johnston]), "the second one", None),
    ):
        speech = Answers(words)
        control = FakeControl()
        control.listening = True
        session, _ = make_session(control, speech=speech)
        control.push(
            PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
        )
        outcome = await verb.run(session)
        assert outcome.step is not None and speech.expected == [expect]
