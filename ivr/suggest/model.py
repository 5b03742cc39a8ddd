"""What the miner reads (a logged call, as far as teaching goes) and what it suggests.

A suggestion carries its own evidence (which calls, what their callers said, where
the engine sent them and where an operator moved them, when) so an admin judges it
from the calls themselves, and a draft that takes it keeps why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.decisions import DIRECTORY_PREFIX


class SuggestionKind(StrEnum):
    ALIAS = "alias"  # a directory entry's alias
    EXAMPLE = "example"  # an intent's example


@dataclass(frozen=True, slots=True)
class Move:
    """Where operators took a call: from the engine's destination to their last move's."""

    source: str
    destination: str
    at: str  # the (last) move's stored time, ISO UTC
    by: tuple[str, ...] = ()
    reason_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """One call in the period: what its caller said to the engine, and any move."""

    call_id: str
    started_at: str
    said: tuple[str, ...]  # the top hypothesis of each question the engine asked
    move: Move | None = None

    @property
    def utterance(self) -> str:
        """What the route was decided on: the last thing said before any move."""
        return self.said[-1] if self.said else ""


@dataclass(frozen=True, slots=True)
class CallEvidence:
    call_id: str
    said: str
    source: str
    destination: str
    at: str

    @classmethod
    def of(cls, call: LoggedCall) -> CallEvidence:
        move = call.move
        if move is None:
            raise ValueError(f"call {call.call_id} was not moved")
        return cls(call.call_id, call.utterance, move.source, move.destination, move.at)

    def to_json(self) -> dict[str, str]:
        return {
            "call_id": self.call_id,
            "said": self.said,
            "from": self.source,
            "to": self.destination,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Add ``text`` to ``target`` (an entry id for an alias, an intent name for an example)."""

    kind: SuggestionKind
    target: str
    text: str
    destination: str  # where the calls were moved to
    calls: tuple[CallEvidence, ...]
    why: str  # one line: the test it passed, in numbers
    place: str = ""  # the destination as admins name it ("Custody Enquiries")

    @property
    def count(self) -> int:
        return len(self.calls)

    @property
    def sources(self) -> tuple[str, ...]:
        """Where the engine had sent these calls, most often first."""
        counts: dict[str, int] = {}
        for call in self.calls:
            counts[call.source or "nowhere"] = counts.get(call.source or "nowhere", 0) + 1
        return tuple(sorted(counts, key=lambda s: (-counts[s], s)))

    @property
    def period(self) -> tuple[str, str]:
        """The first and last move counted."""
        times = sorted(call.at for call in self.calls)
        return times[0], times[-1]

    @property
    def headline(self) -> str:
        """The question put to the admin, in the words of the calls."""
        place = self.place or self.destination.removeprefix(DIRECTORY_PREFIX)
        moved = f"moved from {', '.join(self.sources)} to {place}"
        if self.kind is SuggestionKind.ALIAS:
            return (
                f"callers saying {self.text!r} were {moved} {self.count} times:"
                f" add alias {self.text!r} to {self.target}?"
            )
        return (
            f"{self.count} callers {moved} said things like {self.text!r}:"
            f" add example {self.text!r} to intent {self.target}?"
        )

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.count, self.kind.value, self.target, self.text)

    def to_json(self) -> dict[str, Any]:
        first, last = self.period
        return {
            "kind": self.kind.value,
            "target": self.target,
            "text": self.text,
            "destination": self.destination,
            "count": self.count,
            "from": list(self.sources),
            "first": first,
            "last": last,
            "why": self.why,
            "headline": self.headline,
            "calls": [call.to_json() for call in self.calls],
        }
