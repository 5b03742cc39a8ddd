"""``ivr analysis-copy``: a copy of the call database fit to explore (Datasette, sqlite3).

The live database holds far more than figures: officers' password hashes and sessions,
the console's audit trail, callers' numbers, what they said and the texts sent to them.
The copy is taken as one consistent snapshot (``VACUUM INTO``: a server writing to the
WAL meanwhile is fine, where ``cp`` can miss writes), then only the tables the figures
need are kept (``KEPT``: anything else, a table added later included, is dropped) and
their personal columns blanked. ``secure_delete`` and a final VACUUM leave no old
page of the removed data in the file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ivr.analysis.understanding import masked_phrase
from ivr.store.retention import NUMBER_EVENTS

# Tables kept; every other table is dropped (views over them stay).
KEPT: Final = frozenset(
    {
        "calls",
        "call_events",
        "decisions",
        "callbacks",
        "callback_attempts",
        "caller_calls",
        "sms_outbox",
        "survey_responses",
        "schema_migrations",
    }
)

# What is blanked in the kept tables (each statement guarded by the table being there).
_BLANKING: Final = (
    (
        "calls",
        "UPDATE calls SET caller_number = '', caller_name = '', personal_cleared = 1",
    ),
    # What the caller said (and its alternatives), kept by the speech events.
    (
        "call_events",
        "UPDATE call_events SET detail = json_remove(detail, '$.text', '$.alternatives')"
        " WHERE kind = 'speech' AND json_valid(detail)",
    ),
    # The whole RoutingInputs (words heard, digits) and the evidence's copy of them.
    (
        "decisions",
        "UPDATE decisions SET inputs = NULL, reason = masked(reason), message = NULL,"
        " evidence = CASE WHEN json_valid(evidence) THEN json_replace(evidence,"
        " '$.inputs.heard', json('[]'), '$.inputs.digits', NULL) END",
    ),
    ("callbacks", "UPDATE callbacks SET number = ''"),
    ("callback_attempts", "UPDATE callback_attempts SET agent_id = NULL, channel_id = NULL"),
    ("caller_calls", "UPDATE caller_calls SET pseudonym = ''"),
    (
        "sms_outbox",
        "UPDATE sms_outbox SET to_number = '', body = '', last_error = NULL,"
        " provider_id = NULL, reference = ''",
    ),
    ("survey_responses", "UPDATE survey_responses SET comment = NULL"),
)


class CopyRefused(ValueError):
    error_id = "analysis-copy"


@dataclass(frozen=True, slots=True)
class CopyReport:
    dropped: tuple[str, ...]  # the tables left out
    calls: int


class AnalysisCopy:
    """Writes the copy of ``source`` at ``target`` (which must not exist yet)."""

    def __init__(self, source: Path, target: Path) -> None:
        self.source = source
        self.target = target

    def write(self) -> CopyReport:
        if not self.source.is_file():
            raise CopyRefused(f"no database at {self.source}")
        if self.target.exists():
            raise CopyRefused(f"{self.target} exists: the copy is written to a new file")
        try:
            self._snapshot()
            return self._clean()
        except sqlite3.DatabaseError as exc:
            self.target.unlink(missing_ok=True)  # never leave a half-cleaned copy
            raise CopyRefused(f"cannot copy {self.source}: {exc}") from exc

    def _snapshot(self) -> None:
        source = sqlite3.connect(f"{self.source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", [str(self.target)])
        finally:
            source.close()

    def _clean(self) -> CopyReport:
        db = sqlite3.connect(self.target, isolation_level=None)
        try:
            db.create_function("masked", 1, _masked, deterministic=True)
            db.execute("PRAGMA journal_mode = DELETE")  # one file to hand over
            db.execute("PRAGMA secure_delete = ON")
            tables = {
                r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "calls" not in tables:
                raise CopyRefused(f"{self.source} is not a call database (no calls table)")
            dropped = tuple(sorted(t for t in tables - KEPT if not t.startswith("sqlite_")))
            db.execute("BEGIN")
            for table in dropped:
                db.execute(f'DROP TABLE "{table}"')
            for table, update in _BLANKING:
                if table in tables:
                    db.execute(update)
            for kind, key in NUMBER_EVENTS.items():  # details that can quote a number
                db.execute(
                    f"UPDATE call_events SET detail = json_replace(detail, '$.{key}', '')"
                    " WHERE kind = ? AND json_valid(detail)",
                    [kind],
                )
            db.execute("COMMIT")
            db.execute("VACUUM")
            calls = int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
            return CopyReport(dropped, calls)
        except BaseException:
            db.close()
            self.target.unlink(missing_ok=True)
            raise
        finally:
            db.close()


def _masked(text: object) -> str | None:
    return masked_phrase(text) if isinstance(text, str) else None
