"""Asking by voice or keypad through fakes: barge-in, recognition, failures that step down."""

from __future__ import annotations

from ivr.decisions import Candidate, Decision, Expect, Hypothesis
from ivr.routing.model import RoutingInputs
from ivr.session.events import DigitPressed, PromptFinished, SpeechEnded, SpeechStarted
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import Chosen
from ivr.speech.model import RecognizerError, Transcript
from ivr.verbs.ask import Question
from ivr.verbs.route import Confirm, RouteCall, spoken_choice, spoken_yes_no
from tests.fakes import FakeControl, MemoryCallLog
from tests.unit.session.test_route_verbs import TableRouter
from tests.unit.session.test_verbs import make_session


class FakeSpeech:
    def __init__(self, text: str = "", fail: bool = False) -> None:
        self.text = text
        self.fail = fail
        self.heard: list[bytes] = []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.heard.append(pcm)
        if self.fail:
            raise RecognizerError("engine crashed")
        return Transcript((Hypothesis(self.text, 0.9),), "fake", audio_seconds=1.0)


def listening_session(speech: FakeSpeech) -> tuple[FakeControl, CallSession, MemoryCallLog]:
    control = FakeControl()
    control.listening = True
    session, call_log = make_session(control, speech=speech)
    return control, session, call_log


async def test_speech_over_a_prompt_stops_it_and_the_utterance_is_recognised() -> None:
    speech = FakeSpeech("can I speak to PC Johnson")
    control, session, call_log = listening_session(speech)
    control.push(
        SpeechStarted(1), PromptFinished("pb-1", True), SpeechEnded(b"\x00\x01" * 800, epoch=1)
    )
    answer = await Question(["main_menu"]).ask(session)
    assert answer.status == "speech"
    assert answer.transcript is not None and answer.transcript.text == "can I speak to PC Johnson"
    assert control.ops() == ["start_listening", "reset_listening", "play", "stop_playback"]
    assert speech.heard == [b"\x00\x01" * 800]
    kinds = call_log.kinds()
    assert "barge-in" in kinds and "speech" in kinds


async def test_a_key_still_wins_while_listening() -> None:
    control, session, _ = listening_session(FakeSpeech("ignored"))
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    answer = await Question(["main_menu"]).ask(session)
    assert (answer.status, answer.digits) == ("digits", "2")


async def test_a_recognizer_failure_switches_the_call_to_the_keypad() -> None:
    control, session, call_log = listening_session(FakeSpeech(fail=True))
    control.push(
        PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
    )
    answer = await Question(["main_menu"]).ask(session)
    assert answer.status == "speech-failed"
    assert not session.can_listen
    assert "stop_listening" in control.ops()
    control.push(PromptFinished("pb-2", True), DigitPressed("1"))
    again = await Question(["main_menu"]).ask(session)  # keypad: no new epoch
    assert again.digits == "1"
    assert control.ops().count("start_listening") == 1  # not tried again
    assert "speech-failed" in call_log.kinds()


async def test_when_the_audio_path_does_not_come_up_the_question_is_keypad_only() -> None:
    control = FakeControl()
    session, call_log = make_session(control, speech=FakeSpeech("x"))
    control.push(PromptFinished("pb-1", True), DigitPressed("0"))
    answer = await Question(["main_menu"]).ask(session)
    assert answer.digits == "0" and not session.can_listen
    assert "speech-unavailable" in call_log.kinds()


async def test_route_call_hands_the_n_best_to_the_router() -> None:
    control, session, call_log = listening_session(FakeSpeech("firearms licensing"))
    router = TableRouter(Decision("route", "directory:firearms-licensing", rule="r", reason="r"))
    control.push(
        PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
    )
    await RouteCall(["main_menu"], router).run(session)
    (inputs,) = router.seen
    assert isinstance(inputs, RoutingInputs)
    assert inputs.hypotheses == (Hypothesis("firearms licensing", 0.9),) and inputs.digits is None
    stored = call_log.decisions[0]
    assert stored["evidence"]["inputs"]["heard"] == [
        {"text": "firearms licensing", "confidence": 0.9}
    ]


async def test_confirm_accepts_a_spoken_yes() -> None:
    control, session, _ = listening_session(FakeSpeech("yes please"))
    control.push(
        PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
    )
    candidate = Candidate("directory:sarah-johnson", "PC Sarah Johnson", 0.7)
    outcome = await Confirm(candidate).run(session)
    assert (outcome.status, outcome.step) == (Status.CONFIRMED, Chosen(candidate.destination, 1))


def test_spoken_answers_map_to_keys() -> None:
    assert spoken_yes_no("yes that's right") == "1"
    assert spoken_yes_no("no") == "2"
    assert spoken_yes_no("no yes") is None
    assert spoken_yes_no("banana") is None
    choices = ["Sergeant Priya Patel", "Sergeant Raj Patel"]
    assert spoken_choice("the second one", choices) == "2"
    assert spoken_choice("raj patel", choices) == "2"
    assert spoken_choice("patel", choices) is None  # both equally: ask again
    assert spoken_choice("someone else", choices) == "0"


async def test_speech_from_before_the_question_never_answers_it() -> None:
    speech = FakeSpeech("yes it was last week")
    control, session, _ = listening_session(speech)
    control.epoch = 4  # the next question is epoch 5
    control.push(
        SpeechStarted(4),  # the tail of the previous answer
        SpeechEnded(b"\x01" * 1600, epoch=4),
        PromptFinished("pb-1", True),
        DigitPressed("2"),
    )
    answer = await Question(["confirm_suffix"]).ask(session)
    assert (answer.status, answer.digits) == ("digits", "2")
    assert speech.heard == []
    assert "stop_playback" not in control.ops()  # the stale speech did not barge in


def test_punctuated_answers_from_whisper_are_understood() -> None:
    assert spoken_yes_no("Yes.") == "1"
    assert spoken_yes_no("No.") == "2"
    assert spoken_choice("The second one, please.", ["A B", "C D"]) == "2"
