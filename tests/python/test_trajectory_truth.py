"""The generator's truth for Figures 10-14 uses the warehouse's periods: calendar months added
as SQL adds them (DuckDB `date + interval`, clamped to the month's end), half-open windows."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np

from elp_warehouse.generator.config import day_number
from elp_warehouse.generator.trajectory_truth import CARE_CATEGORIES, add_months, categories

EDGES = [
    date(2024, 2, 29),
    date(2023, 3, 31),
    date(2023, 1, 31),
    date(2023, 12, 15),
    date(2022, 8, 31),
    date(2020, 2, 29),
    date(2019, 1, 1),
]


def test_add_months_matches_duckdb() -> None:
    days = np.array([day_number(d) for d in EDGES], dtype=np.int64)
    with duckdb.connect() as con:
        for months in (-24, -12, 1, 12, 18):
            got = add_months(days, months)
            for d, g in zip(EDGES, got, strict=True):
                want = con.execute(
                    f"select cast(date '{d.isoformat()}' + to_months({months}) as date)"
                ).fetchone()
                assert want is not None
                assert date(1970, 1, 1) + timedelta(days=int(g)) == want[0], (d, months)


def test_categories_follow_the_warehouse_order() -> None:
    # flags[i, code, period]: codes psychiatrist, AV, acute, psychotropic, antidepressant, ELP
    flags = np.zeros((5, 6, 3), dtype=np.bool_)
    flags[0, [0, 1, 2, 3], 0] = True  # everything: the psychiatrist wins
    flags[1, [1, 2, 3], 0] = True  # AV before acute and psychotropics
    flags[2, [2, 3], 0] = True  # acute before psychotropics only
    flags[3, 3, 0] = True
    flags[4, [4, 5], 0] = True  # antidepressant flag and ELP alone are not categories
    got = [CARE_CATEGORIES[k] for k in categories(flags, 0)]
    assert got == [
        "psychiatrist",
        "non_conventioned_psychologist",
        "acute_residential",
        "psychotropics_only",
        "none",
    ]
