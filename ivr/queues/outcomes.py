"""What the QueueEngine answers: a caller joined (or was refused), an agent is to be
connected or a callback placed, a caller abandoned, a callback is (not) worth offering.

Plain values, kept apart from the engine so the wiring (QueueService, the
CallbackWorker, the WaitInQueue verb) and the day-long simulation can name them
without the engine's internals.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.queues.estimator import Estimate
from ivr.queues.model import Priority, QueueEntry


@dataclass(frozen=True, slots=True)
class Joined:
    """The result of ``join``: ``accepted`` False means the queue was full (reason says so)."""

    entry: QueueEntry
    accepted: bool
    position: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Connect:
    """Dial ``agent_id`` and bridge them with the waiting caller."""

    agent_id: str
    entry: QueueEntry
    waited_s: float


@dataclass(frozen=True, slots=True)
class PlaceCallback:
    """The callback's place reached the front: ``agent_id`` is reserved for it."""

    agent_id: str
    entry: QueueEntry
    waited_s: float


Action = Connect | PlaceCallback


@dataclass(frozen=True, slots=True)
class Abandonment:
    """A caller who hung up while waiting: where (queue, position) and after how long."""

    call_id: str
    queue: str
    priority: Priority
    position: int
    waited_s: float
    at: float
    where: str  # the journey step, e.g. "queue:rc"


@dataclass(frozen=True, slots=True)
class CallbackOffer:
    """Whether to offer the caller a callback, the estimate it rests on, and why."""

    offer: bool
    estimate: Estimate
    threshold_s: float
    reason: str

    @classmethod
    def weigh(cls, entry: QueueEntry, estimate: Estimate, threshold: float) -> CallbackOffer:
        """Offer one when the estimated wait is above ``threshold``; emergency transfers are
        never offered one (they are answered first), nor is a caller who already has one."""
        if entry.priority is Priority.EMERGENCY_TRANSFER:
            return cls(False, estimate, threshold, "emergency transfers are answered first")
        if entry.virtual:
            return cls(False, estimate, threshold, "callback already accepted")
        if not estimate.known:
            return cls(True, estimate, threshold, "wait unknown: nobody staffed")
        if estimate.seconds > threshold:
            return cls(
                True,
                estimate,
                threshold,
                f"estimated wait {estimate.seconds / 60:.1f} min > {threshold / 60:.1f} min",
            )
        return cls(
            False,
            estimate,
            threshold,
            f"estimated wait {estimate.seconds / 60:.1f} min <= {threshold / 60:.1f} min",
        )


class QueueError(KeyError):
    """An unknown call, agent or queue: a wiring bug, never a caller's fault."""
