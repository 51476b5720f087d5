#!/usr/bin/env python3
"""Benchmark: generate a synthetic extract and build the warehouse at several scales.

For every scale it records wall time and peak resident memory of the generator and of
`dbt build` (each run in its own process, measured from outside), the size of the extract
and its row counts, and appends them to a JSON-lines results file plus a Markdown table.

    .venv/bin/python scripts/benchmark.py --scales 0.01 0.1 1.0
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


def run_scale(scale: float, seed: int, work: Path, results: list[StepResult]) -> dict[str, object]:
    raw = work / f"scale_{scale}" / "raw"
    wh = work / f"scale_{scale}" / "warehouse"
    shutil.rmtree(raw.parent, ignore_errors=True)
    wh.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        ELP_RAW_DIR=str(raw),
        ELP_WAREHOUSE_DIR=str(wh),
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    steps = {
        "generate": [
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
        "dbt_build": [str(BIN / "dbt"), "build", "--target-path", str(wh / "target")],
    }
    for step, cmd in steps.items():
        rc, wall, rss = measure(cmd, env, raw.parent / f"{step}.log")
        results.append(StepResult(scale, step, wall, rss, rc))
        print(f"scale {scale:<6} {step:<10} {wall:8.1f} s  {rss:8.0f} MB  rc={rc}", flush=True)
        if rc != 0:
            print(f"  failed: see {raw.parent / (step + '.log')}", flush=True)
            break
    manifest = raw.parent / "truth" / "manifest.json"
    info: dict[str, object] = {"extract_mb": round(folder_size_mb(raw), 1) if raw.exists() else 0}
    if manifest.exists():
        info["manifest"] = json.loads(manifest.read_text())
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--seed", type=int, default=20250623)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument("--keep", action="store_true", help="keep extracts and databases")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.jsonl")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="elp-bench-"))
    results: list[StepResult] = []
    extracts: dict[str, object] = {}
    for scale in args.scales:
        extracts[str(scale)] = run_scale(scale, args.seed, work, results)
        if not args.keep:
            shutil.rmtree(work / f"scale_{scale}", ignore_errors=True)

    record = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "steps": [asdict(r) for r in results],
        "extracts": extracts,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a") as out:
        out.write(json.dumps(record) + "\n")
    table = ["| scale | step | wall (s) | peak RSS (MB) | rc |", "|---|---|---|---|---|"]
    table += [
        f"| {r.scale} | {r.step} | {r.wall_seconds:.1f} | {r.peak_rss_mb:.0f} | {r.returncode} |"
        for r in results
    ]
    (args.results.parent / "latest.md").write_text("\n".join(table) + "\n")
    print("\n".join(table))
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
