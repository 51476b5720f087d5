#!/usr/bin/env python3
"""Coverage of the warehouse's 95 % confidence intervals over repeated synthetic samples.

For each seed: generate a population and a biased mutuality (scale small enough to be quick),
build the usage marts weighted to the simulated population, and check for every year x
dimension x category whether the interval of the weighted usage rate contains the
full-population rate. Prints coverage overall and per dimension; appends to bench/coverage.jsonl.

    .venv/bin/python scripts/ci_coverage.py --seeds 10 --scale 0.01
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEARS = (2022, 2023)  # fully billed years with enough users in every subgroup
PRISON_RULE = {"detained", "detained_female", "detained_male"}


def build(seed: int, scale: float, work: Path) -> tuple[Path, Path]:
    raw, wh = work / f"s{seed}" / "raw", work / f"s{seed}" / "warehouse"
    wh.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(BIN / "elp"),
            "generate",
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--out",
            str(raw),
            "--no-progress",
        ],
        check=True,
        capture_output=True,
    )
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        ELP_RAW_DIR=str(raw),
        ELP_WAREHOUSE_DIR=str(wh),
    )
    truth = raw.parent / "truth"
    proc = subprocess.run(
        [
            str(BIN / "dbt"),
            "build",
            "--select",
            "+mart_elp_usage",
            "--indirect-selection",
            "cautious",
            "--target-path",
            str(wh / "target"),
            "--log-path",
            str(wh / "logs"),
            "--vars",
            json.dumps({"ima_population_path": str(truth / "population.parquet")}),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-4000:])
    return wh / "elp.duckdb", truth


def intervals(db: Path, truth: Path) -> list[tuple[str, bool]]:
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            f"""
            select m.dimension, m.usage_rate_ci_low <= t.elp_users / t.population
                and t.elp_users / t.population <= m.usage_rate_ci_high
            from marts.mart_elp_usage as m
            inner join read_parquet('{truth / "usage.parquet"}') as t
                on t.year = m.year and t.dimension = m.dimension and t.category = m.category
            where m.year in {YEARS} and t.population > 0 and t.members > 0
                and m.category not in {tuple(PRISON_RULE)}
            """
        ).fetchall()
    return [(str(d), bool(c)) for d, c in got]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "coverage.jsonl")
    args = parser.parse_args()

    per_dim: dict[str, list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="elp-coverage-") as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            db, truth = build(seed, args.scale, Path(tmp))
            got = intervals(db, truth)
            for dim, inside in got:
                per_dim[dim].append(inside)
            share = sum(c for _, c in got) / len(got)
            print(
                f"seed {seed}: {sum(c for _, c in got)}/{len(got)} intervals cover ({share:.3f})",
                flush=True,
            )
    everything = [c for v in per_dim.values() for c in v]
    summary = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "seeds": args.seeds,
        "scale": args.scale,
        "years": list(YEARS),
        "intervals": len(everything),
        "coverage": sum(everything) / len(everything),
        "per_dimension": {d: round(sum(v) / len(v), 4) for d, v in sorted(per_dim.items())},
    }
    print(json.dumps(summary, indent=2))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a") as out:
        out.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
