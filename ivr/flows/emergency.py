"""What the emergency break-out asks and undoes (ivr.session.emergency calls these).

``DangerCheck``: asked at once when words out of the menu carry a danger cue, and
when a routing decision is itself a danger check (ivr.verbs.danger.AskDanger).
``CallbackWithdrawal``: a callback booked a moment before is taken back whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

from ivr.decisions import Decision, Hypothesis
from ivr.queues.service import QueueService
from ivr.session.emergency import DangerAnswer
from ivr.session.outcomes import CallOutcome
from ivr.session.session import CallSession
from ivr.text import normalise
from ivr.verbs.callback_offer import CallbackDesk
from ivr.verbs.route import choose, spoken_yes_no

# A spoken no to the danger check: it must start with a no word and say nothing else.
NO_FIRST = frozenset({"no", "nope", "nah", "not", "nobody", "it's", "its", "i'm", "im"})
PLAIN_NO = NO_FIRST | frozenset(
    {"thanks", "thank", "you", "fine", "ok", "okay", "an", "emergency", "all", "right", "im"}
)


# "not" before these is not a no to "is someone in danger?" but a caller who is not well.
NOT_WELL = frozenset({"ok", "okay", "fine", "all", "alright", "safe", "good", "well"})


class Cues(Protocol):
    """The engine's emergency cues (ivr.routing.service.RoutingService)."""

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None: ...


class DangerCheck:
    """9 or yes, or silence, or anything unclear, is an emergency; only 2 or a plain no
    carries on.

    A reply with danger in it is danger, whatever else it says ("no, he's not
    breathing"); a no is only a no when it says nothing else ("no", "not an
    emergency", "no thanks, I'm fine").
    """

    def __init__(self, cues: Cues, first_digit_timeout: float) -> None:
        self.cues = cues
        self.first_digit_timeout = first_digit_timeout

    def _said(self, text: str) -> str | None:
        if self.cues.breakout((Hypothesis(text, 1.0),), None) is not None:
            return "9"
        words = normalise(text).split()
        if any(a == "not" and b in NOT_WELL for a, b in itertools.pairwise(words)):
            return None  # "I'm not okay", "not all right": unclear, so danger
        if words and all(word in PLAIN_NO for word in words) and words[0] in NO_FIRST:
            return "2"
        return "9" if spoken_yes_no(text) == "1" else None

    async def __call__(self, session: CallSession, decision: Decision) -> DangerAnswer:
        await session.control.hold_music(False)  # on hold: the question must be heard
        key, how = await choose(
            session,
            [session.prompts.media_uri("danger_check")],
            {"9", "2"},
            self._said,
            self.first_digit_timeout,
            tries=1,
            breakout=False,
        )
        # Not the words (said on hold, say): the decision that follows keeps them if it is one.
        session.record("danger-check", rule=decision.rule, answer=how)
        return DangerAnswer(key != "2", how)


class CallbackWithdrawal:
    """A caller who breaks out to 999 after booking a callback (during the thanks, the
    goodbye, anywhere) has it taken back whole: its place, the book, any attempt; else a
    restart hours later would still ring them."""

    def __init__(self, desk: CallbackDesk | None, queues: QueueService | None) -> None:
        self.desk = desk
        self.queues = queues

    async def __call__(self, session: CallSession) -> None:
        if session.outcome != CallOutcome.CALLBACK or self.desk is None:
            return
        withdrawn = False
        try:
            withdrawn = await self.desk.withdraw(session.call_id, "emergency")
        except Exception as exc:
            session.record("callback-withdraw-failed", error=type(exc).__name__, message=str(exc))
        if withdrawn:
            session.record("callback-withdrawn", reason="emergency")
        elif self.queues is not None:
            self.queues.leave(session.call_id, where="moved-on")
        session.withdraw_outcome(CallOutcome.CALLBACK)
