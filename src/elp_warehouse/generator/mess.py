"""Real-world mess injected on purpose (documented in docs/generator.md).

* Billing lag: a booking date follows the service date with a long-tailed delay; lines
  whose booking would fall after the extraction date do not exist in the extract.
* Corrections: a share of lines is cancelled later by a negative line (negative quantity and
  amounts; same member, provider, code and service date; later booking date) and billed
  again on the same day, so the net care is unchanged but naive counts are wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

CORRECTION_SHARE = 0.015

Columns = dict[str, NDArray[Any]]


def booking_lag(n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Days between service and booking: mostly weeks, some months, a few up to 2.5 years."""
    kind = rng.random(n)
    short = 3 + rng.gamma(2.0, 12.0, n)
    months = 30 + rng.random(n) * 150
    long_tail = 180 + np.minimum(rng.exponential(200.0, n), 720)
    lag = np.where(kind < 0.85, short, np.where(kind < 0.98, months, long_tail))
    out: NDArray[np.int64] = np.floor(lag).astype(np.int64)
    return out


def _take(cols: Columns, mask: NDArray[np.bool_] | NDArray[np.int64]) -> Columns:
    return {k: v[mask] for k, v in cols.items()}


def _concat(parts: list[Columns]) -> Columns:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def claims_with_mess(
    cols: Columns, extraction_day: int, rng: np.random.Generator, share: float = CORRECTION_SHARE
) -> Columns:
    """Add booking dates, drop what is booked after extraction, add corrections."""
    n = len(cols["service_day"])
    booking = cols["service_day"].astype(np.int64) + booking_lag(n, rng)
    cols = {**cols, "booking_day": booking}
    cols = _take(cols, booking <= extraction_day)
    n = len(cols["booking_day"])
    corr_day = cols["booking_day"] + 10 + np.floor(rng.gamma(2.0, 30.0, n)).astype(np.int64)
    corrected = (rng.random(n) < share) & (corr_day <= extraction_day)
    neg = _take(cols, corrected)
    neg["booking_day"] = corr_day[corrected]
    rebill = dict(neg)
    neg = {**neg}
    for k in ("quantity", "ins_cents", "pat_cents"):
        neg[k] = -neg[k]
    return _concat([cols, neg, rebill])


def dispensings_with_mess(
    cols: Columns, rng: np.random.Generator, share: float = CORRECTION_SHARE
) -> Columns:
    """Negative dispensing lines (negative DDD and amount) cancelling one, plus a re-dispensing."""
    n = len(cols["day"])
    corrected = rng.random(n) < share
    neg = _take(cols, corrected)
    rebill = dict(neg)
    neg = {**neg, "ddd": -neg["ddd"], "ins_cents": -neg["ins_cents"]}
    return _concat([cols, neg, rebill])
