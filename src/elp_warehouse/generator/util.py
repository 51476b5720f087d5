"""Small vectorised helpers shared by the simulation steps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray


def rank_within_groups(group: NDArray[np.integer], key: NDArray[np.floating]) -> NDArray[np.int64]:
    """Rank (0 = smallest key) of every element inside its group, vectorised.

    `key` must lie in [0, 1): group + key is then one sortable float. The elements are first
    bucketed by group (a radix sort of the group numbers) and each group's floats sorted on
    their own: the same order as one sort of all the floats, but each sort fits in the CPU
    cache (half the time of one argsort over millions of persons).
    """
    g = np.asarray(group, dtype=np.int64)
    n = len(g)
    rank = np.empty(n, dtype=np.int64)
    if n == 0:
        return rank
    x = g.astype(np.float64) + np.asarray(key, dtype=np.float64) * 0.999999
    g = g - g.min()
    counts = np.bincount(g)
    small = len(counts) <= 1 << 16  # a stable sort of 16-bit integers is a radix sort
    by_group = np.argsort(g.astype(np.uint16) if small else g, kind="stable")
    x_by_group = x[by_group]
    ends = np.cumsum(counts)
    for c in np.flatnonzero(counts):
        lo, hi = ends[c] - counts[c], ends[c]
        members = by_group[lo:hi]
        rank[members[np.argsort(x_by_group[lo:hi])]] = np.arange(hi - lo)
    return rank


def dense_unique(
    keys: NDArray[np.integer], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """np.unique(keys, return_inverse=True) for integer keys in [0, size): the sorted keys
    present and each key's position among them, from a count per key instead of a sort
    (a twentieth of the time on millions of persons when size is a few hundred thousand)."""
    present = np.bincount(keys, minlength=size) > 0
    if len(present) > size:
        raise ValueError(f"dense_unique: a key is {len(present) - 1}, keys must be below {size}")
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[keys]


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
    out: NDArray[np.float32] = rng.random(prev.shape, dtype=np.float32)
    out -= np.float32(0.5)
    out *= np.float32(sigma * 12**0.5)
    out += prev
    # x - floor(x) is bit for bit np.mod(x, 1) on float32 (the same single rounding when x < 0)
    # at a third of its cost; in place, as this runs on every person for every latent and year
    out -= np.floor(out)
    return out


def sigmoid(x: NDArray[np.floating]) -> NDArray[np.float64]:
    # 1 / (1 + exp(-x)) in place on one copy: the same values, half the memory traffic
    # (the care model calls it thousands of times on every person's propensities)
    out: NDArray[np.float64] = np.array(x, dtype=np.float64)
    np.negative(out, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(1.0, out, out=out)
    return out


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
