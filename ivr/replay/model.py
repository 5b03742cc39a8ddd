"""The words of a replay: what a decision said, how faithfully it was replayed, what changed.

Plain values, so the CLI prints them and a browser page can send them as JSON alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ivr.decisions import EMERGENCY, Decision


class Fidelity(StrEnum):
    """How a logged decision was rebuilt; counts of each are reported apart, never mixed."""

    EXACT = "exact"  # from its stored RoutingInputs
    APPROXIMATE = "approximate"  # logged before inputs were stored: from its evidence
    DAMAGED = "damaged"  # stored inputs unreadable: from its evidence, like an old row


class Judgement(StrEnum):
    """A call an operator moved, judged by where the operator sent it."""

    NOW_RIGHT = "now right"  # the live rules got it wrong; the draft sends it there
    STILL_WRONG = "still wrong"  # wrong then, wrong under the draft
    NEWLY_WRONG = "newly wrong"  # the live rules already sent it there; the draft does not
    STILL_RIGHT = "still right"  # moved for another reason; both send it there


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one decision said, and why: the rule and its reason.

    ``otherwise``: a danger check's "no" (``Decision.otherwise``), part of where it sends
    the call: a draft that changes only where a "no" goes changes the call.
    """

    action: str
    destination: str
    rule: str
    reason: str
    otherwise: Verdict | None = None

    @classmethod
    def of(cls, decision: Decision) -> Verdict:
        otherwise = cls.of(decision.otherwise) if decision.otherwise is not None else None
        return cls(
            decision.action, decision.destination or "", decision.rule, decision.reason, otherwise
        )

    @classmethod
    def logged(
        cls, action: str, destination: str, rule: str, reason: str, evidence: Mapping[str, Any]
    ) -> Verdict:
        """A decisions row's verdict; a danger check's "no" is its ``evidence["otherwise"]``
        (the summary the log keeps: action, destination and rule, no reason)."""
        otherwise = None
        kept = evidence.get("otherwise")
        if action == "confirm" and destination == EMERGENCY and isinstance(kept, Mapping):
            then, where, rule_then = (
                str(kept.get(k) or "") for k in ("action", "destination", "rule")
            )
            otherwise = cls(then, where, rule_then, "")
        return cls(action, destination, rule, reason, otherwise)

    @property
    def label(self) -> str:
        """Where it sends the call: a destination, or what the call is asked next
        (a danger check: ``check:emergency|rc``, what a yes and a no lead to)."""
        if self.otherwise is not None:
            return f"check:{self.destination}|{self.otherwise.label}"
        if self.action == "route":
            return self.destination
        return f"{self.action}:{self.destination}" if self.destination else self.action

    def sends_to(self, destination: str) -> bool:
        return self.action == "route" and self.destination == destination

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "action": self.action,
            "destination": self.destination,
            "rule": self.rule,
            "reason": self.reason,
        }
        if self.otherwise is not None:
            found["otherwise"] = self.otherwise.to_json()
        return found


@dataclass(frozen=True, slots=True)
class ChangedCall:
    """A logged decision the draft decides differently (where it sends the call)."""

    call_id: str
    decision_id: int
    at: str  # as logged (UTC)
    said: str  # what the caller said or keyed, for the reader
    fidelity: Fidelity
    old: Verdict
    new: Verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "decision_id": self.decision_id,
            "at": self.at,
            "said": self.said,
            "fidelity": self.fidelity.value,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
        }


@dataclass(frozen=True, slots=True)
class OverriddenCall:
    """A call an operator moved after the engine's decision: the move's target is the truth."""

    call_id: str
    decision_id: int  # the engine's decision the operator overrode
    at: str
    said: str
    fidelity: Fidelity
    operator_sent: str
    moved_by: str
    old: Verdict
    new: Verdict

    @property
    def judgement(self) -> Judgement:
        was, now = self.old.sends_to(self.operator_sent), self.new.sends_to(self.operator_sent)
        if was:
            return Judgement.STILL_RIGHT if now else Judgement.NEWLY_WRONG
        return Judgement.NOW_RIGHT if now else Judgement.STILL_WRONG

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "decision_id": self.decision_id,
            "at": self.at,
            "said": self.said,
            "fidelity": self.fidelity.value,
            "operator_sent": self.operator_sent,
            "moved_by": self.moved_by,
            "judgement": self.judgement.value,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
        }


@dataclass(slots=True)
class ReplaySummary:
    """The counts of one replay; each split by Fidelity so approximate rows never blend in."""

    total: int = 0  # engine decisions in the period (progress: done / total)
    replayed: Counter[Fidelity] = field(default_factory=Counter)
    changed: Counter[Fidelity] = field(default_factory=Counter)
    transitions: dict[tuple[str, str], Counter[Fidelity]] = field(default_factory=dict)
    judgements: Counter[tuple[Judgement, Fidelity]] = field(default_factory=Counter)
    unpaired_moves: int = 0  # operator moves with no engine decision before them in the period
    skipped: int = 0  # rows too damaged to replay at all (no readable time)
    keys_cleared: int = 0  # rows whose keyed digits retention blanked: not replayed
    failed: int = 0  # rows the engine raised on (a bug: the first is kept)
    first_failure: str = ""
    cancelled: bool = False
    elapsed_s: float = 0.0

    @property
    def done(self) -> int:
        return sum(self.replayed.values())

    def judged(self, judgement: Judgement) -> int:
        return sum(n for (j, _), n in self.judgements.items() if j == judgement)

    def add(self, fidelity: Fidelity, old: Verdict, new: Verdict) -> bool:
        """Count one replayed decision; True when the draft sends the call elsewhere."""
        self.replayed[fidelity] += 1
        self.transitions.setdefault((old.label, new.label), Counter())[fidelity] += 1
        changed = old.label != new.label
        if changed:
            self.changed[fidelity] += 1
        return changed

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "replayed": {f.value: self.replayed[f] for f in Fidelity},
            "changed": {f.value: self.changed[f] for f in Fidelity},
            "transitions": [
                {"old": old, "new": new, **{f.value: counts[f] for f in Fidelity}}
                for (old, new), counts in sorted(
                    self.transitions.items(), key=lambda kv: (-kv[1].total(), kv[0])
                )
            ],
            "overridden": {
                j.value: {f.value: self.judgements[(j, f)] for f in Fidelity} for j in Judgement
            },
            "unpaired_moves": self.unpaired_moves,
            "skipped": self.skipped,
            "keys_cleared": self.keys_cleared,
            "failed": self.failed,
            "first_failure": self.first_failure,
            "cancelled": self.cancelled,
            "elapsed_s": round(self.elapsed_s, 3),
        }
