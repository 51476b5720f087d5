"""Switch point of "both" trajectories, solved jointly on users (Table 2) and services (Table 1).

A "both" trajectory starts with support and moves to treatment (sessions.build_services). In
the calendar year it starts in, it counts as a user with both functions when its switch
falls before 31 December; its support sessions are those before the switch. The two
published figures pull on different trajectories:

- one whose sessions all fall in the start year shows both functions whatever its switch
  point: its switch moves only the year's services mix, so it is solved on Table 1's support
  share of sessions (per province where Annex 2 prints the province's mix, 2024);
- one that runs past 31 December shows both functions in its first year only when it
  switches before then: its switch is solved on Table 2's users with both functions, as a
  single switch for all trajectories was before. Its later sessions carry the treatment into
  the next year, which that year's solve sees as carried services.

Solving the first on Table 2 as well (one switch for all) put 78 % of the 2022 sessions in
support against the study's 68 %.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import year_end
from elp_warehouse.generator.sessions import Layout, Services, Trajectories, lay_out, switch_index
from elp_warehouse.generator.targets import (
    StudyTargets,
    province_session_support_share,
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
) -> tuple[NDArray[np.float64], dict[str, float]]:
    """Per-trajectory switch fractions and the solved values.

    `both_users`: the starters' users with both functions wanted in the year; `support_share`:
    support's share of the year's sessions (carried ones included); `carried_support` /
    `carried_sessions`: the year's sessions of earlier trajectories per group (province);
    `group_share`: groups with their own support share (Annex 2), the others share one
    switch solved so that the national share holds.
    """
    n = tr.n_sessions
    m = len(n)
    in_year = np.bincount(lay.tid, weights=lay.day <= year_end, minlength=m).astype(np.int64)
    last = lay.day[segment_starts(n) + n - 1] if m else np.zeros(0, np.int64)
    both = tr.pattern == 2
    inside = both & (last <= year_end)
    crossing = both & ~inside
    jit = lay.jitter

    def both_in_year(x: float) -> float:
        k = switch_index(n[crossing], x, jit[crossing])
        return float((k < in_year[crossing]).sum())

    want = both_users - float(inside.sum())
    late = bisect(lambda x: -both_in_year(x), 0.0, 1.0, -want, iters=ITERATIONS)
    phi = np.full(m, 0.5)
    phi[crossing] = late
    # support sessions of the year per trajectory, the inside "both" ones aside
    k_cross = switch_index(n[crossing], late, jit[crossing])
    fixed_support = np.zeros(m)
    fixed_support[tr.pattern == 0] = in_year[tr.pattern == 0]
    fixed_support[crossing] = np.minimum(k_cross, in_year[crossing])
    n_groups = len(carried_support)

    def share_of(
        sel: NDArray[np.bool_], carried_s: float, carried_n: float
    ) -> Callable[[float], float]:
        ins = sel & inside
        base_s = carried_s + float(fixed_support[sel].sum())
        total = carried_n + float(in_year[sel].sum())

        def f(x: float) -> float:
            k = switch_index(n[ins], x, jit[ins])
            return (base_s + float(k.sum())) / max(total, 1.0)

        return f

    solved = {"both_switch_fraction": late}
    own = np.zeros(m, dtype=np.bool_)
    for g, target in sorted(group_share.items()):
        sel = group == g
        own |= sel
        x = bisect(
            share_of(sel, float(carried_support[g]), float(carried_sessions[g])),
            0.0,
            1.0,
            target,
            iters=ITERATIONS,
        )
        phi[sel & inside] = x
        solved[f"both_switch_fraction_inside_group_{g}"] = x
    # the other groups: one switch so that the national share holds
    rest = ~own
    k_own = switch_index(n[own & inside], phi[own & inside], jit[own & inside])
    others = np.flatnonzero(~np.isin(np.arange(n_groups), list(group_share)))
    f_rest = share_of(
        rest, float(carried_support[others].sum()), float(carried_sessions[others].sum())
    )
    own_s = float(carried_support.sum() - carried_support[others].sum()) + float(
        fixed_support[own].sum() + k_own.sum()
    )
    own_n = float(carried_sessions.sum() - carried_sessions[others].sum()) + float(
        in_year[own].sum()
    )
    rest_n = float(carried_sessions[others].sum()) + float(in_year[rest].sum())
    total = max(own_n + rest_n, 1.0)
    x = bisect(
        lambda v: (f_rest(v) * max(rest_n, 1.0) + own_s) / total,
        0.0,
        1.0,
        support_share,
        iters=ITERATIONS,
    )
    phi[rest & inside] = x
    solved["both_switch_fraction_inside"] = x
    return phi, solved


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
    phi, solved = solve_switch(
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
    tr.layout, tr.switch_fraction = lay, phi
    return solved
