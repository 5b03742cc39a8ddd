"""CallbackCalls: what the CallbackWorker needs from whatever rings the two sides of a callback.

The worker (ivr.queues.callbacks) decides when and how often; placing the call
is ivr.queues.placement's CallbackPlacement over the CallManager, or a script
of outcomes in the tests. The outcome words are the contract between them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class CallbackCalls(Protocol):
    """Rings one side, then the other, and bridges them (ivr.queues.placement: CallbackPlacement).

    Returns "answered" (both sides talked), or why not: "no-answer", "busy", "failed"
    (a side ARI would not ring, e.g. the caller's number through a bad callback_dial);
    agent first, outcomes that leave the caller's attempt unspent (their phone never
    rang): "agent-no-answer" (the agent never answered), "agent-left" (the agent
    answered and hung up before the caller was rung); caller first, after the caller
    answered: "no-agent" (no agent answered) or "caller-left" (the caller hung up first).
    """

    async def run(self, channel_id: str, agent_endpoint: str, number: str, queue: str) -> str: ...

    async def resume(
        self, channel_id: str, agent_endpoint: str, number: str, queue: str
    ) -> str | None:
        """After a restart: follow an attempt the last process left under way (ringing,
        answered, talking) to its end, without ringing anyone again; its outcome as
        ``run``'s, or None when nothing of it is left and it never connected."""
        ...

    def release(self, following: Collection[str]) -> None:
        """Channels a previous process left for callbacks other than ``following`` (the
        first channels of the attempts being followed) are hung up."""
        ...


# Outcomes after which the caller had answered (caller first): the text must not say
# we never reached them.
CALLER_REACHED = frozenset({"no-agent", "caller-left"})
# Outcomes after which the caller's number was never rung: their attempt is not spent.
CALLER_NOT_RUNG = frozenset({"agent-no-answer", "agent-left"})
