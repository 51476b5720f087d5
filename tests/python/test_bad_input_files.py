"""Bad files and identifiers are refused by the raw preflight before any row is read: stray
non-Parquet files (clutter is listed, not refused), files and tables without rows, timestamps
where the contract wants a DATE, integers and decimals outside the contract type, and national
register numbers written with whitespace, separators, other digits or letters around them. Each
refusal names the file, the column and the check, exits non-zero and leaves the published
snapshot alone."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (
    CONTRACT_SCHEMAS,
    build_quarantining_every_rule,
    database_path,
    output,
    query,
    row,
    run_dbt,
    write_extract,
    write_table,
)


def valid_extract() -> dict[str, list[dict[str, Any]]]:
    return {table: [row(table)] for table in CONTRACT_SCHEMAS}


def preflight(
    raw: Path, warehouse: Path, target: Path, table: str
) -> subprocess.CompletedProcess[str]:
    """Run only the base model of `table`: the preflight checks that raw table only, with the
    production rule for empty tables."""
    return run_dbt(
        ["run", "--select", f"base_{table}"],
        raw,
        warehouse,
        target_dir=target,
        strict_empty_tables=True,
    )


def refused(proc: subprocess.CompletedProcess[str], table: str) -> str:
    text = output(proc)
    assert proc.returncode != 0, text[-3000:]
    assert f"Raw extract refused (source contract, table {table})" in text
    return text


def passed(proc: subprocess.CompletedProcess[str], table: str) -> str:
    """The preflight's success line for `table` (the model itself may still need seeds)."""
    text = output(proc)
    assert f"Raw preflight: {table}: " in text and "Raw extract refused" not in text, text[-3000:]
    return text


def replace_column(path: Path, column: str, array: pa.Array) -> None:
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    pq.write_table(table.set_column(index, column, array), path)


# --- stray files and clutter -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "part-1.csv",
        "part-2.json",
        "2023-03.xlsx",
        "part-3.gz",
        "year=2024/claims.parquet.gz",
        "part-4.PARQUET",
        "part-5.parquet.tmp",
        "notes.txt",
    ],
)
def test_a_data_file_that_is_not_parquet_is_refused_with_its_name(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, name: str
) -> None:
    write_extract(raw_dir, valid_extract())
    stray = raw_dir / "claims" / name
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("claim_id,member_id\nC0009,M0001\n")
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert f"file {stray} is not a Parquet file (name ending in .parquet)" in text
    assert "(check non_parquet_file)" in text


def test_several_stray_files_are_counted(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    for name in ("a.csv", "b.csv", "c.json"):
        (raw_dir / "claims" / name).write_text("x")
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert f"file {raw_dir / 'claims' / 'a.csv'} is not a Parquet file" in text
    assert "and 2 other file(s)" in text


def test_clutter_is_ignored_and_listed(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    folder = raw_dir / "claims"
    for name in (".DS_Store", "README.md", "readme.txt", "_SUCCESS", "year=2023/_committed_1"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    text = passed(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert (
        "Raw preflight: claims: 1 file(s), contract columns, types and value ranges ok, no "
        "NISS-like member_id; ignored: .DS_Store, README.md, _SUCCESS, readme.txt, "
        "year=2023/_committed_1 (" in text
    )


# --- files and tables without rows ---------------------------------------------------------


def test_a_file_without_rows_beside_others_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    empty = write_table(raw_dir / "claims" / "month=04" / "part-0.parquet", "claims", [])
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert (
        f"file {empty} has no rows (schema only), beside 1 other file(s). Check empty_file" in text
    )


@pytest.mark.parametrize(
    "table", ["members_yearly", "claims", "pharmacy_dispensings", "complementary_refunds"]
)
def test_a_table_without_rows_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, table: str
) -> None:
    write_extract(raw_dir, {**valid_extract(), table: []})
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, table), table)
    assert (
        f"the table has no rows (1 file(s), {raw_dir / table / 'part-0.parquet'}). "
        f"Check empty_table: a delivery without {table} is broken" in text
    )


def test_empty_affiliation_periods_pass_and_the_list_is_a_var(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, {**valid_extract(), "affiliation_periods": []})
    passed(
        preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "affiliation_periods"),
        "affiliation_periods",
    )
    strict = run_dbt(
        ["run", "--select", "base_affiliation_periods"],
        raw_dir,
        reused_warehouse_dir,
        vars={"raw_tables_allowed_empty": []},
        target_dir=dbt_target_dir,
        strict_empty_tables=True,
    )
    assert "Check empty_table: a delivery without affiliation_periods" in refused(
        strict, "affiliation_periods"
    )


# --- timestamps where the contract wants a DATE ------------------------------------------


@pytest.mark.parametrize(
    ("column", "array"),
    [
        ("service_date", pa.array([datetime(2023, 3, 1, tzinfo=UTC)], pa.timestamp("us", "UTC"))),
        ("booking_date", pa.array([datetime(2023, 3, 15)], pa.timestamp("ms", "Europe/Brussels"))),
    ],
)
def test_timestamp_with_time_zone_for_a_date_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, column: str, array: pa.Array
) -> None:
    write_extract(raw_dir, valid_extract())
    path = raw_dir / "claims" / "part-0.parquet"
    replace_column(path, column, array)
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert (
        f"file {path}, column {column} has type TIMESTAMP WITH TIME ZONE; the contract wants "
        "DATE. Check timestamp_with_time_zone_for_date" in text
    )
    assert "Fix: write the column as a Parquet DATE (Arrow date32)" in text


@pytest.mark.parametrize(
    ("unit", "values", "duckdb_type", "first"),
    [
        ("us", [datetime(2023, 3, 1, 10, 30)], "TIMESTAMP", "2023-03-01 10:30:00"),
        # a date converted to UTC upstream: the evening before
        ("ns", [datetime(2023, 3, 1), datetime(2023, 2, 28, 23)], "TIMESTAMP_NS", "2023-02-28 23"),
        ("ms", [datetime(2023, 3, 1, 0, 0, 1)], "TIMESTAMP", "2023-03-01 00:00:01"),
    ],
)
def test_timestamp_off_midnight_for_a_date_is_refused(
    raw_dir: Path,
    reused_warehouse_dir: Path,
    dbt_target_dir: Path,
    unit: str,
    values: list[datetime],
    duckdb_type: str,
    first: str,
) -> None:
    extract = valid_extract()
    extract["pharmacy_dispensings"] = [
        row("pharmacy_dispensings", dispensing_id=f"D{i}") for i in range(len(values))
    ]
    write_extract(raw_dir, extract)
    path = raw_dir / "pharmacy_dispensings" / "part-0.parquet"
    replace_column(path, "dispensing_date", pa.array(values, pa.timestamp(unit)))
    text = refused(
        preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "pharmacy_dispensings"),
        "pharmacy_dispensings",
    )
    assert (
        f"file {path}, column dispensing_date has type {duckdb_type} with 1 value(s) not at "
        f"midnight (first: {first}" in text
    )
    assert "Check timestamp_not_at_midnight" in text


def test_timestamp_at_midnight_is_read_as_its_date(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    path = raw_dir / "claims" / "part-0.parquet"
    replace_column(path, "service_date", pa.array([datetime(2023, 3, 1)], pa.timestamp("ns")))
    proc = run_dbt(
        ["build", "--select", "+base_claims", "--indirect-selection", "cautious"],
        raw_dir,
        reused_warehouse_dir,
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-3000:]
    assert query(
        database_path(reused_warehouse_dir), "select service_date from staging.base_claims"
    ) == [(datetime(2023, 3, 1).date(),)]


# --- integers and decimals outside the contract type -------------------------------------


@pytest.mark.parametrize(
    ("table", "column", "array", "expected"),
    [
        (
            "claims",
            "quantity",
            pa.array([1, 30_000_000_000], pa.int64()),
            "column quantity holds values from 1 to 30000000000, outside the contract type "
            "SMALLINT (-32768 to 32767)",
        ),
        (
            "claims",
            "quantity",
            pa.array([-40_000, 1], pa.int32()),
            "column quantity holds values from -40000 to 1, outside the contract type SMALLINT",
        ),
        (
            "members_yearly",
            "affiliated_days",
            pa.array([365, 70_000], pa.uint32()),
            "column affiliated_days holds values from 365 to 70000, outside the contract type "
            "SMALLINT",
        ),
        (
            "claims",
            "amount_insurance_eur",
            pa.array([Decimal("20.00"), Decimal("12345678901.00")], pa.decimal128(14, 2)),
            "column amount_insurance_eur holds values from 20.00 to 12345678901.00, outside the "
            "contract type DECIMAL(12,2) (-9999999999.99 to 9999999999.99)",
        ),
        (
            "complementary_refunds",
            "amount_eur",
            pa.array([15.0, -2.5e13], pa.float64()),
            "column amount_eur holds values from -25000000000000.0 to 15.0, outside the "
            "contract type DECIMAL(12,2)",
        ),
    ],
)
def test_value_outside_the_contract_type_is_refused(
    raw_dir: Path,
    reused_warehouse_dir: Path,
    dbt_target_dir: Path,
    table: str,
    column: str,
    array: pa.Array,
    expected: str,
) -> None:
    extract = valid_extract()
    id_column = {"claims": "claim_id", "complementary_refunds": "refund_id"}.get(table, "member_id")
    extract[table] = [row(table, **{id_column: f"X{i}"}) for i in range(len(array))]
    write_extract(raw_dir, extract)
    path = raw_dir / table / "part-0.parquet"
    replace_column(path, column, array)
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, table), table)
    assert f"file {path}, {expected}" in text
    assert "Check value_out_of_type_range" in text


def test_value_range_is_read_from_the_data_when_statistics_are_missing(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    extract = valid_extract()
    extract["claims"] = [row("claims", claim_id=f"X{i}") for i in range(2)]
    write_extract(raw_dir, extract)
    path = raw_dir / "claims" / "part-0.parquet"
    table = pq.read_table(path)
    index = table.schema.get_field_index("quantity")
    table = table.set_column(index, "quantity", pa.array([2, 99_999], pa.int32()))
    pq.write_table(table, path, write_statistics=False)
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert f"file {path}, column quantity holds values from 2 to 99999" in text


@pytest.mark.parametrize(
    ("table", "column", "values", "expected"),
    [
        # NaN among ordinary values: the footer statistics leave it out of min / max
        (
            "claims",
            "amount_insurance_eur",
            [20.0, float("nan")],
            "has type DOUBLE with 1 value(s) NaN or infinite; the contract wants DECIMAL(12,2). "
            "Check value_not_finite",
        ),
        (
            "complementary_refunds",
            "amount_eur",
            [15.0, float("nan"), float("nan"), 3.0],
            "has type DOUBLE with 2 value(s) NaN or infinite",
        ),
        # infinities and an all-NaN column reach the statistics: the range check names them
        (
            "claims",
            "amount_patient_eur",
            [float("inf"), 1.0, float("-inf")],
            "holds values from -inf to inf, outside the contract type DECIMAL(12,2)",
        ),
        (
            "complementary_refunds",
            "amount_eur",
            [float("nan"), float("nan")],
            "holds values from nan to nan, outside the contract type DECIMAL(12,2)",
        ),
    ],
)
def test_nan_or_infinity_for_a_decimal_column_is_refused(
    raw_dir: Path,
    reused_warehouse_dir: Path,
    dbt_target_dir: Path,
    table: str,
    column: str,
    values: list[float],
    expected: str,
) -> None:
    """No NaN or infinity reaches a DECIMAL column (the load would stop on an anonymous
    conversion error): the file and column are named."""
    extract = valid_extract()
    id_column = {"claims": "claim_id", "complementary_refunds": "refund_id"}[table]
    extract[table] = [row(table, **{id_column: f"X{i}"}) for i in range(len(values))]
    write_extract(raw_dir, extract)
    path = raw_dir / table / "part-0.parquet"
    replace_column(path, column, pa.array(values, pa.float64()))
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, table), table)
    assert f"file {path}, column {column} {expected}" in text


def test_wider_types_within_the_contract_range_pass(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    path = raw_dir / "claims" / "part-0.parquet"
    replace_column(path, "quantity", pa.array([32_767], pa.int64()))
    replace_column(
        path, "amount_insurance_eur", pa.array([Decimal("9999999999.99")], pa.decimal128(18, 2))
    )
    replace_column(path, "amount_patient_eur", pa.array([-4.5], pa.float64()))
    passed(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")


# --- national register numbers in any spelling -------------------------------------------

# 85073100130: a valid check number (97 - 850731001 mod 97 = 30); 00000000097 likewise; the
# 2000s variant of 010203001 has check number 97 - (2010203001 mod 97) = 70
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + i) for i in range(10)))
EXTENDED_ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x06F0 + i) for i in range(10)))
DEVANAGARI = str.maketrans("0123456789", "".join(chr(0x0966 + i) for i in range(10)))
NISS_VARIANTS = [
    "85.07.31-001.23",
    "85073100123 ",
    "850731 001 23",
    "\t85073100123\r\n",
    "\u00a085073100123\u202f",
    "85/07/31_001,23",
    "85\u201307\u201331\u2013001\u201323",
    "85073100123".translate(FULLWIDTH),
    "85.07.31-001.23".translate(ARABIC_INDIC),
    "85073100123".translate(EXTENDED_ARABIC_INDIC),
    "85073100123".translate(DEVANAGARI),
    "85073100130-A",
    "ID85073100130",
    "NISS: 85.07.31-001.30",
    "insz 85073100130 b",
    "RRN01020300170",
    "ID85073100130".translate(FULLWIDTH),
]
NOT_NISS = [
    "M16OOQKXT",  # the synthetic extract's pseudonyms
    "8507310012",  # 10 digits
    "850731001234",  # 12 digits
    "85073100123-A",  # letters around an invalid check number
    "M12345678901",
    "ABCDE85073100130",  # a five-letter prefix
    "850731A00123",  # a letter inside
    hashlib.sha256(b"85073100130").hexdigest(),
    "C85073100130Q1",
]


def niss_verdicts(raw_dir: Path, warehouse: Path, target: Path, values: list[str]) -> str:
    """The preflight's output on members_yearly with one extra member per value."""
    extract = valid_extract()
    extract["members_yearly"] += [row("members_yearly", member_id=value) for value in values]
    write_extract(raw_dir, extract)
    return passed(preflight(raw_dir, warehouse, target, "members_yearly"), "members_yearly")


@pytest.mark.parametrize("member_id", NISS_VARIANTS)
def test_niss_variant_refuses_the_extract(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, member_id: str
) -> None:
    extract = valid_extract()
    extract["claims"].append(row("claims", claim_id="C0002", member_id=member_id))
    write_extract(raw_dir, extract)
    text = refused(preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims"), "claims")
    assert (
        "member_id looks like a national register number (INSZ/NISS, 11 digits) in "
        f"{raw_dir / 'claims' / 'part-0.parquet'} (1 rows). Rule member_id_looks_like_niss" in text
    )
    assert member_id.strip() not in text


def test_pseudonyms_and_near_misses_pass(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    text = niss_verdicts(raw_dir, reused_warehouse_dir, dbt_target_dir, NOT_NISS)
    assert "no NISS-like member_id" in text


@pytest.fixture(scope="module")
def quarantined_niss_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every variant and near miss as a claim, built with the preflight skipped, so that the row
    rule member_id_looks_like_niss decides."""
    base = tmp_path_factory.mktemp("niss-rule")
    claims = [row("claims")]
    for i, member_id in enumerate(NISS_VARIANTS + NOT_NISS):
        claims.append(row("claims", claim_id=f"V{i:02d}", member_id=member_id))
    # the pseudonyms that are not NISS are members (else rule member_not_in_members_yearly)
    members = [row("members_yearly")] + [row("members_yearly", member_id=m) for m in NOT_NISS]
    return build_quarantining_every_rule(
        base,
        {**valid_extract(), "claims": claims, "members_yearly": members},
        ["build", "--select", "+quarantine_claims", "--exclude", "test_type:data"],
    )


def test_niss_variants_are_quarantined_without_their_value(quarantined_niss_db: Path) -> None:
    got = query(
        quarantined_niss_db,
        "select claim_id, member_id from staging.quarantine_claims"
        " where rejection_rule = 'member_id_looks_like_niss' order by claim_id",
    )
    assert got == [(f"V{i:02d}", None) for i in range(len(NISS_VARIANTS))]
    kept = query(
        quarantined_niss_db,
        "select count(*) from staging.base_claims where rejection_rule is null",
    )
    assert kept == [(1 + len(NOT_NISS),)]


# --- a refusal leaves the published snapshot alone ----------------------------------------


def test_a_refused_build_leaves_the_published_snapshot_untouched(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    snapshot = reused_warehouse_dir / "published.duckdb"
    snapshot.write_bytes(b"the snapshot of the previous night")
    before = (snapshot.read_bytes(), snapshot.stat().st_mtime_ns)
    for defect in ("stray", "empty", "overflow"):
        write_extract(raw_dir, valid_extract())
        if defect == "stray":
            (raw_dir / "claims" / "2023-04.csv").write_text("x")
        elif defect == "empty":
            write_table(raw_dir / "claims" / "part-1.parquet", "claims", [])
        else:
            replace_column(
                raw_dir / "claims" / "part-0.parquet", "quantity", pa.array([40_000], pa.int32())
            )
        proc = run_dbt(
            ["build", "--select", "+staging"], raw_dir, reused_warehouse_dir,
            target_dir=dbt_target_dir,
        )  # fmt: skip
        refused(proc, "claims")
        assert (snapshot.read_bytes(), snapshot.stat().st_mtime_ns) == before
        for leftover in raw_dir.rglob("*"):
            if leftover.is_file():
                leftover.unlink()
    snapshot.unlink()
