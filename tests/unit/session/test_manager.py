"""CallManager: new calls from StasisStart, events routed by id, strays tolerated."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from ivr.ari import events as ari
from ivr.ari.client import AriClient
from ivr.ari.models import Channel
from ivr.session.control import AriCallControl
from ivr.session.manager import CallManager
from ivr.session.model import CallInfo
from ivr.session.reconciler import Adoption
from ivr.session.session import CallSession
from tests.fakes import FakePrompts, MemoryCallLog, ReadQueue

ENV = ("StasisStart", "2026-11-24T06:00:00.000+0000", "ivr101")


def _channel(cid: str, app_data: str = "ivr101") -> Channel:
    return Channel.from_json(
        {
            "id": cid,
            "name": f"PJSIP/x-{cid}",
            "state": "Ring",
            "dialplan": {"app_name": "Stasis", "app_data": app_data, "exten": "101"},
        }
    )


async def test_stasis_start_of_an_unknown_channel_starts_one_session_and_strays_are_ignored() -> (
    None
):
    started: list[tuple[str, str]] = []

    def make(
        channel: Channel, dialled: str, control: AriCallControl, adoption: Adoption | None
    ) -> CallSession:
        started.append((channel.id, dialled))
        info = CallInfo(channel.id, channel.id, "", "", dialled)
        return CallSession(info, control, FakePrompts(), MemoryCallLog(), [], lambda: [])

    async with aiohttp.ClientSession() as http:
        manager = CallManager(AriClient(http, "http://127.0.0.1:9", "u", "p"), "ivr101", make)
        manager.on_event(ari.StasisStarted(*ENV, channel=_channel("c1"), args=("101",)))
        manager.on_event(ari.StasisStarted(*ENV, channel=_channel("leg-x"), args=("leg",)))
        manager.on_event(
            ari.DtmfReceived(
                "ChannelDtmfReceived", "", "ivr101", channel=_channel("nobody"), digit="1"
            )
        )
        manager.on_event(ari.UnknownEvent("Foo", "", "ivr101", raw={}))
        manager.on_event(ari.ApplicationReplaced("ApplicationReplaced", "", "ivr101"))
        assert started == [("c1", "101")]
        assert manager.unrouted == 1
        await asyncio.gather(*(c.task for c in manager.calls.values()), return_exceptions=True)


async def test_events_reach_every_session_watching_one_of_their_ids() -> None:
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, "http://127.0.0.1:9", "u", "p")
        manager = CallManager(client, "ivr101", lambda *a: None)  # type: ignore[arg-type]
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        manager.watch("pb-1", inbox)
        playback = {"id": "pb-1", "state": "done"}
        event = ari.parse_event({"type": "PlaybackFinished", "playback": playback})
        manager.on_event(event)
        assert inbox.get_nowait() is event
        manager.unwatch("pb-1")
        manager.on_event(event)
        assert inbox.empty()


async def test_cancelling_a_wait_for_an_answer_wins_over_the_answer_arriving() -> None:
    # A callback withdrawn (or a shutdown) while its leg answers: the cancel must win, not
    # be swallowed by the answer landing in the same instant (3.11's wait_for did).
    from ivr.session.manager import _answered

    sink: ReadQueue[ari.AriEvent] = ReadQueue()
    waiting = asyncio.create_task(_answered(sink, "leg-1", 30.0))
    await sink.reading.wait()
    started = {
        "type": "StasisStart",
        "args": [],
        "channel": {"id": "leg-1", "name": "x", "state": "Up"},
    }
    sink.put_nowait(ari.parse_event({"application": "ivr101", "timestamp": "", **started}))
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert waiting.cancelled()
    assert sink.qsize() == 1  # the event stays for whoever reads next
