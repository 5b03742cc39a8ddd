"""Call records in SQLite: calls, their events, and every routing decision."""

from ivr.store.db import CallStore
from ivr.store.log import CallLog, SqliteCallLog

__all__ = ["CallLog", "CallStore", "SqliteCallLog"]
