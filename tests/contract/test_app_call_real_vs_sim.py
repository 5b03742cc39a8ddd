"""One whole app call on a real Asterisk and on the simulator: the ARI events the app
received (recorded by a pass-through, `ari_tap.py`) must be the same sequence.

The call: a caller dials 101 through the project's dialplan, keys 1, the app rings the
Resolution Centre, the traces' agent (``agent1@ivr-agents``: rings, answers after 2 s)
takes it, and once the agent's line has settled (its Wait(60), bridged with the caller)
the caller hangs up.
Ids are compared by role (`roles.py`); only Asterisk's cross-channel races are allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivr.embedded.start import running_app, running_simulator, shifted_clock
from tests.contract.ari_tap import AriTap, Event
from tests.contract.roles import by_role
from tests.contract.sequences import pair_allowing_races
from tests.real.app import DESKS, SETTINGS, TUESDAY_11AM, real_app
from tests.real.asterisk import RealAsterisk
from tests.real.parties import Parties

AGENT = "Local/agent1@ivr-agents"
TIMEOUT_S = 20.0


def settings(ari_url: str) -> dict[str, Any]:
    desks = {desk: f"Local/{desk}@test-agents" for desk in DESKS}
    return {**SETTINGS, "ari.url": ari_url, "flow.destinations": {**desks, "rc": AGENT}}


def answered(call_id: str) -> Callable[[list[Event]], bool]:
    return lambda events: any(
        e["type"] == "ChannelStateChange"
        and e["channel"]["id"] == call_id
        and e["channel"]["state"] == "Up"
        for e in events
    )


def agent_settled(call_id: str) -> Callable[[list[Event]], bool]:
    """The agent's line in its Wait(60) and bridged with the caller: hanging up before the
    app's addChannel would race it (the caller gone, the app lets the agent go instead)."""
    return lambda events: (
        any(e["type"] == "ChannelDialplan" and e["dialplan_app_data"] == "60" for e in events)
        and any(
            e["type"] == "ChannelEnteredBridge" and e["channel"]["id"] != call_id for e in events
        )
    )


def call_over(events: list[Event]) -> bool:
    """The bridge gone and both halves of the agent's leg destroyed."""
    destroyed = sum(1 for e in events if e["type"] == "ChannelDestroyed")
    return destroyed >= 2 and any(e["type"] == "BridgeDestroyed" for e in events)


async def on_real(asterisk: RealAsterisk, parties: Parties, db_path: str) -> list[Event]:
    tap = AriTap(asterisk.ari_url)
    async with tap.running() as url, real_app(asterisk, db_path, settings(url)) as app:
        caller = await parties.call()
        await caller.answered()
        await caller.keys("1")
        await tap.until(agent_settled(caller.call_id), TIMEOUT_S, "the agent bridged")
        await caller.hang_up()
        await tap.until(call_over, TIMEOUT_S, "the call's end")
        row = await app.call_row(caller.call_id)
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")
    return tap.events


async def on_simulator(db_path: str) -> list[Event]:
    async with running_simulator(speed=1.0) as running:
        tap = AriTap(f"http://127.0.0.1:{running.port}")
        async with (
            tap.running() as url,
            running_app(
                running,
                speed=1.0,
                db_path=db_path,
                clock=shifted_clock(TUESDAY_11AM),
                settings=settings(url),
            ) as app,
        ):
            call_id = await app.place([], name="Test Caller")
            await tap.until(answered(call_id), TIMEOUT_S, "the answer")
            await app.sim_post(f"/_sim/calls/{call_id}/dtmf", {"digits": "1"})
            await tap.until(agent_settled(call_id), TIMEOUT_S, "the agent bridged")
            await app.sim_post(f"/_sim/calls/{call_id}/hangup")
            await tap.until(call_over, TIMEOUT_S, "the call's end")
            row = await app.call_row(call_id)
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")
    return tap.events


async def test_an_app_call_gets_the_same_events_from_the_simulator_as_from_asterisk(
    asterisk: RealAsterisk, parties: Parties, tmp_path: Path
) -> None:
    real = by_role(await on_real(asterisk, parties, str(tmp_path / "real.db")))
    sim = by_role(await on_simulator(str(tmp_path / "sim.db")))
    _, problems = pair_allowing_races(real, sim)
    assert not problems, "the app heard different events from the simulator:\n" + "\n".join(
        problems
    )
    assert asterisk.active_channels() == 0
