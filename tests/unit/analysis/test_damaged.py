"""A crafted or damaged call log: rows skipped and counted, never a traceback; callbacks'
own calls named ``callback:<queue>``; callers' words masked in the misroutes table."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from ivr.analysis.journey import SeenDecision, Source, Via
from ivr.analysis.reader import CallLogSource, Period, build_journey
from ivr.analysis.understanding import UnderstandingTally
from ivr.cli import main
from ivr.store.engine import open_database
from tests.unit.analysis.handlog import write_log


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """SQLite only: it keeps text in a FLOAT column (``duration_s = 'abc'``), which
    PostgreSQL refuses at the write (the damage both can hold is tested below)."""
    path = write_log(tmp_path / "calls.db")
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE calls SET started_at = 'garbage' WHERE call_id = 'D'")
        db.execute("UPDATE calls SET duration_s = 'abc' WHERE call_id = 'E'")
        # Written without an offset (another tool): read as UTC, as the writer's own are.
        db.execute(
            "UPDATE call_events SET at = '2026-03-02T09:42:20'"
            " WHERE call_id = 'C' AND kind = 'queue-abandoned'"
        )
        db.execute(
            "INSERT INTO call_events (call_id, at, kind, detail)"
            " VALUES ('H', '2026-03-02T10:20:09Z', 'speech', ?)",
            ["[" * 2000],
        )
    db.close()
    return path


def test_damaged_rows_are_skipped_and_counted(damaged: Path) -> None:
    with CallLogSource(damaged) as log:
        journeys = {j.call_id: j for j in log.journeys(Period())}
        assert (log.damage.calls, log.damage.events) == (2, 1)
    assert set(journeys) == {"A", "B", "C", "F", "G", "H"}
    (abandoned,) = journeys["C"].visits
    assert abandoned.wait_s == 130.0


@pytest.mark.parametrize("command", ["report", "export"])
def test_commands_survive_a_damaged_log(
    damaged: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main([command, "--db", str(damaged), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped 2 unreadable calls and 1 unreadable events" in err
    assert "Traceback" not in err


def test_damaged_text_is_skipped_and_counted_on_either_engine(db_location: str) -> None:
    """Damage a PostgreSQL database can hold too: unreadable times and JSON in TEXT."""
    write_log(db_location)
    db = open_database(db_location)
    db.execute("UPDATE calls SET started_at = 'garbage' WHERE call_id = 'D'")
    db.execute("UPDATE call_events SET detail = '{not json' WHERE call_id = 'B' AND kind = 'dial'")
    db.execute("UPDATE decisions SET evidence = '[[[' WHERE call_id = 'A'")
    db.execute("UPDATE decisions SET evidence = '[1, 2]' WHERE call_id = 'E'")
    db.close()
    with CallLogSource(db_location) as log:
        journeys = {j.call_id: j for j in log.journeys(Period())}
        assert (log.damage.calls, log.damage.events) == (1, 1)
        assert log.started_range(Period()) is not None  # 'garbage' is no first or last call
    assert set(journeys) == {"A", "B", "C", "E", "F", "G", "H"}
    assert journeys["B"].visits[0].wait_s == 400.0  # the answer stands without its dial
    (a_decision,) = journeys["A"].decisions
    assert (a_decision.destination, a_decision.source) == ("rc", Source.NOTHING)
    (e_decision,) = journeys["E"].decisions
    assert (e_decision.engine, e_decision.said) == (False, "")


def test_a_callback_calls_places_are_callback_queue() -> None:
    row = ("cb1", "2026-03-02T10:00:00Z", "callback", "transferred", "rc", "transfer:rc",
           "app", 100.0, "2026-03-02T10:01:40Z")  # fmt: skip
    # Caller rung first: the agent's leg is a plain transfer dial naming the bare queue.
    events = [
        ("2026-03-02T10:00:10Z", "dial", '{"destination": "rc", "endpoint": "PJSIP/a1"}'),
        ("2026-03-02T10:00:20Z", "connected", '{"destination": "rc"}'),
        ("2026-03-02T10:01:30Z", "agent-hung-up", '{"destination": "rc"}'),
    ]
    (visit,) = build_journey(row, events, []).visits
    assert (visit.destination, visit.via, visit.talk_s) == ("callback:rc", Via.TRANSFER, 70.0)
    agent_first = [(at, kind, text.replace('"rc"', '"callback:rc"')) for at, kind, text in events]
    (visit,) = build_journey(row, agent_first, []).visits
    assert visit.destination == "callback:rc"


def test_misroute_phrases_are_masked() -> None:
    said = "ring me on 07700 900123 about ref 2026123 please, I keyed 1"
    heard = SeenDecision("route", "fcr", "directory-high", True, Source.SPEECH, said)
    move = SeenDecision("route", "rc", "operator-move", False, Source.NOTHING, "", "fcr")
    row = ("X", "2026-03-02T10:00:00Z", "101", "transferred", "rc", "queue:rc", "app", 9, None)
    tally = UnderstandingTally()
    tally.add(build_journey(row, [], [heard, move]))
    ((phrase, _),) = tally.figures().misroutes[0].phrases
    assert not re.search(r"\d\d", phrase)
    assert phrase.startswith("ring me on •") and phrase.endswith("please, I keyed 1")
