"""Agreement across recognition alternatives: an intent many of them read gains, a lone one loses.

A recogniser unsure of one word gives an n-best whose alternatives differ in that
word; when they all still read as the same request, the doubt was about a word that
did not matter, and the request is surer than any one alternative's confidence says.
When only one low-ranked alternative reads as some intent, that reading hangs on
the recogniser's least likely guess. Two engines' best readings agreeing is the
strongest agreement there is.

``NBestSupport.of`` weighs the alternatives (each engine's n-best by rank,
``Hypothesis.heard_by``; a single engine's by its order), takes the intent each one
reads best, and gives every intent its ``Support``: the share of the n-best's
weight that reads it best, and the shift that share makes to the intent's score in
log-odds (``SupportModel``, fitted on the dev sets' cached transcripts:
bench/README.md). Typed text and a single alternative have no support term: their
scores are exactly the matcher's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ivr.decisions import Hypothesis

__all__ = ["SUPPORT_MODEL", "NBestSupport", "Support", "SupportModel"]


@dataclass(frozen=True, slots=True)
class SupportModel:
    """How the share of the n-best reading an intent best moves its score (log-odds).

    shift = gain x (share - even): read best by more than ``even`` of the n-best's
    weight gains, by less loses (the second and third intents of an n-best that agrees
    on the first lose too: nothing the recogniser heard reads them best). ``decay``:
    rank r of one engine's n-best weighs decay**r; each engine's n-best weighs its best
    alternative's confidence (an engine unsure of all it heard counts for less).
    ``floor``: an alternative whose best intent is below it reads as nothing (it still
    counts in the weight: a mostly unreadable n-best supports nothing much).
    """

    gain: float
    even: float
    decay: float = 0.7
    floor: float = 0.2
    one_engine_gains: bool = False

    def shift(self, share: float, engines: int) -> float:
        """One engine's alternatives are paths of one decoder that share its errors:
        their agreement is weak evidence, so they only take away (unless
        ``one_engine_gains``); two engines agreeing is evidence both ways."""
        shift = self.gain * (share - self.even)
        return shift if engines > 1 or self.one_engine_gains else min(0.0, shift)


# Chosen on dev_c/dev_d's cached PocketSphinx and combined transcripts (bench/README.md,
# "The n-best's agreement"): a logistic fit of P(the intent is right) on its score's
# log-odds plus the share gave a slope of 1.47; gains of 1.5 and 2.5, and one engine
# gaining or not, were then routed end to end; 1.5 with one engine only losing kept
# silent misroutes nearly flat. Checked on dev_e.
SUPPORT_MODEL = SupportModel(gain=1.5, even=0.5)


@dataclass(frozen=True, slots=True)
class Support:
    """One intent's standing across the n-best (shown in the Decision's evidence)."""

    share: float  # of the n-best's weight, the part whose best reading is this intent
    readers: int  # alternatives whose best reading it is
    alternatives: int  # alternatives weighed (distinct texts with words)
    tops: tuple[str, ...]  # engines whose best alternative reads it best ("" one engine)
    shift: float  # added to the score's log-odds

    def to_json(self) -> dict[str, Any]:
        return {
            "share": round(self.share, 4),
            "readers": self.readers,
            "alternatives": self.alternatives,
            "tops": list(self.tops),
            "shift": round(self.shift, 4),
        }

    def describe(self) -> str:
        tops = " and ".join(t for t in self.tops if t) or ("the top" if self.tops else "")
        top = f", {tops}'s best" if tops else ""
        return (
            f"read best by {self.readers} of {self.alternatives} alternatives"
            f" ({self.share:.0%} of the n-best{top})"
        )

    def apply(self, score: float) -> float:
        """``score`` moved by the shift in log-odds (0 and 1 stay put)."""
        if score <= 0.0 or score >= 1.0 or self.shift == 0.0:
            return score
        z = math.log(score / (1.0 - score)) + self.shift
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        return math.exp(z) / (1.0 + math.exp(z))  # no overflow for a tiny score


class NBestSupport:
    """Weighs an n-best's alternatives and says how much of it reads each intent best."""

    def __init__(self, model: SupportModel = SUPPORT_MODEL) -> None:
        self.model = model

    def weights(self, hypotheses: Sequence[Hypothesis]) -> list[float]:
        """Each alternative's weight: decay**rank within its engine's n-best, each
        engine's n-best weighing its top alternative's confidence in all.

        Alternatives without ``heard_by`` (one engine's n-best) are ranked by order. A
        text two engines heard carries both engines' weight.
        """
        places = [h.heard_by or (("", rank),) for rank, h in enumerate(hypotheses)]
        totals: dict[str, float] = {}
        tops: dict[str, float] = {}
        for hypothesis, heard in zip(hypotheses, places, strict=True):
            for engine, rank in heard:
                totals[engine] = totals.get(engine, 0.0) + self.model.decay**rank
                if rank == 0 or engine not in tops:
                    tops[engine] = _confidence(hypothesis)
        if len(tops) < 2 or not any(tops.values()):
            tops = dict.fromkeys(tops, 1.0)  # one engine, or none sure: ranks alone
        return [
            sum(tops[engine] * self.model.decay**rank / totals[engine] for engine, rank in heard)
            for heard in places
        ]

    def of(
        self, hypotheses: Sequence[Hypothesis], readings: Sequence[Sequence[float]]
    ) -> list[Support | None]:
        """Per intent (``readings``' columns), its Support; None for all when fewer than
        two distinct alternatives were read (no support term: typed text, one reading).

        ``readings[i][j]``: how well alternative i reads as intent j (NaN: not scored,
        e.g. the emergency intent, which its cues decide).
        """
        count = len(readings[0]) if readings else 0
        if len({h.text.casefold().strip() for h in hypotheses}) < 2 or count == 0:
            return [None] * count
        weights = self.weights(hypotheses)
        total = sum(weights)
        shares = [0.0] * count
        readers = [0] * count
        tops: list[list[str]] = [[] for _ in range(count)]
        for rank, (hypothesis, row, weight) in enumerate(
            zip(hypotheses, readings, weights, strict=True)
        ):
            best = _best(row, self.model.floor)
            if best is None:
                continue
            shares[best] += weight
            readers[best] += 1
            tops[best] += [e for e, r in hypothesis.heard_by if r == 0] or (
                [""] if not hypothesis.heard_by and rank == 0 else []
            )
        engines = len({e for h in hypotheses for e, _ in h.heard_by}) or 1
        out: list[Support | None] = []
        for j in range(count):
            share = shares[j] / total if total > 0 else 0.0
            shift = self.model.shift(share, engines)
            out.append(Support(share, readers[j], len(hypotheses), tuple(tops[j]), shift))
        return out


def _confidence(hypothesis: Hypothesis) -> float:
    value = hypothesis.confidence
    return min(1.0, max(0.0, value)) if value == value else 0.0  # NaN: no weight


def _best(row: Sequence[float], floor: float) -> int | None:
    """The intent an alternative reads best (first on a tie), if any reaches ``floor``."""
    best: int | None = None
    for j, p in enumerate(row):
        if math.isnan(p) or p < floor:
            continue
        if best is None or p > row[best]:
            best = j
    return best
