"""Active/standby on a real Asterisk 22 (issue 19): two `ivr serve` processes for the same
Asterisk and ARI application, one database. The active one is killed -9 with 20 calls up
(some talking to agents, the rest in the menu); the standby takes the lease, connects,
adopts every call, and carries on. No call may be lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.real.asterisk import RealAsterisk
from tests.real.leftovers import nothing_left
from tests.real.parties import Agent, Caller, Parties
from tests.real.serve import CONNECTED, ServeProcess, ivr_serve
from tests.real.watch import AsteriskWatch, watching

CALLS = 20
TALKING = 6  # of CALLS: put through to an agent before the kill; the rest wait in the menu
MENU_PROMPT = "main_menu"
WELCOME_S = 40.0  # the welcome plays 12.5 s before the menu; 20 calls at once on 2 cores
HA = '\n[ha]\nenabled = true\nlease_s = 2.0\nnode = "{node}"\n'
ACTIVE = "active: "
STANDBY = "standby: "


async def answer_agents(parties: Parties, count: int) -> list[Agent]:
    """The next ``count`` agents the app rings, at either desk, answered as they ring."""
    rung: asyncio.Queue[Agent] = asyncio.Queue()

    async def ringing(desk: str) -> None:
        while True:
            await rung.put(await parties.agent_rung(desk, timeout=120))

    listeners = [asyncio.create_task(ringing(desk)) for desk in ("rc", "fcr")]
    agents: list[Agent] = []
    try:
        while len(agents) < count:
            agent = await asyncio.wait_for(rung.get(), 120)
            await agent.answer()
            agents.append(agent)
    finally:
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    return agents


async def put_through(parties: Parties, watch: AsteriskWatch, callers: list[Caller]) -> list[Agent]:
    """Each caller keys 1 (a crime to report) and is bridged to an answering agent."""
    await asyncio.gather(*(caller.keys("1") for caller in callers))
    agents = await answer_agents(parties, len(callers))
    for caller in callers:
        await watch.until(bridged(watch, caller), "bridge")
    return agents


def bridged(watch: AsteriskWatch, caller: Caller) -> Callable[[object], str | None]:
    return lambda _: watch.in_bridge_with_another(caller.call_id)


async def in_the_menu(watch: AsteriskWatch, caller: Caller) -> None:
    await caller.answered()
    await watch.until(
        lambda _: watch.playback_of(caller.call_id, MENU_PROMPT), "menu", timeout=WELCOME_S
    )


async def test_the_standby_takes_over_every_call_when_the_active_node_is_killed(
    asterisk: RealAsterisk, parties: Parties, tmp_path: Path, pg_url: str
) -> None:
    async with (
        watching(asterisk) as watch,
        ivr_serve(
            asterisk, tmp_path, db=pg_url, extra_toml=HA.format(node="node-a"), name="a"
        ) as a,
    ):
        await a.until_logged(ACTIVE, "node-a")
        await a.until_logged(CONNECTED)
        async with ivr_serve(
            asterisk, tmp_path, db=pg_url, extra_toml=HA.format(node="node-b"), name="b"
        ) as b:
            await b.until_logged(STANDBY, "node-a holds")
            callers = [await parties.call(caller=f"0770090{n:04d}") for n in range(CALLS)]
            await asyncio.gather(*(in_the_menu(watch, c) for c in callers))
            talking, waiting = callers[:TALKING], callers[TALKING:]
            agents = await put_through(parties, watch, talking)

            await a.kill()
            await b.until_logged(ACTIVE, "node-b")
            await b.until_logged(CONNECTED)
            for caller in callers:
                await b.until_logged("adopting call", caller.call_id)
            assert [c.call_id for c in callers if c.ended] == []  # no call lost

            agents += await put_through(parties, watch, waiting)
            assert [c.call_id for c in talking if c.ended] == []  # still with their agents
            await asyncio.gather(*(agent.hang_up() for agent in agents))
            await asyncio.gather(*(caller.until_ended() for caller in callers))
            await nothing_left(asterisk, parties)
        await assert_stopped_cleanly(b)


async def assert_stopped_cleanly(serve: ServeProcess) -> None:
    assert not [line for line in serve.lines if "Traceback" in line], serve.log_file
