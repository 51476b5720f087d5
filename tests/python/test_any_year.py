"""Moving the analysis one year on (to 2025) is a change of vars and seeds only.

A small extract is generated through 2025 (extraction date 2026-06-23) and built with `--vars`
only: no model, macro or seed file is edited. The IMA population with a 2024 year is a test
fixture passed through var `ima_population_path`: the seed's 2023 figures, each raised by 1 %
and relabelled 2024 (the real 2024 IMA figures are not in the seed), so that the test can tell
the 2024 year from the 2023 one in the weights.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from warehouse import ROOT, dbt, generate, rows

LAST_YEAR = 2025
EXTRACTION_DATE = "2026-06-23"
SCALE = 0.002  # ~9,000 members a year: every mart has rows, the build stays under a minute
SEED = 7
IMA_SEED = ROOT / "seeds" / "population" / "ima_population.csv"
# every analysis date moves one year: the defaults (dbt_project.yml) are 2024 / 2025-06-23 and
# the 2023 transitions cohort
VARS: dict[str, Any] = {
    "last_year": LAST_YEAR,
    "extraction_date": EXTRACTION_DATE,
    "transitions_cohort_start": "2024-01-01",
    "transitions_cohort_end": "2024-12-15",
}


def ima_with_2024(path: Path) -> dict[int, int]:
    """Write the seed plus a 2024 year (2023 x 1.01, rounded); return the total per year."""
    with IMA_SEED.open(newline="") as f:
        seed_rows = list(csv.DictReader(f))
    rows_2024 = [
        {**r, "year": "2024", "population": str(round(int(r["population"]) * 1.01))}
        for r in seed_rows
        if r["year"] == "2023"
    ]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(seed_rows[0]))
        writer.writeheader()
        writer.writerows(seed_rows + rows_2024)
    totals: dict[int, int] = {}
    for r in seed_rows + rows_2024:
        totals[int(r["year"])] = totals.get(int(r["year"]), 0) + int(r["population"])
    return totals


@pytest.fixture(scope="module")
def built_2025(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, int]]:
    base = tmp_path_factory.mktemp("year_2025")
    generate(
        base / "raw",
        SCALE,
        SEED,
        "--last-year",
        str(LAST_YEAR),
        "--extraction-date",
        EXTRACTION_DATE,
    )
    ima_totals = ima_with_2024(base / "ima_population_2024.csv")
    proc = dbt(
        ["build"],
        base / "raw",
        base / "warehouse",
        {**VARS, "ima_population_path": str(base / "ima_population_2024.csv")},
    )
    assert proc.returncode == 0, proc.stdout[-8000:]
    return base / "warehouse" / "elp.duckdb", ima_totals


def years(db: Path, mart: str, column: str = "year") -> set[int]:
    return {r["y"] for r in rows(db, f"select distinct {column} as y from marts.{mart}")}


YEARLY_MARTS = [
    "mart_population_weights",
    "mart_mh_care_use",
    "mart_elp_users_yearly",
    "mart_elp_usage",
    "mart_elp_users_by_function",
    "mart_elp_users_by_setting",
    "mart_elp_services_mix",
    "mart_elp_province_overview",
]


@pytest.mark.parametrize("mart", YEARLY_MARTS)
def test_yearly_marts_reach_2025(built_2025: tuple[Path, dict[int, int]], mart: str) -> None:
    db, _ = built_2025
    assert max(years(db, mart)) == LAST_YEAR


def test_provider_density_follows_the_supply_seeds(
    built_2025: tuple[Path, dict[int, int]],
) -> None:
    """Provider density divides published provider counts (seeds elp_providers,
    licensed_psychologists): it reaches 2025 when those seeds get 2025 rows, not before."""
    db, _ = built_2025
    seed_years = {
        int(r["year"])
        for name in ("elp_providers", "licensed_psychologists")
        for r in csv.DictReader((ROOT / "seeds" / "supply" / f"{name}.csv").open())
    }
    assert max(years(db, "mart_elp_provider_density")) == min(max(seed_years), LAST_YEAR)


def test_weights_of_2025_use_the_2024_ima_year(built_2025: tuple[Path, dict[int, int]]) -> None:
    db, ima_totals = built_2025
    used = rows(
        db,
        "select year, min(population_year) as lo, max(population_year) as hi, "
        "sum(ima_population) as population from marts.mart_population_weights "
        "where year >= 2023 group by year order by year",
    )
    assert [(r["year"], r["lo"], r["hi"]) for r in used] == [
        (2023, 2023, 2023),
        (2024, 2024, 2024),
        (2025, 2024, 2024),
    ]
    # the fixture's 2024 figures (not the 2023 ones) stand behind 2024 and 2025
    assert ima_totals[2024] != ima_totals[2023]
    assert [r["population"] for r in used] == [ima_totals[2023], ima_totals[2024], ima_totals[2024]]


def test_trajectory_cohorts_move_one_year(built_2025: tuple[Path, dict[int, int]]) -> None:
    db, _ = built_2025
    # transitions: the cohort of vars transitions_cohort_start/end (2023 by default)
    assert years(db, "mart_elp_care_transitions", "cohort_year") == {2024}
    assert years(db, "mart_elp_individual_trajectories", "cohort_year") == {2024}
    # sessions per patient: the last cohort is the one whose 12-month window plus the billing
    # margin ends by the extraction date (2024 by default: first sessions before 31 March 2024)
    assert max(years(db, "mart_elp_sessions_per_patient", "cohort_year")) == 2025
    assert max(years(db, "mart_elp_prior_care", "cohort_year")) == 2025
    first_sessions = rows(
        db,
        "select max(first_session_date) as last_first from intermediate.int_elp_trajectories "
        "where is_window_observed",
    )
    assert first_sessions[0]["last_first"] < date(2025, 3, 31)


def test_run_log_records_the_vars(built_2025: tuple[Path, dict[int, int]]) -> None:
    db, _ = built_2025
    logged = rows(db, "select status, vars from ops.run_log")
    assert len(logged) == 1 and logged[0]["status"] == "success"
    assert '"last_year": 2025' in logged[0]["vars"]


YEAR_LITERAL = re.compile(r"\b(?:19[5-9][0-9]|20[0-9]{2})\b")
COMMENTS = re.compile(r"--[^\n]*|\{#.*?#\}|/\*.*?\*/", re.DOTALL)


def test_no_analysis_year_is_written_into_models_or_macros() -> None:
    """Every analysis year and date comes from a var or a seed: no model or macro SQL holds a
    year literal outside its comments (the contract's plausibility bounds 1890 / 1900 are not
    analysis years)."""
    found = []
    for path in sorted([*(ROOT / "models").rglob("*.sql"), *(ROOT / "macros").rglob("*.sql")]):
        code = COMMENTS.sub("", path.read_text())
        found += [f"{path.relative_to(ROOT)}: {m}" for m in YEAR_LITERAL.findall(code)]
    assert found == []
