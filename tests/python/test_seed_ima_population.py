"""The modelled IMA population seed keeps its public marginals and is reproducible."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import pytest

from elp_warehouse.seeds import ima_population as ip

SEED_PATH = Path(__file__).resolve().parents[2] / "seeds" / "population" / "ima_population.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return ip.build_ima_population()


def _sum(rows: list[dict[str, object]], **where: object) -> int:
    total = 0
    for row in rows:
        if all(row[k] == v for k, v in where.items()):
            value = row["population"]
            assert isinstance(value, int)
            total += value
    return total


def test_years_and_no_2024(rows: list[dict[str, object]]) -> None:
    years = {row["year"] for row in rows}
    assert years == set(range(2010, 2024))
    assert 2024 not in years


def test_grain_complete_and_positive(rows: list[dict[str, object]]) -> None:
    keys = {(r["year"], r["age_band"], r["sex"], r["province_code"], r["vt"]) for r in rows}
    assert len(keys) == len(rows) == 14 * 19 * 2 * 11 * 2
    assert all(isinstance(r["population"], int) and r["population"] > 0 for r in rows)
    assert all(r["is_estimate"] is True for r in rows)


@pytest.mark.parametrize("year", range(2010, 2024))
def test_year_total_is_statbel_times_coverage(rows: list[dict[str, object]], year: int) -> None:
    expected = round(ip.STATBEL_TOTALS[year] * 0.985)
    assert _sum(rows, year=year) == expected


def test_2023_provinces_close_to_public_table(rows: list[dict[str, object]]) -> None:
    by_province: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["year"] == 2023:
            value = row["population"]
            assert isinstance(value, int)
            by_province[str(row["province_code"])] += value
    assert set(by_province) == set(ip.PROVINCE_POPULATION_2023)
    for code, public in ip.PROVINCE_POPULATION_2023.items():
        assert by_province[code] == pytest.approx(public * 0.985, rel=0.015), code


def test_vt_share_2023(rows: list[dict[str, object]]) -> None:
    share = _sum(rows, year=2023, vt=True) / _sum(rows, year=2023)
    assert 0.19 <= share <= 0.21


def test_vt_share_rises_and_is_higher_in_brussels(rows: list[dict[str, object]]) -> None:
    assert _sum(rows, year=2010, vt=True) / _sum(rows, year=2010) < 0.17

    def province_share(code: str) -> float:
        vt = _sum(rows, year=2023, province_code=code, vt=True)
        return vt / _sum(rows, year=2023, province_code=code)

    assert province_share("BE-BRU") > province_share("BE-WHT") > province_share("BE-VAN")


@pytest.mark.parametrize("year", [2010, 2019, 2023])
def test_female_share(rows: list[dict[str, object]], year: int) -> None:
    share = _sum(rows, year=year, sex="F") / _sum(rows, year=year)
    assert 0.50 <= share <= 0.52


def test_committed_file_equals_builder(tmp_path: Path) -> None:
    fresh = tmp_path / "ima_population.csv"
    ip.write_csv(fresh)
    assert SEED_PATH.read_bytes() == fresh.read_bytes()


def test_committed_file_parses_with_expected_header() -> None:
    reader = csv.reader(io.StringIO(SEED_PATH.read_text(encoding="utf-8")))
    assert tuple(next(reader)) == ip.COLUMNS
    assert all(row[-1] == "true" for row in reader)
