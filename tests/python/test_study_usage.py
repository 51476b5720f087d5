"""Study reproduction for the usage marts (Figures 1, 2, 4, 5, footnote 18, Tables 2-4,
Figure 6) on the default synthetic extract, printed as a published-vs-warehouse table.

Tolerances (stated, as the issue asks): population rates within 0.3 percentage points;
shares of users within 3 points; counts within 10 %. A small subgroup's sampling noise can
exceed that at the default scale (0.02 of the country): where the warehouse's own 95 %
interval is wider than the tolerance, the interval's half-width is used instead, and shares
of fewer than 50 observed users are not compared.

Where the warehouse misses the published value but matches the generator's own
full-population truth within the same tolerance, the synthetic extract departs from the study
(a calibration gap of the generator, issue 2), not the warehouse: the table shows it as a
"generator gap", for at most 5 % of a table's compared figures (study.gap_cap: more gaps fail
and are listed). A value far from both the study and the truth fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from study import Comparison, figures, gap_cap

from elp_warehouse.study_figures import (
    CARE_USE,
    FN18,
    USERS,
    Cell,
    Figure,
    Warehouse,
    measure,
    study_mapping,
)
from warehouse import demo_database, demo_truth_dir, rows

RATE_TOL, SHARE_TOL, COUNT_REL = 0.003, 0.03, 0.10
MIN_USERS = 50
# the project's min_cell_size (dbt_project.yml): cells below it are suppressed when published
MIN_CELL_SIZE = int(
    yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())["vars"][
        "min_cell_size"
    ]
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory)


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str, str], dict[str, Any]]:
    """The generator's full-population counts per year x dimension x category."""
    path = demo_truth_dir(tmp_path_factory) / "usage.parquet"
    with duckdb.connect() as con:
        cur = con.execute(f"select * from read_parquet('{path}')")
        names = [d[0] for d in cur.description]
        return {(r[0], r[1], r[2]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def _share(t: dict[str, Any] | None, numerator: str, denominator: str) -> float | None:
    return t[numerator] / t[denominator] if t and t[denominator] else None


def _tol(base: float, low: float | None, high: float | None) -> float:
    return max(base, (high - low) / 2) if low is not None and high is not None else base


def test_figure_1_and_2_care_use(
    demo: Path, truth: dict[tuple[int, str, str], dict[str, Any]]
) -> None:
    # the figure -> mart mapping of scripts/study_reproduction.py (one mapping for both)
    mapped, _ = study_mapping(figures())
    wh = Warehouse(demo)
    cmp = Comparison("Figures 1-2: share of the population with reimbursed MH care")
    for f in mapped:
        if f.family == CARE_USE:
            assert isinstance(f.published, float)
            # "Fig 1 any_mh_care 2024": the generator's own share, for the capped gap rule
            _, number, category, year = f.label.split()
            row = truth.get((int(year), "total", "belgium"))
            column = f"fig{number}_{category}"
            t = _share(row, column, "population") if row and column in row else None
            cmp.add(f.label, f.published, measure(f, wh).value, RATE_TOL, t)
    assert len(cmp.rows) == 29
    assert cmp.report() == []


def test_figure_4_users_per_year(demo: Path, truth: dict[tuple[int, str, str], Any]) -> None:
    fig = figures()["elp_users_yearly"]["rows"]
    got = {r["year"]: r for r in rows(demo, "select * from marts.mart_elp_users_yearly")}
    cmp = Comparison("Figure 4: ELP users per year")
    users = next(r for r in fig if r["measure"] == "users_extrapolated")
    for year in (2019, 2022, 2023, 2024):
        m = got[year]
        # 10 %, or the sampling error where it is larger (2019: ~50 observed users at 0.02)
        tol = max(
            COUNT_REL * users[year],
            (m["usage_rate_ci_high"] - m["usage_rate_ci_low"]) / 2 * m["population"],
        )
        # the truth rate applied to the weighting population: the count the data imply
        rate_true = _share(truth.get((year, "total", "belgium")), "elp_users", "population")
        t = None if rate_true is None else rate_true * m["population"]
        cmp.add(f"users {year}", users[year], m["users_extrapolated"], tol, t)
    rate = next(r for r in fig if r["measure"] == "usage_rate")
    for year in (2019, 2024):
        t = _share(truth.get((year, "total", "belgium")), "elp_users", "population")
        cmp.add(f"usage rate {year}", rate[year], got[year]["usage_rate"], RATE_TOL, t)
    cumulative = next(r for r in fig if r["measure"] == "cumulative_distinct_users")["value"]
    cmp.add(
        "cumulative distinct users 2019-2024",
        cumulative,
        got[2024]["cumulative_users_extrapolated"],
        COUNT_REL * cumulative,
    )
    cum_rate = next(r for r in fig if r["measure"] == "cumulative_usage_rate")["value"]
    cmp.add("cumulative usage rate", cum_rate, got[2024]["cumulative_usage_rate"], RATE_TOL)
    assert cmp.report() == []


def _usage_figures(family: str, prefix: str) -> Iterator[tuple[Figure, Cell]]:
    """The mapped figures of `family` whose label starts with `prefix`, with their cell."""
    mapped, _ = study_mapping(figures())
    for f in mapped:
        if f.family == family and f.label.startswith(prefix):
            (c,) = f.numerator
            yield f, c


def _cell_value(wh: Warehouse, c: Cell, column: str) -> float | None:
    value, _ = wh.lookup(replace(c, column=column))
    return value


def test_figure_5_and_footnote_18_usage_by_subgroup(
    demo: Path, truth: dict[tuple[int, str, str], Any]
) -> None:
    wh = Warehouse(demo)
    cmp = Comparison("Figure 5 / fn 18: usage rate 2024 by subgroup")
    tiny = []
    for f, c in _usage_figures(USERS, "Fig 5 "):
        key = dict(c.key)
        assert isinstance(f.published, float)
        members = _cell_value(wh, c, "members_observed")
        if members is not None and members < MIN_CELL_SIZE:
            # a rate of one to four members (detained women at the demo scale: 0 or 1) is
            # what the published snapshot suppresses; it cannot be judged either way
            tiny.append(f.label)
            continue
        tol = _tol(
            RATE_TOL,
            _cell_value(wh, c, "usage_rate_ci_low"),
            _cell_value(wh, c, "usage_rate_ci_high"),
        )
        subgroup = (2024, str(key["dimension"]), str(key["category"]))
        t = _share(truth.get(subgroup), "elp_users", "population")
        cmp.add(f.label, f.published, measure(f, wh).value, tol, t)
    assert len(cmp.rows) + len(tiny) == 21 and len(tiny) <= 1, tiny
    assert cmp.report() == []


def test_footnote_18_standardised_rates(demo: Path) -> None:
    wh = Warehouse(demo)
    cmp = Comparison("Footnote 18: age-sex standardised usage rate 2024")
    for f, c in _usage_figures(FN18, "fn 18 "):
        assert isinstance(f.published, float)
        tol = _tol(
            RATE_TOL,
            _cell_value(wh, c, "standardised_rate_ci_low"),
            _cell_value(wh, c, "standardised_rate_ci_high"),
        )
        cmp.add(f.label, f.published, measure(f, wh).value, tol)
    assert len(cmp.rows) == 2
    assert cmp.report() == []


FUNCTION_TRUTH = {
    "support": "elp_support_only",
    "treatment": "elp_treatment_only",
    "both": "elp_both",
}


def test_tables_2_and_3_users_by_function(
    demo: Path, truth: dict[tuple[int, str, str], Any]
) -> None:
    fig = figures()
    got = {
        (r["year"], r["dimension"], r["category"], r["function"]): r
        for r in rows(demo, "select * from marts.mart_elp_users_by_function")
    }
    yearly = {r["year"]: r for r in rows(demo, "select * from marts.mart_elp_users_yearly")}
    cmp = Comparison("Tables 2-3: users by function")
    for row in fig["table_2_users_by_function"]["rows"]:
        if row["function"] == "total":
            continue
        for year in (2022, 2023, 2024):
            m = got[(year, "total", "belgium", row["function"])]
            tt = truth.get((year, "total", "belgium"))
            key = FUNCTION_TRUTH[row["function"]]
            cmp.add(
                f"T2 share {row['function']} {year}",
                row["share"][year],
                m["users_share"],
                SHARE_TOL,
                _share(tt, key, "elp_users"),
            )
            rate_true = _share(tt, key, "population")
            cmp.add(
                f"T2 users {row['function']} {year}",
                row["n"][year],
                m["users_extrapolated"],
                COUNT_REL * row["n"][year],
                None if rate_true is None else rate_true * yearly[year]["population"],
            )
    for row in fig["table_3_users_by_function_profile_2024"]["rows"]:
        for function in ("support", "treatment", "both"):
            m = got.get((2024, row["dimension"], row["category"], function))
            if m is None or m["subgroup_users_observed"] < MIN_USERS:
                continue
            tol = _tol(SHARE_TOL, m["users_share_ci_low"], m["users_share_ci_high"])
            t = _share(
                truth.get((2024, row["dimension"], row["category"])),
                FUNCTION_TRUTH[function],
                "elp_users",
            )
            cmp.add(
                f"T3 {row['dimension']}/{row['category']} {function}",
                row[f"share_{function}"],
                m["users_share"],
                tol,
                t,
            )
    assert cmp.report() == []


SETTING_TRUTH = {
    "office_only": "elp_office_only",
    "outreach_only": "elp_outreach_only",
    "group_only": "elp_group_only",
    "home_only": "elp_home_only",
    "remote_only": "elp_remote_only",
    "multiple": "elp_multiple",
    "other": "elp_other",
    "office": "elp_any_office",
    "outreach": "elp_any_outreach",
    "group": "elp_any_group",
    "home": "elp_any_home",
    "remote": "elp_any_remote",
    "adults": "elp_network_adults",
    "children_adolescents": "elp_network_children_adolescents",
}


def test_table_4_and_figure_6_users_by_setting(
    demo: Path, truth: dict[tuple[int, str, str], Any]
) -> None:
    fig = figures()
    got = {
        (r["year"], r["dimension"], r["category"], r["setting_group"], r["setting"]): r
        for r in rows(demo, "select * from marts.mart_elp_users_by_setting")
    }
    usage = {
        (r["year"], r["category"]): r
        for r in rows(demo, "select * from marts.mart_elp_usage where dimension = 'network_type'")
    }
    yearly = {r["year"]: r for r in rows(demo, "select * from marts.mart_elp_users_yearly")}
    cmp = Comparison("Table 4 / Figure 6: users by network and setting")
    for row in fig["table_4_users_by_network_and_place"]["rows"]:
        for year in (2022, 2023, 2024):
            if row["group"] == "network":
                total = yearly[year]["users_extrapolated"]
                m_users = usage[(year, row["category"])]["users_extrapolated"]
                cmp.add(
                    f"T4 network {row['category']} {year}",
                    row["share"][year],
                    m_users / total,
                    SHARE_TOL,
                    _share(
                        truth.get((year, "total", "belgium")),
                        SETTING_TRUTH[row["category"]],
                        "elp_users",
                    ),
                )
                continue
            group = "exclusive" if row["group"] == "place_exclusive" else "any"
            m = got[(year, "total", "belgium", group, row["category"])]
            cmp.add(
                f"T4 {group} {row['category']} {year}",
                row["share"][year],
                m["users_share"],
                SHARE_TOL,
                _share(
                    truth.get((year, "total", "belgium")),
                    SETTING_TRUTH[row["category"]],
                    "elp_users",
                ),
            )
    for row in fig["figure_6_outreach_share_2024"]["rows"]:
        m = got.get((2024, row["dimension"], row["category"], "any", "outreach"))
        if m is None or m["subgroup_users_observed"] < MIN_USERS:
            continue
        tol = _tol(SHARE_TOL, m["users_share_ci_low"], m["users_share_ci_high"])
        t = _share(
            truth.get((2024, row["dimension"], row["category"])), "elp_any_outreach", "elp_users"
        )
        cmp.add(
            f"F6 outreach {row['dimension']}/{row['category']}",
            row["value"],
            m["users_share"],
            tol,
            t,
        )
    assert cmp.report() == []


def test_generator_gap_cap() -> None:
    """The cap on generator gaps, on crafted rows: 40 compared figures allow 2 gaps (5 %), a
    third fails the table and the failure names every gap; a real miss is never a gap."""
    cmp = Comparison("crafted")
    for i in range(38):
        cmp.add(f"ok {i}", 0.5, 0.5, 0.01)
    for i in range(2):
        cmp.add(f"gap {i}", 0.5, 0.6, 0.01, truth=0.6)
    assert [r[5] for r in cmp.rows[-2:]] == ["generator gap"] * 2
    assert cmp.report() == []
    cmp.add("gap 2", 0.5, 0.6, 0.01, truth=0.605)
    (failure,) = cmp.report()
    assert "3 generator gaps among 41 compared figures, more than 2" in failure
    assert all(f"gap {i}" in failure for i in range(3))
    cmp.add("far from both", 0.5, 0.7, 0.01, truth=0.6)
    assert cmp.report()[0] == "far from both"
    # a family of fewer than 20 figures allows no gap at all
    assert gap_cap("small", 19, ["a"]) != []
    assert gap_cap("small", 20, ["a"]) == []
