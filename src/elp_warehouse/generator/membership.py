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

from elp_warehouse.generator.config import (
    AGE_GROUP_LOWER,
    AGE_GROUPS,
    NO_EXIT,
    STUDY_FIGURES,
    year_end,
    year_start,
)
from elp_warehouse.generator.population import Population
from elp_warehouse.generator.targets import StudyTargets, footnote_18_rates, load_targets

# relative propensity to be a member (the mutuality is strongest in Flanders and VT
# beneficiaries are over-represented among its members). The age profile's shape is an
# assumption (older people more often members); its strength `AGE_FACTOR ** tilt` is solved
# per run so that footnote 18 holds (`footnote_18_age_tilt`)
REGION_FACTOR = np.array([0.50, 0.35, 0.20])  # flanders, wallonia, brussels
AGE_FACTOR = np.array([0.80, 0.76, 0.88, 1.05, 1.30, 1.45])  # per age group
AGE_TILTS = np.linspace(-2.0, 2.0, 161)  # candidate strengths of the age profile
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

    def affiliated_throughout(self, idx: NDArray[np.int64], lo: int, hi: int) -> NDArray[np.bool_]:
        """One spell covers every day lo..hi (the study's continuous affiliation)."""
        out: NDArray[np.bool_] = np.zeros(len(idx), dtype=np.bool_)
        for start, end in ((self.start1, self.end1), (self.start2, self.end2)):
            s, e = start[idx], end[idx]
            out |= (s >= 0) & (s <= lo) & (e >= hi)
        return out

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
    targets: StudyTargets | None = None,
    age_tilt: float | None = None,
) -> Membership:
    """Spells for every person; the propensity is scaled so the member share in the last
    simulated year matches `target_share` (one correction pass on the realised share), and
    its age profile is tilted so that footnote 18's standardised rates hold (`targets`:
    the study's figures, read from the default reference file when not given).

    `age_tilt` fixes the strength of the age profile instead (`AGE_FACTOR ** age_tilt`;
    1.0 is the profile as written, larger values select older members more strongly): the
    known-truth tests use it for a sample biased enough that weighting visibly matters,
    which the study-calibrated default is not (its members are close to the population's
    age structure)."""
    n = pop.n
    k0 = _first_present(pop)
    cols = np.arange(n)
    prov = pop.province[k0, cols]
    region = region_of_province[prov]
    age = (pop.first_year + k0 - pop.birth_year).astype(np.int64)
    ag = np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1
    rest = REGION_FACTOR[region] * np.where(pop.vt[k0, cols], VT_FACTOR, 1.0)
    if age_tilt is not None:
        if not np.isfinite(age_tilt):
            raise ValueError(f"membership age tilt must be a finite number, got {age_tilt}")
        tilt = float(age_tilt)
    else:
        tilt = footnote_18_age_tilt(
            pop, ag, rest, targets if targets is not None else load_targets(STUDY_FIGURES)
        )
    base = rest * AGE_FACTOR[ag] ** tilt
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


def footnote_18_age_tilt(
    pop: Population,
    entry_age_group: NDArray[np.int64],
    other_factors: NDArray[np.float64],
    t: StudyTargets,
) -> float:
    """Strength of the membership's age profile that puts footnote 18 on the study.

    Footnote 18 standardises each VT status's age-sex specific usage rates to the age-sex
    structure of the members of 2024. With the rates the ELP model is raked to (main effects:
    Table 3 users per age group over the age group's population, Figure 5 rates by sex and
    VT), a VT status's standardised rate is its crude rate (Figure 5) times the ratio of the
    members' rate-weighted structure to the VT status's own. The members' structure in the
    last year follows from the propensities (a person is a member with a probability
    proportional to them; the leave / join hazards keep it stable); the tilt whose predicted
    standardised rates are nearest to footnote 18 (squared relative errors) is returned.
    """
    fn18 = footnote_18_rates(t)
    present = np.flatnonzero(pop.province[-1] >= 0)
    last_year = pop.first_year + pop.province.shape[0] - 1
    ag = np.searchsorted(AGE_GROUP_LOWER, last_year - pop.birth_year[present], side="right") - 1
    sex = pop.sex[present].astype(np.int64)
    vt = pop.vt[-1, present].astype(np.int64)
    cell = ag * 2 + sex  # age-sex stratum of the standardisation
    counts = np.bincount(ag, minlength=len(AGE_GROUPS)).astype(np.float64)
    users = np.array([t.users_2024[("age_group", g)] for g in AGE_GROUPS])
    sex_rate = np.array([t.usage_2024[("sex", "female")], t.usage_2024[("sex", "male")]])
    # relative age-sex usage rate (the scale cancels in the ratios below)
    rel = (users / np.maximum(counts, 1.0))[:, None] * sex_rate[None, :]
    rel_cell = rel.reshape(-1)
    strata = len(rel_cell)
    # members' structure per tilt: propensity = other factors x AGE_FACTOR[entry group]^tilt
    groups = entry_age_group[present] * strata + cell
    w = np.bincount(groups, weights=other_factors[present], minlength=len(AGE_GROUPS) * strata)
    w = w.reshape(len(AGE_GROUPS), strata)
    powers = AGE_FACTOR[None, :] ** AGE_TILTS[:, None]  # tilt x entry group
    structure = powers @ w
    structure /= structure.sum(axis=1, keepdims=True)
    member_rate = structure @ rel_cell  # rate-weighted member structure, per tilt
    err = np.zeros(len(AGE_TILTS))
    for v, cat in enumerate(("non_vt", "vt")):
        mine = vt == v
        own = np.bincount(cell[mine], minlength=strata).astype(np.float64)
        own_rate = float(own @ rel_cell / max(own.sum(), 1.0))
        predicted = t.usage_2024[("vt", cat)] * member_rate / own_rate
        err += (predicted / fn18[cat] - 1.0) ** 2
    return float(AGE_TILTS[int(np.argmin(err))])


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
