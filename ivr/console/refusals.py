"""RefusalAudit: refused requests (a missing CSRF token, a wrong bearer token) go to the
audit trail, but never faster than a few rows a minute per address.

A refusal is worth a row (someone tried something), but a script sending thousands
would otherwise fill the table and bury the rows that matter. So at most
``rows_per_address`` rows per address group (IPv6 by /64, as the login limit counts)
per ``window_s``, and at most ``rows_in_all`` rows in all per window (many addresses at
once); the refusals not written are counted into that address's next row
(``unaudited_before``). Memory is bounded like the login limit's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ivr.console.audit import AuditOrigin
from ivr.console.ratelimit import MAX_KEYS, address_group

ROWS_PER_ADDRESS = 10
ROWS_IN_ALL = 100
WINDOW_S = 60.0


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
        self._tallies: dict[str, _Tally] = {}
        self._all = _Tally(clock())

    def refused(
        self, who: str, action: str, detail: Mapping[str, Any], origin: AuditOrigin
    ) -> bool:
        """Audit one refusal, or count it for the next row; True if a row was written."""
        now = self._clock()
        tally = self._tally(address_group(origin.client), now)
        if now - self._all.window_start >= self._window_s:
            self._all = _Tally(now)
        if tally.rows >= self._per_address or self._all.rows >= self._in_all:
            tally.unaudited += 1
            return False
        row = dict(detail)
        if tally.unaudited:
            row["unaudited_before"] = tally.unaudited
        tally.rows += 1
        tally.unaudited = 0
        self._all.rows += 1
        self._audit.record(who, action, row, client=origin.client, session=origin.session)
        return True

    def _tally(self, key: str, now: float) -> _Tally:
        tally = self._tallies.get(key)
        if tally is None:
            if len(self._tallies) >= self._max:
                oldest = min(self._tallies, key=lambda k: self._tallies[k].window_start)
                del self._tallies[oldest]
            tally = self._tallies[key] = _Tally(now)
        elif now - tally.window_start >= self._window_s:
            tally.window_start, tally.rows = now, 0  # the unaudited count goes on
        return tally
