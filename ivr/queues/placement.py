"""CallbackPlacement: a callback's two legs, rung through the CallManager and bridged.

The ``CallbackWorker`` decides *when* a callback is placed and what its outcome
costs the caller; this decides *how*: ring the first side (the agent by default)
into the app, run the callback flow there (intro, ring the other side, bridge),
and turn how that session ended into the worker's outcome words. After a restart
it takes over an attempt still under way (``resume``) from what Asterisk and the
call log say, never ringing anyone twice.

Everything it needs is passed in. The CallManager and its ARI client exist only
once the app is connected to Asterisk, and the flows are built after the
CallbackWorker this serves (they offer its callbacks), so those three are
attached when the app connects (``attach``); until then nothing is placed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ivr.ari.client import AriClient
from ivr.ari.errors import AriError
from ivr.ari.models import Channel
from ivr.channel_ids import agent_of
from ivr.session.control import AriCallControl
from ivr.session.manager import CallManager, PlacedSession, Unanswered
from ivr.session.model import CallInfo, Prompts, Verb
from ivr.session.notes import Note, read_note
from ivr.session.outcomes import CallOutcome
from ivr.session.session import CallSession
from ivr.store.log import SqliteCallLog


class CallbackFlows(Protocol):
    """The callback's verbs (ivr.flows.callbacks.CallbackFlows)."""

    def callback_resumed(
        self, agent_first: bool, other_endpoint: str, queue: str, agent: str, ringing: str
    ) -> Sequence[Verb]: ...

    def callback_failed(self) -> Sequence[Verb]: ...


@dataclass(frozen=True)
class PlacementSettings:
    agent_first: bool
    callback_dial: str  # "Local/{number}@ivr-callback"
    caller_id: str
    ring_timeout: int


class CallbackPlacement:
    """``CallbackCalls`` (ivr.queues.callback_calls) over the CallManager."""

    def __init__(
        self,
        settings: PlacementSettings,
        prompts: Prompts,
        call_log: SqliteCallLog,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.prompts = prompts
        self.call_log = call_log
        self.clock = clock
        self._manager: CallManager | None = None
        self._client: AriClient | None = None
        self._flows: CallbackFlows | None = None

    def attach(self, manager: CallManager, client: AriClient, flows: CallbackFlows) -> None:
        """The app is connected to Asterisk: calls can be placed from now on."""
        self._manager, self._client, self._flows = manager, client, flows

    async def run(self, channel_id: str, agent_endpoint: str, number: str, queue: str) -> str:
        if self._manager is None:
            return "failed"
        first, other = self._sides(agent_endpoint, number)
        side = _SecondSide()
        result = await self._manager.place_call(
            channel_id,
            first,
            self._builder(side, other, number, queue, agent_of(channel_id)),
            caller_id=self.settings.caller_id,
            timeout=self.settings.ring_timeout,
        )
        return side.outcome(result, self.settings.agent_first)

    async def resume(
        self, channel_id: str, agent_endpoint: str, number: str, queue: str
    ) -> str | None:
        manager, client = self._manager, self._client
        if manager is None or client is None:
            return None
        live = manager.calls.get(channel_id)
        if live is not None:  # taken over by reconcile: the two are talking
            await live.session.done.wait()
            return "answered"
        events = await self.call_log.query(lambda s: s.events_for(channel_id))
        if any(e["kind"] == "connected" for e in events):
            # They talked, and one of them has hung up since: what is left goes too.
            with contextlib.suppress(AriError):
                await client.hangup(channel_id)
            return "answered"
        _first, other = self._sides(agent_endpoint, number)
        ringing = await read_note(client, channel_id, Note.RINGING)
        side = _SecondSide()
        result = await manager.resume_placed(
            channel_id,
            self._builder(side, other, number, queue, agent_of(channel_id), ringing),
            timeout=self.settings.ring_timeout,
        )
        agent_first = self.settings.agent_first
        if result is None:
            if agent_first and not ringing and not any(e["kind"] == "dial" for e in events):
                # Gone, and the caller's number was never dialled from it (no dial in its
                # log, no leg noted on it): the agent's phone rang out, or they left on
                # the intro, during the restart. Not the caller's attempt, and no text.
                return "agent-no-answer"
            return None  # gone while nobody listened, and never put through
        return side.outcome(result, agent_first)

    def release(self, following: Collection[str]) -> None:
        if self._manager is not None:
            self._manager.release_held(following)

    def _sides(self, agent_endpoint: str, number: str) -> tuple[str, str]:
        """(the endpoint rung first, the other)."""
        caller_endpoint = self.settings.callback_dial.format(number=number)
        if self.settings.agent_first:
            return agent_endpoint, caller_endpoint
        return caller_endpoint, agent_endpoint

    def _builder(
        self,
        side: _SecondSide,
        other: str,
        number: str,
        queue: str,
        agent: str | None,
        ringing: str = "",
    ) -> PlacedSession:
        flows = self._flows
        assert flows is not None  # attached with the manager

        def build(channel: Channel, control: AriCallControl) -> CallSession:
            side.watch(control)
            return CallSession(
                CallInfo(channel.id, channel.id, number, "", "callback"),
                control,
                self.prompts,
                self.call_log,
                flows.callback_resumed(
                    self.settings.agent_first, other, queue, agent or "", ringing
                ),
                flows.callback_failed,
                self.clock,
            )

        return build


class _SecondSide:
    """What a callback's session did: was the other side rung, and how did it end."""

    def __init__(self) -> None:
        self._control: AriCallControl | None = None

    def watch(self, control: AriCallControl) -> None:
        self._control = control

    def outcome(self, result: CallSession | Unanswered, agent_first: bool) -> str:
        if isinstance(result, Unanswered):
            if agent_first:
                return "agent-no-answer"
            return "busy" if result.status == "BUSY" else "no-answer"
        if result.outcome == CallOutcome.TRANSFERRED:
            return "answered"
        if agent_first:
            # The agent answered; the caller did not, or was never rung.
            control = self._control
            if control is not None and control.dialled > 0:
                return "no-answer"
            if control is not None and control.refused > 0:
                # ARI refused to ring their number (a misconfigured callback_dial): a failed
                # attempt, spent, so max_attempts ends it rather than agent after agent
                # being taken for ever.
                return "failed"
            # Never rung: the agent hung up on the intro, the intro could not be played,
            # or the app stopped meanwhile. Not the caller's attempt, and no text.
            return "agent-left"
        # Caller first: their phone rang and they answered, so the attempt is spent (else
        # a caller who hangs up on the greeting, or a voicemail, is rung again at once,
        # for ever): no agent answered, or the caller left before one did.
        if result.outcome == CallOutcome.CALLBACK_AGENT_NO_ANSWER:
            return "no-agent"
        return "caller-left"
