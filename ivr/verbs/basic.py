"""Answer, Play and Hangup."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from ivr.ari.errors import AriError
from ivr.session.events import (
    CallerHungUp,
    CallEvent,
    DigitPressed,
    ListeningFailed,
    PromptFinished,
    SpeechEnded,
    SpeechStarted,
)
from ivr.session.model import Outcome
from ivr.session.outcomes import CallOutcome, Status
from ivr.session.session import CallSession

log = logging.getLogger(__name__)

# After asking Asterisk to stop a prompt, how long to wait for its PlaybackFinished.
STOP_GRACE_S = 2.0
# Beyond a prompt's own length, how long before its PlaybackFinished counts as lost
# (an unsupported media scheme never sends one; nor does a replaced WebSocket).
WATCHDOG_GRACE_S = 5.0
UNKNOWN_PROMPT_S = 15.0  # a prompt whose length we do not know
EXTRA_MEDIA_S = 3.0  # a name or digits: media built at run time


class VerbBase:
    name = "verb"

    def describe(self) -> str:
        return self.name

    def cancel(self) -> None:
        """Nothing to do: each verb cleans up in its own ``finally`` when its task is cancelled."""


class Answer(VerbBase):
    name = "answer"

    async def run(self, session: CallSession) -> Outcome:
        await session.control.answer()
        session.mark_answered()
        return Outcome(Status.OK)


class Play(VerbBase):
    """Play prompts from the catalogue; with barge-in a key press stops them.

    A digit that barges in is kept in ``session.keys`` so the next gather
    sees it: callers who know the menu can type ahead. The emergency key breaks
    out at once, even from a prompt that cannot be interrupted otherwise.
    """

    name = "play"

    def __init__(
        self,
        prompt_ids: Sequence[str],
        *,
        barge_in: bool = True,
        media: Sequence[str] = (),
        speech_barge_in: bool = False,
        breakout: bool = True,
    ) -> None:
        """``media``: URIs built at run time (a name, ``digits:2``), played after the prompts.

        ``speech_barge_in``: the caller starting to talk stops the prompt too (only
        when the call is listening; the utterance itself is left for the asker).
        ``breakout``: False only under the menu, whose router weighs key 9 itself.
        """
        self.breakout = breakout
        self.prompt_ids = tuple(prompt_ids)
        self.barge_in = barge_in
        self.extra_media = tuple(media)
        self.speech_barge_in = speech_barge_in
        self.speech_epoch: int | None = None  # only this question's speech barges in

    def describe(self) -> str:
        return f"play:{'+'.join(self.prompt_ids) or 'media'}"

    def _current(self, event: SpeechStarted | SpeechEnded) -> bool:
        return self.speech_epoch is None or event.epoch == self.speech_epoch

    def expected_seconds(self, session: CallSession) -> float:
        known = [session.prompts.seconds(p) for p in self.prompt_ids]
        return sum(UNKNOWN_PROMPT_S if s is None else s for s in known) + EXTRA_MEDIA_S * len(
            self.extra_media
        )

    async def run(self, session: CallSession) -> Outcome:
        if self.barge_in and session.keys:
            return Outcome(Status.INTERRUPTED)
        media = [session.prompts.media_uri(p) for p in self.prompt_ids] + list(self.extra_media)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.expected_seconds(session) + WATCHDOG_GRACE_S
        playback_id = await session.control.play(media)
        finished = False
        try:
            while True:
                event = await session.wait(max(0.0, deadline - loop.time()))
                if event is None:
                    session.record("prompt-watchdog", step=self.describe(), playback=playback_id)
                    log.warning("no PlaybackFinished for %s; carrying on", playback_id)
                    return Outcome(Status.LOST)  # the finally stops it, if it still plays
                if isinstance(event, PromptFinished) and event.playback_id == playback_id:
                    finished = True
                    return Outcome(Status.DONE if event.completed else Status.FAILED)
                if isinstance(event, DigitPressed):
                    session.record("dtmf", digit=event.digit, during=self.describe())
                    if self.breakout and event.digit == session.emergency_key:
                        session.keyed_emergency(event.digit)  # the finally stops it
                    session.keys.push(event.digit)
                    if self.barge_in:
                        await session.control.stop_playback(playback_id)
                        finished = await _await_finish(session, playback_id)
                        return Outcome(Status.INTERRUPTED, value=event.digit)
                if isinstance(event, SpeechStarted | SpeechEnded) and not self._current(event):
                    continue
                if isinstance(event, SpeechStarted) and self.speech_barge_in:
                    session.record("barge-in", by="speech", during=self.describe())
                    session.held.keep([event])
                    await session.control.stop_playback(playback_id)
                    finished = await _await_finish(session, playback_id)
                    return Outcome(Status.INTERRUPTED, value="speech")
                if isinstance(event, SpeechEnded) and self.speech_barge_in:
                    session.held.keep([event])  # a short word the prompt talked over
        except BaseException:
            if not finished:
                finished = True
                # Why we are leaving (an emergency, the caller gone) matters more than a
                # prompt ARI would not stop: never let that error replace it.
                with contextlib.suppress(AriError):
                    await session.control.stop_playback(playback_id)
            raise
        finally:
            if not finished:
                await session.control.stop_playback(playback_id)


async def _await_finish(session: CallSession, playback_id: str) -> bool:
    """Wait briefly for a stopped prompt's PlaybackFinished; keep what arrives meanwhile.

    Digits go to the type-ahead buffer; speech events are kept for the asker.
    """
    kept: list[CallEvent] = []
    try:
        while True:
            event = await session.control.next_event(STOP_GRACE_S)
            if event is None:
                return False
            if isinstance(event, PromptFinished) and event.playback_id == playback_id:
                return True
            if isinstance(event, DigitPressed):
                session.keys.push(event.digit)
            elif isinstance(event, CallerHungUp):
                session.caller_left()
            elif isinstance(event, SpeechStarted | SpeechEnded | ListeningFailed):
                kept.append(event)
    finally:
        session.held.keep(kept)


class Hangup(VerbBase):
    """End the call politely: an optional goodbye, then hang up.

    The call's outcome is settled before the goodbye plays: a caller who
    hangs up on "goodbye" has not abandoned the call.
    """

    name = "hangup"

    def __init__(
        self, prompt_id: str | None = "goodbye", *, outcome: CallOutcome = CallOutcome.COMPLETED
    ) -> None:
        self.prompt_id = prompt_id
        self.outcome = outcome

    def describe(self) -> str:
        return f"hangup:{self.prompt_id or '-'}"

    async def run(self, session: CallSession) -> Outcome:
        session.settle_unless_settled(self.outcome)
        if self.prompt_id:
            session.keys.clear()
            await Play([self.prompt_id], barge_in=False).run(session)
        await session.control.hangup()
        return Outcome(Status.HUNG_UP, value=self.outcome)
