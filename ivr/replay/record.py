"""The stored shape of an engine decision: what RouteCall records, and how.

One place for it, so the live verb, bench/replay.py and the replay tests write the same
rows, and the replay source reads what is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ivr.decisions import Decision
from ivr.replay.codec import to_json
from ivr.routing.model import RoutingInputs
from ivr.store.db import STORED_INPUTS

log = logging.getLogger(__name__)


def decision_record(
    decision: Decision, inputs: RoutingInputs, *, engine: str | None, question: Sequence[str]
) -> tuple[Decision, dict[str, Any]]:
    """The engine's Decision as RouteCall stores it, and the inputs kept in its evidence.

    The evidence keeps what an analyst reads (keys, words, attempt, the question); the
    whole RoutingInputs ride along in their stored form (ivr.replay.codec) to the writer,
    which keeps them in a column of their own for ``ivr replay``. bench/replay.py and the
    replay tests write their logs through this, so their shape is the live one.
    """
    evidence: dict[str, Any] = {
        "digits": inputs.digits,
        "heard": [
            {"text": h.text, "confidence": round(h.confidence, 3)} for h in inputs.hypotheses
        ],
        "engine": engine,
        "attempt": inputs.attempt,
        "question": list(question),
        "confirmed": inputs.confirmed,
    }
    try:
        stored = decision.with_evidence(**{STORED_INPUTS: to_json(inputs)})
    except (TypeError, ValueError):  # never keeps a caller from being routed
        log.exception("routing inputs not storable; the decision is stored without them")
        stored = decision
    return stored, evidence
