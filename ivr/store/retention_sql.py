"""Retention's JSON edits, in each engine's spelling (ivr.store.retention runs them).

A decision row's keyed digits: the engine's evidence (``digits``), what the verb saw
(``inputs.digits``), the stored RoutingInputs (the ``inputs`` column). A reason quotes
the keys whole ("key '07700900123' is not a choice"); a menu choice of 1-3 keys is no
number, and replacing "1" in the text would garble it.

SQLite edits JSON text in place (``json_replace`` changes only fields that are there)
and leaves rows alone whose JSON is damaged (``json_valid``). PostgreSQL goes through
``jsonb`` (``jsonb_set(..., false)`` likewise changes only what is there; the text comes
back re-serialised, its keys in jsonb's order) and has no validity test before version 16:
there the stores write only ``json.dumps`` text, so every row is taken as JSON.
"""

from __future__ import annotations

from typing import Final

from ivr.store.engine import Database, Dialect

# The evidence key of a decision whose keyed digits were blanked (ivr.replay skips it).
KEYS_CLEARED: Final = "keys_cleared"

_SQLITE_KEYED_DIGITS: Final = (
    "coalesce(nullif(json_extract(evidence, '$.digits'), ''),"
    " json_extract(evidence, '$.inputs.digits'), '')"
)
_SQLITE_KEYED: Final = (
    "json_valid(evidence) AND (coalesce(json_extract(evidence, '$.digits'), '') != ''"
    " OR coalesce(json_extract(evidence, '$.inputs.digits'), '') != ''"
    " OR (json_valid(inputs) AND coalesce(json_extract(inputs, '$.digits'), '') != ''))"
)
_SQLITE_KEYS_BLANKED: Final = (
    f"reason = CASE WHEN length({_SQLITE_KEYED_DIGITS}) > 3"
    f" THEN replace(reason, {_SQLITE_KEYED_DIGITS}, '[keys cleared]') ELSE reason END,"
    " evidence = json_set(json_replace(evidence, '$.digits', '', '$.inputs.digits', ''),"
    f" '$.{KEYS_CLEARED}', json('true')),"
    " inputs = CASE WHEN json_valid(inputs) THEN json_replace(inputs, '$.digits', NULL)"
    " ELSE inputs END"
)

_E: Final = "(evidence)::jsonb"
_I: Final = "(inputs)::jsonb"
_PG_KEYED_DIGITS: Final = (
    f"coalesce(nullif({_E} ->> 'digits', ''), {_E} #>> '{{inputs,digits}}', '')"
)
_PG_KEYED: Final = (
    f"jsonb_typeof({_E}) = 'object' AND (coalesce({_E} ->> 'digits', '') != ''"
    f" OR coalesce({_E} #>> '{{inputs,digits}}', '') != ''"
    f" OR (jsonb_typeof({_I}) = 'object' AND coalesce({_I} ->> 'digits', '') != ''))"
)
_PG_EVIDENCE_BLANKED: Final = (
    f"jsonb_set(CASE WHEN jsonb_typeof({_E} -> 'inputs') = 'object'"
    f" THEN jsonb_set({_E}, '{{inputs,digits}}', '\"\"', false) ELSE {_E} END,"
    " '{digits}', '\"\"', false)"
)
_PG_KEYS_BLANKED: Final = (
    f"reason = CASE WHEN length({_PG_KEYED_DIGITS}) > 3"
    f" THEN replace(reason, {_PG_KEYED_DIGITS}, '[keys cleared]') ELSE reason END,"
    f" evidence = jsonb_set({_PG_EVIDENCE_BLANKED}, '{{{KEYS_CLEARED}}}', 'true')::text,"
    f" inputs = CASE WHEN jsonb_typeof({_I}) = 'object'"
    f" THEN jsonb_set({_I}, '{{digits}}', 'null', false)::text ELSE inputs END"
)


def keyed(db: Database) -> str:
    """SQL true for a decision row that holds keyed digits (in a JSON object)."""
    return _PG_KEYED if db.dialect is Dialect.POSTGRES else _SQLITE_KEYED


def keys_blanked(db: Database) -> str:
    """The SET clause that blanks a decision row's keyed digits and marks it
    ``KEYS_CLEARED`` (for rows ``keyed`` finds)."""
    return _PG_KEYS_BLANKED if db.dialect is Dialect.POSTGRES else _SQLITE_KEYS_BLANKED


def event_blanked(db: Database, key: str) -> tuple[str, str]:
    """(SET clause, WHERE condition): an event detail's ``key`` blanked where it is set."""
    if db.dialect is Dialect.POSTGRES:
        detail = "(detail)::jsonb"
        return (
            f"detail = jsonb_set({detail}, '{{{key}}}', '\"\"')::text",
            f"coalesce({detail} ->> '{key}', '') != ''",
        )
    return (
        f"detail = json_set(detail, '$.{key}', '')",
        f"coalesce(json_extract(detail, '$.{key}'), '') != ''",
    )
