"""The audit trail: every sign-in, failed sign-in, operator action and view of personal
data, append-only on the call database.

SQLite triggers (migration ``_m9_console``) refuse any UPDATE or DELETE of a row. The
one way a row goes is ``AuditStore.purge_before``, for a retention policy: it lifts the
DELETE guard, removes rows older than a time, and puts the guard back, in one
transaction. ``AuditLog.record`` queues a row from the event loop and never waits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

import sqlite_utils

from ivr.clock import Clock
from ivr.store.db import iso, write_transaction
from ivr.store.migrations import AUDIT_NO_DELETE

log = logging.getLogger(__name__)


class AuditAction(StrEnum):
    """What this package records; other modules name their own actions."""

    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_IN_LIMITED = "sign-in-limited"
    SIGN_OUT = "sign-out"
    USER_ADDED = "user-added"
    USER_DISABLED = "user-disabled"
    PASSWORD_CHANGED = "password-changed"


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    action: str
    detail: dict[str, Any]
    client: str


class AuditStore:
    """Synchronous reads and writes of the ``audit`` table (one store thread)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def append(
        self, at: datetime, who: str, action: str, detail: Mapping[str, Any], client: str = ""
    ) -> None:
        self.db["audit"].insert(  # type: ignore[union-attr]
            {
                "at": iso(at),
                "who": who,
                "action": str(action),
                "detail": json.dumps(dict(detail), sort_keys=True, default=str),
                "client": client,
            }
        )

    def since(self, at: datetime, who: str = "", action: str = "") -> list[AuditEntry]:
        where, params = ["at >= ?"], [iso(at)]
        if who:
            where.append("who = ?")
            params.append(who)
        if action:
            where.append("action = ?")
            params.append(action)
        rows = self.db["audit"].rows_where(" AND ".join(where), params, order_by="id")
        return [
            AuditEntry(r["at"], r["who"], r["action"], json.loads(r["detail"]), r["client"] or "")
            for r in rows
        ]

    def purge_before(self, at: datetime) -> int:
        """Delete entries older than ``at`` (retention only; every other DELETE fails)."""
        with write_transaction(self.db):
            self.db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            cur = self.db.execute("DELETE FROM audit WHERE at < ?", [iso(at)])
            self.db.execute(AUDIT_NO_DELETE)
        return int(cur.rowcount)


class _HasAudit(Protocol):
    @property
    def audit(self) -> AuditStore: ...


class _Submits(Protocol):
    def submit(self, fn: Any) -> Future[Any]: ...


class AuditLog:
    """identity.Audit on a store thread: ``record`` queues, the thread writes in order."""

    def __init__(self, thread: _Submits, clock: Clock) -> None:
        self._thread = thread
        self._clock = clock
        self.failed = 0

    def record(self, who: str, action: str, detail: Mapping[str, Any], *, client: str = "") -> None:
        """Queue one entry; never blocks the loop, never raises into a request."""
        try:
            at, kept = self._clock(), dict(detail)

            def write(store: _HasAudit) -> None:
                store.audit.append(at, who, action, kept, client)

            self._thread.submit(write).add_done_callback(self._written)
        except Exception:
            self.failed += 1
            log.exception("audit: %s by %s not recorded", action, who)

    def _written(self, future: Future[Any]) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None or future.cancelled():
            self.failed += 1
            log.error("audit: an entry was not recorded: %r", exc)
