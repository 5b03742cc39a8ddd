"""The console's tables on the call database, on one store thread of their own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ivr.console.audit import AuditStore
from ivr.console.sessions import SessionPolicy, SessionStore
from ivr.console.users import UserStore
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.thread import StoreThread


class ConsoleDown(RuntimeError):
    """The console's database is not open (start-up failed, or after close)."""

    error_id = "console-store-down"


class ConsoleStore:
    """Users, sessions and the audit trail over one connection (one thread)."""

    def __init__(self, path: str | Path, policy: SessionPolicy) -> None:
        self._calls = CallStore(path)
        self.db = self._calls.db
        self.users = UserStore(self.db)
        self.sessions = SessionStore(self.db, policy)
        self.audit = AuditStore(self.db)

    def disable_user(self, name: str, at: datetime) -> bool:
        """Disable ``name`` and end their sessions at once; False if already disabled."""
        with write_transaction(self.db):
            changed = self.users.disable(name, iso(at))
            self.sessions.end_all_of(name)
        return changed

    def close(self) -> None:
        self._calls.close()


class ConsoleDatabase(StoreThread[ConsoleStore]):
    def __init__(self, path: str | Path, policy: SessionPolicy) -> None:
        super().__init__(
            "console",
            lambda: ConsoleStore(path, policy),
            lambda: ConsoleDown("the console's database is not open"),
        )
