"""Balanced draws of the generator (generator/util.py): every person keeps the probability or
distribution of an independent draw, while subgroup totals stay close to their expectation.

The expectations are computed by hand in the comments; the frequency checks run thousands of
seeds and allow 4.5 binomial standard errors.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from elp_warehouse.generator.util import (
    balanced_order,
    balanced_uniforms,
    negative_binomial_ppf,
    serpentine_groups,
    serpentine_key,
    subgroup_order,
    systematic_draw,
)

SEEDS = 4000


def test_systematic_draw_by_hand() -> None:
    # p = 0.5 each in the order 0, 1, 2, 3: C = 0.5, 1, 1.5, 2. With s < 0.5 the floors of
    # C + s step at persons 1 and 3, with s >= 0.5 at persons 0 and 2: always exactly two,
    # never two neighbours.
    p = np.full(4, 0.5)
    order = np.arange(4)
    seen = set()
    for seed in range(200):
        d = systematic_draw(p, order, np.random.default_rng(seed))
        seen.add(tuple(np.flatnonzero(d)))
    assert seen == {(1, 3), (0, 2)}


def test_systematic_draw_inclusion_probabilities_exact() -> None:
    p = np.array([0.03, 0.9, 0.25, 0.0, 1.0, 0.5, 0.07, 0.33, 0.6, 0.12])
    order = np.array([3, 7, 0, 9, 1, 5, 2, 8, 4, 6])
    hits = np.zeros(len(p))
    for seed in range(SEEDS):
        hits += systematic_draw(p, order, np.random.default_rng(seed))
    se = np.sqrt(p * (1 - p) / SEEDS)
    assert np.all(np.abs(hits / SEEDS - p) <= 4.5 * se + 1e-12), hits / SEEDS
    assert hits[3] == 0 and hits[4] == SEEDS  # p = 0 never, p = 1 always


def test_systematic_draw_every_run_within_one() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    p = rng.uniform(0, 0.2, n) * (rng.random(n) < 0.7)
    order = rng.permutation(n)
    for seed in range(20):
        d = systematic_draw(p, order, np.random.default_rng(seed))
        got = np.r_[0, np.cumsum(d[order])]
        want = np.r_[0, np.cumsum(p[order])]
        lo, hi = np.sort(rng.integers(0, n + 1, (2, 500)), axis=0)
        err = (got[hi] - got[lo]) - (want[hi] - want[lo])
        assert np.all(np.abs(err) < 1 + 1e-9)


def test_systematic_draw_deterministic_and_checked() -> None:
    p = np.random.default_rng(0).uniform(0, 0.3, 500)
    order = np.random.default_rng(1).permutation(500)
    a = systematic_draw(p, order, np.random.default_rng(7))
    b = systematic_draw(p, order, np.random.default_rng(7))
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        systematic_draw(np.array([0.5, 1.2]), np.arange(2), np.random.default_rng(0))
    with pytest.raises(ValueError, match="permutation"):
        systematic_draw(np.array([0.5, 0.2]), np.arange(3), np.random.default_rng(0))


def test_serpentine_key_by_hand() -> None:
    # two levels (2 x 3): (0,0) (0,1) (0,2) then (1,2) (1,1) (1,0); a third binary level flips
    # with the parity of the composite of the first two (0, 1, 2, 3, 4, 5 in that order)
    a = np.array([0, 0, 0, 1, 1, 1])
    b = np.array([0, 1, 2, 0, 1, 2])
    assert serpentine_key([(a, 2), (b, 3)]).tolist() == [0, 1, 2, 5, 4, 3]
    c = np.array([1, 1, 1, 1, 1, 1])
    # composites 0, 1, 2, 5, 4, 3: even ones keep c = 1 -> 2k + 1, odd ones flip -> 2k
    assert serpentine_key([(a, 2), (b, 3), (c, 2)]).tolist() == [1, 2, 5, 10, 9, 6]
    with pytest.raises(ValueError, match="lie in"):
        serpentine_key([(np.array([0, 3]), 3)])


def test_balanced_order_sorted_random_within_groups() -> None:
    group = np.array([2, 0, 2, 1, 0, 2, 1, 0, 2, 2] * 50)
    orders = [balanced_order(group, np.random.default_rng(s)) for s in range(30)]
    for o in orders:
        assert sorted(o.tolist()) == list(range(len(group)))
        assert np.all(np.diff(group[o]) >= 0)
    assert np.array_equal(orders[0], balanced_order(group, np.random.default_rng(0)))
    # inside a group the order is random: the first member of group 0 varies with the seed
    assert len({int(o[0]) for o in orders}) > 10
    # a sparse key space (large keys, few persons) gives the same kind of order
    o = balanced_order(group * 10**9, np.random.default_rng(3))
    assert np.all(np.diff(group[o]) >= 0)


def test_balanced_uniforms_marginal_and_runs() -> None:
    n = 2000
    order = np.random.default_rng(2).permutation(n)
    # each person's value is uniform over seeds: its share below 0.3 is 0.3
    below = np.zeros(n)
    for seed in range(SEEDS // 4):
        below += balanced_uniforms(order, np.random.default_rng(seed)) < 0.3
    share = below / (SEEDS // 4)
    se = np.sqrt(0.3 * 0.7 / (SEEDS // 4))
    assert np.all(np.abs(share - 0.3) < 4.5 * se + 0.01)
    # a contiguous run of the order sums to half its length within 2 (independent uniforms:
    # a standard deviation of sqrt(L / 12), 20 for L = 5000)
    u = balanced_uniforms(order, np.random.default_rng(11))[order]
    cum = np.r_[0, np.cumsum(u - 0.5)]
    lo, hi = np.sort(np.random.default_rng(4).integers(0, n + 1, (2, 2000)), axis=0)
    assert np.all(np.abs(cum[hi] - cum[lo]) <= 2.0)
    # persons outside the order get 0 when a size is given
    part = balanced_uniforms(np.array([4, 1]), np.random.default_rng(0), 6)
    assert part[[0, 2, 3, 5]].tolist() == [0.0, 0.0, 0.0, 0.0] and np.all(part[[1, 4]] > 0)


def test_negative_binomial_ppf_by_hand() -> None:
    # size 1, mean 1: geometric with q = 1/2, P(k) = 2^-(k+1); CDF 0.5, 0.75, 0.875, 0.9375
    u = np.array([0.0, 0.4, 0.5, 0.6, 0.8, 0.9, 0.95])
    got = negative_binomial_ppf(u, 1.0, np.ones(len(u)))
    assert got.tolist() == [0, 0, 0, 1, 2, 3, 4]
    # size 2, mean 2: q = 1/2, P(0) = 1/4, P(1) = 2/8, P(2) = 3/16; CDF 0.25, 0.5, 0.6875
    got = negative_binomial_ppf(np.array([0.2, 0.3, 0.6, 0.7]), 2.0, np.full(4, 2.0))
    assert got.tolist() == [0, 1, 2, 3]
    assert negative_binomial_ppf(np.array([0.99]), 3.0, np.zeros(1)).tolist() == [0]


def test_negative_binomial_ppf_matches_gamma_poisson() -> None:
    rng = np.random.default_rng(5)
    n, size = 200_000, 2.5
    mean = rng.uniform(0.5, 15, n)
    x = negative_binomial_ppf(rng.random(n), size, mean)
    g = rng.poisson(rng.gamma(size, mean / size))
    # mean and variance (mean + mean^2 / size) agree with the mixture's, within 4.5 SE
    assert abs(x.mean() - mean.mean()) < 4.5 * x.std() / np.sqrt(n)
    var = float((mean + mean**2 / size).mean() + mean.var())
    assert abs(x.var() / var - 1) < 0.03 and abs(g.var() / var - 1) < 0.03
    assert abs(np.percentile(x, 95) - np.percentile(g, 95)) <= 1


def _frame(n: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    flags = {
        f: rng.random(n) < r
        for f, r in (
            ("placed_child", 0.01),
            ("detained", 0.005),
            ("unemployed", 0.05),
            ("primary_incapacity", 0.03),
            ("invalidity", 0.05),
            ("social_assistance", 0.02),
        )
    }
    return SimpleNamespace(
        member=rng.random(n) < 0.4,
        flags=flags,
        socio=rng.integers(0, 5, n).astype(np.int8),
        age_group=rng.integers(0, 6, n).astype(np.int8),
        vt=rng.random(n) < 0.2,
        province=rng.integers(0, 11, n).astype(np.int8),
        sex=rng.integers(0, 2, n).astype(np.int8),
    )


def test_subgroup_order_members_first_and_balanced_subgroups() -> None:
    n = 40_000
    fr = _frame(n, 3)
    region = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2], dtype=np.int8)
    order = subgroup_order(fr, np.arange(n), region, [], [], np.random.default_rng(1))
    member = fr.member[order]
    assert np.count_nonzero(np.diff(member.astype(np.int8))) == 1  # one switch: two blocks
    # inside the members, placed children (the first specific category) form one run
    pc = fr.flags["placed_child"][order][member]
    assert np.count_nonzero(np.diff(pc.astype(np.int8))) <= 2
    # member starters of small subgroups: within 1 (one run) or a few (a few runs) of their
    # expectation, where independent draws miss by several standard deviations
    p = np.random.default_rng(2).uniform(0.0, 0.05, n)
    worst = 0.0
    for seed in range(50):
        d = systematic_draw(p, order, np.random.default_rng(seed))
        for f in ("placed_child", "detained"):
            g = fr.member & fr.flags[f]
            assert abs(d[g].sum() - p[g].sum()) < 1 + 1e-9
        for s in range(5):
            g = fr.member & (fr.socio == s)
            worst = max(worst, abs(d[g].sum() - p[g].sum()))
    assert worst < 4.0  # the independent draws' standard deviation here is about 9


def test_serpentine_groups_rank_like_serpentine_key() -> None:
    rng = np.random.default_rng(8)
    n = 5000
    levels = [
        (rng.random(n) < 0.3, 2),
        (rng.integers(0, 5, n).astype(np.int8), 5),
        (rng.integers(0, 11, n), 11),
        (rng.integers(0, 2, n).astype(np.int8), 2),
    ]
    key = serpentine_key(levels)
    want = np.unique(key, return_inverse=True)[1].reshape(-1)
    assert np.array_equal(serpentine_groups(levels), want)
    # a sparse key space (more combinations than four per person) takes the sort path
    wide = [*levels, (rng.integers(0, 1000, n), 1000)]
    want = np.unique(serpentine_key(wide), return_inverse=True)[1].reshape(-1)
    assert np.array_equal(serpentine_groups(wide), want)


def test_no_persons() -> None:
    # a year without starters: every helper returns empty results, no error
    fr = _frame(0, 1)
    region = np.zeros(11, dtype=np.int8)
    order = subgroup_order(fr, np.arange(0), region, [], [], np.random.default_rng(0))
    assert len(order) == 0
    assert len(systematic_draw(np.zeros(0), order, np.random.default_rng(0))) == 0
    assert len(balanced_uniforms(order, np.random.default_rng(0))) == 0
    assert len(negative_binomial_ppf(np.zeros(0), 2.0, np.zeros(0))) == 0
