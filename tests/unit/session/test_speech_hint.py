"""The question tells the recogniser what it asked: a name question primes Whisper with
names, the menu does not (issue 16: names primed at the menu were heard in sentences)."""

from __future__ import annotations

import pytest

from ivr.decisions import Ask, Decision, Hypothesis
from ivr.flows.builder import SPOKEN_MENU
from ivr.session.events import PromptFinished, SpeechEnded, SpeechStarted
from ivr.speech.model import Transcript
from ivr.verbs.route import RouteCall
from tests.fakes import FakeControl
from tests.unit.session.test_route_verbs import TableRouter
from tests.unit.session.test_verbs import make_session


class HintedSpeech:
    def __init__(self) -> None:
        self.expected: list[Ask | None] = []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Ask | None = None
    ) -> Transcript:
        self.expected.append(expect)
        return Transcript((Hypothesis("sergeant smyth", 0.9),), "fake", audio_seconds=1.0)


@pytest.mark.parametrize(
    ("question", "expect"),
    [(SPOKEN_MENU, None), (("ask_name",), Ask.NAME), (("ask_reference",), Ask.REFERENCE)],
)
async def test_the_question_asked_is_the_hint_the_recogniser_gets(
    question: tuple[str, ...], expect: Ask | None
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
