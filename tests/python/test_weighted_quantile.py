"""The SQL macro `weighted_quantile` against an independent Python implementation of the same
written definition (SAS PROC SURVEYMEANS: linear interpolation of the weighted empirical
distribution function at the distinct values), on hand-computed cases and on random inputs
with random weights and many ties (property-based, hypothesis).

The macro is compiled once with dbt; every example then runs the compiled SQL on an
in-memory DuckDB table, so hundreds of examples cost seconds."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DBT = ROOT / ".venv" / "bin" / "dbt"
PROBABILITIES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95, "p100": 1.0}

Case = list[tuple[float, float]]  # (value, weight) rows of one group


def reference_quantile(rows: Sequence[tuple[float, float]], p: float) -> float | None:
    """Q(p) from the definition, written independently of the SQL: collapse ties, walk the
    cumulative weights, interpolate between the two distinct values around p."""
    totals: dict[float, float] = {}
    for value, weight in rows:
        if weight > 0:
            totals[value] = totals.get(value, 0.0) + weight
    if not totals:
        return None
    values = sorted(totals)
    total = sum(totals[v] for v in values)
    cumulative = 0.0
    previous_value: float | None = None
    previous_share = 0.0
    for v in values:
        cumulative += totals[v]
        share = cumulative / total
        if p <= share or v == values[-1]:
            if previous_value is None:
                return v
            return previous_value + (p - previous_share) / (share - previous_share) * (
                v - previous_value
            )
        previous_value, previous_share = v, share
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("weighted_quantile")
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        ELP_WAREHOUSE_DIR=str(work),
        ELP_RAW_DIR=str(work / "raw"),
    )
    inline = (
        "{{ weighted_quantile('quantile_input', ['case_id'], 'value', 'weight', "
        + json.dumps(PROBABILITIES)
        + ") }}"
    )
    proc = subprocess.run(
        [
            *(str(DBT), "--quiet", "compile", "--inline", inline, "--output", "json"),
            *("--target-path", str(work / "target"), "--log-path", str(work / "logs")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    compiled: str = json.loads(proc.stdout[proc.stdout.index("{") :])["compiled"]
    return compiled


def run_sql(sql: str, cases: dict[str, Case]) -> dict[str, dict[str, float | None]]:
    with duckdb.connect() as con:
        con.execute("create table quantile_input (case_id varchar, value double, weight double)")
        data = [(case, v, w) for case, rows in cases.items() for v, w in rows]
        if data:
            con.executemany("insert into quantile_input values (?, ?, ?)", data)
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur.fetchall()}


def assert_matches(sql: str, cases: dict[str, Case]) -> None:
    got = run_sql(sql, cases)
    for case, rows in cases.items():
        for name, p in PROBABILITIES.items():
            expected = reference_quantile(rows, p)
            if expected is None:
                assert case not in got
                continue
            assert got[case][name] == pytest.approx(expected, rel=1e-9, abs=1e-9), (case, name)


def test_hand_computed(compiled_sql: str) -> None:
    cases: dict[str, Case] = {
        # F = 0.25, 0.5, 0.75, 1 on 1..4: Q(0.25) = 1, Q(0.5) = 2, Q(0.95) = 3.8
        "four": [(1, 1), (2, 1), (3, 1), (4, 1)],
        # ties: value 6 holds F in (0.4, 0.45], 7 up to 0.6: median = 6 + 0.05 / 0.15 = 6.333..
        "ties": [(1, 4), (6, 0.5), (7, 1.5), (12, 4)],
        "single": [(5, 3)],
        # weights: 2 holds F = 0.25, so P25 = 2; the median interpolates 2 -> 10
        "weighted": [(2, 1), (10, 3)],
    }
    got = run_sql(compiled_sql, cases)
    assert got["four"]["p25"] == pytest.approx(1.0)
    assert got["four"]["median"] == pytest.approx(2.0)
    assert got["four"]["p95"] == pytest.approx(3.8)
    assert got["four"]["p100"] == pytest.approx(4.0)
    assert got["ties"]["median"] == pytest.approx(6 + 0.05 / 0.15)
    assert got["ties"]["p05"] == pytest.approx(1.0)
    assert all(v == pytest.approx(5.0) for v in got["single"].values())
    assert got["weighted"]["p25"] == pytest.approx(2 + (0.25 - 0.25) / 0.75 * 8)
    assert got["weighted"]["median"] == pytest.approx(2 + 0.25 / 0.75 * 8)
    assert_matches(compiled_sql, cases)


def test_equal_weights_without_ties_is_hyndman_fan_type_4(compiled_sql: str) -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(10, 3, 57)
    got = run_sql(compiled_sql, {"a": [(float(v), 1.0) for v in values]})["a"]
    for name, p in PROBABILITIES.items():
        expected = np.percentile(values, 100 * p, method="interpolated_inverted_cdf")
        assert got[name] == pytest.approx(float(expected), rel=1e-9)


def test_integer_data_give_interpolated_quantiles(compiled_sql: str) -> None:
    """Many patients with whole session counts: the median falls between two counts."""
    counts = [(1, 30), (2, 20), (3, 10), (4, 40)]
    rows: Case = [(float(k), 1.0) for k, n in counts for _ in range(n)]
    got = run_sql(compiled_sql, {"a": rows})["a"]
    # F(2) = 0.5 exactly -> 2; F(3) = 0.6 so P55 would be 2.5; P75: 3 + (0.75-0.6)/0.4 = 3.375
    assert got["median"] == pytest.approx(2.0)
    assert got["p75"] == pytest.approx(3.375)
    assert got["p25"] == pytest.approx(1.0)


def test_null_values_and_non_positive_weights_are_ignored(compiled_sql: str) -> None:
    got = run_sql(compiled_sql, {"a": [(1, 1), (2, 0), (3, -1), (None, 5), (4, 1)]})["a"]  # type: ignore[list-item]
    assert got["median"] == pytest.approx(1.0)
    assert got["p75"] == pytest.approx(2.5)


values = st.one_of(
    st.integers(min_value=0, max_value=12).map(float),  # few distinct values: many ties
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).map(lambda x: round(x, 3)),
)
weights = st.floats(min_value=0.01, max_value=50.0, allow_nan=False)
case_rows = st.lists(st.tuples(values, weights), min_size=1, max_size=60)
# the compiled SQL fixture is the same for every example
FIXTURE = [HealthCheck.function_scoped_fixture]


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE)
@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), case_rows, max_size=5))
def test_random_weights_and_ties_match_reference(compiled_sql: str, cases: dict[str, Case]) -> None:
    assert_matches(compiled_sql, cases)


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE)
@given(case_rows, st.floats(min_value=0.1, max_value=1e4))
def test_scaling_weights_and_splitting_rows_change_nothing(
    compiled_sql: str, rows: Case, factor: float
) -> None:
    """Weights are relative (scale-free), and a row of weight w equals two rows of w/2:
    pre-aggregated input gives the same quantiles as unit rows."""
    scaled = [(v, w * factor) for v, w in rows]
    split = [(v, w / 2) for v, w in rows for _ in range(2)]
    got = run_sql(compiled_sql, {"base": rows, "scaled": scaled, "split": split})
    for name in PROBABILITIES:
        base = got["base"][name]
        assert base is not None
        assert got["scaled"][name] == pytest.approx(base, rel=1e-7, abs=1e-7)
        assert got["split"][name] == pytest.approx(base, rel=1e-7, abs=1e-7)


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE)
@given(case_rows)
def test_quantiles_are_ordered_and_within_range(compiled_sql: str, rows: Case) -> None:
    got = run_sql(compiled_sql, {"a": rows})["a"]
    ordered = [got[name] for name in PROBABILITIES]
    assert all(q is not None for q in ordered)
    lo, hi = min(v for v, _ in rows), max(v for v, _ in rows)
    floats = [float(q) for q in ordered if q is not None]
    assert all(lo - 1e-9 <= q <= hi + 1e-9 for q in floats)
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(floats))
