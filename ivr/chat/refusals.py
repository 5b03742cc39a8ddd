"""What ChatHub refuses, and why (ChatHub re-exports these: ivr.chat.hub). Each is a
ChatRefused, so the web answers every one the same way (409, the text)."""

from __future__ import annotations


class ChatRefused(Exception):
    """An action the chat's state does not allow (the web answers 409 with the text)."""

    error_id = "chat-refused"


class NoSuchChat(ChatRefused, KeyError):
    error_id = "chat-unknown"

    def __str__(self) -> str:  # KeyError would quote it
        return str(self.args[0]) if self.args else "no such chat"


class ChatClosed(ChatRefused):
    error_id = "chat-closed"


class AtLimit(ChatRefused):
    error_id = "chat-agent-at-limit"


class NotWaiting(ChatRefused):
    """Another agent took it first."""

    error_id = "chat-not-waiting"


class NotHeld(ChatRefused):
    error_id = "chat-not-held"


class NotSignedIn(ChatRefused):
    error_id = "chat-agent-not-signed-in"
