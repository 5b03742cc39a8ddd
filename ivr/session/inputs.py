"""What the caller gave ahead of the question that will read it.

``TypeAhead``: keys pressed over a prompt (callers who know the menu type ahead).
``HeldEvents``: events a verb read that belong to whoever asks next (the end of an
utterance that arrived while a stopped prompt was winding down).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ivr.session.events import CallEvent, SpeechEnded, SpeechStarted


class TypeAhead:
    def __init__(self) -> None:
        self._keys: deque[str] = deque()

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._keys))

    def push(self, key: str) -> None:
        self._keys.append(key)

    def push_front(self, key: str) -> None:
        """A key that starts the answer being read now, ahead of any typed before it."""
        self._keys.appendleft(key)

    def pop(self) -> str:
        return self._keys.popleft()

    def clear(self) -> None:
        """Spent: keys typed under earlier prompts must not answer the next question."""
        self._keys.clear()


class HeldEvents:
    def __init__(self) -> None:
        self._events: deque[CallEvent] = deque()

    def __bool__(self) -> bool:
        return bool(self._events)

    def keep(self, events: Iterable[CallEvent]) -> None:
        self._events.extend(events)

    def take(self) -> CallEvent:
        return self._events.popleft()

    def forget_speech(self) -> None:
        """A new question listens afresh: speech held from before it is stale."""
        stale = (SpeechStarted, SpeechEnded)
        self._events = deque(e for e in self._events if not isinstance(e, stale))
