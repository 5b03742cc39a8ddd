"""Whole calls: the app against the simulator over real HTTP and WebSocket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivr.flow_settings import DEFAULT_DESTINATIONS
from ivr.simulator import AgentProfile
from tests.integration.app.stack import (
    lasting_prompts,
    running_app,
    running_sim,
    running_stack,
    sim_seconds,
)

IN_MENU = sim_seconds("welcome") + 1.0


async def test_a_caller_who_keys_1_reaches_the_resolution_centre_and_nothing_leaks(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        row = await stack.call_row(call_id)
        assert row["outcome"] == "transferred"
        assert row["destination"] == "rc"
        assert row["ended_by"] == "app"  # the agent hung up, the app cleared the caller
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        assert [(d["destination"], d["rule"]) for d in decisions] == [("rc", "keypad")]
        kinds = [e["kind"] for e in await stack.events(call_id)]
        assert kinds.index("dial") < kinds.index("connected") < kinds.index("agent-hung-up")
        await stack.nothing_left()
        record = await stack.sim_get(f"/_sim/calls/{call_id}")
        heard = [h["media_uri"] for h in record["heard"]]
        # The key may land just before or after the menu starts (typed ahead): both are fine.
        assert heard[0] == "sound:ivr101/welcome"
        assert heard.index("sound:ivr101/transfer_rc") in (1, 2)
        assert record["hungup_by"] != "caller"


async def test_an_emergency_key_over_the_welcome_goes_straight_to_priority(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        call_id = await stack.place([{"wait": 1.0}, {"dtmf": "9"}])
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "emergency")
        record = await stack.sim_get(f"/_sim/calls/{call_id}")
        heard = [h["media_uri"] for h in record["heard"]]
        assert heard[:2] == ["sound:ivr101/welcome", "sound:ivr101/transfer_emergency"]
        assert "sound:ivr101/main_menu" not in heard  # typed ahead: the menu was not read out
        await stack.nothing_left()


async def test_caller_hanging_up_during_each_step_is_recorded_where_they_left(
    tmp_path: Path,
) -> None:
    """The caller hangs up once the app has logged the step (not after a guessed wait)."""
    to_menu: list[dict[str, Any]] = [{"wait": IN_MENU}]
    to_rc = [*to_menu, {"dtmf": "1"}]
    cases = {
        "play:welcome": [],
        "route:main_menu+main_menu_more": to_menu,
        "play:transfer_rc": to_rc,
    }
    cases["transfer:rc"] = to_rc  # the agent never answers while the caller is there
    async with running_stack(
        tmp_path, agents={"Local/rc@ivr-agents": AgentProfile(answer_after=300.0)}
    ) as stack:
        for step, script in cases.items():
            call_id = await stack.place(script)
            await stack.step_reached(call_id, step)
            await stack.sim_post(f"/_sim/calls/{call_id}/hangup")
            row = await stack.call_row(call_id)
            assert (row["last_step"], row["outcome"], row["ended_by"]) == (
                step,
                "abandoned",
                "caller",
            ), step
            await stack.nothing_left()


async def test_caller_hanging_up_while_talking_to_the_agent_clears_the_agent_leg(
    tmp_path: Path,
) -> None:
    async with running_stack(
        tmp_path, agents={"Local/rc@ivr-agents": AgentProfile(answer_after=1.0)}
    ) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        await stack.until_event(call_id, "connected")
        await stack.sim_post(f"/_sim/calls/{call_id}/hangup")
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"], row["ended_by"]) == (
            "transferred",
            "rc",
            "caller",
        )
        await stack.nothing_left()


async def test_a_busy_team_falls_back_to_the_switchboard(tmp_path: Path) -> None:
    agents = {"Local/fcr@ivr-agents": AgentProfile(answer_after=1.0, reject=True)}
    async with running_stack(tmp_path, agents=agents) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}])
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "switchboard")
        failed = [e["detail"] for e in await stack.events(call_id) if e["kind"] == "dial-failed"]
        assert failed and failed[0]["destination"] == "fcr"
        await stack.nothing_left()


async def test_a_refused_request_steps_down_to_the_switchboard_instead_of_silence(
    tmp_path: Path,
) -> None:
    destinations = {**DEFAULT_DESTINATIONS, "rc": "Bogus/nowhere"}
    async with running_stack(tmp_path, settings={"flow.destinations": destinations}) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "switchboard")
        errors = [e["detail"] for e in await stack.events(call_id) if e["kind"] == "error"]
        assert errors and errors[0]["error_id"] == "ari-http-error"
        assert "500" in errors[0]["message"]
        await stack.nothing_left()


async def test_a_silent_caller_reaches_a_person_after_the_reprompt_limit(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        call_id = await stack.place([])
        row = await stack.call_row(call_id, timeout=30)
        assert (row["outcome"], row["destination"]) == ("transferred", "switchboard")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        limit = stack.runtime.routing.bundle.rules.thresholds.reprompt_limit
        assert [d["action"] for d in decisions] == ["reprompt"] * (limit - 1) + ["route"]
        assert decisions[-1]["destination"] == "switchboard"
        await stack.nothing_left()


async def test_the_call_survives_a_dropped_websocket(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        assert stack.runtime.stream is not None
        call_id = await stack.place([{"wait": IN_MENU + 1.0}, {"dtmf": "1"}])
        await stack.step_reached(call_id, "play:welcome")
        await stack.sim_post("/_sim/ws/drop")
        row = await stack.call_row(call_id, timeout=30)
        assert stack.runtime.stream.connects >= 2
        assert (row["outcome"], row["destination"]) == ("transferred", "rc")
        await stack.nothing_left()


async def test_a_call_whose_caller_left_during_the_gap_is_ended_on_reconnect(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path, settings={"flow.first_digit_timeout": 5.0}) as stack:
        call_id = await stack.place([])
        await stack.step_reached(call_id, "route:")
        await stack.sim_post("/_sim/ws/drop")
        await stack.sim_post(f"/_sim/calls/{call_id}/hangup")
        row = await stack.call_row(call_id, timeout=30)
        assert (row["outcome"], row["ended_by"]) == ("abandoned", "caller")
        await stack.nothing_left()


async def test_when_nobody_answers_the_caller_is_told_and_the_call_is_unanswered(
    tmp_path: Path,
) -> None:
    busy = AgentProfile(answer_after=1.0, reject=True)
    agents = {"Local/rc@ivr-agents": busy, "Local/switchboard@ivr-agents": busy}
    async with running_stack(tmp_path, agents=agents) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["last_step"]) == ("unanswered", "hangup:no_one_available")
        heard = [h["media_uri"] for h in (await stack.sim_get(f"/_sim/calls/{call_id}"))["heard"]]
        assert heard[-2:] == ["sound:ivr101/agent_unavailable", "sound:ivr101/no_one_available"]
        await stack.nothing_left()


async def test_hanging_up_on_the_goodbye_is_not_an_abandoned_call(tmp_path: Path) -> None:
    sounds = lasting_prompts(tmp_path / "sounds", ["goodbye"])  # the hang-up lands in it
    async with running_sim(sound_roots=sounds) as sim, running_app(sim, tmp_path) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}])
        await stack.step_reached(call_id, "hangup:goodbye")
        await stack.sim_post(f"/_sim/calls/{call_id}/hangup")
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["last_step"], row["ended_by"]) == (
            "completed",
            "hangup:goodbye",
            "caller",
        )
        await stack.nothing_left()


async def test_a_restart_leaves_conversations_up_and_hands_ivr_callers_to_the_dialplan(
    tmp_path: Path,
) -> None:
    # The agent talks until the caller hangs up: however slowly a loaded box restarts.
    agents = {"Local/rc@ivr-agents": AgentProfile(answer_after=1.0, talk_for=None)}
    async with running_sim(agents) as sim:
        async with running_app(sim, tmp_path) as first:
            talking = await first.place([{"wait": IN_MENU}, {"dtmf": "1"}])
            in_menu = await first.place([])
            await first.step_reached(talking, "transfer:")
            await first.step_reached(in_menu, "route:")
            await first.until_event(talking, "connected", 10)
        # The first process has stopped: the conversation is still up, the menu caller was
        # handed back to the dialplan (its fallback rings a person).
        async with running_app(sim, tmp_path) as second:
            objects = await second.sim_get("/_sim/objects")
            assert talking in objects["channels"]
            requests = await second.sim_get("/_sim/requests")
            assert any(r["path"] == f"/ari/channels/{in_menu}/continue" for r in requests)
            await second.step_reached(talking, "stay-connected", timeout=30)
            await second.sim_post(f"/_sim/calls/{talking}/hangup")
            row = await second.call_row(talking)
            assert (row["outcome"], row["ended_by"]) == ("transferred", "caller")
            await second.nothing_left()


async def test_an_update_by_keyed_reference_reaches_the_officer_in_charge(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        wait = sim_seconds("ask_reference") + 1.0
        script: list[dict[str, Any]] = [
            {"wait": IN_MENU},
            {"dtmf": "3"},
            {"wait": wait},
            {"dtmf": "42*18734*24#"},
        ]
        call_id = await stack.place(script)
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "directory:rhian-jones")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        assert [
            d["message"] if d["action"] == "reprompt" else d["destination"] for d in decisions
        ] == [
            "ask_reference",
            "directory:rhian-jones",
        ]
        entry = stack.runtime.routing.directory_entry("rhian-jones")
        assert entry is not None
        dials = [
            e["detail"]["endpoint"] for e in await stack.events(call_id) if e["kind"] == "dial"
        ]
        assert dials[0] == f"Local/dir-{entry.extension}@ivr-agents"
        await stack.nothing_left()


async def test_a_caller_who_keys_star_and_an_extension_at_the_menu_reaches_its_owner(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path) as stack:
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "*4112#"}])
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "directory:rhian-jones")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        assert [(d["destination"], d["rule"]) for d in decisions] == [
            ("directory:rhian-jones", "extension-keyed")
        ]
        await stack.nothing_left()
