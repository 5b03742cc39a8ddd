"""What a caller means, not which words they used: intent examples as anchors in a sentence model.

Each intent's examples are embedded once per ruleset build (a ``SentenceEncoder``,
ivr.embedding); a caller's words are embedded at decision time and compared by
cosine with every example. The nearest example of each intent is the
*semantic* evidence, shown in the Decision next to the fuzzy and keyword
evidence so an admin can see why ("report a crime that already happened" ~
"someone stole my bike from outside work yesterday", 0.71).

The three kinds of evidence are combined by ``Calibration``: a logistic model
fitted on labelled requests (scripts/calibrate_intents.py), so the score reads
as "how likely is this the right intent", and the engine's two bands (route /
confirm) mean the same thing for every intent and every admin edit.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ivr.embedding.encoder import SentenceEncoder

__all__ = ["MEANING_CALIBRATION", "WORDS_CALIBRATION", "Calibration", "MeaningIndex", "Nearest"]

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]

MAX_ALTERNATIVES = 3  # n-best alternatives embedded per decision (the cost is per sentence)


@dataclass(frozen=True)
class Calibration:
    """P(right intent) = sigmoid(bias + weights . (semantic, fuzzy, keywords, margin)).

    ``margin`` is how much nearer in meaning this intent is than the nearest other
    one: a request close to two intents is less sure than one close to a single one.
    """

    bias: float
    semantic: float
    fuzzy: float
    keywords: float
    margin: float = 0.0

    def probability(
        self, semantic: float, fuzzy: float, keywords: float, margin: float = 0.0
    ) -> float:
        values = (semantic, fuzzy, keywords, margin)
        if not all(math.isfinite(v) for v in values):
            return 0.0  # a NaN is no evidence (min/max would have made it certainty)
        z = (
            self.bias
            + self.semantic * semantic
            + self.fuzzy * fuzzy
            + self.keywords * keywords
            + self.margin * margin
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


# Fitted by scripts/calibrate_intents.py (leave-one-out on the shipped examples, the tuning
# table and the dev set; never a held-out set); refit when the model or intents change much.
MEANING_CALIBRATION = Calibration(bias=-3.23, semantic=1.03, fuzzy=4.03, keywords=1.66, margin=4.62)
WORDS_CALIBRATION = Calibration(bias=-5.18, semantic=0.0, fuzzy=6.98, keywords=3.18)


@dataclass(frozen=True, slots=True)
class Nearest:
    """An intent's nearest example to one caller text."""

    similarity: float  # cosine, -1..1
    example: int  # index into that intent's examples


class MeaningIndex:
    """Every intent's examples, embedded; built once per ruleset, read by every decision."""

    def __init__(self, encoder: SentenceEncoder, groups: Sequence[Sequence[str]]) -> None:
        self.encoder = encoder
        texts = [text for group in groups for text in group]
        sizes = [len(group) for group in groups]
        starts = np.cumsum([0, *sizes])
        self._spans = [(int(a), int(b)) for a, b in itertools.pairwise(starts)]
        self._anchors: Floats = (
            encoder.encode_anchors(texts) if texts else np.zeros((0, encoder.dimension), np.float32)
        )

    @property
    def identity(self) -> str:
        return self.encoder.identity

    def nearest(self, texts: Sequence[str]) -> list[list[Nearest | None]] | None:
        """For each text, each intent's nearest example (None: the intent has none).

        None when the model fails at run time (memory, a broken install): the caller is
        then matched by words only, logged, rather than dropped.
        """
        if not texts:
            return []
        try:
            vectors = self.encoder.encode(texts)
        except Exception:
            log.exception("sentence model failed: this decision is matched by words only")
            return None
        similarity = vectors @ self._anchors.T  # (texts, anchors); intents' anchors contiguous
        result: list[list[Nearest | None]] = []
        for row in similarity:
            best: list[Nearest | None] = []
            for first, end in self._spans:
                if first == end:
                    best.append(None)
                    continue
                at = int(np.argmax(row[first:end]))
                best.append(Nearest(float(row[first + at]), at))
            result.append(best)
        return result
