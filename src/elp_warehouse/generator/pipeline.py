"""Orchestration: population -> membership -> yearly statuses, ELP and care -> files."""

from __future__ import annotations

import ctypes
import functools
import json
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar, cast

import numpy as np
from tqdm import tqdm

from elp_warehouse.generator.care import CareModel
from elp_warehouse.generator.config import (
    ELP_START_YEAR,
    GENERATOR_VERSION,
    RunConfig,
    load_geography,
    load_ima_population,
    load_insurability_codes,
    load_networks,
    load_nomenclature,
    load_prison_population,
    load_providers,
    year_end,
    year_start,
)
from elp_warehouse.generator.elp import ElpModel
from elp_warehouse.generator.events import CareWriter, affiliation_periods, members_yearly
from elp_warehouse.generator.frame import build_frame, next_year_frame
from elp_warehouse.generator.membership import Membership, simulate_membership
from elp_warehouse.generator.population import simulate_population
from elp_warehouse.generator.providers import ProviderPool
from elp_warehouse.generator.statuses import StatusModel
from elp_warehouse.generator.targets import load_targets, status_targets
from elp_warehouse.generator.trajectory_truth import (
    DatedCare,
    pattern_rows,
    period_flags,
    prior_care_feedback,
    prior_care_rows,
    transition_rows,
    transitions_cohort,
)
from elp_warehouse.generator.truth import (
    Truth,
    cohort_sessions,
    population_table,
    write_truth,
)
from elp_warehouse.generator.writer import TableWriter


@dataclass
class GenerationReport:
    out_dir: Path
    truth_dir: Path
    scale: float
    seed: int
    rows: dict[str, int]
    truth_rows: dict[str, int]
    wall_seconds: float
    peak_rss_mb: float
    solved: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"Synthetic extract (scale {self.scale}, seed {self.seed}) in {self.out_dir}",
            *(f"  {k:<24} {v:>12,} rows" for k, v in self.rows.items()),
            f"Truth aggregates in {self.truth_dir}",
            *(f"  {k:<24} {v:>12,} rows" for k, v in self.truth_rows.items()),
            f"Wall time {self.wall_seconds:.1f} s, peak memory {self.peak_rss_mb:,.0f} MB",
        ]
        return "\n".join(lines)


# multipliers of the first cohort's prior-care raking targets, by CareModel.prior_care code
# (psychiatrist, AV, psychotropics only, acute, none); later cohorts measure theirs
FIRST_COHORT_PRIOR_ADJUST = np.array([0.75, 1.0, 1.0, 1.0, 1.1])


def _restrict(mem: Membership, first_year: int, last_year: int) -> Membership:
    """Keep the spells that overlap the extract's years (the mutuality extracts those)."""
    lo, hi = year_start(first_year), year_end(last_year)
    out = []
    for s, e in ((mem.start1, mem.end1), (mem.start2, mem.end2)):
        ok = (s >= 0) & (s <= hi) & (e >= lo)
        out += [np.where(ok, s, -1).astype(np.int32), np.where(ok, e, -1).astype(np.int32)]
    return Membership(*out)


# glibc malloc: blocks above this size get their own mmap, returned to the system when freed
MMAP_THRESHOLD = 1 << 30
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (glibc malloc.h)
# glibc's own limits once its dynamic mmap threshold has reached its maximum
DEFAULT_MMAP_THRESHOLD, DEFAULT_TRIM_THRESHOLD = 32 << 20, 64 << 20

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _libc_function(name: str) -> Callable[..., int] | None:
    """A glibc malloc function, None off Linux or where the C library lacks it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_int
    return cast("Callable[..., int]", fn)


def _reusing_freed_memory(run: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run with the large blocks numpy frees kept in the process heap (glibc only), for the
    next year's arrays of the same sizes.

    By default glibc maps every block above 32 MiB on its own and unmaps it when it is freed,
    so every full-population temporary of a national year (~100 MB of float64) is paged in
    anew: 4.1 M page faults and two minutes of system time at scale 1.0. With the threshold
    set above that, freed blocks are reused, and freed memory at the top of the heap is not
    handed back before it reaches the same size. It changes no value the generator computes,
    only where numpy's blocks come from. Afterwards glibc's usual limits are set again and the
    freed memory is handed back, for whatever the process does next."""

    @functools.wraps(run)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        mallopt = _libc_function("mallopt")
        if mallopt is not None:
            mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(MMAP_THRESHOLD))
            mallopt(ctypes.c_int(M_TRIM_THRESHOLD), ctypes.c_int(MMAP_THRESHOLD))
        try:
            return run(*args, **kwargs)
        finally:
            if mallopt is not None:
                mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(DEFAULT_MMAP_THRESHOLD))
                mallopt(ctypes.c_int(M_TRIM_THRESHOLD), ctypes.c_int(DEFAULT_TRIM_THRESHOLD))
                trim = _libc_function("malloc_trim")
                if trim is not None:
                    trim(ctypes.c_size_t(0))

    return wrapper


@_reusing_freed_memory
def generate(
    out_dir: Path,
    scale: float,
    seed: int,
    first_year: int = 2010,
    last_year: int = 2024,
    extraction_date: date = date(2025, 6, 23),
    truth_dir: Path | None = None,
    progress: bool = True,
    membership_age_tilt: float | None = None,
) -> GenerationReport:
    """Simulate the population and write the extract (contract tables) and truth aggregates.

    `membership_age_tilt`: strength of the membership's age profile (see
    `simulate_membership`); None (the default) solves it so that footnote 18 holds."""
    cfg = RunConfig(
        Path(out_dir), scale, seed, first_year, last_year, extraction_date, truth_dir, progress
    )
    truth_path = Path(truth_dir) if truth_dir is not None else Path(out_dir).parent / "truth"
    started = time.perf_counter()
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    years = list(cfg.years)
    bar = tqdm(total=len(years) + 4, desc="generate", disable=not progress, unit="step")

    geo = load_geography(cfg.seeds_dir)
    cells = load_ima_population(geo, first_year, last_year, cfg.seeds_dir)
    targets = load_targets(cfg.study_figures)
    prison = load_prison_population(cfg.seeds_dir)
    pop = simulate_population(cells * scale, first_year, geo, rngs[0])
    bar.update()
    working_age = float(cells[-1, 4:13].sum())  # 20-64, for the socio-professional shares
    statuses = StatusModel(
        pop.n,
        status_targets(targets, prison, working_age),
        load_insurability_codes(cfg.seeds_dir),
        scale,
        rngs[1],
    )
    member_share = targets.members / float(cells[-1].sum())
    mem = simulate_membership(
        pop,
        geo.region_of_province,
        member_share,
        cfg.extraction_day,
        rngs[2],
        targets,
        membership_age_tilt,
    )
    mem = _restrict(mem, first_year, last_year)
    writer = TableWriter(cfg.out_dir)
    writer.write("affiliation_periods", affiliation_periods(mem, first_year, last_year))
    bar.update()

    networks = load_networks(cfg.seeds_dir)
    nomenclature = load_nomenclature(cfg.seeds_dir)
    codes = [r["insurability_code"] for r in load_insurability_codes(cfg.seeds_dir)]
    care = CareModel(pop, targets, rngs[3], years)
    elp = ElpModel(
        pop,
        geo,
        targets,
        networks,
        ProviderPool(load_providers(cfg.seeds_dir), geo, rngs[4]),
        scale,
        rngs[5],
        last_year,
        prison,
    )
    cw = CareWriter(nomenclature, list(networks.ids), cfg.extraction_day, rngs[6], rngs[7])
    truth = Truth(geo)
    dated = DatedCare(pop.n, first_year)
    care_solved: dict[int, dict[str, float]] = {}
    for y in years:
        fr = build_frame(y, pop, geo, statuses, mem)
        care.advance(y)
        known = len(elp.cohort.person)
        if y == ELP_START_YEAR:
            # no earlier cohort to learn the window-vs-calendar-year mapping from: the mapping
            # the later cohorts show (manifest `prior_care_target_multipliers`, stable over the
            # years and scales: psychiatrist ~0.75, none ~1.1)
            elp.prior_adjust[y] = FIRST_COHORT_PRIOR_ADJUST.copy()
        if y > ELP_START_YEAR and elp.cohort.person:
            last = elp.cohort.attrs["year"][-1][0] if len(elp.cohort.attrs["year"][-1]) else 0
            if last == y - 1:
                person = elp.cohort.person[-1]
                elp.prior_adjust[y] = prior_care_feedback(
                    person,
                    elp.cohort.start[-1],
                    elp.cohort.attrs["prior_care"][-1],
                    dated,
                    mem.affiliated_throughout(person, year_start(y - 3), year_end(y - 1)),
                )
        use = elp.step(fr, care.z, care.prior_care(y, fr.idx)) if y >= ELP_START_YEAR else None
        if len(elp.cohort.person) > known:
            dated.add_starters(np.concatenate(elp.cohort.person[known:]))
        elp_user = use.user if use is not None else np.zeros(len(fr.idx), dtype=np.bool_)
        yc = care.step(fr, elp_user, mem)
        dated.add_year(fr, yc)
        care_solved[y] = yc.solved
        writer.write("members_yearly", members_yearly(fr, pop, geo, codes))
        writer.write("claims", cw.claims_table(cw.year_claims(fr, yc)))
        writer.write("pharmacy_dispensings", cw.year_dispensings(fr, yc))
        writer.write("complementary_refunds", cw.year_refunds(fr, yc))
        truth.add_year(fr, use, yc)
        # this year's care and ELP use are written: gone before the next year's are built
        del use, yc
        bar.update()

    # the months after the last analysis year, until the extraction: other care goes on (the
    # 'after' period of a late 2023 starter reaches mid-2025); simulated as one more year with
    # the last year's shares, the persons still present at its end, and cut at the extraction
    fr = next_year_frame(fr, pop, mem)
    care.advance(fr.year)
    elp_next = elp.services_in(year_start(fr.year), cfg.extraction_day)
    elp_user = np.isin(fr.idx, elp_next.person)
    yc = care.step(fr, elp_user, mem, last_day=cfg.extraction_day)
    care_solved[fr.year] = yc.solved
    writer.write("claims", cw.claims_table(cw.year_claims(fr, yc)))
    writer.write("pharmacy_dispensings", cw.year_dispensings(fr, yc))
    writer.write("complementary_refunds", cw.year_refunds(fr, yc))
    dated.add_year(fr, yc, last_day=cfg.extraction_day)

    services = elp.all_services()
    service_year = (
        services.day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    for y in np.unique(service_year):
        chunk = services.take(service_year == y)
        writer.write("claims", cw.claims_table(cw.elp_claims(chunk, pop, mem, last_year)))
        if y <= last_year:
            prov = pop.province[y - first_year, chunk.person]
            truth.add_services(chunk, prov, int(y))
    writer.close()
    bar.update()

    session_rows, cohort = cohort_sessions(elp.cohort, services, geo, last_year)
    truth_rows = {
        "population": write_truth(
            truth_path, "population", population_table(truth.population_rows)
        ),
        "usage": write_truth(truth_path, "usage", truth.usage_rows),
        "sessions": write_truth(truth_path, "sessions", session_rows),
        "services": write_truth(truth_path, "services", truth.services_rows),
    }
    if cohort:
        flags = period_flags(cohort["person"], cohort["start"], dated, services)
        in_transitions = transitions_cohort(cohort, dated, cfg.extraction_day)
        truth_rows["prior_care"] = write_truth(
            truth_path, "prior_care", prior_care_rows(cohort, flags, dated, geo)
        )
        truth_rows["transitions"] = write_truth(
            truth_path, "transitions", transition_rows(cohort, flags, in_transitions)
        )
        truth_rows["patterns"] = write_truth(
            truth_path, "patterns", pattern_rows(flags, in_transitions)
        )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    solved: dict[str, object] = {
        "elp": {str(k): v for k, v in elp.solved.items()},
        "care": {str(k): v for k, v in care_solved.items()},
        "prior_care_target_multipliers": {
            str(k): [round(float(x), 4) for x in v] for k, v in elp.prior_adjust.items()
        },
        "persons_simulated": pop.n,
    }
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "first_year": first_year,
        "last_year": last_year,
        "extraction_date": extraction_date.isoformat(),
        "rows": writer.rows,
        "truth_rows": truth_rows,
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(peak, 1),
        "solved": solved,
    }
    truth_path.mkdir(parents=True, exist_ok=True)
    (truth_path / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    bar.update()
    bar.close()
    return GenerationReport(
        cfg.out_dir, truth_path, scale, seed, dict(writer.rows), truth_rows, wall, peak, solved
    )
