"""Q.850 hang-up causes in Asterisk's DIALSTATUS words.

A leg the app originates that rings out gets no ``Dial`` event with a status from a
real Asterisk 22: only its ``ChannelDestroyed``, whose cause says why (19, "User
alerting, no answer"). Both the calls' legs and the callbacks' read it here.
"""

from __future__ import annotations

_DIAL_STATUS = {17: "BUSY", 18: "NOANSWER", 19: "NOANSWER", 21: "CONGESTION", 34: "CONGESTION"}


def dial_status(cause: int, otherwise: str) -> str:
    """The DIALSTATUS word for a hang-up ``cause``; ``otherwise`` for any other cause."""
    return _DIAL_STATUS.get(cause, otherwise)
