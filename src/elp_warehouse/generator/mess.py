"""Real-world mess injected on purpose (documented in docs/generator.md).

* Billing lag: a booking date follows the service date with a long-tailed delay; lines
  whose booking would fall after the extraction date do not exist in the extract. Claims,
  dispensings and complementary refunds each have their own delay.
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


def dispensing_booking_lag(n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Days between a dispensing and its booking: a pharmacy bills a month's dispensings
    through its billing office early the next month; a few bills are sent again months
    later."""
    lag = 5 + rng.random(n) * 30 + np.where(rng.random(n) < 0.05, rng.exponential(60.0, n), 0.0)
    out: NDArray[np.int64] = np.floor(lag).astype(np.int64)
    return out


def refund_booking_lag(n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Days between a session and the complementary refund's booking: the member hands in the
    paid invoice weeks or months later."""
    out: NDArray[np.int64] = np.floor(3 + rng.gamma(1.5, 20.0, n)).astype(np.int64)
    return out


def dispensings_with_mess(
    cols: Columns,
    rng: np.random.Generator,
    booking_rng: np.random.Generator,
    extraction_day: int,
    share: float = CORRECTION_SHARE,
) -> Columns:
    """Booking dates, then negative dispensing lines (negative DDD and amount, booked later)
    cancelling one, plus a re-dispensing booked with the correction; what is booked after the
    extraction is dropped. The booking dates come from their own generator, so that the rest
    of the extract is the same as without them."""
    n = len(cols["day"])
    corrected = rng.random(n) < share
    booking = cols["day"].astype(np.int64) + dispensing_booking_lag(n, booking_rng)
    corr_booking = booking + 10 + np.floor(booking_rng.gamma(2.0, 30.0, n)).astype(np.int64)
    cols = {**cols, "booking_day": booking}
    neg = _take(cols, corrected)
    neg["booking_day"] = corr_booking[corrected]
    rebill = dict(neg)
    neg = {**neg, "ddd": -neg["ddd"], "ins_cents": -neg["ins_cents"]}
    out = _concat([cols, neg, rebill])
    return _take(out, out["booking_day"] <= extraction_day)
