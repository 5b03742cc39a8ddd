"""Reading the call log for the miner: read-only, a call at a time, in start order.

The database is the live one a running IVR writes to, so it is opened read-only
(ivr.store.readonly: SQLite ``mode=ro``, or a read-only PostgreSQL connection; nothing
here can write, lock out the call log or migrate it), and rows are streamed, never
loaded whole. A call's decisions become a ``LoggedCall``: what
its caller said to the engine (the top hypothesis of each question, from the
decision's ``inputs``) and, if operators moved it, from where to where.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ivr.session.steps import OPERATOR_PREFIX
from ivr.store.db import iso
from ivr.store.readonly import (
    CallDatabaseUnusable,
    Location,
    open_call_database,
    read_errors,
)
from ivr.suggest.model import LoggedCall, Move
from ivr.text import normalise

OPERATOR_MOVE = "operator-move"  # the rule of an operator's move (CallSession._operator_move)
# Moves that say nothing about the caller's words: the place was shut, or the caller
# needed care whatever they asked for (ivr/console/reasons.py: ReasonCode).
NOT_ABOUT_WORDS = frozenset({"destination-closed", "safeguarding"})
PROGRESS_EVERY = 10_000

_QUERY = """
SELECT c.call_id, c.started_at, d.at, d.destination, d.rule, d.evidence
FROM calls AS c JOIN decisions AS d ON d.call_id = c.call_id
WHERE c.started_at >= ? AND c.started_at < ?
ORDER BY c.started_at, c.call_id, d.id
"""


class CallLogError(ValueError):
    """The file is no call database this release can read; the message says why."""

    error_id = "suggest-log-invalid"


class CallLogReader:
    """The calls of one database, read-only; ``close()`` when done."""

    def __init__(self, path: Location) -> None:
        try:
            opened = open_call_database(path, needs=("calls", "decisions"))
        except CallDatabaseUnusable as exc:
            raise CallLogError(str(exc)) from exc
        self._db, self.path = opened.db, opened.name

    def close(self) -> None:
        self._db.close()

    def calls(
        self,
        since: datetime,
        until: datetime,
        progress: Callable[[int], None] | None = None,
        every: int = PROGRESS_EVERY,
    ) -> Iterator[LoggedCall]:
        """The calls that started in [since, until), with their decisions in order;
        ``progress`` hears the count every ``every`` calls."""
        try:
            rows = itertools.chain.from_iterable(self._db.stream(_QUERY, (iso(since), iso(until))))
            current: str | None = None
            started = ""
            decisions: list[tuple[str, str, str, dict[str, Any]]] = []
            read = 0
            for call_id, started_at, at, destination, rule, evidence in rows:
                if call_id != current:
                    if current is not None:
                        yield logged_call(current, started, decisions)
                        read += 1
                        if progress is not None and read % every == 0:
                            progress(read)
                    current, started, decisions = call_id, started_at, []
                decisions.append((at or "", destination or "", rule or "", _evidence(evidence)))
            if current is not None:
                yield logged_call(current, started, decisions)
        except read_errors() as exc:
            raise CallLogError(f"{self.path}: {exc}") from exc


def _evidence(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}  # a row written by hand or damaged: it says nothing, it stops nothing
    return value if isinstance(value, dict) else {}


def logged_call(
    call_id: str, started_at: str, decisions: list[tuple[str, str, str, dict[str, Any]]]
) -> LoggedCall:
    """A call from its decision rows (at, destination, rule, evidence), in order."""
    said: list[str] = []
    routed_to = ""
    moves: list[tuple[str, str, str, str, str]] = []  # at, from, to, by, reason code
    for at, destination, rule, evidence in decisions:
        if rule == OPERATOR_MOVE:
            moves.append(
                (
                    at,
                    str(evidence.get("from") or ""),
                    destination,
                    str(evidence.get("by") or ""),
                    str(evidence.get("reason_code") or ""),
                )
            )
            continue
        if moves:
            continue  # after a move the caller no longer speaks to the engine
        routed_to = destination or routed_to
        top = _top_hypothesis(evidence)
        if top:
            said.append(top)
    counted = [
        m
        for m in moves
        if m[4] not in NOT_ABOUT_WORDS and not m[2].startswith(OPERATOR_PREFIX) and m[2]
    ]
    move = None
    if counted:
        source = counted[0][1] or routed_to
        last = counted[-1]
        if last[2] != source:
            move = Move(
                source=source,
                destination=last[2],
                at=last[0],
                by=tuple(dict.fromkeys(m[3] for m in counted if m[3])),
                reason_codes=tuple(dict.fromkeys(m[4] for m in counted if m[4])),
            )
    return LoggedCall(call_id, started_at, tuple(said), move)


def _top_hypothesis(evidence: dict[str, Any]) -> str:
    """The engine's best reading of what was said (``inputs.heard[0].text``), if any."""
    inputs = evidence.get("inputs")
    heard = inputs.get("heard") if isinstance(inputs, dict) else None
    if not isinstance(heard, list) or not heard:
        return ""
    top = heard[0]
    text = top.get("text") if isinstance(top, dict) else top
    return text.strip() if isinstance(text, str) and normalise(text) else ""
