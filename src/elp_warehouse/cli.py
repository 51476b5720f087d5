"""Command-line entry point: `elp generate | build | nightly | runs | publish | report | compare |
where`."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from elp_warehouse import paths

# Exit codes (docs/operations.md, "Exit codes"). Expected errors print one line on stderr,
# `elp <command>: error: ...`; only a bug shows a traceback.
EXIT_FAILED = 1  # the build, a data test, the preflight, the freshness gate failed
EXIT_USAGE = 2  # a bad argument or setting, refused before anything ran (argparse's code)
EXIT_MISSING = 3  # no raw extract, no working database or no dbt manifest where expected
EXIT_OLDER_EXTRACT = 4  # nightly: the extract is older than the last one built
EXIT_PUBLISH = 5  # the publish failed or was refused; the previous snapshot is kept
EXIT_BUSY = 6  # another elp build / nightly holds the warehouse


class CliError(Exception):
    """An expected failure: printed as one line, the command exits with `code`."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class OneLineParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (with where to find help), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d takes any script's


def iso_date(text: str) -> date:
    """A calendar day written YYYY-MM-DD, nothing else (no time, no week date, no spaces)."""
    if not ISO_DAY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar day ({exc})") from exc


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
        extraction_date=args.extraction_date,
        truth_dir=truth,
        progress=not args.no_progress,
        membership_age_tilt=args.membership_age_tilt,
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


# dbt vars that hold a day: checked here, before dbt builds any SQL with them
DATE_VARS = ("extraction_date", "run_date", "transitions_cohort_start", "transitions_cohort_end")


def parse_vars(text: str | None) -> dict[str, Any]:
    """--vars (a YAML mapping), its dates checked; {} when none is given."""
    import yaml

    if not text:
        return {}
    try:
        given = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CliError(f"--vars is not valid YAML: {exc}", EXIT_USAGE) from exc
    except ValueError as exc:  # YAML reads an unquoted 2025-02-30 as a date, and fails
        raise CliError(f"--vars holds an impossible date: {exc}", EXIT_USAGE) from exc
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise CliError(f"--vars must be a YAML mapping, got: {text!r}", EXIT_USAGE)
    for name in DATE_VARS:
        value = given.get(name)
        if value is None or (name == "run_date" and value == ""):
            continue
        try:
            iso_date(value.isoformat() if isinstance(value, date) else str(value))
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"--vars {name}: {exc}", EXIT_USAGE) from exc
    return given


def checked_min_cell_size(dbt_vars: str | None, given: int | None, unsafe_flag: bool) -> int:
    """The publish's min_cell_size, refused before anything runs when it breaks the IMA rule."""
    from elp_warehouse.publish.errors import PublishError
    from elp_warehouse.publish.run import (
        check_min_cell_size,
        resolve_min_cell_size,
        small_cells_allowed,
    )

    try:
        size = given if given is not None else resolve_min_cell_size(dbt_vars)
        return check_min_cell_size(size, small_cells_allowed(unsafe_flag))
    except PublishError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def checked_raw_dir(given: str | None) -> Path:
    raw = Path(given).resolve() if given else paths.raw_dir()
    if not raw.is_dir():
        raise CliError(
            f"no raw extract folder at {raw} (give --raw-dir or set ELP_RAW_DIR)", EXIT_MISSING
        )
    return raw


@contextmanager
def warehouse_run(env: dict[str, str]) -> Iterator[None]:
    """One elp build / nightly at a time per warehouse; a second one is refused at once."""
    from elp_warehouse.publish.atomic import WarehouseBusyError, run_lock

    warehouse = Path(env["ELP_WAREHOUSE_DIR"])
    warehouse.mkdir(parents=True, exist_ok=True)
    try:
        lock = run_lock(warehouse)
        lock.__enter__()
    except WarehouseBusyError as exc:
        raise CliError(str(exc), EXIT_BUSY) from exc
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _cmd_build(args: argparse.Namespace) -> int:
    parse_vars(args.vars)
    unsafe = args.unsafe_allow_small_cells
    min_cell_size = checked_min_cell_size(args.vars, None, unsafe)
    # a selection may read no raw table (the preflight then checks none)
    raw = Path(args.raw_dir or paths.raw_dir()) if args.select else checked_raw_dir(args.raw_dir)
    env = dbt_env(raw.resolve())
    dbt_args = ["build", *(["--vars", args.vars] if args.vars else [])]
    dbt_args += ["--select", *args.select] if args.select else []
    with warehouse_run(env):
        if run_dbt(dbt_args, env) != 0:
            return EXIT_FAILED  # a failed build never touches the published snapshot
        if not args.no_publish:
            publish_built(env, args.vars, min_cell_size, unsafe)
    return 0


def nightly_vars(extra: str | None) -> str | None:
    """The --vars of a night, as JSON, or None: the user's vars (YAML), checked."""
    merged = parse_vars(extra)
    return json.dumps(merged, default=str) if merged else None


def _day(value: str | date) -> date:
    if isinstance(value, date):
        return value
    if not ISO_DAY.fullmatch(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    return date.fromisoformat(value)


def nightly_env(
    env: dict[str, str], extraction_date: str | date, run_date: str | date | None
) -> dict[str, str]:
    """`env` with the night's dates, which dbt_project.yml reads into vars extraction_date and
    run_date: set in the environment, not in --vars, whose change every night would make dbt
    parse the whole project again (dbt_project.yml). The run date is today unless given: a
    night measures the extract's freshness against the day it runs."""
    dated = dict(env, ELP_EXTRACTION_DATE=_day(extraction_date).isoformat())
    day = _day(run_date) if run_date else date.today()
    dated["ELP_RUN_DATE"] = day.isoformat()
    return dated


def read_run_log(db: Path, sql: str, params: list[object] | None = None) -> list[Any] | None:
    """Rows of `sql` on the working database `db` (read-only) when it holds ops.run_log;
    None when it holds none. duckdb.Error when it cannot be opened (a build writing it)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'ops' and table_name = 'run_log'"
        ).fetchone()
        if not found or found[0] == 0:
            return None
        return con.execute(sql, params or []).fetchall()


def last_built_extraction_date(db: Path) -> tuple[date, str] | None:
    """The extraction date of the latest successful full build in the run log, and when that
    build started; None without one."""
    import duckdb

    if not db.exists():
        return None
    try:
        rows = read_run_log(
            db,
            "select vars, started_at from ops.run_log where command = 'build'"
            " and selected is null and status = 'success' order by started_at desc",
        )
    except duckdb.Error as exc:
        raise CliError(f"cannot read the run log of {db}: {exc}", EXIT_BUSY) from exc
    for given, started_at in rows or []:
        try:
            return _day(str(json.loads(given)["extraction_date"])), f"{started_at:%Y-%m-%d %H:%M}"
        except (TypeError, ValueError, KeyError):
            continue  # a row without a readable date: the one before it decides
    return None


def refuse_older_extract(env: dict[str, str], allow_older: bool) -> None:
    """A night never replaces the warehouse with an extract older than the last one built."""
    new = _day(env["ELP_EXTRACTION_DATE"])
    last = last_built_extraction_date(Path(env["ELP_WAREHOUSE_DIR"]) / "elp.duckdb")
    if last is None or new >= last[0]:
        return
    said = (
        f"the extraction date {new} is older than {last[0]}, that of the last successful"
        f" build (started {last[1]})"
    )
    if not allow_older:
        raise CliError(
            f"{said}: refused, nothing was built and the published snapshot is unchanged"
            " (--allow-older-extract builds it on purpose)",
            EXIT_OLDER_EXTRACT,
        )
    print(
        f"elp nightly: warning: {said}; built on purpose (--allow-older-extract)",
        file=sys.stderr,
    )


def _cmd_nightly(args: argparse.Namespace) -> int:
    """docs/operations.md: freshness gate, full build, publish, the night's run log."""
    dbt_vars = nightly_vars(args.vars)
    unsafe = args.unsafe_allow_small_cells
    min_cell_size = checked_min_cell_size(dbt_vars, None, unsafe)
    env = nightly_env(dbt_env(checked_raw_dir(args.raw_dir)), args.extraction_date, args.run_date)
    if not args.unit_tests:
        # unit tests check the code, not the night's data: CI runs them (make test)
        env["DBT_EXCLUDE_RESOURCE_TYPES"] = "unit_test"
    given = ["--vars", dbt_vars] if dbt_vars else []
    with warehouse_run(env):
        refuse_older_extract(env, args.allow_older_extract)
        # the gate: model extract_freshness and its tests, before anything else is built
        if run_dbt(["build", "--select", "extract_freshness", *given], env) != 0:
            print(
                "nightly: stopped, the extract failed the freshness gate (stale or unreadable);"
                " nothing else was built and the published snapshot is unchanged",
                file=sys.stderr,
            )
            print_run_log(last=1)
            return EXIT_FAILED
        try:
            if run_dbt(["build", *given], env) != 0:
                return EXIT_FAILED
            if not args.no_publish:
                publish_built(env, dbt_vars, min_cell_size, unsafe)
        finally:
            print_run_log(last=2)
    return 0


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
        rows = read_run_log(
            db,
            f"select {', '.join(RUN_LOG_SUMMARY)} from ("
            "select * from ops.run_log order by started_at desc limit ?"
            ") as latest order by started_at",
            [last],
        )
    except duckdb.IOException as exc:  # a build holds the database's write lock
        print(f"run log: cannot open {db} now: {exc}", file=sys.stderr)
        return False
    if rows is None:
        print(f"run log: {db} holds no run yet", file=sys.stderr)
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


def _publish(dbt_vars: str | None, min_cell_size: int, unsafe: bool) -> None:
    from elp_warehouse.publish import PublishError, publish

    try:
        result = publish(dbt_vars=dbt_vars, min_cell_size=min_cell_size, allow_small_cells=unsafe)
    except PublishError as exc:
        raise CliError(f"publish failed, previous snapshot kept: {exc}", EXIT_PUBLISH) from exc
    print(result.summary())


def publish_built(
    env: dict[str, str], dbt_vars: str | None, min_cell_size: int, unsafe: bool
) -> None:
    """Publish what the build just built; when that fails, the build's run-log row says so."""
    try:
        _publish(dbt_vars, min_cell_size, unsafe)
    except Exception as exc:
        record_publish_failure(env, str(exc) if isinstance(exc, CliError) else repr(exc))
        raise


def record_publish_failure(env: dict[str, str], message: str) -> None:
    """Mark the build's row of ops.run_log `failed`, the publish's error in `message`: the
    build passed, but the night did not publish (docs/operations.md)."""
    import duckdb

    results = paths.target_dir(env) / "run_results.json"
    try:
        invocation = json.loads(results.read_text())["metadata"]["invocation_id"]
    except (OSError, ValueError, KeyError):
        invocation = None
    note = message if message.startswith("publish failed") else f"publish failed: {message}"
    try:
        with duckdb.connect(str(Path(env["ELP_WAREHOUSE_DIR"]) / "elp.duckdb")) as con:
            con.execute(
                "update ops.run_log set status = 'failed', message = left(coalesce(message"
                " || '; ', '') || ?, 1000) where invocation_id = coalesce(?, (select"
                " invocation_id from ops.run_log order by started_at desc limit 1))",
                [note, invocation],
            )
    except duckdb.Error as exc:
        print(f"elp: warning: the failed publish is not in the run log: {exc}", file=sys.stderr)


def _cmd_publish(args: argparse.Namespace) -> int:
    from elp_warehouse.publish.declarations import default_manifest_path

    parse_vars(args.vars)
    unsafe = args.unsafe_allow_small_cells
    min_cell_size = checked_min_cell_size(args.vars, args.min_cell_size, unsafe)
    needs = [(paths.database_path(), "working database"), (default_manifest_path(), "dbt manifest")]
    for needed, what in needs:
        if not needed.exists():
            raise CliError(f"no {what} at {needed}: build first (elp build)", EXIT_MISSING)
    _publish(args.vars, min_cell_size, unsafe)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from elp_warehouse.report import render_report
    from elp_warehouse.report.render import ChromiumError, find_chromium, print_pdf

    snapshot = Path(args.snapshot) if args.snapshot else paths.warehouse_dir() / "published.duckdb"
    if not snapshot.is_file():
        raise CliError(
            f"no published snapshot at {snapshot}: publish first (elp publish)", EXIT_MISSING
        )
    if not args.pdf:
        out = render_report(
            snapshot=snapshot, out=Path(args.out) if args.out else None, lang=args.lang or "nl"
        )
        print(f"Report: {out}")
        return 0
    # --pdf: one PDF per language (report.nl.pdf, ...) or, with --lang, that language only
    try:
        chromium = find_chromium()
    except ChromiumError as exc:
        raise CliError(str(exc), EXIT_MISSING) from exc
    langs = [args.lang] if args.lang else ["nl", "fr", "en"]
    if args.out and len(langs) > 1:
        raise CliError("--out names one PDF: give --lang with it (or leave --out out)", EXIT_USAGE)
    html_file = render_report(snapshot=snapshot, lang=langs[0])
    for lang in langs:
        pdf = Path(args.out) if args.out else html_file.with_name(f"report.{lang}.pdf")
        try:
            print_pdf(html_file, pdf, lang, chromium)
        except ChromiumError as exc:
            raise CliError(str(exc), 1) from exc
        print(f"Report PDF ({lang}): {pdf}")
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


# `elp where`'s example query, run on a real snapshot by tests/python/test_where.py.
WHERE_EXAMPLE_SQL = (
    "select year, dimension, category, label_en, usage_rate from marts.mart_elp_usage "
    "order by year desc, dimension, category limit 5"
)


def _cmd_where(_args: argparse.Namespace) -> int:
    """Where BI users find the results: the published snapshot, its Parquet copy and the
    report; the working database is named only as the builders' own."""
    db = paths.database_path()
    warehouse = db.parent
    snapshot = warehouse / "published.duckdb"
    parquet = warehouse / "published"
    report = warehouse / "report.html"

    def state(path: Path, how: str) -> str:
        return "" if path.exists() else f"  (not there yet: {how})"

    print(f"Raw extract:        {paths.raw_dir()}")
    print(f"BI snapshot:        {snapshot}{state(snapshot, '.venv/bin/elp build')}")
    print("                    suppressed marts (schema marts), labels (reference.labels),")
    print("                    snapshot metadata and run log (meta); open it read-only")
    print(f"Parquet copy:       {parquet}/<mart>.parquet{state(parquet, '.venv/bin/elp build')}")
    print(f"Report:             {report}{state(report, '.venv/bin/elp report')}")
    print("Query the snapshot (read-only; a build replaces it atomically), for example:")
    # JSON strings are Python literals in double quotes: the shell quoting stays readable
    code = (
        f"import duckdb; print(duckdb.connect({json.dumps(str(snapshot))}, read_only=True)"
        f".sql({json.dumps(WHERE_EXAMPLE_SQL)}))"
    )
    print(f"  .venv/bin/python -c {shlex.quote(code)}")
    print("BI tools (Superset, Metabase, SQLAlchemy), suppression, ready-made queries: docs/bi.md")
    print(f"Working database:   {db}")
    print("                    the builders' database: unsuppressed and locked during builds,")
    print("                    not for BI")
    print("Run log:            .venv/bin/elp runs (nightly runs: docs/operations.md)")
    print("Docs: README.md (marts, contract), docs/ (methods, seeds, generator).")
    return 0


def _unsafe_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unsafe-allow-small-cells",
        action="store_true",
        help="allow min_cell_size below 5 (the IMA's rule); stamped in the snapshot",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="elp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic extract that follows the contract")
    gen.add_argument("--scale", type=float, default=0.02, help="1.0 = national size")
    gen.add_argument("--seed", type=int, default=20250623)
    gen.add_argument("--out", default=str(paths.raw_dir()))
    gen.add_argument("--truth-dir", default=None, help="default: sibling 'truth' folder of --out")
    gen.add_argument("--first-year", type=int, default=2010)
    gen.add_argument("--last-year", type=int, default=2024)
    gen.add_argument("--extraction-date", type=iso_date, default=date(2025, 6, 23))
    gen.add_argument("--no-progress", action="store_true")
    gen.add_argument(
        "--membership-age-tilt",
        type=float,
        default=None,
        help="strength of the membership's age selection (1 = as written, larger = older "
        "members); default: solved so that the study's footnote 18 holds",
    )
    gen.set_defaults(func=_cmd_generate)

    build = sub.add_parser("build", help="dbt build of the whole warehouse")
    build.add_argument("--raw-dir", default=None, help="default: ELP_RAW_DIR or data/raw")
    build.add_argument("--vars", default=None, help="dbt --vars YAML, e.g. '{last_year: 2025}'")
    build.add_argument("--select", nargs="+", default=None, help="dbt node selection")
    build.add_argument("--no-publish", action="store_true", help="skip the BI snapshot")
    _unsafe_flag(build)
    build.set_defaults(func=_cmd_build)

    night = sub.add_parser(
        "nightly",
        help="the nightly run: freshness gate, full build, publish, run log (docs/operations.md)",
    )
    night.add_argument(
        "--extraction-date",
        required=True,
        type=iso_date,
        help="the new extract's cut-off date (YYYY-MM-DD)",
    )
    night.add_argument("--raw-dir", default=None, help="default: ELP_RAW_DIR or data/raw")
    night.add_argument(
        "--run-date",
        default=None,
        type=iso_date,
        help="day freshness is measured against (YYYY-MM-DD); default: today",
    )
    night.add_argument("--vars", default=None, help="further dbt --vars YAML")
    night.add_argument("--no-publish", action="store_true", help="skip the BI snapshot")
    night.add_argument(
        "--unit-tests", action="store_true", help="also run the unit tests (CI runs them)"
    )
    night.add_argument(
        "--allow-older-extract",
        action="store_true",
        help="build an extract older than the last one built (refused otherwise)",
    )
    _unsafe_flag(night)
    night.set_defaults(func=_cmd_nightly)

    runs = sub.add_parser("runs", help="print the latest rows of the run log (ops.run_log)")
    runs.add_argument("--last", type=int, default=5, help="how many runs (default 5)")
    runs.set_defaults(func=_cmd_runs)

    pub = sub.add_parser("publish", help="write the suppressed BI snapshot (published.duckdb)")
    pub.add_argument("--vars", default=None, help="dbt --vars YAML the build used")
    pub.add_argument("--min-cell-size", type=int, default=None, help="default: var min_cell_size")
    _unsafe_flag(pub)
    pub.set_defaults(func=_cmd_publish)

    rep = sub.add_parser("report", help="render the study's figures as one HTML file")
    rep.add_argument("--snapshot", default=None, help="default: <warehouse>/published.duckdb")
    rep.add_argument(
        "--out",
        default=None,
        help="default: <warehouse>/report.html (with --pdf: report.<lang>.pdf)",
    )
    rep.add_argument(
        "--lang",
        default=None,
        choices=["nl", "fr", "en"],
        help="language shown first (default nl); with --pdf, print only this language",
    )
    rep.add_argument(
        "--pdf", action="store_true", help="print the report to PDF with headless Chromium"
    )
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
    try:
        rc: int = args.func(args)
    except CliError as exc:
        print(f"elp {args.command}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return exc.code
    return rc


if __name__ == "__main__":
    sys.exit(main())
