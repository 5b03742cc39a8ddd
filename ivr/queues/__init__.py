"""Queues run by the app (issue 5), the pure core: order, agents, honest waits, callbacks.

``QueueEngine`` keeps callers in strict priority then FIFO order and pairs
them with agents; ``WaitEstimator`` gives a position-aware wait range;
``simulation`` drives both through a busy 101 day (``bench/queues.py``).
Nothing here reads a clock or talks to Asterisk: the wiring passes ``now``
and turns the engine's actions into bridges, dials and callbacks.
"""

from ivr.queues.engine import QueueEngine
from ivr.queues.estimator import Estimate, WaitEstimator
from ivr.queues.model import (
    Agent,
    AgentState,
    Callback,
    Priority,
    QueueEntry,
    QueuesConfig,
    QueuesConfigError,
    QueueSettings,
    priority_for,
)
from ivr.queues.outcomes import (
    Abandonment,
    Action,
    CallbackOffer,
    Connect,
    Joined,
    PlaceCallback,
    QueueError,
)
from ivr.queues.queues_yaml import load_queues_config, parse_queues_config

__all__ = [
    "Abandonment",
    "Action",
    "Agent",
    "AgentState",
    "Callback",
    "CallbackOffer",
    "Connect",
    "Estimate",
    "Joined",
    "PlaceCallback",
    "Priority",
    "QueueEngine",
    "QueueEntry",
    "QueueError",
    "QueueSettings",
    "QueuesConfig",
    "QueuesConfigError",
    "WaitEstimator",
    "load_queues_config",
    "parse_queues_config",
    "priority_for",
]
