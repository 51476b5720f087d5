#!/usr/bin/env python3
"""Benchmark: build the warehouse at several scales against its floors and a pandas peer.

For every scale it records wall time and peak resident memory of each step (each run in its
own process, measured from outside), the size of the extract and its row counts, appends them
to a JSON-lines results file and writes a Markdown summary.

    .venv/bin/python scripts/benchmark.py                      # scales 0.01 0.1 0.25 1.0
    .venv/bin/python scripts/benchmark.py --scales 1.0 --extract 1.0=/work/extracts/s1.0

Steps per scale:
- generate: the synthetic extract (`elp generate`), unless `--extract` gives one;
- raw_floor: the read floor, one DuckDB pass over the raw Parquet grouped by member and year;
- raw_copy: the write floor, every raw table copied once into a new DuckDB database, then
  deleted (both in scripts/raw_floor.py);
- full_build: `dbt build` of the extract into a new warehouse, unit tests excluded as in
  production (`--unit-tests` runs them), with the extract's own extraction date;
- peer: scripts/peer_pandas.py, the core indicators in plain pandas from the same extract.

The summary gives per scale: build / write floor, build / read floor, peer / build and the
peak memory of the build and of the peer.

`--extract` reuses pre-generated extracts, per scale (`SCALE=PATH`, repeatable) or, with one
scale, as a bare PATH. The extraction date comes from the generator's manifest, in the folder
`truth` inside the extract or beside it (the generator's default); the build and the peer
fall back to dbt's default date without one. `--keep` keeps the
generated extracts, the warehouses and the peer's results.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_SCALES = [0.01, 0.1, 0.25, 1.0]

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
    # size of the working database after a build (none for the other steps)
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


def parse_extracts(values: list[str], scales: list[float]) -> dict[float, Path]:
    """`--extract` values: `SCALE=PATH` per scale, or one bare PATH when one scale is run."""
    extracts: dict[float, Path] = {}
    for value in values:
        scale_text, sep, path = value.partition("=")
        if not sep:
            if len(scales) != 1:
                raise ValueError(f"--extract {value}: give SCALE=PATH when running several scales")
            extracts[scales[0]] = Path(value)
            continue
        try:
            scale = float(scale_text)
        except ValueError:
            raise ValueError(f"--extract {value}: {scale_text!r} is not a scale") from None
        if scale not in scales:
            raise ValueError(f"--extract {value}: scale {scale} is not among --scales {scales}")
        extracts[scale] = Path(path)
    return extracts


def find_manifest(raw: Path) -> Path | None:
    """The generator's manifest of the extract in `raw`: `truth/` inside it, else `truth/`
    beside it (the generator's default for `elp generate --out raw`, which two extracts
    generated into one folder share: the one inside is the extract's own)."""
    for candidate in (raw / "truth" / "manifest.json", raw.parent / "truth" / "manifest.json"):
        if candidate.exists():
            return candidate
    return None


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
    unit_tests: bool = False,
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
    floor = [sys.executable, str(ROOT / "scripts" / "raw_floor.py"), str(raw)]
    copy = base / "raw_copy.duckdb"
    # a copy left by an interrupted run: raw_floor.py refuses to write over a database
    for leftover in (copy, copy.with_name(copy.name + ".wal")):
        leftover.unlink(missing_ok=True)
    peer_out = base / "peer.json"
    peer = [sys.executable, str(ROOT / "scripts" / "peer_pandas.py"), str(raw)]
    steps: list[tuple[str, list[str]]] = []
    if extract is None:
        generate = [str(BIN / "elp"), "generate", "--scale", str(scale), "--seed", str(seed)]
        steps.append(("generate", [*generate, "--out", str(raw), "--no-progress"]))
    steps += [
        ("raw_floor", floor),
        ("raw_copy", [*floor, "--copy", str(copy)]),
        ("full_build", dbt_build),
        ("peer", [*peer, "--out", str(peer_out)]),
    ]
    info: dict[str, object] = {}
    for step, cmd in steps:
        step_env = env
        if step in ("full_build", "peer"):
            # the extract's own cut-off, as `elp nightly` passes it (dbt_project.yml): an
            # environment variable, not --vars; the peer reads the same variable
            manifest = find_manifest(raw)
            if manifest is not None:
                cut = json.loads(manifest.read_text())["extraction_date"]
                step_env = {**env, "ELP_EXTRACTION_DATE": cut}
        rc, wall, rss = measure(cmd, step_env, base / f"{step}.log")
        database = wh / "elp.duckdb"
        built = step == "full_build" and database.exists()
        size = round(database.stat().st_size / 2**20, 1) if built else None
        results.append(StepResult(scale, step, wall, rss, rc, size))
        on_disk = f"  database {size:8.0f} MB" if size is not None else ""
        print(
            f"scale {scale:<6} {step:<12} {wall:8.1f} s  {rss:8.0f} MB  rc={rc}{on_disk}",
            flush=True,
        )
        if step == "full_build":
            info["slowest_full_build"] = slowest_nodes(wh / "target")
        if rc != 0:
            print(f"  failed: see {base / (step + '.log')}", flush=True)
            if step == "generate":
                break
    manifest_path = find_manifest(raw)
    info["extract"] = str(raw)
    info["extract_mb"] = round(folder_size_mb(raw), 1) if raw.exists() else 0
    if manifest_path is not None:
        manifest = json.loads(manifest_path.read_text())
        info["manifest"] = manifest
        if float(manifest.get("scale", scale)) != scale:
            print(
                f"  note: {manifest_path} is of scale {manifest['scale']}, not {scale}",
                flush=True,
            )
    if peer_out.exists():
        info["peer_timings"] = json.loads(peer_out.read_text())["timings"]
    return info


@dataclass
class ScaleSummary:
    scale: float
    build_seconds: float | None
    build_over_write_floor: float | None
    build_over_read_floor: float | None
    peer_seconds: float | None
    peer_over_build: float | None
    build_peak_mb: float | None
    peer_peak_mb: float | None


def summarise(results: list[StepResult]) -> list[ScaleSummary]:
    """Per scale, from the successful steps: build / write floor, build / read floor,
    peer / build (wall times) and the peak memory of the build and of the peer. A ratio is
    None when one of its steps failed or did not run."""
    summaries: list[ScaleSummary] = []
    for scale in dict.fromkeys(r.scale for r in results):
        done = {r.step: r for r in results if r.scale == scale and r.returncode == 0}

        def wall(step: str, done: dict[str, StepResult] = done) -> float | None:
            return done[step].wall_seconds if step in done else None

        def peak(step: str, done: dict[str, StepResult] = done) -> float | None:
            return done[step].peak_rss_mb if step in done else None

        def ratio(top: float | None, bottom: float | None) -> float | None:
            return top / bottom if top is not None and bottom else None

        build, peer = wall("full_build"), wall("peer")
        summaries.append(
            ScaleSummary(
                scale=scale,
                build_seconds=build,
                build_over_write_floor=ratio(build, wall("raw_copy")),
                build_over_read_floor=ratio(build, wall("raw_floor")),
                peer_seconds=peer,
                peer_over_build=ratio(peer, build),
                build_peak_mb=peak("full_build"),
                peer_peak_mb=peak("peer"),
            )
        )
    return summaries


def summary_table(summaries: list[ScaleSummary]) -> list[str]:
    """The Markdown table of `summarise`'s rows (empty cells: a step failed or did not run)."""

    def cell(value: float | None, form: str, unit: str = "") -> str:
        return "" if value is None else format(value, form) + unit

    lines = [
        "| scale | build (s) | build / write floor | build / read floor | peer (s)"
        " | peer / build | build peak (MB) | peer peak (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        cells = [
            str(s.scale),
            cell(s.build_seconds, ".1f"),
            cell(s.build_over_write_floor, ".1f", "x"),
            cell(s.build_over_read_floor, ".1f", "x"),
            cell(s.peer_seconds, ".1f"),
            cell(s.peer_over_build, ".2f", "x"),
            cell(s.build_peak_mb, ".0f"),
            cell(s.peer_peak_mb, ".0f"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def git_commit() -> str | None:
    """The checked-out commit of the code being measured, if this is a git work tree."""
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or None


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=DEFAULT_SCALES)
    parser.add_argument("--seed", type=int, default=20250623)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument(
        "--keep", action="store_true", help="keep the extracts, warehouses and peer results"
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.jsonl")
    parser.add_argument(
        "--extract",
        action="append",
        default=[],
        metavar="[SCALE=]PATH",
        help="reuse this extract for SCALE (repeatable; a bare PATH with one scale)",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="run the dbt unit tests in the build (default: excluded, as in production)",
    )
    args = parser.parse_args()
    try:
        extracts = parse_extracts(args.extract, args.scales)
    except ValueError as error:
        parser.error(str(error))

    work = args.workdir or Path(tempfile.mkdtemp(prefix="elp-bench-"))
    results: list[StepResult] = []
    scales_info: dict[str, object] = {}
    for scale in args.scales:
        scales_info[str(scale)] = run_scale(
            scale, args.seed, work, results, extracts.get(scale), args.unit_tests
        )
        if not args.keep:
            shutil.rmtree(work / f"scale_{scale}", ignore_errors=True)

    summaries = summarise(results)
    record: dict[str, Any] = {
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
        "summary": [asdict(s) for s in summaries],
        "extracts": scales_info,
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
    table += ["", *summary_table(summaries)]
    (args.results.parent / "latest.md").write_text("\n".join(table) + "\n")
    print("\n".join(table))
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
