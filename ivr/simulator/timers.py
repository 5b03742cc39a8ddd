"""Owned timers on the event loop, so a hangup cancels everything a call scheduled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class Timer:
    """A cancellable call_later that forgets itself when it fires."""

    __slots__ = ("_handle", "_owner", "_scheduler")

    def __init__(self, scheduler: Scheduler, owner: str | None) -> None:
        self._scheduler = scheduler
        self._owner = owner
        self._handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._scheduler._forget(self, self._owner)

    @property
    def active(self) -> bool:
        return self._handle is not None


class Scheduler:
    """Every delay the simulator waits goes through here: scaled, counted, cancellable by owner."""

    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self._timers: set[Timer] = set()
        self._by_owner: dict[str, set[Timer]] = {}

    def later(
        self,
        seconds: float,
        callback: Callable[..., Any],
        *args: Any,
        owner: str | None = None,
        scaled: bool = True,
    ) -> Timer:
        """Run callback after `seconds` (simulated seconds unless scaled=False)."""
        loop = asyncio.get_running_loop()
        timer = Timer(self, owner)
        delay = max(0.0, seconds * self.time_scale if scaled else seconds)

        def fire() -> None:
            timer._handle = None
            self._forget(timer, owner)
            callback(*args)

        timer._handle = loop.call_later(delay, fire)
        self._timers.add(timer)
        if owner is not None:
            self._by_owner.setdefault(owner, set()).add(timer)
        return timer

    def soon(self, callback: Callable[..., Any], *args: Any, owner: str | None = None) -> Timer:
        return self.later(0.0, callback, *args, owner=owner)

    def cancel_owner(self, owner: str) -> None:
        for timer in list(self._by_owner.pop(owner, ())):
            timer.cancel()

    def cancel_all(self) -> None:
        for timer in list(self._timers):
            timer.cancel()

    def _forget(self, timer: Timer, owner: str | None) -> None:
        self._timers.discard(timer)
        if owner is not None:
            owned = self._by_owner.get(owner)
            if owned is not None:
                owned.discard(timer)
                if not owned:
                    del self._by_owner[owner]

    def __len__(self) -> int:
        return len(self._timers)
