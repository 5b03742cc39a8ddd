"""A routing change as shares of each queue's callers sent elsewhere.

The logged decisions are decided again under the draft rules (ivr.replay's Replayer: a
call's stored RoutingInputs through a RoutingEngine of the draft); a queued call whose
decision now routes to another destination moves there: to that queue if it is one of
the log's app-run queues, else out of the queues (a transfer, the online link, a
department Asterisk queues itself). Each queue's moved shares then apply to the
simulated callers of that queue. Approximate where the draft would ask the caller more
(a confirm, a reprompt): those calls stay where they went. A danger check is the
exception: the logged call was queued, so nobody was in danger and the caller's "no"
sends it where the check's ``otherwise`` routes.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from ivr.replay.model import ChangedCall, OverriddenCall, ReplaySummary, Verdict
from ivr.replay.replayer import Replayer
from ivr.replay.source import DecisionLog, Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.store.readonly import Location
from ivr.whatif.figures import QueuedCall
from ivr.whatif.simulate import OUT

Moves = dict[str, dict[str, float]]


class _NewRoutes:
    """A ReplaySink keeping, per call, where its latest changed route decision sends it."""

    def __init__(self) -> None:
        self.to: dict[str, str] = {}

    def changed(self, call: ChangedCall) -> None:
        target = where_it_goes(call.new)
        if target:
            self.to[call.call_id] = target

    def overridden(self, call: OverriddenCall) -> None:
        """An operator's move is where the call went, whatever the rules say."""


def where_it_goes(verdict: Verdict) -> str | None:
    """The destination a queued caller reaches under this verdict, or None (asked more).

    A danger check's caller was queued, so was in no danger: they answer "no".
    """
    if verdict.otherwise is not None:
        return where_it_goes(verdict.otherwise)
    if verdict.action == "route" and verdict.destination:
        return verdict.destination
    return None


def replay_routes(
    db: Location,
    rules: Path,
    period: Period,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[dict[str, str], ReplaySummary]:
    """call id -> the destination the draft routes it to (only calls it changes).

    Raises ivr.routing.bundle.BundleError for a bad folder, LogUnreadable for a bad db.
    """
    engine = RoutingEngine(load_bundle(rules))
    sink = _NewRoutes()
    with DecisionLog(db) as log:
        summary = Replayer(engine).run(log, period, sink, progress=progress, cancel=cancel)
    return sink.to, summary


def moves_for(calls: Iterable[QueuedCall], new_routes: dict[str, str], queues: set[str]) -> Moves:
    """Per queue, the share of its callers the draft sends to each other queue (or OUT)."""
    totals: Counter[str] = Counter()
    moved: dict[str, Counter[str]] = defaultdict(Counter)
    for call in calls:
        totals[call.queue] += 1
        target = new_routes.get(call.call_id)
        if target is None or target == call.queue:
            continue
        moved[call.queue][target if target in queues else OUT] += 1
    return {
        queue: {target: n / totals[queue] for target, n in sorted(targets.items())}
        for queue, targets in sorted(moved.items())
    }
