"""The log's queue places as the what-if reads them: every place, and when it was left;
from a SQLite file or PostgreSQL alike (``db_location``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ivr.replay.source import Period
from ivr.store.db import CallStore, iso
from ivr.whatif.figures import Fate
from ivr.whatif.fit import Patience
from ivr.whatif.source import read_queue_log
from tests.unit.store.rows import insert_all

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Event = tuple[str, float, str, dict[str, object]]


def write(path: str, events: list[Event]) -> None:
    ids = sorted({e[0] for e in events})
    calls = [
        {
            "call_id": cid,
            "channel_id": cid,
            "caller_number": "",
            "dialled": "101",
            "started_at": iso(T0),
            "ended_at": iso(T0 + timedelta(hours=1)),
            "outcome": "transferred",
            "destination": "fcr",
            "last_step": "queue:fcr",
        }
        for cid in ids
    ]
    rows = [
        {"call_id": c, "at": iso(T0 + timedelta(seconds=s)), "kind": k, "detail": json.dumps(d)}
        for c, s, k, d in events
    ]
    store = CallStore(str(path))
    try:
        insert_all(store.db, "calls", calls)
        insert_all(store.db, "call_events", rows)
    finally:
        store.close()


def test_a_place_left_without_an_answer_is_censored_when_it_was_left(db_location: str) -> None:
    db = db_location
    write(
        db,
        [
            ("gave-up", 0, "queue-joined", {"queue": "fcr"}),
            ("gave-up", 600, "queue-gave-up", {"queue": "fcr"}),
            ("gave-up", 601, "dial", {"destination": "switchboard"}),
            ("gave-up", 700, "ended", {"outcome": "transferred"}),
            ("broke-out", 0, "queue-joined", {"queue": "fcr"}),
            ("broke-out", 240, "emergency-breakout", {"from": "queue:fcr"}),
            ("broke-out", 260, "ended", {"outcome": "transferred"}),
            ("hung-up", 0, "queue-joined", {"queue": "fcr"}),
            ("hung-up", 30, "queue-abandoned", {"queue": "fcr", "waited_s": 30.0}),
            ("hung-up", 30, "ended", {"outcome": "abandoned"}),
        ],
    )
    calls = {c.call_id: c for c in read_queue_log(db, Period()).calls}
    assert (calls["gave-up"].fate, calls["gave-up"].waited_s) == (Fate.OTHER, 600.0)
    assert (calls["broke-out"].fate, calls["broke-out"].waited_s) == (Fate.OTHER, 240.0)
    assert (calls["hung-up"].fate, calls["hung-up"].waited_s) == (Fate.ABANDONED, 30.0)
    # so the patience curve holds the two as still willing at 240 s and 600 s: one of three
    # gave up, by 30 s, and nobody else ever did
    patience = Patience.fit(list(calls.values()))
    assert patience.times == (30.0,)
    assert patience.at(30.0) == pytest.approx(2 / 3)  # censored at 0 s, it would be 0


def test_every_queue_place_counts_as_the_report_counts_it(db_location: str) -> None:
    db = db_location
    write(
        db,
        [
            ("moved", 0, "queue-joined", {"queue": "rc"}),
            ("moved", 100, "queue-joined", {"queue": "fcr"}),  # an operator's move
            ("moved", 130, "dial", {"destination": "fcr", "agent": "a1", "waited_s": 30}),
            ("moved", 135, "connected", {"destination": "fcr"}),
            ("moved", 300, "agent-hung-up", {"destination": "fcr"}),
            ("moved", 300, "ended", {"outcome": "transferred"}),
        ],
    )
    places = [
        (c.queue, c.fate, c.waited_s, c.handled_s) for c in read_queue_log(db, Period()).calls
    ]
    assert places == [
        ("rc", Fate.OTHER, 100.0, None),
        ("fcr", Fate.ANSWERED, 35.0, 165.0),
    ]
