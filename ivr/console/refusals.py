"""RefusalAudit: refused requests (a missing CSRF token, a wrong bearer token) go to the
audit trail, but never more than a few rows a window, however many come.

A refusal is worth a row (someone tried something), but anyone can send a wrong bearer
token, and the trail is append-only: a script must not fill it, nor bury the rows that
matter. So at most ``rows_per_address`` rows per address group (IPv6 by /64, as the
login limit counts) and ``rows_in_all`` rows in all per ``window_s``; the refusals not
written are counted into that address's next row (``unaudited_before``), and a window
whose overall budget ran out gets ONE summary row (``refusals-unaudited``: how many it
did not write, from how many addresses, of which kinds), written when the next window's
first refusal comes. So a window writes at most ``rows_in_all + 1`` rows: 6 a minute by
default, 3.5M rows in 400 days of a flood that never stops (100 a minute before: 58M).

Addresses are remembered least recently refused first out (an OrderedDict, O(1) a
refusal), up to ``max_addresses``, as the login limit bounds its memory.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from ivr.console.audit import AuditOrigin
from ivr.console.ratelimit import MAX_KEYS, address_group

ROWS_PER_ADDRESS = 3
ROWS_IN_ALL = 5
WINDOW_S = 60.0
SUMMARY_WHO = "refusal-audit"  # a summary row is this module's, not one requester's


class RefusalAuditAction(StrEnum):
    UNAUDITED = "refusals-unaudited"  # the refusals of a window not written one by one


class Records(Protocol):
    """The audit trail (ivr.console.audit.AuditLog), with a row's origin given."""

    def record(
        self,
        who: str,
        action: str,
        detail: Mapping[str, Any],
        *,
        client: str | None = None,
        session: str | None = None,
    ) -> None: ...


@dataclass
class _Tally:
    window_start: float
    rows: int = 0  # written in this window
    unaudited: int = 0  # refused and not written since this address's last row


@dataclass
class _Window:
    """The window all addresses share: its rows, and what it did not write."""

    start: float
    rows: int = 0
    full: bool = False  # the budget ran out: the window ends with a summary row
    unwritten: Counter[str] = field(default_factory=Counter)  # action -> refusals
    addresses: set[str] = field(default_factory=set)  # of the unwritten, up to the cap

    def summary(self, window_s: float) -> dict[str, Any]:
        return {
            "refused": self.unwritten.total(),
            "addresses": len(self.addresses),
            "actions": dict(sorted(self.unwritten.items())),
            "window_s": window_s,
        }


class RefusalAudit:
    def __init__(
        self,
        audit: Records,
        *,
        rows_per_address: int = ROWS_PER_ADDRESS,
        rows_in_all: int = ROWS_IN_ALL,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_KEYS,
    ) -> None:
        self._audit = audit
        self._per_address = rows_per_address
        self._in_all = rows_in_all
        self._window_s = window_s
        self._clock = clock
        self._max = max_addresses
        self._tallies: OrderedDict[str, _Tally] = OrderedDict()
        self._all = _Window(clock())

    def refused(
        self, who: str, action: str, detail: Mapping[str, Any], origin: AuditOrigin
    ) -> bool:
        """Audit one refusal, or count it for the next rows; True if its own row was written."""
        now = self._clock()
        group = address_group(origin.client)
        tally = self._tally(group, now)
        if now - self._all.start >= self._window_s:
            self._summarise()
            self._all = _Window(now)
        if self._all.rows >= self._in_all:
            self._all.full = True
        if tally.rows >= self._per_address or self._all.full:
            tally.unaudited += 1
            self._all.unwritten[action] += 1
            if len(self._all.addresses) < self._max:
                self._all.addresses.add(group)
            return False
        row = dict(detail)
        if tally.unaudited:
            row["unaudited_before"] = tally.unaudited
        tally.rows += 1
        tally.unaudited = 0
        self._all.rows += 1
        self._audit.record(who, action, row, client=origin.client, session=origin.session)
        return True

    def _summarise(self) -> None:
        """The ended window's one summary row, if its budget ran out (else each refusal not
        written is counted in its own address's next row, and a summary says no more)."""
        if self._all.full:
            self._audit.record(
                SUMMARY_WHO,
                RefusalAuditAction.UNAUDITED,
                self._all.summary(self._window_s),
                client="",
                session="",
            )

    def _tally(self, key: str, now: float) -> _Tally:
        tally = self._tallies.get(key)
        if tally is None:
            if len(self._tallies) >= self._max:
                self._tallies.popitem(last=False)  # the least recently refused
            tally = self._tallies[key] = _Tally(now)
            return tally
        self._tallies.move_to_end(key)
        if now - tally.window_start >= self._window_s:
            tally.window_start, tally.rows = now, 0  # the unaudited count goes on
        return tally
