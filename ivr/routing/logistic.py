"""Logistic regression by Newton's method: the one fit behind the calibrated scores.

Small problems only (a few features, or a sentence vector's 384 dimensions over a
few thousand rows): the Hessian is solved directly, so a fit is exact and
deterministic, with no optimiser to tune and no dependency to add.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["fit_logistic"]

Floats = npt.NDArray[np.float64]


def fit_logistic(
    x: Floats,
    y: Floats,
    *,
    l2: float,
    weights: Floats | None = None,
    rounds: int = 50,
    tolerance: float = 1e-8,
) -> Floats:
    """Weights for P(y=1) = sigmoid(x @ w); ``x``'s first column is ones (the bias, which
    the L2 ridge leaves alone); ``weights`` per row (None: all 1)."""
    w = np.zeros(x.shape[1])
    each = np.ones(len(y)) if weights is None else weights
    ridge = l2 * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(rounds):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -60, 60)))
        gradient = x.T @ (each * (p - y)) + ridge @ w
        hessian = (x * (each * p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < tolerance:
            break
    return w
