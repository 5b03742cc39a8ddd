"""The call flow's settings (ivr.flows.FlowBuilder): how long it waits, what it dials.

Mostly [flow] and [destinations]; the waits of a call in an app-run queue are in the
file's [queues] table, where an admin looks for them, but the flow acts on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ivr.sections import POSITIVE, TEXT, ConfigError, Number, Refused, Section, option, table_option

# Transfer legs ring the dialplan's [ivr-agents] context (dialplans/extensions.conf),
# so a force turns a destination into a ring group or Queue() without touching the app.
DEFAULT_DESTINATIONS: Mapping[str, str] = {
    "emergency": "Local/fcr-priority@ivr-agents",
    "fcr": "Local/fcr@ivr-agents",
    "rc": "Local/rc@ivr-agents",
    "switchboard": "Local/switchboard@ivr-agents",
}
REQUIRED_DESTINATIONS = frozenset(DEFAULT_DESTINATIONS)


class Destinations:
    """[destinations]: name -> endpoint string, over the defaults."""

    def read(self, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise Refused("maps names to endpoint strings", show_value=False)
        return {**DEFAULT_DESTINATIONS, **value}


@dataclass(frozen=True)
class FlowSettings(Section):
    TABLE = "flow"

    first_digit_timeout: float = option(6.0, POSITIVE)
    ring_timeout: int = option(30, POSITIVE)
    menu_tries: int = option(3, POSITIVE)
    caller_id: str = option('"Police 101" <101>', TEXT)
    # How a directory extension is dialled: [ivr-agents] _dir-X. in dialplans/extensions.conf.
    directory_dial: str = option("Local/dir-{extension}@ivr-agents", TEXT)
    destinations: Mapping[str, str] = table_option(
        lambda: dict(DEFAULT_DESTINATIONS), Destinations(), table="destinations"
    )
    # In an app-run queue: position and wait every so often, then the callback offer.
    queue_announce_every: float = option(60.0, POSITIVE, key="announce_every", table="queues")
    # An emergency transfer waits at most this long in an app-run queue before it goes on
    # down the chain (FCR → switchboard): no agent free, all away, or all on long calls.
    emergency_wait_s: float = option(30.0, POSITIVE, table="queues")
    # Callers who gave up after waiting this long get a text; 0 = never.
    abandoned_sms_after_s: float = option(
        60.0, Number(inclusive=True, unit="seconds"), table="queues"
    )
    callback_ring_timeout: int = option(25, POSITIVE, table="queues")  # each callback leg

    def validate(self) -> None:
        missing = REQUIRED_DESTINATIONS - set(self.destinations)
        if missing:
            raise ConfigError(f"[destinations] lacks {', '.join(sorted(missing))}")
