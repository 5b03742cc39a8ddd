"""What AriCallControl makes up for after a WebSocket gap (events are not replayed)."""

from __future__ import annotations

import asyncio
from typing import Any

from ivr.ari.errors import AriNotFound
from ivr.ari.events import AriEvent
from ivr.ari.models import Channel, DialplanLocation
from ivr.session.control import AriCallControl
from ivr.session.events import CallerHungUp, LegAnswered, LegFailed, PromptFinished

LIVE = {"c1": Channel(id="c1", name="PJSIP/c1", state="Up")}


class GapClient:
    """Answers like Asterisk after a gap: the playbacks named here are gone."""

    def __init__(self, gone_playbacks: set[str]) -> None:
        self.gone = gone_playbacks

    async def play(self, *args: Any) -> None:
        return None

    async def set_variable(self, *args: Any) -> None:
        return None

    async def originate(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def get_playback(self, playback_id: str) -> None:
        if playback_id in self.gone:
            raise AriNotFound("GET", f"/playbacks/{playback_id}", 404, "Playback not found")


class Router:
    def __init__(self) -> None:
        self.watched: dict[str, asyncio.Queue[AriEvent]] = {}

    def watch(self, object_id: str, sink: asyncio.Queue[AriEvent]) -> None:
        self.watched[object_id] = sink

    def unwatch(self, object_id: str) -> None:
        self.watched.pop(object_id, None)


async def test_a_prompt_that_ended_in_the_gap_is_reported_finished() -> None:
    router = Router()
    control = AriCallControl(GapClient(set()), router, "ivr101", "c1")  # type: ignore[arg-type]
    playback_id = await control.play(["sound:ivr101/welcome"])
    control._client = GapClient({playback_id})  # type: ignore[assignment]
    await control.reconcile(LIVE)
    assert await control.next_event(1) == PromptFinished(playback_id, completed=True)
    assert playback_id not in router.watched


async def test_a_caller_gone_in_the_gap_is_reported_hung_up() -> None:
    control = AriCallControl(GapClient(set()), Router(), "ivr101", "c1")  # type: ignore[arg-type]
    await control.reconcile({})
    assert isinstance(await control.next_event(1), CallerHungUp)


async def test_a_ringing_leg_that_vanished_in_the_gap_is_reported_failed() -> None:
    router = Router()
    control = AriCallControl(GapClient(set()), router, "ivr101", "c1")  # type: ignore[arg-type]
    leg = await control.dial("Local/rc@ivr-agents", timeout=30, caller_id="101")
    await control.reconcile(LIVE)
    assert await control.next_event(1) == LegFailed(leg, "HANGUP")
    assert leg not in router.watched


async def test_a_ringing_leg_that_answered_in_the_gap_is_reported_answered() -> None:
    control = AriCallControl(GapClient(set()), Router(), "ivr101", "c1")  # type: ignore[arg-type]
    leg = await control.dial("Local/rc@ivr-agents", timeout=30, caller_id="101")
    answered = Channel(
        id=leg,
        name="Local/rc@ivr-agents-1;1",
        state="Up",
        dialplan=DialplanLocation(app_name="Stasis", app_data="ivr101,leg"),
    )
    await control.reconcile({**LIVE, leg: answered})
    assert await control.next_event(1) == LegAnswered(leg)
