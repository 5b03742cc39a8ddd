"""Replays every golden trace of a real Asterisk 22.10.1 against the simulator.

One test per trace file. A failure lists every difference found in that scenario
(status, body, event sequence, full event, Swagger, RTP), each with its trace step.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.contract.conftest import SHARED_MISSING, shared_available
from tests.contract.replay import TIME_SCALE, replay
from tests.contract.swagger import Swagger, traces_dir

TRACES = (
    [pytest.param(p, id=p.stem) for p in sorted(traces_dir().glob("*.json"))]
    if shared_available()
    else [pytest.param(None, id="no-shared-folder", marks=pytest.mark.skip(reason=SHARED_MISSING))]
)


@pytest.mark.parametrize("path", TRACES)
async def test_simulator_matches_golden_trace(swagger: Swagger, path: Path) -> None:
    trace = await asyncio.to_thread(lambda: json.loads(path.read_text()))
    mismatches = await replay(trace, swagger)
    report = "\n".join(f"  {m}" for m in mismatches)
    assert not mismatches, (
        f"{len(mismatches)} difference(s) from real Asterisk in {path.name} "
        f"(time_scale {TIME_SCALE}):\n{report}"
    )
