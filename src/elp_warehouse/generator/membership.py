"""Membership of the mutuality: a biased subset of the population, with join/leave spells.

The probability of being a member when a person appears (birth, immigration, or the first
year) depends on region, age and VT, so that raw member rates are biased and weighting is
needed. Members leave at a constant hazard (switching mutuality) and non-members join at the
hazard that keeps the share stable; some leavers come back after a gap, giving two spells.
Newborns of members join at birth. Spells never touch (a rejoin follows a gap of at least a
month), so each spell is written as one row of `affiliation_periods`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import AGE_GROUP_LOWER, NO_EXIT, year_end, year_start
from elp_warehouse.generator.population import Population

# relative propensity to be a member (the mutuality is strongest in Flanders, older people
# and VT beneficiaries are over-represented among its members)
REGION_FACTOR = np.array([0.50, 0.35, 0.20])  # flanders, wallonia, brussels
AGE_FACTOR = np.array([0.80, 0.76, 0.88, 1.05, 1.30, 1.45])  # per age group
VT_FACTOR = 1.05
LEAVE_RATE = 0.02  # per year
REJOIN_SHARE = 0.35
REJOIN_MEAN_GAP_YEARS = 3.0


@dataclass
class Membership:
    # up to two spells per person; start = -1 when the spell does not exist; end = NO_EXIT
    # when still affiliated at extraction
    start1: NDArray[np.int32]
    end1: NDArray[np.int32]
    start2: NDArray[np.int32]
    end2: NDArray[np.int32]

    def affiliated_days(self, year: int, idx: NDArray[np.int64]) -> NDArray[np.int64]:
        return self._overlap(self.start1[idx], self.end1[idx], year) + self._overlap(
            self.start2[idx], self.end2[idx], year
        )

    def window(
        self, year: int, idx: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """First and last day of the longer affiliated stretch of the year (for event dates)."""
        lo, hi = year_start(year), year_end(year)
        o1 = self._overlap(self.start1[idx], self.end1[idx], year)
        o2 = self._overlap(self.start2[idx], self.end2[idx], year)
        use2 = o2 > o1
        s = np.where(use2, self.start2[idx], self.start1[idx]).astype(np.int64)
        e = np.where(use2, self.end2[idx], self.end1[idx]).astype(np.int64)
        return np.maximum(s, lo), np.minimum(e, hi)

    @staticmethod
    def _overlap(start: NDArray[np.int32], end: NDArray[np.int32], year: int) -> NDArray[np.int64]:
        lo, hi = year_start(year), year_end(year)
        s = np.maximum(start.astype(np.int64), lo)
        e = np.minimum(end.astype(np.int64), hi)
        return np.where(start >= 0, np.maximum(e - s + 1, 0), 0)


def _first_present(pop: Population) -> NDArray[np.int64]:
    out: NDArray[np.int64] = np.argmax(pop.province >= 0, axis=0).astype(np.int64)
    return out


def simulate_membership(
    pop: Population,
    region_of_province: NDArray[np.int8],
    target_share: float,
    extraction_day: int,
    rng: np.random.Generator,
) -> Membership:
    """Spells for every person; the propensity is scaled so the member share in the last
    simulated year matches `target_share` (one correction pass on the realised share)."""
    n = pop.n
    k0 = _first_present(pop)
    cols = np.arange(n)
    prov = pop.province[k0, cols]
    region = region_of_province[prov]
    age = (pop.first_year + k0 - pop.birth_year).astype(np.int64)
    ag = np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1
    base = REGION_FACTOR[region] * AGE_FACTOR[ag] * np.where(pop.vt[k0, cols], VT_FACTOR, 1.0)
    draws = {
        "u_entry": rng.random(n),
        "e_join": rng.exponential(1.0, n),
        "e_leave": rng.exponential(1.0, n),
        "u_rejoin": rng.random(n),
        "e_gap": rng.exponential(REJOIN_MEAN_GAP_YEARS * 365.25, n),
    }
    last_year = pop.first_year + pop.province.shape[0] - 1
    present_last = pop.province[-1] >= 0
    k = 1.0
    mem = _spells(pop, base * k, draws, extraction_day)
    for _ in range(3):
        share = float((mem.affiliated_days(last_year, np.flatnonzero(present_last)) > 0).mean())
        k *= target_share / share
        mem = _spells(pop, base * k, draws, extraction_day)
    return mem


def _spells(
    pop: Population, pi: NDArray[np.float64], d: dict[str, NDArray[np.float64]], extraction_day: int
) -> Membership:
    pi = np.minimum(pi, 0.97)
    join_rate = LEAVE_RATE * pi / (1 - pi)  # keeps the member share stable
    entry = pop.entry_day.astype(np.int64)
    exit_ = np.where(
        pop.exit_day == NO_EXIT, np.iinfo(np.int64).max // 4, pop.exit_day.astype(np.int64)
    )
    member_at_entry = d["u_entry"] < pi
    # members present before the first year joined some time before it (at the latest on arrival)
    start1 = np.where(
        member_at_entry, entry, entry + (d["e_join"] / join_rate * 365.25).astype(np.int64)
    )
    leave1 = start1 + (d["e_leave"] / LEAVE_RATE * 365.25).astype(np.int64)
    end1 = np.minimum(leave1, exit_)
    ok1 = start1 <= np.minimum(exit_, extraction_day)
    rejoin = ok1 & (leave1 < exit_) & (d["u_rejoin"] < REJOIN_SHARE)
    start2 = end1 + 31 + d["e_gap"].astype(np.int64)
    ok2 = rejoin & (start2 <= np.minimum(exit_, extraction_day)) & (end1 < extraction_day)
    end2 = exit_

    def clip_end(end: NDArray[np.int64]) -> NDArray[np.int32]:
        return np.where(end >= extraction_day, NO_EXIT, end).astype(np.int32)

    return Membership(
        start1=np.where(ok1, start1, -1).astype(np.int32),
        end1=np.where(ok1, clip_end(end1), -1).astype(np.int32),
        start2=np.where(ok2, start2, -1).astype(np.int32),
        end2=np.where(ok2, clip_end(end2), -1).astype(np.int32),
    )
