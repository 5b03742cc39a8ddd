"""App-run queues through the simulator: hold, announcements, agents, callbacks, deflection."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ivr.embedded import RunningSimulator
from ivr.ha.leadership import ari_lease_name
from ivr.queues.book import CallbackBook
from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.queues.settings import AgentSpec
from ivr.routing.bundle import DEFAULT_FOLDER as DEFAULT_RULES_DIR
from ivr.session.manager import CallManager
from ivr.simulator import AgentProfile
from ivr.store.log import SqliteCallLog
from tests.integration.app.stack import (
    TIME_SCALE,
    TUESDAY_11AM,
    Stack,
    running_app,
    running_sim,
    running_stack,
    sim_seconds,
)
from tests.unit.queues.test_callbacks import eventually

IN_MENU = sim_seconds("welcome") + 1.0
CALLER = "07700900123"

QUEUES_YAML = """
defaults:
  handling: {median_s: 30, p90_s: 60}
  wrap_up_s: 0
  capacity: 2
  callback_offer_above_s: 0
queues:
  rc: {}
  fcr: {}
  switchboard: {}
callback:
  max_attempts: 2
  retry_backoff_s: [0.5]
  promise_margin_s: 60
  hold_off_s: 0.2
"""


def rules_dir(tmp_path: Path, queues_yaml: str = QUEUES_YAML) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    (target / "queues.yaml").write_text(queues_yaml, encoding="utf-8")
    return target


def queue_settings(
    tmp_path: Path, queues_yaml: str = QUEUES_YAML, changes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """App-run queues, as ``{"section.field": value}`` settings, with ``changes``."""
    return {
        "routing.rules_dir": rules_dir(tmp_path, queues_yaml),
        "queues.agents": {
            "fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr",)),
            "sb-1": AgentSpec("PJSIP/sb-1", ("switchboard",)),
        },
        "flow.queue_announce_every": 30.0,
        "queues.agent_away_s": 0.5,
        **(changes or {}),
    }


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    """Re-check every 50 ms: only for another process's database and HTTP port (the
    restart tests' ``ivr serve``), which no notice of ours reaches."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def until_callbacks(
    stack: Stack, check: Callable[[], Awaitable[bool]], timeout: float = 20.0
) -> None:
    """Re-check when the callback worker finishes a step or an agent's timer fires."""
    worker = stack.runtime.callbacks
    assert worker is not None
    await eventually(worker, check, timeout)


async def has_event(stack: Stack, call_id: str, kind: str) -> bool:
    return any(e["kind"] == kind for e in await stack.events(call_id))


async def until_event(stack: Stack, call_id: str, kind: str, timeout: float = 15.0) -> None:
    await stack.until_event(call_id, kind, timeout)


async def hang_up(stack: Stack, call_id: str) -> None:
    """The caller hangs up (a call that already ended is fine)."""
    async with stack.http.post(f"{stack.base}/_sim/calls/{call_id}/hangup") as resp:
        assert resp.status in (200, 202, 204, 404), await resp.text()


async def callback_booked(stack: Stack, queue_key: str = "2") -> tuple[str, str]:
    """One caller keeps the only agent busy; a second accepts a callback on their own number.

    Returns (busy call, callback call) once the callback is accepted.
    """
    busy = await stack.place([{"wait": IN_MENU}, {"dtmf": queue_key}, {"wait": 2000}])
    await until_event(stack, busy, "connected")
    return await callback_booked_while_busy(stack, busy, queue_key)


async def callback_booked_while_busy(
    stack: Stack, busy: str, queue_key: str = "2"
) -> tuple[str, str]:
    """A second caller accepts a callback while ``busy`` keeps the only agent talking."""
    caller = await stack.place([{"wait": IN_MENU}, {"dtmf": queue_key}, {"wait": 2000}])
    await until_event(stack, caller, "callback-offered")
    await stack.sim_post(f"/_sim/calls/{caller}/dtmf", {"digits": "1"})  # yes, call me
    await until_event(stack, caller, "callback-number-asked")
    await stack.sim_post(f"/_sim/calls/{caller}/dtmf", {"digits": "1"})  # the number is right
    await until_event(stack, caller, "callback-accepted")
    return busy, caller


async def until_callback(stack: Stack, call_id: str, state: str, timeout: float = 20.0) -> None:
    book = stack.runtime.callbacks
    assert book is not None

    async def reached() -> bool:
        assert book is not None
        got = await book.book.run(lambda s: s.get(call_id))
        return got is not None and got["state"] == state

    await until_callbacks(stack, reached, timeout)


async def callback_attempts(stack: Stack, call_id: str) -> list[dict[str, Any]]:
    book = stack.runtime.callbacks
    assert book is not None
    return await book.book.run(lambda s: s.attempts(call_id))


def caller_first(tmp_path: Path, callback_caller: AgentProfile) -> dict[str, Any]:
    """Agents and settings of a callback that rings the caller (this profile) first."""
    return {
        "agents": {"PJSIP/fcr-1": talking(2.0), f"Local/{CALLER}@ivr-callback": callback_caller},
        "settings": queue_settings(tmp_path, changes={"callbacks.first": "caller"}),
    }


def talking(seconds: float) -> AgentProfile:
    return AgentProfile(answer_after=1.0, talk_for=seconds / TIME_SCALE)


def originates(requests: list[dict[str, Any]], endpoint: str) -> int:
    return sum(
        1
        for r in requests
        if r["method"] == "POST"
        and r["path"] == "/ari/channels"
        and r.get("query", {}).get("endpoint") == endpoint
    )


async def test_a_waiting_caller_hears_position_and_wait_then_gets_the_free_agent(
    tmp_path: Path,
) -> None:
    agents = {"PJSIP/fcr-1": talking(1.5)}
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        first = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, first, "connected")
        second = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, second, "queue-announced")
        events = await stack.events(second)
        joined = next(e for e in events if e["kind"] == "queue-joined")["detail"]
        assert (joined["queue"], joined["position"]) == ("fcr", 1)
        announced = next(e for e in events if e["kind"] == "queue-announced")["detail"]
        assert announced["position"] == 1 and announced["wait_s"] is not None
        # The first caller's agent hangs up; the same agent is then dialled for the second.
        await until_event(stack, second, "connected")
        row = await stack.call_row(first)
        assert (row["outcome"], row["destination"]) == ("transferred", "fcr")
        dials = [e["detail"] for e in await stack.events(second) if e["kind"] == "dial"]
        assert dials[-1]["agent"] == "fcr-1" and dials[-1]["endpoint"] == "PJSIP/fcr-1"
        await stack.sim_post(f"/_sim/calls/{second}/hangup")
        await stack.call_row(second)
        await stack.nothing_left()


async def test_an_emergency_transfer_overtakes_a_full_101_queue(tmp_path: Path) -> None:
    """The inverted priority a force once had: a 999-class call must never wait behind 101."""
    agents = {
        "PJSIP/fcr-1": talking(6.0),
        "Local/fcr-priority@ivr-agents": AgentProfile(answer_after=0.5, reject=True),
    }
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, busy, "connected")
        waiting: list[str] = []
        for _ in range(2):  # capacity 2: the FCR queue is now full
            call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
            waiting.append(call)
            await until_event(stack, call, "queue-joined")
        refused = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, refused, "queue-full")
        emergency = await stack.place([{"wait": IN_MENU}, {"dtmf": "9"}, {"wait": 2000}])
        await until_event(stack, emergency, "queue-joined")
        joined = next(
            e["detail"] for e in await stack.events(emergency) if e["kind"] == "queue-joined"
        )
        assert (joined["queue"], joined["priority"], joined["position"]) == ("fcr", 0, 1)
        await until_event(stack, emergency, "connected")
        for call in waiting:
            assert not await has_event(stack, call, "connected")
        for call in (*waiting, emergency, refused):
            await hang_up(stack, call)
        rows = [await stack.call_row(c) for c in waiting]
        assert {r["outcome"] for r in rows} == {"abandoned"}
        abandoned = [
            e["detail"]
            for c in waiting
            for e in await stack.events(c)
            if e["kind"] == "queue-abandoned"
        ]
        assert len(abandoned) == 2 and all(a["queue"] == "fcr" for a in abandoned)


async def test_a_caller_who_presses_9_while_waiting_in_the_fcr_queue_goes_first_as_an_emergency(
    tmp_path: Path,
) -> None:
    agents = {
        "PJSIP/fcr-1": talking(4.0),
        "Local/fcr-priority@ivr-agents": AgentProfile(answer_after=0.5, reject=True),
    }
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, busy, "connected")
        ahead = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, ahead, "queue-announced")
        urgent = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, urgent, "queue-announced")
        await stack.sim_post(f"/_sim/calls/{urgent}/dtmf", {"digits": "9"})
        await until_event(stack, urgent, "emergency-breakout")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(urgent))
        assert decisions[-1]["destination"] == "emergency"
        assert decisions[-1]["rule"] == "keypad-emergency"
        assert decisions[-1]["evidence"]["breakout_from"] == "queue:fcr"
        # Back in the FCR queue as an emergency transfer: ahead of the caller who was first.
        await stack.until(lambda: joined_twice(stack, urgent), 15, "not joined twice")
        rejoined = [e["detail"] for e in await stack.events(urgent) if e["kind"] == "queue-joined"]
        assert (rejoined[-1]["queue"], rejoined[-1]["priority"], rejoined[-1]["position"]) == (
            "fcr",
            0,
            1,
        )
        await until_event(stack, urgent, "connected")
        assert not await has_event(stack, ahead, "connected")
        for call in (busy, ahead, urgent):
            await hang_up(stack, call)
            await stack.call_row(call)
        await stack.nothing_left()


async def joined_twice(stack: Stack, call_id: str) -> bool:
    return [e["kind"] for e in await stack.events(call_id)].count("queue-joined") == 2


async def queued_or_full(stack: Stack, call_id: str) -> bool:
    """The caller has joined the queue or been told it is full: the next may call."""
    return any(e["kind"] in ("queue-joined", "queue-full") for e in await stack.events(call_id))


async def test_a_full_queue_sends_the_caller_on_to_the_switchboard(tmp_path: Path) -> None:
    agents = {"PJSIP/fcr-1": talking(8.0)}
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        calls = [await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])]
        await until_event(stack, calls[0], "connected")
        for _ in range(3):
            calls.append(await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}]))
            await stack.until(lambda: queued_or_full(stack, calls[-1]), 15, "never queued")
        await until_event(stack, calls[-1], "queue-full")
        await until_event(stack, calls[-1], "connected")
        dials = [e["detail"] for e in await stack.events(calls[-1]) if e["kind"] == "dial"]
        assert dials[-1]["destination"] == "switchboard" and dials[-1]["agent"] == "sb-1"
        for call in calls:
            await hang_up(stack, call)


async def test_a_callback_keeps_the_place_and_rings_agent_then_caller(tmp_path: Path) -> None:
    agents = {"PJSIP/fcr-1": talking(2.0)}
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        _, caller = await callback_booked(stack)
        row = await stack.call_row(caller)
        assert (row["outcome"], row["destination"]) == ("callback", "fcr")
        assert row["ended_by"] == "app"
        book = stack.runtime.callbacks
        assert book is not None
        stored = await book.book.run(lambda s: s.get(caller))
        assert stored is not None and stored["number"] == CALLER
        await until_callback(stack, caller, "done")
        attempts = await callback_attempts(stack, caller)
        assert [(a["attempt"], a["outcome"]) for a in attempts] == [(1, "answered")]
        requests = await stack.sim_get("/_sim/requests")
        assert originates(requests, f"Local/{CALLER}@ivr-callback") == 1
        finished = await book.book.run(lambda s: s.get(caller))
        assert finished is not None and finished["number"] == ""  # nothing kept once done


async def test_a_callback_can_ring_the_caller_first_then_the_agent_it_names(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path, **caller_first(tmp_path, talking(8.0))) as stack:
        _, caller = await callback_booked(stack)
        await until_callback(stack, caller, "done")
        attempts = await callback_attempts(stack, caller)
        assert [(a["attempt"], a["outcome"], a["agent_id"]) for a in attempts] == [
            (1, "answered", "fcr-1")
        ]
        requests = await stack.sim_get("/_sim/requests")
        rung = [
            (r["query"]["endpoint"], r["query"]["channelId"])
            for r in requests
            if r["method"] == "POST"
            and r["path"] == "/ari/channels"
            and r["query"].get("channelId", "").startswith(("cb-", "leg-"))
        ]
        # The busy caller's agent first (the queue), then the callback: caller, then agent;
        # both of the callback's channels name the agent, for a restart to know it.
        (caller_end, first_id), (agent_end, second_id) = rung[-2:]
        assert caller_end == f"Local/{CALLER}@ivr-callback" and first_id.startswith("cb-")
        assert agent_end == "PJSIP/fcr-1" and second_id.startswith("leg-")
        assert first_id.endswith(".fcr-1") and second_id.endswith(".fcr-1")


async def test_a_caller_rung_first_who_hangs_up_on_the_greeting_spends_the_attempt(
    tmp_path: Path,
) -> None:
    """Not rung again at once and for ever: each ring is an attempt, up to max_attempts."""
    hangs_up = AgentProfile(answer_after=0.5, talk_for=0.1)
    async with running_stack(tmp_path, **caller_first(tmp_path, hangs_up)) as stack:
        _, caller = await callback_booked(stack)
        await until_callback(stack, caller, "failed")
        attempts = await callback_attempts(stack, caller)
        assert [(a["attempt"], a["outcome"]) for a in attempts] == [
            (1, "caller-left"),
            (2, "caller-left"),
        ]
        requests = await stack.sim_get("/_sim/requests")
        assert originates(requests, f"Local/{CALLER}@ivr-callback") == 2


async def test_an_agent_who_hangs_up_on_the_intro_costs_the_caller_no_ring_no_attempt_no_text(
    tmp_path: Path,
) -> None:
    """Agent first: an agent who answers and hangs up during callback_agent_intro is rung
    again (more often than max_attempts, 2), the caller's phone never rings meanwhile and
    nothing is texted; an agent who stays on then gets the callback put through."""
    async with running_sim({"PJSIP/fcr-1": talking(2.0)}) as sim:
        settings = queue_settings(
            tmp_path,
            changes={"sms.url": f"http://127.0.0.1:{sim[1]}/_sim/sms", "sms.survey": False},
        )
        async with running_app(sim, tmp_path, settings) as stack:
            busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
            await until_event(stack, busy, "connected")
            # From its next ring on, the agent answers and hangs up a moment into the intro.
            leaves = sim_seconds("callback_agent_intro") / 4
            await stack.sim_post(
                "/_sim/agents", {"endpoint": "PJSIP/fcr-1", "answer_after": 0.5, "talk_for": leaves}
            )
            _, caller = await callback_booked_while_busy(stack, busy)
            max_attempts = 2

            async def agent_left_often() -> bool:
                tried = await callback_attempts(stack, caller)
                left = sum(1 for a in tried if a["outcome"] == "agent-left")
                return left > max_attempts

            await until_callbacks(stack, agent_left_often, 30)
            requests = await stack.sim_get("/_sim/requests")
            assert originates(requests, f"Local/{CALLER}@ivr-callback") == 0
            # Agent-left is not the caller's attempt: still waiting, nothing spent.
            book = stack.runtime.callbacks
            assert book is not None
            stored = await book.book.run(lambda s: s.get(caller))
            assert stored is not None and stored["state"] in ("waiting", "placing")
            assert stored["attempts"] in (0, 1)  # 1 only while a ring is under way
            # An agent who stays on: put through, and the caller is rung exactly once.
            await stack.sim_post("/_sim/agents", {"endpoint": "PJSIP/fcr-1", "talk_for": 10_000})
            await until_callback(stack, caller, "done", timeout=30)
            tried = await callback_attempts(stack, caller)
            outcomes = [a["outcome"] for a in tried]
            assert outcomes[-1] == "answered"
            assert set(outcomes[:-1]) == {"agent-left"} and len(outcomes) > max_attempts + 1
            assert {a["attempt"] for a in tried} == {1}  # every ring was the caller's first
            requests = await stack.sim_get("/_sim/requests")
            assert originates(requests, f"Local/{CALLER}@ivr-callback") == 1
            assert originates(requests, "PJSIP/fcr-1") == len(outcomes) + 1  # + the busy call
            assert sms_of(tmp_path, caller) == []
            await hang_up(stack, busy)


def sms_of(tmp_path: Path, call_id: str) -> list[str]:
    """The kinds of text stored for a call (stored before sending: ivr.notify.outbox)."""
    conn = sqlite3.connect(f"file:{tmp_path / 'calls.db'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT kind FROM sms_outbox WHERE call_id = ?", [call_id])
        return [str(r[0]) for r in rows.fetchall()]
    finally:
        conn.close()


SLOW_RC_YAML = QUEUES_YAML.replace(
    "handling: {median_s: 30, p90_s: 60}", "handling: {median_s: 1800, p90_s: 3600}"
).replace("callback_offer_above_s: 0", "callback_offer_above_s: 100000")


async def test_a_long_resolution_centre_wait_reaches_the_rules_which_offer_a_callback(
    tmp_path: Path,
) -> None:
    """rules.yaml's rc-long-wait (> 10 min) decides the offer, not the queue's own threshold."""
    settings = queue_settings(
        tmp_path,
        SLOW_RC_YAML,
        changes={"queues.agents": {"rc-1": AgentSpec("PJSIP/rc-1", ("rc",))}},
    )
    agents = {"PJSIP/rc-1": talking(20.0)}
    async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
        busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}, {"wait": 3000}])
        await until_event(stack, busy, "connected")
        caller = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}, {"wait": 3000}])
        await until_event(stack, caller, "callback-offered")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(caller))
        routed = decisions[-1]
        assert routed["rule"] == "rc-long-wait" and routed["destination"] == "rc"
        assert "callback" in routed["offers"]
        for call in (caller, busy):
            await hang_up(stack, call)


async def test_hanging_up_during_thank_you_keeps_the_callback(tmp_path: Path) -> None:
    agents = {"PJSIP/fcr-1": talking(2.0)}
    async with running_stack(tmp_path, agents=agents, settings=queue_settings(tmp_path)) as stack:
        _, caller = await callback_booked(stack)
        await hang_up(stack, caller)
        row = await stack.call_row(caller)
        assert row["outcome"] == "callback"
        assert not await has_event(stack, caller, "queue-abandoned")
        await until_callback(stack, caller, "done")


@pytest.mark.parametrize(
    "endpoint",
    [
        "PJSIP/fcr-1",  # channel PJSIP/fcr-1-<seq>
        "PJSIP/2001@fcr-trunk",  # channel PJSIP/fcr-trunk-<seq>: the name says nothing
    ],
)
async def test_after_a_restart_an_agent_still_talking_is_not_offered_a_new_caller(
    tmp_path: Path, endpoint: str
) -> None:
    agents = {endpoint: talking(6.0)}
    settings = queue_settings(tmp_path)
    settings["queues.agents"] = {
        **settings["queues.agents"],
        "fcr-1": AgentSpec(endpoint, ("fcr",)),
    }
    async with running_sim(agents) as sim:
        async with running_app(sim, tmp_path, settings) as first:
            talking_call = await first.place([{"wait": IN_MENU}, {"dtmf": "2"}])
            await until_event(first, talking_call, "connected")
        async with running_app(sim, tmp_path, settings) as second:
            await second.step_reached(talking_call, "stay-connected")
            load = second.runtime.queues.snapshot()["fcr"] if second.runtime.queues else {}
            assert load["agents_free"] == 0  # fcr-1 is still on the adopted call
            waiting = await second.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
            await until_event(second, waiting, "queue-joined")
            assert not await has_event(second, waiting, "dial")
            # The agent hangs up on the first caller, wraps up, then takes the second.
            await until_event(second, waiting, "connected", timeout=20)
            row = await second.call_row(talking_call)
            assert row["outcome"] == "transferred"
            await hang_up(second, waiting)


async def test_an_agent_that_cannot_be_dialled_leaves_no_ghost_in_the_queue(
    tmp_path: Path,
) -> None:
    settings = queue_settings(tmp_path)
    settings["queues.agents"] = {
        **settings["queues.agents"],
        "fcr-1": AgentSpec("Bogus/fcr-1", ("fcr",)),
    }
    async with running_stack(tmp_path, settings=settings) as stack:
        call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
        await until_event(stack, call, "error")
        await until_event(stack, call, "connected")  # stepped down to the switchboard
        queues = stack.runtime.queues
        assert queues is not None
        assert queues.snapshot()["fcr"]["on_hold"] == 0
        assert queues.place_of(call) is None
        await hang_up(stack, call)


async def test_an_emergency_no_fcr_agent_can_take_goes_on_to_the_switchboard(
    tmp_path: Path,
) -> None:
    agents = {
        "PJSIP/fcr-1": talking(20.0),
        "Local/fcr-priority@ivr-agents": AgentProfile(answer_after=0.5, reject=True),
    }
    settings = queue_settings(tmp_path, changes={"flow.emergency_wait_s": 0.5})
    async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
        busy = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 3000}])
        await until_event(stack, busy, "connected")
        emergency = await stack.place([{"wait": IN_MENU}, {"dtmf": "9"}, {"wait": 3000}])
        await until_event(stack, emergency, "queue-gave-up")
        await until_event(stack, emergency, "connected")
        events = await stack.events(emergency)
        connected = next(e["detail"] for e in events if e["kind"] == "connected")
        assert connected["destination"] == "switchboard"
        joined = [e["detail"] for e in events if e["kind"] == "queue-joined"]
        assert [(j["queue"], j["priority"]) for j in joined] == [("fcr", 0), ("switchboard", 0)]
        for call in (emergency, busy):
            await hang_up(stack, call)


async def test_a_callback_whose_caller_leg_cannot_be_dialled_fails_after_max_attempts(
    tmp_path: Path,
) -> None:
    """ARI refuses to ring the caller's number (a misconfigured callback_dial): each try
    is a spent attempt, so the callback fails after max_attempts (2) and the caller is
    texted, instead of taking agent after agent for ever."""
    async with running_sim({"PJSIP/fcr-1": talking(2.0)}) as sim:
        settings = queue_settings(
            tmp_path,
            changes={
                "callbacks.dial": "Bogus/{number}",
                "sms.url": f"http://127.0.0.1:{sim[1]}/_sim/sms",
                "sms.survey": False,
            },
        )
        async with running_app(sim, tmp_path, settings) as stack:
            busy, caller = await callback_booked(stack)
            await until_callback(stack, caller, "failed", timeout=30)

            async def texted() -> bool:
                # Stored in the same step, a moment after the book says failed.
                return sms_of(tmp_path, caller) == ["callback-update"]

            await until_callbacks(stack, texted)
            attempts = await callback_attempts(stack, caller)
            assert [(a["attempt"], a["outcome"]) for a in attempts] == [
                (1, "failed"),
                (2, "failed"),
            ]
            await hang_up(stack, busy)


async def seed_callback_left_placing(
    db: Path, call_id: str, channel_id: str, sim: RunningSimulator
) -> None:
    """The book a kill -9 left: a callback whose attempt 1 was under way on ``channel_id``
    (the app's clock starts at TUESDAY_11AM), held by the app of the simulator ``sim``
    (ivr.ha.claims: its next process follows what it left)."""
    now = TUESDAY_11AM.timestamp()
    callback = Callback(CALLER, now - 500, now + 3600, 0, 0.0)
    entry = QueueEntry(call_id, "fcr", Priority.NORMAL, now - 600, seq=1, callback=callback)
    origin = ari_lease_name(f"http://127.0.0.1:{sim.port}", "ivr101")
    book = CallbackBook(str(db), origin=origin)
    await book.open()
    try:
        await book.run(lambda s: s.accept(entry, now - 500))
        await book.run(lambda s: s.begin_attempt(call_id, 1, "fcr-1", channel_id, now - 10))
    finally:
        await book.close()


async def test_an_agent_first_callback_whose_agent_rang_out_through_a_restart_is_not_spent(
    tmp_path: Path,
) -> None:
    """Killed while the agent's phone rang; it stopped ringing before the next process
    came up: nothing of the attempt is left, and the call log shows the caller's number
    was never dialled, so the caller loses no attempt (and is not texted) for it."""
    agents = {"PJSIP/fcr-1": talking(2.0)}
    async with running_sim(agents) as sim:
        channel_id = "cb-0123456789ab-1.fcr-1"
        await seed_callback_left_placing(tmp_path / "calls.db", "c-gone", channel_id, sim)
        async with running_app(sim, tmp_path, queue_settings(tmp_path)) as stack:
            await until_callback(stack, "c-gone", "done", timeout=30)
            attempts = await callback_attempts(stack, "c-gone")
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [
        (1, "agent-no-answer"),
        (1, "answered"),
    ]


async def test_calls_a_dead_process_left_are_closed_on_the_first_reconcile_that_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asterisk could not be listed on the first connect: the calls the dead process left
    "in-progress" are closed at the next connect's reconcile, not left open for ever."""
    log = SqliteCallLog(str(tmp_path / "calls.db"))
    await log.open()
    writer = asyncio.create_task(log.run())
    log.call_started(
        {
            "call_id": "left-open",
            "channel_id": "left-open",
            "caller_number": CALLER,
            "caller_name": "",
            "dialled": "101",
            "started_at": TUESDAY_11AM.isoformat(),
            "outcome": "in-progress",
            "last_step": "start",
            "destination": "",
        }
    )
    assert await log.query(lambda s: s.get_call("left-open"))
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    reconcile = CallManager.reconcile
    failed_once: list[bool] = []

    async def first_fails(self: CallManager) -> bool:
        if not failed_once:
            failed_once.append(True)
            return False  # as when GET /channels fails
        return await reconcile(self)

    monkeypatch.setattr(CallManager, "reconcile", first_fails)
    async with running_stack(tmp_path, settings=queue_settings(tmp_path)) as stack:
        assert failed_once
        await stack.sim_post("/_sim/ws/drop")

        async def closed() -> bool:
            row = await stack.runtime.call_log.query(lambda s: s.get_call("left-open"))
            return bool(row) and row["outcome"] == "interrupted"

        await stack.until(closed, 15, "left-open never closed")


async def test_a_rules_folder_without_its_own_queues_file_runs_the_shipped_queues(
    tmp_path: Path,
) -> None:
    own = tmp_path / "own-rules"  # a force's folder that changes nothing about queues
    own.mkdir()
    settings = {**queue_settings(tmp_path), "routing.rules_dir": own}
    async with running_stack(tmp_path, settings=settings) as stack:
        call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await until_event(stack, call, "queue-joined")
        joined = next(e for e in await stack.events(call) if e["kind"] == "queue-joined")
        assert joined["detail"]["queue"] == "fcr"
        await stack.sim_post(f"/_sim/calls/{call}/hangup")
        await stack.call_row(call)
        await stack.nothing_left()
