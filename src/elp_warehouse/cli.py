"""Command-line entry point: `elp generate | build | nightly | runs | publish | report | compare |
where`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from elp_warehouse import paths


def _cmd_generate(args: argparse.Namespace) -> int:
    from elp_warehouse.generator import generate

    out = Path(args.out).resolve()
    truth = Path(args.truth_dir).resolve() if args.truth_dir else out.parent / "truth"
    report = generate(
        out_dir=out,
        scale=args.scale,
        seed=args.seed,
        first_year=args.first_year,
        last_year=args.last_year,
        extraction_date=date.fromisoformat(args.extraction_date),
        truth_dir=truth,
        progress=not args.no_progress,
    )
    print(report)
    return 0


def dbt_env(raw_dir: Path | None = None, warehouse_dir: Path | None = None) -> dict[str, str]:
    """Environment for a dbt subprocess: the project's profile, no tracking, chosen folders."""
    env = dict(os.environ)
    env["DBT_PROFILES_DIR"] = str(paths.PROJECT_ROOT)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    env["ELP_RAW_DIR"] = str(raw_dir or paths.raw_dir())
    env["ELP_WAREHOUSE_DIR"] = str(warehouse_dir or paths.warehouse_dir())
    return env


def run_dbt(args: list[str], env: dict[str, str]) -> int:
    Path(env["ELP_WAREHOUSE_DIR"]).mkdir(parents=True, exist_ok=True)
    cmd = [str(paths.dbt_executable()), *args]
    return subprocess.run(cmd, cwd=paths.PROJECT_ROOT, env=env, check=False).returncode


def _cmd_build(args: argparse.Namespace) -> int:
    env = dbt_env(Path(args.raw_dir).resolve() if args.raw_dir else None)
    dbt_args = ["build", *(["--vars", args.vars] if args.vars else [])]
    dbt_args += ["--select", *args.select] if args.select else []
    rc = run_dbt(dbt_args, env)
    if rc != 0 or args.no_publish:
        return rc  # a failed build never touches the published snapshot
    return _publish(dbt_vars=args.vars)


def nightly_vars(extra: str | None) -> str | None:
    """The --vars of a night, as JSON, or None: the user's vars (YAML)."""
    import yaml

    merged: dict[str, object] = {}
    if extra:
        given = yaml.safe_load(extra)
        if not isinstance(given, dict):
            raise SystemExit(f"--vars must be a YAML mapping, got: {extra!r}")
        merged.update(given)
    return json.dumps(merged) if merged else None


def nightly_env(env: dict[str, str], extraction_date: str, run_date: str | None) -> dict[str, str]:
    """`env` with the night's dates, which dbt_project.yml reads into vars extraction_date and
    run_date: set in the environment, not in --vars, whose change every night would make dbt
    parse the whole project again (dbt_project.yml). The run date is today unless given: a
    night measures the extract's freshness against the day it runs."""
    dated = dict(env, ELP_EXTRACTION_DATE=date.fromisoformat(extraction_date).isoformat())
    day = date.fromisoformat(run_date) if run_date else date.today()
    dated["ELP_RUN_DATE"] = day.isoformat()
    return dated


def _cmd_nightly(args: argparse.Namespace) -> int:
    """docs/operations.md: freshness gate, full build, publish, the night's run log."""
    env = nightly_env(
        dbt_env(Path(args.raw_dir).resolve() if args.raw_dir else None),
        args.extraction_date,
        args.run_date,
    )
    if not args.unit_tests:
        # unit tests check the code, not the night's data: CI runs them (make test)
        env["DBT_EXCLUDE_RESOURCE_TYPES"] = "unit_test"
    dbt_vars = nightly_vars(args.vars)
    given = ["--vars", dbt_vars] if dbt_vars else []
    # the gate: model extract_freshness and its tests, before anything else is built
    rc = run_dbt(["build", "--select", "extract_freshness", *given], env)
    if rc != 0:
        print(
            "nightly: stopped, the extract failed the freshness gate (stale or unreadable);"
            " nothing else was built and the published snapshot is unchanged",
            file=sys.stderr,
        )
        print_run_log(last=1)
        return rc
    rc = run_dbt(["build", *given], env)
    if rc == 0 and not args.no_publish:
        rc = _publish(dbt_vars=dbt_vars)
    print_run_log(last=2)
    return rc


# the run log columns `elp runs` shows, in order
RUN_LOG_SUMMARY = (
    "started_at",
    "command",
    "status",
    "duration_s",
    "models_built",
    "tests_passed",
    "tests_failed",
    "tests_errored",
    "rows_read",
    "rows_quarantined",
    "freshness_status",
    "message",
)


def print_run_log(last: int) -> bool:
    """Print the latest `last` rows of ops.run_log, newest last; False when there is none."""
    import duckdb

    db = paths.database_path()
    if not db.exists():
        print(f"run log: no warehouse at {db}", file=sys.stderr)
        return False
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables"
                " where table_schema = 'ops' and table_name = 'run_log'"
            ).fetchone()
            if not found or found[0] == 0:
                print(f"run log: {db} holds no run yet", file=sys.stderr)
                return False
            rows = con.execute(
                f"select {', '.join(RUN_LOG_SUMMARY)} from ("
                "select * from ops.run_log order by started_at desc limit ?"
                ") as latest order by started_at",
                [last],
            ).fetchall()
    except duckdb.IOException as exc:  # a build holds the database's write lock
        print(f"run log: cannot open {db} now: {exc}", file=sys.stderr)
        return False
    for row in rows:
        entry = dict(zip(RUN_LOG_SUMMARY, row, strict=True))
        message = entry.pop("message")
        if isinstance(entry["duration_s"], float):
            entry["duration_s"] = round(entry["duration_s"], 1)
        print("  ".join(f"{name}={value}" for name, value in entry.items()))
        if message:
            print(f"  message: {str(message)[:500]}")
    return True


def _cmd_runs(args: argparse.Namespace) -> int:
    return 0 if print_run_log(last=args.last) else 1


def _publish(dbt_vars: str | None = None, min_cell_size: int | None = None) -> int:
    from elp_warehouse.publish import PublishError, publish

    try:
        result = publish(dbt_vars=dbt_vars, min_cell_size=min_cell_size)
    except PublishError as exc:
        print(f"publish failed, previous snapshot kept: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    return _publish(dbt_vars=args.vars, min_cell_size=args.min_cell_size)


def _cmd_report(args: argparse.Namespace) -> int:
    from elp_warehouse.report import render_report

    out = render_report(
        snapshot=Path(args.snapshot) if args.snapshot else None,
        out=Path(args.out) if args.out else None,
        lang=args.lang,
    )
    print(f"Report: {out}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from elp_warehouse.compare import differences

    for db in (args.a, args.b):
        if not Path(db).is_file():
            print(f"compare: no database at {db}", file=sys.stderr)
            return 2
    found = differences(Path(args.a), Path(args.b), args.schemas)
    for difference in found:
        print(difference)
    print("same" if not found else f"{len(found)} table(s) differ")
    return 1 if found else 0


def _cmd_where(_args: argparse.Namespace) -> int:
    db = paths.database_path()
    print(f"Raw extract:        {paths.raw_dir()}")
    print(f"Working database:   {db}")
    print("Query the marts, for example:")
    print(f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', read_only=True)")
    print("      .sql('select * from marts.mart_population_weights limit 5'))\"")
    print(f"BI snapshot:        {db.parent / 'published.duckdb'} (read-only; docs/bi.md)")
    print("Run log:            .venv/bin/elp runs (nightly runs: docs/operations.md)")
    print("Docs: README.md (marts, contract), docs/ (methods, seeds, generator).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="elp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic extract that follows the contract")
    gen.add_argument("--scale", type=float, default=0.02, help="1.0 = national size")
    gen.add_argument("--seed", type=int, default=20250623)
    gen.add_argument("--out", default=str(paths.raw_dir()))
    gen.add_argument("--truth-dir", default=None, help="default: sibling 'truth' folder of --out")
    gen.add_argument("--first-year", type=int, default=2010)
    gen.add_argument("--last-year", type=int, default=2024)
    gen.add_argument("--extraction-date", default="2025-06-23")
    gen.add_argument("--no-progress", action="store_true")
    gen.set_defaults(func=_cmd_generate)

    build = sub.add_parser("build", help="dbt build of the whole warehouse")
    build.add_argument("--raw-dir", default=None, help="default: ELP_RAW_DIR or data/raw")
    build.add_argument("--vars", default=None, help="dbt --vars YAML, e.g. '{last_year: 2025}'")
    build.add_argument("--select", nargs="+", default=None, help="dbt node selection")
    build.add_argument("--no-publish", action="store_true", help="skip the BI snapshot")
    build.set_defaults(func=_cmd_build)

    night = sub.add_parser(
        "nightly",
        help="the nightly run: freshness gate, full build, publish, run log (docs/operations.md)",
    )
    night.add_argument(
        "--extraction-date", required=True, help="the new extract's cut-off date (YYYY-MM-DD)"
    )
    night.add_argument("--raw-dir", default=None, help="default: ELP_RAW_DIR or data/raw")
    night.add_argument(
        "--run-date",
        default=None,
        help="day freshness is measured against (YYYY-MM-DD); default: today",
    )
    night.add_argument("--vars", default=None, help="further dbt --vars YAML")
    night.add_argument("--no-publish", action="store_true", help="skip the BI snapshot")
    night.add_argument(
        "--unit-tests", action="store_true", help="also run the unit tests (CI runs them)"
    )
    night.set_defaults(func=_cmd_nightly)

    runs = sub.add_parser("runs", help="print the latest rows of the run log (ops.run_log)")
    runs.add_argument("--last", type=int, default=5, help="how many runs (default 5)")
    runs.set_defaults(func=_cmd_runs)

    pub = sub.add_parser("publish", help="write the suppressed BI snapshot (published.duckdb)")
    pub.add_argument("--vars", default=None, help="dbt --vars YAML the build used")
    pub.add_argument("--min-cell-size", type=int, default=None, help="default: var min_cell_size")
    pub.set_defaults(func=_cmd_publish)

    rep = sub.add_parser("report", help="render the study's figures as one HTML file")
    rep.add_argument("--snapshot", default=None, help="default: <warehouse>/published.duckdb")
    rep.add_argument("--out", default=None, help="default: <warehouse>/report.html")
    rep.add_argument("--lang", default="nl", choices=["nl", "fr", "en"])
    rep.set_defaults(func=_cmd_report)

    comp = sub.add_parser(
        "compare", help="compare the tables of two warehouses (floats to 1e-9 relative)"
    )
    comp.add_argument("a", help="a warehouse database (elp.duckdb or published.duckdb)")
    comp.add_argument("b", help="the other one")
    comp.add_argument(
        "--schemas", nargs="+", default=["staging", "intermediate", "marts"], help="schemas"
    )
    comp.set_defaults(func=_cmd_compare)

    where = sub.add_parser("where", help="say where the results are and how to query them")
    where.set_defaults(func=_cmd_where)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rc: int = args.func(args)
    return rc


if __name__ == "__main__":
    sys.exit(main())
