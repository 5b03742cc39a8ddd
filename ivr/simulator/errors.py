"""The one exception the engine raises toward REST: an ARI status with Asterisk's body."""

from __future__ import annotations

from ivr.simulator.events import JsonObject


class AriError(Exception):
    """An ARI error response; error_id is a stable kebab-case name for logs and tests."""

    def __init__(self, status: int, message: str, error_id: str, *, key: str = "message") -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.error_id = error_id
        self.key = key

    @property
    def body(self) -> JsonObject:
        return {self.key: self.message}


def channel_not_found() -> AriError:
    return AriError(404, "Channel not found", "channel-not-found")


def not_in_stasis(status: int = 409) -> AriError:
    return AriError(status, "Channel not in Stasis application", "channel-not-in-stasis")


def bridge_not_found() -> AriError:
    return AriError(404, "Bridge not found", "bridge-not-found")


def playback_not_found() -> AriError:
    return AriError(404, "Playback not found", "playback-not-found")


def bad_request(message: str, error_id: str) -> AriError:
    return AriError(400, message, error_id)
