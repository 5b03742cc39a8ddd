"""The queues and callbacks panel: agents, who waits in each queue, callbacks booked; and the
two things an operator may do to a callback (cancel it with a reason, call it now).

Read from the QueueService's engine (what it holds now, in memory). A callback being placed
is out of its queue meanwhile (its agent is busy with it): it is shown from the agent's
side, "calling now", until the attempt ends. The actions go through
the CallbackWorker (cancel: ``withdraw``, which closes the book's row too) and the engine's
own requeue (call now: the same place, ready at once).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from ivr.queues.model import Agent, AgentState, QueueEntry
from ivr.queues.outcomes import QueueError
from ivr.queues.service import QueueService


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    ON_CALL = "on a call"
    WRAP_UP = "wrap-up"
    AWAY = "away"  # skipped after a missed ring, back after agent_away_s


_STATUS = {
    AgentState.FREE: AgentStatus.AVAILABLE,
    AgentState.BUSY: AgentStatus.ON_CALL,
    AgentState.WRAP_UP: AgentStatus.WRAP_UP,
}


class CallbackState(StrEnum):
    WAITING = "waiting"  # in its place, ready when it reaches the front
    RETRY_LATER = "retry later"  # held back by a retry's backoff (or just booked)
    CALLING = "calling now"  # an attempt under way: ringing, or the caller with the agent


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    queues: tuple[str, ...]
    status: AgentStatus
    serving: str | None  # the call id they are on


@dataclass(frozen=True, slots=True)
class WaitingCaller:
    call_id: str
    position: int
    priority: str
    joined_at: float  # epoch seconds: the page counts the wait up itself


@dataclass(frozen=True, slots=True)
class CallbackView:
    call_id: str
    queue: str
    promised_by: float  # epoch seconds
    attempts: int
    ready_at: float
    state: CallbackState
    late: bool  # the promised time has passed


@dataclass(frozen=True, slots=True)
class QueueView:
    name: str
    waiting: tuple[WaitingCaller, ...]  # callers on the line, in the order they are served
    estimate_s: int | None  # for a caller joining now


@dataclass(frozen=True, slots=True)
class QueuesPanel:
    agents: tuple[AgentView, ...]
    queues: tuple[QueueView, ...]
    callbacks: tuple[CallbackView, ...]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


EMPTY_PANEL = QueuesPanel((), (), ())


class Withdrawal(Protocol):
    """Takes a booked callback back (ivr.queues.callbacks.CallbackWorker)."""

    async def withdraw(self, call_id: str, reason: str) -> bool: ...

    async def made_ready(self, call_id: str, now: float) -> None:
        """Write down that a callback is ready now (the book, retried)."""
        ...


class CallbackNotFound(LookupError):
    """No open callback for that call here (never booked, done, or already cancelled)."""


class QueuesDesk:
    """The panel's data, and the callback actions. ``None`` service: no app-run queues."""

    def __init__(self, service: QueueService | None, worker: Withdrawal | None) -> None:
        self.service = service
        self.worker = worker

    def panel(self) -> QueuesPanel:
        service = self.service
        if service is None:
            return EMPTY_PANEL
        now = service.clock()
        engine = service.engine
        present = {a.id: a for a in engine.agents()}
        agents = tuple(
            AgentView(agent_id, tuple(spec.queues), _STATUS[a.state], a.serving)
            if (a := present.get(agent_id)) is not None
            else AgentView(agent_id, tuple(spec.queues), AgentStatus.AWAY, None)
            for agent_id, spec in sorted(service.specs.items())
        )
        queues: list[QueueView] = []
        callbacks: list[CallbackView] = []
        calling = _being_placed(engine.agents(), engine.served_entry)
        for name in sorted(service.queued):
            callbacks += [_callback(e, now, placing=True) for e in calling if e.queue == name]
            waiting: list[WaitingCaller] = []
            for entry, position in engine.positions(name):
                if entry.callback is None:
                    waiting.append(
                        WaitingCaller(
                            entry.call_id,
                            position,
                            entry.priority.name.lower(),
                            entry.joined_at,
                        )
                    )
                else:
                    callbacks.append(_callback(entry, now))
            wait = service.estimate_for_new(name)
            queues.append(
                QueueView(name, tuple(waiting), round(wait.seconds) if wait.known else None)
            )
        return QueuesPanel(agents, tuple(queues), tuple(callbacks))

    async def cancel(self, call_id: str, reason: str) -> None:
        """Take the callback back: it leaves its place and the book closes it with ``reason``.
        An attempt already ringing ends as it will and is not retried."""
        if self.worker is None or not await self.worker.withdraw(call_id, reason):
            raise CallbackNotFound(call_id)

    async def call_now(self, call_id: str) -> QueueEntry:
        """Make a waiting callback ready at once (a retry's backoff, the hold-off after
        booking): it keeps its place and is placed when an agent is free for it."""
        service = self.service
        if service is None:
            raise CallbackNotFound(call_id)
        engine = service.engine
        try:
            entry = engine.entry(call_id)
        except QueueError:
            raise CallbackNotFound(call_id) from None
        if entry.callback is None:
            raise CallbackNotFound(call_id)
        now = service.clock()
        ready = replace(entry, callback=replace(entry.callback, ready_at=now))
        # Out and back in with the same joined_at and seq: the same place, not an abandonment.
        engine.leave(call_id, now, "callback-now", abandoned=False)
        engine.requeue(ready, now)
        service.dispatch()
        if self.worker is not None:
            await self.worker.made_ready(call_id, now)  # a restart must not undo it
        return ready


def _being_placed(
    agents: Iterable[Agent], served: Callable[[str], QueueEntry | None]
) -> list[QueueEntry]:
    """The callbacks an agent is busy with now (an attempt under way), by call id."""
    found: list[QueueEntry] = []
    for agent in agents:
        if agent.state is not AgentState.BUSY or agent.serving is None:
            continue
        entry = served(agent.serving)
        if entry is not None and entry.callback is not None:
            found.append(entry)
    return sorted(found, key=lambda e: e.call_id)


def _callback(entry: QueueEntry, now: float, *, placing: bool = False) -> CallbackView:
    """A callback in its place, or (``placing``) the one an agent is calling now."""
    cb = entry.callback
    assert cb is not None
    if placing:
        state = CallbackState.CALLING
    elif cb.ready_at <= now:
        state = CallbackState.WAITING
    else:
        state = CallbackState.RETRY_LATER
    return CallbackView(
        entry.call_id,
        entry.queue,
        cb.promised_by,
        cb.attempts,
        cb.ready_at,
        state,
        now > cb.promised_by,
    )
