"""Compare two warehouses table by table: `elp compare <a.duckdb> <b.duckdb>`.

Used to check that two builds of the same extract agree (idempotence) and that a code change
leaves the published marts as they were. Tables are compared as sorted row sets; floating
values may differ in their last bits with the order of parallel aggregation (or another
engine's), so they are compared with a relative tolerance, REL_TOL. A value that is the
difference of two larger ones (an error = projection - final value) keeps its operands'
rounding, not its own: its absolute tolerance is REL_TOL times the largest magnitude of its
column in either table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_SCHEMAS = ("staging", "intermediate", "marts")
REL_TOL = 1e-9


def table_names(db: Path, schemas: Sequence[str] = DEFAULT_SCHEMAS) -> list[str]:
    """`schema.table` of every base table of `db` in `schemas`, sorted."""
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and list_contains(?, table_schema) order by 1",
            [list(schemas)],
        ).fetchall()
    return [name for (name,) in found]


@contextmanager
def _both(db_a: Path, db_b: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as con:
        for alias, db in (("a", db_a), ("b", db_b)):
            con.execute(f"attach '{str(db).replace(chr(39), chr(39) * 2)}' as {alias} (read_only)")
        yield con


def _sorted_rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[Any, ...]]:
    rows = con.execute(f"select * from {relation}").fetchall()
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def same_value(a: Any, b: Any, column_scale: float = 0.0) -> bool:
    """Equal values; floats within REL_TOL relative, or within REL_TOL x `column_scale` (the
    largest magnitude of their column) absolute."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=max(1e-12, REL_TOL * column_scale))
    return bool(a == b)


def column_scales(*tables: list[tuple[Any, ...]]) -> list[float]:
    """The largest finite float magnitude of each column over all rows of `tables`."""
    width = max((len(rows[0]) for rows in tables if rows), default=0)
    scales = [0.0] * width
    for rows in tables:
        for row in rows:
            for i, v in enumerate(row):
                if isinstance(v, float) and math.isfinite(v):
                    scales[i] = max(scales[i], abs(v))
    return scales


def _rows_differ(row_a: tuple[Any, ...], row_b: tuple[Any, ...], scales: list[float]) -> bool:
    return not all(
        same_value(x, y, scale) for x, y, scale in zip(row_a, row_b, scales, strict=True)
    )


def table_difference(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """None when `table` holds the same rows in `a` and `b` (floats within REL_TOL), else a
    one-line description of the first difference."""
    columns = [
        [r[0] for r in con.execute(f"describe {db}.{table}").fetchall()] for db in ("a", "b")
    ]
    if columns[0] != columns[1]:
        return f"{table}: columns differ: {columns[0]} vs {columns[1]}"
    exact = con.execute(
        f"select count(*) from ((select * from a.{table} except all select * from b.{table})"
        f" union all (select * from b.{table} except all select * from a.{table}))"
    ).fetchone()
    if exact is not None and exact[0] == 0:
        return None
    rows_a, rows_b = _sorted_rows(con, f"a.{table}"), _sorted_rows(con, f"b.{table}")
    if len(rows_a) != len(rows_b):
        return f"{table}: {len(rows_a)} vs {len(rows_b)} rows"
    scales = column_scales(rows_a, rows_b)
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        if _rows_differ(row_a, row_b, scales):
            return f"{table}: first differing row {row_a} vs {row_b}"
    return None


def differences(db_a: Path, db_b: Path, schemas: Sequence[str] = DEFAULT_SCHEMAS) -> list[str]:
    """Every difference between the tables of two warehouses in `schemas` ([] = the same)."""
    names_a, names_b = table_names(db_a, schemas), table_names(db_b, schemas)
    if names_a != names_b:
        return [f"tables differ: {sorted(set(names_a) ^ set(names_b))}"]
    with _both(db_a, db_b) as con:
        found = [table_difference(con, table) for table in names_a]
    return [difference for difference in found if difference is not None]
