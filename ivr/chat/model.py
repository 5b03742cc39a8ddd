"""Live chat's shared words: what a chat is, says and carries from the call (a leaf of
ivr.chat: it imports nothing from the app, so the call flow, the console and the store
code can all name these without importing each other).

A caller waiting on 101 is offered chat only while it can answer (``ChatAvailability``);
on "yes" they are texted a single-use link (``ChatLink``); opening it hands the call's
``ChatContext`` to a ``ChatChannel`` (the built-in chat, or a force's own platform), so
the agent sees what the caller already told the IVR and the caller does not start again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

# Caller flags that put a chat ahead in the queue (ivr.callers.model's names).
PRIORITY_FLAGS = frozenset({"vulnerable", "repeat-victim", "hate-incident", "repeat"})


class ChatState(StrEnum):
    WAITING = "waiting"  # opened by the caller, no agent yet
    ACTIVE = "active"  # an agent has it
    CLOSED = "closed"  # an agent closed it with an outcome, or the caller left


class LinkState(StrEnum):
    SENT = "sent"  # texted; not opened yet
    OPENED = "opened"  # used once: a chat was started from it
    EXPIRED = "expired"  # never opened within [chat] link_minutes (counted apart)


class Sender(StrEnum):
    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"  # "an officer has joined", "a callback was requested"


class ChatOutcome(StrEnum):
    """How an agent (or the caller leaving) closed a chat: the report counts these."""

    ADVICE_GIVEN = "advice-given"
    REPORT_TAKEN = "report-taken"  # a crime or incident recorded from the chat
    REFERRED_ONLINE = "referred-online"  # sent to the online form
    CALLBACK_ARRANGED = "callback-arranged"
    PASSED_TO_999 = "passed-to-999"  # danger found: the caller was told to ring 999
    NOT_POLICE = "not-police"  # another agency's matter
    CALLER_LEFT = "caller-left"  # no reply, or the caller closed the page


class Unavailable(StrEnum):
    """Why chat is not offered right now (said in the record, never to the caller)."""

    DISABLED = "chat is not set up"
    CLOSED = "outside the chat schedule"
    NO_AGENTS = "no chat agent signed in"
    FULL = "every chat agent is at their limit and the queue is long"
    PLATFORM_DOWN = "the chat platform did not answer"


@dataclass(frozen=True)
class ChatAvailability:
    """Whether the IVR may offer chat now, and the wait it may promise."""

    open: bool
    expected_wait_s: float | None = None  # said to the caller; None when closed
    why_not: Unavailable | None = None

    @classmethod
    def closed(cls, why: Unavailable) -> ChatAvailability:
        return cls(False, None, why)


@dataclass(frozen=True)
class ChatContext:
    """What the caller already told the IVR, handed to the chat agent.

    No phone number here: the context is shown to agents and may be sent to a force's
    platform; the number stays on the link's row (for a callback asked from the chat).
    """

    call_id: str
    intent: str = ""  # the routing intent, e.g. "report-theft"
    destination: str = ""  # where the call was going, e.g. "rc"
    heard: tuple[str, ...] = ()  # what the caller said, in order
    reference: str = ""  # a crime or incident reference the caller gave
    flags: tuple[str, ...] = ()  # caller flags (vulnerable, repeat...)
    categories: tuple[str, ...] = ()  # the call's categories (sensitive topics)

    @property
    def priority(self) -> int:
        """0 first (vulnerable or repeat callers), then 1."""
        return 0 if PRIORITY_FLAGS.intersection(self.flags) else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "intent": self.intent,
            "destination": self.destination,
            "heard": list(self.heard),
            "reference": self.reference,
            "flags": list(self.flags),
            "categories": list(self.categories),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChatContext:
        """The stored form back; ValueError names what is wrong."""
        try:
            return cls(
                call_id=str(data["call_id"]),
                intent=str(data.get("intent", "")),
                destination=str(data.get("destination", "")),
                heard=tuple(str(h) for h in data.get("heard", ())),
                reference=str(data.get("reference", "")),
                flags=tuple(str(f) for f in data.get("flags", ())),
                categories=tuple(str(c) for c in data.get("categories", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a chat context: {exc}") from exc


@dataclass(frozen=True)
class ChatLink:
    """A link texted to the caller: ``token`` is the only thing in its URL."""

    link_id: str
    call_id: str
    token: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class ChatMessage:
    """One line of a chat, stored before anyone is sent it; ``seq`` orders a chat's
    messages from 1 and is what a reconnecting client asks to resume after."""

    chat_id: str
    seq: int
    sender: Sender
    body: str
    at: datetime
    author: str = ""  # the agent's display name; "" for the caller and the system
    client_id: str = ""  # the sender's id for it: a resend after a reconnect is not doubled


@dataclass(frozen=True)
class ChatStart:
    """Where a caller who opened a good link goes: the built-in chat page (``chat_id``
    set) or a force platform's own page (``redirect`` set)."""

    chat_id: str = ""
    redirect: str = ""


class LinkRefused(StrEnum):
    """Why a link does not start a chat (each gets its own plain page)."""

    UNKNOWN = "unknown"  # bad signature or no such link
    USED = "used"  # single-use: already opened
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # chat closed since the text was sent


class ChatChannel(Protocol):
    """Where chats happen: the built-in chat (ivr.chat.hub) or a force's platform
    (ivr.chat.webhook). The IVR asks ``availability`` while the caller waits; ``start``
    runs when the caller opens their link."""

    def availability(self, now: datetime) -> ChatAvailability:
        """Agents and capacity only (the schedule is checked by the caller of this)."""
        ...

    async def start(self, context: ChatContext, link_id: str) -> ChatStart:
        """Begin a chat with ``context``; raise ``ChatUnavailable`` when it cannot."""
        ...


class ChatUnavailable(Exception):
    """The channel cannot take a chat now (the caller is shown the other ways in)."""


@dataclass(frozen=True)
class ChatCounts:
    """What the report counts for chat, apart from abandonment."""

    offered: int = 0
    accepted: int = 0  # took the link (the call ended deflected:chat)
    link_expired: int = 0  # never opened the link in time
    opened: int = 0
    answered: int = 0  # an agent joined
    waits_s: tuple[float, ...] = ()  # opened -> an agent joined
    outcomes: Mapping[ChatOutcome, int] = field(default_factory=dict)
