"""Sign-in sessions: a random cookie value, stored only as its hash, with two expiries.

Idle expiry ends a session left alone (a screen walked away from); absolute expiry
ends every session after a shift, however busy. A session lasts only while its user
is enabled. Expired rows are removed whenever someone signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ivr.console.identity import Operator, Role, skills_of
from ivr.store.db import iso
from ivr.store.engine import Database

TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often per session


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Grant:
    """A new session: ``token`` goes into the cookie and is never stored (nor logged:
    the tokens stay out of the repr)."""

    token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    operator: Operator


@dataclass(frozen=True)
class ActiveSession:
    operator: Operator
    csrf_token: str = field(repr=False)


def token_hash(token: str) -> str:
    # The token is 256 random bits: a plain hash is enough (nothing to guess or salt).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, db: Database, policy: SessionPolicy) -> None:
        self.db = db
        self.policy = policy

    def start(self, operator: Operator, client: str, now: datetime) -> Grant:
        self.purge_expired(now)
        grant = Grant(secrets.token_urlsafe(32), secrets.token_urlsafe(32), operator)
        self.db.insert(
            "console_sessions",
            {
                "id_hash": token_hash(grant.token),
                "user": operator.name,
                "csrf_token": grant.csrf_token,
                "created_at": iso(now),
                "last_seen": iso(now),
                "client": client,
            },
        )
        return grant

    def find(self, token: str, now: datetime) -> ActiveSession | None:
        """The live session of this cookie value, its idle clock restarted; else None."""
        key = token_hash(token)
        rows = self.db.query(
            "SELECT s.csrf_token, s.last_seen, u.name, u.role, u.phone, u.skills"
            ' FROM console_sessions s JOIN users u ON u.name = s."user"'
            " WHERE s.id_hash = ? AND u.disabled_at = ''"
            " AND s.created_at > ? AND s.last_seen > ?",
            [key, iso(now - self.policy.absolute), iso(now - self.policy.idle)],
        )
        if not rows:
            return None
        row = rows[0]
        if row["last_seen"] < iso(now - TOUCH_EVERY):
            self.db.execute(
                "UPDATE console_sessions SET last_seen = ? WHERE id_hash = ?", [iso(now), key]
            )
        return ActiveSession(
            Operator(
                row["name"], Role(row["role"]), row["phone"] or "", skills_of(row["skills"] or "")
            ),
            row["csrf_token"],
        )

    def end(self, token: str) -> None:
        self.db.execute("DELETE FROM console_sessions WHERE id_hash = ?", [token_hash(token)])

    def end_all_of(self, user: str) -> int:
        # "user" quoted: PostgreSQL reserves the word (bare, it is CURRENT_USER).
        return int(
            self.db.execute('DELETE FROM console_sessions WHERE "user" = ?', [user]).rowcount
        )

    def purge_expired(self, now: datetime) -> int:
        cur = self.db.execute(
            "DELETE FROM console_sessions WHERE created_at <= ? OR last_seen <= ?",
            [iso(now - self.policy.absolute), iso(now - self.policy.idle)],
        )
        return int(cur.rowcount)
