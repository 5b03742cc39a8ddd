"""The ids the app gives its own channels, bridges and playbacks, and what they tell.

The app chooses every id (an event can beat the REST response). After a restart
the ids are all there is to go on: the prefix says a channel is the app's own, and
a channel that rings one of the app's agents, or a callback placed for one, carries
the agent's id after ``AGENT_MARK`` (``leg-0123456789ab.rc-1``,
``cb-0123456789ab-1.rc-1``), so the agent still talking on it is known whatever the
endpoint's form (a dial string's channel name does not name it).
"""

from __future__ import annotations

import uuid

AGENT_MARK = "."
CALLBACK_PREFIX = "cb-"  # a callback the app placed (ivr.queues.callbacks)
OWN_CHANNEL_PREFIXES = ("leg-", "snoop-", "em-", CALLBACK_PREFIX)


def new_id(prefix: str, agent: str = "") -> str:
    own = f"{prefix}-{uuid.uuid4().hex[:12]}"
    return f"{own}{AGENT_MARK}{agent}" if agent else own


def callback_id(attempt: int, agent: str) -> str:
    """A callback's first channel: the attempt, and the agent whose call it is."""
    return f"{CALLBACK_PREFIX}{uuid.uuid4().hex[:12]}-{attempt}{AGENT_MARK}{agent}"


def agent_of(channel_id: str) -> str | None:
    """The agent id a channel the app created was marked with, if any.

    Only the app's own ids: Asterisk's own (``1795500508.157``) have a dot too.
    """
    if not is_own_channel(channel_id):
        return None
    own = channel_id.split(";", 1)[0]  # a Local channel's ;2 half: leg-….rc-1;2
    _, mark, agent = own.partition(AGENT_MARK)
    return agent if mark and agent else None


def is_own_channel(channel_id: str) -> bool:
    return channel_id.startswith(OWN_CHANNEL_PREFIXES)
