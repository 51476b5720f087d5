#!/usr/bin/env python3
"""The physical floor of a build: one DuckDB pass over every raw Parquet table of an extract,
grouped by member and year, with the same DuckDB settings as the warehouse profile.

    .venv/bin/python scripts/raw_floor.py <raw extract folder>

A full `dbt build` reads, validates, nets, joins and aggregates the same rows; its ratio to
this pass says how far the warehouse is from the cost of just reading the data once.
"""

from __future__ import annotations

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


def main() -> int:
    raw = Path(sys.argv[1])
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{os.environ.get('ELP_DUCKDB_MEMORY_LIMIT', '5GB')}'")
    con.execute("set preserve_insertion_order = false")
    total = 0.0
    for table, year in YEAR_OF.items():
        start = time.perf_counter()
        groups = con.execute(
            f"select count(*), sum(n) from (select member_id, {year} as year, count(*) as n"
            f" from read_parquet('{raw}/{table}/**/*.parquet') group by all)"
        ).fetchone()
        wall = time.perf_counter() - start
        total += wall
        assert groups is not None
        print(f"{table:<24} {groups[1]:>12,} rows {groups[0]:>12,} groups {wall:8.1f} s")
    print(f"{'floor':<24} {total:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
