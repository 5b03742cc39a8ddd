"""Rows written straight into the call database for tests, on either engine (what
sqlite-utils' ``insert_all`` did)."""

from __future__ import annotations

from collections.abc import Iterable

from ivr.store.engine import Database, Row


def insert_all(db: Database, table: str, rows: Iterable[Row]) -> None:
    """Every row into ``table``, in one transaction."""
    with db.transaction():
        for row in rows:
            db.insert(table, row)
