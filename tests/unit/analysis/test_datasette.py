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
