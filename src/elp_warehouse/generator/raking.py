"""Iterative proportional fitting of multiplicative factors on aggregated profiles.

Persons are grouped into profiles (one combination of the raking dimensions). Expected
counts are `fixed + factor * base` per profile; the factors are a product of one factor per
dimension category, adjusted in turn until every targeted margin is met in expectation.
Categories without a target (NaN) keep factor 1. The same routine rakes usage probabilities
(base = summed propensity of the persons who can start) and session means (fixed = 0,
target = mean * patients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass
class Dimension:
    name: str
    category: NDArray[np.int64]  # category of every profile
    targets: NDArray[np.float64]  # one per category, NaN = free


def rake(
    base: NDArray[np.float64],
    fixed: NDArray[np.float64],
    dims: list[Dimension],
    iterations: int = 200,
    tol: float = 1e-6,
    floor_share: float = 0.02,
) -> NDArray[np.float64]:
    """Return the per-profile factor (product of dimension factors)."""
    factors = [np.ones(len(d.targets)) for d in dims]
    # the fixed part of every category does not change over the sweeps
    fixes = [np.bincount(d.category, weights=fixed, minlength=len(d.targets)) for d in dims]
    f = np.ones(len(base))
    for _ in range(iterations):
        worst = 0.0
        for d, phi, fix in zip(dims, factors, fixes, strict=True):
            k = len(d.targets)
            cur = np.bincount(d.category, weights=f * base, minlength=k)
            want = d.targets - fix
            ok = np.isfinite(d.targets) & (cur > 0)
            # a target already exceeded by the fixed part cannot be met: keep a small inflow
            want = np.maximum(want, floor_share * np.where(np.isfinite(d.targets), d.targets, 0))
            adj = np.where(ok, want / np.where(cur > 0, cur, 1.0), 1.0)
            worst = max(worst, float(np.max(np.abs(adj - 1.0))) if k else 0.0)
            phi *= adj
            f = f * adj[d.category]
        if worst < tol:
            break
    return f
