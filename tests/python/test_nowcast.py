"""Current-year nowcast (docs/nowcast.md): the completion recomputed from its factors, the
backtest's targets on the demo extract, and a known-truth test against the generator's
complete history (its services and users before the booking filter)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from publish_support import built_warehouse

from warehouse import dbt, demo_database, generate, known_truth_database, rows

MAX_DELAY = 36  # var nowcast_max_delay_months


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory)


# issue 29 scores the end-of-June projection at the scale of a mutuality's research extract;
# at the demo scale (0.02) the second half of a year moves by several per cent with the seed
BACKTEST_SCALE = 0.1


@pytest.fixture(scope="module")
def backtest_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nowcast backtest's lineage only (seeds and models, no tests) on a 0.1 extract of
    the default seed: about a minute."""
    base = tmp_path_factory.mktemp("backtest")
    generate(base / "raw", BACKTEST_SCALE)
    proc = dbt(
        ["build", "--select", "+mart_elp_nowcast_backtest", "--resource-type", "seed", "model"],
        base / "raw",
        base / "warehouse",
    )
    assert proc.returncode == 0, proc.stdout[-8000:]
    return base / "warehouse" / "elp.duckdb"


JUNE_YEAR_END = """
    select as_of_date, relative_error, covered
    from marts.mart_elp_nowcast_backtest
    where period = 'year_end' and area_type = 'total' and measure = 'spending_eur'
        and month(as_of_date) = 6
    order by as_of_date
"""


def test_completion_is_the_chain_ladder_of_its_factors(demo_db: Path) -> None:
    """Completed value and Mack's error of every published national origin, recomputed here
    from int_nowcast_factors: C(i, I) x f_I ... f_(T-1) and C^2 sum sigma2/f^2 (1/C^ + 1/S)."""
    factors: dict[tuple[str, int], dict[str, Any]] = {
        (r["measure"], r["delay_months"]): r
        for r in rows(
            demo_db,
            """
            select f.measure, f.delay_months, f.development_factor, f.sigma2, f.factor_base
            from intermediate.int_nowcast_factors as f
            inner join intermediate.int_nowcast_as_of_dates as d
                on f.as_of_index = d.as_of_index and d.is_published
            where f.area_type = 'total'
            """,
        )
    }
    completed = rows(
        demo_db,
        """
        select measure, latest_delay, target_delay, observed_value, completed_value, mse
        from intermediate.int_nowcast_completed
        where target = 'ultimate' and area_type = 'total'
        """,
    )
    assert len(completed) >= 4 * 12
    for row in completed:
        value = row["observed_value"]
        mse_sum = 0.0
        for k in range(row["latest_delay"], row["target_delay"]):
            f = factors[(row["measure"], k)]
            relative = f["sigma2"] / f["development_factor"] ** 2
            mse_sum += relative * ((1 / value if value > 0 else 0) + 1 / f["factor_base"])
            value *= f["development_factor"]
        assert row["target_delay"] == MAX_DELAY
        assert math.isclose(row["completed_value"], value, rel_tol=1e-9), row
        assert math.isclose(row["mse"], value * value * mse_sum, rel_tol=1e-6, abs_tol=1e-6), row
    # the as-of month itself is far from complete: the completion must add to it
    youngest = [r for r in completed if r["latest_delay"] == 0]
    assert youngest
    assert all(r["completed_value"] > 1.5 * r["observed_value"] for r in youngest)


def test_backtest_meets_the_issue_targets(demo_db: Path) -> None:
    """Issue 29: 95 % intervals cover the final values in at least 85 % of the cases. The
    year-end projection made at the end of June: at the demo scale within 5 % of the final
    national spending on average over 2022-2024 and within 10 % each year (each year within
    5 %: test_end_of_june_projection_at_backtest_scale)."""
    overall = rows(
        demo_db,
        """
        select period, avg(case when covered then 1.0 else 0 end) as coverage, count(*) as n
        from marts.mart_elp_nowcast_backtest
        group by grouping sets ((period), ())
        """,
    )
    by_period = {r["period"]: r for r in overall}
    assert by_period[None]["n"] > 10_000
    assert by_period[None]["coverage"] >= 0.85, by_period
    assert by_period["month"]["coverage"] >= 0.85, by_period
    assert by_period["year_to_date"]["coverage"] >= 0.85, by_period
    # the year end is the hardest (a new year's growth is unknown in its first months):
    # 85.8 % measured (docs/nowcast.md); 80 % is the floor below which the intervals are wrong
    assert by_period["year_end"]["coverage"] >= 0.80, by_period
    june = rows(demo_db, JUNE_YEAR_END)
    assert len(june) == 3
    errors = [abs(r["relative_error"]) for r in june]
    assert sum(errors) / 3 <= 0.05 and max(errors) <= 0.10, june
    # the completion is better than reading the booked figures as they are, at every horizon
    # where much is still to come
    horizons = rows(
        demo_db,
        """
        select horizon_months,
            median(abs(relative_error)) as completed_error,
            median(abs(booked_relative_error)) as booked_error
        from marts.mart_elp_nowcast_backtest
        where period = 'month' and area_type = 'total' and horizon_months <= 3
        group by horizon_months
        """,
    )
    assert len(horizons) == 4
    for h in horizons:
        assert h["completed_error"] < h["booked_error"] / 2, h


def test_end_of_june_projection_at_backtest_scale(backtest_db: Path) -> None:
    """Issue 29 at scale 0.1: the year-end projection made at the end of June is within 5 %
    of the final national spending in every backtest year (2022-2024), inside its 95 %
    interval."""
    june = rows(backtest_db, JUNE_YEAR_END)
    assert len(june) == 3
    for row in june:
        assert abs(row["relative_error"]) <= 0.05, june
        assert row["covered"], june


def test_published_marts_are_suppressed_and_consistent(demo_db: Path) -> None:
    nowcast = rows(
        demo_db,
        """
        select * from marts.mart_elp_nowcast
        """,
    )
    assert {r["period"] for r in nowcast} == {"month", "year_to_date"}
    for r in nowcast:
        if r["services_completed"] is None:
            continue
        assert r["services_ci_low"] <= r["services_completed"] <= r["services_ci_high"], r
        assert r["services_ci_low"] >= r["services_extrapolated"] - 1e-6, r
        assert 0 < r["services_completeness"] <= 1 + 1e-9, r
    projection = rows(
        demo_db,
        "select * from marts.mart_elp_budget_projection where area_type = 'total'",
    )
    assert len(projection) == 1
    p = projection[0]
    assert p["spending_eur_to_date"] < p["spending_eur_to_date_completed"]
    assert p["spending_eur_to_date_completed"] < p["spending_eur_projected"]
    assert p["budget_utilisation_ci_low"] < p["budget_utilisation_projected"]
    assert p["budget_utilisation_projected"] < p["budget_utilisation_ci_high"]


def test_a_cell_of_too_few_providers_is_suppressed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Services and spending of a cell with 1 to min_cell_size - 1 providers are withheld in
    the published snapshot, in every nowcast mart, as mart_elp_province_overview does; the
    users of such a cell stay when they are enough (the provider rule hides no persons)."""
    built = built_warehouse(tmp_path_factory)
    con = duckdb.connect(str(built.snapshot), read_only=True)
    con.execute(f"attach '{built.working_db}' as src (read_only)")
    try:
        k = con.execute("select min_cell_size from meta.snapshot").fetchall()[0][0]
        cells = con.execute(
            f"""
            select w.users_observed, p.users_observed, p.providers_observed,
                p.services_extrapolated, p.services_completed, p.spending_eur_extrapolated,
                p.spending_eur_completed, p.spending_eur_ci_high
            from src.marts.mart_elp_nowcast as w
            join marts.mart_elp_nowcast as p
                using (as_of_date, period, period_start, area_type, area)
            where w.providers_observed between 1 and {k - 1}
            """
        ).fetchall()
        shown = con.execute(
            f"""
            select count(*) from src.marts.mart_elp_nowcast_backtest as w
            join marts.mart_elp_nowcast_backtest as p
                using (as_of_date, period, period_start, measure, area_type, area)
            where w.providers_observed between 1 and {k - 1} and w.measure <> 'users'
                and (p.booked_value is not null or p.projection is not null
                    or p.providers_observed is not null)
            """
        ).fetchall()[0][0]
        budget_shown = con.execute(
            f"""
            select count(*) from src.marts.mart_elp_budget_projection as w
            join marts.mart_elp_budget_projection as p using (year, area_type, area)
            where w.providers_observed between 1 and {k - 1}
                and (p.spending_eur_projected is not null or p.providers_observed is not null)
            """
        ).fetchall()[0][0]
    finally:
        con.close()
    assert cells, "the test extract has no nowcast cell with fewer than min_cell_size providers"
    for cell in cells:
        assert all(v is None for v in cell[2:]), cell
    # a cell hidden for its providers alone still shows its users
    assert any(users >= k and published is not None for users, published, *_ in cells), cells
    assert shown == 0
    assert budget_shown == 0


def _nowcast_as_of(
    built: tuple[Path, Path], tmp_path: Path, as_of: str
) -> tuple[Path, list[dict[str, Any]]]:
    """The known-truth warehouse's nowcast rebuilt in a copy at another as-of date."""
    db, truth_dir = built
    warehouse_dir = tmp_path / "warehouse"
    warehouse_dir.mkdir()
    shutil.copy(db, warehouse_dir / "elp.duckdb")
    proc = dbt(
        ["run", "-s", "models/intermediate/nowcast", "models/marts/nowcast"],
        truth_dir.parent / "raw",
        warehouse_dir,
        {"ima_population_path": str(truth_dir / "population.parquet"), "nowcast_as_of": as_of},
    )
    assert proc.returncode == 0, proc.stdout[-6000:]
    out = warehouse_dir / "elp.duckdb"
    return out, rows(
        out,
        """
        select services_extrapolated, services_completed, services_ci_low, services_ci_high,
            users_extrapolated, users_completed, users_ci_low, users_ci_high
        from marts.mart_elp_nowcast
        where period = 'year_to_date' and area_type = 'total'
        """,
    )


def test_known_truth_the_completion_recovers_the_complete_year(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The generator knows every 2024 service before its booking filter (truth
    services.parquet) and every 2024 ELP user (truth usage.parquet). On the warehouse weighted
    to the simulated population, the year to date as of 31 December 2024, booked by then,
    misses a clear share of the year; completed, it recovers the complete year within the
    sampling error of the mutuality's members."""
    built = known_truth_database(tmp_path_factory)
    _, found = _nowcast_as_of(built, tmp_path, "2024-12-31")
    assert len(found) == 1
    year = found[0]
    truth_dir = built[1]
    with duckdb.connect() as con:
        services = con.execute(
            f"""
            select sum(services) from read_parquet('{truth_dir / "services.parquet"}')
            where year = 2024 and area = 'belgium' and dimension = 'network_type'
            """
        ).fetchone()
        users = con.execute(
            f"""
            select sum(elp_users) from read_parquet('{truth_dir / "usage.parquet"}')
            where year = 2024 and dimension = 'total'
            """
        ).fetchone()
    assert services is not None and users is not None
    true_services, true_users = float(services[0]), float(users[0])
    booked_error = year["services_extrapolated"] / true_services - 1
    completed_error = year["services_completed"] / true_services - 1
    assert booked_error < -0.04, (booked_error, completed_error)
    assert abs(completed_error) < 0.03, (booked_error, completed_error)
    users_booked_error = year["users_extrapolated"] / true_users - 1
    users_completed_error = year["users_completed"] / true_users - 1
    assert abs(users_completed_error) < abs(users_booked_error), (
        users_booked_error,
        users_completed_error,
    )
    # the members' own sampling error of the year's users (the weighted estimate of the
    # complete year, mart_elp_users_yearly: +-3.7 % at this scale) bounds what any completion
    # of their bookings can recover; 3 % where it is smaller
    full = rows(
        built[0],
        "select usage_rate, usage_rate_ci_low, usage_rate_ci_high from marts.mart_elp_users_yearly"
        " where year = 2024",
    )[0]
    sampling = (full["usage_rate_ci_high"] - full["usage_rate_ci_low"]) / 2 / full["usage_rate"]
    assert abs(users_completed_error) < max(0.03, sampling), (
        users_booked_error,
        users_completed_error,
        sampling,
    )
