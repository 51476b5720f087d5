"""Switch point of "both" trajectories, solved jointly on users (Table 2) and services (Table 1).

A "both" trajectory starts with support and moves to treatment (sessions.build_services). In
the calendar year it starts in, it counts as a user with both functions when its switch
falls before 31 December; its support sessions are those before the switch. The two
published figures pull on different trajectories:

- one whose sessions all fall in the start year shows both functions whatever its switch
  point: its switch moves only the year's services mix;
- of those that run past 31 December, as many as Table 2's users with both functions ask
  switch within the year (the ones with the largest part of their sessions in it); the others
  give support up to 31 December and switch half-way through their sessions of the next year,
  where they are users with both functions (carried into that year's solve).

The trajectories that switch within the year share one switch fraction solved so that the
year's sessions follow Table 1's support share, and in 2024 one per province printed in
Annex 2 (the other provinces share one so that the national share holds). A single switch
fraction for all, solved on Table 2, put 78 % of the 2022 sessions in support against the
study's 68 %.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import year_end
from elp_warehouse.generator.sessions import (
    POPCOUNT,
    Layout,
    Services,
    Trajectories,
    lay_out,
    switch_index,
)
from elp_warehouse.generator.targets import (
    StudyTargets,
    province_session_outreach_share,
    province_session_support_share,
    session_outreach_share,
    session_support_share,
)
from elp_warehouse.generator.util import bisect, segment_starts

ITERATIONS = 20


def solve_switch(
    tr: Trajectories,
    lay: Layout,
    year_end: int,
    both_users: float,
    support_share: float,
    carried_support: NDArray[np.float64],
    carried_sessions: NDArray[np.float64],
    group: NDArray[np.int64],
    group_share: dict[int, float],
) -> tuple[NDArray[np.int64], dict[str, float]]:
    """Per-trajectory switch (index of the first treatment session) and the solved values.

    `both_users`: the starters' users with both functions wanted in the year; `support_share`:
    support's share of the year's sessions (carried ones included); `carried_support` /
    `carried_sessions`: the year's sessions of earlier trajectories per group (province);
    `group_share`: groups with their own support share (Annex 2), the others share one
    switch fraction solved so that the national share holds.
    """
    n = tr.n_sessions
    m = len(n)
    in_year = np.bincount(lay.tid, weights=lay.day <= year_end, minlength=m).astype(np.int64)
    last = lay.day[segment_starts(n) + n - 1] if m else np.zeros(0, np.int64)
    both = tr.pattern == 2
    inside = both & (last <= year_end)
    crossing = both & ~inside
    jit = lay.jitter
    # crossing trajectories that switch within the year: the ones with the largest part of
    # their sessions in it (at least one of each function there), as many as Table 2 asks
    cand = np.flatnonzero(crossing & (in_year >= 2))
    n_switch = int(np.clip(round(both_users - float(inside.sum())), 0, len(cand)))
    order = np.lexsort((jit[cand], -in_year[cand] / n[cand]))
    early = np.zeros(m, dtype=np.bool_)
    early[cand[order[:n_switch]]] = True
    # the others switch in the next year, half-way through their sessions left there: they
    # are "both" users of that year (switching at 31 December made them treatment-only users
    # there, up to 12 % of Brussels' users against Table 3's 5 %)
    switch = np.maximum(1, np.minimum(n - 1, in_year + (n - in_year) // 2)).astype(np.int64)
    free = inside | early  # switch fraction solved on the services
    cap = np.where(early, in_year - 1, n - 1)

    def k_of(sel: NDArray[np.bool_], x: float) -> NDArray[np.int64]:
        k: NDArray[np.int64] = np.minimum(switch_index(n[sel], x, jit[sel]), cap[sel])
        return k

    # support sessions of the year per trajectory, the free ones aside
    fixed_support = np.zeros(m)
    fixed_support[tr.pattern == 0] = in_year[tr.pattern == 0]
    late = crossing & ~early
    fixed_support[late] = np.minimum(switch[late], in_year[late])

    def share_of(
        sel: NDArray[np.bool_], carried_s: float, carried_n: float
    ) -> Callable[[float], float]:
        fr = sel & free
        base_s = carried_s + float(fixed_support[sel].sum())
        total = max(carried_n + float(in_year[sel].sum()), 1.0)

        def f(x: float) -> float:
            return (base_s + float(k_of(fr, x).sum())) / total

        return f

    solved = {"both_switching_in_year": float(n_switch), "both_crossing": float(crossing.sum())}
    own = np.isin(group, list(group_share))
    for g, target in sorted(group_share.items()):
        sel = group == g
        x = bisect(
            share_of(sel, float(carried_support[g]), float(carried_sessions[g])),
            0.0,
            1.0,
            target,
            iters=ITERATIONS,
        )
        switch[sel & free] = k_of(sel & free, x)
        solved[f"both_switch_fraction_group_{g}"] = x
    # the other groups: one switch fraction so that the national share holds
    others = np.flatnonzero(~np.isin(np.arange(len(carried_support)), list(group_share)))
    rest = ~own
    f_rest = share_of(
        rest, float(carried_support[others].sum()), float(carried_sessions[others].sum())
    )
    own_s = float(carried_support.sum() - carried_support[others].sum()) + float(
        fixed_support[own].sum() + switch[own & free].sum()
    )
    own_n = float(carried_sessions.sum() - carried_sessions[others].sum()) + float(
        in_year[own].sum()
    )
    rest_n = max(float(carried_sessions[others].sum()) + float(in_year[rest].sum()), 1.0)
    total = max(own_n + rest_n, 1.0)
    x = bisect(
        lambda v: (f_rest(v) * rest_n + own_s) / total,
        0.0,
        1.0,
        support_share,
        iters=ITERATIONS,
    )
    switch[rest & free] = k_of(rest & free, x)
    solved["both_switch_fraction"] = x
    return switch, solved


def switch_fractions(
    tr: Trajectories,
    rng: np.random.Generator,
    t: StudyTargets,
    year: int,
    provinces: tuple[str, ...],
    province: NDArray[np.int64],
    before: Services,
    before_province: NDArray[np.int64],
    carried_both: int,
    n_users: int,
) -> dict[str, float]:
    """Lay out the trajectories' sessions and set their switch fractions (`tr` is updated):
    Table 1's support share of the year's sessions nationally, Annex 2's per province in its
    year, Table 2's users with both functions through the trajectories crossing 31 December."""
    lay = lay_out(tr, rng)
    y = min(max(year, min(t.function_shares)), max(t.function_shares))
    nat = t.function_shares[y]
    both_users = nat["both"] / sum(nat[f] for f in ("support", "treatment", "both")) * n_users
    sess = before.function < 2
    n_prov = len(provinces)
    carried_support = np.bincount(
        before_province[sess], weights=before.function[sess] == 0, minlength=n_prov
    ).astype(np.float64)
    carried_sessions = np.bincount(before_province[sess], minlength=n_prov).astype(np.float64)
    annex_year, by_code = province_session_support_share(t)
    group_share = (
        {provinces.index(c): v for c, v in by_code.items() if c in provinces}
        if year == annex_year
        else {}
    )
    switch, solved = solve_switch(
        tr,
        lay,
        year_end(year),
        both_users - carried_both,
        session_support_share(t, year),
        carried_support,
        carried_sessions,
        province,
        group_share,
    )
    tr.layout, tr.switch = lay, switch
    out = before.setting < 5
    carried_out = np.bincount(
        before_province[out], weights=before.setting[out] == 1, minlength=n_prov
    ).astype(np.float64)
    year_out, out_by_code = province_session_outreach_share(t)
    weight, solved_out = solve_outreach_weight(
        tr,
        lay,
        year_end(year),
        session_outreach_share(t, year),
        carried_out,
        np.bincount(before_province[out], minlength=n_prov).astype(np.float64),
        province,
        {provinces.index(c): v for c, v in out_by_code.items() if c in provinces}
        if year == year_out
        else {},
    )
    tr.outreach_weight = weight
    return solved | solved_out


# Table 4's exclusive setting patterns and the setting bit each stands for
EXCLUSIVE_BITS = {
    "office_only": 1,
    "outreach_only": 2,
    "group_only": 4,
    "remote_only": 8,
    "home_only": 16,
}


def carried_setting_bits(
    before: Services, row_of: NDArray[np.int64], rows: NDArray[np.int64], n: int
) -> NDArray[np.int64]:
    """Settings (bit mask over the five session settings) of the year's sessions already
    given in earlier trajectories, for the frame rows `rows` (`row_of`: frame row of each of
    `before`'s persons, `n`: frame length)."""
    sess = before.setting < 5
    bits = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(bits, row_of[sess], (1 << before.setting[sess].astype(np.int64)))
    out: NDArray[np.int64] = bits[rows]
    return out


def exclusive_net_of_carried(
    exclusive: dict[str, float], p_outreach: float, m: int, carried_bits: NDArray[np.int64]
) -> tuple[NDArray[np.float64], float]:
    """Starters' setting-pattern probabilities so that the year's users (starters and users
    still in an earlier trajectory) follow Table 4's exclusive patterns: the single-setting
    shares among starters without outreach (office, group, remote, home; the rest several
    settings) and the outreach-only share among starters with outreach. Users carried from
    the previous year keep its (more office-only) patterns, so starters take fewer of them."""
    users = m + len(carried_bits)

    def want(c: str) -> float:
        return max(exclusive[c] * users - float((carried_bits == EXCLUSIVE_BITS[c]).sum()), 0.0)

    n_out = max(p_outreach * m, 1.0)
    n_non = max(m - p_outreach * m, 1.0)
    singles = np.array([want(c) for c in ("office_only", "group_only", "remote_only", "home_only")])
    singles = singles / n_non
    if singles.sum() > 0.95:  # leave several settings possible
        singles *= 0.95 / singles.sum()
    non_out = np.append(singles, 1.0 - singles.sum())
    return non_out, float(np.clip(want("outreach_only") / n_out, 0.0, 1.0))


def solve_outreach_weight(
    tr: Trajectories,
    lay: Layout,
    year_end: int,
    target: float,
    carried_outreach: NDArray[np.float64],
    carried_sessions: NDArray[np.float64],
    group: NDArray[np.int64],
    group_target: dict[int, float],
) -> tuple[NDArray[np.float64], dict[str, float]]:
    """Weight of outreach among the settings of multi-setting trajectories that include it,
    so that outreach's expected share of the year's sessions follows Table 1 (and Annex 2
    per printed province in its year; the other provinces share one weight). The first
    sessions of a trajectory visit each setting of its set once: those are not weighted."""
    n = tr.n_sessions
    m = len(n)
    in_year = np.bincount(lay.tid, weights=lay.day <= year_end, minlength=m).astype(np.float64)
    mask = tr.setting_set.astype(np.int64)
    k = POPCOUNT[mask]
    has = (mask & 2) != 0
    multi = has & (k >= 2)
    fixed = np.where(has & (k == 1), in_year, 0.0)
    # the covering sessions hold one outreach session (when they fall in the year)
    fixed += np.where(multi, np.minimum(in_year, k) / k, 0.0)
    free = np.where(multi, np.maximum(in_year - k, 0.0), 0.0)

    def share(sel: NDArray[np.bool_], c_out: float, c_n: float) -> Callable[[float], float]:
        base = c_out + float(fixed[sel].sum())
        total = max(c_n + float(in_year[sel].sum()), 1.0)
        f_sel, k_sel = free[sel], k[sel]

        def f(w: float) -> float:
            return (base + float((f_sel * w / (w + k_sel - 1)).sum())) / total

        return f

    weight = np.ones(m)
    solved: dict[str, float] = {}
    own = np.isin(group, list(group_target))
    for g, tg in sorted(group_target.items()):
        sel = group == g
        w = _solve_weight(share(sel, float(carried_outreach[g]), float(carried_sessions[g])), tg)
        weight[sel] = w
        solved[f"outreach_weight_group_{g}"] = w
    others = np.flatnonzero(~np.isin(np.arange(len(carried_outreach)), list(group_target)))
    rest = ~own
    f_rest = share(
        rest, float(carried_outreach[others].sum()), float(carried_sessions[others].sum())
    )
    own_out = float(carried_outreach.sum() - carried_outreach[others].sum()) + float(
        (fixed[own] + free[own] * weight[own] / (weight[own] + k[own] - 1)).sum()
    )
    own_n = float(carried_sessions.sum() - carried_sessions[others].sum()) + float(
        in_year[own].sum()
    )
    rest_n = max(float(carried_sessions[others].sum()) + float(in_year[rest].sum()), 1.0)
    total = max(own_n + rest_n, 1.0)
    w = _solve_weight(lambda v: (f_rest(v) * rest_n + own_out) / total, target)
    weight[rest] = w
    solved["outreach_weight"] = w
    return weight, solved


def _solve_weight(f: Callable[[float], float], target: float) -> float:
    """Increasing f(w) = target for a weight in [1/20, 100], bisected on log w."""
    return float(np.exp(bisect(lambda x: f(float(np.exp(x))), -3.0, 4.6, target, iters=ITERATIONS)))
