"""Leases in the shared database: one holder per name, for as long as it renews.

A lease is taken when it is free or has run out, by one conditional upsert, so two
nodes racing for it cannot both win (the database serialises the row). Each takeover
raises its ``generation``; renewing names holder and generation, so a node that
stalled past its lease (and was replaced) finds it gone rather than renewing another's.
Times are the database server's clock (``Database.epoch_now``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.store.db import CallStore
from ivr.store.engine import Database
from ivr.store.thread import StoreThread


@dataclass(frozen=True, slots=True)
class Held:
    """A lease this node holds: renew it by these two."""

    holder: str
    generation: int


@dataclass(frozen=True, slots=True)
class LeaseRow:
    name: str
    holder: str
    generation: int
    expires_in_s: float  # negative once it has run out


class LeaseStore:
    """Synchronous lease queries; used only on the lease thread."""

    def __init__(self, location: str) -> None:
        self._calls = CallStore(location)
        self.db: Database = self._calls.db

    def close(self) -> None:
        self._calls.close()

    def try_acquire(self, name: str, holder: str, lease_s: float) -> Held | None:
        """The lease, if it is free, run out, or already ``holder``'s; else None."""
        now = self.db.epoch_now()
        generation = self.db.scalar(
            "INSERT INTO node_leases (name, holder, generation, expires_at, acquired_at,"
            f" renewed_at) VALUES (?, ?, 1, {now} + ?, {now}, {now})"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " generation = node_leases.generation + 1, expires_at = excluded.expires_at,"
            " acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at"
            f" WHERE node_leases.expires_at < {now} OR node_leases.holder = excluded.holder"
            " RETURNING generation",
            [name, holder, lease_s],
        )
        return None if generation is None else Held(holder, int(generation))

    def renew(self, name: str, held: Held, lease_s: float) -> bool:
        """False when the lease is no longer this holder's generation (taken over)."""
        now = self.db.epoch_now()
        changed = self.db.execute(
            f"UPDATE node_leases SET expires_at = {now} + ?, renewed_at = {now}"
            " WHERE name = ? AND holder = ? AND generation = ?",
            [lease_s, name, held.holder, held.generation],
        ).rowcount
        return changed == 1

    def release(self, name: str, held: Held) -> bool:
        """Run the lease out now (a clean stop): a standby takes over at its next try."""
        now = self.db.epoch_now()
        changed = self.db.execute(
            f"UPDATE node_leases SET expires_at = {now} - 1"
            " WHERE name = ? AND holder = ? AND generation = ?",
            [name, held.holder, held.generation],
        ).rowcount
        return changed == 1

    def current(self, name: str) -> LeaseRow | None:
        rows = self.db.query(
            f"SELECT name, holder, generation, expires_at - {self.db.epoch_now()} AS left_s"
            " FROM node_leases WHERE name = ?",
            [name],
        )
        if not rows:
            return None
        row = rows[0]
        return LeaseRow(row["name"], row["holder"], int(row["generation"]), float(row["left_s"]))


class LeaseBook(StoreThread[LeaseStore]):
    """Async face of the lease table: one connection, one thread."""

    def __init__(self, location: str) -> None:
        super().__init__(
            "leases",
            lambda: LeaseStore(location),
            lambda: RuntimeError("the lease book is not open"),
        )
