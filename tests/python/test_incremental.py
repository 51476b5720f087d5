"""Incremental builds (issue 7, docs/operations.md): history built in two steps must equal one
full build over the same final extract, table by table; running the same build twice changes
nothing; history rewritten behind the look-back is detected and rebuilt; member-year tables
are rebuilt by year.

The two-step history is cut from one generated extract: the first extract holds the claims,
dispensings and refunds booked on or before CUT (one month before the extraction date), built
with extraction_date = CUT; the second is the whole extract. In the
first, members_yearly differs in the latest year (status days updated since) and in an old
year (rows corrected since); its affiliation spells closed since CUT are still open. Both hold
a spell starting between the two extraction dates; the final one adds a touching spell.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse import dbt, generate

SCALE = 0.005
SEED = 777
EXTRACTION = date(2025, 6, 23)
CUT = date(2025, 5, 23)
# the raw event tables and their id column; each is cut and re-read by booking date
EVENT_IDS = {
    "claims": "claim_id",
    "pharmacy_dispensings": "dispensing_id",
    "complementary_refunds": "refund_id",
}
# the date whose year, with the member, makes a line's unit of change
EVENT_DATES = {
    "claims": "service_date",
    "pharmacy_dispensings": "dispensing_date",
    "complementary_refunds": "service_date",
}


def write_raw_file(
    extract: Path, table: str, name: str, select: str, *, replace: bool = False
) -> None:
    """Write the rows of `select` as Parquet file `name` of table `table` of `extract`; with
    `replace`, that file replaces the table's files."""
    folder = extract / table
    if replace:
        shutil.rmtree(folder)
        folder.mkdir()
    with duckdb.connect() as con:
        con.execute(f"copy ({select}) to '{folder / name}' (format parquet)")


def cut_extract(full: Path, out: Path, where: dict[str, str]) -> None:
    """Copy `full` to `out`, keeping only the rows of each table matching `where[table]`."""
    shutil.copytree(full, out)
    for table, condition in where.items():
        write_raw_file(
            out,
            table,
            "part-00000.parquet",
            f"select * from read_parquet('{full}/{table}/*.parquet') where {condition}",
            replace=True,
        )


# members_yearly of the first extract: the latest year (the extract has none for the year
# of extraction) with status days that were updated since, and an old year with rows
# corrected since (sex) - the second extract changes both
LATEST_YEAR = 2024
REWRITTEN_YEAR = 2016
MEMBERS_FIRST_MONTH = f"""
    select * replace (
        case when year = {LATEST_YEAR} and hash(member_id) % 20 = 0
             then greatest(unemployment_days - 30, 0) else unemployment_days end
            as unemployment_days,
        case when year = {REWRITTEN_YEAR} and hash(member_id) % 50 = 0
             then (case when sex = 'F' then 'M' else 'F' end) else sex end as sex
    )
    from read_parquet('{{full}}/members_yearly/*.parquet')
"""


# affiliation_periods of the first extract: the spells closed since the cut were still open
SPELLS_FIRST_MONTH = f"""
    select * replace (
        case when end_date > date '{CUT}' then null else end_date end as end_date
    )
    from read_parquet('{{full}}/affiliation_periods/*.parquet')
"""
# members with one spell, closed long ago: a spell added to theirs overlaps nothing
SPELLS = "read_parquet('{full}/affiliation_periods/*.parquet')"
SOLE_OLD_SPELL_MEMBERS = f"""
    select member_id from {SPELLS}
    group by member_id having count(*) = 1 and max(end_date) < date '2024-01-01'
"""
FUTURE_SPELL_START = CUT + timedelta(days=9)


def add_spell_starting_after_cut(full: Path) -> None:
    """Add to both extracts a new spell of a member, starting between the two extraction dates:
    rejected in the first month (start after extraction), valid in the second, although no
    row of the member changed: the increment must rebuild that member."""
    write_raw_file(
        full,
        "affiliation_periods",
        "zz-future.parquet",
        f"""
        select member_id, date '{FUTURE_SPELL_START}' as start_date, cast(null as date) as end_date
        from ({SOLE_OLD_SPELL_MEMBERS.format(full=full)}) order by member_id limit 1
        """,
    )


def add_touching_spell(full: Path) -> None:
    """Add to the final extract a spell starting the day after a member's old spell ended:
    the two are merged into one in staging."""
    write_raw_file(
        full,
        "affiliation_periods",
        "zz-touching.parquet",
        f"""
        select member_id, end_date + 1 as start_date, end_date + 200 as end_date
        from {SPELLS.format(full=full)}
        where member_id in ({SOLE_OLD_SPELL_MEMBERS.format(full=full)})
        order by member_id desc limit 1
        """,
    )


def rewrite_table(full: Path, out: Path, table: str, select: str) -> None:
    """Replace table `table` of extract `out` by `select` over extract `full`."""
    write_raw_file(out, table, "part-00000.parquet", select.format(full=full), replace=True)


def run_models(raw: Path, wh: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt run <args>` (a selection, flags) on extract `raw` as of the final extraction date."""
    return dbt(["run", *args], raw, wh, {"extraction_date": EXTRACTION.isoformat()})


def build(raw: Path, wh: Path, *extra: str, cut: date = EXTRACTION) -> None:
    # seeds and models: the data tests are not the subject here and cost most of a build
    args = ["build", "--quiet", "--resource-type", "seed", "--resource-type", "model", *extra]
    proc = dbt(args, raw, wh, {"extraction_date": cut.isoformat()})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def table_names(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema in"
            " ('staging', 'intermediate', 'marts') order by 1"
        ).fetchall()
    return [name for (name,) in found]


# every column but the load timestamps (when a row, or a file's fingerprint, was written),
# which differ between runs by design
WITHOUT_LOAD_TIME = "columns(lambda c: c not in ('loaded_at', 'fingerprinted_at'))"


def snapshot(db: Path, table: str) -> list[tuple[Any, ...]]:
    """Sorted rows of `table` without its load timestamps."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select {WITHOUT_LOAD_TIME} from {table}").fetchall()
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


@contextmanager
def both_warehouses(db_a: Path, db_b: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One connection with warehouse `db_a` attached as `a` and `db_b` as `b`."""
    with duckdb.connect() as con:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        yield con


def differing_rows(table: str) -> str:
    """SQL: the rows of `table` (without the load timestamps) in one of a, b and not the other."""
    a = f"select {WITHOUT_LOAD_TIME} from a.{table}"
    b = f"select {WITHOUT_LOAD_TIME} from b.{table}"
    return f"({a} except all {b}) union all ({b} except all {a})"


def same_value(a: Any, b: Any) -> bool:
    # floating sums may differ in the last bits with the order of parallel aggregation
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def exactly_equal_tables(db_a: Path, db_b: Path, tables: list[str]) -> set[str]:
    """The tables whose rows (without the load timestamps) are identical, bit for bit."""
    equal: set[str] = set()
    with both_warehouses(db_a, db_b) as con:
        for table in tables:
            differing = con.execute(f"select count(*) from ({differing_rows(table)})").fetchone()
            if differing is not None and differing[0] == 0:
                equal.add(table)
    return equal


def differences(db_a: Path, db_b: Path) -> list[str]:
    found: list[str] = []
    names_a, names_b = table_names(db_a), table_names(db_b)
    if names_a != names_b:
        return [f"tables differ: {sorted(set(names_a) ^ set(names_b))}"]
    # identical tables need no row-by-row look; the others are compared with a tolerance
    equal = exactly_equal_tables(db_a, db_b, names_a)
    for table in (name for name in names_a if name not in equal):
        rows_a, rows_b = snapshot(db_a, table), snapshot(db_b, table)
        if len(rows_a) != len(rows_b):
            found.append(f"{table}: {len(rows_a)} vs {len(rows_b)} rows")
            continue
        for ra, rb in zip(rows_a, rows_b, strict=True):
            if not all(same_value(x, y) for x, y in zip(ra, rb, strict=True)):
                found.append(f"{table}: first differing row {ra} vs {rb}")
                break
    return found


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("incremental")
    full = root / "raw_full"
    generate(full, SCALE, SEED)
    first = root / "raw_first"
    cut_extract(
        full,
        first,
        {t: f"booking_date <= date '{CUT.isoformat()}'" for t in EVENT_IDS},
    )
    rewrite_table(full, first, "members_yearly", MEMBERS_FIRST_MONTH)
    add_spell_starting_after_cut(full)
    rewrite_table(full, first, "affiliation_periods", SPELLS_FIRST_MONTH)
    add_touching_spell(full)
    cancel_sole_claim(full)
    cancel_sole_elp_session(full)
    start_elp_user(full)
    add_lines_without_member_or_date(full)
    reuse_old_ids(full)
    yield first, full


NOMENCLATURE = Path(__file__).resolve().parents[2] / "seeds" / "codes" / "nomenclature_codes.csv"
CANCELLED_SUFFIX = "-cancelled"


def cancel_sole_claim(full: Path) -> None:
    """Add to the final extract, booked in its new month, the correction cancelling the only
    claim line of a member who has no other care: that member's care must vanish."""
    claims = f"read_parquet('{full}/claims/*.parquet')"
    write_raw_file(
        full,
        "claims",
        "zz-cancelled.parquet",
        f"""
        select * replace (
            claim_id || '{CANCELLED_SUFFIX}' as claim_id,
            date '{CUT}' + 7 as booking_date,
            -quantity as quantity,
            -amount_insurance_eur as amount_insurance_eur,
            -amount_patient_eur as amount_patient_eur
        )
        from {claims}
        where member_id = (
            select min(line.member_id)
            from {claims} as line
            inner join read_csv('{NOMENCLATURE}') as code
                on line.nomenclature_code = code.nomenclature_code
            where code.care_type <> 'other' and line.quantity > 0
              and line.booking_date < date '{CUT}' - 60
              and line.member_id in (
                select member_id from {claims} group by member_id having count(*) = 1)
              and line.member_id not in (
                select member_id from read_parquet('{full}/pharmacy_dispensings/*.parquet'))
              and line.member_id not in (
                select member_id from read_parquet('{full}/complementary_refunds/*.parquet'))
        )
        """,
    )


ELP_CANCELLED_SUFFIX = "-stops-elp"
ELP_CODES = f"""
    select cast(nomenclature_code as varchar) from read_csv('{NOMENCLATURE}')
    where care_type in ('elp_session', 'elp_trajectory_service')
"""


def cancel_sole_elp_session(full: Path) -> None:
    """Add to the final extract, booked in its new month, the correction cancelling the only ELP
    line of a member who has other care in other years: the member stops being an ELP user,
    and every year of theirs must leave the ELP users' events, not only the changed one."""
    claims = f"read_parquet('{full}/claims/*.parquet')"
    write_raw_file(
        full,
        "claims",
        "zz-stops-elp.parquet",
        f"""
        select * replace (
            claim_id || '{ELP_CANCELLED_SUFFIX}' as claim_id,
            date '{CUT}' + 8 as booking_date,
            -quantity as quantity,
            -amount_insurance_eur as amount_insurance_eur,
            -amount_patient_eur as amount_patient_eur
        )
        from {claims}
        where claim_id = (
            select min(line.claim_id)
            from {claims} as line
            where line.nomenclature_code in ({ELP_CODES})
              and line.quantity > 0 and line.booking_date < date '{CUT}' - 60
              and line.member_id in (
                select member_id from {claims} where nomenclature_code in ({ELP_CODES})
                group by member_id having count(*) = 1)
              and line.member_id in (
                select member_id from read_parquet('{full}/pharmacy_dispensings/*.parquet')
                where year(dispensing_date) <> year(line.service_date))
        )
        """,
    )


ELP_STARTED_SUFFIX = "-starts-elp"


def start_elp_user(full: Path) -> None:
    """Add to the final extract, booked in its new month, an ELP session (a copy of an existing
    one) for a member with no ELP service but dispensings in several earlier years: the
    member becomes an ELP user, and every year of theirs must enter the ELP users' events."""
    claims = f"read_parquet('{full}/claims/*.parquet')"
    dispensings = f"read_parquet('{full}/pharmacy_dispensings/*.parquet')"
    write_raw_file(
        full,
        "claims",
        "zz-starts-elp.parquet",
        f"""
        select * replace (
            claim_id || '{ELP_STARTED_SUFFIX}' as claim_id,
            (
                select min(member_id) from (
                    select member_id from {dispensings}
                    where year(dispensing_date) < 2025 and member_id not in (
                        select member_id from {claims} where nomenclature_code in ({ELP_CODES}))
                    group by member_id having count(distinct year(dispensing_date)) > 1
                )
            ) as member_id,
            date '{CUT}' + 5 as service_date,
            date '{CUT}' + 8 as booking_date
        )
        from {claims}
        where claim_id = (
            select min(claim_id) from {claims}
            where nomenclature_code in ({ELP_CODES}) and quantity > 0
        )
        """,
    )


UNDATED_SUFFIX = "-undated"
MEMBERLESS_SUFFIX = "-memberless"


def add_lines_without_member_or_date(full: Path) -> None:
    """Add to the final extract, booked in its new month, a dispensing without member and one
    without dispensing date: rejected lines, which an increment must read like any other."""
    first_line = (
        f"(select * from read_parquet('{full}/pharmacy_dispensings/*.parquet')"
        " order by dispensing_id limit 1)"
    )
    write_raw_file(
        full,
        "pharmacy_dispensings",
        "zz-rejected.parquet",
        f"""
        select * replace (
            dispensing_id || '{MEMBERLESS_SUFFIX}' as dispensing_id,
            cast(null as varchar) as member_id,
            date '{CUT}' + 5 as booking_date
        )
        from {first_line}
        union all by name
        select * replace (
            dispensing_id || '{UNDATED_SUFFIX}' as dispensing_id,
            cast(null as date) as dispensing_date,
            date '{CUT}' + 5 as booking_date
        )
        from {first_line}
        """,
    )


REUSED_ID_FILE = "zz-reused-id.parquet"


def reused_id_line(full: Path, table: str) -> str:
    """SQL: the old line whose id `reuse_old_ids` gives a new line of `table`: the first line,
    by id, booked two months before the cut and dated before 2023, of a member with more than
    three lines (so no member that the other additions look for, who has one)."""
    lines = f"read_parquet('{full}/{table}/*.parquet')"
    return f"""
        select * from {lines}
        where booking_date < date '{CUT}' - 60 and year({EVENT_DATES[table]}) < 2023
          and member_id in (select member_id from {lines} group by member_id having count(*) > 3)
        order by {EVENT_IDS[table]}
        limit 1
    """


def reuse_old_ids(full: Path) -> None:
    """Add to the final extract, booked in its new month, a line of each event table holding the
    id of an old line of the same member, dated in the new month: another member-year. The two
    differ, so the id-duplicate rule rejects both, and the increment must read the old line's
    member-year again, found by the id alone."""
    for table, date_column in EVENT_DATES.items():
        write_raw_file(
            full,
            table,
            REUSED_ID_FILE,
            f"""
            select * replace (
                date '{CUT}' + 3 as {date_column},
                date '{CUT}' + 6 as booking_date
            )
            from ({reused_id_line(full, table)})
            """,
        )


@pytest.fixture(scope="module")
def full_build(extracts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    wh = tmp_path_factory.mktemp("wh_full")
    build(extracts[1], wh)
    return wh / "elp.duckdb"


@pytest.fixture(scope="module")
def first_step_build(extracts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    wh = tmp_path_factory.mktemp("wh_first_step")
    build(extracts[0], wh, cut=CUT)
    return wh / "elp.duckdb"


@pytest.fixture(scope="module")
def two_step_build(first_step_build: Path, extracts: tuple[Path, Path]) -> Path:
    wh = copy_warehouse(first_step_build, first_step_build.parent.parent / "wh_two_step")
    build(extracts[1], wh)
    return wh / "elp.duckdb"


def test_second_month_holds_late_corrections(extracts: tuple[Path, Path]) -> None:
    """The comparison is not vacuous: the new month corrects lines booked before it."""
    first, full = extracts
    with duckdb.connect() as con:
        late_corrections = con.execute(
            f"""
            select count(*) from read_parquet('{full}/claims/*.parquet') as fix
            where fix.quantity < 0 and fix.booking_date > date '{CUT}'
              and exists (
                select 1 from read_parquet('{first}/claims/*.parquet') as line
                where line.member_id = fix.member_id and line.service_date = fix.service_date
                  and line.nomenclature_code = fix.nomenclature_code and line.quantity > 0)
            """
        ).fetchone()
        new_lines = con.execute(
            f"select count(*) from read_parquet('{full}/claims/*.parquet')"
            f" where booking_date > date '{CUT}' and service_date < date '2025-01-01'"
        ).fetchone()
    assert late_corrections is not None and late_corrections[0] > 0
    assert new_lines is not None and new_lines[0] > 0  # late bookings of earlier years


def test_two_step_history_equals_full_build(two_step_build: Path, full_build: Path) -> None:
    assert differences(two_step_build, full_build) == []


def test_care_cancelled_in_the_new_month_vanishes(
    first_step_build: Path, two_step_build: Path, extracts: tuple[Path, Path]
) -> None:
    """A member whose only care line is cancelled by the new month's correction has no netted
    line left in staging: their event and care year must go too, not stay from the last run."""
    with duckdb.connect() as con:
        found = con.execute(
            f"select member_id from read_parquet('{extracts[1]}/claims/*.parquet')"
            f" where claim_id like '%{CANCELLED_SUFFIX}'"
        ).fetchall()
    assert len(found) == 1
    member = found[0][0]
    for db, expected in ((first_step_build, 1), (two_step_build, 0)):
        with duckdb.connect(str(db), read_only=True) as con:
            for table in ("intermediate.int_care_events", "intermediate.int_member_year_care"):
                count = con.execute(
                    f"select count(*) from {table} where member_id = ?", [member]
                ).fetchone()
                assert count is not None and min(count[0], 1) == expected, (db, table)


def test_lines_without_member_or_date_reach_the_increment(two_step_build: Path) -> None:
    """Units never null: the new month's dispensing without member and the one without date
    are read by the increment, rejected by their rule, as the full build rejects them."""
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        found = con.execute(
            "select regexp_extract(dispensing_id, '-[a-z]+$'), rejection_rule"
            " from staging.base_pharmacy_dispensings"
            f" where dispensing_id like '%{MEMBERLESS_SUFFIX}'"
            f" or dispensing_id like '%{UNDATED_SUFFIX}'"
            " order by 1"
        ).fetchall()
    assert found == [
        (MEMBERLESS_SUFFIX, "member_id_missing"),
        (UNDATED_SUFFIX, "dispensing_date_missing"),
    ]


@pytest.mark.parametrize("table", sorted(EVENT_IDS))
def test_new_line_reusing_an_old_id_rebuilds_the_old_member_year(
    table: str, extracts: tuple[Path, Path], first_step_build: Path, two_step_build: Path
) -> None:
    """A new line holding the id of a line of another member-year, booked long before the
    look-back: the increment reads that member-year again (the stored lines are searched by the
    hash of their id), and both lines are rejected, as the full build rejects them."""
    first, full = extracts
    id_column, date_column = EVENT_IDS[table], EVENT_DATES[table]
    with duckdb.connect() as con:
        found = con.execute(
            f"select old.{id_column}, old.member_id, year(old.{date_column})"
            f" from read_parquet('{full}/{table}/{REUSED_ID_FILE}') as new"
            f" inner join read_parquet('{first}/{table}/*.parquet') as old"
            f" on new.{id_column} = old.{id_column}"
        ).fetchall()
    assert len(found) == 1
    line_id, member, old_year = found[0]
    rule = f"{id_column.removesuffix('_id')}_id_duplicate"
    query = (
        f"select year({date_column}), rejection_rule,"
        f" loaded_at = (select max(loaded_at) from staging.base_{table})"
        f" from staging.base_{table} where {id_column} = ? order by 1"
    )
    with duckdb.connect(str(first_step_build), read_only=True) as con:
        before = con.execute(query, [line_id]).fetchall()
        old_year_rows = con.execute(
            f"select count(*) from staging.base_{table}"
            f" where member_id = ? and year({date_column}) = ?",
            [member, old_year],
        ).fetchone()
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        after = con.execute(query, [line_id]).fetchall()
        rewritten = con.execute(
            f"select count(*) filter (where loaded_at = (select max(loaded_at)"
            f" from staging.base_{table})), count(*) from staging.base_{table}"
            f" where member_id = ? and year({date_column}) = ?",
            [member, old_year],
        ).fetchone()
    assert before == [(old_year, None, True)]
    assert after == [(old_year, rule, True), (EXTRACTION.year, rule, True)]
    # the whole old member-year was read again, not only the line
    assert old_year_rows is not None and rewritten == (old_year_rows[0], old_year_rows[0])


def test_incremental_rebuilds_only_changed_members(
    two_step_build: Path, full_build: Path, extracts: tuple[Path, Path]
) -> None:
    """The second step rewrote the members with new lines, not everyone."""
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        loads = con.execute(
            "select count(distinct loaded_at), count(distinct member_id) from staging.base_claims"
        ).fetchone()
        latest = con.execute(
            "select count(distinct member_id) from staging.base_claims"
            " where loaded_at = (select max(loaded_at) from staging.base_claims)"
        ).fetchone()
    assert loads is not None and latest is not None
    assert loads[0] == 2
    assert 0 < latest[0] < loads[1] / 2


def test_elp_users_who_start_or_stop_gain_or_lose_every_year(
    first_step_build: Path, two_step_build: Path, extracts: tuple[Path, Path]
) -> None:
    """int_elp_user_events is rebuilt by member-year, but an ELP user's every year belongs to
    it: the member whose only ELP line the new month cancels leaves it with all their years
    (their other care stays in int_care_events); a member whose first ELP service arrives in
    the new month enters it with every year of their care; and the other changed ELP users
    get their changed years rewritten, not their whole history."""
    full = extracts[1]
    claims = f"read_parquet('{full}/claims/*.parquet')"
    with duckdb.connect() as con:
        stopped = con.execute(
            f"select member_id from {claims} where claim_id like '%{ELP_CANCELLED_SUFFIX}'"
        ).fetchall()
        started = con.execute(
            f"select member_id from {claims} where claim_id like '%{ELP_STARTED_SUFFIX}'"
        ).fetchall()
    assert len(stopped) == 1 and len(started) == 1
    events = "select count(*), count(distinct year) from intermediate.{} where member_id = ?"
    for member, before, after in ((stopped[0][0], True, False), (started[0][0], False, True)):
        for db, expected in ((first_step_build, before), (two_step_build, after)):
            with duckdb.connect(str(db), read_only=True) as con:
                sliced = con.execute(events.format("int_elp_user_events"), [member]).fetchall()
                stream = con.execute(events.format("int_care_events"), [member]).fetchall()
            assert stream[0][0] > 0, (member, db)  # the member's other care stays
            if expected:  # an ELP user then, with care in several years
                assert stream[0][1] > 1 and sliced == stream, (member, db)
            else:
                assert sliced == [(0, 0)], (member, db)
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        rewritten = con.execute(
            """
            select count(*), count(*) filter (where loaded_at = (
                select max(loaded_at) from intermediate.int_elp_user_events))
            from intermediate.int_elp_user_events
            where member_id in (
                select member_id from intermediate.int_elp_user_events
                where loaded_at = (select max(loaded_at) from intermediate.int_elp_user_events))
            """
        ).fetchall()
    # the rewritten members' rows: fewer were written this night than they hold in all
    assert 0 < rewritten[0][1] < rewritten[0][0]


def test_spells_rebuild_only_members_that_changed(
    two_step_build: Path, extracts: tuple[Path, Path]
) -> None:
    """The affiliation extract is delivered whole and without booking date: the increment
    rebuilds the members whose spells differ between the two extracts (closed since, a
    touching spell added) and the member whose new spell the later extraction date admits,
    and no other."""
    first, full = extracts
    spells = (
        "select member_id, start_date, end_date"
        " from read_parquet('{}/affiliation_periods/*.parquet')"
    )
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        expected = {
            member
            for (member,) in con.execute(
                f"""
                select member_id from (
                    ({spells.format(full)} except all {spells.format(first)})
                    union all
                    ({spells.format(first)} except all {spells.format(full)})
                )
                union
                select member_id from ({spells.format(full)})
                where start_date = date '{FUTURE_SPELL_START}'
                """
            ).fetchall()
        }
        counts = {}
        for table in ("base_affiliation_periods", "base_affiliation_spells"):
            rebuilt = {
                member
                for (member,) in con.execute(
                    f"select distinct member_id from staging.{table}"
                    f" where loaded_at = (select max(loaded_at) from staging.{table})"
                ).fetchall()
            }
            assert rebuilt == expected, table
            counts[table] = con.execute(
                f"select count(distinct loaded_at) from staging.{table}"
            ).fetchall()[0][0]
        future = con.execute(
            "select count(*) from staging.stg_affiliation_periods"
            f" where start_date = date '{FUTURE_SPELL_START}'"
        ).fetchall()[0][0]
    # a closed spell, the future spell, the touching one: every kind of change is in the case
    assert len(expected) >= 3
    assert counts == {"base_affiliation_periods": 2, "base_affiliation_spells": 2}
    assert future == 1


def test_spells_deleted_at_the_source_rebuild_every_member(
    extracts: tuple[Path, Path], first_step_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A member whose spells all vanished from the extract writes no new row, so the
    increment could not remove its old ones: the model says so and rebuilds every member, and
    the merged spells follow."""
    full = extracts[1]
    with duckdb.connect() as con:
        member = con.execute(
            f"select min(member_id) from read_parquet('{full}/affiliation_periods/*.parquet')"
        ).fetchall()[0][0]
    root = tmp_path_factory.mktemp("spells_deleted")
    rewritten = root / "raw"
    cut_extract(full, rewritten, {"affiliation_periods": f"member_id <> '{member}'"})
    wh = copy_warehouse(first_step_build, root / "wh")
    proc = run_models(
        rewritten, wh, "--select", "base_affiliation_periods", "base_affiliation_spells"
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "rows deleted at the source, rebuilding every member" in proc.stdout
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        for table in ("base_affiliation_periods", "base_affiliation_spells"):
            found = con.execute(
                f"select count(distinct loaded_at), count(*) filter (where member_id = ?)"
                f" from staging.{table}",
                [member],
            ).fetchall()[0]
            assert found == (1, 0), table
        in_table = con.execute("select count(*) from staging.base_affiliation_periods").fetchall()
        in_extract = con.execute(
            f"select count(*) from read_parquet('{rewritten}/affiliation_periods/*.parquet')"
        ).fetchall()
    assert in_table == in_extract


@pytest.mark.parametrize("table", sorted(EVENT_IDS))
def test_look_back_follows_the_booking_date(
    table: str, two_step_build: Path, extracts: tuple[Path, Path]
) -> None:
    """A booking date only grows: the second step re-reads the member-years (member, year of
    the line's date) with a line booked in the last `booking_lookback_days` (3) before the
    first extract's latest booking, or later, and those sharing their line ids; not the
    members of a 35-day look-back, which the dispensings and refunds needed while they were
    dated by their own date, nor the other years of the members changed."""
    first, full = extracts
    id_column = EVENT_IDS[table]
    unit = f"coalesce(member_id, ''), coalesce(year({EVENT_DATES[table]}), -1)"
    lines = f"read_parquet('{full}/{table}/*.parquet')"
    with duckdb.connect() as con:
        watermark = con.execute(
            f"select max(booking_date) from read_parquet('{first}/{table}/*.parquet')"
        ).fetchone()
        assert watermark is not None
        new = f"booking_date > date '{watermark[0]}' - 3"
        expected = set(
            con.execute(
                f"select distinct {unit} from {lines} where {new}"
                f" or {id_column} in (select {id_column} from {lines} where {new})"
            ).fetchall()
        )
        changed_members_years = con.execute(
            f"select count(distinct ({unit})) from {lines} where coalesce(member_id, '')"
            f" in (select coalesce(member_id, '') from {lines} where {new})"
        ).fetchone()
        wider = con.execute(
            f"select count(distinct member_id) from {lines}"
            f" where booking_date > date '{watermark[0]}' - 35"
        ).fetchone()
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        rewritten = set(
            con.execute(
                f"select distinct {unit} from staging.base_{table}"
                f" where loaded_at = (select max(loaded_at) from staging.base_{table})"
            ).fetchall()
        )
    assert wider is not None and changed_members_years is not None
    assert rewritten == expected
    assert len({member for member, _ in expected}) < wider[0]
    assert len(expected) < changed_members_years[0]


def years_loaded_last(db: Path, table: str) -> tuple[set[int], int]:
    """Years of `table` written by the latest run, and how many loads the table holds."""
    with duckdb.connect(str(db), read_only=True) as con:
        latest = con.execute(
            f"select distinct year from {table}"
            f" where loaded_at = (select max(loaded_at) from {table})"
        ).fetchall()
        loads = con.execute(f"select count(distinct loaded_at) from {table}").fetchone()
    assert loads is not None
    return {year for (year,) in latest}, loads[0]


def test_incremental_rebuilds_only_changed_years(two_step_build: Path) -> None:
    """Member-year tables are rebuilt by year: the latest year (status days updated) and the
    old year corrected, nothing else."""
    for table in (
        "staging.base_members_yearly",
        "intermediate.int_member_cells",
        "intermediate.int_member_years",
    ):
        assert years_loaded_last(two_step_build, table) == ({REWRITTEN_YEAR, LATEST_YEAR}, 2)


def changed_years(db_a: Path, db_b: Path, table: str) -> set[int]:
    """Years in which `table` (without its load timestamp) differs between two warehouses."""
    with both_warehouses(db_a, db_b) as con:
        found = con.execute(f"select distinct year from ({differing_rows(table)})").fetchall()
    return {year for (year,) in found}


def night_units(night: str) -> str:
    """SQL: the member-years (member_id, year) whose care rows the run started at `night`
    rewrote: the units of its rows in the event base tables, int_care_events and
    int_member_year_care."""
    base = [
        f"select member_id, year({EVENT_DATES[table]}) as year from staging.base_{table}"
        f" where loaded_at = {night}"
        for table in EVENT_DATES
    ]
    downstream = [
        f"select member_id, year from intermediate.{table} where loaded_at = {night}"
        for table in ("int_care_events", "int_member_year_care")
    ]
    return " union ".join(base + downstream)


def test_usage_strata_recount_only_changed_years_and_weighting_groups(
    first_step_build: Path, two_step_build: Path
) -> None:
    """int_usage_strata counts again every weighting group of the years whose member-years
    changed, and in the other years only the weighting groups holding a member-year whose
    care the night rewrote (late bookings, corrections): fewer than all groups of those
    years, and every group whose care rows differ between the two steps."""
    strata = "intermediate.int_usage_strata"
    night = f"(select max(loaded_at) from {strata})"
    pairs = "select distinct year, weighting_group from intermediate.int_member_years"
    with duckdb.connect(str(two_step_build), read_only=True) as con:
        recounted = set(
            con.execute(
                f"select distinct year, weighting_group from {strata} where loaded_at = {night}"
            ).fetchall()
        )
        all_pairs = set(con.execute(pairs).fetchall())
        rewritten = set(
            con.execute(
                f"{pairs} where year <= {LATEST_YEAR}"
                f" and (member_id, year) in ({night_units(night)})"
            ).fetchall()
        )
    with both_warehouses(first_step_build, two_step_build) as con:
        differing = set(
            con.execute(
                "select distinct years.year, years.weighting_group"
                " from b.intermediate.int_member_years as years"
                " inner join ("
                + differing_rows("intermediate.int_member_year_care")
                + ") as care on years.member_id = care.member_id and years.year = care.year"
            ).fetchall()
        )
    whole_years = {pair for pair in all_pairs if pair[0] in {REWRITTEN_YEAR, LATEST_YEAR}}
    assert recounted == whole_years | rewritten
    assert differing <= recounted
    care_only_years = {year for year, _ in rewritten - whole_years}
    assert care_only_years  # late bookings and corrections of other years
    for year in care_only_years:
        assert {p for p in recounted if p[0] == year} < {p for p in all_pairs if p[0] == year}


def test_elp_user_years_rebuild_only_years_whose_inputs_changed(
    first_step_build: Path, two_step_build: Path
) -> None:
    """int_elp_user_years is rebuilt for the latest year (its member-years changed) and the
    years whose ELP users changed, not for every ELP year."""
    table = "intermediate.int_elp_user_years"
    changed = changed_years(first_step_build, two_step_build, table)
    rebuilt, loads = years_loaded_last(two_step_build, table)
    assert (rebuilt, loads) == ({LATEST_YEAR} | changed, 2)
    assert rebuilt < set(range(2019, LATEST_YEAR + 1))  # some years were kept


def copy_warehouse(db: Path, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to / "elp.duckdb")
    return to


def test_same_build_twice_changes_nothing(
    extracts: tuple[Path, Path], full_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Idempotence: the nightly build run again on the same extract (the look-back re-reads
    the last weeks) leaves every table as it was."""
    wh = copy_warehouse(full_build, tmp_path_factory.mktemp("wh_twice"))
    build(extracts[1], wh)
    assert differences(wh / "elp.duckdb", full_build) == []


# Where a night can stop half-way: each model commits on its own, so a crash leaves the models
# before it written from the new extract and the ones after it as the previous night left them.
INTERRUPTED_AFTER = {
    "base layer": ["path:models/staging/base"],
    "care events": ["+int_care_events"],
    "member years": ["+int_member_years", "+int_member_year_care"],
}


@pytest.mark.parametrize("stop", sorted(INTERRUPTED_AFTER))
def test_night_stopped_half_way_then_run_again_equals_full_build(
    stop: str,
    extracts: tuple[Path, Path],
    first_step_build: Path,
    full_build: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A nightly build that stopped after some models (crash, kill, a failed node) and is then
    run again on the same extract gives every table the full build gives: the models that did
    run record the new extract in their watermarks, and the ones after them still see their
    upstream rows as loaded since their own latest load."""
    wh = copy_warehouse(first_step_build, tmp_path_factory.mktemp("wh_stopped"))
    proc = run_models(extracts[1], wh, "--select", *INTERRUPTED_AFTER[stop])
    assert proc.returncode == 0, proc.stdout[-4000:]
    # not vacuous: the models after the stop still hold the previous night's results
    assert differences(wh / "elp.duckdb", full_build) != []
    build(extracts[1], wh)
    assert differences(wh / "elp.duckdb", full_build) == []


# Lines of the first extract that the final one no longer holds (deleted at the source), and
# their member: the only dispensing of a member (who vanishes from the table), caught by the
# line count behind the look-back; a line inside the look-back, the member's only recent one,
# caught by the member check. {lines} = the final extract's dispensings.
DELETED_AT_SOURCE = {
    "old": (
        "dispensing_date < date '2022-01-01'",
        "member_id in (select member_id from {lines} group by member_id having count(*) = 1)",
        "history changed beyond the look-back",
    ),
    "recent": (
        f"booking_date > date '{CUT}' - 3 and booking_date <= date '{CUT}'",
        f"member_id not in (select member_id from {{lines}} where booking_date"
        f" > date '{CUT}' - 3 group by member_id having count(*) > 1)",
        "lines deleted at the source",
    ),
}


@pytest.mark.parametrize("case", sorted(DELETED_AT_SOURCE))
def test_lines_deleted_at_the_source_rebuild_every_member(
    case: str,
    extracts: tuple[Path, Path],
    first_step_build: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The new extract lacks a dispensing of a member with no other line after the look-back
    cut-off: the changed members, read from the extract, cannot include that member, so the
    guard must notice, and the model then rebuilds every member from the extract."""
    full = extracts[1]
    where, member_rule, message = DELETED_AT_SOURCE[case]
    lines = f"read_parquet('{full}/pharmacy_dispensings/*.parquet')"
    with duckdb.connect() as con:
        found = con.execute(
            f"""
            select dispensing_id, member_id
            from {lines}
            where {where} and ddd > 0 and {member_rule.format(lines=lines)}
            order by dispensing_id
            limit 1
            """
        ).fetchone()
    assert found is not None and found[0] is not None
    dropped, member = found
    root = tmp_path_factory.mktemp(f"deleted_{case}")
    rewritten = root / "raw"
    cut_extract(full, rewritten, {"pharmacy_dispensings": f"dispensing_id <> '{dropped}'"})
    wh = copy_warehouse(first_step_build, root / "wh")
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        staged = con.execute(
            "select count(*) from staging.stg_pharmacy_dispensings where member_id = ?", [member]
        ).fetchone()
    assert staged is not None and staged[0] > 0
    proc = run_models(
        rewritten, wh, "--select", "base_pharmacy_dispensings", "stg_pharmacy_dispensings"
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert message in proc.stdout
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        in_table = con.execute(
            "select count(*), count(*) filter (where dispensing_id = ?)"
            " from staging.base_pharmacy_dispensings",
            [dropped],
        ).fetchone()
        in_extract = con.execute(
            f"select count(*) from read_parquet('{rewritten}/pharmacy_dispensings/*.parquet')"
        ).fetchone()
        # staging sees its upstream rebuilt whole and is rebuilt whole too (a member who
        # vanished from the extract would hold no new upstream row)
        staging_loads = con.execute(
            "select count(distinct loaded_at), count(*) filter (where member_id = ?)"
            " from staging.stg_pharmacy_dispensings",
            [member],
        ).fetchone()
    assert in_table is not None and in_extract is not None
    assert in_table == (in_extract[0], 0)
    assert staging_loads is not None and staging_loads[0] == 1
    if case == "old":  # the member's only line is gone: so is the member, from staging too
        assert staging_loads[1] == 0


def test_year_gone_from_the_extract_leaves_the_table(
    extracts: tuple[Path, Path], full_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A year the extract no longer holds is removed from base_members_yearly, which finds the
    stale years without fingerprinting the extract twice; the other years are kept as loaded."""
    full = extracts[1]
    root = tmp_path_factory.mktemp("year_gone")
    rewritten = root / "raw"
    cut_extract(full, rewritten, {"members_yearly": "year <> 2010"})
    wh = copy_warehouse(full_build, root / "wh")
    proc = run_models(rewritten, wh, "--select", "base_members_yearly_files", "base_members_yearly")
    assert proc.returncode == 0, proc.stdout[-4000:]
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        in_table = con.execute(
            "select count(*), count(*) filter (where year = 2010), count(distinct loaded_at)"
            " from staging.base_members_yearly"
        ).fetchone()
        in_extract = con.execute(
            f"select count(*) from read_parquet('{rewritten}/members_yearly/*.parquet')"
        ).fetchone()
    assert in_table is not None and in_extract is not None
    assert in_table == (in_extract[0], 0, 1)


def test_members_yearly_reads_only_the_files_that_changed(
    extracts: tuple[Path, Path], full_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """members_yearly comes as several files (one per year here): a night on which one file
    changed fingerprints that file alone and rebuilds its year alone, and gives the tables a
    full build of the same extract gives."""
    root = tmp_path_factory.mktemp("one_file")
    changed = root / "raw"
    shutil.copytree(extracts[1], changed)
    folder = changed / "members_yearly"
    with duckdb.connect() as con:
        files = con.execute(
            f"select filename, count(distinct year) from read_parquet('{folder}/*.parquet',"
            f" filename = true) group by filename having bool_or(year = {REWRITTEN_YEAR})"
        ).fetchall()
        assert len(files) == 1 and files[0][1] == 1, files  # one file holds the year, alone
        target = Path(files[0][0])
        corrected = root / "corrected.parquet"
        con.execute(
            f"""copy (
                select * replace (
                    case when hash(member_id) % 50 = 0
                         then (case when sex = 'F' then 'M' else 'F' end) else sex end as sex
                )
                from read_parquet('{target}')
            ) to '{corrected}' (format parquet)"""
        )
    shutil.move(corrected, target)
    models = ["base_members_yearly_files", "base_members_yearly"]
    night = copy_warehouse(full_build, root / "night")
    # selected alone, the model would decide from fingerprints of the earlier files: it stops
    alone = run_models(changed, night, "--select", models[1])
    assert alone.returncode != 0
    assert "file(s) are new, gone or changed since base_members_yearly_files" in alone.stdout
    assert "dbt build --select base_members_yearly_files+" in alone.stdout
    rebuilt = copy_warehouse(full_build, root / "rebuilt")
    for wh, extra in ((night, []), (rebuilt, ["--full-refresh"])):
        proc = run_models(changed, wh, "--select", *models, *extra)
        assert proc.returncode == 0, proc.stdout[-4000:]
    with duckdb.connect(str(night / "elp.duckdb"), read_only=True) as con:
        fingerprinted = con.execute(
            "select distinct file_name from staging.base_members_yearly_files where"
            " fingerprinted_at = (select max(loaded_at) from staging.base_members_yearly_files)"
        ).fetchall()
        years = con.execute(
            "select distinct year from staging.base_members_yearly"
            " where loaded_at = (select max(loaded_at) from staging.base_members_yearly)"
        ).fetchall()
    assert fingerprinted == [(target.name,)]
    assert years == [(REWRITTEN_YEAR,)]
    tables = [f"staging.{model}" for model in models]
    assert exactly_equal_tables(night / "elp.duckdb", rebuilt / "elp.duckdb", tables) == set(tables)


def test_empty_members_yearly_file_is_listed_and_changes_no_year(
    extracts: tuple[Path, Path], full_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An extract may hold a Parquet file without rows: it makes no year and changes none, and
    the per-file model lists it (an empty part), so that base_members_yearly, selected alone
    on the next night, does not take it for a file changed since."""
    root = tmp_path_factory.mktemp("empty_file")
    extract = root / "raw"
    shutil.copytree(extracts[1], extract)
    write_raw_file(
        extract,
        "members_yearly",
        "zz-empty.parquet",
        f"select * from read_parquet('{extract}/members_yearly/*.parquet') limit 0",
    )
    wh = copy_warehouse(full_build, root / "wh")
    models = ["base_members_yearly_files", "base_members_yearly"]
    for selected in (models, models[1:]):
        proc = run_models(extract, wh, "--select", *selected)
        assert proc.returncode == 0, proc.stdout[-4000:]
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        empty = con.execute(
            "select fingerprint_year, row_count, hash_sum from staging.base_members_yearly_files"
            " where file_name = 'zz-empty.parquet'"
        ).fetchall()
        loads = con.execute(
            "select count(distinct loaded_at) from staging.base_members_yearly"
        ).fetchall()
    assert empty == [(-1, 0, 0)]
    assert loads == [(1,)]  # no year rebuilt


# incremental tables and a column each keeps to plan its next run: a member model's load
# timestamp, a base model's booking date, a year model's fingerprint
PLANNING_COLUMNS = {
    "staging.stg_claims": "loaded_at",
    "staging.base_claims": "key_hash",
    "staging.base_pharmacy_dispensings": "booking_date",
    "staging.base_affiliation_periods": "loaded_at",
    "staging.base_members_yearly_files": "content_hash",
    "intermediate.int_member_cells": "year_fingerprint",
}


@pytest.mark.parametrize("table", sorted(PLANNING_COLUMNS))
def test_table_from_an_earlier_version_is_named_with_its_fix(
    table: str, extracts: tuple[Path, Path], full_build: Path, tmp_path: Path
) -> None:
    """An incremental table written by an earlier version, without a column this version plans
    its runs with, stops the run with a message naming the table, the column and the
    --full-refresh that mends it, not with an engine error about the planning query."""
    column = PLANNING_COLUMNS[table]
    model = table.split(".")[1]
    wh = copy_warehouse(full_build, tmp_path / "wh")
    with duckdb.connect(str(wh / "elp.duckdb")) as con:
        con.execute(f"alter table {table} drop column {column}")
    proc = run_models(extracts[1], wh, "--select", model)
    assert proc.returncode != 0
    assert f'"{model}" lacks column(s) {column}' in proc.stdout, proc.stdout[-3000:]
    assert f"dbt build --full-refresh --select {model}+" in proc.stdout
