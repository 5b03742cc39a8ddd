"""HeldChannels: the channels a callback left that nobody here follows yet.

After a restart, a callback's ``cb-`` channel (or the agent leg it was ringing)
can still be in Asterisk before the callback worker has read its book. Such a
channel answering is the worker's to take over, not an orphan to hang up; the
worker either follows it (``take``) or lets it go (``unfollowed``).
"""

from __future__ import annotations

from collections.abc import Collection


class HeldChannels:
    """Channel id -> the ``cb-`` id of the callback it is held for."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}

    def __contains__(self, channel_id: object) -> bool:
        return channel_id in self._owner

    def hold(self, channel_id: str, callback_id: str) -> None:
        self._owner[channel_id] = callback_id

    def take(self, channel_id: str) -> None:
        """Taken over by whoever now watches it: no longer held."""
        self._owner.pop(channel_id, None)

    def unfollowed(self, following: Collection[str]) -> list[str]:
        """Let go of, and list, the channels of every callback not in ``following``."""
        dropped = [cid for cid, owner in self._owner.items() if owner not in following]
        for channel_id in dropped:
            del self._owner[channel_id]
        return dropped
