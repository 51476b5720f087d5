"""`make demo` in a test: the default synthetic extract, a full `dbt build` (every dbt data
and unit test), then invariants of the published weighting and quality marts."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse import demo_database, rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory)


def test_weights_add_up_to_the_ima_population(demo: Path) -> None:
    got = rows(
        demo,
        """
        select w.year, sum(w.members * w.expansion_factor) as expanded, p.population
        from marts.mart_population_weights as w
        inner join (
            select year, sum(population) as population
            from intermediate.int_population_cells group by year
        ) as p on p.year = w.year
        group by w.year, p.population
        """,
    )
    assert len(got) == 15
    for r in got:
        assert r["expanded"] == pytest.approx(r["population"], rel=1e-9)


def test_2024_is_weighted_with_2023(demo: Path) -> None:
    got = rows(
        demo, "select distinct population_year from marts.mart_population_weights where year = 2024"
    )
    assert got == [{"population_year": 2023}]


def test_data_quality_passes(demo: Path) -> None:
    failing = rows(demo, "select * from marts.mart_data_quality where status = 'fail'")
    assert failing == []
    read = rows(
        demo, "select source, max(rows_read) as n from marts.mart_data_quality group by source"
    )
    assert {r["source"] for r in read} >= {
        "members_yearly",
        "affiliation_periods",
        "claims",
        "pharmacy_dispensings",
        "complementary_refunds",
    }
    assert all(r["n"] > 0 for r in read)


def test_users_per_year_near_the_study(demo: Path) -> None:
    # Study Figure 4: 282,937 users in 2024 (2.5 %), 113,578 in 2022, 226,194 in 2023.
    published = {2022: 113_578, 2023: 226_194, 2024: 282_937}
    got = {r["year"]: r for r in rows(demo, "select * from marts.mart_elp_users_yearly")}
    for year, users in published.items():
        assert got[year]["users_extrapolated"] == pytest.approx(users, rel=0.10), year
    assert got[2024]["usage_rate"] == pytest.approx(0.025, abs=0.003)
    assert (
        got[2024]["usage_rate_ci_low"] < got[2024]["usage_rate"] < got[2024]["usage_rate_ci_high"]
    )
