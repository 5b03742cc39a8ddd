"""A restart stops the prompt the dead process left playing: Asterisk plays it out and
queues the new process's prompts behind it (seen on a real Asterisk 22.10.1)."""

from __future__ import annotations

from typing import Any, cast

from ivr.ari.client import AriClient
from ivr.ari.errors import AriNotFound
from ivr.session.control import AriCallControl
from ivr.session.held import HeldChannels
from ivr.session.notes import Note
from ivr.session.reconciler import Reconciler
from tests.unit.session.test_restart_danger_check import NotedClient


class StoppingClient(NotedClient):
    def __init__(self, notes: dict[str, str]) -> None:
        super().__init__(notes)
        self.stopped: list[str] = []

    async def stop_playback(self, playback_id: str) -> None:
        self.stopped.append(playback_id)
        raise AriNotFound("DELETE", f"/playbacks/{playback_id}", 404, "Playback not found")


async def stopped_on_restart(notes: dict[str, str]) -> list[str]:
    client = StoppingClient(notes)
    reconciler = Reconciler(
        cast(AriClient, client),
        "ivr101",
        calls={},
        watched=set(),
        held=HeldChannels(),
        start_call=lambda channel, exten, adoption: None,
    )
    assert await reconciler.reconcile()
    return client.stopped


async def test_a_restart_stops_the_prompt_the_dead_process_left_playing() -> None:
    assert await stopped_on_restart({Note.PLAYBACK.value: "pb-old"}) == ["pb-old"]


async def test_a_restart_with_no_prompt_noted_stops_nothing() -> None:
    assert await stopped_on_restart({}) == []


class RecordingClient:
    def __init__(self) -> None:
        self.requests: list[tuple[str, ...]] = []

    async def set_variable(self, channel_id: str, variable: str, value: str) -> None:
        self.requests.append(("set", variable, value))

    async def play(self, channel_id: str, playback_id: str, *args: Any) -> None:
        self.requests.append(("play", playback_id))


class Router:
    def watch(self, object_id: str, sink: object) -> None:
        return None

    def unwatch(self, object_id: str) -> None:
        return None


async def test_each_prompt_is_noted_before_it_plays_unless_another_still_plays() -> None:
    client = RecordingClient()
    control = AriCallControl(client, Router(), "ivr101", "c1")  # type: ignore[arg-type]
    first = await control.play(["sound:ivr101/welcome"])
    second = await control.play(["sound:ivr101/main_menu"])  # queued behind the first
    assert client.requests == [
        ("set", Note.PLAYBACK.value, first),
        ("play", first),
        ("play", second),
    ]
