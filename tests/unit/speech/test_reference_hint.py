"""The question's hint reaches the recogniser: a question asking for a crime reference
decodes with digits in mind (PocketSphinx's digits grammar, Whisper's numeric prompt),
the menu and other questions as before (issue 16 item 4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ivr.decisions import Ask, Decision, Expect, Hypothesis
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.references import parse_reference
from ivr.session.events import PromptFinished, SpeechEnded, SpeechStarted
from ivr.session.steps import Decided
from ivr.speech.early import EarlySpeech
from ivr.speech.model import Transcript
from ivr.speech.pool import SpeechPool
from ivr.speech.sphinx import REFERENCE_WORDS, PocketSphinxRecognizer
from ivr.speech.sphinx_model import pronunciations
from ivr.speech.twopass import TwoPassSpeech
from ivr.speech.whisper import REFERENCE_PROMPT
from ivr.text import words_to_digits
from ivr.verbs.ask import Question
from ivr.verbs.route import RouteCall
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_route_verbs import TableRouter
from tests.unit.session.test_verbs import make_session
from tests.unit.speech.conftest import _need, read_pcm
from tests.unit.test_flows import OneEntryRouting

UTTERANCE = b"\x00\x01" * 800


class HintedSpeech:
    """Records the hint each recognition was asked with."""

    def __init__(self, text: str = "four two stroke one eight seven three four") -> None:
        self.text = text
        self.expected: list[Expect | None] = []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.expected.append(expect)
        return Transcript((Hypothesis(self.text, 0.9),), "fake")


class HintedEngine:
    """A blocking Recognizer that records its hints (for the pool)."""

    name = "hinted"

    def __init__(self) -> None:
        self.expected: list[Expect | None] = []

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.expected.append(expect)
        return Transcript((Hypothesis("x", 0.9),), self.name)


async def answered(question: Question, speech: HintedSpeech) -> None:
    control = FakeControl()
    control.listening = True
    session, _ = make_session(control, speech=speech)
    control.push(SpeechStarted(1), PromptFinished("pb-1", True), SpeechEnded(UTTERANCE, epoch=1))
    answer = await question.ask(session)
    assert answer.status == "speech"


async def test_the_reference_question_asks_for_digits_and_the_menu_does_not() -> None:
    speech = HintedSpeech()
    await answered(Question(["ask_reference"], max_digits=16), speech)
    await answered(Question(["main_menu"]), speech)
    await answered(Question(["ask_name"]), speech)
    await answered(Question(["main_menu"], expect=Ask.REFERENCE), speech)
    assert speech.expected == [Ask.REFERENCE, None, Ask.NAME, Ask.REFERENCE]


async def test_a_reprompt_for_a_reference_carries_the_hint_through_the_flow() -> None:
    flow = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())
    reprompt = Decision("reprompt", None, "ask-reference", "", ask=Ask.REFERENCE)
    (ask,) = flow.verbs_for(Decided(reprompt, attempt=1))
    assert isinstance(ask, RouteCall) and ask.question == ("ask_reference",)
    speech = HintedSpeech()
    control = FakeControl()
    control.listening = True
    session, _ = make_session(control, speech=speech)
    control.push(SpeechStarted(1), PromptFinished("pb-1", True), SpeechEnded(UTTERANCE, epoch=1))
    ask.router = TableRouter(Decision("route", "rc", "x", ""))
    await ask.run(session)
    assert speech.expected == [Ask.REFERENCE]


async def test_the_pool_two_pass_and_early_speech_pass_the_hint_on() -> None:
    engine = HintedEngine()
    pool = SpeechPool(engine, workers=1, processes=False)
    try:
        await pool.recognize(UTTERANCE, expect=Ask.REFERENCE)
        await pool.recognize(UTTERANCE)
    finally:
        await pool.close()
    assert engine.expected == [Ask.REFERENCE, None]

    fast, slow = HintedSpeech(), HintedSpeech()
    await TwoPassSpeech(fast, slow, lambda _: "", below=1.0).recognize(b"", expect=Ask.REFERENCE)
    assert fast.expected == slow.expected == [Ask.REFERENCE]

    inner = HintedSpeech()
    early = EarlySpeech(inner)
    early.prefetch(UTTERANCE)  # decoded while the caller paused, without the hint
    await early.recognize(UTTERANCE, expect=Ask.REFERENCE)  # decoded again, with it
    await early.close()
    assert inner.expected[-1] is Ask.REFERENCE and early.used == 0


def test_the_digits_grammar_words_are_all_pronounceable_and_the_prompt_is_a_reference() -> None:
    assert all(pronunciations(word)[0] for word in REFERENCE_WORDS)
    assert {"stroke", "double", "oh", "forty", "sorry"} <= REFERENCE_WORDS
    assert parse_reference(REFERENCE_PROMPT) == "42/12345/26"
    assert "42/12345/26" in words_to_digits(REFERENCE_PROMPT)


@pytest.mark.parametrize("voice", ["rms", "awb"])
def test_pocketsphinx_hears_a_spoken_reference_with_the_digits_grammar(
    sphinx: PocketSphinxRecognizer, tmp_path: Path, voice: str
) -> None:
    """A reference said digit by digit (flite, telephone band): with the hint the digits
    grammar's reading comes first and is exact (bench/references.py: the LM alone hears
    almost none)."""
    _need("flite", "sox")
    raw, out = tmp_path / "raw.wav", tmp_path / "8k.wav"
    said = "four two stroke one eight seven three four stroke two four"
    subprocess.run(["flite", "-voice", voice, "-t", said, "-o", str(raw)], check=True)
    band = ["sinc", "300-3400"]
    subprocess.run(["sox", "-R", str(raw), "-r", "8000", "-b", "16", "-c", "1", str(out), *band])
    pcm = read_pcm(out)
    hinted = sphinx.recognize(pcm, 8000, expect=Ask.REFERENCE)
    assert parse_reference(hinted.text) == "42/18734/24"
    # The LM's n-best follow (PocketSphinx's LM readings vary slightly from decode to
    # decode, so only their place is checked).
    assert len(hinted.alternatives) > 1


def test_a_sentence_at_the_reference_question_is_not_turned_into_digits(
    sphinx: PocketSphinxRecognizer, tmp_path: Path
) -> None:
    _need("flite", "sox")
    raw, out = tmp_path / "raw.wav", tmp_path / "8k.wav"
    said = "I want to report a burglary"
    subprocess.run(["flite", "-voice", "slt", "-t", said, "-o", str(raw)], check=True)
    subprocess.run(
        ["sox", "-R", str(raw), "-r", "8000", "-b", "16", "-c", "1", str(out)], check=True
    )
    pcm = read_pcm(out)
    hinted = sphinx.recognize(pcm, 8000, expect=Ask.REFERENCE)
    assert hinted.text == sphinx.recognize(pcm, 8000).text == "i want to report a burglary"
    assert not any(parse_reference(h.text) for h in hinted.alternatives)
