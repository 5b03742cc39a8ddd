"""Question: ask once, take the answer by voice or keypad, whichever comes first.

Every prompt that asks something accepts both (deaf and speech-impaired
callers use keys; others talk). A key press stops the prompt and is kept;
speech stops it too when the call is listening. A recognizer failure is
recorded, speech is switched off for the rest of the call, and the caller
is asked again on the keypad: it never drops the call. An emergency said or
keyed at any question leaves the step at once (ivr.session.emergency).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ivr.decisions import Ask, Expect
from ivr.session.events import DigitPressed, ListeningFailed, SpeechEnded, SpeechStarted
from ivr.session.session import CallSession
from ivr.speech.model import RecognizerError, Transcript
from ivr.verbs.basic import Play


@dataclass(frozen=True)
class Answer:
    status: str  # digits | speech | no-input | speech-failed
    digits: str | None = None
    transcript: Transcript | None = None


async def collect_digits(
    session: CallSession,
    *,
    max_digits: int,
    terminator: str,
    first_timeout: float,
    inter_timeout: float,
    label: str,
    stop_on: str | None = None,
    single_keys: Collection[str] = (),
) -> str:
    """Keys typed ahead first, then keys as they come; '#' ends a multi-digit entry.

    ``stop_on``: a first key that ends the entry at once (9 where no number starts with
    it: an emergency never waits for the inter-digit timeout). Keys beyond ``max_digits``
    are read until the caller stops (the terminator or a pause) and kept in the answer,
    which is then too long to be valid: they never spill into the next question.
    ``single_keys``: first keys that are a whole answer (a menu choice) in an entry that
    may be longer (a crime reference, which the others start).
    """
    loop = asyncio.get_running_loop()
    collected = ""
    deadline = loop.time() + first_timeout
    while True:
        if session.keys:
            digit = session.keys.pop()
        else:
            event = await session.wait(max(0.0, deadline - loop.time()))
            if event is None:
                break
            if not isinstance(event, DigitPressed):
                continue  # a late event of an earlier step; the deadline stands
            digit = event.digit
            session.record("dtmf", digit=digit, during=label)
        if not collected and digit in single_keys:
            collected = digit
            break
        if digit == terminator and max_digits > 1:
            break
        collected += digit
        if collected == stop_on or (max_digits == 1 and collected):
            break
        if len(collected) == max_digits + 1:
            session.record("dtmf-overflow", during=label, max_digits=max_digits)
        deadline = loop.time() + inter_timeout
    return collected


class Question:
    def __init__(
        self,
        prompt_ids: Sequence[str],
        *,
        media: Sequence[str] = (),
        max_digits: int = 1,
        terminator: str = "#",
        first_digit_timeout: float = 6.0,
        inter_digit_timeout: float = 3.0,
        speech: bool = True,
        max_speech_s: float = 15.0,
        breakout: bool = True,
        single_keys: Collection[str] = (),
        expect: Expect | None = None,
    ) -> None:
        """``expect``: what the question asks for, a hint to the recogniser (a digits
        grammar for a crime reference); by default read from its prompt (``ask_reference``
        asks for a reference: ``Ask.by_prompt``), so every asking of it carries the hint.

        ``single_keys``: first keys that end a multi-digit entry at once (see
        ``collect_digits``).

        ``breakout``: an emergency said or keyed here leaves this step at once (False
        only where the RoutingEngine decides on the answer itself: the menu).

        A multi-digit entry (a phone number) ends at once on the emergency key as its
        first key: no UK number starts with 9.
        """
        self.prompt_ids = tuple(prompt_ids)
        self.media = tuple(media)
        self.max_digits = max_digits
        self.terminator = terminator
        self.first_digit_timeout = first_digit_timeout
        self.inter_digit_timeout = inter_digit_timeout
        self.speech = speech
        self.max_speech_s = max_speech_s
        self.breakout = breakout
        self.single_keys = frozenset(single_keys)
        self.expect = expect or (Ask.by_prompt(self.prompt_ids[0]) if self.prompt_ids else None)

    @property
    def label(self) -> str:
        return "ask:" + ("+".join(self.prompt_ids) or "media")

    async def ask(self, session: CallSession) -> Answer:
        answer = await self._ask(session)
        if self.breakout and answer.digits:
            session.keyed_emergency(answer.digits)
        if self.breakout and answer.transcript is not None:
            await session.said_emergency(answer.transcript.alternatives)
        return answer

    async def _ask(self, session: CallSession) -> Answer:
        epoch = await open_listening(session) if self.speech else None
        listening = epoch is not None
        if self.prompt_ids or self.media:
            play = Play(
                self.prompt_ids,
                media=self.media,
                speech_barge_in=listening,
                breakout=self.breakout,
            )
            play.speech_epoch = epoch
            await play.run(session)
        if session.keys:
            return Answer("digits", digits=await self._digits(session))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.first_digit_timeout
        while (remaining := deadline - loop.time()) > 0:
            event = await session.wait(remaining)
            if isinstance(event, SpeechStarted | SpeechEnded) and event.epoch != epoch:
                continue  # speech from before this question was asked
            if isinstance(event, DigitPressed):
                session.keys.push_front(event.digit)
                session.record("dtmf", digit=event.digit, during=self.label)
                return Answer("digits", digits=await self._digits(session))
            if isinstance(event, SpeechStarted) and listening:
                deadline = loop.time() + self.max_speech_s + 2.0  # let them finish
            elif isinstance(event, SpeechEnded) and listening:
                transcript = await recognize(session, event, expect=self.expect)
                if transcript is None:
                    return Answer("speech-failed")
                return Answer("speech", transcript=transcript)
            elif isinstance(event, ListeningFailed):
                await listening_failed(session, event)
                listening = False
        return Answer("no-input")

    async def _digits(self, session: CallSession) -> str:
        return await collect_digits(
            session,
            max_digits=self.max_digits,
            terminator=self.terminator,
            first_timeout=self.first_digit_timeout,
            inter_timeout=self.inter_digit_timeout,
            label=self.label,
            stop_on=session.emergency_key if self.breakout and self.max_digits > 1 else None,
            single_keys=self.single_keys,
        )


async def open_listening(session: CallSession) -> int | None:
    """Listen for the caller's speech from now on: the new speech epoch, or None when the
    call is keypad only (no engine, or its audio path failed once)."""
    if not session.can_listen:
        return None
    if not await session.control.start_listening():
        session.keypad_only()  # the audio path did not come up: keypad from now on
        session.record("speech-unavailable", reason="listening set-up failed")
        return None
    session.held.forget_speech()
    return session.control.reset_listening()


async def listening_failed(session: CallSession, event: ListeningFailed) -> None:
    session.record("speech-unavailable", reason=event.reason)
    session.keypad_only()
    await session.control.stop_listening()


async def recognize(
    session: CallSession,
    utterance: SpeechEnded,
    *,
    keep_words: bool = True,
    expect: Expect | None = None,
) -> Transcript | None:
    """The words of an utterance, recorded; None after a recognizer failure (which
    switches the call to keypad: it never drops the call).

    ``keep_words`` False: the event records that something was heard, not what.
    """
    assert session.speech is not None
    loop = asyncio.get_running_loop()
    ended = loop.time()
    try:
        transcript = await session.speech.recognize(
            utterance.audio, utterance.sample_rate, expect=expect
        )
    except RecognizerError as exc:
        session.keypad_only()
        session.record("speech-failed", error_id=exc.error_id, message=str(exc))
        await session.control.stop_listening()
        return None
    words = (
        {"text": transcript.text, "alternatives": [a.text for a in transcript.alternatives[1:]]}
        if keep_words
        else {}
    )
    session.record(
        "speech" if keep_words else "speech-unstored",
        confidence=round(transcript.confidence, 3),
        engine=transcript.engine,
        audio_s=round(transcript.audio_seconds, 2),
        decode_s=round(transcript.decode_seconds, 3),
        # from the end of speech (as the endpointer called it) to the words
        wait_s=round(loop.time() - ended, 3),
        **words,
    )
    return transcript
