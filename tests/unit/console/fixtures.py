"""Shared by the console's tests: a cheap hasher, a clock the test moves, a seeded store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher

from ivr.console.identity import Role
from ivr.console.passwords import Passwords
from ivr.console.sessions import SessionPolicy
from ivr.console.store import ConsoleStore
from ivr.store.db import iso

# Test-only cost: the real defaults take tens of ms per hash.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
PASSWORD = "correct horse battery"


@dataclass
class MovingClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 3, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def fast_passwords() -> Passwords:
    return Passwords(FAST)


def seed_users(path: str | Path, *users: tuple[str, Role, str]) -> None:
    """Users (name, role, phone), each with PASSWORD."""
    store = ConsoleStore(path, POLICY)
    passwords = fast_passwords()
    try:
        for name, role, phone in users:
            store.users.add(name, role, phone, passwords.hash(PASSWORD), iso(datetime.now(UTC)))
    finally:
        store.close()
