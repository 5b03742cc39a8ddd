"""The Datasette metadata names only real tables, views and columns; the views run."""

from __future__ import annotations

import json
from pathlib import Path

from ivr.shipped import REPO_ROOT
from ivr.store.db import CallStore
from ivr.store.migrations import KPI_VIEWS
from tests.unit.analysis.handlog import write_log

METADATA = REPO_ROOT / "docs" / "datasette-metadata.json"


def test_metadata_names_real_tables_and_columns(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    try:
        names = set(store.db.table_names()) | set(store.db.view_names())
        (database,) = json.loads(METADATA.read_text(encoding="utf-8"))["databases"].values()
        for table, about in database["tables"].items():
            assert table in names, table
            assert about["description"]
            real = {c.name for c in store.db[table].columns}
            assert set(about.get("columns", {})) <= real, (table, set(about["columns"]) - real)
        assert {name for name, _ in KPI_VIEWS} <= set(database["tables"])
    finally:
        store.close()


def test_the_views_run_on_a_log(tmp_path: Path) -> None:
    store = CallStore(write_log(tmp_path / "calls.db"))
    try:
        rows = {name: list(store.db.execute(f"SELECT * FROM {name}")) for name, _ in KPI_VIEWS}
    finally:
        store.close()
    assert sum(r[1] for r in rows["v_calls_by_interval"]) == 8
    assert ("2026-03-02T09:00:00Z", 1, 1, 0, 0, 0, 400.0) in rows["v_calls_by_interval"]
    assert [r[2:] for r in rows["v_queue_abandoned"]] == [("rc", 130.0)]
    assert sorted(r[4] for r in rows["v_queue_answered"]) == [60.0, 400.0]
    assert [r[2:4] for r in rows["v_operator_moves"]] == [("fcr", "rc")]


def test_the_views_say_their_times_are_utc(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    try:
        by_interval = {c.name for c in store.db["v_calls_by_interval"].columns}
        by_day = {c.name for c in store.db["v_outcomes_by_day"].columns}
    finally:
        store.close()
    assert "interval_start_utc" in by_interval and "day_utc" in by_day


def test_a_rejoined_queue_is_answered_once(tmp_path: Path) -> None:
    store = CallStore(write_log(tmp_path / "calls.db"))
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
        rows = list(store.db.execute("SELECT * FROM v_queue_answered WHERE call_id = 'R'"))
    finally:
        store.close()
    assert [(r[1], r[4]) for r in rows] == [("rc", 6.0)]
