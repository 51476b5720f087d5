"""The plain pandas peer (scripts/peer_pandas.py) against the warehouse's marts, on the demo
extract (the session's shared `make demo` warehouse: scale 0.02, full `dbt build`).

The peer writes the study's rules again in pandas from the raw Parquet and the seeds: weights
(with the same collapse of small cells), ELP usage by dimension, 12-month sessions per cohort
and the care categories of Figures 1 and 2. Two independent implementations agreeing is the
check; each comparison can fail (a rule changed on one side only, a row lost in a join).

Tolerances, as found on the demo extract:
- counts (members, users, patients, persons observed; IMA population) and the weighting group
  of every cell: equal.
- rates, shares, expansion factors, extrapolated counts, weighted means and medians: relative
  1e-9 (absolute 1e-12 near zero). The two agree to 2e-12 relative at worst (a usage rate of
  2e-4 off by 5e-16): the order of floating-point sums differs between DuckDB and pandas,
  nothing else. No systematic difference remains, because the peer implements the collapse
  of small weighting cells, the netting of corrections and the prison-population rule for the
  detainees' usage. A rule changed on one side only moves a value by far more than 1e-9.
- not compared: the extrapolated count of detained patients in the sessions mart (the
  warehouse extrapolates it to the prison population, int_elp_detained_patients; the peer
  keeps the expansion factors), confidence intervals, standardised rates, and the sessions
  breakdowns by network, first setting and function (the peer leaves them out).
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import REPO_ROOT, query

from warehouse import demo_database, demo_truth_dir

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def load_peer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "peer_pandas", REPO_ROOT / "scripts" / "peer_pandas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["peer_pandas"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def peer() -> ModuleType:
    return load_peer()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory)


@pytest.fixture(scope="module")
def indicators(
    demo: Path, peer: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, pd.DataFrame]:
    raw = demo_truth_dir(tmp_path_factory).parent / "raw"
    # the demo build runs with the default extraction date, as does the peer here
    found, _ = peer.run(raw, date.fromisoformat(peer.DEFAULT_EXTRACTION_DATE))
    assert isinstance(found, dict)
    return found


def mart(database: Path, sql: str) -> pd.DataFrame:
    con_rows = query(database, sql)
    names = sql.split("select", 1)[1].split("from", 1)[0]
    columns = [name.strip().split(" as ")[-1].strip() for name in names.split(",")]
    return pd.DataFrame(con_rows, columns=columns)


def compare(
    expected: pd.DataFrame,
    got: pd.DataFrame,
    keys: list[str],
    exact: list[str],
    close: list[str],
) -> None:
    """Every row of `expected` (a mart) has its row in `got` (the peer) and vice versa, with
    equal `exact` columns and `close` columns within the tolerances."""
    expected = expected.astype(dict.fromkeys(keys, str))
    got = got.astype(dict.fromkeys(keys, str))
    both = expected.merge(got, on=keys, how="outer", suffixes=("_mart", "_peer"), indicator=True)
    unmatched = both[both._merge != "both"]
    assert unmatched.empty, f"rows in one side only:\n{unmatched[[*keys, '_merge']].head(20)}"
    for column in exact:
        differ = both[both[f"{column}_mart"] != both[f"{column}_peer"]]
        assert differ.empty, (
            f"{column} differs:\n{differ[[*keys, f'{column}_mart', f'{column}_peer']]}"
        )
    for column in close:
        want, have = both[f"{column}_mart"], both[f"{column}_peer"]
        allowed = (RELATIVE_TOLERANCE * want.abs()).clip(lower=ABSOLUTE_TOLERANCE)
        mismatch = both[~((want - have).abs() <= allowed)]  # a null on one side only fails too
        assert mismatch.empty, (
            f"{column} differs by more than {RELATIVE_TOLERANCE:g} relative:\n"
            f"{mismatch[[*keys, f'{column}_mart', f'{column}_peer']]}"
        )


def test_constants_are_the_warehouse_defaults(peer: ModuleType) -> None:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    variables: dict[str, Any] = project["vars"]
    names = {
        "first_year": "FIRST_YEAR",
        "last_year": "LAST_YEAR",
        "elp_start_year": "ELP_START_YEAR",
        "min_weighting_cell_members": "MIN_WEIGHTING_CELL_MEMBERS",
        "trajectory_gap_months": "TRAJECTORY_GAP_MONTHS",
        "sessions_window_months": "SESSIONS_WINDOW_MONTHS",
        "cohort_billing_margin_days": "COHORT_BILLING_MARGIN_DAYS",
    }
    assert {var: getattr(peer, name) for var, name in names.items()} == {
        var: variables[var] for var in names
    }
    assert peer.DEFAULT_EXTRACTION_DATE in str(variables["extraction_date"])


def test_weights_agree(demo: Path, indicators: dict[str, pd.DataFrame]) -> None:
    expected = mart(
        demo,
        "select year, age_band, sex, province_code, vt, ima_population, members,"
        " collapse_level, weighting_group, expansion_factor, weight"
        " from marts.mart_population_weights",
    )
    # the demo extract is small enough that cells are pooled at every level but the last:
    # the collapse rule is exercised, not only the plain cells
    assert set(expected.collapse_level) >= {0, 1, 2}
    compare(
        expected,
        indicators["weights"],
        ["year", "age_band", "sex", "province_code", "vt"],
        exact=["ima_population", "members", "collapse_level", "weighting_group"],
        close=["expansion_factor", "weight"],
    )


def test_usage_by_dimension_agrees(demo: Path, indicators: dict[str, pd.DataFrame]) -> None:
    expected = mart(
        demo,
        "select year, dimension, category, members_observed, users_observed,"
        " users_extrapolated, population, usage_rate, extrapolation_method"
        " from marts.mart_elp_usage",
    )
    assert len(set(expected.dimension)) == 9  # every dimension of the mart is compared
    compare(
        expected,
        indicators["usage"],
        ["year", "dimension", "category"],
        exact=["members_observed", "users_observed", "extrapolation_method"],
        close=["usage_rate", "users_extrapolated", "population"],
    )


def test_users_yearly_agrees(demo: Path, indicators: dict[str, pd.DataFrame]) -> None:
    expected = mart(
        demo,
        "select year, members_observed, users_observed, usage_rate"
        " from marts.mart_elp_users_yearly",
    )
    usage = indicators["usage"]
    total = usage[usage.dimension == "total"].drop(columns=["dimension", "category"])
    assert expected.usage_rate.gt(0).all()
    compare(
        expected,
        total,
        ["year"],
        exact=["members_observed", "users_observed"],
        close=["usage_rate"],
    )


def test_sessions_per_patient_agree(demo: Path, indicators: dict[str, pd.DataFrame]) -> None:
    expected = mart(
        demo,
        "select cohort_year, dimension, category, patients_observed, patients_extrapolated,"
        " mean_sessions, median_sessions"
        " from marts.mart_elp_sessions_per_patient"
        " where dimension not in ('network_type', 'first_setting', 'function')",
    )
    got = indicators["sessions"].copy()
    # the warehouse extrapolates the count of detained patients to the prison population
    for frame in (expected, got):
        detained = (frame.dimension == "specific_category") & (frame.category == "detained")
        frame.loc[detained, "patients_extrapolated"] = 0.0
    compare(
        expected,
        got,
        ["cohort_year", "dimension", "category"],
        exact=["patients_observed"],
        close=["mean_sessions", "median_sessions", "patients_extrapolated"],
    )


def test_care_categories_agree(demo: Path, indicators: dict[str, pd.DataFrame]) -> None:
    expected = mart(
        demo,
        "select year, classification, category, persons_observed, population_share"
        " from marts.mart_mh_care_use where is_exclusive or category = 'any_mh_care'",
    )
    # 2010-2024; 4 + 4 exclusive categories and any care (no conventioned ELP before 2019)
    assert (expected.year.nunique(), expected.category.nunique()) == (15, 9)
    compare(
        expected,
        indicators["care_use"],
        ["year", "classification", "category"],
        exact=["persons_observed"],
        close=["population_share"],
    )


def test_weighted_quantile_interpolates_between_distinct_values(peer: ModuleType) -> None:
    values = pd.Series([1, 2, 2, 4])
    weights = pd.Series([1.0, 1.0, 1.0, 1.0])
    # F = 1/4 at 1, 3/4 at 2, 1 at 4: the median lies half-way between 1 and 2
    assert peer.weighted_quantile(values, weights, 0.5) == pytest.approx(1.5)
    assert peer.weighted_quantile(values, weights, 0.25) == pytest.approx(1.0)
    assert peer.weighted_quantile(values, weights, 0.875) == pytest.approx(3.0)
    assert peer.weighted_quantile(values, weights, 0.1) == pytest.approx(1.0)
