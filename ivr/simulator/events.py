"""ARI event envelopes and Asterisk-style timestamps."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

JsonObject = dict[str, Any]


def ari_timestamp(epoch: float | None = None) -> str:
    """Format like Asterisk: `2026-11-24T06:00:59.786+0000` (milliseconds, `+0000`)."""
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def envelope(event_type: str, fields: JsonObject, asterisk_id: str, application: str) -> JsonObject:
    """One WebSocket message: the event's own fields plus the common envelope."""
    message: JsonObject = {"type": event_type, "timestamp": ari_timestamp()}
    message.update(fields)
    message["asterisk_id"] = asterisk_id
    message["application"] = application
    return message


CAUSE_TEXT: dict[int, str] = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    26: "Answered elsewhere",
    28: "Invalid number format (addr incomplete)",
    31: "Normal, unspecified",
    34: "Circuit/channel congestion",
    38: "Network out of order",
    58: "Bearer capability not available",
    127: "Interworking, unspecified",
}

HANGUP_REASONS: dict[str, int] = {
    "normal": 16,
    "busy": 17,
    "congestion": 34,
    "no_answer": 19,
    "timeout": 18,
    "rejected": 21,
    "unallocated": 1,
    "normal_unspecified": 31,
    "number_incomplete": 28,
    "codec_mismatch": 58,
    "interworking": 127,
    "failure": 38,
    "answered_elsewhere": 26,
}


def cause_text(cause: int) -> str:
    return CAUSE_TEXT.get(cause, "Unknown")
