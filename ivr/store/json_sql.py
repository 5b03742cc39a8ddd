"""SQL for a field deep inside a JSON text column, on either engine.

``Database.json_text`` reads a top-level field; retention and the readers of past calls
also reach into a decision's evidence (``inputs.digits``, ``inputs.attempt``). The value
comes back as text on PostgreSQL (``#>>``) and as its JSON type on SQLite
(``json_extract``): compare it with NULL or '' only. A JSON null is SQL NULL on both.
"""

from __future__ import annotations

from ivr.store.engine import Database, Dialect


def json_path(db: Database, column: str, *keys: str) -> str:
    """SQL for ``column``'s field at ``keys`` (NULL if absent)."""
    if db.dialect is Dialect.POSTGRES:
        return f"(({column})::jsonb #>> '{{{','.join(keys)}}}')"
    return f"json_extract({column}, '$.{'.'.join(keys)}')"
