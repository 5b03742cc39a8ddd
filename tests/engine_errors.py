"""What each engine raises when the database itself refuses a statement, so a test that
runs on both (the ``db_location`` fixture) expects the same refusal from either."""

from __future__ import annotations

import sqlite3
from typing import Final

import psycopg

# A second row with a key (or unique index) already taken.
DUPLICATE: Final = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)
# An append-only table's trigger (ivr.store.engine.Guard): SQLite's RAISE(ABORT),
# PostgreSQL's RAISE EXCEPTION; both carry the guard's message.
GUARDED: Final = (sqlite3.IntegrityError, psycopg.errors.RaiseException)
