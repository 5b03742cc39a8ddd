"""Caller history through the whole stack: a flag set by an operator changes the route,
and a re-dial after an abandoned call is linked to it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.callers.history import CallerHistory
from ivr.callers.pseudonym import Pseudonymiser
from ivr.store.db import CallStore
from tests.integration.app.stack import Stack, running_stack, sim_seconds

IN_MENU = sim_seconds("welcome") + 1.0
KEY = {"callers.key": "integration-key"}


async def history_rows(stack: Stack, count: int) -> list[dict[str, Any]]:
    """caller_calls once the calls that have ended are in it (written by the callers
    thread, which the session hands each call at its end)."""
    await stack.runtime.callers.flush()
    rows: list[dict[str, Any]] = await stack.runtime.call_log.query(
        lambda s: s.db.rows_where("caller_calls", order_by="at")
    )
    assert len(rows) >= count, f"caller history has {rows}"
    return rows


async def test_a_nuisance_flag_sends_a_crime_report_to_an_operator(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    pseudonym = Pseudonymiser(KEY["callers.key"]).pseudonym("07700900123")
    assert pseudonym is not None
    with store.db.transaction():
        CallerHistory(store.db).set_flag(
            pseudonym,
            "nuisance",
            set_by="op",
            reason="abusive calls",
            at=datetime(2026, 1, 1, tzinfo=UTC),
            expires_at=None,
        )
    store.close()
    async with running_stack(tmp_path, settings=KEY) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        row = await stack.call_row(call_id)
        assert row["destination"] == "switchboard"
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        assert decisions[0]["rule"] == "nuisance-caller"
        other = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}], caller="07700900999")
        assert (await stack.call_row(other))["destination"] == "rc"
        await stack.nothing_left()


async def test_a_redial_after_an_abandoned_call_is_linked(tmp_path: Path) -> None:
    async with running_stack(tmp_path, settings=KEY) as stack:
        first = await stack.place([{"wait": 1.0}, {"hangup": True}])
        assert (await stack.call_row(first))["outcome"] == "abandoned"
        await history_rows(stack, 1)
        second = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        assert (await stack.call_row(second))["outcome"] == "transferred"
        rows = await history_rows(stack, 2)
        assert [(r["call_id"], r["abandoned"], r["linked_call_id"]) for r in rows] == [
            (first, 1, None),
            (second, 0, first),
        ]
        events = {e["kind"]: e["detail"] for e in await stack.events(second)}
        assert events["redial-of"]["linked_call_id"] == first
        assert events["caller-profile"]["recent_calls"] == 2
        await stack.nothing_left()
