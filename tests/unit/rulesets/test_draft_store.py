"""The shared draft's rows: one per edited file, replaced by a later edit, gone when set
back to the live file or discarded; a save of several files is all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.rulesets.draft_store import DraftEdit, DraftStore
from ivr.store.db import CallStore, iso

AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)


@pytest.fixture
def drafts(db_location: str) -> Iterator[DraftStore]:
    calls = CallStore(db_location)
    yield DraftStore(calls.db)
    calls.close()


def test_a_later_edit_of_a_file_replaces_the_earlier(drafts: DraftStore) -> None:
    drafts.save({"rules.yaml": "a: 1\n", "queues.yaml": "q: 1\n"}, "ann", AT, 3)
    drafts.save({"rules.yaml": "a: 2\n"}, "bob", LATER, None)
    assert drafts.edits() == {
        "queues.yaml": DraftEdit("queues.yaml", "q: 1\n", "ann", iso(AT), 3),
        "rules.yaml": DraftEdit("rules.yaml", "a: 2\n", "bob", iso(LATER), None),
    }


def test_none_sets_a_file_back_to_live_and_discard_drops_every_edit(drafts: DraftStore) -> None:
    drafts.save({"rules.yaml": "a: 1\n", "queues.yaml": "q: 1\n", "x.csv": "x\n"}, "ann", AT, 1)
    drafts.save({"queues.yaml": None}, "ann", LATER, 1)
    assert sorted(drafts.edits()) == ["rules.yaml", "x.csv"]
    assert drafts.discard() == 2
    assert drafts.edits() == {}


class BreaksOff(dict[str, str | None]):
    """Files to save whose second one never comes (an error part way through the save)."""

    def items(self) -> Iterator[tuple[str, str | None]]:  # type: ignore[override]
        yield from list(super().items())[:1]
        raise OSError("broke off")


def test_a_save_that_fails_part_way_keeps_none_of_its_files(drafts: DraftStore) -> None:
    drafts.save({"rules.yaml": "a: 1\n"}, "ann", AT, 1)
    with pytest.raises(OSError, match="broke off"):
        drafts.save(BreaksOff({"rules.yaml": "a: 2\n", "queues.yaml": "q: 1\n"}), "bob", LATER, 2)
    assert drafts.edits() == {"rules.yaml": DraftEdit("rules.yaml", "a: 1\n", "ann", iso(AT), 1)}
