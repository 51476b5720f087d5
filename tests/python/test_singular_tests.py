"""The dbt singular tests (tests/singular/) can fail: on a copy of the demo warehouse, one mart
row read by each test is broken, and each test must report a failure. The demo build itself
(`demo_database`) runs them on the intact marts, where they pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse import ROOT, dbt, demo_database

# one broken row per test, each in a relation that only that test reads among them
BREAKS: dict[str, str] = {
    "elp_users_by_function_add_up_to_yearly_users": """
        update marts.mart_elp_users_by_function set users_observed = users_observed + 1
        where dimension = 'total' and function = 'support' and year = 2023""",
    "elp_usage_total_equals_yearly_users": """
        update marts.mart_elp_usage set users_extrapolated = users_extrapolated * 1.001
        where dimension = 'total' and year = 2023""",
    "province_overview_national_users_equal_yearly_users": """
        update marts.mart_elp_province_overview set users_observed = users_observed + 1
        where province_code = 'belgium' and year = 2023""",
    "services_mix_national_equals_province_overview": """
        update marts.mart_elp_services_mix set services_observed = services_observed + 1
        where area = 'belgium' and dimension = 'function' and category = 'support'
            and year = 2023""",
    "mh_care_use_conventioned_psychologist_users_are_elp_users": """
        update marts.mart_mh_care_use set persons_observed = persons_observed - 1
        where classification = 'figure_2' and category = 'psychologist_conventioned'
            and year = 2023""",
    "trajectory_start_groups_add_up_to_transitions_cohort": """
        update marts.mart_elp_individual_trajectories
        set start_group_patients_observed = start_group_patients_observed + 1
        where start_group = 'before'""",
    "trajectory_cohorts_match_their_trajectories": """
        update marts.mart_elp_sessions_per_patient set patients_observed = patients_observed + 1
        where dimension = 'total' and cohort_year = 2023""",
    "quality_counts_every_row_read": """
        update marts.mart_data_quality set rows_read = rows_read + 1
        where source = 'claims' and rule = 'all_rules'""",
}


def singular_tests() -> list[str]:
    return sorted(p.stem for p in (ROOT / "tests" / "singular").glob("*.sql"))


def test_every_singular_test_has_a_break() -> None:
    assert singular_tests() == sorted(BREAKS)
    assert len(BREAKS) >= 5


@pytest.fixture(scope="module")
def broken_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = demo_database(tmp_path_factory)
    warehouse = tmp_path_factory.mktemp("broken") / "warehouse"
    warehouse.mkdir()
    shutil.copy(database, warehouse / "elp.duckdb")
    with duckdb.connect(str(warehouse / "elp.duckdb")) as con:
        for name, statement in BREAKS.items():
            changed = con.execute(statement).fetchone()
            assert changed is not None and changed[0] > 0, f"{name}: the break changed no row"
    proc = dbt(["test", "--select", "test_type:singular"], Path("unused"), warehouse)
    assert proc.returncode != 0, proc.stdout[-4000:]
    results = json.loads((warehouse / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2]: r for r in results["results"]}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_singular_test_fails_on_its_break(broken_results: dict[str, Any], name: str) -> None:
    result = broken_results[name]
    assert result["status"] == "fail", result
    assert result["failures"] >= 1
