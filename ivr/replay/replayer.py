"""Replayer: decide every logged engine decision of a period again under a draft ruleset.

A plain object with no printing, so the CLI and (later) a browser page drive it alike:
it reports progress through a callback after each batch, stops between batches when its
cancel flag is set (a page's "stop" from another thread), and hands each changed call and
each overridden call to a sink as it finds them (the sink decides what to keep: the first
N, or all of them streamed to a file), so memory does not grow with the period.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ivr.replay.model import ChangedCall, OverriddenCall, ReplaySummary, Verdict
from ivr.replay.source import DecisionLog, LoggedDecision, Period
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

Progress = Callable[[int, int], None]  # (engine decisions done, total)


class ReplaySink(Protocol):
    """Where a replay's calls go as they are found."""

    def changed(self, call: ChangedCall) -> None: ...
    def overridden(self, call: OverriddenCall) -> None: ...


@dataclass(slots=True)
class _Replayed:
    row: LoggedDecision
    new: Verdict


class _Overrides:
    """Pairs each call's operator move with the engine decision it overrode.

    Rows arrive call by call. A move judges the latest engine decision before it; of
    several moves, the last before the next engine decision is where the call belonged.
    """

    def __init__(self, summary: ReplaySummary, sink: ReplaySink) -> None:
        self.summary = summary
        self.sink = sink
        self.last: _Replayed | None = None
        self.move: LoggedDecision | None = None

    def decided(self, replayed: _Replayed) -> None:
        if self.last is None or self.last.row.call_id != replayed.row.call_id:
            self.finish()
        else:
            self._judge()
        self.last = replayed

    def moved(self, row: LoggedDecision) -> None:
        if self.last is None or self.last.row.call_id != row.call_id:
            self.finish()
            self.summary.unpaired_moves += 1
            return
        self.move = row

    def finish(self) -> None:
        self._judge()
        self.last = None

    def _judge(self) -> None:
        last, move = self.last, self.move
        self.move = None
        if last is None or move is None:
            return
        call = OverriddenCall(
            last.row.call_id,
            last.row.row_id,
            last.row.at,
            last.row.said,
            last.row.fidelity,
            move.verdict.destination,
            move.moved_by,
            last.row.verdict,
            last.new,
        )
        self.summary.judgements[(call.judgement, call.fidelity)] += 1
        self.sink.overridden(call)


class Replayer:
    """Decides logged calls again with a draft's engine: ``RoutingEngine(load_bundle(dir))``."""

    def __init__(self, engine: RoutingEngine) -> None:
        self.engine = engine

    def run(
        self,
        log: DecisionLog,
        period: Period,
        sink: ReplaySink,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ReplaySummary:
        began = time.perf_counter()
        summary = ReplaySummary(total=log.count(period))
        overrides = _Overrides(summary, sink)
        for batch in log.batches(period):
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                break
            for row in batch:
                if row.inputs is None:
                    overrides.moved(row)
                    continue
                replayed = self._replay(row, row.inputs, summary)
                if replayed is not None:
                    overrides.decided(replayed)
                    if summary.add(row.fidelity, row.verdict, replayed.new):
                        sink.changed(self._changed(replayed))
            if progress is not None:
                progress(summary.done, summary.total)
        overrides.finish()
        summary.skipped = log.skipped
        summary.keys_cleared = log.keys_cleared
        summary.elapsed_s = time.perf_counter() - began
        return summary

    def _replay(
        self, row: LoggedDecision, inputs: RoutingInputs, summary: ReplaySummary
    ) -> _Replayed | None:
        try:
            decision = self.engine.decide(inputs)
        except Exception as exc:  # an engine bug on one row must not lose the whole replay
            summary.failed += 1
            if not summary.first_failure:
                summary.first_failure = f"call {row.call_id}: {type(exc).__name__}: {exc}"
            return None
        return _Replayed(row, Verdict.of(decision))

    @staticmethod
    def _changed(replayed: _Replayed) -> ChangedCall:
        row = replayed.row
        return ChangedCall(
            row.call_id, row.row_id, row.at, row.said, row.fidelity, row.verdict, replayed.new
        )
