"""DangerMeaning: does what the caller said MEAN an emergency, whatever the words?

Cue words catch the emergencies callers name ("knife", "breaking in"); many are
told without one ("he's got the baby and he's holding her out of the window").
A logistic model over sentence vectors (ivr.embedding) learns the difference
from the intents' own examples, fitted at every ruleset build: the emergency
intent's examples against every other intent's. Admins who add an emergency
example teach it; nothing is fitted on callers.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ivr.embedding.encoder import SentenceEncoder
from ivr.routing.logistic import fit_logistic

__all__ = ["DangerMeaning", "Meant"]

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]

L2 = 0.3  # ridge on the weights: a few hundred examples, 384 dimensions
ROUNDS = 25
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Meant:
    """How surely a caller's text means an emergency, and which text said it."""

    probability: float
    text: str


def _fit_key(emergencies: Sequence[str], others: Sequence[str]) -> str:
    """What a fit is made of: the examples on each side and how it is fitted."""
    digest = hashlib.sha256(f"danger-meaning:{L2}:{ROUNDS}:{TOLERANCE}:{len(emergencies)}".encode())
    for text in (*emergencies, *others):
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


class DangerMeaning:
    """P(emergency | meaning), fitted on emergency examples against all the others."""

    def __init__(
        self, encoder: SentenceEncoder, emergencies: Sequence[str], others: Sequence[str]
    ) -> None:
        self.encoder = encoder
        texts = [*emergencies, *others]
        vectors = encoder.encode_anchors(texts).astype(np.float64)
        x = np.hstack([np.ones((len(texts), 1)), vectors])
        y = np.array([1.0] * len(emergencies) + [0.0] * len(others))
        # Each class weighs the same in all: there are fewer emergency examples.
        half = len(texts) / 2
        weights = np.where(y == 1.0, half / max(1, len(emergencies)), half / max(1, len(others)))
        # The fit is the build's slowest step and a function of the examples alone: kept.
        self._w = encoder.fit_kept(
            _fit_key(emergencies, others),
            x.shape[1],
            lambda: fit_logistic(x, y, l2=L2, weights=weights, rounds=ROUNDS, tolerance=TOLERANCE),
        )

    def meant(self, texts: Sequence[str]) -> Meant | None:
        """The most alarming of ``texts``, or None (nothing to read, or the model failed)."""
        if not texts:
            return None
        try:
            vectors = self.encoder.encode(texts).astype(np.float64)
        except Exception:
            log.exception("sentence model failed: no danger by meaning this time")
            return None
        z = self._w[0] + vectors @ self._w[1:]
        best = int(np.argmax(z))
        value = float(z[best])
        if not math.isfinite(value):
            return None
        return Meant(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value)))), texts[best])
