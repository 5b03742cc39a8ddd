"""How much a chat's public side accepts: frame size, message length, messages a minute.

The public chat needs no sign-in, so its only guards are the signed cookie and these
limits; each refusal is a plain sentence the page shows as it is.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MINUTE_S = 60.0


@dataclass(frozen=True)
class ChatLimits:
    max_chars: int = 2000  # a message (ivr.chat.hub refuses longer ones too)
    per_minute: int = 20  # messages a chat may send a minute: a person types fewer
    frame_bytes: int = 8192  # a WebSocket frame: a message of max_chars UTF-8 and its JSON
    sockets_per_chat: int = 3  # a phone, a second tab, a reload racing the old one
    typing_every_s: float = 2.0  # "typing" passed on at most this often per socket

    def too_long(self, body: str) -> str | None:
        """Why ``body`` (already trimmed) is refused, or None."""
        if not body:
            return "Type a message first."
        if len(body) > self.max_chars:
            return f"Messages can be at most {self.max_chars} characters: split it in two."
        return None

    @property
    def too_fast(self) -> str:
        return f"You can send {self.per_minute} messages a minute: please wait a moment."


class MessageRate:
    """Messages per key (a chat) in the last minute: a sliding window of send times.

    Keys with nothing in the window are forgotten, so the table holds only busy chats.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """True (and counted) when ``key`` may send one more now."""
        now = self._clock()
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - MINUTE_S:
            sent.popleft()
        if len(sent) >= self._per_minute:
            return False
        sent.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        if len(self._sent) < 256:
            return
        idle = [k for k, v in self._sent.items() if not v or v[-1] <= now - MINUTE_S]
        for key in idle:
            del self._sent[key]
