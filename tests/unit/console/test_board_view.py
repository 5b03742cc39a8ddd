"""The board's view model, from real sessions on fakes: what each row says about a live call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from ivr.callers.model import CallerProfile
from ivr.console.board import Flag
from ivr.decisions import EMERGENCY, Candidate, Decision
from ivr.queues.model import Priority, QueueEntry
from tests.unit.console.livecalls import Switchboard

FLAGGED = CallerProfile("p-1", frozenset({"vulnerable"}), recent_calls=3)


@pytest.fixture
async def board() -> AsyncIterator[Switchboard]:
    board = Switchboard({"07700900001": FLAGGED})
    yield board
    await board.close()


async def test_a_live_call_shows_its_masked_caller_step_times_and_history(
    board: Switchboard,
) -> None:
    await board.call("c1")
    board.clock.now += timedelta(seconds=42)
    (row,) = board.console.view.snapshot()
    assert row.caller == "07•••••••01"
    assert "07700900001" not in json.dumps(row.to_json())
    assert row.step == "hold"
    assert row.in_ivr_s == 42
    assert row.caller_flags == ("vulnerable",)
    assert row.recent_calls == 3
    assert row.queue is None and not row.emergency and row.labels == ()


async def test_the_words_heard_and_the_latest_decision_with_rule_and_confidence(
    board: Switchboard,
) -> None:
    session = await board.call("c1")
    session.record(
        "speech", text="my bike was stolen", alternatives=["my bike was stolen?"], confidence=0.81
    )
    session.record_decision(
        Decision(
            "route",
            "rc",
            rule="intent-theft",
            reason="theft, not in progress",
            candidates=(Candidate("rc", "Resolution Centre", 0.9123),),
        )
    )
    (row,) = board.console.view.snapshot()
    assert row.heard is not None
    assert row.heard.nbest == ("my bike was stolen", "my bike was stolen?")
    assert row.heard.confidence == 0.81
    assert row.decision is not None
    assert (row.decision.destination, row.decision.rule) == ("rc", "intent-theft")
    assert row.decision.confidence == 0.912
    assert json.loads(json.dumps(row.to_json()))["decision"]["rule"] == "intent-theft"


async def test_numbers_the_caller_said_are_masked_on_the_board_not_in_the_record(
    board: Switchboard,
) -> None:
    said = "my number is oh seven seven oh oh nine oh oh one two three and 2 men ran off"
    session = await board.call("c1")
    session.record(
        "speech",
        text=said,
        alternatives=["ring 07700 900123", "card 4929 1234 5678 9012"],
        confidence=0.7,
    )
    (row,) = board.console.view.snapshot()
    assert row.heard is not None
    assert row.heard.nbest == (
        "my number is ••••••••••• and 2 men ran off",
        "ring •••••••••••",
        "card ••••••••••••••••",
    )
    shown = json.dumps(row.to_json(), ensure_ascii=False)
    assert "900123" not in shown and "oh oh one" not in shown and "5678" not in shown
    # The call's record keeps the words as heard, for those allowed to read it.
    (detail,) = [d for _, kind, d in board.inner.events if kind == "speech"]
    assert detail["text"] == said
    assert detail["alternatives"] == ["ring 07700 900123", "card 4929 1234 5678 9012"]


async def test_words_the_flow_noted_without_a_recogniser_are_masked_too(
    board: Switchboard,
) -> None:
    session = await board.call("c1")
    session.about(heard=["stolen bike", "born 12/03/1985 at flat 4"])
    (row,) = board.console.view.snapshot()
    assert row.heard is not None
    assert row.heard.nbest == ("born •••••••• at flat 4",)
    assert session.heard[-1] == "born 12/03/1985 at flat 4"


async def test_an_emergency_is_flagged_with_a_text_label(board: Switchboard) -> None:
    session = await board.call("c1")
    session.record_decision(Decision("route", EMERGENCY, rule="danger-cue", reason="knife"))
    (row,) = board.console.view.snapshot()
    assert row.emergency and row.labels == (Flag.EMERGENCY.value,)


async def test_a_caller_asked_the_danger_check_is_not_flagged_until_they_answer(
    board: Switchboard,
) -> None:
    session = await board.call("c1")
    rc = Decision("route", "rc", rule="intent", reason="past threat")
    asked = (Candidate(EMERGENCY, "999 handling", 1.0),)
    check = Decision("confirm", EMERGENCY, "danger-check", "threat", candidates=asked, otherwise=rc)
    session.record_decision(check)
    (row,) = board.console.view.snapshot()
    assert not row.emergency and row.labels == ()
    session.record_decision(check.answered(True, "key 9"))
    (row,) = board.console.view.snapshot()
    assert row.emergency and row.labels == (Flag.EMERGENCY.value,)


async def test_a_queued_caller_shows_queue_position_estimate_and_a_long_wait(
    board: Switchboard,
) -> None:
    await board.call("c1")
    await board.call("c2", "07700900002")
    now = board.clock.epoch()
    for call_id, ago in (("c1", 700.0), ("c2", 30.0)):
        board.queues.join(QueueEntry(call_id, "fcr", Priority.NORMAL, now - ago))
    rows = {r.call_id: r for r in board.console.view.snapshot()}
    first, second = rows["c1"], rows["c2"]
    assert first.queue is not None and second.queue is not None
    assert (first.queue.queue, first.queue.position, first.queue.waited_s) == ("fcr", 1, 700)
    assert second.queue.position == 2 and not second.long_wait
    assert first.long_wait and first.labels == (Flag.LONG_WAIT.value,)


async def test_a_misrouted_emergency_in_a_queue_is_an_emergency(board: Switchboard) -> None:
    await board.call("c1")
    board.queues.join(QueueEntry("c1", "fcr", Priority.EMERGENCY_TRANSFER, board.clock.epoch()))
    (row,) = board.console.view.snapshot()
    assert row.emergency


async def test_an_ended_call_leaves_the_board_and_its_notes_are_forgotten(
    board: Switchboard,
) -> None:
    await board.call("c1")
    await board.call("c2", "07700900002")
    await board.hang_up("c1")
    assert [r.call_id for r in board.console.view.snapshot()] == ["c2"]
    rows, gone = board.console.view.rows(["c1", "c2"])
    assert gone == ["c1"] and [r.call_id for r in rows] == ["c2"]
    board.console.feed.publish(sweep=True)  # no clients: the sweep prunes
    assert board.console.view.notes.known() == {"c2"}


async def test_the_board_log_forwards_every_record_to_the_real_log(board: Switchboard) -> None:
    session = await board.call("c1")
    session.record_decision(Decision("route", "rc", rule="keypad", reason="pressed 1"))
    assert board.inner.rows["c1"]["destination"] == "rc"
    assert board.inner.decisions[0]["rule"] == "keypad"
    assert "step" in board.inner.kinds()
