"""Transfer: connect the caller to a person, falling back down a list of targets.

The caller hears music while each target rings. A target that is busy,
does not answer in time or cannot be reached is logged and the next one
is tried; the last resort is always the switchboard, so a caller is never
left with nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ivr.ari.errors import AriError
from ivr.session.events import DigitPressed, LegAnswered, LegFailed, LegHungUp
from ivr.session.session import CallSession, Outcome
from ivr.verbs.basic import Play, VerbBase


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
            await control.hold_music(True)
            try:
                leg_id = await control.dial(
                    target.endpoint,
                    timeout=self.ring_timeout,
                    caller_id=self.caller_id,
                    agent=target.agent,
                )
            except BaseException:
                await control.hold_music(False)  # whatever comes next must be heard
                raise
            try:
                answered, status = await await_answer(session, leg_id, self.ring_timeout)
            except BaseException:
                # An error dropping the leg must not replace why we stopped (an emergency).
                with contextlib.suppress(AriError):
                    await control.drop_leg(leg_id)
                raise
            if answered:
                return await talk(session, leg_id, target.destination)
            await control.drop_leg(leg_id)
            session.record("dial-failed", destination=target.destination, status=status)
            await control.hold_music(False)
            if index + 1 < len(self.targets):
                await Play([self.unavailable_prompt], barge_in=False).run(session)
        return Outcome("failed")


async def talk(session: CallSession, leg_id: str, destination: str) -> Outcome:
    """An answered leg: bridge it with the call, and end the call when it hangs up."""
    control = session.control
    await control.hold_music(False)
    await control.connect(leg_id)
    session.outcome = "transferred"
    session.destination = destination
    session.record("connected", destination=destination, leg=leg_id)
    session.connected_leg = leg_id
    await await_end(session, leg_id)
    session.connected_leg = None
    session.record("agent-hung-up", destination=destination)
    await control.hangup()
    return Outcome("transferred", value=destination, next_flow=())


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
        control = session.control
        await control.hold_music(True)  # what they heard while it rang before the restart
        await control.follow_leg(self.leg_id)
        session.record("dial-followed", destination=self.destination, leg=self.leg_id)
        try:
            answered, status = await await_answer(session, self.leg_id, self.ring_timeout)
        except BaseException:
            await control.drop_leg(self.leg_id)
            raise
        if answered:
            return await talk(session, self.leg_id, self.destination)
        await control.drop_leg(self.leg_id)
        session.record("dial-failed", destination=self.destination, status=status)
        await control.hold_music(False)
        return Outcome("failed")


async def await_answer(session: CallSession, leg_id: str, ring_timeout: int) -> tuple[bool, str]:
    """Wait for a dialled leg to answer or fail; (answered, status).

    The emergency key while it rings breaks out (the caller's ``except`` drops the leg).
    """
    loop = asyncio.get_running_loop()
    # A little beyond Asterisk's own dial timeout, in case its events were lost.
    deadline = loop.time() + ring_timeout + 5
    while (remaining := deadline - loop.time()) > 0:
        event = await session.wait(remaining)
        if isinstance(event, LegAnswered) and event.leg_id == leg_id:
            return True, "ANSWER"
        if isinstance(event, LegFailed | LegHungUp) and event.leg_id == leg_id:
            return False, getattr(event, "status", "HANGUP")
        if isinstance(event, DigitPressed):
            session.record("dtmf", digit=event.digit, during="ringing")
            session.keyed_emergency(event.digit)
    return False, "TIMEOUT"


async def await_end(session: CallSession, leg_id: str) -> None:
    """Wait until the connected leg hangs up (the caller hanging up raises CallerGone)."""
    while True:
        event = await session.wait()
        if isinstance(event, LegHungUp | LegFailed) and event.leg_id == leg_id:
            return


class StayConnected(VerbBase):
    """A conversation taken over from a previous process: wait for it to end, then clear up."""

    name = "stay-connected"

    def __init__(self, legs: Sequence[str], on_end: Callable[[], None] | None = None) -> None:
        """``on_end``: the conversation is over (e.g. the agent it held is free again)."""
        self.legs = set(legs)
        self.on_end = on_end

    def describe(self) -> str:
        return "stay-connected"

    async def run(self, session: CallSession) -> Outcome:
        session.outcome = "transferred"
        await session.control.stop_listening()
        session.connected_leg = next(iter(sorted(self.legs)), None)
        session.record("rejoined", legs=sorted(self.legs))
        try:
            while self.legs:
                event = await session.wait()
                if isinstance(event, LegHungUp | LegFailed):
                    self.legs.discard(event.leg_id)
        finally:
            if self.on_end is not None:
                self.on_end()
        session.connected_leg = None
        await session.control.hangup()
        return Outcome("transferred", next_flow=())
