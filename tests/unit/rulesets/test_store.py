"""The rulesets table: versions in order, whole folders back byte for byte, never changed."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.decisions import Decision
from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.store import ON_DISK, NoSuchVersion, RulesetStore, VersionKind, pack, unpack
from ivr.store.db import CallStore
from tests.engine_errors import GUARDED

SHIPPED = Path(__file__).resolve().parents[3] / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.fixture
def store(db_location: str) -> Iterator[RulesetStore]:
    calls = CallStore(db_location)
    yield RulesetStore(calls.db)
    calls.close()


def test_files_come_back_as_they_went_in_text_and_bytes_alike() -> None:
    files = RulesetFiles({"rules.yaml": "é: 1\n".encode(), "x/latin1.csv": b"caf\xe9\n"})
    again = unpack(pack(files))
    assert again.files == files.files and again.digest == files.digest


def test_the_digest_names_paths_and_contents_unambiguously() -> None:
    assert RulesetFiles({"a": b"bc"}).digest != RulesetFiles({"ab": b"c"}).digest
    assert (
        RulesetFiles({"a": b"1", "b": b"2"}).digest == RulesetFiles({"b": b"2", "a": b"1"}).digest
    )


def test_versions_are_numbered_in_order_and_listed_newest_first(store: RulesetStore) -> None:
    one = store.add(RulesetFiles({"a": b"1"}), AT, "alice", VersionKind.PUBLISH, "first")
    two = store.add(RulesetFiles({"a": b"2"}), AT, "bob", VersionKind.PUBLISH)
    three = store.add(RulesetFiles({"a": b"1"}), AT, "carol", VersionKind.ROLLBACK, "back")
    assert (one.version, two.version, three.version) == (1, 2, 3)
    assert [v.version for v in store.history()] == [3, 2, 1]
    assert store.get(1).comment == "first" and store.get(2).author == "bob"
    assert store.with_digest(one.digest) == three, "the newest with those files"
    assert store.files(2).files == {"a": b"2"}
    with pytest.raises(NoSuchVersion):
        store.files(9)


def test_two_publishers_at_once_never_take_one_number(
    store: RulesetStore, db_location: str
) -> None:
    """Two processes (two connections) storing versions at the same time: every version
    is stored, each under a number of its own."""
    other = CallStore(db_location)
    both = threading.Barrier(2)

    def publish(into: RulesetStore, author: str) -> None:
        both.wait()
        for i in range(15):
            into.add(RulesetFiles({"a": f"{author} {i}".encode()}), AT, author, VersionKind.PUBLISH)

    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(publish, store, "alice"),
                pool.submit(publish, RulesetStore(other.db), "bob"),
            ]
            for run in runs:
                run.result()
    finally:
        other.close()
    history = store.history()
    assert sorted(v.version for v in history) == list(range(1, 31))
    assert [v.author for v in history].count("bob") == 15


def test_a_version_is_never_changed_or_removed(store: RulesetStore) -> None:
    store.add(RulesetFiles({"a": b"1"}), AT, "alice", VersionKind.PUBLISH)
    with pytest.raises(GUARDED, match="append-only"):
        store.db.execute("UPDATE rulesets SET author = 'mallory'")
    with pytest.raises(GUARDED, match="append-only"):
        store.db.execute("DELETE FROM rulesets")


def test_a_folder_nobody_published_is_adopted_once(store: RulesetStore, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    digest = read_ruleset(folder).digest
    first = store.version_of(digest, folder, AT)
    assert first == 1 and store.version_of(digest, folder, AT) == 1
    adopted = store.get(1)
    assert adopted.kind is VersionKind.ADOPTED and adopted.author == ON_DISK
    assert store.files(1).digest == digest
    (folder / "rules.yaml").write_text("changed since the build\n")
    assert store.version_of("a digest of other files", folder, AT) is None
    assert len(store.history()) == 1


def test_a_decision_row_records_its_ruleset_version(db_location: str) -> None:
    calls = CallStore(db_location)
    calls.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "2026-11-24"})
    made = Decision("route", "rc", rule="keypad", reason="pressed 1", ruleset_version=4)
    calls.add_decision("c1", "2026-11-24T11:00:00", made.to_json())
    calls.add_decision("c1", "2026-11-24T11:00:01", Decision("route", "rc", "r", "r").to_json())
    assert [d["ruleset_version"] for d in calls.decisions_for("c1")] == [4, None]
    calls.close()
