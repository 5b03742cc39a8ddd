"""A call that arrives while the app connects is a new call, not one to resume."""

from __future__ import annotations

from typing import Any, cast

from ivr.ari.client import AriClient
from ivr.ari.errors import AriNotFound
from ivr.ari.models import Channel, DialplanLocation
from ivr.session.held import HeldChannels
from ivr.session.reconciler import Adoption, Reconciler


class OneCallerClient:
    """Asterisk as the app (re)connects: one caller in Stasis, in no bridge."""

    def __init__(self, state: str) -> None:
        self.channel = Channel(
            "1796355722.2",
            "Local/101@from-pstn-00000001;2",
            state,
            dialplan=DialplanLocation(exten="101", app_name="Stasis", app_data="ivr101,101"),
        )

    async def list_channels(self) -> list[Channel]:
        return [self.channel]

    async def get_application(self, app: str) -> dict[str, Any]:
        return {"channel_ids": [self.channel.id]}

    async def list_bridges(self) -> list[Any]:
        return []

    async def get_variable(self, channel_id: str, variable: str) -> str:
        raise AriNotFound("GET", f"/channels/{channel_id}/variable", 404, "not set")


async def started_with(state: str) -> list[tuple[str, Adoption | None]]:
    started: list[tuple[str, Adoption | None]] = []
    reconciler = Reconciler(
        cast(AriClient, OneCallerClient(state)),
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
