"""Reconcile after a restart, as a real Asterisk 22 showed it must: it leaves alone what
another ARI application holds, and knows a caller nobody has answered yet.

Seen on a real Asterisk 22 (tests/real/test_resilience.py): a transfer leg's ``;2`` half
is subscribed to the app (the originate subscribes it) and may sit in Stasis of another
application that answers for the desk. It is not ours to hang up: that drops the agent
the adopted caller is talking to. And (tests/real/test_claims.py) a callback another
node's application placed on the same Asterisk, still ringing, is that node's: Asterisk
lists it among that application's subscriptions, not this one's, dead node or alive.
"""

from __future__ import annotations

from typing import Any

from ivr.ari.errors import AriNotFound
from ivr.ari.models import Bridge, Channel
from ivr.session.held import HeldChannels
from ivr.session.reconciler import Adoption, Reconciler

CALLER = "caller-1;2"
LEG = "leg-000000000001"


def channel(cid: str, app_data: str) -> Channel:
    return Channel.from_json(
        {
            "id": cid,
            "name": f"Local/x-{cid}",
            "state": "Up",
            "dialplan": {"app_name": "Stasis", "app_data": app_data, "exten": "101"},
        }
    )


class AfterKill:
    """A caller talking to an agent whose leg's other half is in another app's Stasis."""

    def __init__(self) -> None:
        self.channels = [
            channel(CALLER, "ivr101,101"),
            channel(LEG, "ivr101,leg"),
            channel(f"{LEG};2", "desk-app,agent,rc"),
        ]
        self.hung_up: list[str] = []

    async def list_channels(self) -> list[Channel]:
        return self.channels

    async def get_application(self, app: str) -> dict[str, Any]:
        return {"channel_ids": [c.id for c in self.channels]}

    async def list_bridges(self) -> list[Bridge]:
        return [Bridge("br-1", channels=(CALLER, LEG))]

    async def hangup(self, channel_id: str) -> None:
        self.hung_up.append(channel_id)

    async def get_variable(self, channel_id: str, name: str) -> str:
        raise AriNotFound("GET", "/variable", 404, "Provided variable was not found")

    async def destroy_bridge(self, bridge_id: str) -> None:
        self.hung_up.append(bridge_id)


async def test_a_legs_other_half_in_another_apps_stasis_is_not_hung_up_on_reconcile() -> None:
    client = AfterKill()
    adopted: list[str] = []
    watched: set[str] = set()

    def start_call(channel: Channel, dialled: str, adoption: Adoption | None) -> None:
        assert adoption is not None  # answered and bridged: adopted, not a new call
        adopted.append(channel.id)
        watched.update((channel.id, *adoption.legs))  # as the adopted session does

    reconciler = Reconciler(
        client,  # type: ignore[arg-type]
        "ivr101",
        calls={},
        watched=watched,
        held=HeldChannels(),
        start_call=start_call,
    )
    assert await reconciler.reconcile()
    assert client.hung_up == []
    assert adopted == [CALLER]


class OtherNodesCallbackRinging:
    """Another node's application (``ivr101b``) rings an agent for its callback."""

    def __init__(self) -> None:
        ringing = Channel.from_json(
            {
                "id": "cb-000000000009-1.rc-1",
                "name": "Local/rc@test-agents-00000001;1",
                "state": "Ring",
                "dialplan": {"app_name": "AppDial2", "app_data": "(Outgoing Line)"},
            }
        )
        self.channels = [ringing]
        self.hung_up: list[str] = []

    async def list_channels(self) -> list[Channel]:
        return self.channels

    async def get_application(self, app: str) -> dict[str, Any]:
        return {"channel_ids": [c.id for c in self.channels] if app == "ivr101b" else []}

    async def list_bridges(self) -> list[Bridge]:
        return []

    async def hangup(self, channel_id: str) -> None:
        self.hung_up.append(channel_id)


async def test_another_apps_ringing_callback_is_not_held_for_this_apps_callback_worker() -> None:
    """Held, it would be hung up as "left by a callback nobody follows" (the worker
    follows only its own), dropping the other node's attempt."""
    client = OtherNodesCallbackRinging()
    held = HeldChannels()
    reconciler = Reconciler(
        client,  # type: ignore[arg-type]
        "ivr101",
        calls={},
        watched=set(),
        held=held,
        start_call=lambda *_: None,
    )
    assert await reconciler.reconcile()
    assert held.unfollowed(()) == [] and client.hung_up == []
