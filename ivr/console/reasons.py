"""Why an operator acted: a code from a short list (what the analysis counts) plus words.

A code alone is enough except for "other", which needs the words; words are kept
short (they are read on the board and in the decision log, not a case file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.console.errors import BadRequest

MAX_REASON_CHARS = 200


class ReasonCode(StrEnum):
    MISROUTED = "misrouted"
    MISHEARD = "misheard"
    CALLER_ASKED = "caller-asked"
    WRONG_QUEUE = "wrong-queue"
    DESTINATION_CLOSED = "destination-closed"
    SAFEGUARDING = "safeguarding"
    EMERGENCY = "emergency"
    OTHER = "other"

    @property
    def label(self) -> str:
        """What the operator reads in the list."""
        return _LABELS[self]


_LABELS = {
    ReasonCode.MISROUTED: "Misrouted by the IVR",
    ReasonCode.MISHEARD: "Caller's words misheard",
    ReasonCode.CALLER_ASKED: "Caller asked for another service",
    ReasonCode.WRONG_QUEUE: "Waiting in the wrong queue",
    ReasonCode.DESTINATION_CLOSED: "Destination closed or overloaded",
    ReasonCode.SAFEGUARDING: "Vulnerable caller / safeguarding",
    ReasonCode.EMERGENCY: "An emergency",
    ReasonCode.OTHER: "Other (say why)",
}


def checked_text(value: Any, what: str, *, required: bool) -> str:
    """Free text from a request: a string, trimmed, at most MAX_REASON_CHARS."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be text")
    text = " ".join(value.split())
    if required and not text:
        raise BadRequest(f"{what} is required")
    if len(text) > MAX_REASON_CHARS:
        raise BadRequest(f"{what} is too long ({len(text)} characters; at most {MAX_REASON_CHARS})")
    return text


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str = ""

    @classmethod
    def parse(cls, code: Any, text: Any) -> Reason:
        """From a request's ``reason_code`` and ``reason``; BadRequest says what is wrong."""
        if not isinstance(code, str) or code not in ReasonCode.__members__.values():
            known = ", ".join(c.value for c in ReasonCode)
            raise BadRequest(f"reason_code must be one of: {known}")
        reason_code = ReasonCode(code)
        words = checked_text(text, "reason", required=reason_code is ReasonCode.OTHER)
        return cls(reason_code, words)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.text}" if self.text else self.code.value
