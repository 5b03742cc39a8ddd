"""TwoPassSpeech: a fast engine first, a second opinion when it is unsure.

The strategy bench/asr.py measures as "combined": keep PocketSphinx's
transcript when it is confident and the router can act on it (a plain
route, or an emergency); otherwise ask Whisper. The answer is then both
engines' n-best, Whisper's hypothesis first and PocketSphinx's after it,
so the router weighs all of them:

* an emergency cue PocketSphinx heard is never lost (the router checks
  every alternative), even when Whisper hears the utterance differently;
  before, an unsure PocketSphinx emergency was replaced by Whisper's words;
* when Whisper mishears a name that PocketSphinx's LM got ("Even with
  Donald" / "ewan mcdonald please"), the directory still finds it, and when
  both engines point at the same entry its score is the better of the two.

On the labelled set this routed more callers right than either engine
alone, kept every emergency, and answered the confident majority at
PocketSphinx's speed (figures in bench/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ivr.session.session import SpeechService
from ivr.speech.model import RecognizerError, Transcript

log = logging.getLogger(__name__)

# Whether the router can act on a transcript as it stands (see ivr/app.py).
Actionable = Callable[[Transcript], bool]


class TwoPassSpeech:
    def __init__(
        self,
        fast: SpeechService,
        slow: SpeechService,
        actionable: Actionable,
        *,
        below: float = 0.5,
    ) -> None:
        self.fast = fast
        self.slow = slow
        self.actionable = actionable
        self.below = below
        self.escalated = 0
        self.kept = 0

    async def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript:
        first = await self.fast.recognize(pcm, sample_rate)
        if first.confidence >= self.below and self.actionable(first):
            self.kept += 1
            return first
        self.escalated += 1
        try:
            second = await self.slow.recognize(pcm, sample_rate)
        except RecognizerError as exc:
            log.warning("second opinion failed (%s); keeping the first pass", exc)
            return first
        return merge(first, second)


def merge(first: Transcript, second: Transcript) -> Transcript:
    """The second opinion's n-best, then the first pass's alternatives it did not repeat."""
    seen = {h.text.casefold().strip() for h in second.alternatives}
    extra = tuple(h for h in first.alternatives if h.text.casefold().strip() not in seen)
    return Transcript(
        second.alternatives + extra,
        f"{second.engine} (after {first.engine} {first.confidence:.2f})",
        audio_seconds=first.audio_seconds,
        decode_seconds=first.decode_seconds + second.decode_seconds,
    )
