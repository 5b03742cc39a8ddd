"""Replay on a fixture log written through the real writer: the live rules reproduce every
stored decision; a draft's changes, the operator moves it now gets right or wrong, and the
rows logged before inputs were stored are counted apart. From a SQLite file or PostgreSQL
alike (``db_location``)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.replay.model import ChangedCall, Fidelity, Judgement, OverriddenCall, ReplaySummary
from ivr.replay.replayer import Replayer
from ivr.replay.source import OPERATOR_MOVE, DecisionLog, Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override
from ivr.store.engine import is_postgres, open_database
from tests.unit.console.support import live_call
from tests.unit.replay.support import MONDAY_10AM, draft_rules, fixture_log, keyed

VULNERABLE = CallerContext("", frozenset({"vulnerable"}), 1)


class Kept:
    def __init__(self) -> None:
        self.changes: list[ChangedCall] = []
        self.overrides: list[OverriddenCall] = []

    def changed(self, call: ChangedCall) -> None:
        self.changes.append(call)

    def overridden(self, call: OverriddenCall) -> None:
        self.overrides.append(call)


@pytest.fixture
async def logged(db_location: str) -> str:
    """Nine calls on a Monday morning, one an hour later, logged as the live app logs them."""
    path = db_location
    at = [MONDAY_10AM + timedelta(minutes=n) for n in range(10)]
    async with fixture_log(path) as log:
        log.decided("c1", keyed("1", at[0]))  # rc, and rc under the draft
        log.decided("c2", keyed("5", at[1]))  # online → rc under the draft
        log.decided("c3", keyed("5", at[2]))  # online; the operator sent it to rc
        log.moved("c3", at[2] + timedelta(seconds=30), "online", "rc")
        log.decided("c4", keyed("2", at[3]))  # fcr; the operator sent it to the switchboard
        log.moved("c4", at[3] + timedelta(seconds=30), "fcr", "switchboard")
        log.decided("c5", keyed("5", at[4]))  # online; an operator re-sent it online
        log.moved("c5", at[4] + timedelta(seconds=30), "online", "online")
        log.decided_before_inputs_were_stored("c6", keyed("5", at[5]))
        log.decided("c7", keyed("5", at[6], caller=VULNERABLE))  # rc: people, not links
        log.decided("c8", keyed("1", at[7], overrides=(Override("rc", "fcr", "incident"),)))
        log.decided("c9", keyed("1", at[8], queue_waits={"rc": 900.0}))  # a callback offer
        log.decided("later", keyed("5", MONDAY_10AM + timedelta(hours=1)))
    return path


ALL = Period()


def replay(path: str, rules: Path | None, period: Period = ALL) -> tuple[ReplaySummary, Kept]:
    kept = Kept()
    with DecisionLog(path) as log:
        summary = Replayer(RoutingEngine(load_bundle(rules))).run(log, period, kept)
    return summary, kept


def test_the_live_rules_reproduce_every_stored_decision_rule_and_reason(logged: str) -> None:
    """Flags, waits and diverts are stored: c7, c8 and c9 come out as they went."""
    engine = RoutingEngine(load_bundle(None))
    with DecisionLog(logged) as log:
        rows = [row for batch in log.batches(Period()) for row in batch]
    exact = [row for row in rows if row.inputs is not None and row.fidelity == Fidelity.EXACT]
    assert len(exact) == 9
    for row in exact:
        assert row.inputs is not None
        decision = engine.decide(row.inputs)
        assert (decision.rule, decision.reason) == (row.verdict.rule, row.verdict.reason)
    reasons = {row.call_id: row.verdict.reason for row in exact}
    assert "vulnerable" in reasons["c7"] and "override rc → fcr" in reasons["c8"]
    assert "rc-long-wait" in reasons["c9"]
    summary, kept = replay(logged, None)
    assert sum(summary.changed.values()) == 0 and kept.changes == []


def test_a_draft_shows_what_changes_and_how_operators_moves_fare(
    logged: str, tmp_path: Path
) -> None:
    summary, kept = replay(logged, draft_rules(tmp_path))
    assert summary.total == 10
    assert summary.replayed == {Fidelity.EXACT: 9, Fidelity.APPROXIMATE: 1}
    assert summary.changed == {Fidelity.EXACT: 4, Fidelity.APPROXIMATE: 1}
    assert summary.transitions[("online", "rc")] == {Fidelity.EXACT: 4, Fidelity.APPROXIMATE: 1}
    assert summary.transitions[("rc", "rc")] == {Fidelity.EXACT: 3}  # c1, c7, c9
    assert summary.transitions[("fcr", "fcr")] == {Fidelity.EXACT: 2}  # c4, c8
    assert sorted((c.call_id, c.fidelity) for c in kept.changes) == [
        ("c2", Fidelity.EXACT),
        ("c3", Fidelity.EXACT),
        ("c5", Fidelity.EXACT),
        ("c6", Fidelity.APPROXIMATE),
        ("later", Fidelity.EXACT),
    ]
    c2 = next(c for c in kept.changes if c.call_id == "c2")
    assert (c2.old.rule, c2.new.rule, c2.said) == ("online-by-sms", "keypad", "keyed 5")
    assert "online" in c2.old.reason and "5 (rc)" in c2.new.reason
    judged = {c.call_id: c.judgement for c in kept.overrides}
    assert judged == {
        "c3": Judgement.NOW_RIGHT,
        "c4": Judgement.STILL_WRONG,
        "c5": Judgement.NEWLY_WRONG,
    }
    assert summary.judgements == {
        (Judgement.NOW_RIGHT, Fidelity.EXACT): 1,
        (Judgement.STILL_WRONG, Fidelity.EXACT): 1,
        (Judgement.NEWLY_WRONG, Fidelity.EXACT): 1,
    }
    c3 = next(c for c in kept.overrides if c.call_id == "c3")
    assert (c3.operator_sent, c3.moved_by, c3.old.label, c3.new.label) == (
        "rc",
        "ann",
        "online",
        "rc",
    )


def test_the_period_bounds_what_is_replayed(logged: str, tmp_path: Path) -> None:
    draft = draft_rules(tmp_path)
    hour = Period(MONDAY_10AM, MONDAY_10AM + timedelta(hours=1))
    summary, kept = replay(logged, draft, hour)
    assert summary.total == 9 and "later" not in {c.call_id for c in kept.changes}
    after = Period(MONDAY_10AM + timedelta(minutes=59))
    summary, _ = replay(logged, draft, after)
    assert (summary.total, summary.done) == (1, 1)


def test_a_database_from_before_the_inputs_column_is_all_approximate(
    logged: str, tmp_path: Path
) -> None:
    change(logged, "ALTER TABLE decisions DROP COLUMN inputs")
    summary, kept = replay(logged, draft_rules(tmp_path))
    assert summary.replayed == {Fidelity.APPROXIMATE: 10}
    assert summary.judged(Judgement.NOW_RIGHT) == 1
    assert {c.fidelity for c in kept.changes} == {Fidelity.APPROXIMATE}


def test_damaged_stored_inputs_are_replayed_from_the_evidence_and_counted_apart(
    logged: str, tmp_path: Path
) -> None:
    change(logged, "UPDATE decisions SET inputs = '{\"v\": 1}' WHERE call_id = 'c2'")
    summary, _ = replay(logged, draft_rules(tmp_path))
    assert summary.replayed[Fidelity.DAMAGED] == 1 and summary.changed[Fidelity.DAMAGED] == 1


def test_progress_is_reported_per_batch_and_a_cancel_stops_between_batches(
    logged: str, tmp_path: Path
) -> None:
    engine = RoutingEngine(load_bundle(draft_rules(tmp_path)))
    seen: list[tuple[int, int]] = []
    with DecisionLog(logged, batch=3) as log:
        Replayer(engine).run(log, Period(), Kept(), progress=lambda *p: seen.append(p))
    assert seen[-1] == (10, 10) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) > 1
    cancel = threading.Event()
    with DecisionLog(logged, batch=3) as log:
        summary = Replayer(engine).run(
            log, Period(), Kept(), progress=lambda *_: cancel.set(), cancel=cancel
        )
    assert summary.cancelled and 0 < summary.done < summary.total


def test_the_replay_leaves_the_database_as_it_was(logged: str, tmp_path: Path) -> None:
    before = contents(logged)
    replay(logged, draft_rules(tmp_path))
    assert contents(logged) == before


def change(location: str, sql: str) -> None:
    """A change behind the writer's back (an older release's schema, a damaged row)."""
    db = open_database(location)
    db.execute(sql)
    db.close()


def contents(location: str) -> object:
    """The whole database: a SQLite file's bytes, or every PostgreSQL table's rows."""
    if not is_postgres(location):
        return Path(location).read_bytes()
    db = open_database(location)
    try:
        return {t: db.query(f'SELECT * FROM "{t}" ORDER BY 1') for t in db.table_names()}
    finally:
        db.close()


async def test_an_operators_move_on_a_live_call_has_the_rule_the_replay_looks_for() -> None:
    async with live_call() as live:
        live.session.move_to("fcr", "asked for FCR", "ann")
        await live.session.done.wait()
    move = live.log.decisions[-1]
    assert (move["rule"], move["evidence"]["by"]) == (OPERATOR_MOVE, "ann")
