"""The Datasette metadata names only real tables, views and columns; the KPI views run,
on SQLite and PostgreSQL alike (``db_location``: they are for psql too)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from ivr.shipped import REPO_ROOT
from ivr.store.db import CallStore
from ivr.store.migrations import KPI_VIEW_NAMES
from tests.unit.analysis.handlog import write_log

METADATA = REPO_ROOT / "docs" / "datasette-metadata.json"


def test_metadata_names_real_tables_and_columns(tmp_path: Path) -> None:
    """SQLite only: Datasette opens SQLite files (the analysis copy)."""
    store = CallStore(tmp_path / "calls.db")
    try:
        db = sqlite_utils.Database(sqlite3.connect(tmp_path / "calls.db"))
        names = set(db.table_names()) | set(db.view_names())
        (database,) = json.loads(METADATA.read_text(encoding="utf-8"))["databases"].values()
        for table, about in database["tables"].items():
            assert table in names, table
            assert about["description"]
            real = {c.name for c in db[table].columns}
            assert set(about.get("columns", {})) <= real, (table, set(about["columns"]) - real)
        assert set(KPI_VIEW_NAMES) <= set(database["tables"])
        db.conn.close()
    finally:
        store.close()


def test_the_views_run_on_a_log(db_location: str) -> None:
    store = CallStore(write_log(db_location))
    try:
        rows = {
            name: [tuple(r) for r in store.db.execute(f"SELECT * FROM {name}").fetchall()]
            for name in KPI_VIEW_NAMES
        }
    finally:
        store.close()
    assert sum(r[1] for r in rows["v_calls_by_interval"]) == 8
    assert ("2026-03-02T09:00:00Z", 1, 1, 0, 0, 0, 400.0) in rows["v_calls_by_interval"]
    assert [r[2:] for r in rows["v_queue_abandoned"]] == [("rc", 130.0)]
    assert sorted(r[4] for r in rows["v_queue_answered"]) == [60.0, 400.0]
    assert [r[2:4] for r in rows["v_operator_moves"]] == [("fcr", "rc")]


def test_the_views_say_their_times_are_utc(db_location: str) -> None:
    store = CallStore(db_location)
    try:
        by_interval = set(store.db.columns("v_calls_by_interval"))
        by_day = set(store.db.columns("v_outcomes_by_day"))
    finally:
        store.close()
    assert "interval_start_utc" in by_interval and "day_utc" in by_day


def test_a_rejoined_queue_is_answered_once(db_location: str) -> None:
    store = CallStore(write_log(db_location))
    try:
        row = {"call_id": "R", "channel_id": "R", "caller_number": "", "caller_name": ""}
        store.call_started(row | {"dialled": "101", "started_at": "2026-03-02T11:00:00Z"})
        for second, kind, detail in [
            ("01", "queue-joined", {"queue": "rc"}),
            ("02", "queue-joined", {"queue": "fcr"}),  # an operator moved them, then back
            ("03", "queue-joined", {"queue": "rc"}),
            ("09", "connected", {"destination": "rc"}),
        ]:
            store.add_event("R", f"2026-03-02T11:00:{second}Z", kind, detail)
        rows = store.db.execute("SELECT * FROM v_queue_answered WHERE call_id = 'R'").fetchall()
    finally:
        store.close()
    assert [(r[1], r[4]) for r in rows] == [("rc", 6.0)]
