"""Scrape after calls through the simulator: the figures moved with what the calls did."""

from __future__ import annotations

from pathlib import Path

from ivr.simulator import AgentProfile
from tests.integration.app.stack import TIME_SCALE, Stack, running_stack
from tests.integration.app.test_queues import IN_MENU, queue_settings
from tests.unit.metrics.scrape import Sample, parse, value

SCRAPE_FROM_HERE = {"metrics.scrapers": ("127.0.0.1",)}


async def scrape(stack: Stack) -> dict[Sample, float]:
    async with stack.http.get(f"{stack.app_url}/metrics") as resp:
        assert resp.status == 200
        return parse(await resp.text())


async def test_a_queued_call_answered_by_an_agent_shows_in_the_scrape(tmp_path: Path) -> None:
    agents = {"PJSIP/fcr-1": AgentProfile(answer_after=1.0, talk_for=60.0 / TIME_SCALE)}
    settings = {**queue_settings(tmp_path), **SCRAPE_FROM_HERE}
    async with running_stack(tmp_path, agents=agents, settings=settings) as stack:
        before = await scrape(stack)
        assert value(before, "ivr_queue_agents", queue="fcr") == 1
        assert value(before, "ivr_queue_answer_wait_seconds_count", queue="fcr") is None
        call = await stack.place([{"wait": IN_MENU}, {"dtmf": "2"}, {"wait": 2000}])
        await stack.until_event(call, "connected")
        talking = await scrape(stack)
        assert value(talking, "ivr_calls_in_progress", step="queue") == 1
        assert value(talking, "ivr_queue_agents_free", queue="fcr") == 0
        assert value(talking, "ivr_queue_answer_wait_seconds_count", queue="fcr") == 1
        decisions = sum(
            v
            for (name, labels), v in talking.items()
            if name == "ivr_decisions_total" and ("destination", "fcr") in labels
        )
        assert decisions >= 1
        await stack.sim_post(f"/_sim/calls/{call}/hangup")
        await stack.until_event(call, "ended")
        after = await scrape(stack)
        assert value(after, "ivr_calls_ended_total", outcome="transferred") == 1
        assert value(after, "ivr_calls_in_progress", step="queue") is None
        await stack.nothing_left()
