"""``ivr report`` on a database several Asterisk nodes share: every node's calls are
counted, and each node's calls, answered and abandoned are shown apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.analysis.origins import OriginFigures, origin_figures
from ivr.analysis.reader import CallLogSource, Period
from ivr.cli import main
from ivr.store.db import CallStore
from tests.unit.analysis.handlog import CALLS, Call, answered, write_log

NODE_A = "ari:http://10.0.0.1:8088:ivr101"
NODE_B = "ari:http://10.0.0.2:8088:ivr101"
# A callback's own call (rung out by node B): not a call in, so not counted for a node.
CALLBACK = Call("K", 90, "completed", "hangup:-", 200, "rc",
                answered("callback:rc", 20, 100), dialled="callback")  # fmt: skip


def shared_log(path: Path, origins: dict[str, str]) -> Path:
    """The hand-made log (handlog.py), each call stamped with the node named for it."""
    write_log(path, [*CALLS, CALLBACK])
    store = CallStore(path)
    try:
        for call_id, origin in origins.items():
            store.call_updated(call_id, {"origin": origin})
    finally:
        store.close()
    return path


@pytest.fixture
def two_nodes(tmp_path: Path) -> Path:
    # A, B answered in rc; C (in the queue) and D abandoned: node A. E abandoned: node B.
    a = dict.fromkeys("ABCD", NODE_A)
    b = dict.fromkeys("EFGHK", NODE_B)
    return shared_log(tmp_path / "calls.db", {**a, **b})


def test_each_nodes_calls_answered_and_abandoned_are_counted_apart(two_nodes: Path) -> None:
    with CallLogSource(two_nodes) as log:
        figures = origin_figures(log, Period())
    assert figures == (
        OriginFigures(NODE_A, calls=4, answered=2, abandoned=2),
        OriginFigures(NODE_B, calls=4, answered=0, abandoned=1),
    )


def test_the_report_shows_every_nodes_calls_and_a_row_per_node(
    two_nodes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(two_nodes), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<h2>Calls by Asterisk node</h2>" in html
    assert (
        f"<tr><td>{NODE_A}</td><td>4</td><td>2 (50.0%)</td><td>2 (50.0%)</td></tr>"
        f"<tr><td>{NODE_B}</td><td>4</td><td>0 (0.0%)</td><td>1 (25.0%)</td></tr>"
    ) in html
    assert "<tr><td>Calls</td><td>8</td></tr>" in html  # the headline counts both nodes


def test_one_nodes_report_has_no_breakdown(tmp_path: Path) -> None:
    db = shared_log(tmp_path / "calls.db", dict.fromkeys("ABCDEFGHK", NODE_A))
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(db), "--out", str(out)]) == 0
    assert "Calls by Asterisk node" not in out.read_text(encoding="utf-8")
