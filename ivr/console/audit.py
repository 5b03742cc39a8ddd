"""The audit trail: every sign-in, failed sign-in, operator action and view of personal
data, append-only on the call database.

Triggers (migration ``_m9_console``, on either engine) refuse any UPDATE or DELETE of
a row. The one way a row goes is retention (``[console] audit_days``, run by the daily
retention chore: ivr.store.retention), which lifts the DELETE guard, removes rows older
than a time, and puts the guard back, in one transaction. ``AuditLog.record`` queues a row from
the event loop and never waits.

Every row says where it came from: the client's address and, for a signed-in person, a
short reference to their session (``session_reference``: the first hex digits of the
session's stored hash, so the rows of one sitting can be told apart and matched to the
sessions table, while the row holds nothing that signs anyone in). The auth middleware
sets the ``AuditOrigin`` of each request it lets through (``audit_origin``), so the
services record their actions without knowing about requests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from ivr.clock import Clock
from ivr.console.sessions import token_hash
from ivr.store.db import iso
from ivr.store.engine import Database
from ivr.store.retention import purge_audit_before

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
    CSRF_REFUSED = "csrf-refused"  # a signed-in state change without its CSRF token
    TOKEN_REFUSED = "api-token-refused"  # a wrong bearer token (or one while it is off)


SESSION_REFERENCE_CHARS = 8


def session_reference(token: str) -> str:
    """What the audit names a cookie session by: the first hex digits of its stored hash."""
    return token_hash(token)[:SESSION_REFERENCE_CHARS]


@dataclass(frozen=True)
class AuditOrigin:
    """Where a request came from, as its audit rows say."""

    client: str  # the client's address (a trusted proxy's X-Forwarded-For)
    session: str = ""  # session_reference of a cookie session; "" for the bearer token


# The origin of the request being handled (set by the auth middleware, per request task).
_ORIGIN: ContextVar[AuditOrigin | None] = ContextVar("audit_origin", default=None)


@contextmanager
def audit_origin(origin: AuditOrigin) -> Iterator[None]:
    """Rows recorded inside this block (by this task, and tasks it starts) carry ``origin``."""
    token = _ORIGIN.set(origin)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    action: str
    detail: dict[str, Any]
    client: str
    session: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class AuditStore:
    """Synchronous reads and writes of the ``audit`` table (one store thread)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(
        self,
        at: datetime,
        who: str,
        action: str,
        detail: Mapping[str, Any],
        client: str = "",
        session: str = "",
    ) -> None:
        self.db.insert(
            "audit",
            {
                "at": iso(at),
                "who": who,
                "action": str(action),
                "detail": json.dumps(dict(detail), sort_keys=True, default=str),
                "client": client,
                "session": session,
            },
        )

    def since(self, at: datetime, who: str = "", action: str = "") -> list[AuditEntry]:
        where, params = ["at >= ?"], [iso(at)]
        if who:
            where.append("who = ?")
            params.append(who)
        if action:
            where.append("action = ?")
            params.append(action)
        rows = self.db.rows_where("audit", " AND ".join(where), params, order_by="id")
        return [
            AuditEntry(
                r["at"],
                r["who"],
                r["action"],
                json.loads(r["detail"]),
                r["client"] or "",
                r["session"] or "",
            )
            for r in rows
        ]

    def purge_before(self, at: datetime) -> int:
        """Delete entries older than ``at`` (retention only; every other DELETE fails)."""
        return purge_audit_before(self.db, at)


class _HasAudit(Protocol):
    @property
    def audit(self) -> AuditStore: ...


class _Submits(Protocol):
    def submit(self, fn: Any) -> Future[Any]: ...


class AuditLog:
    """identity.Audit on a store thread: ``record`` queues, the thread writes in order.

    A row that cannot be written is never raised into a request, so it must be loud
    elsewhere: each is logged as an error naming the action, counted (``failed``), and
    ``healthy`` is False until a row is written again (/health shows both).
    """

    def __init__(self, thread: _Submits, clock: Clock) -> None:
        self._thread = thread
        self._clock = clock
        self.failed = 0
        self._failing = False

    @property
    def healthy(self) -> bool:
        """The latest row was written (or none was tried)."""
        return not self._failing

    def health(self) -> dict[str, object]:
        """Its fields in /health (an audit row that fails, fails no request)."""
        return {"audit_healthy": self.healthy, "audit_failed": self.failed}

    def record(
        self,
        who: str,
        action: str,
        detail: Mapping[str, Any],
        *,
        client: str | None = None,
        session: str | None = None,
    ) -> None:
        """Queue one entry; never blocks the loop, never raises into a request.

        ``client`` and ``session`` default to the request's origin (``audit_origin``)."""
        try:
            at, kept = self._clock(), dict(detail)
            origin = _ORIGIN.get() or AuditOrigin("")
            address = origin.client if client is None else client
            reference = origin.session if session is None else session

            def write(store: _HasAudit) -> None:
                store.audit.append(at, who, action, kept, address, reference)

            self._thread.submit(write).add_done_callback(
                lambda done: self._written(done, action, who)
            )
        except Exception:
            self.failed += 1
            self._failing = True
            log.exception("audit: %s by %s NOT recorded (the audit trail is failing)", action, who)

    def _written(self, future: Future[Any], action: str, who: str) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is None and not future.cancelled():
            self._failing = False
            return
        self.failed += 1
        self._failing = True
        log.error(
            "audit: %s by %s NOT recorded (the audit trail is failing: %d rows lost): %r",
            action,
            who,
            self.failed,
            exc,
            exc_info=exc,
        )
