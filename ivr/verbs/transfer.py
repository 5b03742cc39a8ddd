"""Transfer: connect the caller to a person, falling back down a list of targets.

The caller hears music while each target rings. A target that is busy,
does not answer in time or cannot be reached is logged and the next one
is tried; the last resort is always the switchboard, so a caller is never
left with nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ivr.session.events import LegFailed, LegHungUp
from ivr.session.model import Outcome
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.verbs.basic import Play, VerbBase
from ivr.verbs.bridge import Dial, Follow, ring_and_bridge


@dataclass(frozen=True)
class Target:
    destination: str  # e.g. "rc", "switchboard", "directory:pc-1234"
    endpoint: str  # e.g. "PJSIP/rc-agent-1"
    agent: str = ""  # an app-run queue's agent, marked in the leg's id (ivr.channel_ids)


class Transfer(VerbBase):
    name = "transfer"

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        ring_timeout: int = 30,
        caller_id: str = "Police 101 <101>",
        unavailable_prompt: str = "agent_unavailable",
    ) -> None:
        if not targets:
            raise ValueError("Transfer needs at least one target")
        self.targets = tuple(targets)
        self.ring_timeout = ring_timeout
        self.caller_id = caller_id
        self.unavailable_prompt = unavailable_prompt

    def describe(self) -> str:
        return f"transfer:{self.targets[0].destination}"

    async def run(self, session: CallSession) -> Outcome:
        control = session.control
        # What the caller says to a person is not ours to hear: close the listening path.
        await control.stop_listening()
        for index, target in enumerate(self.targets):
            session.record("dial", destination=target.destination, endpoint=target.endpoint)
            dial = Dial(target.endpoint, self.ring_timeout, self.caller_id, target.agent)
            if await ring_and_bridge(session, dial, target.destination):
                return Outcome(Status.TRANSFERRED, value=target.destination, next_flow=())
            await control.hold_music(False)
            if index + 1 < len(self.targets):
                await Play([self.unavailable_prompt], barge_in=False).run(session)
        return Outcome(Status.FAILED)


class FollowLeg(VerbBase):
    """A leg a previous process was ringing for this call (found after a restart).

    It is waited for, never rung again: answered, it is bridged as Transfer would;
    not answered, the verb fails like a Transfer whose targets all failed.
    """

    name = "follow-leg"

    def __init__(self, leg_id: str, destination: str, *, ring_timeout: int = 30) -> None:
        self.leg_id = leg_id
        self.destination = destination
        self.ring_timeout = ring_timeout

    def describe(self) -> str:
        return f"follow-leg:{self.destination}"

    async def run(self, session: CallSession) -> Outcome:
        # The music is what they heard while it rang before the restart.
        follow = Follow(self.leg_id, self.ring_timeout)
        if await ring_and_bridge(session, follow, self.destination):
            return Outcome(Status.TRANSFERRED, value=self.destination, next_flow=())
        await session.control.hold_music(False)
        return Outcome(Status.FAILED)


class HeldAgents(Protocol):
    """Agents busy on a conversation (ivr.queues.service.ClaimedAgents)."""

    def release(self) -> None: ...


class StayConnected(VerbBase):
    """A conversation taken over from a previous process: wait for it to end, then clear up."""

    name = "stay-connected"

    def __init__(self, legs: Sequence[str], agents: HeldAgents | None = None) -> None:
        """``agents``: the app's agents on it, released when the conversation is over."""
        self.legs = set(legs)
        self.agents = agents

    def describe(self) -> str:
        return "stay-connected"

    async def run(self, session: CallSession) -> Outcome:
        await session.control.stop_listening()
        if self.legs:
            session.connected(min(self.legs), None)
        session.record("rejoined", legs=sorted(self.legs))
        try:
            while self.legs:
                event = await session.wait()
                if isinstance(event, LegHungUp | LegFailed):
                    self.legs.discard(event.leg_id)
        finally:
            if self.agents is not None:
                self.agents.release()
        session.disconnected()
        await session.control.hangup()
        return Outcome(Status.TRANSFERRED, next_flow=())
