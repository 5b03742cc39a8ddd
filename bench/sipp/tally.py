"""What one load step left in the app's call log: calls, outcomes, decisions, and for
speech callers the time from the end of their speech to the app's action.

Times come from the app's own records, on its clock: a ``speech`` event is written when
the words are ready, with ``wait_s`` since the endpointer called the end of speech (so
end of speech = at - wait_s); the decision follows, and the next ``step`` event is the
action starting (the transfer's prompt, the dial). The endpointer calls the end only
after its trailing silence, so the caller's own end of speech is also estimated: the
app's ``answer`` step, plus the scenario's pause and where the speech ends in the pcap
(an upper bound on the wait: the answer's own round trip counts against the app).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bench.sipp.serve import ServeProcess


@dataclass(frozen=True)
class SpeechTiming:
    """Seconds from the endpointer's end of speech, for one utterance."""

    to_words: float
    to_decision: float
    to_action: float
    caller_to_action: float  # from the caller's estimated end of speech


@dataclass
class CallLogTally:
    calls: int = 0
    open_calls: int = 0  # rows with no end: the app still has them (or lost them)
    outcomes: Counter[str] = field(default_factory=Counter)
    decisions: int = 0
    keyed: int = 0  # calls whose key the app heard
    heard: int = 0  # calls whose speech the app recognised
    errors: Counter[str] = field(default_factory=Counter)  # the app's error events, by id
    speech: list[SpeechTiming] = field(default_factory=list)

    @property
    def not_transferred(self) -> int:
        """Calls the app did not put through to a person (every caller here asks for one)."""
        return sum(n for k, n in self.outcomes.items() if not k.startswith("transferred:"))


def calls_mark(serve: ServeProcess) -> int:
    """The last call row's rowid now: a step's calls are those after it."""
    rows = serve.query("SELECT coalesce(max(rowid), 0) FROM calls")
    return int(str(rows[0][0]))


def open_calls(serve: ServeProcess, mark: int) -> int:
    rows = serve.query("SELECT count(*) FROM calls WHERE rowid > ? AND ended_at IS NULL", mark)
    return int(str(rows[0][0]))


def tally(serve: ServeProcess, mark: int, speech_end_s: float = 0.0) -> CallLogTally:
    """The step's calls; ``speech_end_s``: the caller's end of speech after the answer."""
    out = CallLogTally()
    step = "SELECT call_id FROM calls WHERE rowid > ?"
    for outcome, destination, ended in serve.query(
        "SELECT outcome, destination, ended_at FROM calls WHERE rowid > ?", mark
    ):
        out.calls += 1
        out.open_calls += ended is None
        out.outcomes[f"{outcome or '-'}:{destination or '-'}"] += 1
    out.decisions = int(
        str(serve.query(f"SELECT count(*) FROM decisions WHERE call_id IN ({step})", mark)[0][0])
    )
    events: dict[str, list[tuple[datetime, str, dict[str, object]]]] = {}
    for call_id, at, kind, detail in serve.query(
        f"SELECT call_id, at, kind, detail FROM call_events WHERE call_id IN ({step}) ORDER BY id",
        mark,
    ):
        events.setdefault(str(call_id), []).append(
            (datetime.fromisoformat(str(at)), str(kind), json.loads(str(detail or "{}")))
        )
    decided: dict[str, list[datetime]] = {}
    for call_id, at in serve.query(
        f"SELECT call_id, at FROM decisions WHERE call_id IN ({step}) ORDER BY id", mark
    ):
        decided.setdefault(str(call_id), []).append(datetime.fromisoformat(str(at)))
    for call_id, logged in events.items():
        kinds = [kind for _, kind, _ in logged]
        for _, kind, detail in logged:
            if kind == "error":
                out.errors[str(detail.get("error_id", "?"))] += 1
        out.keyed += "dtmf" in kinds
        out.heard += "speech" in kinds
        timing = speech_timing(logged, decided.get(call_id, []), speech_end_s)
        if timing is not None:
            out.speech.append(timing)
    return out


def speech_timing(
    logged: list[tuple[datetime, str, dict[str, object]]],
    decisions: list[datetime],
    speech_end_s: float,
) -> SpeechTiming | None:
    """The first utterance's timing, if the app recognised one and acted on it."""
    answered = next((a for a, k, d in logged if k == "step" and d.get("step") == "answer"), None)
    if answered is None:
        return None
    for n, (at, kind, detail) in enumerate(logged):
        if kind != "speech":
            continue
        wait = float(str(detail.get("wait_s", 0.0)))
        ended = at.timestamp() - wait
        decision = next((d for d in decisions if d >= at), None)
        if decision is None:
            return None
        action = next((a for a, k, _ in logged[n + 1 :] if k == "step" and a >= decision), None)
        if action is None:
            return None
        said = answered.timestamp() + speech_end_s
        return SpeechTiming(
            wait,
            decision.timestamp() - ended,
            action.timestamp() - ended,
            action.timestamp() - said,
        )
    return None
