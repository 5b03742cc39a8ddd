"""What the operator saw of a call when they chose to act on it (``"expected"`` in the body).

The board is a few hundred milliseconds behind at best, and an operator may read a row,
think, and type a reason for a minute. By then the caller may have chosen another
service, or reached a queue. An action sent with what its operator saw is refused (409)
when the call has moved on since, so they look again rather than act on stale
information. Without ``"expected"`` an action proceeds as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ivr.console.errors import BadRequest, Conflict

FIELDS = ("step", "destination")
MAX_CHARS = 200  # a step or destination name is short; longer is no name of ours


class MovedOn(Conflict):
    """The call is not where the operator saw it: the message says where it is now."""


@dataclass(frozen=True)
class Seen:
    step: str | None = None  # None: not said, not checked
    destination: str | None = None

    @classmethod
    def parse(cls, value: Any) -> Seen | None:
        """From a request's ``expected`` (absent or null: None); BadRequest says what is wrong."""
        if value is None:
            return None
        if not isinstance(value, dict):
            raise BadRequest('expected must be an object: {"step": ..., "destination": ...}')
        unknown = sorted(str(k)[:40] for k in value if k not in FIELDS)
        if unknown:
            raise BadRequest(f"expected takes only step and destination, not {unknown[0]!r}")
        for name in FIELDS:
            field = value.get(name)
            if field is not None and (not isinstance(field, str) or len(field) > MAX_CHARS):
                raise BadRequest(f"expected.{name} must be text of at most {MAX_CHARS} characters")
        return cls(value.get("step"), value.get("destination"))

    def check(self, step: str, destination: str) -> None:
        """MovedOn unless the call is still at the step and destination the operator saw."""
        if (self.step is None or self.step == step) and (
            self.destination is None or self.destination == destination
        ):
            return
        where = f"{step}, going to {destination}" if destination else step
        raise MovedOn(f"the call moved on: now at {where}. Look again before acting")
