"""The ``rules_draft`` table: the files admins edited in the browser, whole, one shared draft.

Only edited files are kept; every other file of the draft is the live version's, so a
publish or rollback made meanwhile shows through everywhere the admins did not touch.
``based_on`` records the live version an edit was made over (to tell an admin that the
file changed under them). Synchronous: it runs on the rulesets store's thread
(ivr.rulesets.book.RulesetBook.run), with the versions table's connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ivr.store.db import iso, write_transaction
from ivr.store.engine import Database

TABLE = "rules_draft"


@dataclass(frozen=True, slots=True)
class DraftEdit:
    """One file as an admin left it."""

    name: str
    text: str
    updated_by: str
    updated_at: str
    based_on: int | None


class DraftStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def edits(self) -> dict[str, DraftEdit]:
        rows = self.db.execute(
            f"SELECT name, text, updated_by, updated_at, based_on FROM {TABLE} ORDER BY name"
        ).fetchall()
        return {
            str(name): DraftEdit(str(name), str(text), str(by), str(at), based)
            for name, text, by, at, based in rows
        }

    def save(
        self,
        texts: Mapping[str, str | None],
        who: str,
        at: datetime,
        based_on: int | None,
    ) -> None:
        """Each file's new text (None: back to the live file), all or none of them."""
        with write_transaction(self.db):
            for name, text in texts.items():
                if text is None:
                    self.db.execute(f"DELETE FROM {TABLE} WHERE name = ?", [name])
                    continue
                self.db.execute(
                    f"INSERT INTO {TABLE} (name, text, updated_by, updated_at, based_on)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                    " text = excluded.text, updated_by = excluded.updated_by,"
                    " updated_at = excluded.updated_at, based_on = excluded.based_on",
                    [name, text, who, iso(at), based_on],
                )

    def discard(self) -> int:
        """Every edit gone; how many there were."""
        with write_transaction(self.db):
            cursor = self.db.execute(f"DELETE FROM {TABLE}")
        return int(cursor.rowcount)
