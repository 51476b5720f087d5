"""`elp compare`'s float tolerance (src/elp_warehouse/compare.py), on hand-made tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

from elp_warehouse.compare import column_scales, differences, same_value


def test_relative_tolerance() -> None:
    assert same_value(1_000_000.0, 1_000_000.0 + 1e-4)  # 1e-10 relative
    assert not same_value(1_000_000.0, 1_000_000.0 + 1e-2)  # 1e-8 relative
    assert same_value(float("nan"), float("nan"))
    assert not same_value(0.0, float("nan"))
    assert same_value("a", "a") and not same_value("a", "b")


def test_a_difference_of_large_values_is_judged_on_its_column() -> None:
    # an error of 2.3e-10 EUR against 0 (projection - final value on two engines) is the
    # operands' rounding when the column holds values up to 1e6: tolerance 1e-9 x 1e6 = 1e-3
    assert not same_value(2.3e-10, 0.0)
    assert same_value(2.3e-10, 0.0, column_scale=1e6)
    assert not same_value(0.01, 0.0, column_scale=1e6)
    assert column_scales([(1, -5.0, "x"), (2, 3.0, None)], [(3, 7.5, "y")]) == [0.0, 7.5, 0.0]


def _db(path: Path, errors: list[float]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (k integer, projection double, error double)")
        con.executemany(
            "insert into marts.t values (?, ?, ?)",
            [(k, 1e6 + k, e) for k, e in enumerate(errors)],
        )
    return path


def test_tables_compare_with_column_scales(tmp_path: Path) -> None:
    a = _db(tmp_path / "a.duckdb", [0.0, 12.5])
    assert differences(a, _db(tmp_path / "b.duckdb", [2.3e-10, 12.5])) == []
    found = differences(a, _db(tmp_path / "c.duckdb", [0.5, 12.5]))
    assert len(found) == 1 and found[0].startswith("marts.t: first differing row"), found
