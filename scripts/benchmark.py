#!/usr/bin/env python3
"""Benchmark: generate a synthetic extract and build the warehouse at several scales.

For every scale it records wall time and peak resident memory of the generator and of
`dbt build` (each run in its own process, measured from outside), the size of the extract
and its row counts, and appends them to a JSON-lines results file plus a Markdown table.

    .venv/bin/python scripts/benchmark.py --scales 0.01 0.1 1.0
    .venv/bin/python scripts/benchmark.py --scales 1.0 --extract data/raw1 --incremental

Steps per scale: generate (unless --extract), raw_floor (one DuckDB pass over the raw Parquet
grouped by member and year), raw_copy (every raw table copied once into a new DuckDB database,
then deleted; both in scripts/raw_floor.py), and full_build (`dbt build`). With
--incremental: previous_month_build (full build of the extract cut one month before its
extraction date), incremental_build (`dbt build` on the whole extract over that warehouse;
as `elp nightly`, without the seeds' own data tests, which passed in the previous month's
build: src/elp_warehouse/seed_tests.py), then full_build with --full-refresh. The slowest
dbt nodes of each build are recorded.
--increment-repeats N runs the incremental build N times, each on a fresh copy of the
previous month's warehouse: whole builds vary by 10-20 % from one run to the next on a
shared machine, so one increment is a weak basis for comparing code (docs/benchmark.md).
--keep keeps the extracts and the warehouses, the previous month's included
(`scale_<s>/warehouse_previous_month`), from which an increment can be run again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from elp_warehouse import seed_tests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# The child reports its own peak RSS: getrusage(RUSAGE_CHILDREN) after waiting for the command.
MEASURE = (
    "import resource, subprocess, sys, time;"
    "t = time.perf_counter(); rc = subprocess.call(sys.argv[1:]);"
    "w = time.perf_counter() - t;"
    "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
    "print(f'__MEASURE__ {rc} {w:.3f} {m}', file=sys.stderr); sys.exit(rc)"
)


@dataclass
class StepResult:
    scale: float
    step: str
    wall_seconds: float
    peak_rss_mb: float
    returncode: int
    # size of the working database after the step (none for steps that build none): nightly
    # deletes and inserts must not grow the file without bound
    database_mb: float | None = None


def measure(cmd: list[str], env: dict[str, str], log: Path) -> tuple[int, float, float]:
    with log.open("w") as out:
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, *cmd],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        out.write(proc.stderr)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("__MEASURE__"))
    _, rc, wall, rss_kb = line.split()
    return int(rc), float(wall), int(rss_kb) / 1024


def folder_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# The one-month increment: what the previous night's extract held (the event tables' lines
# booked by then; member tables unchanged).
INCREMENT_TABLES = ("claims", "pharmacy_dispensings", "complementary_refunds")


def cut_extract(full: Path, out: Path, cut: str) -> None:
    """Copy of extract `full` as it stood on date `cut`."""
    import duckdb

    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(full, out)
    con = duckdb.connect()
    for table in INCREMENT_TABLES:
        shutil.rmtree(out / table)
        con.execute(
            f"copy (select * from read_parquet('{full}/{table}/**/*.parquet')"
            f" where booking_date <= date '{cut}')"
            f" to '{out}/{table}' (format parquet, per_thread_output)"
        )
    con.close()


def slowest_nodes(target: Path, n: int = 12) -> list[dict[str, object]]:
    results = target / "run_results.json"
    if not results.exists():
        return []
    nodes = json.loads(results.read_text())["results"]
    nodes.sort(key=lambda r: -r["execution_time"])
    return [
        {"node": r["unique_id"].split(".", 2)[-1], "seconds": round(r["execution_time"], 1)}
        for r in nodes[:n]
    ]


def run_scale(
    scale: float,
    seed: int,
    work: Path,
    results: list[StepResult],
    extract: Path | None,
    incremental: bool,
    increment_repeats: int = 1,
    unit_tests: bool = False,
    keep: bool = False,
) -> dict[str, object]:
    base = work / f"scale_{scale}"
    raw = extract or base / "raw"
    wh = base / "warehouse"
    if extract is None:
        shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(wh, ignore_errors=True)
    wh.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        ELP_RAW_DIR=str(raw),
        ELP_WAREHOUSE_DIR=str(wh),
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    dbt_build = [str(BIN / "dbt"), "build", "--target-path", str(wh / "target")]
    if not unit_tests:
        # as a production run (docs/operations.md): unit tests check the code, in CI
        dbt_build += ["--exclude-resource-type", "unit_test"]
    steps: list[tuple[str, list[str], dict[str, str]]] = []
    if extract is None:
        generate = [str(BIN / "elp"), "generate", "--scale", str(scale), "--seed", str(seed)]
        steps.append(("generate", [*generate, "--out", str(raw), "--no-progress"], env))
    floor = [sys.executable, str(ROOT / "scripts" / "raw_floor.py"), str(raw)]
    steps.append(("raw_floor", floor, env))
    copy = base / "raw_copy.duckdb"
    # a copy left by an interrupted run: raw_floor.py refuses to write over a database
    for leftover in (copy, copy.with_name(copy.name + ".wal")):
        leftover.unlink(missing_ok=True)
    steps.append(("raw_copy", [*floor, "--copy", str(copy)], env))
    if incremental:
        previous = base / "raw_previous_month"
        steps.append(("previous_month_build", dbt_build, {**env, "ELP_RAW_DIR": str(previous)}))
        steps += [("incremental_build", dbt_build, env)] * increment_repeats
        steps.append(("full_build", [*dbt_build, "--full-refresh"], env))
    else:
        steps.append(("full_build", dbt_build, env))
    info: dict[str, object] = {}
    seeds_fingerprint = seed_tests.fingerprint(ROOT)
    # the previous month's warehouse, copied when the increment is repeated on fresh copies of
    # it, and with --keep: comparing code on the same increment starts from it
    previous_wh = base / "warehouse_previous_month"
    increments_run = 0
    for step, cmd, step_env in steps:
        if step == "incremental_build" and (increment_repeats > 1 or keep):
            if increments_run == 0:
                shutil.rmtree(previous_wh, ignore_errors=True)
                shutil.copytree(wh, previous_wh)
            else:
                shutil.rmtree(wh)
                shutil.copytree(previous_wh, wh)
            increments_run += 1
        elif step == "full_build" and not keep:
            shutil.rmtree(previous_wh, ignore_errors=True)
        if step.endswith("_build"):
            # the extract's own cut-off, as `elp nightly` passes it (dbt_project.yml): an
            # environment variable, not --vars
            manifest = json.loads((raw.parent / "truth" / "manifest.json").read_text())
            cut = datetime.fromisoformat(manifest["extraction_date"]).date()
            step_env = {**step_env, "ELP_EXTRACTION_DATE": cut.isoformat()}
        if step == "previous_month_build":
            cut = (
                cut.replace(month=cut.month - 1)
                if cut.month > 1
                else cut.replace(year=cut.year - 1, month=12)
            )
            cut_extract(raw, previous, cut.isoformat())
            step_env = {**step_env, "ELP_EXTRACTION_DATE": cut.isoformat()}
        if step == "incremental_build" and seed_tests.already_passed(wh, seeds_fingerprint):
            # as `elp nightly`: the seeds' own data tests passed on these seeds and code
            cmd = [*cmd, "--selector", seed_tests.SELECTOR]
        started = datetime.now(UTC)
        rc, wall, rss = measure(cmd, step_env, base / f"{step}.log")
        if step.endswith("_build"):
            seed_tests.record_if_passed(wh, wh / "target", seeds_fingerprint, started)
        database = wh / "elp.duckdb"
        built = step.endswith("_build") and database.exists()
        size = round(database.stat().st_size / 2**20, 1) if built else None
        results.append(StepResult(scale, step, wall, rss, rc, size))
        on_disk = f"  database {size:8.0f} MB" if size is not None else ""
        print(
            f"scale {scale:<6} {step:<22} {wall:8.1f} s  {rss:8.0f} MB  rc={rc}{on_disk}",
            flush=True,
        )
        if step.endswith("_build"):
            # repeated increments: the slowest nodes of the first run
            info.setdefault(f"slowest_{step}", slowest_nodes(wh / "target"))
        if rc != 0:
            print(f"  failed: see {base / (step + '.log')}", flush=True)
            break
    manifest_path = raw.parent / "truth" / "manifest.json"
    info["extract_mb"] = round(folder_size_mb(raw), 1) if raw.exists() else 0
    if manifest_path.exists():
        info["manifest"] = json.loads(manifest_path.read_text())
    return info


def ratios(results: list[StepResult]) -> list[str]:
    """The budget's ratios per scale (issue 7): build / read floor, build / write floor,
    increment / full build. The full build is the previous month's when there is one (the
    build the increment is compared with), else the full build."""
    lines: list[str] = []
    for scale in dict.fromkeys(r.scale for r in results):
        walls: dict[str, list[float]] = {}
        for r in results:
            if r.scale == scale and r.returncode == 0:
                walls.setdefault(r.step, []).append(r.wall_seconds)
        builds = walls.get("previous_month_build") or walls.get("full_build")
        if not builds:
            continue
        full = builds[0]
        found = [
            f"build / {name} {full / walls[step][0]:.1f}x"
            for step, name in (("raw_floor", "read floor"), ("raw_copy", "write floor"))
            if step in walls
        ]
        found += [
            f"increment / build {100 * wall / full:.1f} %"
            for wall in walls.get("incremental_build", [])
        ]
        if found:
            lines.append(f"\nscale {scale}: " + ", ".join(found))
    return lines


def git_commit() -> str | None:
    """The checked-out commit of the code being measured, if this is a git work tree."""
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--seed", type=int, default=20250623)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the extracts and databases, the previous month's warehouse included",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.jsonl")
    parser.add_argument("--extract", type=Path, default=None, help="reuse this extract (one scale)")
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="also build the extract as it stood a month earlier, then the incremental build",
    )
    parser.add_argument(
        "--increment-repeats",
        type=int,
        default=1,
        help="with --incremental: run the increment this many times, each on a fresh copy of"
        " the previous month's warehouse",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="run the dbt unit tests in every build (default: excluded, as in production)",
    )
    args = parser.parse_args()
    if args.increment_repeats < 1:
        parser.error("--increment-repeats must be at least 1")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="elp-bench-"))
    results: list[StepResult] = []
    extracts: dict[str, object] = {}
    for scale in args.scales:
        extracts[str(scale)] = run_scale(
            scale,
            args.seed,
            work,
            results,
            args.extract,
            args.incremental,
            args.increment_repeats,
            args.unit_tests,
            args.keep,
        )
        if not args.keep:
            shutil.rmtree(work / f"scale_{scale}", ignore_errors=True)

    record = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        # what was measured: the code, the dbt threads (profiles.yml default: 2), and whether
        # the builds ran the unit tests
        "commit": git_commit(),
        "dbt_threads": int(os.environ.get("ELP_DBT_THREADS", "2")),
        "unit_tests": args.unit_tests,
        "steps": [asdict(r) for r in results],
        "extracts": extracts,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a") as out:
        out.write(json.dumps(record) + "\n")
    table = [
        "| scale | step | wall (s) | peak RSS (MB) | database (MB) | rc |",
        "|---|---|---|---|---|---|",
    ]
    table += [
        f"| {r.scale} | {r.step} | {r.wall_seconds:.1f} | {r.peak_rss_mb:.0f}"
        f" | {'' if r.database_mb is None else f'{r.database_mb:.0f}'} | {r.returncode} |"
        for r in results
    ]
    table += ratios(results)
    (args.results.parent / "latest.md").write_text("\n".join(table) + "\n")
    print("\n".join(table))
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
