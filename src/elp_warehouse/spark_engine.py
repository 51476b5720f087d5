"""The warehouse on Spark: build with dbt-spark, publish from its tables, compare with DuckDB.

`python -m elp_warehouse.spark_engine build | publish | compare` (docs/engines.md).

- build: `dbt build --target spark` from the Spark environment (.venv-spark, `make
  spark-install`; dbt-spark's `session` method on a local pyspark). Its on-run-end hook
  (macros/ops/export_tables.sql) writes every mart and the labels seed as Parquet under
  <warehouse>/spark-export/<schema>/<table>/.
- publish: those Parquet folders are loaded into a DuckDB working database
  (<warehouse>/spark-marts.duckdb, schemas `marts` and `seeds` as in elp.duckdb), and the
  project's own publish runs on it unchanged: the same declarations, suppression, snapshot
  (published.duckdb) and Parquet layout (published/<mart>.parquet).
- compare: two published snapshots, mart by mart and the labels (keys and labels identical,
  numbers within compare.REL_TOL relative).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from elp_warehouse import paths
from elp_warehouse.compare import differences, table_names
from elp_warehouse.publish import PublishError, PublishResult, publish
from elp_warehouse.publish.names import MART_SCHEMA, quote
from elp_warehouse.publish.snapshot import sql_string

SPARK_VENV = paths.PROJECT_ROOT / ".venv-spark"
EXPORT_DIR_NAME = "spark-export"
WORKING_DB_NAME = "spark-marts.duckdb"
# what the export holds and the publish reads: the marts, and the labels seed that the
# snapshot copies to reference.labels
EXPORTED_SCHEMAS = (MART_SCHEMA, "seeds")
# what two published snapshots must agree on (meta.* holds the snapshot's own id and time)
COMPARED_SCHEMAS = (MART_SCHEMA, "reference")


def spark_dbt() -> Path:
    """dbt of the Spark environment; refused with the command that installs it."""
    dbt = SPARK_VENV / "bin" / "dbt"
    if not dbt.exists():
        raise SystemExit(f"no Spark environment at {SPARK_VENV}: run `make spark-install` first")
    return dbt


def spark_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment of a Spark dbt run: the project's profile and the chosen folders, resolved
    to absolute paths (Spark and its metastore resolve relative ones against their own
    working directory)."""
    env = dict(os.environ if environ is None else environ)
    env["DBT_PROFILES_DIR"] = str(paths.PROJECT_ROOT)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    env["ELP_RAW_DIR"] = str(Path(env.get("ELP_RAW_DIR", paths.raw_dir())).resolve())
    warehouse = env.get("ELP_WAREHOUSE_DIR", paths.warehouse_dir())
    env["ELP_WAREHOUSE_DIR"] = str(Path(warehouse).resolve())
    env["DBT_TARGET_PATH"] = str(paths.target_dir(env).resolve())
    # Spark binds its driver to the machine's outward address unless told otherwise; a local
    # session needs none
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def build(dbt_args: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> int:
    """`dbt build --target spark` (plus `dbt_args`); dbt's exit code."""
    env = spark_env(environ)
    Path(env["ELP_WAREHOUSE_DIR"]).mkdir(parents=True, exist_ok=True)
    cmd = [str(spark_dbt()), "build", "--target", "spark", *dbt_args]
    return subprocess.run(cmd, cwd=paths.PROJECT_ROOT, env=env, check=False).returncode


def export_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / EXPORT_DIR_NAME


def stage_export(warehouse_dir: Path) -> Path:
    """Load the Spark build's Parquet export into a fresh DuckDB working database; its path."""
    source = export_dir(warehouse_dir)
    marts = source / MART_SCHEMA
    if not marts.is_dir() or not any(marts.iterdir()):
        raise PublishError(
            f"no Spark export of the marts in {marts}: build on Spark first "
            "(python -m elp_warehouse.spark_engine build)"
        )
    working_db = warehouse_dir / WORKING_DB_NAME
    tmp = working_db.with_name(working_db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        for schema in EXPORTED_SCHEMAS:
            folder = source / schema
            if not folder.is_dir():
                continue
            con.execute(f"create schema {schema}")
            for table in sorted(p for p in folder.iterdir() if p.is_dir()):
                files = sql_string(str(table / "*.parquet"))
                relation = f"{schema}.{quote(table.name)}"
                con.execute(f"create table {relation} as select * from read_parquet({files})")
    tmp.replace(working_db)
    return working_db


def publish_from_spark(
    warehouse_dir: Path | None = None,
    *,
    manifest_path: Path | None = None,
    min_cell_size: int | None = None,
    allow_small_cells: bool = False,
) -> PublishResult:
    """Publish the Spark build's marts: the project's publish on the staged export."""
    warehouse_dir = (warehouse_dir or paths.warehouse_dir()).resolve()
    working_db = stage_export(warehouse_dir)
    return publish(
        warehouse_dir,
        working_db=working_db,
        manifest_path=manifest_path,
        min_cell_size=min_cell_size,
        allow_small_cells=allow_small_cells,
    )


def compare_snapshots(snapshot_a: Path, snapshot_b: Path) -> list[str]:
    """Differences between two published snapshots' marts and labels ([] = equal)."""
    for snapshot in (snapshot_a, snapshot_b):
        if not snapshot.exists():
            raise FileNotFoundError(f"no published snapshot at {snapshot}")
    return differences(snapshot_a, snapshot_b, COMPARED_SCHEMAS)


def comparison_table(snapshot_a: Path, snapshot_b: Path) -> list[tuple[str, int, int, str]]:
    """One row per compared table of `snapshot_a`: its name, its rows in a and in b, and
    `equal` or the difference (a Markdown table for docs/engines.md)."""
    found = {d.split(":")[0]: d for d in compare_snapshots(snapshot_a, snapshot_b)}
    rows: list[tuple[str, int, int, str]] = []
    with duckdb.connect() as con:
        con.execute(f"attach {sql_string(str(snapshot_a))} as a (read_only)")
        con.execute(f"attach {sql_string(str(snapshot_b))} as b (read_only)")
        for table in table_names(snapshot_a, COMPARED_SCHEMAS):
            counts = [
                con.execute(f"select count(*) from {db}.{table}").fetchall()[0][0]
                if table in table_names(snapshot, COMPARED_SCHEMAS)
                else -1
                for db, snapshot in (("a", snapshot_a), ("b", snapshot_b))
            ]
            rows.append((table, counts[0], counts[1], found.get(table, "equal")))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m elp_warehouse.spark_engine")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("build", help="dbt build --target spark (extra arguments go to dbt)")
    run.add_argument("dbt_args", nargs=argparse.REMAINDER)
    pub = sub.add_parser("publish", help="publish the Spark build's marts (ELP_WAREHOUSE_DIR)")
    pub.add_argument("--min-cell-size", type=int, default=None)
    comp = sub.add_parser("compare", help="compare two published snapshots' marts and labels")
    comp.add_argument("a")
    comp.add_argument("b")
    comp.add_argument("--table", action="store_true", help="also a Markdown table per table")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.dbt_args)
    if args.command == "publish":
        try:
            result = publish_from_spark(min_cell_size=args.min_cell_size)
        except PublishError as exc:
            print(f"publish failed, previous snapshot kept: {exc}", file=sys.stderr)
            return 5
        print(result.summary())
        return 0
    found = compare_snapshots(Path(args.a), Path(args.b))
    if args.table:
        print("| table | rows a | rows b | result |\n|---|---:|---:|---|")
        for table, rows_a, rows_b, outcome in comparison_table(Path(args.a), Path(args.b)):
            print(f"| {table} | {rows_a} | {rows_b} | {outcome} |")
    for difference in found:
        print(difference)
    print("same" if not found else f"{len(found)} table(s) differ")
    return 0 if not found else 1


if __name__ == "__main__":
    raise SystemExit(main())
