"""A danger check replayed: where its "no" goes is part of where it sends the call, so a
draft that only moves the "no" shows as a change, read from the log's own summary."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from ivr.decisions import Hypothesis
from ivr.replay.model import Fidelity, ReplaySummary
from ivr.replay.replayer import Replayer
from ivr.replay.source import DecisionLog, Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.shipped import Shipped, shipped_folder
from tests.unit.replay.support import MONDAY_10AM, fixture_log
from tests.unit.replay.test_replay import Kept

PAST_THREAT = "my neighbour threatened me last week"
CHECK_RC, CHECK_FCR = "check:emergency|confirm:rc", "check:emergency|confirm:fcr"


def said(text: str, minutes: int) -> RoutingInputs:
    at = MONDAY_10AM + timedelta(minutes=minutes)
    return RoutingInputs(at=at, hypotheses=(Hypothesis(text),), attempt=1)


def crime_reports_to_the_control_room(tmp_path: Path) -> Path:
    """The shipped rules with report_crime sent to the Force Control Room, not the RC."""
    folder = tmp_path / "draft"
    shutil.copytree(shipped_folder(Shipped.ROUTING_RULES), folder)
    intents = folder / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    old = "  - name: report_crime\n    destination: rc\n"
    assert old in text
    intents.write_text(text.replace(old, old.replace("rc", "fcr")), encoding="utf-8")
    return folder


async def logged_checks(path: Path) -> None:
    async with fixture_log(path) as log:
        check = log.decided("c1", said(PAST_THREAT, 0))
        assert check.is_danger_check and check.otherwise is not None
        assert check.otherwise.destination == "rc"
        log.answered("c1", said(PAST_THREAT, 0).at, check.answered(False, "key 2"))
        log.decided_before_inputs_were_stored("c2", said(PAST_THREAT, 1))


def replay(path: Path, rules: Path | None) -> tuple[ReplaySummary, Kept]:
    kept = Kept()
    with DecisionLog(path) as log:
        summary = Replayer(RoutingEngine(load_bundle(rules))).run(log, Period(), kept)
    return summary, kept


async def test_a_draft_that_moves_only_a_danger_checks_no_changes_the_call(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calls.db"
    await logged_checks(path)
    summary, kept = replay(path, crime_reports_to_the_control_room(tmp_path))
    assert summary.replayed == {Fidelity.EXACT: 1, Fidelity.APPROXIMATE: 1}  # not the answer
    assert summary.changed == {Fidelity.EXACT: 1, Fidelity.APPROXIMATE: 1}
    assert summary.transitions == {
        (CHECK_RC, CHECK_FCR): {Fidelity.EXACT: 1, Fidelity.APPROXIMATE: 1}
    }
    c1 = next(c for c in kept.changes if c.call_id == "c1")
    assert c1.old.otherwise is not None and c1.new.otherwise is not None
    assert (c1.old.otherwise.destination, c1.new.otherwise.destination) == ("rc", "fcr")
    assert c1.to_json()["old"]["otherwise"]["destination"] == "rc"


async def test_the_live_rules_replay_a_logged_danger_check_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    await logged_checks(path)
    summary, kept = replay(path, None)
    assert summary.changed.total() == 0 and kept.changes == []
    assert summary.transitions == {
        (CHECK_RC, CHECK_RC): {Fidelity.EXACT: 1, Fidelity.APPROXIMATE: 1}
    }
