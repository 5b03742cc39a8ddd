"""Which chats have a caller's page open, and when a waiting caller has gone.

A waiting chat nobody reads would sit at the front of the queue and lengthen the wait
offered to every later caller (ChatHub.availability counts it), so a waiting chat whose
page has been away ``leave_after_s`` is closed as the caller left. The grace is long: a
phone locks its screen and its browser drops the socket, and the caller comes back. A
chat an agent holds is left to the agent, who closes it with an outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from ivr.chat.hub import ChatHub, ChatRefused
from ivr.chat.model import ChatState

log = logging.getLogger(__name__)

LEAVE_AFTER_S = 15 * 60.0


class CallerPresence:
    def __init__(
        self, hub: ChatHub | None, *, per_chat: int, leave_after_s: float = LEAVE_AFTER_S
    ) -> None:
        self._hub = hub
        self._per_chat = per_chat
        self._leave_after_s = leave_after_s
        self._open: Counter[str] = Counter()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def arrive(self, chat_id: str) -> bool:
        """A page connected; False (not counted) when the chat has its fill of pages."""
        if self._open[chat_id] >= self._per_chat:
            return False
        self._open[chat_id] += 1
        timer = self._timers.pop(chat_id, None)
        if timer is not None:
            timer.cancel()
        return True

    def leave(self, chat_id: str) -> None:
        self._open[chat_id] -= 1
        if self._open[chat_id] > 0:
            return
        del self._open[chat_id]
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        self._timers[chat_id] = loop.call_later(self._leave_after_s, self._gone, chat_id)

    def _gone(self, chat_id: str) -> None:
        self._timers.pop(chat_id, None)
        hub = self._hub
        if hub is None or self._open[chat_id] or not hub.chat_of(chat_id):
            return
        if hub.view(chat_id).state is not ChatState.WAITING:
            return
        task = asyncio.create_task(self._left(hub, chat_id), name=f"chat-left-{chat_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _left(hub: ChatHub, chat_id: str) -> None:
        try:
            await hub.caller_left(chat_id)
        except ChatRefused:
            pass  # closed meanwhile
        except Exception:
            log.exception("chat: closing %s as the caller left failed", chat_id)

    def close(self) -> None:
        """The app is stopping: no chat is closed for a page the restart dropped."""
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
