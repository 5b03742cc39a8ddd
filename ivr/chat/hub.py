"""ChatHub: the built-in chat (a ChatChannel) and every live chat in this process.

The database is the truth, memory a copy: every message and change of hands is
committed (ChatRecords) before anyone is told, so a page that reconnects, or a hub
that restarts (``open`` reloads the waiting and active chats), loses nothing. What is
not stored (typing, read receipts) is only published. Listeners never block the hub:
a slow one is dropped and asks again with ``since`` (ivr.chat.feed).

The agents' queue is priority first (vulnerable or repeat callers: ChatContext.priority),
then oldest. An agent holds at most ``per_agent`` chats at once.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from datetime import datetime
from functools import partial

from ivr.chat.feed import BACKLOG, ChatEvent, ChatEventKind, ChatListener, ChatView, message_json
from ivr.chat.model import (
    ChatAvailability,
    ChatContext,
    ChatMessage,
    ChatOutcome,
    ChatStart,
    ChatState,
    ChatUnavailable,
    Sender,
    Unavailable,
)
from ivr.chat.refusals import (
    AtLimit,
    ChatClosed,
    ChatRefused,
    NoSuchChat,
    NotHeld,
    NotSignedIn,
    NotWaiting,
)
from ivr.chat.store import ChatRecords, ChatRow
from ivr.clock import Clock

__all__ = [
    "AtLimit",
    "ChatClosed",
    "ChatEvent",
    "ChatEventKind",
    "ChatHub",
    "ChatListener",
    "ChatRefused",
    "ChatView",
    "NoSuchChat",
    "NotHeld",
    "NotSignedIn",
    "NotWaiting",
    "message_json",
]

MAX_BODY = 2000  # characters in one message, after trimming
RECENTLY_CLOSED = 1000  # closed chats kept in memory so a late page still sees "closed"
CALLER, SYSTEM = "caller", "system"  # ``by`` for a close that is not an agent's


class ChatHub:
    def __init__(
        self,
        records: ChatRecords,
        clock: Clock,
        *,
        per_agent: int,
        handle_s: float,
        backlog: int = BACKLOG,
    ) -> None:
        """``records`` opened by the owner (shared with ChatLinks); ``per_agent``: [chat]
        per_agent; ``handle_s``: [chat] handle_minutes in seconds; ``backlog``: events a
        listener may leave unread before it is dropped."""
        self._records = records
        self._clock = clock
        self._per_agent = per_agent
        self._handle_s = handle_s
        self._backlog = backlog
        self._live: dict[str, ChatRow] = {}  # waiting or active
        self._closed: OrderedDict[str, ChatRow] = OrderedDict()
        self._agents: dict[str, str] = {}  # signed in: id -> display name
        self._displays: dict[str, str] = {}  # every agent seen, for chats they still hold
        self._listeners: dict[str, set[ChatListener]] = {}  # chat_id -> pages
        self._feeds: dict[str, set[ChatListener]] = {}  # agent -> desks

    async def open(self) -> None:
        """Pick up the waiting and active chats (after a restart: no chat is lost), and
        the last closed ones (a page still open on one is told it ended)."""
        for chat in await self._records.recently_closed(RECENTLY_CLOSED):
            self._remember_closed(chat)
        for chat in await self._records.live_chats():
            self._live[chat.chat_id] = chat

    async def close(self) -> None:
        """End every listener (pages and desks reconnect to the next process)."""
        for group in [*self._listeners.values(), *self._feeds.values()]:
            for listener in list(group):
                listener.finish()

    # --- the ChatChannel -----------------------------------------------------------------

    def availability(self, now: datetime) -> ChatAvailability:
        """Open with an expected wait while any agent is signed in.

        slots = signed-in agents x per_agent, free = slots - chats they hold, and a new
        chat has ``waiting + 1`` chats (itself included) to place: ahead = waiting + 1 -
        free. ahead <= 0: a slot is free for it, wait 0. Otherwise each slot frees once
        per handling time, so wait = ahead x handle_s / slots. Whether that is too long
        to offer is the desk's ([chat] max_wait_minutes), not decided here.
        """
        if not self._agents:
            return ChatAvailability.closed(Unavailable.NO_AGENTS)
        slots = len(self._agents) * self._per_agent
        held = sum(
            1
            for c in self._live.values()
            if c.state is ChatState.ACTIVE and c.agent in self._agents
        )
        ahead = len(self._waiting()) + 1 - max(0, slots - held)
        return ChatAvailability(True, max(0, ahead) * self._handle_s / slots)

    async def start(self, context: ChatContext, link_id: str) -> ChatStart:
        """A waiting chat for ``context``, stored (and tied to its link) first.
        ChatUnavailable when no agent is signed in: nobody would answer it."""
        if not self._agents:
            raise ChatUnavailable(Unavailable.NO_AGENTS.value)
        chat = ChatRow(
            chat_id=secrets.token_urlsafe(16),
            call_id=context.call_id,
            link_id=link_id,
            state=ChatState.WAITING,
            priority=context.priority,
            context=context,
            opened_at=self._clock(),
        )
        await self._records.add_chat(chat)
        self._live[chat.chat_id] = chat
        self._queue_changed(chat.chat_id)
        return ChatStart(chat_id=chat.chat_id)

    # --- both sides ----------------------------------------------------------------------

    async def say(
        self, chat_id: str, sender: Sender, body: str, *, author: str = "", client_id: str = ""
    ) -> ChatMessage:
        """Store, then publish. ValueError for an empty or over-long body; a repeated
        ``client_id`` gives the stored message back and publishes nothing new."""
        text = body.strip()
        if not 1 <= len(text) <= MAX_BODY:
            raise ValueError(f"a message is 1 to {MAX_BODY} characters")
        chat = await self._open_chat(chat_id)
        return await self._add(chat, sender, text, author=author, client_id=client_id)

    async def since(self, chat_id: str, seq: int) -> list[ChatMessage]:
        """The stored messages after ``seq``, in order: what a reconnecting page missed."""
        return await self._records.messages_since(chat_id, seq)

    def listen(self, chat_id: str) -> ChatListener:
        """A page's subscription to one chat; a closed chat's ends with CLOSED at once."""
        chat = self._chat(chat_id)
        listener = ChatListener(
            chat_id, partial(self._forget, self._listeners, chat_id), self._backlog
        )
        if chat.state is ChatState.CLOSED:
            listener.push(
                ChatEvent(ChatEventKind.CLOSED, chat_id, seq=chat.last_seq, who=chat.closed_by)
            )
            listener.finish()
            return listener
        self._listeners.setdefault(chat_id, set()).add(listener)
        return listener

    def typing(self, chat_id: str, sender: Sender) -> None:
        chat = self._live.get(chat_id)
        if chat is not None:
            self._publish(chat, ChatEvent(ChatEventKind.TYPING, chat_id, sender=sender))

    async def delivered(self, chat_id: str, seq: int, reader: Sender) -> None:
        chat = self._live.get(chat_id)
        if chat is not None:
            self._publish(chat, ChatEvent(ChatEventKind.DELIVERED, chat_id, seq=seq, sender=reader))

    async def ask_callback(self, chat_id: str) -> bool:
        """Stamp the chat and tell both sides; False if it was asked already. (Placing
        the callback is the caller of this's: ChatLinks.number_for gives the number.)"""
        chat = await self._open_chat(chat_id)
        if chat.callback_requested_at is not None:
            return False
        chat.callback_requested_at = self._clock()
        await self._records.save_chat(chat)
        await self._add(chat, Sender.SYSTEM, "The caller asked to be called back.")
        return True

    async def caller_left(self, chat_id: str) -> None:
        """A waiting chat is closed as CALLER_LEFT, unless the caller asked to be called
        back (they leave the page expecting a ring: the chat waits for an agent); an
        agent's chat stays for the agent to close, with a system message saying so."""
        chat = self._live.get(chat_id)
        if chat is None:
            return
        if chat.state is ChatState.WAITING:
            if chat.callback_requested_at is not None:
                return  # they asked to be rung back: gone from the page, still waiting
            await self.close_chat(chat_id, ChatOutcome.CALLER_LEFT, CALLER)
        else:
            await self._add(chat, Sender.SYSTEM, "The caller has left the chat.")

    def view(self, chat_id: str) -> ChatView:
        return self._view(self._chat(chat_id))

    def chat_of(self, chat_id: str) -> bool:
        """True while the chat exists and is not closed."""
        return chat_id in self._live

    # --- agents --------------------------------------------------------------------------

    def sign_in(self, agent: str, display: str) -> None:
        self._agents[agent] = display
        self._displays[agent] = display

    def sign_out(self, agent: str) -> None:
        """No new chats for ``agent``; those held stay theirs (to close or transfer)."""
        self._agents.pop(agent, None)

    def queue(self) -> list[ChatView]:
        return [self._view(c) for c in self._waiting()]

    def held_by(self, agent: str) -> list[ChatView]:
        return [self._view(c) for c in self._held(agent)]

    async def take(self, agent: str, chat_id: str | None = None) -> ChatView:
        """``agent`` answers ``chat_id``, or the queue's first when None."""
        display = self._room_for(agent)
        if chat_id is None:
            waiting = self._waiting()
            if not waiting:
                raise NoSuchChat("no chat is waiting")
            chat = waiting[0]
        else:
            chat = self._chat(chat_id)
            if chat.state is ChatState.CLOSED:
                raise ChatClosed("the chat has ended")
            if chat.state is not ChatState.WAITING:
                raise NotWaiting("another agent has this chat")
        # Claimed in memory before the first await: a second take sees it gone.
        chat.state, chat.agent = ChatState.ACTIVE, agent
        first = chat.answered_at is None
        if first:
            chat.answered_at = self._clock()
        try:
            await self._records.save_chat(chat)
        except BaseException:
            chat.state, chat.agent = ChatState.WAITING, ""
            if first:
                chat.answered_at = None
            raise
        await self._add(chat, Sender.SYSTEM, f"{display} has joined the chat.")
        self._publish(
            chat, ChatEvent(ChatEventKind.JOINED, chat.chat_id, who=agent, seq=chat.last_seq)
        )
        self._queue_changed(chat.chat_id, agent)
        return self._view(chat)

    async def transfer(self, chat_id: str, from_agent: str, to_agent: str) -> ChatView:
        """Pass an active chat to another signed-in agent with room."""
        chat = self._chat(chat_id)
        if chat.state is not ChatState.ACTIVE or chat.agent != from_agent:
            raise NotHeld(f"{from_agent} does not hold this chat")
        if to_agent == from_agent:
            raise NotHeld("a chat is passed to another agent")
        display = self._room_for(to_agent)
        chat.agent = to_agent
        await self._records.save_chat(chat)
        await self._add(chat, Sender.SYSTEM, f"You are now talking to {display}.")
        event = ChatEvent(ChatEventKind.TRANSFERRED, chat_id, who=to_agent, seq=chat.last_seq)
        self._publish(chat, event, from_agent)
        return self._view(chat)

    async def close_chat(self, chat_id: str, outcome: ChatOutcome, by: str) -> None:
        """End a chat with ``outcome``; ``by``: the agent, or "caller"/"system"."""
        chat = self._live.pop(chat_id, None)  # gone before the first await: closed once
        if chat is None:
            self._chat(chat_id)  # NoSuchChat for one never seen
            raise ChatClosed("the chat has ended")
        was_waiting = chat.state is ChatState.WAITING
        try:
            await self._add(chat, Sender.SYSTEM, "This chat has ended.")
        except BaseException:
            self._live[chat_id] = chat  # not closed after all
            raise
        chat.state, chat.outcome, chat.closed_by = ChatState.CLOSED, outcome, by
        chat.closed_at = self._clock()
        self._remember_closed(chat)
        await self._records.save_chat(chat)
        self._publish(chat, ChatEvent(ChatEventKind.CLOSED, chat_id, who=by, seq=chat.last_seq))
        for listener in list(self._listeners.get(chat_id, ())):
            listener.finish()
        if was_waiting:
            self._queue_changed(chat_id)

    def agent_feed(self, agent: str) -> ChatListener:
        """An agent's desk: queue changes, and every event of the chats they hold."""
        feed = ChatListener("", partial(self._forget, self._feeds, agent), self._backlog)
        self._feeds.setdefault(agent, set()).add(feed)
        return feed

    # --- inside --------------------------------------------------------------------------

    def _chat(self, chat_id: str) -> ChatRow:
        chat = self._live.get(chat_id) or self._closed.get(chat_id)
        if chat is None:
            raise NoSuchChat(f"no chat {chat_id!r}")
        return chat

    async def _open_chat(self, chat_id: str) -> ChatRow:
        chat = self._live.get(chat_id)
        if chat is not None:
            return chat
        if chat_id in self._closed or await self._records.chat(chat_id) is not None:
            raise ChatClosed("the chat has ended")
        raise NoSuchChat(f"no chat {chat_id!r}")

    async def _add(
        self, chat: ChatRow, sender: Sender, text: str, *, author: str = "", client_id: str = ""
    ) -> ChatMessage:
        message, fresh = await self._records.add_message(
            chat.chat_id, sender, text, self._clock(), author=author, client_id=client_id
        )
        if fresh:
            chat.last_seq = max(chat.last_seq, message.seq)
            self._publish(chat, ChatEvent.of(message))
        return message

    def _room_for(self, agent: str) -> str:
        """The agent's display name if they may take one more chat."""
        display = self._agents.get(agent)
        if display is None:
            raise NotSignedIn(f"{agent} is not signed in to chat")
        if len(self._held(agent)) >= self._per_agent:
            raise AtLimit(f"{display} already has {self._per_agent} chats")
        return display

    def _waiting(self) -> list[ChatRow]:
        waiting = [c for c in self._live.values() if c.state is ChatState.WAITING]
        # Stable: chats opened in the same millisecond keep their order of arrival.
        return sorted(waiting, key=lambda c: (c.priority, c.opened_at))

    def _held(self, agent: str) -> list[ChatRow]:
        held = [c for c in self._live.values() if c.state is ChatState.ACTIVE and c.agent == agent]
        return sorted(held, key=lambda c: c.opened_at)

    def _view(self, chat: ChatRow) -> ChatView:
        return ChatView(
            chat_id=chat.chat_id,
            call_id=chat.call_id,
            state=chat.state,
            priority=chat.priority,
            context=chat.context,
            opened_at=chat.opened_at,
            agent=chat.agent,
            agent_display=self._displays.get(chat.agent, chat.agent),
            answered_at=chat.answered_at,
            last_seq=chat.last_seq,
            callback_requested=chat.callback_requested_at is not None,
        )

    def _publish(self, chat: ChatRow, event: ChatEvent, *also: str) -> None:
        """To the chat's pages and the desks of its agent (and ``also`` agents)."""
        for listener in list(self._listeners.get(chat.chat_id, ())):
            listener.push(event)
        for agent in {chat.agent, *also} - {""}:
            for feed in list(self._feeds.get(agent, ())):
                feed.push(event)

    def _queue_changed(self, chat_id: str, who: str = "") -> None:
        event = ChatEvent(ChatEventKind.QUEUE, chat_id, who=who)
        for feeds in list(self._feeds.values()):
            for feed in list(feeds):
                feed.push(event)

    def _remember_closed(self, chat: ChatRow) -> None:
        self._closed[chat.chat_id] = chat
        while len(self._closed) > RECENTLY_CLOSED:
            self._closed.popitem(last=False)

    @staticmethod
    def _forget(table: dict[str, set[ChatListener]], key: str, listener: ChatListener) -> None:
        group = table.get(key)
        if group is not None:
            group.discard(listener)
            if not group:  # a long day's chats leave nothing behind
                del table[key]
