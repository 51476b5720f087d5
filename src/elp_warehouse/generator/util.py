"""Small vectorised helpers shared by the simulation steps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray


def rank_within_groups(group: NDArray[np.integer], key: NDArray[np.floating]) -> NDArray[np.int64]:
    """Rank (0 = smallest key) of every element inside its group, vectorised.

    `key` must lie in [0, 1): group + key is then one sortable float (one argsort instead
    of a two-key lexsort, several times faster on millions of persons).
    """
    order = np.argsort(group.astype(np.float64) + np.asarray(key, dtype=np.float64) * 0.999999)
    g_sorted = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    counts = np.diff(np.r_[starts, len(order)])
    rank_sorted = np.arange(len(order)) - np.repeat(starts, counts)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = rank_sorted
    return rank


def stochastic_round(x: NDArray[np.floating], rng: np.random.Generator) -> NDArray[np.int64]:
    """Round to integers keeping the expectation (floor + Bernoulli of the fraction)."""
    fl = np.floor(x)
    out: NDArray[np.int64] = (fl + (rng.random(x.shape) < (x - fl))).astype(np.int64)
    return out


def persistent_uniform(
    prev: NDArray[np.float32], rng: np.random.Generator, sigma: float
) -> NDArray[np.float32]:
    """Next year's value of a slowly drifting uniform latent.

    Adding independent noise modulo 1 keeps the marginal exactly uniform, so a status defined
    as `u < p` keeps its prevalence while the same persons tend to keep it from year to year.
    """
    # uniform noise with standard deviation sigma (cheaper than normal draws, same effect)
    noise = (rng.random(prev.shape, dtype=np.float32) - np.float32(0.5)) * np.float32(
        sigma * 12**0.5
    )
    out: NDArray[np.float32] = np.mod(prev + noise, np.float32(1.0))
    return out


def sigmoid(x: NDArray[np.floating]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def bisect(
    f: Callable[[float], float], lo: float, hi: float, target: float, iters: int = 40
) -> float:
    """Solve increasing f(x) = target on [lo, hi] by bisection."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def segment_starts(lengths: NDArray[np.integer]) -> NDArray[np.int64]:
    out: NDArray[np.int64] = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    return out


def within_segment_index(lengths: NDArray[np.integer]) -> NDArray[np.int64]:
    """0..len-1 inside each segment of a flat array made of consecutive segments."""
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(segment_starts(lengths), lengths)


def interpolate_years(points: dict[int, float], years: list[int]) -> dict[int, float]:
    xs = sorted(points)
    return {y: float(np.interp(y, xs, [points[x] for x in xs])) for y in years}
