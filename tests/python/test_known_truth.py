"""Known truth: the generator simulates the whole population and a biased mutuality inside
it. Built with the simulated population as weighting population, the warehouse's weighted
usage rate must recover the full-population truth within its confidence interval, while the
unweighted member rate must not. The extract's mutuality over-selects older members more
strongly than the default extract's (warehouse.KNOWN_TRUTH_MEMBERSHIP_AGE_TILT), whose
calibration on the study leaves its unweighted rate close to the truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse import known_truth_database, rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return known_truth_database(tmp_path_factory)


def truth_rates(truth: Path) -> dict[int, dict[str, Any]]:
    with duckdb.connect() as con:
        cur = con.execute(
            f"""
            select year, sum(elp_users) as users, sum(population) as population,
                   sum(member_elp_users) as member_users, sum(members) as members
            from read_parquet('{truth / "usage.parquet"}')
            where dimension = 'total'
            group by year
            """
        )
        return {
            r[0]: {"users": r[1], "population": r[2], "rate": r[1] / r[2]} for r in cur.fetchall()
        }


def test_weighted_rate_recovers_truth_and_unweighted_does_not(built: tuple[Path, Path]) -> None:
    db, truth_dir = built
    truth = truth_rates(truth_dir)
    marts = {r["year"]: r for r in rows(db, "select * from marts.mart_elp_users_yearly")}
    lines = ["year  truth     weighted  [ci_low, ci_high]     unweighted"]
    for year in range(2019, 2025):
        m, t = marts[year], truth[year]["rate"]
        lines.append(
            f"{year}  {t:.5f}  {m['usage_rate']:.5f}  [{m['usage_rate_ci_low']:.5f}, "
            f"{m['usage_rate_ci_high']:.5f}]  {m['usage_rate_unweighted']:.5f}"
        )
    print("\n".join(lines))
    for year in range(2022, 2025):
        m, t = marts[year], truth[year]["rate"]
        assert m["usage_rate_ci_low"] <= t <= m["usage_rate_ci_high"], year
        # the unweighted member rate is visibly biased: outside the interval
        assert not (
            m["usage_rate_ci_low"] <= m["usage_rate_unweighted"] <= m["usage_rate_ci_high"]
        ), year


def test_population_matches_truth_exactly(built: tuple[Path, Path]) -> None:
    db, truth_dir = built
    truth = truth_rates(truth_dir)
    got = rows(db, "select year, population from marts.mart_elp_users_yearly")
    for r in got:
        if r["year"] <= 2023:  # 2024 is weighted with the 2023 population, as in the study
            assert r["population"] == pytest.approx(truth[r["year"]]["population"], rel=1e-9)


# Subgroups whose weighted estimate uses other inputs than the simulated population:
# detainees are extrapolated with the prison population seed (fn 7), not the truth.
NOT_POST_STRATIFIED = {
    ("specific_category", "detained"),
    ("specific_category", "detained_female"),
    ("specific_category", "detained_male"),
}


def test_every_dimension_recovers_truth(built: tuple[Path, Path]) -> None:
    """2022-2023 (fully billed years): the 95 % interval of every subgroup's weighted rate
    should contain the subgroup's full-population rate about 95 % of the time."""
    db, truth_dir = built
    with duckdb.connect() as con:
        truth = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.execute(
                f"""
                select year, dimension, category, elp_users, population,
                       member_elp_users, members
                from read_parquet('{truth_dir / "usage.parquet"}')
                where year in (2022, 2023) and population > 0
                """
            ).fetchall()
        }
    marts = {
        (r["year"], r["dimension"], r["category"]): r
        for r in rows(db, "select * from marts.mart_elp_usage where year in (2022, 2023)")
    }
    covered, missed, biased_unweighted = 0, [], 0
    lines = ["year dimension/category            truth    weighted [ci]                unweighted"]
    for key, (users, population, member_users, members) in sorted(truth.items()):
        if key[1:] in NOT_POST_STRATIFIED or members == 0:
            continue
        m = marts[key]
        true_rate = users / population
        unweighted = member_users / members
        inside = m["usage_rate_ci_low"] <= true_rate <= m["usage_rate_ci_high"]
        covered += inside
        if not inside:
            missed.append(key)
        biased_unweighted += not (m["usage_rate_ci_low"] <= unweighted <= m["usage_rate_ci_high"])
        lines.append(
            f"{key[0]} {key[1] + '/' + key[2]:<30} {true_rate:.5f}  {m['usage_rate']:.5f} "
            f"[{m['usage_rate_ci_low']:.5f}, {m['usage_rate_ci_high']:.5f}]  {unweighted:.5f}"
            + ("" if inside else "  MISSED")
        )
    print("\n".join(lines))
    total = covered + len(missed)
    print(f"coverage {covered}/{total} = {covered / total:.3f}; missed {missed}")
    assert total >= 60
    # 95 % intervals: allow the binomial spread of ~60-80 intervals, not systematic misses
    assert covered / total >= 0.88, missed
    # every dimension is represented among the covered subgroups
    dims = {k[1] for k in truth if k[1:] not in NOT_POST_STRATIFIED}
    assert dims <= {k[1] for k in truth if k not in missed}
