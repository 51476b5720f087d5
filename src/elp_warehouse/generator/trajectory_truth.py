"""Known truth for the care around ELP trajectories (Figures 10-14), defined as the warehouse
defines it (`int_elp_trajectory_care`, `mart_elp_prior_care`, `mart_elp_care_transitions`,
`mart_elp_individual_trajectories`), so that a share the warehouse misses can be told apart:
a generator gap (the warehouse finds the truth, the generator does not reproduce the study)
or a warehouse error (it misses the truth too).

- Periods around the first session t0 (day precision, calendar months as in SQL `dateadd`,
  clamped to the month's end): before = [t0 - 24 months, t0), during = [t0, t0 + 12 months),
  after = [t0 + 12 months, t0 + 18 months).
- One category per period: psychiatrist > non-conventioned (AV) psychologist >
  acute / residential > psychotropics only > none.
- Events are the dated events the extract is written from (`CareEvents.ev_day`), for every
  person (members and non-members): the truth is the whole simulated population.
- Population: first-ever trajectories (the generator's cohort); care observed over the
  window the warehouse requires affiliation for - prior care: the start year and the two
  previous calendar years; transitions and patterns: first session 1 January - 15 December
  2023 and the 18 months after it (care is simulated until the extraction date).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.care import YearCare
from elp_warehouse.generator.config import (
    NETWORK_TYPES,
    SETTINGS,
    Geography,
    day_number,
    year_end,
    year_start,
)
from elp_warehouse.generator.frame import YearFrame
from elp_warehouse.generator.sessions import Services
from elp_warehouse.generator.truth import dimension_members

# event codes of the store; the category order of the warehouse is the order of the first four
PSYCHIATRIST, AV_PSYCHOLOGIST, ACUTE, PSYCHOTROPIC, ANTIDEPRESSANT, ELP = range(6)
CARE_CATEGORIES = (
    "psychiatrist",
    "non_conventioned_psychologist",
    "acute_residential",
    "psychotropics_only",
    "none",
)
_CARE_OF_EVENTS = (
    ("psychiatrist", PSYCHIATRIST),
    ("av_psychologist", AV_PSYCHOLOGIST),
    ("acute_rehab", ACUTE),
    ("psychotropic", PSYCHOTROPIC),
)
PRIOR_MONTHS, WINDOW_MONTHS, AFTER_MONTHS = 24, 12, 6
TRANSITIONS_COHORT = (date(2023, 1, 1), date(2023, 12, 15))
PERIODS = ("before", "during", "after")
PATTERN_CARE = (("antidepressants", ANTIDEPRESSANT), ("psychiatrist", PSYCHIATRIST))


def add_months(day: NDArray[np.integer], months: int) -> NDArray[np.int64]:
    """Day numbers shifted by calendar months, clamped to the month's last day (SQL dateadd)."""
    d = day.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    dom = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    out: NDArray[np.int64] = target.astype("datetime64[D]").astype(np.int64) + np.minimum(
        dom, length - 1
    )
    return out


@dataclass
class DatedCare:
    """Dated care events of the ELP cohort, kept while the years are simulated: the events of
    the last two years of everybody (a starter's window reaches two years back), and from a
    person's first session on all of that person's events. Persons and days are 32-bit (half
    the memory of two national years of events; both fit with room to spare)."""

    n_persons: int
    first_year: int
    buffer: dict[int, tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int8]]] = field(
        default_factory=dict
    )
    chunks: list[tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int8]]] = field(
        default_factory=list
    )
    is_cohort: NDArray[np.bool_] = field(init=False)
    observed: NDArray[np.uint32] = field(init=False)  # bit y - first_year: care observed all year

    def __post_init__(self) -> None:
        self.is_cohort = np.zeros(self.n_persons, dtype=np.bool_)
        self.observed = np.zeros(self.n_persons, dtype=np.uint32)

    def add_starters(self, persons: NDArray[np.int64]) -> None:
        new = np.zeros(self.n_persons, dtype=np.bool_)
        new[persons] = True
        new &= ~self.is_cohort
        self.is_cohort |= new
        for p, d, c in self.buffer.values():
            keep = new[p]
            self.chunks.append((p[keep], d[keep], c[keep]))

    def add_year(self, fr: YearFrame, care: YearCare, last_day: int | None = None) -> None:
        year = fr.year
        parts = []
        for name, code in _CARE_OF_EVENTS:
            ev = care.events[name]
            person = fr.idx[ev.rows[ev.ev_row]]
            parts.append((person, ev.ev_day, np.full(len(person), code, dtype=np.int8)))
            if ev.ev_antipsychotic is not None:
                ad = ~ev.ev_antipsychotic
                parts.append(
                    (person[ad], ev.ev_day[ad], np.full(int(ad.sum()), ANTIDEPRESSANT, np.int8))
                )
        p = np.concatenate([x[0] for x in parts]).astype(np.int32)
        d = np.concatenate([x[1] for x in parts]).astype(np.int32)
        c = np.concatenate([x[2] for x in parts])
        keep = self.is_cohort[p]
        self.chunks.append((p[keep], d[keep], c[keep]))
        self.buffer[year] = (p, d, c)
        self.buffer.pop(year - 2, None)
        end = year_end(year) if last_day is None else last_day
        full = (care.window_lo == year_start(year)) & (care.window_hi >= end)
        self.observed[fr.idx[full]] |= np.uint32(1 << (year - self.first_year))

    def observed_over(self, person: NDArray[np.int64], lo: int, hi: int) -> NDArray[np.bool_]:
        """Care observed over every calendar year lo..hi."""
        bits = 0
        for y in range(lo, hi + 1):
            bits |= 1 << (y - self.first_year)
        out: NDArray[np.bool_] = (self.observed[person] & np.uint32(bits)) == bits
        return out


def period_flags(
    person: NDArray[np.int64],
    start: NDArray[np.int64],
    dated: DatedCare,
    services: Services,
) -> NDArray[np.bool_]:
    """flags[i, code, period]: cohort member i had an event of the code in the period."""
    pos = np.full(dated.n_persons, -1, dtype=np.int64)
    pos[person] = np.arange(len(person))
    person_bounds = (
        add_months(start, -PRIOR_MONTHS),
        start,
        add_months(start, WINDOW_MONTHS),
        add_months(start, WINDOW_MONTHS + AFTER_MONTHS),
    )
    flags = np.zeros((len(person), ELP + 1, 3), dtype=np.bool_)
    elp_codes = np.full(len(services.person), ELP, np.int8)
    # one chunk at a time (flags are only ever set): the whole cohort's events at once were
    # a memory peak of the run's end (100 MiB above the rest at scale 0.1)
    events: list[tuple[NDArray[np.integer], NDArray[np.integer], NDArray[np.int8]]] = [
        *dated.chunks,
        (services.person, services.day, elp_codes),
    ]
    for p_all, d_all, c_all in events:
        r = pos[p_all]
        ok = r >= 0
        r, d, c = r[ok], d_all[ok].astype(np.int64), c_all[ok]
        bounds = [b[r] for b in person_bounds]
        period = np.full(len(r), -1, dtype=np.int64)
        for k in range(3):
            period[(d >= bounds[k]) & (d < bounds[k + 1])] = k
        inside = period >= 0
        flags[r[inside], c[inside], period[inside]] = True
    return flags


def categories(flags: NDArray[np.bool_], period: int) -> NDArray[np.int64]:
    """One category per person (index into CARE_CATEGORIES), the warehouse's order."""
    out = np.full(len(flags), len(CARE_CATEGORIES) - 1, dtype=np.int64)
    for k, code in reversed(list(enumerate((PSYCHIATRIST, AV_PSYCHOLOGIST, ACUTE, PSYCHOTROPIC)))):
        out[flags[:, code, period]] = k
    return out


def prior_care_rows(
    c: dict[str, NDArray[np.int64]],
    flags: NDArray[np.bool_],
    dated: DatedCare,
    geo: Geography,
) -> list[dict[str, object]]:
    """Figures 10-11: care in the 24 months before the first session, one category per new
    patient, among patients whose care is observed in the start year and the two before."""
    rows: list[dict[str, object]] = []
    if not len(c.get("person", [])):
        return rows
    cat = categories(flags, 0)
    extra = {
        "network_type": (c["network_type"], NETWORK_TYPES),
        "first_setting": (c["first_setting"], SETTINGS),
    }
    for year in np.unique(c["year"]):
        ym = (c["year"] == year) & dated.observed_over(c["person"], int(year) - 2, int(year))
        groups = dimension_members(
            geo,
            c["age_group"][ym],
            c["sex"][ym],
            c["vt"][ym],
            c["region"][ym],
            c["province"][ym],
            c["socio"][ym],
            c["flags"][ym],
            {k: (v[0][ym], v[1]) for k, v in extra.items()},
        )
        cy = cat[ym]
        for dim, category, mask in groups:
            n = int(mask.sum())
            counts = np.bincount(cy[mask], minlength=len(CARE_CATEGORIES))
            for k, pc in enumerate(CARE_CATEGORIES):
                rows.append(
                    {
                        "cohort_year": int(year),
                        "dimension": dim,
                        "category": category,
                        "prior_care": pc,
                        "patients": n,
                        "with_prior_care": int(counts[k]),
                        "share": float(counts[k] / n) if n else None,
                    }
                )
    return rows


def transitions_cohort(
    c: dict[str, NDArray[np.int64]], dated: DatedCare, extraction_day: int
) -> NDArray[np.bool_]:
    """First session 1 January - 15 December 2023, care observed from the start of the first
    session's year to the end of the after period (at most the extraction date)."""
    lo, hi = (day_number(d) for d in TRANSITIONS_COHORT)
    start = c["start"]
    inside = (start >= lo) & (start <= hi)
    end = np.minimum(add_months(start, WINDOW_MONTHS + AFTER_MONTHS) - 1, extraction_day)
    end_year = end.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    ok = np.zeros(len(start), dtype=np.bool_)
    for y_end in np.unique(end_year[inside]):
        m = inside & (end_year == y_end)
        ok[m] = dated.observed_over(c["person"][m], TRANSITIONS_COHORT[0].year, int(y_end))
    return ok


def transition_rows(
    c: dict[str, NDArray[np.int64]], flags: NDArray[np.bool_], cohort: NDArray[np.bool_]
) -> list[dict[str, object]]:
    """Figure 12: per period the share of the cohort in each care category (care_type
    'none_other' for none), all patients and split by ELP use in the after period; care_type
    'all' = every patient (with elp_status with_elp_after: the share still using ELP)."""
    rows: list[dict[str, object]] = []
    n = int(cohort.sum())
    elp_after = flags[cohort, ELP, 2]
    statuses = (
        ("all", np.ones(n, dtype=np.bool_)),
        ("with_elp_after", elp_after),
        ("without_elp_after", ~elp_after),
    )
    year = TRANSITIONS_COHORT[0].year
    for k, period in enumerate(PERIODS):
        cat = categories(flags[cohort], k)
        types = [
            ("none_other" if name == "none" else name, cat == j)
            for j, name in enumerate(CARE_CATEGORIES)
        ]
        types.append(("all", np.ones(n, dtype=np.bool_)))
        for care_type, is_type in types:
            for status, is_status in statuses:
                count = int((is_type & is_status).sum())
                rows.append(
                    {
                        "cohort_year": year,
                        "care_type": care_type,
                        "period": period,
                        "elp_status": status,
                        "patients": count,
                        "cohort_patients": n,
                        "share": count / n if n else None,
                    }
                )
    return rows


def pattern_rows(flags: NDArray[np.bool_], cohort: NDArray[np.bool_]) -> list[dict[str, object]]:
    """Figures 13-14: yes/no patterns before-during-after for antidepressants and psychiatrist
    consultations, as shares of the start group (same status before), also split by ELP use
    in the after period."""
    rows: list[dict[str, object]] = []
    f = flags[cohort]
    elp_after = f[:, ELP, 2]
    statuses = (
        ("all", np.ones(len(f), dtype=np.bool_)),
        ("with_elp_after", elp_after),
        ("without_elp_after", ~elp_after),
    )
    for care_type, code in PATTERN_CARE:
        yn = np.where(f[:, code, :], "Y", "N")
        pattern = np.char.add(
            np.char.add(np.char.add(yn[:, 0], "-"), np.char.add(yn[:, 1], "-")), yn[:, 2]
        )
        for target in (f"{a}-{b}-{c}" for a in "YN" for b in "YN" for c in "YN"):
            group = yn[:, 0] == target[0]
            n_group = int(group.sum())
            for status, is_status in statuses:
                count = int(((pattern == target) & is_status).sum())
                rows.append(
                    {
                        "cohort_year": TRANSITIONS_COHORT[0].year,
                        "care_type": care_type,
                        "pattern": target,
                        "elp_after": status,
                        "patients": count,
                        "start_group_patients": n_group,
                        "share_of_start_group": count / n_group if n_group else None,
                    }
                )
    return rows


# CareModel.prior_care codes (0 psychiatrist, 1 AV, 2 psychotropics only, 3 acute, 4 none) of
# each CARE_CATEGORIES index
_PROXY_OF_CATEGORY = np.array([0, 1, 3, 2, 4])


# persons of the national mapping a subgroup's own mapping is shrunk with, per proxy category
# (small subgroups at small scales keep the national mapping)
SUBGROUP_MAPPING_PRIOR = 100.0
# bounds of a solved proxy share: every category stays possible, the free ones keep room
PROXY_SHARE_MIN, PROXY_SHARE_TOTAL_MAX = 0.005, 0.97


@dataclass(frozen=True)
class PriorMapping:
    """A finished cohort's prior care as the raking sees it and as the study reads it, from
    which the next year's raking targets are solved.

    The raking rakes the new users' calendar-year reading of prior care (`proxy`, the
    CareModel.prior_care code: the two calendar years before the start year), over every new
    user; the study reads the 24 months before the first session (`window`, the same codes;
    it includes the start year's care before the first session and drops the part of the
    earlier year before the window) among the patients observed over the start year and the
    two before (`observed`). Per proxy category i the cohort gives A[i, j] = share of its new
    users that are observed with window category j; a proxy mix p then gives the window
    shares sum_i p_i A[i, j] / sum_i p_i A[i, .]. `proxy_targets` solves that linear
    relation for the proxy shares that give the printed window shares.

    Iterating reads `multipliers()` (proxy share / window share per code, clipped to
    [0.5, 2]: the manifest's `prior_care_target_multipliers`, and the fallback when the
    relation cannot be solved)."""

    year: int
    proxy: NDArray[np.int64]
    window: NDArray[np.int64]  # -1: not observed
    observed: NDArray[np.bool_]

    def multipliers(self) -> NDArray[np.float64]:
        out = np.ones(5, dtype=np.float64)
        if not self.observed.any():
            return out
        window = np.bincount(self.window[self.observed], minlength=5) / self.observed.sum()
        raked = np.bincount(self.proxy, minlength=5) / len(self.proxy)
        ok = (window > 0) & (raked > 0)
        out[ok] = np.clip(raked[ok] / window[ok], 0.5, 2.0)
        return out

    def __iter__(self) -> Iterator[float]:
        return iter(float(x) for x in self.multipliers())

    def _counts(
        self, sel: NDArray[np.bool_] | None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per proxy code the new users (N) and the observed ones by window code (C)."""
        m = np.ones(len(self.proxy), dtype=np.bool_) if sel is None else sel
        n = np.bincount(self.proxy[m], minlength=5).astype(np.float64)
        c = np.zeros((5, 5), dtype=np.float64)
        o = m & self.observed
        np.add.at(c, (self.proxy[o], self.window[o]), 1.0)
        return n, c

    def proxy_targets(
        self, printed: dict[int, float], sel: NDArray[np.bool_] | None = None
    ) -> dict[int, float] | None:
        """Proxy shares (over all new users of the group) of the printed codes that give the
        printed window shares among the group's observed patients; the other codes share the
        rest as in the cohort. `sel`: the cohort's members of a subgroup (its mapping is
        shrunk towards the national one with SUBGROUP_MAPPING_PRIOR persons per code). None
        when the cohort cannot tell (empty, or a singular system)."""
        n_nat, c_nat = self._counts(None)
        if n_nat.sum() == 0 or not self.observed.any():
            return None
        a_nat = np.where(n_nat[:, None] > 0, c_nat / np.maximum(n_nat, 1.0)[:, None], 0.0)
        a_nat[n_nat == 0] = np.eye(5)[n_nat == 0]
        phi_nat = n_nat / n_nat.sum()
        if sel is None:
            a, phi = a_nat, phi_nat
        else:
            n_g, c_g = self._counts(sel)
            k = SUBGROUP_MAPPING_PRIOR
            a = (c_g + k * a_nat) / (n_g + k)[:, None]
            phi = (n_g + k * phi_nat) / (n_g.sum() + k)
        codes = sorted(printed)
        free = [c for c in range(5) if c not in printed]
        share = np.array([printed[c] for c in codes])
        # sum_i p_i (A[i, j] - s_j o_i) = 0 for each printed j, with p_free = rest x phi_free
        b = a[:, codes] - share[None, :] * a.sum(axis=1)[:, None]
        phi_free = phi[free] / max(float(phi[free].sum()), 1e-12)
        b_free = phi_free @ b[free] if free else np.zeros(len(codes))
        m = b[codes] - b_free[None, :]
        try:
            p = np.linalg.solve(m.T, -b_free)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(p)):
            return None
        p = np.maximum(p, PROXY_SHARE_MIN)
        if free and p.sum() > PROXY_SHARE_TOTAL_MAX:
            p *= PROXY_SHARE_TOTAL_MAX / p.sum()
        return {c: float(x) for c, x in zip(codes, p, strict=True)}


def prior_care_feedback(
    person: NDArray[np.int64],
    start: NDArray[np.int64],
    proxy: NDArray[np.int64],
    dated: DatedCare,
    affiliated: NDArray[np.bool_] | None = None,
) -> PriorMapping:
    """A finished cohort's prior-care mapping for the next year's raking (`PriorMapping`):
    its proxy codes, and the study's reading of the window among the patients observed over
    the start year and the two before (as `prior_care_rows`; recent arrivals have no care
    history, proxy "none", and are not in the study's population).

    `affiliated`: the patients the study reads (members affiliated from 1 January of the
    second year before the start through the start year, section 2.4); None: every patient
    observed. Those who joined later are younger and more often without prior care (about
    0.66 against 0.55 without any in the 2024 cohort), and the weighting cells cannot tell
    them apart, so the warehouse reads about one point less "none" than the population."""
    code = np.full(len(person), -1, dtype=np.int64)
    observed = np.zeros(len(person), dtype=np.bool_)
    if len(person) == 0:
        return PriorMapping(0, proxy.astype(np.int64), code, observed)
    year = int(np.datetime64(int(start[0]), "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    observed = dated.observed_over(person, year - 2, year)
    if affiliated is not None:
        observed &= affiliated
    if observed.any():
        flags = period_flags(person[observed], start[observed], dated, Services.empty())
        code[observed] = _PROXY_OF_CATEGORY[categories(flags, 0)]
    return PriorMapping(year, proxy.astype(np.int64), code, observed)
