"""Other reimbursed mental-health care of every person, per year (Figures 1 and 2).

Four care types (psychotropic dispensings, ambulatory psychiatrist, complementary-insurance
psychologist, acute / rehabilitation / residential care) follow logistic models with
demographic shifts and a shared latent mental-health need `z` (AR(1) over the years). Each
year, intercepts are solved so the population shares hit the Figure 1/2 values of the year
(linear between the printed 2010 and 2024 values; the AV psychologist share jumps in 2017),
and a common loading multiplier is solved so that the overlap "psychotropics with ambulatory
follow-up" hits its value; ELP use (already simulated for the year) is part of ambulatory
care. ELP start propensities load on the same `z`, which links ELP to prior care.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import year_end, year_start
from elp_warehouse.generator.frame import YearFrame
from elp_warehouse.generator.membership import Membership
from elp_warehouse.generator.population import Population
from elp_warehouse.generator.targets import (
    StudyTargets,
    figure_12_share,
    transitions_cohort_year,
)
from elp_warehouse.generator.util import (
    bisect,
    interpolate_years,
    sigmoid,
    sigmoid_inplace,
    within_segment_index,
)

CARE_TYPES = ("psychotropic", "psychiatrist", "av_psychologist", "acute_rehab")
Z_PERSISTENCE = 0.85
CALIBRATION_SAMPLE = 40_000
# log-odds shifts by age group (0-19 ... 80+), and for women, VT, incapacity, invalidity
AGE_SHIFT = {
    "psychotropic": np.array([-1.7, -0.6, 0.0, 0.45, 0.75, 1.05]),
    "psychiatrist": np.array([-0.2, 0.1, 0.15, 0.1, -0.4, -0.9]),
    "av_psychologist": np.array([0.3, 0.7, 0.4, -0.1, -1.3, -2.2]),
    "acute_rehab": np.array([-1.0, 0.3, 0.3, 0.2, -0.1, 0.4]),
}
FEMALE_SHIFT = {
    "psychotropic": 0.35,
    "psychiatrist": 0.1,
    "av_psychologist": 0.45,
    "acute_rehab": -0.15,
}
VT_SHIFT = {"psychotropic": 0.35, "psychiatrist": 0.5, "av_psychologist": -0.2, "acute_rehab": 0.8}
INCAPACITY_SHIFT = {
    "psychotropic": 0.7,
    "psychiatrist": 0.6,
    "av_psychologist": 0.3,
    "acute_rehab": 0.4,
}
INVALIDITY_SHIFT = {
    "psychotropic": 1.1,
    "psychiatrist": 1.4,
    "av_psychologist": 0.3,
    "acute_rehab": 1.0,
}
# complementary insurance covers psychologists more widely at MC (Wallonia, Brussels): fn 20
REGION_SHIFT = {"av_psychologist": np.array([0.0, 0.5, 0.3])}
LOADING = {"psychotropic": 1.0, "psychiatrist": 1.4, "av_psychologist": 0.5, "acute_rehab": 1.7}
MEAN_EVENTS = {"psychotropic": 3.5, "psychiatrist": 2.5, "av_psychologist": 3.0, "acute_rehab": 0.4}
# state dependence: log-odds added when the person had the care type the year before. Care is
# chronic (Figures 13-14: 58 % of antidepressant users before ELP are on them during and after,
# 63 % of psychiatrist patients see one during); the shared need z alone made year-to-year use
# too volatile. The intercepts are still solved on the population, so Figures 1-2 hold.
PERSISTENCE = {"psychotropic": 3.0, "psychiatrist": 2.0, "av_psychologist": 1.0, "acute_rehab": 0.5}
# share of psychotropic users on antipsychotics (more with acute or psychiatrist care), and of
# antipsychotic users also on antidepressants; a person keeps the class over the years
ANTIPSYCHOTIC_SHARE, ANTIPSYCHOTIC_SHARE_SEVERE, ALSO_ANTIDEPRESSANT = 0.12, 0.35, 0.35
FULL_POPULATION_NEWTON_STEPS = 2
MIN_ELP_USERS_FOR_SHIFT = 200  # fewer ELP users (first years, small runs): keep the last shift


@dataclass
class CareEvents:
    """Persons (frame rows) with a care type in the year, their event count and date span, and
    the dated events themselves (`ev_row` = position in `rows`, `ev_day`), drawn once for
    every person so that the extract (members) and the truth (everybody) share the same dates.
    `ev_antipsychotic`: psychotropic dispensings only, the class of each dispensing."""

    rows: NDArray[np.int64]
    n: NDArray[np.int64]
    first: NDArray[np.int64]
    last: NDArray[np.int64]
    ev_row: NDArray[np.int64]
    ev_day: NDArray[np.int64]
    ev_antipsychotic: NDArray[np.bool_] | None = None


def expand_dates(
    first: NDArray[np.int64],
    last: NDArray[np.int64],
    n: NDArray[np.int64],
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """n event days per row: the first, the last and the others in between."""
    row = np.repeat(np.arange(len(n)), n)
    k = within_segment_index(n)
    mid = first[row] + np.floor(rng.random(len(row)) * (last[row] - first[row] + 1)).astype(
        np.int64
    )
    day = np.where(k == 0, first[row], np.where(k == n[row] - 1, last[row], mid))
    return row, day


@dataclass
class YearCare:
    flags: dict[str, NDArray[np.bool_]]  # aligned with frame.idx
    events: dict[str, CareEvents]
    antipsychotic: NDArray[np.bool_]  # psychotropic users (events rows) with an antipsychotic
    antidepressant: NDArray[np.bool_]
    solved: dict[str, float]
    window_lo: NDArray[np.int64]  # days the person can have events (affiliated if member)
    window_hi: NDArray[np.int64]


class CareModel:
    def __init__(
        self, pop: Population, targets: StudyTargets, rng: np.random.Generator, years: list[int]
    ) -> None:
        self.pop, self.rng = pop, rng
        self.z = rng.standard_normal(pop.n).astype(np.float32)
        # own streams for the need z and for the event days / drug classes: the ELP model
        # reads z, so its realisation does not move when the care draws change
        z_rng, self.event_rng = rng.spawn(2)
        self.z_rng = z_rng
        self.class_u = self.event_rng.random((2, pop.n)).astype(np.float32)
        f1, f2 = targets.figure_1, targets.figure_2
        self.target = {
            "psychotropic": interpolate_years(f1["psychotropics_total_incl_acute"], years),
            "psychiatrist": interpolate_years(
                {k: float(v) for k, v in f2["psychiatrist_any"].items() if v is not None}, years
            ),
            "acute_rehab": interpolate_years(f1["acute_rehab_any"], years),
        }
        av = {k: float(v) for k, v in f2["psychologist_av"].items() if v is not None}
        # sharp rise in 2017 (AV access conditions changed; the chart value is lost):
        # flat-ish before, a jump to a third of the way, then linear to 2024 (estimate)
        a0, a1 = av[min(av)], av[max(av)]
        self.target["av_psychologist"] = interpolate_years(
            {min(av): a0, 2016: 2 * a0, 2017: a0 + 0.35 * (a1 - a0), max(av): a1}, years
        )
        self.overlap = interpolate_years(f1["psychotropics_with_ambulatory"], years)
        self.acute_alone = interpolate_years(f1["acute_rehab_without_ambulatory"], years)
        # psychotropics without other follow-up among ELP users (Figure 12, 'during' the first
        # year of the 2023 cohort; the only published value, used for every year): a log-odds
        # shift of ELP users' psychotropic use, solved each year (see step)
        self.elp_psychotropics_only = figure_12_share(targets, "psychotropics_only", "during")
        self.elp_psychotropic_shift = 0.0
        # from the Figure 12 cohort's year: earlier cohorts came with more psychotropics-only
        # prior care (Figure 10: 22 % in 2019), a 2023 value would bend their years
        self.elp_shift_from = transitions_cohort_year(targets)
        self.history: dict[int, dict[str, NDArray[np.bool_]]] = {}

    def advance(self, year: int) -> None:
        if year > self.pop.first_year:
            eps = self.z_rng.standard_normal(self.pop.n).astype(np.float32)
            self.z = (Z_PERSISTENCE * self.z + np.sqrt(1 - Z_PERSISTENCE**2) * eps).astype(
                np.float32
            )

    def prior_care(self, year: int, idx: NDArray[np.int64]) -> NDArray[np.int8]:
        """Prior-care category over the two previous calendar years (year-level reading of the
        study's 2-year window): 0 psychiatrist (wins, fn 19), 1 AV psychologist,
        2 psychotropics only, 3 acute / rehabilitation only, 4 none."""
        had = {c: np.zeros(len(idx), dtype=np.bool_) for c in CARE_TYPES}
        for y in (year - 1, year - 2):
            for c, flag in self.history.get(y, {}).items():
                had[c] |= flag[idx]
        out = np.full(len(idx), 4, dtype=np.int8)
        for k, c in reversed(
            list(enumerate(("psychiatrist", "av_psychologist", "psychotropic", "acute_rehab")))
        ):
            out[had[c]] = k
        return out

    def _shifts(self, fr: YearFrame) -> dict[str, NDArray[np.float64]]:
        ag = fr.age_group.astype(np.int64)
        female = (fr.sex == 0).astype(np.float64)
        vt = fr.vt.astype(np.float64)
        inc = fr.flags["primary_incapacity"].astype(np.float64)
        inv = fr.flags["invalidity"].astype(np.float64)
        out = {}
        for c in CARE_TYPES:
            s = AGE_SHIFT[c][ag] + FEMALE_SHIFT[c] * female + VT_SHIFT[c] * vt
            s = s + INCAPACITY_SHIFT[c] * inc + INVALIDITY_SHIFT[c] * inv
            if c in REGION_SHIFT:
                s = s + REGION_SHIFT[c][fr.region]
            out[c] = s
        return out

    def step(
        self,
        fr: YearFrame,
        elp_user: NDArray[np.bool_],
        membership: Membership,
        last_day: int | None = None,
    ) -> YearCare:
        """One year of care. `last_day` (the extraction date, for the year after the last
        analysis year): the year is simulated whole, with the last year's targets, and the
        events after that day are dropped - they have not happened yet."""
        rng, year = self.rng, fr.year
        n = len(fr.idx)
        z = self.z[fr.idx].astype(np.float64)
        shifts = self._shifts(fr)
        previous = self.history.get(year - 1)
        if previous is not None:
            for c in CARE_TYPES:
                shifts[c] = shifts[c] + PERSISTENCE[c] * previous[c][fr.idx]
        elp = elp_user.astype(np.float64)
        shifts["psychotropic"] = shifts["psychotropic"] + self.elp_psychotropic_shift * elp
        sub = (
            rng.choice(n, min(n, CALIBRATION_SAMPLE), replace=False) if n else np.zeros(0, np.int64)
        )
        zs, es = z[sub], elp[sub]
        ss = {c: v[sub] for c, v in shifts.items()}

        def solve(c: str, mult: float) -> float:
            """Intercept hitting the year's share (Newton steps on the mean probability)."""
            excl = c == "av_psychologist"  # the AV share is the one without ELP (fn 14)
            w = (1 - es) if excl else np.ones(len(es))
            lin = mult * load[c] * zs + ss[c]
            # after the last analysis year (care until the extraction): the last year's shares
            target = self.target[c][min(year, max(self.target[c]))]
            a = float(np.log(target / (1 - target)))
            for _ in range(30):
                p = sigmoid(a + lin)
                m = float((p * w).mean())
                step = (target - m) / max(float((p * (1 - p) * w).mean()), 1e-12)
                a += float(np.clip(step, -3, 3))
                if abs(m - target) < 1e-7:
                    break
            return a

        # the acute loading is scaled per year (`acute_alone` below)
        load = dict(LOADING)

        def overlap(mult: float) -> float:
            a = {c: solve(c, mult) for c in CARE_TYPES}
            p = {c: sigmoid(a[c] + mult * load[c] * zs + ss[c]) for c in CARE_TYPES}
            amb = 1 - (1 - p["psychiatrist"]) * (1 - p["av_psychologist"]) * (1 - es)
            return float((p["psychotropic"] * amb).mean())

        mult = bisect(overlap, 0.2, 4.0, self.overlap[min(year, max(self.overlap))], iters=12)
        a = {c: solve(c, mult) for c in CARE_TYPES}
        users = np.flatnonzero(elp_user)
        if len(users) >= MIN_ELP_USERS_FOR_SHIFT and year >= self.elp_shift_from:
            # the shift that puts the ELP users' expected share with psychotropics and no
            # other care on Figure 12 (the last solved shift is in `shifts` already)
            lin = {c: a[c] + mult * load[c] * z[users] + shifts[c][users] for c in CARE_TYPES}
            none_other = (
                (1 - sigmoid(lin["psychiatrist"]))
                * (1 - sigmoid(lin["av_psychologist"]))
                * (1 - sigmoid(lin["acute_rehab"]))
            )
            old = self.elp_psychotropic_shift
            lin_ph = lin["psychotropic"] - old
            self.elp_psychotropic_shift = bisect(
                lambda d: float((sigmoid(lin_ph + d) * none_other).mean()),
                -4.0,
                4.0,
                self.elp_psychotropics_only,
                20,
            )
            shifts["psychotropic"] = (
                shifts["psychotropic"] + (self.elp_psychotropic_shift - old) * elp
            )
            ss["psychotropic"] = shifts["psychotropic"][sub]
            # the overlap with ambulatory care and the population shares still hold: the
            # loading multiplier and the intercepts again (the shift moved ELP users'
            # psychotropics, and with them the overlap, off Figure 1)
            mult = bisect(overlap, 0.2, 4.0, self.overlap[min(year, max(self.overlap))], iters=12)
            a = {c: solve(c, mult) for c in CARE_TYPES}

        def acute_alone(k: float) -> float:
            """Share with acute / residential care and no ambulatory care (ELP included) at
            acute loading LOADING x k."""
            load["acute_rehab"] = LOADING["acute_rehab"] * k
            a_ac = solve("acute_rehab", mult)
            p = {c: sigmoid(a[c] + mult * load[c] * zs + ss[c]) for c in CARE_TYPES}
            p["acute_rehab"] = sigmoid(a_ac + mult * load["acute_rehab"] * zs + ss["acute_rehab"])
            amb = 1 - (1 - p["psychiatrist"]) * (1 - p["av_psychologist"]) * (1 - es)
            return float((p["acute_rehab"] * (1 - amb)).mean())

        # the acute loading's strength so that Figure 1's acute care without ambulatory
        # follow-up (0.4 %) holds: at the fixed loading most acute patients also had
        # ambulatory care (0.27 % without it, scale 0.02), which put Figure 1's 'any
        # mental-health care' 0.003 low
        k_acute = bisect(
            lambda k: -acute_alone(k),
            0.0,
            2.0,
            -self.acute_alone[min(year, max(self.acute_alone))],
            14,
        )
        load["acute_rehab"] = LOADING["acute_rehab"] * k_acute
        a["acute_rehab"] = solve("acute_rehab", mult)
        flags: dict[str, NDArray[np.bool_]] = {}
        for c in CARE_TYPES:
            # built in place: these are full-length float64 arrays of a national year (~12 M
            # persons), the generator's peak memory
            lin_c = (mult * load[c]) * z
            lin_c += shifts.pop(c)  # not needed any more: one full-length array less
            # Newton steps on the whole year's population: the sample's intercept misses the
            # share by its sampling error (small runs fell visibly off Figures 1-2); the AV
            # share is the one without ELP (a weight of 1 elsewhere changes no product)
            w = (1 - elp) if c == "av_psychologist" else None
            target = self.target[c][min(year, max(self.target[c]))]
            for _ in range(FULL_POPULATION_NEWTON_STEPS):
                p = sigmoid_inplace(a[c] + lin_c)
                slope = 1 - p
                slope *= p
                if w is not None:
                    p *= w
                    slope *= w
                gap = target - float(p.mean())
                a[c] += gap / max(float(slope.mean()), 1e-12)
                del p, slope
            p = sigmoid_inplace(a[c] + lin_c)
            del lin_c, w
            flags[c] = rng.random(n) < p
            del p
        # record full-length flags for the prior-care windows of later ELP starters
        self.history[year] = {}
        for c in CARE_TYPES:
            full = np.zeros(self.pop.n, dtype=np.bool_)
            full[fr.idx[flags[c]]] = True
            self.history[year][c] = full
        self.history.pop(year - 2, None)  # prior_care(year + 1) reads year and year - 1
        # event dates: inside the affiliated stretch for members, the present days otherwise
        lo = np.maximum(self.pop.entry_day[fr.idx].astype(np.int64), year_start(year))
        hi = np.minimum(self.pop.exit_day[fr.idx].astype(np.int64), year_end(year))
        mem = fr.member
        if mem.any():
            wlo, whi = membership.window(year, fr.idx[mem])
            lo[mem], hi[mem] = wlo, whi
        events = {}
        for c in CARE_TYPES:
            rows = np.flatnonzero(flags[c])
            k = 1 + rng.poisson(MEAN_EVENTS[c], len(rows))
            if c == "av_psychologist":
                k = np.minimum(k, 12)  # complementary insurance refunds at most 12 sessions
            width = hi[rows] - lo[rows] + 1
            d1 = lo[rows] + np.floor(rng.random(len(rows)) * width).astype(np.int64)
            d2 = lo[rows] + np.floor(rng.random(len(rows)) * width).astype(np.int64)
            if c == "psychotropic" and previous is not None:
                # chronic users (on psychotropics the year before) are dispensed all year
                # round: first pack in the first months, last one in the last months
                chronic = previous[c][fr.idx[rows]]
                u1, u2 = rng.random(len(rows)), rng.random(len(rows))
                d1 = np.where(chronic, lo[rows] + np.floor(u1 * width * 0.25), d1).astype(np.int64)
                d2 = np.where(chronic, hi[rows] - np.floor(u2 * width * 0.25), d2).astype(np.int64)
            first = np.where(k > 1, np.minimum(d1, d2), d1)
            last = np.where(k > 1, np.maximum(d1, d2), d1)
            ev_row, ev_day = expand_dates(first, last, k, self.event_rng)
            events[c] = CareEvents(rows, k, first, last, ev_row, ev_day)
        ph = events["psychotropic"]
        ph_person = fr.idx[ph.rows]
        u, v = self.class_u[0, ph_person], self.class_u[1, ph_person]
        ap_bias = flags["acute_rehab"][ph.rows] | flags["psychiatrist"][ph.rows]
        ap = np.where(ap_bias, u < ANTIPSYCHOTIC_SHARE_SEVERE, u < ANTIPSYCHOTIC_SHARE)
        ad = ~ap | (v < ALSO_ANTIDEPRESSANT)
        # one class per dispensing; persons on both classes alternate
        both = ad[ph.ev_row] & ap[ph.ev_row]
        ph.ev_antipsychotic = np.where(
            both, self.event_rng.random(len(ph.ev_row)) < 0.5, ap[ph.ev_row]
        )
        if last_day is not None:
            for ev in events.values():
                keep = ev.ev_day <= last_day
                ev.ev_row, ev.ev_day = ev.ev_row[keep], ev.ev_day[keep]
                if ev.ev_antipsychotic is not None:
                    ev.ev_antipsychotic = ev.ev_antipsychotic[keep]
        solved = {
            "loading_multiplier": mult,
            "acute_loading_factor": k_acute,
            "elp_psychotropic_shift": self.elp_psychotropic_shift,
            **{f"intercept_{c}": v for c, v in a.items()},
        }
        if last_day is not None:
            hi = np.maximum(np.minimum(hi, last_day), lo)  # other events of the writer too
        return YearCare(flags, events, ap, ad, solved, lo, hi)
