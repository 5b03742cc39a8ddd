"""AgentRinger: an agent's phone rings, then answers (and talks for a while) or fails.

Each endpoint's ``AgentProfile`` (answer delay, talk time, reject) decides, for
``ivr-agents`` and ``ivr-callback`` alike; the events follow the golden traces,
the Local ``;2`` half's dialplan steps included. A TalkFrom.BRIDGED agent's talk
time starts only once it shares a bridge with someone (``conversation_starts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivr.simulator.config import AgentProfile, TalkFrom
from ivr.simulator.dialplan import agent_profile
from ivr.simulator.model import Bridge, Channel
from ivr.simulator.timers import Timer

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine

PRESENTATION_TXT = "Presentation Allowed, Not Screened"
ANSWER_SETTLE = 0.5  # Answer() to the next priority on the `;2` half, in the trace


@dataclass
class Leg:
    """What ringing an agent needs to remember until it answers or fails."""

    facing_id: str
    announce_far: bool
    dialstring: str
    later_dialstring: str
    profile: AgentProfile


class AgentRinger:
    """Rings a channel the CallFactory made (and its Local ``;2`` half) and plays out
    what the agent does."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Stasis-side channel id -> (agent channel id, talk_for): TalkFrom.BRIDGED agents
        # who have answered and wait to be bridged before their talk time starts.
        self._talk_when_bridged: dict[str, tuple[str, float]] = {}
        # Facing channel id -> (leg, its answer or ring-out timer): phones ringing now that
        # will pick up if asked to (``answer_now``).
        self._ringing: dict[str, tuple[Leg, Timer]] = {}

    def ring(
        self,
        facing: Channel,
        far: Channel | None,
        *,
        announce_far: bool,
        dialstring: str,
        later_dialstring: str,
        timeout: int,
        profile: AgentProfile | None = None,
    ) -> None:
        engine = self._engine
        profile = profile or agent_profile(engine.config, facing.endpoint, engine.agent_overrides)
        leg = Leg(
            facing.id, announce_far and far is not None, dialstring, later_dialstring, profile
        )
        engine.scheduler.soon(self._start_ringing, leg, timeout, owner=facing.id)

    def _start_ringing(self, leg: Leg, timeout: int) -> None:
        engine = self._engine
        facing = engine.channels.get(leg.facing_id)
        if facing is None:
            return
        far = engine.peer(facing)
        if leg.announce_far and far is not None:
            if far.caller.name or far.caller.number:
                engine.emit_channel(
                    far,
                    "ChannelCallerId",
                    caller_presentation=0,
                    caller_presentation_txt=PRESENTATION_TXT,
                )
            engine.emit_channel(far, "ChannelConnectedLine")
        self.dial_event(facing, "", leg.dialstring)
        if leg.announce_far and far is not None:
            engine.set_dialplan(far, 1, "Ringing", "")
        engine.set_state(facing, "Ringing")
        self.dial_event(facing, "RINGING", leg.later_dialstring)
        profile = leg.profile
        if leg.announce_far and far is not None:
            engine.set_dialplan(far, 2, "Wait", f"{profile.answer_after:g}")
        if profile.reject:
            engine.scheduler.later(
                profile.answer_after, self._fails, leg, "BUSY", 17, owner=facing.id
            )
        elif 0 < timeout < profile.answer_after:
            timer = engine.scheduler.later(
                timeout, self._fails, leg, "NOANSWER", 19, owner=facing.id
            )
            self._ringing[facing.id] = (leg, timer)
        else:
            timer = engine.scheduler.later(
                profile.answer_after, self._answers, leg, owner=facing.id
            )
            self._ringing[facing.id] = (leg, timer)

    def answer_now(self, endpoint: str) -> list[str]:
        """Every phone of ``endpoint`` ringing now answers at once (POST /_sim/agents/answer);
        the facing channel ids. A test's agent can thus answer on an event (say, once a
        restarted app follows the call) rather than after a time the test must outrun."""
        ringing = [
            facing_id
            for facing_id in self._ringing
            if (ch := self._engine.channels.get(facing_id)) is not None and ch.endpoint == endpoint
        ]
        for facing_id in ringing:
            leg, timer = self._ringing[facing_id]
            timer.cancel()
            self._answers(leg)
        return ringing

    def _answers(self, leg: Leg) -> None:
        self._ringing.pop(leg.facing_id, None)
        engine = self._engine
        facing = engine.channels.get(leg.facing_id)
        if facing is None:
            return
        far = engine.peer(facing)
        if far is not None:
            if leg.announce_far:
                engine.set_dialplan(far, 3, "Answer", "")
            engine.set_state(far, "Up")
        engine.set_state(facing, "Up")
        self.dial_event(facing, "ANSWER", leg.later_dialstring)
        engine.on_up(facing)
        if far is not None and leg.announce_far:
            engine.scheduler.later(ANSWER_SETTLE, self._far_settles, leg, owner=far.id)
        else:
            self._talk(leg, far if far is not None else facing)

    def _far_settles(self, leg: Leg) -> None:
        """Half a second after Answer() the `;2` moves on to Wait() and picks up caller id."""
        engine = self._engine
        facing = engine.channels.get(leg.facing_id)
        far = engine.peer(facing) if facing is not None else None
        if facing is None or far is None:
            return
        # Asterisk has already taken the new caller id when it reports Wait() (trace).
        changed = (far.caller.name, far.caller.number) != (
            facing.connected.name,
            facing.connected.number,
        )
        if changed:
            far.caller = facing.connected.copy()
        if leg.profile.talk_for is not None:
            engine.set_dialplan(far, 4, "Wait", f"{leg.profile.talk_for:g}")
        if changed:
            engine.emit_channel(
                far,
                "ChannelCallerId",
                caller_presentation=0,
                caller_presentation_txt=PRESENTATION_TXT,
            )
        self._talk(leg, far)

    def _talk(self, leg: Leg, agent: Channel) -> None:
        talk_for = leg.profile.talk_for
        if talk_for is None or agent.hung_up:
            return
        if leg.profile.talk_from is TalkFrom.ANSWER:
            self._engine.scheduler.later(talk_for, self._agent_hangs_up, agent.id, owner=agent.id)
            return
        self._talk_when_bridged[leg.facing_id] = (agent.id, talk_for)
        facing = self._engine.channels.get(leg.facing_id)
        bridge = self._engine.bridges.get(facing.bridge_id or "") if facing else None
        if bridge is not None:
            self.conversation_starts(bridge)

    def conversation_starts(self, bridge: Bridge) -> None:
        """Agents waiting to be bridged start talking once they share a bridge with someone."""
        if len(bridge.channels) < 2:
            return
        for channel_id in bridge.channels:
            waiting = self._talk_when_bridged.pop(channel_id, None)
            if waiting is not None:
                agent_id, talk_for = waiting
                self._engine.scheduler.later(
                    talk_for, self._agent_hangs_up, agent_id, owner=agent_id
                )

    def forget(self, channel_id: str) -> None:
        self._talk_when_bridged.pop(channel_id, None)
        self._ringing.pop(channel_id, None)

    def _agent_hangs_up(self, channel_id: str) -> None:
        ch = self._engine.channels.get(channel_id)
        if ch is not None:
            self._engine.hangup(ch, cause=16, request={"cause": 16}, who="agent")

    def _fails(self, leg: Leg, status: str, cause: int) -> None:
        self._ringing.pop(leg.facing_id, None)
        engine = self._engine
        facing = engine.channels.get(leg.facing_id)
        if facing is None:
            return
        if status != "NOANSWER":
            # A real Asterisk 22 reports no Dial status when an originate's timeout
            # passes: only the hang-up, cause 19 (tests/real, test_calls.py).
            self.dial_event(facing, status, leg.later_dialstring)
        far = engine.peer(facing)
        engine.hangup(far or facing, cause=cause, request={"cause": cause}, who="agent")

    def dial_event(self, peer: Channel, status: str, dialstring: str) -> None:
        self._engine.emit(
            peer.subscribers,
            "Dial",
            {
                "dialstatus": status,
                "forward": "",
                "dialstring": dialstring,
                "peer": peer.to_json(),
            },
        )
