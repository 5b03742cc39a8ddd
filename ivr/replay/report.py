"""What a replay shows: sinks that keep its calls (the first few, or all to a JSON file),
and the terminal report. Exact and approximate counts stand in columns of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, Any

from ivr.replay.model import (
    ChangedCall,
    Fidelity,
    Judgement,
    OverriddenCall,
    ReplaySummary,
    Verdict,
)
from ivr.replay.replayer import ReplaySink


@dataclass(slots=True)
class FirstCalls:
    """Keeps the first ``limit`` changed calls, and of the overridden calls the first
    ``limit`` the draft judges differently from the live rules (now right, newly wrong)."""

    limit: int
    changes: list[ChangedCall] = field(default_factory=list)
    overrides: list[OverriddenCall] = field(default_factory=list)

    def changed(self, call: ChangedCall) -> None:
        if len(self.changes) < self.limit:
            self.changes.append(call)

    def overridden(self, call: OverriddenCall) -> None:
        interesting = call.judgement in (Judgement.NOW_RIGHT, Judgement.NEWLY_WRONG)
        if interesting and len(self.overrides) < self.limit:
            self.overrides.append(call)


class Sinks:
    """Hands each call to every sink."""

    def __init__(self, *sinks: ReplaySink) -> None:
        self.sinks = sinks

    def changed(self, call: ChangedCall) -> None:
        for sink in self.sinks:
            sink.changed(call)

    def overridden(self, call: OverriddenCall) -> None:
        for sink in self.sinks:
            sink.overridden(call)


class JsonReport:
    """Every changed and overridden call, written to ``out`` as they come (overridden calls
    wait in ``spool``, a temporary file), then the summary: ``{"changed": [...],
    "overridden": [...], "summary": {...}, "replay": {...}}``. Memory stays flat however
    many calls change."""

    def __init__(self, out: IO[str], spool: IO[str]) -> None:
        self.out = out
        self._spool = spool
        self._changes = 0
        self._overrides = 0
        out.write('{"changed": [')

    def changed(self, call: ChangedCall) -> None:
        self.out.write(("," if self._changes else "") + "\n  " + json.dumps(call.to_json()))
        self._changes += 1

    def overridden(self, call: OverriddenCall) -> None:
        self._spool.write(("," if self._overrides else "") + "\n  " + json.dumps(call.to_json()))
        self._overrides += 1

    def finish(self, summary: ReplaySummary, about: dict[str, Any]) -> None:
        self.out.write('\n],\n"overridden": [')
        self._spool.seek(0)
        while chunk := self._spool.read(1 << 16):
            self.out.write(chunk)
        self.out.write('\n],\n"summary": ')
        json.dump(summary.to_json(), self.out)
        self.out.write(',\n"replay": ')
        json.dump(about, self.out)
        self.out.write("}\n")


_EXPLAINED = {
    Judgement.NOW_RIGHT: "the draft sends them where the operator did",
    Judgement.STILL_WRONG: "neither the live rules nor the draft send them there",
    Judgement.NEWLY_WRONG: "the live rules sent them there; the draft does not",
    Judgement.STILL_RIGHT: "moved for another reason; both send them there",
}


class TextReport:
    """The report printed on the terminal (stdout): counts, the table, the first calls."""

    def __init__(self, summary: ReplaySummary, kept: FirstCalls, title: str) -> None:
        self.s = summary
        self.kept = kept
        self.title = title

    def render(self) -> str:
        lines = [self.title, *self._counts(), "", *self._table(), *self._overrides()]
        lines += self._changes()
        return "\n".join(lines) + "\n"

    def _fidelities(self) -> list[Fidelity]:
        present = [f for f in Fidelity if self.s.replayed[f]]
        return present or [Fidelity.EXACT]

    def _counts(self) -> list[str]:
        s = self.s
        lines = [
            f"replayed {s.done:,} of {s.total:,} engine decisions"
            + (" (CANCELLED before the end)" if s.cancelled else "")
            + f" in {s.elapsed_s:.1f} s"
        ]
        for f in self._fidelities():
            share = s.changed[f] / s.replayed[f] if s.replayed[f] else 0.0
            lines.append(
                f"  {f.value:<12} {s.replayed[f]:>8,}  changed {s.changed[f]:,} ({share:.1%})"
                + _FIDELITY_NOTES.get(f, "")
            )
        if s.skipped:
            lines.append(f"  {s.skipped:,} rows skipped: no readable time to decide them at")
        if s.keys_cleared:
            lines.append(
                f"  {s.keys_cleared:,} rows not replayed: their keyed digits were cleared after"
                " numbers_days ([store] retention)"
            )
        if s.failed:
            lines.append(f"  {s.failed:,} rows the engine failed on; first: {s.first_failure}")
        return lines

    def _table(self) -> list[str]:
        kinds = self._fidelities()
        rows = sorted(
            self.s.transitions.items(), key=lambda kv: (kv[0][0] == kv[0][1], -kv[1].total())
        )
        pairs = [f"{old} → {new}" if old != new else f"{old} (same)" for (old, new), _ in rows]
        width = max([len("old → new"), *map(len, pairs)])
        lines = [f"{'old → new':<{width}}" + "".join(f"  {f.value:>11}" for f in kinds)]
        for pair, (_, counts) in zip(pairs, rows, strict=True):
            lines.append(f"{pair:<{width}}" + "".join(f"  {counts[f]:>11,}" for f in kinds))
        return lines

    def _overrides(self) -> list[str]:
        s = self.s
        moved = sum(s.judgements.values())
        if not moved and not s.unpaired_moves:
            return ["", "no calls in the period were moved by an operator"]
        by_kind = ", ".join(
            f"{f.value} {sum(n for (_, g), n in s.judgements.items() if g == f):,}"
            for f in self._fidelities()
        )
        lines = ["", f"calls operators moved after the engine's decision: {moved:,} ({by_kind})"]
        for judgement in Judgement:
            lines.append(
                f"  {judgement.value:<12} {s.judged(judgement):>6,}  {_EXPLAINED[judgement]}"
            )
        if s.unpaired_moves:
            lines.append(f"  ({s.unpaired_moves:,} moves with no engine decision in the period)")
        for call in self.kept.overrides:
            lines.append(
                f"  {call.judgement.value}: call {call.call_id} at {call.at}, said"
                f" {call.said!r}, operator {call.moved_by or '?'} sent it to {call.operator_sent}"
                + _marked(call.fidelity)
            )
            lines += _both(call.old, call.new)
        return lines

    def _changes(self) -> list[str]:
        changed = sum(self.s.changed.values())
        if not changed:
            return ["", "no call is decided differently"]
        shown = len(self.kept.changes)
        lines = ["", f"changed calls (first {shown:,} of {changed:,}; all with --json FILE):"]
        for call in self.kept.changes:
            lines.append(
                f"  call {call.call_id} (decision {call.decision_id}) at {call.at},"
                f" said {call.said!r}" + _marked(call.fidelity)
            )
            lines += _both(call.old, call.new)
        return lines


_FIDELITY_NOTES = {
    Fidelity.APPROXIMATE: "  logged before inputs were stored: no caller flags, waits, diverts",
    Fidelity.DAMAGED: "  stored inputs unreadable: replayed like the approximate ones",
}


def _marked(fidelity: Fidelity) -> str:
    return "" if fidelity == Fidelity.EXACT else f" [{fidelity.value}]"


def _both(old: Verdict, new: Verdict) -> list[str]:
    return [
        f"    was {old.label}: {old.rule}: {old.reason}",
        f"    now {new.label}: {new.rule}: {new.reason}",
    ]
