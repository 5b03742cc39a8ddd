"""Calls on the other Asterisk nodes that share this database, for the board (read-only).

Each node is an Asterisk with its own app process: its own live sessions, queues and
agents. What one node knows of another's calls is their rows in the shared database:
in progress and stamped with another origin (``calls.origin``, the Asterisk and ARI app
a call came through). The feed polls them every couple of seconds on a store thread of
their own, never on the loop that runs this node's calls. An operator acts on a call
from its own node's console: nothing here changes a call.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from ivr.clock import Clock, utc_now
from ivr.masking import mask_for_console
from ivr.session.outcomes import CallOutcome
from ivr.store.db import CallStore, iso
from ivr.store.thread import StoreThread

# A call "in progress" for longer than this was left by a node that died and has not
# come back to close it: not shown as live.
WINDOW: Final = timedelta(days=1)

# The latest event of each call by a correlated subquery (both engines run it; the index
# on call_events (call_id, at) serves it). Calls stored before origins ("") are nobody's.
_OTHERS: Final = (
    "SELECT c.call_id, c.origin, c.caller_number, c.dialled, c.started_at, c.destination,"
    " (SELECT e.kind FROM call_events e WHERE e.call_id = c.call_id"
    " ORDER BY e.at DESC, e.id DESC LIMIT 1) AS last_kind,"
    " (SELECT e.at FROM call_events e WHERE e.call_id = c.call_id"
    " ORDER BY e.at DESC, e.id DESC LIMIT 1) AS last_at"
    " FROM calls c"
    " WHERE c.outcome = ? AND c.origin <> ? AND c.origin <> '' AND c.started_at >= ?"
    " ORDER BY c.started_at, c.call_id"
)


@dataclass(frozen=True, slots=True)
class OtherCall:
    """Another node's live call as the board shows it."""

    call_id: str
    node: str  # the origin it came through, e.g. ari:http://10.0.0.2:8088:ivr101
    caller: str  # masked, as on the board
    dialled: str
    started_at: float  # epoch seconds
    destination: str  # "" until decided
    last_event: str  # the kind of its latest event ("" none yet)
    last_event_at: float | None  # epoch seconds

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _epoch(text: object) -> float | None:
    try:
        return datetime.fromisoformat(str(text)).timestamp() if text else None
    except ValueError:
        return None  # a damaged time: the row is still shown


class OtherNodesCalls:
    """The query, synchronous: used only on its store thread."""

    def __init__(self, location: str, origin: str, *, window: timedelta = WINDOW) -> None:
        self.origin = origin
        self.window = window
        self._store = CallStore(location)

    def close(self) -> None:
        self._store.close()

    def calls(self, now: datetime) -> list[OtherCall]:
        """Other nodes' calls in progress that started within ``window`` of ``now``."""
        rows = self._store.db.query(
            _OTHERS, [CallOutcome.IN_PROGRESS.value, self.origin, iso(now - self.window)]
        )
        return [
            OtherCall(
                call_id=str(r["call_id"]),
                node=str(r["origin"]),
                caller=mask_for_console(str(r["caller_number"] or "")),
                dialled=str(r["dialled"] or ""),
                started_at=_epoch(r["started_at"]) or 0.0,
                destination=str(r["destination"] or ""),
                last_event=str(r["last_kind"] or ""),
                last_event_at=_epoch(r["last_at"]),
            )
            for r in rows
        ]


class OtherNodes:
    """``OtherNodesCalls`` on a thread of its own: what the board reads."""

    def __init__(self, location: str, origin: str, clock: Clock = utc_now) -> None:
        self.origin = origin  # this node's: its own calls are not "other"
        self.clock = clock
        self._thread: StoreThread[OtherNodesCalls] = StoreThread(
            "other-nodes",
            lambda: OtherNodesCalls(location, origin),
            lambda: RuntimeError("the other nodes' calls are not open"),
        )

    async def open(self) -> None:
        await self._thread.open()

    async def close(self) -> None:
        await self._thread.close()

    async def calls(self) -> list[OtherCall]:
        now = self.clock()
        return await self._thread.run(lambda reader: reader.calls(now))
