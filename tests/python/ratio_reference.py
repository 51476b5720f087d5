"""Independent Python implementation of the post-stratified ratio estimator and its
linearisation variance, used to check the SQL macro `poststratified_ratio`."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class Unit:
    stratum: str
    stratum_population: float
    stratum_members: float
    y: float
    x: float


@dataclass(frozen=True)
class Estimate:
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float


def poststratified_ratio(units: list[Unit], bounded: bool = True) -> Estimate:
    by_stratum: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        by_stratum[u.stratum].append(u)
    y_total = sum(
        s[0].stratum_population * sum(u.y for u in s) / s[0].stratum_members
        for s in by_stratum.values()
    )
    x_total = sum(
        s[0].stratum_population * sum(u.x for u in s) / s[0].stratum_members
        for s in by_stratum.values()
    )
    r = y_total / x_total
    variance = 0.0
    for s in by_stratum.values():
        big_n, n = s[0].stratum_population, s[0].stratum_members
        if n <= 1:
            continue
        # units of the stratum outside the domain have e = 0: pad the residuals with zeros
        residuals = [u.y - r * u.x for u in s] + [0.0] * int(n - len(s))
        mean = sum(residuals) / n
        s2 = sum((e - mean) ** 2 for e in residuals) / (n - 1)
        variance += big_n**2 * max(1 - n / big_n, 0) * s2 / n
    se = math.sqrt(variance) / x_total
    if bounded and 0 < r < 1:
        logit = math.log(r / (1 - r))
        half = Z95 * se / (r * (1 - r))
        low, high = (1 / (1 + math.exp(-(logit + d))) for d in (-half, half))
    elif bounded:
        # r is 0 or 1: exact Clopper-Pearson bound for 0 (or n) successes among n units
        n_observed = sum(1 for u in units if u.x > 0)
        low, high = max(r - Z95 * se, 0.0), min(r + Z95 * se, 1.0)
        if r == 0:
            high = 1 - 0.025 ** (1 / n_observed)
        elif r == 1:
            low = 0.025 ** (1 / n_observed)
    else:
        low, high = r - Z95 * se, r + Z95 * se
    return Estimate(r, se, low, high)
