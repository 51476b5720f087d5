#!/usr/bin/env python3
"""The physical floors of a build, measured on the raw Parquet of an extract with the same
DuckDB settings as the warehouse profile.

    .venv/bin/python scripts/raw_floor.py <raw extract folder>
    .venv/bin/python scripts/raw_floor.py <raw extract folder> --copy <new database file>

- Read floor (default): one pass over every raw table, grouped by member and year. A full
  `dbt build` reads, validates, nets, joins and aggregates the same rows; its ratio to this
  pass says how far the warehouse is from the cost of reading the data once.
- Write floor (`--copy`): every raw table copied once, as it is, into a new DuckDB database
  (`create table as`, then a checkpoint), which is deleted afterwards. A warehouse that keeps
  person-level tables, as the trajectories need, writes at least this much; a build's ratio
  to it says how many times over the warehouse writes its data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import duckdb

# the column giving each raw row its year (members_yearly has its own)
YEAR_OF = {
    "members_yearly": "year",
    "affiliation_periods": "year(start_date)",
    "claims": "year(service_date)",
    "pharmacy_dispensings": "year(dispensing_date)",
    "complementary_refunds": "year(service_date)",
}


def connect(database: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database)
    con.execute(f"set memory_limit = '{os.environ.get('ELP_DUCKDB_MEMORY_LIMIT', '5GB')}'")
    con.execute("set preserve_insertion_order = false")
    return con


def read_floor(raw: Path) -> float:
    con = connect(":memory:")
    total = 0.0
    for table, year in YEAR_OF.items():
        start = time.perf_counter()
        groups = con.execute(
            f"select count(*), coalesce(sum(n), 0) from (select member_id, {year} as year,"
            f" count(*) as n from read_parquet('{raw}/{table}/**/*.parquet') group by all)"
        ).fetchone()
        wall = time.perf_counter() - start
        total += wall
        assert groups is not None
        print(f"{table:<24} {groups[1]:>12,} rows {groups[0]:>12,} groups {wall:8.1f} s")
    print(f"{'floor':<24} {total:8.1f} s")
    return total


def write_floor(raw: Path, database: Path) -> float:
    if database.exists():
        raise SystemExit(f"{database} exists: --copy writes a new database and deletes it")
    try:
        con = connect(str(database))
        total = 0.0
        for table in YEAR_OF:
            start = time.perf_counter()
            con.execute(
                f"create table {table} as select * from read_parquet('{raw}/{table}/**/*.parquet')"
            )
            con.execute("checkpoint")
            wall = time.perf_counter() - start
            total += wall
            rows = con.execute(f"select count(*) from {table}").fetchone()
            assert rows is not None
            print(f"{table:<24} {rows[0]:>12,} rows copied {wall:8.1f} s")
        con.close()
        size = database.stat().st_size / 2**20
        print(f"{'copy floor':<24} {total:8.1f} s, database {size:,.0f} MB")
    finally:
        for leftover in (database, database.with_name(database.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path, help="the raw extract folder")
    parser.add_argument(
        "--copy", type=Path, default=None, help="measure the write floor into this new file"
    )
    args = parser.parse_args()
    if args.copy is None:
        read_floor(args.raw)
    else:
        write_floor(args.raw, args.copy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
