"""The verbs of a callback's own call, once its first side has answered
(ivr.queues.placement rings that side and runs these)."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.session.model import Verb
from ivr.session.outcomes import CallOutcome
from ivr.verbs import Hangup, Play, Transfer
from ivr.verbs.transfer import FollowLeg, Target


@dataclass(frozen=True)
class CallbackRing:
    ring_timeout: int
    caller_id: str


class CallbackFlows:
    def __init__(self, ring: CallbackRing) -> None:
        self.ring = ring

    def callback_call(
        self, agent_first: bool, other_endpoint: str, queue: str, agent: str = ""
    ) -> list[Verb]:
        """``agent``: when the caller was rung first, the agent the second leg rings."""
        target = (
            Target(f"callback:{queue}", other_endpoint)
            if agent_first
            else Target(queue, other_endpoint, agent=agent)
        )
        ring = Transfer(
            [target], ring_timeout=self.ring.ring_timeout, caller_id=self.ring.caller_id
        )
        intro = "callback_agent_intro" if agent_first else "callback_greeting"
        return [Play([intro], barge_in=False), ring, _unanswered(agent_first)]

    def callback_failed(self) -> list[Verb]:
        """A callback's own fallback: its legs have no caller in the IVR to step down for."""
        return [Hangup("technical_difficulty", outcome=CallOutcome.FAILED)]

    def callback_resumed(
        self, agent_first: bool, other_endpoint: str, queue: str, agent: str, ringing: str
    ) -> list[Verb]:
        """A callback whose first side answered before a restart: the leg it was ringing
        then (``ringing``, from ``Note.RINGING``) is followed, never rung again; with none,
        the other side is rung as usual."""
        if not ringing:
            return self.callback_call(agent_first, other_endpoint, queue, agent)
        follow = FollowLeg(
            ringing,
            f"callback:{queue}" if agent_first else queue,
            ring_timeout=self.ring.ring_timeout,
        )
        return [follow, _unanswered(agent_first)]


def _unanswered(agent_first: bool) -> Hangup:
    """The end of a callback whose second side did not answer (the outcome is read by
    ivr.queues.placement)."""
    if agent_first:
        return Hangup("callback_no_answer", outcome=CallOutcome.CALLBACK_NO_ANSWER)
    return Hangup("no_one_available", outcome=CallOutcome.CALLBACK_AGENT_NO_ANSWER)
