"""The queues the app runs itself: who answers them ([agents]), and how callbacks ring.

A destination with agents here waits in the app's holding bridge and the app dials a
free agent; without agents it rings [destinations] (the dialplan's own ring group or
Queue()). In the file: ``[agents]`` id = {endpoint = "PJSIP/rc-1", queues = ["rc"]}.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.sections import POSITIVE, Choice, Refused, Section, Text, option, table_option

# The id marks the channels that ring the agent (ivr.channel_ids): no dots.
AGENT_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class AgentSpec:
    """A person the app's queues dial: their endpoint and the queues they answer."""

    endpoint: str
    queues: tuple[str, ...]


def parse_agents(body: object) -> dict[str, AgentSpec]:
    """[agents]: id = {endpoint = "PJSIP/rc-1", queues = ["rc", "fcr"]}; Refused names the
    agent that is wrong."""
    if not isinstance(body, dict):
        raise Refused("maps agent ids to {endpoint, queues}", show_value=False)
    agents: dict[str, AgentSpec] = {}
    for agent_id, spec in body.items():
        if not AGENT_ID.fullmatch(agent_id):
            raise Refused(
                f"agent id {agent_id!r}: use letters, digits, '-' and '_' (up to 40)",
                show_value=False,
            )
        agents[str(agent_id)] = _agent(agent_id, spec)
    return agents


def _agent(agent_id: str, spec: Any) -> AgentSpec:
    endpoint = spec.get("endpoint") if isinstance(spec, dict) else None
    queues = spec.get("queues") if isinstance(spec, dict) else None
    if not isinstance(endpoint, str) or "/" not in endpoint:
        raise Refused(f"agent {agent_id!r} needs an endpoint like PJSIP/rc-1", show_value=False)
    if (
        not isinstance(queues, list)
        or not queues
        or not all(isinstance(q, str) and q for q in queues)
    ):
        raise Refused(f"agent {agent_id!r} needs a list of queues", show_value=False)
    extra = set(spec) - {"endpoint", "queues"}
    if extra:
        raise Refused(f"agent {agent_id!r}: unknown keys {sorted(extra)}", show_value=False)
    return AgentSpec(endpoint, tuple(queues))


class Agents:
    """The [agents] table as a spec."""

    def read(self, value: Any) -> dict[str, AgentSpec]:
        return parse_agents(value)


@dataclass(frozen=True)
class AppQueueSettings(Section):
    TABLE = "queues"

    agents: Mapping[str, AgentSpec] = table_option(dict, Agents(), table="agents")
    agent_away_s: float = option(60.0, POSITIVE)  # an agent who did not answer is skipped


class CallbackFirst(StrEnum):
    """Who a callback rings first."""

    AGENT = "agent"
    CALLER = "caller"


@dataclass(frozen=True)
class CallbackDialSettings(Section):
    TABLE = "queues"

    first: CallbackFirst = option(CallbackFirst.AGENT, Choice(CallbackFirst), key="callback_first")
    dial: str = option("Local/{number}@ivr-callback", Text("{number}"), key="callback_dial")
    # Nodes sharing one database (ivr.ha.claims): how long a node's callbacks stay its own
    # unrenewed, i.e. how long a dead node's callbacks wait before another node takes
    # them over. Renewed every third of it: a database write each time.
    claim_s: float = option(30.0, POSITIVE, key="callback_claim_s")


__all__ = [
    "AGENT_ID",
    "AgentSpec",
    "AppQueueSettings",
    "CallbackDialSettings",
    "CallbackFirst",
    "parse_agents",
]
