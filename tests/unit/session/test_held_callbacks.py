"""What reconcile finds of a callback a previous process left is kept for the callback worker.

A restarted process connects, reconciles, and only then does the callback worker
read the book and follow the attempt left under way. A ``cb-`` channel (or the leg it
was ringing) that answers in between must not be hung up as an orphan; one that no
callback in the book is placing must be.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ivr.ari import events as ari
from ivr.ari.errors import AriHttpError, AriNotFound
from ivr.ari.models import Channel
from ivr.session.manager import CallManager, Unanswered
from ivr.session.notes import Note

RINGING_CB = "cb-000000000001-1.fcr-1"
ANSWERED_CB = "cb-000000000002-1.fcr-1"
CALLER_LEG = "leg-000000000003"


def channel(cid: str, app: str = "", state: str = "Ring") -> Channel:
    # As Asterisk reports it: Stasis's data names the application first.
    data = "ivr101" if app == "Stasis" else ""
    return Channel.from_json(
        {
            "id": cid,
            "name": f"Local/x-{cid}",
            "state": state,
            "dialplan": {"app_name": app, "app_data": data},
        }
    )


class LeftBehind:
    """Asterisk after a kill -9: a callback still ringing the agent, and one answered
    that was ringing the caller's leg (noted on its channel)."""

    def __init__(self) -> None:
        self.channels = [
            channel(RINGING_CB),
            channel(f"{RINGING_CB};2", "Dial"),
            channel(ANSWERED_CB, "Stasis", "Up"),
            channel(CALLER_LEG),
        ]
        self.hung_up: list[str] = []
        self.lookups: list[str] = []
        self.asked_twice = asyncio.Event()
        self.lookup_errors: list[Exception] = []

    async def list_channels(self) -> list[Channel]:
        return self.channels

    async def get_application(self, app: str) -> dict[str, Any]:
        return {"channel_ids": [c.id for c in self.channels]}

    async def list_bridges(self) -> list[Any]:
        return []

    async def get_variable(self, channel_id: str, name: str) -> str:
        if channel_id == ANSWERED_CB and name == Note.RINGING.value:
            return CALLER_LEG
        raise AriNotFound("GET", "/variable", 404, "not set")

    async def hangup(self, channel_id: str) -> None:
        self.hung_up.append(channel_id)

    async def get_channel(self, channel_id: str) -> Channel:
        self.lookups.append(channel_id)
        if len(self.lookups) >= 2:
            self.asked_twice.set()
        if self.lookup_errors:
            raise self.lookup_errors.pop(0)
        return next(c for c in self.channels if c.id == channel_id)


def manager_on(client: LeftBehind) -> CallManager:
    return CallManager(client, "ivr101", lambda *a: None)  # type: ignore[arg-type]


def answered(cid: str, args: tuple[str, ...]) -> ari.StasisStarted:
    return ari.StasisStarted(
        "StasisStart", "", "ivr101", channel=channel(cid, "Stasis", "Up"), args=args
    )


async def test_a_callback_answering_before_the_worker_follows_it_is_not_hung_up() -> None:
    client = LeftBehind()
    manager = manager_on(client)
    assert await manager.reconcile()
    manager.on_event(answered(RINGING_CB, ("callback",)))  # the agent answers now
    manager.on_event(answered(CALLER_LEG, ("leg",)))  # and the caller, on the other
    await manager.shutdown()  # every hang-up begun has been sent
    assert client.hung_up == []
    assert manager.calls == {}


async def test_what_no_callback_in_the_book_follows_is_hung_up() -> None:
    client = LeftBehind()
    manager = manager_on(client)
    assert await manager.reconcile()
    manager.release_held({ANSWERED_CB})  # the book places only this one
    await manager.shutdown()
    assert client.hung_up == [RINGING_CB]  # never its ;2 half (that is the agent's)
    manager = manager_on(client)
    assert await manager.reconcile()
    manager.release_held(())  # callbacks off, or none placing
    await manager.shutdown()
    assert sorted(client.hung_up[1:]) == [RINGING_CB, ANSWERED_CB, CALLER_LEG]


async def test_a_callback_taken_over_is_no_longer_held() -> None:
    client = LeftBehind()
    manager = manager_on(client)
    assert await manager.reconcile()
    manager.watch(RINGING_CB, asyncio.Queue())  # the worker follows it now
    manager.release_held(())
    await manager.shutdown()
    assert RINGING_CB not in client.hung_up


async def test_a_callback_ari_cannot_look_up_yet_is_asked_again_not_taken_for_gone() -> None:
    client = LeftBehind()
    client.lookup_errors = [AriHttpError("GET", f"/channels/{RINGING_CB}", 500, "busy")]
    manager = manager_on(client)
    follow = asyncio.create_task(
        manager.resume_placed(RINGING_CB, lambda *a: None, timeout=30)  # type: ignore[arg-type]
    )
    asked = asyncio.create_task(client.asked_twice.wait())
    await asyncio.wait({follow, asked}, return_when=asyncio.FIRST_COMPLETED)
    assert not follow.done(), "taken for gone on a 500"
    destroyed = ari.ChannelDestroyed(
        "ChannelDestroyed", "", "ivr101", channel=channel(RINGING_CB), cause=19
    )
    manager.on_event(destroyed)  # watched all along: its end reaches the follower
    # Still ringing when asked again: followed until its end, which is then known.
    assert await follow == Unanswered("NOANSWER", 19)
