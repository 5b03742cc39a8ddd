from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from ivr.simulator import AgentProfile, Simulator, SimulatorConfig
from tests.integration.simulator.harness import SimClient

TIME_SCALE = 0.05


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    sim = Simulator(
        SimulatorConfig(
            time_scale=TIME_SCALE,
            agents={
                "PJSIP/busy": AgentProfile(answer_after=1.0, reject=True),
                "PJSIP/quick": AgentProfile(answer_after=0.5, talk_for=3.0),
            },
        )
    )
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def client(simulator: Simulator) -> AsyncIterator[SimClient]:
    async with aiohttp.ClientSession() as session:
        yield SimClient(session, f"http://127.0.0.1:{simulator.port}")
