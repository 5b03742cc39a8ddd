"""A call that arrives while the app connects is a new call, not one to resume."""

from __future__ import annotations

from typing import cast

from ivr.ari.client import AriClient
from ivr.session.held import HeldChannels
from ivr.session.reconciler import Adoption, Reconciler
from tests.unit.session.test_restart_danger_check import NotedClient


async def started_with(state: str) -> list[tuple[str, Adoption | None]]:
    started: list[tuple[str, Adoption | None]] = []
    reconciler = Reconciler(
        cast(AriClient, NotedClient({}, state)),
        "ivr101",
        calls={},
        watched=set(),
        held=HeldChannels(),
        start_call=lambda channel, exten, adoption: started.append((exten, adoption)),
    )
    assert await reconciler.reconcile()
    return started


async def test_an_unanswered_caller_found_on_connecting_starts_as_a_new_call() -> None:
    # Seen on the simulator and the real Asterisk alike: a call placed as the app
    # connected was adopted, asked "again" and never answered.
    assert await started_with("Ring") == [("101", None)]


async def test_an_answered_caller_found_on_connecting_is_adopted() -> None:
    ((exten, adoption),) = await started_with("Up")
    assert exten == "101" and adoption is not None and adoption.bridge_id is None
