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
  both engines point at the same entry its score is the better of the two;
* every merged alternative says which engine heard it at which rank
  (``Hypothesis.heard_by``). An emergency that only a lower PocketSphinx
  alternative carries ("gun you put me through to ..." under a confident
  "can you put me through to ...") is not acted on at once: Whisper is asked,
  and when neither engine's top alternative carries a cue and Whisper's is
  confident, the router discounts that cue and says so in the Decision. A cue
  in either engine's top always counts: acted on at once when that engine was
  sure and no other as sure heard the words without it, asked about (the danger
  check) when only an unsure engine heard it or two sure engines disagree;
* a route for what the force does not have (a reference the case book lacks, a unit
  the directory does not list: ``NOT_FOUND_RULES``) is heard again first: digits and
  names are what the fast engine mishears most;
* a yes or a no (``Hint.YES_NO``) is always heard by both: the LM was built for
  requests and hears a one-word answer as the nearest request word.

On the labelled set this routed more callers right than either engine
alone, kept every emergency, and answered the confident majority at
PocketSphinx's speed (figures in bench/README.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal

from ivr.decisions import EMERGENCY, NOT_FOUND_RULES, Decision, Expect, Hint, Hypothesis
from ivr.speech.model import RecognizerError, SpeechService, Transcript

log = logging.getLogger(__name__)

# What the router would do with a transcript as it stands (see ivr/workers.py): "route" (a
# plain route), "emergency" (a cue in the top alternative), "cue-below" (an emergency
# cue only in a lower alternative: a second opinion first, but not for long) or ""
# (not actionable yet).
Verdict = Literal["route", "emergency", "cue-below", ""]

# How long a possible emergency waits for the second opinion; then it is acted on.
CUE_WAIT_S = 2.5
Actionable = Callable[[Transcript], Verdict]


def actionable_by(decide: Callable[[tuple[Hypothesis, ...]], Decision]) -> Actionable:
    """The router's verdict on a transcript as it stands (ivr/workers.py, bench/asr.py).

    An emergency that only a lower alternative carries is not actionable: it waits
    for a second opinion, and the router still sees that cue in the merged n-best (and
    keeps it unless both engines' tops are cue-free and the second opinion is confident).
    """

    def judge(transcript: Transcript) -> Verdict:
        decision = decide(transcript.alternatives)
        if decision.is_danger_check:
            # It only asks: a second opinion may make it sure (or clear), but not for long.
            return "cue-below"
        if decision.destination == EMERGENCY and decision.action == "route":
            top = transcript.alternatives[:1]
            sure = decide(top) if top != transcript.alternatives else decision
            if sure.destination == EMERGENCY and sure.action == "route":
                return "emergency"
            return "cue-below"
        if decision.rule in NOT_FOUND_RULES:
            # A reference the case book lacks ("seventy seven slash one twenty five nine
            # three eight slash twenty to") or a unit nobody lists ("the raf police" for
            # "PC Ross please"): the fast engine's digits or names, heard again first.
            return ""
        return "route" if decision.action == "route" else ""

    return judge


def keeps(verdict: Verdict, confidence: float, below: float, expect: Expect | None = None) -> bool:
    """The first pass alone will do: a confident route, or a confident emergency.

    An emergency its top carries is kept alone only when PocketSphinx is sure of it:
    unsure, its LM hears a garbled request as the nearest words it knows, cue words
    among them, so it waits for Whisper (at most ``CUE_WAIT_S``), and a cue Whisper
    confidently did not hear is asked about (ivr.routing.emergency, ``UNSURE_RULE``).
    A yes or a no is always heard twice: PocketSphinx's LM is made of the force's
    requests, and it heard 5 of 34 spoken no's as a no (bench/README.md, "A yes or a
    no"), once as "help", which the danger check would take for danger.
    """
    if expect is Hint.YES_NO:
        return False
    return verdict in ("emergency", "route") and confidence >= below


def keep_first(
    first: Transcript, actionable: Actionable, below: float, expect: Expect | None = None
) -> bool:
    return keeps(actionable(first), first.confidence, below, expect)


class TwoPassSpeech:
    def __init__(
        self,
        fast: SpeechService,
        slow: SpeechService,
        actionable: Actionable,
        *,
        below: float = 0.5,
        cue_wait_s: float = CUE_WAIT_S,
    ) -> None:
        self.fast = fast
        self.cue_wait_s = cue_wait_s
        self.slow = slow
        self.actionable = actionable
        self.below = below
        self.escalated = 0
        self.kept = 0

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        first = await self.fast.recognize(pcm, sample_rate, expect=expect)
        # The verdict is a routing decision (the sentence model: ~10 ms, its first load
        # ~1 s): in a worker thread, as ivr.verbs.route decides, never on the event loop
        # every call shares (bench/README.md "SIP load").
        verdict = await asyncio.to_thread(self.actionable, first)
        if keeps(verdict, first.confidence, self.below, expect):
            self.kept += 1
            return first
        self.escalated += 1
        # A possible emergency is acted on if the second opinion is slow (the first
        # pass alone keeps its cue: the router reads every alternative of one engine).
        budget = self.cue_wait_s if verdict in ("cue-below", "emergency") else None
        try:
            second = await asyncio.wait_for(
                self.slow.recognize(pcm, sample_rate, expect=expect), budget
            )
        except (RecognizerError, TimeoutError) as exc:
            log.warning("second opinion failed (%r); keeping the first pass", exc)
            return first
        return merge(first, second)


def merge(first: Transcript, second: Transcript) -> Transcript:
    """The second opinion's n-best, then the first pass's alternatives it did not repeat.

    Each alternative says which engine(s) heard it, at which rank (``heard_by``).
    """

    def key(h: Hypothesis) -> str:
        return h.text.casefold().strip()

    firsts: dict[str, int] = {}
    for rank, h in enumerate(first.alternatives):
        firsts.setdefault(key(h), rank)
    seconds = {key(h) for h in second.alternatives}
    merged = [
        Hypothesis(
            h.text,
            h.confidence,
            ((second.engine, rank),)
            + (((first.engine, firsts[key(h)]),) if key(h) in firsts else ()),
        )
        for rank, h in enumerate(second.alternatives)
    ]
    merged += [
        Hypothesis(h.text, h.confidence, ((first.engine, rank),))
        for rank, h in enumerate(first.alternatives)
        if key(h) not in seconds
    ]
    return Transcript(
        tuple(merged),
        f"{second.engine} (after {first.engine} {first.confidence:.2f})",
        audio_seconds=first.audio_seconds,
        decode_seconds=first.decode_seconds + second.decode_seconds,
    )
