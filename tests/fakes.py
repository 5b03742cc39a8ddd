"""Ten-line fakes for the app's seams (CallControl, CallLog, prompts)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from ivr.callers.model import EMPTY_PROFILE, CallerProfile, CallRecord
from ivr.decisions import Decision
from ivr.session.events import CallEvent, PromptFinished
from ivr.session.notes import Note


class FakeControl:
    """CallControl that records what verbs asked for; tests push the events."""

    def __init__(self, channel_id: str = "chan-1", *, auto_finish: bool = False) -> None:
        self._channel_id = channel_id
        self.auto_finish = auto_finish  # every prompt finishes at once, as if very short
        self.events: asyncio.Queue[CallEvent] = asyncio.Queue()
        self.calls: list[tuple[str, Any]] = []
        self.caller_gone = False
        self.released = 0
        self._n = 0
        self.fail_on: dict[str, Exception] = {}
        self._asked = asyncio.Event()  # set on every request: what ``did`` waits on

    @property
    def channel_id(self) -> str:
        return self._channel_id

    def _did(self, op: str, arg: Any = None) -> None:
        self.calls.append((op, arg))
        self._asked.set()
        if op in self.fail_on:
            raise self.fail_on.pop(op)

    def ops(self) -> list[str]:
        return [op for op, _ in self.calls]

    async def did(self, op: str, times: int = 1, timeout: float = 5.0) -> None:
        """Until a verb has asked for ``op`` ``times`` times (woken by each request)."""
        async with asyncio.timeout(timeout):
            while self.ops().count(op) < times:
                self._asked.clear()  # no await since the count: no request is missed
                await self._asked.wait()

    def push(self, *events: CallEvent) -> None:
        for event in events:
            self.events.put_nowait(event)

    async def answer(self) -> None:
        self._did("answer")

    async def play(self, media: Sequence[str]) -> str:
        self._n += 1
        self._did("play", list(media))
        if self.auto_finish:
            self.push(PromptFinished(f"pb-{self._n}", completed=True))
        return f"pb-{self._n}"

    async def stop_playback(self, playback_id: str) -> None:
        self._did("stop_playback", playback_id)

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        try:
            return await asyncio.wait_for(self.events.get(), timeout)
        except TimeoutError:
            return None

    async def dial(self, endpoint: str, *, timeout: int, caller_id: str, agent: str = "") -> str:
        self._n += 1
        self._did("dial", endpoint)
        return f"leg-{self._n}.{agent}" if agent else f"leg-{self._n}"

    async def connect(self, leg_id: str) -> None:
        self._did("connect", leg_id)

    async def hold_music(self, on: bool) -> None:
        self._did("moh", on)

    async def drop_leg(self, leg_id: str) -> None:
        self._did("drop_leg", leg_id)

    async def hangup(self) -> None:
        self._did("hangup")
        self.caller_gone = True

    async def release(self) -> None:
        self.released += 1

    async def caller_present(self) -> bool:
        self._did("caller_present")
        return not self.caller_gone

    async def hand_back(self) -> None:
        self._did("hand_back")
        self.caller_gone = True

    def detach(self) -> None:
        self._did("detach")

    listening = False  # set True to pretend the audio path came up

    async def start_listening(self) -> bool:
        self._did("start_listening")
        return self.listening

    epoch = 0

    def reset_listening(self) -> int:
        self._did("reset_listening")
        self.epoch += 1
        return self.epoch

    async def stop_listening(self) -> None:
        self._did("stop_listening")

    async def remember(self, note: Note, value: str) -> None:
        self._did("remember", (note, value))

    async def follow_leg(self, leg_id: str) -> None:
        self._did("follow_leg", leg_id)


class MemoryCallLog:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.decisions: list[dict[str, Any]] = []

    def call_started(self, row: dict[str, Any]) -> None:
        self.rows[row["call_id"]] = dict(row)

    def call_updated(self, call_id: str, fields: dict[str, Any]) -> None:
        self.rows.setdefault(call_id, {"call_id": call_id}).update(fields)

    def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        self.events.append((call_id, kind, detail))

    def decision(self, call_id: str, at: datetime, decision: Decision) -> None:
        self.decisions.append(decision.to_json())

    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.events]


class FakePrompts:
    def media_uri(self, prompt_id: str) -> str:
        return f"sound:ivr101/{prompt_id}"

    def text(self, prompt_id: str) -> str:
        return prompt_id

    def __contains__(self, prompt_id: object) -> bool:
        return isinstance(prompt_id, str)

    def sound_uri(self, name: str) -> str:
        return f"sound:ivr101/{name}"

    def seconds(self, prompt_id: str) -> float | None:
        return self.durations.get(prompt_id)

    def __init__(self, durations: dict[str, float] | None = None) -> None:
        self.durations = durations or {}


def fixed_clock() -> datetime:
    return datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class TableCallers:
    """CallerLookup from a table of profiles; ``fail`` makes every lookup raise."""

    def __init__(self, profiles: dict[str, CallerProfile] | None = None) -> None:
        self.profiles = profiles or {}  # number -> profile
        self.fail: Exception | None = None
        self.delay = 0.0
        self.looked_up: list[str] = []
        self.recorded: list[CallRecord] = []

    async def profile(self, number: str, call_id: str, at: datetime) -> CallerProfile:
        self.looked_up.append(call_id)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return self.profiles.get(number, EMPTY_PROFILE)

    def record(self, call: CallRecord) -> None:
        self.recorded.append(call)


_T = TypeVar("_T")


class ReadQueue(asyncio.Queue[_T]):
    """An asyncio.Queue that says when someone starts reading it: a test waits on
    ``reading`` (an event), not on loop turns, to know the reader is now blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.reading = asyncio.Event()

    async def get(self) -> _T:
        self.reading.set()
        return await super().get()
