"""Why the console refused a request, as exceptions the API turns into JSON errors.

The services (ConsoleActions, DivertStore, IncidentMessages) raise these; the handlers
in ivr.console.api answer ``{"error": message}`` with the status each one names, so a
refusal reads the same whether it came from a bad field or a call that has moved on.
"""

from __future__ import annotations

from enum import IntEnum


class Refusal(IntEnum):
    BAD_REQUEST = 400  # the request itself is wrong (a field, an unknown destination)
    NOT_FOUND = 404  # no such live call, divert or message
    CONFLICT = 409  # right request, wrong moment (the call ended, is with a person)


class ConsoleError(Exception):
    status = Refusal.BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ConsoleError):
    status = Refusal.BAD_REQUEST


class NotFound(ConsoleError):
    status = Refusal.NOT_FOUND


class Conflict(ConsoleError):
    status = Refusal.CONFLICT
