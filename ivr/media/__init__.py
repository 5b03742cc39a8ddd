"""Audio plumbing shared by the app and the simulator: G.711, RTP framing, 8 kHz WAV.

Kept free of asyncio and of any ARI knowledge so both sides can use it, and so the
codec tables are built once per process whoever imports them first.
"""

from __future__ import annotations


class MediaError(Exception):
    """Any media failure; error_id is a stable kebab-case name for logs and tests."""

    error_id = "media-error"

    def __init__(self, message: str, error_id: str | None = None) -> None:
        super().__init__(message)
        if error_id is not None:
            self.error_id = error_id


__all__ = ["MediaError"]
