"""Data tests scoped to what changed since the last clean build (macros/tests/
get_where_subquery.sql, docs/incremental.md).

On a copy of the demo warehouse (one clean `dbt build`), duplicate keys are planted in
`int_member_year_care` (key member_id, year: scoped by member-year), `int_member_years` (rebuilt
by year: scoped by year) and `stg_claims` (claim_id, a key spanning members: scoped by key),
and the three key tests are run as a nightly build would run them.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse import _demo_cache, dbt, demo_database

TESTS = {
    "int_member_year_care": "unique_combination_int_member_year_care_member_id__year",
    "int_member_years": "unique_combination_int_member_years_member_id__year",
    "stg_claims": "unique_stg_claims_claim_id",
}
YEAR_KEYED = ("int_member_year_care", "int_member_years")
PLANTED_YEAR = 2021


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, datetime]:
    """A copy of the demo warehouse where one member's 2021 care row, one 2021 member-year and
    one claim's claim_id (in a row of another member) are duplicated as the clean build wrote
    them: (raw dir, warehouse dir, clean build start)."""
    source = demo_database(tmp_path_factory)
    warehouse = tmp_path_factory.mktemp("scoped-tests")
    shutil.copy(source, warehouse / "elp.duckdb")
    with duckdb.connect(str(warehouse / "elp.duckdb")) as con:
        rows = con.execute(
            "select started_at from ops.run_log where command = 'build' and status = 'success'"
        ).fetchall()
        assert len(rows) == 1, rows
        clean_start: datetime = rows[0][0]
        for model in YEAR_KEYED:
            table = con.execute(
                "select table_schema from information_schema.tables where table_name = ?",
                [model],
            ).fetchall()[0][0]
            con.execute(
                f"insert into {table}.{model} select * from {table}.{model} "
                f"where year = {PLANTED_YEAR} and loaded_at = ? and member_id in ("
                f"  select member_id from {table}.{model} group by member_id having count(*) > 1"
                ") order by member_id limit 1",
                [clean_start],
            )
        con.execute(
            "insert into staging.stg_claims select * replace (member_id || '-copy' as member_id) "
            "from staging.stg_claims where loaded_at = ? order by claim_id limit 1",
            [clean_start],
        )
    return _demo_cache["raw"], warehouse, clean_start


def run_tests(raw: Path, warehouse: Path, **dbt_vars: object) -> dict[str, str]:
    proc = dbt(["test", "--select", *TESTS.values()], raw, warehouse, dict(dbt_vars) or None)
    results = json.loads((warehouse / "target" / "run_results.json").read_text())
    statuses = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("test.")
    }
    assert set(statuses) == set(TESTS.values()), proc.stdout[-3000:]
    return {model: statuses[test] for model, test in TESTS.items()}


def execute(warehouse: Path, sql: str, *params: object) -> None:
    with duckdb.connect(str(warehouse / "elp.duckdb")) as con:
        con.execute(sql, list(params))


def test_scoped_tests_follow_the_rows_written_since_the_last_clean_build(
    planted: tuple[Path, Path, datetime],
) -> None:
    raw, warehouse, clean_start = planted

    # rows the clean build wrote (and tested) are not tested again...
    assert run_tests(raw, warehouse) == dict.fromkeys(TESTS, "pass")
    # ...unless the whole table is asked for
    assert run_tests(raw, warehouse, test_every_row=True) == dict.fromkeys(TESTS, "fail")

    # A later build rewrote the duplicated member's other years, then failed: the
    # member-year scope leaves the untouched member-year out, as the build did.
    failed_start = clean_start + timedelta(minutes=1)
    execute(
        warehouse,
        "insert into ops.run_log (invocation_id, command, started_at, status) "
        "values ('failed-build', 'build', ?, 'failed')",
        failed_start,
    )
    duplicated = (
        "(member_id, year) in (select member_id, year from intermediate.int_member_year_care"
        " group by member_id, year having count(*) > 1)"
    )
    execute(
        warehouse,
        "update intermediate.int_member_year_care set loaded_at = ? where member_id in ("
        f"  select member_id from intermediate.int_member_year_care where {duplicated})"
        f" and year <> {PLANTED_YEAR}",
        failed_start,
    )
    assert run_tests(raw, warehouse) == dict.fromkeys(TESTS, "pass")

    # The failed build also wrote a row of the duplicated member-year (its old row left
    # behind), of the duplicated year and holding the claim_id: the scope stays "since the
    # last clean build", and a member-year (a year, a claim_id) is tested whole, so the
    # duplicates the failed build left behind are found.
    execute(
        warehouse,
        "update intermediate.int_member_year_care set loaded_at = ? where rowid = ("
        f"  select max(rowid) from intermediate.int_member_year_care where {duplicated})",
        failed_start,
    )
    execute(
        warehouse,
        "update intermediate.int_member_years set loaded_at = ? where year = ? and member_id = ("
        "  select max(member_id) from intermediate.int_member_years where year = ?)",
        failed_start,
        PLANTED_YEAR,
        PLANTED_YEAR,
    )
    # a row of another member holding the claim_id of a clean-build row
    execute(
        warehouse,
        "update staging.stg_claims set loaded_at = ? where member_id like '%-copy'",
        failed_start,
    )
    assert run_tests(raw, warehouse) == dict.fromkeys(TESTS, "fail")


EXPANSION_TEST = (
    "expansion_sums_to_population_int_member_years_expansion_factor__year__population"
    "__ref_int_population_cells_"
)


def run_one_test(test: str, raw: Path, warehouse: Path, **dbt_vars: object) -> str:
    """The status of data test `test` run alone, as a nightly build would run it."""
    proc = dbt(["test", "--select", test], raw, warehouse, dict(dbt_vars) or None)
    results = json.loads((warehouse / "target" / "run_results.json").read_text())
    statuses = [r["status"] for r in results["results"] if r["unique_id"].startswith("test.")]
    assert len(statuses) == 1, proc.stdout[-3000:]
    return str(statuses[0])


def clean_build_copy(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> tuple[Path, Path, datetime]:
    """A copy of the demo warehouse (one clean build): (raw dir, warehouse dir, start of the
    clean build)."""
    warehouse = tmp_path_factory.mktemp(name)
    shutil.copy(demo_database(tmp_path_factory), warehouse / "elp.duckdb")
    with duckdb.connect(str(warehouse / "elp.duckdb")) as con:
        clean_start: datetime = con.execute(
            "select max(started_at) from ops.run_log where command = 'build' and status = 'success'"
        ).fetchall()[0][0]
    return _demo_cache["raw"], warehouse, clean_start


def test_scoped_expansion_test_checks_the_years_written_and_the_years_gone(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The weights of `int_member_years` must add up to the IMA population per year: a nightly
    build tests the years it rewrote, and a year whose rows were all deleted still fails."""
    raw, warehouse, clean_start = clean_build_copy(tmp_path_factory, "scoped-expansion")
    # one member-year of the planted year stands for ten times too many persons
    execute(
        warehouse,
        "update intermediate.int_member_years set expansion_factor = expansion_factor * 10"
        " where year = ? and member_id = ("
        "  select min(member_id) from intermediate.int_member_years where year = ?)",
        PLANTED_YEAR,
        PLANTED_YEAR,
    )
    # written by the clean build, which tested it: not tested again, unless asked for
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "pass"
    assert run_one_test(EXPANSION_TEST, raw, warehouse, test_every_row=True) == "fail"

    # a later build rewrote that year: it is tested
    execute(
        warehouse,
        "update intermediate.int_member_years set loaded_at = ? where year = ?",
        clean_start + timedelta(minutes=1),
        PLANTED_YEAR,
    )
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "fail"

    # the year put right; another year deleted whole (no row was written since for it)
    execute(
        warehouse,
        "update intermediate.int_member_years set expansion_factor = expansion_factor / 10"
        " where year = ? and member_id = ("
        "  select min(member_id) from intermediate.int_member_years where year = ?)",
        PLANTED_YEAR,
        PLANTED_YEAR,
    )
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "pass"
    execute(warehouse, "delete from intermediate.int_member_years where year = ?", PLANTED_YEAR - 1)
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "fail"


def test_a_night_without_the_seeds_own_tests_counts_as_a_clean_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`elp nightly` leaves out the data tests that read seeds alone once they passed on the
    same seeds (selector nightly_seeds_unchanged): every row such a night wrote was tested,
    so the scope starts at it. A build of a selection does not move the scope."""
    raw, warehouse, clean_start = clean_build_copy(tmp_path_factory, "scoped-selector")
    written = clean_start + timedelta(minutes=1)
    # a later build wrote a wrong year: tested
    execute(
        warehouse,
        "update intermediate.int_member_years set expansion_factor = expansion_factor * 10,"
        " loaded_at = ? where year = ? and member_id = ("
        "  select min(member_id) from intermediate.int_member_years where year = ?)",
        written,
        PLANTED_YEAR,
        PLANTED_YEAR,
    )
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "fail"

    def log_build(minutes: int, selected: str) -> None:
        execute(
            warehouse,
            "insert into ops.run_log (invocation_id, command, selected, started_at, status,"
            " models_skipped, tests_skipped) values (?, 'build', ?, ?, 'success', 0, 0)",
            f"later-{minutes}",
            selected,
            written + timedelta(minutes=minutes),
        )

    # a successful build of a few models after it: the year is still in scope
    log_build(1, "--select int_member_years")
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "fail"
    # a successful night with the selector: the year was written before it, out of scope
    log_build(2, "--selector nightly_seeds_unchanged")
    assert run_one_test(EXPANSION_TEST, raw, warehouse) == "pass"


SLICE_TEST = (
    "member_slice_int_elp_user_events_care_type_in_elp_session_elp_trajectory_service___ref"
    "_int_care_events_"
)


def test_scoped_slice_test_checks_the_members_written_upstream(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`int_elp_user_events` must hold every event of every ELP user: a nightly build tests
    the members written since the last clean build, in the slice or in `int_care_events`, so a
    member whose events changed upstream but not in the slice is caught."""
    raw, warehouse, clean_start = clean_build_copy(tmp_path_factory, "scoped-slice")
    with duckdb.connect(str(warehouse / "elp.duckdb"), read_only=True) as con:
        member = con.execute(
            "select min(member_id) from intermediate.int_elp_user_events"
            " where care_type = 'elp_session'"
        ).fetchall()[0][0]
    # one event of an ELP user goes missing from the slice the clean build wrote
    execute(
        warehouse,
        "delete from intermediate.int_elp_user_events where member_id = ? and event_date = ("
        "  select min(event_date) from intermediate.int_elp_user_events where member_id = ?)",
        member,
        member,
    )
    assert run_one_test(SLICE_TEST, raw, warehouse) == "pass"
    assert run_one_test(SLICE_TEST, raw, warehouse, test_every_row=True) == "fail"

    # a later build rewrote the member's events upstream (not the slice): the member is tested
    execute(
        warehouse,
        "update intermediate.int_care_events set loaded_at = ? where member_id = ?",
        clean_start + timedelta(minutes=1),
        member,
    )
    assert run_one_test(SLICE_TEST, raw, warehouse) == "fail"
