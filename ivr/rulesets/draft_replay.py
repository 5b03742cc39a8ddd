"""Replay jobs: the draft decides the app's own logged calls again, one job at a time.

A job runs the Replayer (ivr.replay) on a thread over the call database opened read-only,
so calls go on being written and routed meanwhile; its progress callback moves the job's
``done`` / ``total``, and a cancel sets its flag (it stops after the batch). The result
keeps the counts, the old → new table, the first ``SHOWN`` changed calls and the calls
operators moved (now right, still wrong, newly wrong), each as the pages show a decision
(ivr.rulesets.draft_view): the logged one as it was stored, the draft's decided again
from the stored inputs with its full explanation.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ivr.decisions import Action, Decision
from ivr.directory import Directory
from ivr.replay.codec import StoredInputsError, from_json
from ivr.replay.model import (
    ChangedCall,
    Fidelity,
    Judgement,
    OverriddenCall,
    ReplaySummary,
    Verdict,
)
from ivr.replay.replayer import Replayer
from ivr.replay.source import DecisionLog, LogUnreadable, Period
from ivr.routing.engine import RoutingEngine
from ivr.rulesets.draft_view import ACTIONS, logged_decision, view
from ivr.store.readonly import Location, open_read_only

SHOWN = 200  # changed calls, and moved calls, a result lists
LOGGED_COLUMNS = (
    "id", "action", "destination", "intent", "rule", "reason", "candidates", "evidence",
    "message", "offers", "ruleset_version", "inputs",
)  # fmt: skip
KEPT_JOBS = 10


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class ReplayJob:
    id: str
    draft_digest: str
    period: Period
    state: JobState = JobState.RUNNING
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def moved_share(self) -> float | None:
        return None if self.result is None else float(self.result["moved_share"])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state.value,
            "done": self.done,
            "total": self.total,
            "draft_digest": self.draft_digest,
            "from": self.period.start.isoformat() if self.period.start else None,
            "to": self.period.end.isoformat() if self.period.end else None,
            "error": self.error,
            "result": self.result,
        }


@dataclass
class KeptCalls:
    """The first ``limit`` changed calls, and moved calls other than "still right"."""

    limit: int
    changes: list[ChangedCall] = field(default_factory=list)
    overrides: list[OverriddenCall] = field(default_factory=list)

    def changed(self, call: ChangedCall) -> None:
        if len(self.changes) < self.limit:
            self.changes.append(call)

    def overridden(self, call: OverriddenCall) -> None:
        if call.judgement is not Judgement.STILL_RIGHT and len(self.overrides) < self.limit:
            self.overrides.append(call)


class Busy(RuntimeError):
    """A replay is running: one at a time."""


class ReplayJobs:
    """The jobs of this app (the latest ``KEPT_JOBS``); ``watch`` hears each job's progress
    on its thread (tests hold a job there to cancel it mid-way)."""

    def __init__(self, db_path: Location, watch: Callable[[ReplayJob], None] | None = None) -> None:
        self.db_path = db_path
        self.watch = watch
        self._jobs: dict[str, ReplayJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> ReplayJob | None:
        return next((j for j in self._jobs.values() if j.state is JobState.RUNNING), None)

    def get(self, job_id: str) -> ReplayJob | None:
        return self._jobs.get(job_id)

    def latest_done(self, digest: str) -> ReplayJob | None:
        """The newest finished replay of the draft with ``digest``."""
        done = [
            j for j in self._jobs.values() if j.state is JobState.DONE and j.draft_digest == digest
        ]
        return done[-1] if done else None

    def start(self, engine: RoutingEngine, digest: str, period: Period) -> ReplayJob:
        if self.running is not None:
            raise Busy("a replay is running: wait for it or cancel it")
        job = ReplayJob(uuid.uuid4().hex[:12], digest, period)
        self._jobs[job.id] = job
        while len(self._jobs) > KEPT_JOBS:
            del self._jobs[next(iter(self._jobs))]
        task = asyncio.create_task(self._drive(job, engine), name=f"replay-{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def close(self) -> None:
        for job in self._jobs.values():
            job.cancel.set()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drive(self, job: ReplayJob, engine: RoutingEngine) -> None:
        try:
            job.result = await asyncio.to_thread(self._run, job, engine)
            job.state = JobState.CANCELLED if job.cancel.is_set() else JobState.DONE
        except LogUnreadable as exc:
            job.state, job.error = JobState.FAILED, str(exc)
        except Exception as exc:  # a replay must never take the app down with it
            job.state, job.error = JobState.FAILED, f"{type(exc).__name__}: {exc}"
        finally:
            job.finished.set()

    def _run(self, job: ReplayJob, engine: RoutingEngine) -> dict[str, Any]:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if self.watch is not None:
                self.watch(job)

        kept = KeptCalls(SHOWN)
        with DecisionLog(self.db_path) as log:
            summary = Replayer(engine).run(
                log, job.period, kept, progress=progress, cancel=job.cancel
            )
        job.done, job.total = summary.done, summary.total
        ids = [c.decision_id for c in kept.changes] + [c.decision_id for c in kept.overrides]
        rows = _logged_rows(self.db_path, ids)
        return ResultWriter(engine, rows).result(summary, kept)


class ResultWriter:
    """The job's result as the contract names it, the kept calls with both decisions."""

    def __init__(self, engine: RoutingEngine, rows: dict[int, dict[str, Any]]) -> None:
        self.engine = engine
        self.rows = rows
        self.directory: Directory = engine.bundle.directory

    def result(self, s: ReplaySummary, kept: KeptCalls) -> dict[str, Any]:
        decisions, changed = s.done, sum(s.changed.values())
        table = sorted(
            s.transitions.items(), key=lambda kv: (kv[0][0] == kv[0][1], -kv[1].total(), kv[0])
        )
        return {
            "decisions": decisions,
            "changed": changed,
            "moved_share": round(changed / decisions, 6) if decisions else 0.0,
            "approximate": s.replayed[Fidelity.APPROXIMATE] + s.replayed[Fidelity.DAMAGED],
            "skipped": s.skipped,
            "failed": s.failed,
            "cancelled": s.cancelled,
            "table": [{"from": a, "to": b, "count": n.total()} for (a, b), n in table],
            "changes": [self._change(c) for c in kept.changes],
            "overrides": {
                "now_right": s.judged(Judgement.NOW_RIGHT),
                "still_wrong": s.judged(Judgement.STILL_WRONG),
                "newly_wrong": s.judged(Judgement.NEWLY_WRONG),
                "calls": [self._override(c) for c in kept.overrides],
            },
        }

    def _change(self, call: ChangedCall) -> dict[str, Any]:
        old, new = self._both(call.decision_id, call.old, call.new)
        return {
            "call_id": call.call_id,
            "at": call.at,
            "heard": call.said,
            "fidelity": call.fidelity.value,
            "old": old,
            "new": new,
        }

    def _override(self, call: OverriddenCall) -> dict[str, Any]:
        old, new = self._both(call.decision_id, call.old, call.new)
        return {
            "call_id": call.call_id,
            "at": call.at,
            "heard": call.said,
            "judgement": call.judgement.value,
            "operator_sent": call.operator_sent,
            "moved_by": call.moved_by,
            "old": old,
            "new": new,
        }

    def _both(
        self, decision_id: int, old: Verdict, new: Verdict
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        row = self.rows.get(decision_id)
        logged = logged_decision(row) if row is not None else _bare(old)
        again = self._again(row, new)
        return view(logged, self.directory), view(again, self.directory)

    def _again(self, row: dict[str, Any] | None, new: Verdict) -> Decision:
        """The draft's decision with its explanation (from the stored inputs), else the
        replay's verdict alone (a row logged before the inputs were stored)."""
        inputs = row.get("inputs") if row is not None else None
        if isinstance(inputs, str):
            with contextlib.suppress(StoredInputsError):
                decision = self.engine.decide(from_json(inputs))
                if Verdict.of(decision) == new:
                    return decision
        return _bare(new)


def _bare(verdict: Verdict) -> Decision:
    """A decision known only by its verdict (no candidates, evidence or intent)."""
    action: Action = next((a for a in ACTIONS if a == verdict.action), "reprompt")
    otherwise = _bare(verdict.otherwise) if verdict.otherwise is not None else None
    return Decision(
        action, verdict.destination or None, verdict.rule, verdict.reason, otherwise=otherwise
    )


def _logged_rows(db_path: Location, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The decisions rows with these ids, read-only (missing columns left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    db = open_read_only(db_path)
    try:
        columns = set(db.columns("decisions"))
        chosen = [c for c in LOGGED_COLUMNS if c in columns]
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {', '.join(chosen)} FROM decisions WHERE id IN ({marks})"
            for row in db.query(sql, chunk):
                found[int(row["id"])] = row
        return found
    finally:
        db.close()
