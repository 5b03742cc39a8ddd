"""Files holding callers' data or the directory are created with the documented modes.

The database (numbers, what callers said) and its -wal/-shm files: 0600. The directory
written by ``ivr directory import``: 0640 when new, and a replaced file keeps its mode.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.directory_import import import_csv
from ivr.store.db import CallStore
from tests.unit.directory.folders import own_rules

CSV = "id,kind,name,rank,aliases,extension,hours,team\nsarah-j,person,Sarah Jones,DC,,4101,,\n"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read what is created: the code must not rely on one."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    files = [path, tmp_path / "calls.db-wal", tmp_path / "calls.db-shm"]
    modes = {f.name: _mode(f) for f in files}
    store.close()
    assert modes == {f.name: 0o600 for f in files}


def test_an_existing_database_keeps_the_mode_its_admin_gave_it(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "calls.db"
    CallStore(path).close()
    path.chmod(0o640)
    CallStore(path).close()
    assert _mode(path) == 0o640


def test_directory_import_creates_a_new_file_0640(tmp_path: Path, open_umask: None) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path) / "directory.yaml"
    src.write_text(CSV, encoding="utf-8")
    assert import_csv(src, dest).written
    assert _mode(dest) == 0o640


def test_directory_import_keeps_the_mode_of_the_file_it_replaces(
    tmp_path: Path, open_umask: None
) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path) / "directory.yaml"
    src.write_text(CSV, encoding="utf-8")
    dest.write_text("entries: []\n")
    dest.chmod(0o644)
    assert import_csv(src, dest).written
    assert _mode(dest) == 0o644
