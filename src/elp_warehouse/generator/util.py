"""Small vectorised helpers shared by the simulation steps."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import AGE_GROUPS, SOCIO_PROFESSIONAL, SPECIFIC_FLAGS

if TYPE_CHECKING:  # frame imports population, which imports this module
    from elp_warehouse.generator.frame import YearFrame


def rank_within_groups(group: NDArray[np.integer], key: NDArray[np.floating]) -> NDArray[np.int64]:
    """Rank (0 = smallest key) of every element inside its group, vectorised.

    `key` must lie in [0, 1): group + key is then one sortable float. The elements are first
    bucketed by group (a radix sort of the group numbers) and each group's floats sorted on
    their own: the same order as one sort of all the floats, but each sort fits in the CPU
    cache (half the time of one argsort over millions of persons).
    """
    g = np.asarray(group)
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
    return sigmoid_inplace(np.array(x, dtype=np.float64))


def sigmoid_inplace(out: NDArray[np.float64]) -> NDArray[np.float64]:
    """sigmoid(out) written over `out` (a temporary of the caller's): no copy of a
    full-population array at the care model's peak."""
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


# ---------------------------------------------------------------------------------------------
# Balanced draws (variance reduction).
#
# Independent Bernoulli / distribution draws leave a small subgroup's realised total a few
# standard deviations sqrt(sum p) away from its expectation; at scale 0.02 a subgroup of a few
# dozen members' users then misses the study by more than its 10 % tolerance by chance alone.
# The helpers below draw along one random order sorted by the subgroup keys ("implicit
# stratification" of survey sampling): every person keeps exactly the marginal probability or
# distribution of an independent draw, while the realised total of every contiguous run of
# the order (the leading keys' subgroups) stays within one of its expectation.

# one level of a sort key: per-person category values (integers or flags) and their number
SortLevel = tuple[NDArray[np.integer[Any]] | NDArray[np.bool_], int]

GOLDEN_FRACTION = (5**0.5 - 1) / 2  # the Weyl step with the most even spread of frac(s + k x)


def serpentine_key(levels: Sequence[SortLevel]) -> NDArray[np.int64]:
    """One integer sort key of nested categorical levels, the first level outermost.

    `levels` are (values in [0, size), size). Each level's direction flips from one block of
    the levels before it to the next ("serpentine" order), so that a later level's category
    continues across a block boundary instead of restarting: a later level's subgroup is cut
    into about half as many runs as in plain lexicographic order.
    """
    if not levels:
        raise ValueError("serpentine_key: at least one level is needed")
    n = len(levels[0][0])
    key = np.zeros(n, dtype=np.int64)
    for values, size in levels:
        v = np.asarray(values, dtype=np.int64)
        if len(v) != n:
            raise ValueError("serpentine_key: every level needs one value per person")
        if len(v) and (int(v.min()) < 0 or int(v.max()) >= size):
            raise ValueError(f"serpentine_key: a level's values must lie in [0, {size})")
        key = key * size + np.where(key & 1, size - 1 - v, v)
    return key


def serpentine_groups(levels: Sequence[SortLevel]) -> NDArray[np.int64]:
    """Rank of every person's group in the serpentine order of `levels` (as
    serpentine_key), computed on the groups present only: on millions of persons a plain
    mixed-radix key and one count per key cost a few passes over the persons, where the
    serpentine flips cost several per level."""
    if not levels:
        raise ValueError("serpentine_groups: at least one level is needed")
    n = len(levels[0][0])
    total = math.prod(size for _values, size in levels)
    # 32-bit keys while the key space allows: the national year frame has ~12 M persons, so
    # every full-length array here costs 46 MB instead of 92 MB (the generator's peak)
    plain: NDArray[np.signedinteger[Any]] = np.zeros(
        n, dtype=np.int32 if total < 2**31 else np.int64
    )
    for values, size in levels:
        if len(values) != n:
            raise ValueError("serpentine_groups: every level needs one value per person")
        if n and (int(values.min()) < 0 or int(values.max()) >= size):
            raise ValueError(f"serpentine_groups: a level's values must lie in [0, {size})")
        plain *= size
        plain += values
    if total <= 4 * n:
        present, inverse = dense_unique(plain, total)
    else:  # a sparse key space (a few thousand starters): a sort of the keys is cheaper
        present, inverse = np.unique(plain, return_inverse=True)
        inverse = inverse.reshape(-1)
    del plain
    # decode the present keys into their level values, last level first
    decoded: list[SortLevel] = []
    rest = present.astype(np.int64)
    for _values, size in reversed(levels):
        decoded.append((rest % size, size))
        rest = rest // size
    serpentine = serpentine_key(decoded[::-1])
    rank = np.empty(len(present), dtype=np.int64)
    rank[np.argsort(serpentine)] = np.arange(len(present))
    out: NDArray[np.int64] = rank[inverse]
    return out


def balanced_order(group: NDArray[np.integer], rng: np.random.Generator) -> NDArray[np.int64]:
    """Positions sorted by `group` (ascending), in a random order inside each group.

    One sort of packed int64 values (group rank, random bits, position): half the time of an
    argsort on millions of persons. With few random bits (tens of millions of persons), ties
    inside a group fall back to the position order among the tied persons only.
    """
    g = np.asarray(group)
    n = len(g)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if int(g.min()) < 0:
        raise ValueError("balanced_order: group keys must be non-negative")
    if int(g.max()) < 4 * n:
        _present, rank = dense_unique(g, int(g.max()) + 1)
    else:  # a sparse key space (a few thousand starters): a sort of the keys is cheaper
        rank = np.unique(g, return_inverse=True)[1].reshape(-1).astype(np.int64)
    pos_bits = max(n - 1, 1).bit_length()
    group_bits = max(int(rank.max()), 1).bit_length()
    random_bits = 63 - pos_bits - group_bits
    if random_bits < 8:
        raise ValueError(f"balanced_order: {n} persons in {rank.max() + 1} groups do not fit")
    # in place, one full-length temporary at a time (the generator's peak is a national year)
    packed = rank.astype(np.int64, copy=False)
    del rank
    packed <<= pos_bits + random_bits
    bits = rng.integers(0, 1 << random_bits, n, dtype=np.int64)
    bits <<= pos_bits
    packed |= bits
    del bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    packed &= (1 << pos_bits) - 1
    return packed


def systematic_draw(
    p: NDArray[np.floating], order: NDArray[np.integer], rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Bernoulli(p_i) draws, systematic along `order` (a permutation of the positions).

    With C the cumulative sum of p in that order and one start s ~ U(0, 1), person i is drawn
    when floor(C_i + s) > floor(C_(i-1) + s): each person is drawn with probability exactly
    p_i, and every contiguous run of the order draws its sum of p rounded up or down.
    """
    pr = np.asarray(p, dtype=np.float64)
    if len(order) != len(pr):
        raise ValueError("systematic_draw: order must be a permutation of the persons")
    if len(pr) and (float(pr.min()) < 0.0 or float(pr.max()) > 1.0):
        raise ValueError("systematic_draw: probabilities must lie in [0, 1]")
    c = np.empty(len(pr) + 1, dtype=np.float64)
    c[0] = 0.0
    np.cumsum(pr[order], out=c[1:])
    c += rng.random()
    np.floor(c, out=c)
    out = np.zeros(len(pr), dtype=np.bool_)
    out[order] = c[1:] > c[:-1]
    return out


def balanced_uniforms(
    order: NDArray[np.integer], rng: np.random.Generator, size: int | None = None
) -> NDArray[np.float64]:
    """U(0, 1) values for the persons of `order` (positions into an array of `size`, by
    default len(order); positions not in `order` get 0), spread evenly along it: the k-th
    person of the order gets frac(s + k x golden fraction) with one start s ~ U(0, 1). Each
    value alone is exactly uniform (s is), whatever chose the persons; any contiguous run of
    the order covers [0, 1) with a discrepancy of order log(length) / length, so an inverse
    CDF fed with them gives every run a total close to its expectation."""
    k = np.arange(len(order), dtype=np.float64)
    u = rng.random() + k * GOLDEN_FRACTION
    u -= np.floor(u)
    out = np.zeros(len(order) if size is None else size, dtype=np.float64)
    out[order] = u
    return out


def negative_binomial_ppf(
    u: NDArray[np.floating], size: float, mean: NDArray[np.floating]
) -> NDArray[np.int64]:
    """Inverse CDF of the negative binomial with dispersion `size` and the given means (the
    gamma-Poisson mixture Poisson(Gamma(size, mean / size))): the smallest k with
    F(k) >= u, per person. The CDF is built by the pmf recursion
    P(k) = P(k - 1) (size + k - 1) / k x q, q = mean / (size + mean), over the persons whose
    u it has not reached yet."""
    uu = np.asarray(u, dtype=np.float64)
    m = np.maximum(np.asarray(mean, dtype=np.float64), 0.0)
    if size <= 0:
        raise ValueError("negative_binomial_ppf: size must be positive")
    out = np.zeros(len(uu), dtype=np.int64)
    q = m / (size + m)
    pmf = np.exp(size * np.log1p(-q))  # P(0) = (size / (size + mean)) ** size
    cdf = pmf.copy()
    active = np.flatnonzero(uu > cdf)
    k = 0
    q, pmf, cdf, ua = q[active], pmf[active], cdf[active], uu[active]
    while len(active):
        k += 1
        pmf *= q * ((size + k - 1) / k)
        cdf += pmf
        # the summed CDF can stop short of 1 by rounding: a u above 1 - 1e-13 (one draw in
        # ten trillion) ends where the CDF gets there, far in the tail
        more = (ua > cdf) & (cdf < 1.0 - 1e-13)
        out[active[~more]] = k
        active, q, pmf, cdf, ua = active[more], q[more], pmf[more], cdf[more], ua[more]
    return out


# the smallest published subgroups first: the first flags' subgroups are the least cut up
BALANCE_FLAGS = (
    "placed_child",
    "detained",
    "invalidity",
    "primary_incapacity",
    "social_assistance",
    "unemployed",
)


def subgroup_order(
    fr: YearFrame,
    rows: NDArray[np.int64],
    region_of_province: NDArray[np.integer],
    leading: Sequence[SortLevel],
    trailing: Sequence[SortLevel],
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """Order of the persons `rows` of a year frame for the balanced draws above.

    Sort keys, first to last (serpentine, random inside the finest group): membership (the
    warehouse sees members only, so their totals must be balanced on their own), the
    caller's `leading` levels (e.g. first trajectory or not), the specific categories
    (smallest first), the socio-professional group, the age group, VT, the province grouped
    by region, sex (the weighting cell and the study's subgroups), then `trailing` levels.
    A subgroup of the first keys is one run of the order, balanced to within one; later keys
    are cut into more runs and gain less.
    """
    n_prov = len(region_of_province)
    by_region = np.lexsort((np.arange(n_prov), np.asarray(region_of_province)))
    province_rank = np.empty(n_prov, dtype=np.int64)
    province_rank[by_region] = np.arange(n_prov)
    levels: list[SortLevel] = [(fr.member[rows], 2), *leading]
    flags = [f for f in BALANCE_FLAGS if f in SPECIFIC_FLAGS]
    flags += [f for f in SPECIFIC_FLAGS if f not in flags]
    levels += [(fr.flags[f][rows], 2) for f in flags]
    levels += [
        (fr.socio[rows], len(SOCIO_PROFESSIONAL) + 1),
        (fr.age_group[rows], len(AGE_GROUPS)),
        (fr.vt[rows], 2),
        (province_rank[fr.province[rows]], n_prov),
        (fr.sex[rows], 2),
        *trailing,
    ]
    return balanced_order(serpentine_groups(levels), rng)
