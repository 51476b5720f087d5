"""Trajectories turned into dated ELP services (sessions and trajectory services).

A trajectory starts with its first session; its sessions follow at weekly-to-fortnightly gaps
(weekly for group series) and are compressed to stay within the 12 months after the first
session, so that the 12-month session count equals the drawn count. Functions: support-only
and treatment-only trajectories keep their function; "both" starts with support and moves to
treatment. Trajectory services (reports, concertation: not sessions) are sprinkled over the
trajectory and up to two months after its last session; `closing_services` adds later ones
(closing or follow-up consultations) for Table 4's users with trajectory services only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.util import segment_starts, within_segment_index

TRAJECTORY_SERVICES_PER_SESSION = 0.08
GAP_SHAPE, GAP_SCALE_WEEKS = 1.6, 1.2
MEAN_SESSION_GAP_DAYS = 7.0 * (
    0.5 + GAP_SHAPE * GAP_SCALE_WEEKS
)  # weekly to fortnightly  # ~7 % of all ELP services (Table 1)
SETTING_TRAJECTORY_SERVICE = 5
FUNCTION_OTHER = 2


@dataclass
class Trajectories:
    person: NDArray[np.int64]
    start: NDArray[np.int64]  # day of the first session
    network_type: NDArray[np.int8]  # 0 adults, 1 children_adolescents
    pattern: NDArray[np.int8]  # 0 support only, 1 treatment only, 2 both
    n_sessions: NDArray[np.int64]
    setting_set: NDArray[np.int8]  # bit mask over SETTINGS
    first_setting: NDArray[np.int8]
    provider: NDArray[np.int32]
    network: NDArray[np.int16]
    exit_day: NDArray[np.int64]
    # share of a "both" trajectory's sessions given as support: one for all, or per trajectory
    switch_fraction: float | NDArray[np.float64] = 0.5
    layout: Layout | None = None  # session days, drawn before the switch point is solved
    switch: NDArray[np.int64] | None = None  # first treatment session; else switch_fraction
    # weight of outreach against each other setting of a multi-setting trajectory's set
    outreach_weight: float | NDArray[np.float64] = 1.0


@dataclass
class Layout:
    """Session days of a set of trajectories (flat, trajectory after trajectory)."""

    tid: NDArray[np.int64]  # trajectory of each session
    seq: NDArray[np.int64]  # position of the session in its trajectory
    day: NDArray[np.int64]
    span: NDArray[np.float64]  # per trajectory: days from the first to the last session
    squeeze: NDArray[np.float64]  # per trajectory: compression into the 12 months
    jitter: NDArray[np.float64]  # per trajectory: noise around the switch fraction


@dataclass
class Services:
    person: NDArray[np.int64]
    day: NDArray[np.int32]
    setting: NDArray[np.int8]  # 0..4 SETTINGS, 5 trajectory service
    function: NDArray[np.int8]  # 0 support, 1 treatment, 2 other
    network_type: NDArray[np.int8]
    seq: NDArray[np.int16]  # position of the session in its trajectory, -1 for services
    provider: NDArray[np.int32]
    network: NDArray[np.int16]

    def take(self, mask: NDArray[np.bool_] | NDArray[np.int64]) -> Services:
        return Services(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.person)

    @staticmethod
    def concat(parts: list[Services]) -> Services:
        return Services(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(Services)
            }
        )

    @staticmethod
    def empty() -> Services:
        return Services(
            person=np.zeros(0, np.int64),
            day=np.zeros(0, np.int32),
            setting=np.zeros(0, np.int8),
            function=np.zeros(0, np.int8),
            network_type=np.zeros(0, np.int8),
            seq=np.zeros(0, np.int16),
            provider=np.zeros(0, np.int32),
            network=np.zeros(0, np.int16),
        )


def _pick_bit_table() -> NDArray[np.int8]:
    """lut[mask, r] = the r-th set bit of mask (5 settings)."""
    lut = np.zeros((32, 5), dtype=np.int8)
    for m in range(32):
        bits = [b for b in range(5) if m >> b & 1] or [0]
        for r in range(5):
            lut[m, r] = bits[r % len(bits)]
    return lut


PICK_BIT = _pick_bit_table()
POPCOUNT = np.array([bin(m).count("1") for m in range(32)], dtype=np.int64)


def lay_out(tr: Trajectories, rng: np.random.Generator) -> Layout:
    """The days of every session (and the switch-point noise), before the functions."""
    n = tr.n_sessions
    tid = np.repeat(np.arange(len(n)), n)
    seq = within_segment_index(n)
    only_group = tr.setting_set == 4  # bit of "group"
    gap = np.where(
        only_group[tid],
        7.0 + rng.integers(-1, 2, len(tid)),
        7.0 * (0.5 + rng.gamma(GAP_SHAPE, GAP_SCALE_WEEKS, len(tid))),
    )
    gap[seq == 0] = 0.0
    cum = np.cumsum(gap)
    cum = cum - np.repeat(cum[segment_starts(n)], n)
    span = cum[segment_starts(n) + n - 1]
    squeeze = np.where(span > 364, 364.0 / np.maximum(span, 1), 1.0)
    day = tr.start[tid] + np.floor(cum * squeeze[tid]).astype(np.int64)
    jitter = rng.uniform(-0.1, 0.1, len(n))
    return Layout(tid, seq, day, span, squeeze, jitter)


def switch_index(
    n: NDArray[np.int64], fraction: float | NDArray[np.float64], jitter: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Position of a "both" trajectory's first treatment session (at least one of each)."""
    phi = np.clip(fraction + jitter, 0.05, 0.95)
    out: NDArray[np.int64] = np.maximum(1, np.minimum(n - 1, np.rint(n * phi))).astype(np.int64)
    return out


def build_services(tr: Trajectories, rng: np.random.Generator) -> Services:
    n = tr.n_sessions
    lay = tr.layout if tr.layout is not None else lay_out(tr, rng)
    tid, seq, day, span, squeeze = lay.tid, lay.seq, lay.day, lay.span, lay.squeeze
    # function: "both" trajectories move from support to treatment after a share of sessions
    switch = tr.switch if tr.switch is not None else switch_index(n, tr.switch_fraction, lay.jitter)
    pattern = tr.pattern[tid]
    function = np.where(pattern == 2, np.where(seq < switch[tid], 0, 1), pattern).astype(np.int8)
    mask = tr.setting_set[tid].astype(np.int64)
    r = rng.random(len(tid))
    pick = np.floor(r * POPCOUNT[mask]).astype(np.int64)
    setting = PICK_BIT[mask, np.minimum(pick, 4)]
    # outreach weighted against the set's other settings (one draw decides both)
    k = POPCOUNT[mask]
    multi_out = ((mask & 2) != 0) & (k >= 2)
    w = np.broadcast_to(np.asarray(tr.outreach_weight, dtype=np.float64), (len(n),))[tid]
    p_out = np.where(multi_out, w / (w + k - 1), 0.0)
    rest = mask & ~2
    r_rest = (r - p_out) / np.maximum(1.0 - p_out, 1e-12)
    other = PICK_BIT[rest, np.clip(np.floor(r_rest * POPCOUNT[rest]).astype(np.int64), 0, 4)]
    setting = np.where(multi_out, np.where(r < p_out, 1, other), setting)
    # the first sessions visit every setting of the set once (first setting first), so a
    # multi-setting trajectory with enough sessions really shows several settings
    rank_first = np.argmax(PICK_BIT[mask] == tr.first_setting[tid][:, None], axis=1)
    cover = (seq >= 1) & (seq < POPCOUNT[mask])
    setting = np.where(
        cover, PICK_BIT[mask, (rank_first + seq) % np.maximum(POPCOUNT[mask], 1)], setting
    )
    setting = np.where(seq == 0, tr.first_setting[tid], setting).astype(np.int8)
    # trajectory services over the trajectory and up to two months after its last session
    n_ts = rng.poisson(TRAJECTORY_SERVICES_PER_SESSION * n)
    ts_tid = np.repeat(np.arange(len(n)), n_ts)
    ts_day = tr.start[ts_tid] + np.floor(
        rng.random(len(ts_tid)) * (span[ts_tid] * squeeze[ts_tid] + 60)
    ).astype(np.int64)
    all_tid = np.concatenate([tid, ts_tid])
    all_day = np.concatenate([day, ts_day])
    keep = all_day <= tr.exit_day[all_tid]  # nothing after death or emigration
    out = Services(
        person=tr.person[all_tid],
        day=all_day.astype(np.int32),
        setting=np.concatenate(
            [setting, np.full(len(ts_tid), SETTING_TRAJECTORY_SERVICE, np.int8)]
        ),
        function=np.concatenate([function, np.full(len(ts_tid), FUNCTION_OTHER, np.int8)]),
        network_type=tr.network_type[all_tid],
        seq=np.concatenate([seq, np.full(len(ts_tid), -1)]).astype(np.int16),
        provider=tr.provider[all_tid],
        network=tr.network[all_tid],
    )
    return out.take(keep)


# a closing or follow-up consultation (a trajectory service) comes after the two months in
# which build_services sprinkles them, and within a year of the last session (assumption: the
# study prints only how many users have such services alone in a year, Table 4 "other")
CLOSING_MIN_DELAY_DAYS = 61
CLOSING_MAX_DELAY_DAYS = 365


def closing_services(
    recent: Services,
    lo: int,
    hi: int,
    present: NDArray[np.bool_],
    exit_day: NDArray[np.int32] | NDArray[np.int64],
    target_users: float,
    rng: np.random.Generator,
    not_before: NDArray[np.int64] | None = None,
) -> Services:
    """Late trajectory services of former patients, dated in the year [lo, hi].

    `recent` holds every service already placed from a year before `lo` to `hi`; `present`
    and `exit_day` are per person of the population. Persons whose services this year are
    all trajectory services are Table 4's "other" users; those already there count towards
    `target_users`, and the rest come from patients whose last service lies in the year
    before `lo` and who have none this year yet: each gets, with the probability that closes
    the gap, one trajectory service two to twelve months after that last service, inside the
    year and before they leave. The service keeps the last service's network and provider.
    `not_before` (per person, optional) is a person's earliest day for it: the caller passes
    12 months after the start for last year's starters, so that the service makes them
    patients with ELP after their first year rather than candidates for a continuation
    trajectory (which would turn the year into a session year).
    """
    if len(recent) == 0:
        return Services.empty()
    # one sort key for (person, day): cheaper than a two-key sort at national scale
    d0 = int(recent.day.min())
    span = int(recent.day.max()) - d0 + 1
    order = np.argsort(recent.person.astype(np.int64) * span + (recent.day - d0), kind="stable")
    person, day = recent.person[order], recent.day[order].astype(np.int64)
    in_year = day >= lo
    first = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    persons = person[first]
    count = np.diff(np.append(first, len(person)))
    this_year = np.add.reduceat(in_year.astype(np.int64), first)
    session_this_year = np.add.reduceat(
        (in_year & (recent.setting[order] != SETTING_TRAJECTORY_SERVICE)).astype(np.int64), first
    )
    already = int(((this_year > 0) & (session_this_year == 0)).sum())
    last = first + count - 1  # latest service of the person (none this year for candidates)
    earliest = np.maximum(day[last] + CLOSING_MIN_DELAY_DAYS, lo)
    if not_before is not None:
        earliest = np.maximum(earliest, not_before[persons])
    latest = np.minimum(
        np.minimum(day[last] + CLOSING_MAX_DELAY_DAYS, hi), exit_day[persons].astype(np.int64)
    )
    candidate = (this_year == 0) & present[persons] & (earliest <= latest)
    p = float(np.clip((target_users - already) / max(int(candidate.sum()), 1), 0.0, 1.0))
    chosen = np.flatnonzero(candidate & (rng.random(len(persons)) < p))
    src = order[last[chosen]]
    window = latest[chosen] - earliest[chosen] + 1
    new_day = earliest[chosen] + np.floor(rng.random(len(chosen)) * window).astype(np.int64)
    k = len(chosen)
    return Services(
        person=recent.person[src],
        day=new_day.astype(np.int32),
        setting=np.full(k, SETTING_TRAJECTORY_SERVICE, np.int8),
        function=np.full(k, FUNCTION_OTHER, np.int8),
        network_type=recent.network_type[src],
        seq=np.full(k, -1, np.int16),
        provider=recent.provider[src],
        network=recent.network[src],
    )
