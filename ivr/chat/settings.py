"""[chat]: whether the IVR may offer live chat, where its link points and how long it
lives, how many chats an agent holds, and which channel carries the chats.

The secret signs links and the caller's chat cookie (IVR_CHAT_SECRET); without one a
random secret is made per process, so links texted before a restart stop working (the
caller is shown the other ways in; the start-up log says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ivr.sections import (
    AT_LEAST_ONE,
    FLAG,
    POSITIVE,
    TEXT,
    Choice,
    ConfigError,
    HttpUrl,
    Section,
    Token,
    option,
)


class ChannelKind(StrEnum):
    BUILTIN = "builtin"  # ivr.chat.hub: the console's chat desk
    WEBHOOK = "webhook"  # ivr.chat.webhook: a force's own platform


@dataclass(frozen=True)
class ChatSettings(Section):
    TABLE = "chat"

    enabled: bool = option(False, FLAG)
    # The schedule (routing_rules/schedules.yaml) chat is open in.
    schedule: str = option("live-chat", TEXT)
    # Where the app's public pages are reached from a phone: the link is <public_url>/chat/<token>.
    public_url: str = option("http://127.0.0.1:8080", HttpUrl(put_them="nowhere"))
    link_minutes: float = option(30.0, POSITIVE)  # unopened by then: expired, counted apart
    secret: str = option("", Token(32), env="IVR_CHAT_SECRET", secret=True)
    per_agent: int = option(3, AT_LEAST_ONE)  # chats one agent holds at once
    # Until the day has its own, the handling time the expected chat wait is worked from.
    handle_minutes: float = option(12.0, POSITIVE)
    # Offer chat only while the promised wait is at most this.
    max_wait_minutes: float = option(20.0, POSITIVE)
    channel: ChannelKind = option(ChannelKind.BUILTIN, Choice(ChannelKind))
    webhook_url: str = option("", HttpUrl(put_them="IVR_CHAT_WEBHOOK_SECRET", optional=True))
    # GET, answers {"open": bool, "wait_seconds": number}; "" = open within the schedule.
    webhook_status_url: str = option("", HttpUrl(put_them="IVR_CHAT_WEBHOOK_SECRET", optional=True))
    webhook_secret: str = option("", Token(32), env="IVR_CHAT_WEBHOOK_SECRET", secret=True)
    webhook_timeout: float = option(5.0, POSITIVE)

    def validate(self) -> None:
        """A webhook that could not reach the platform, or that the platform could not
        tell from a forger, is refused at start-up, not at the first caller's link."""
        if not self.enabled or self.channel is not ChannelKind.WEBHOOK:
            return
        if not self.webhook_url:
            raise ConfigError('[chat] channel = "webhook" needs [chat] webhook_url')
        if not self.webhook_secret:
            raise ConfigError(
                '[chat] channel = "webhook" needs a secret: IVR_CHAT_WEBHOOK_SECRET'
                " (or [chat] webhook_secret)"
            )
