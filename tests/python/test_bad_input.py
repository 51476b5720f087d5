"""Bad input: every structural defect stops the build naming file and column; every row rule
sends the row to quarantine with its rule name and is counted in mart_data_quality; the rejected
share gate fails the build above the threshold (var max_rejected_share) and passes below it."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (
    CONTRACT_SCHEMAS,
    build_quarantining_every_rule,
    database_path,
    nomenclature_code,
    output,
    query,
    row,
    run_dbt,
    write_extract,
    write_table,
)


def eur(value: str) -> Decimal:
    return Decimal(value)


# staging, the corrections netting and the quality mart
FULL_BUILD = [
    "build",
    "--select",
    "+staging",
    "+int_claims_netted",
    "+int_pharmacy_dispensings_netted",
    "+marts.quality",
    "--indirect-selection",
    "cautious",
]
NISS_DOTTED = "85.07.30-033.61"
NISS_PLAIN = "85073003361"
# spaces around and between the groups: the preflight's first filter (sorts before ':') must
# keep a value that starts with a space
NISS_SPACED = " 85 07 30 033 61 "
# codes of seed nomenclature_codes; an ELP individual session has the tightest amount bounds
ELP_SESSION = nomenclature_code(
    "elp_session", elp_function="support", elp_setting="office", elp_network_type="adults"
)
ELP_GROUP = nomenclature_code(
    "elp_session", elp_function="support", elp_setting="group", elp_network_type="adults"
)
ACUTE = nomenclature_code("acute_psychiatric")
REHAB = nomenclature_code("rehab_residential")
PSYCHIATRIST = nomenclature_code("psychiatrist_ambulatory")


def valid_extract() -> dict[str, list[dict[str, Any]]]:
    return {table: [row(table)] for table in CONTRACT_SCHEMAS}


def replace_column(path: Path, column: str, array: pa.Array | None) -> None:
    """Rewrite a Parquet file with `column` dropped (array None) or replaced by `array`."""
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    table = table.remove_column(index)
    if array is not None:
        table = table.add_column(index, column, array)
    pq.write_table(table, path)


# --- structural defects: the preflight stops the build ------------------------------------


def preflight(
    raw: Path, warehouse: Path, target: Path, table: str
) -> subprocess.CompletedProcess[str]:
    """Run only the base model of `table`: the preflight checks that raw table only."""
    return run_dbt(["run", "--select", f"base_{table}"], raw, warehouse, target_dir=target)


def test_missing_column_names_file_and_column(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    path = raw_dir / "claims" / "part-0.parquet"
    replace_column(path, "booking_date", None)
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims")
    text = output(proc)
    assert proc.returncode != 0
    assert str(path) in text and "has no column booking_date" in text


def test_wrong_type_names_file_and_column(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    path = raw_dir / "claims" / "part-0.parquet"
    replace_column(path, "service_date", pa.array(["2023-03-01"], pa.string()))
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims")
    text = output(proc)
    assert proc.returncode != 0
    assert str(path) in text and "column service_date has type VARCHAR" in text


def test_corrupt_file_is_named(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    good = (raw_dir / "members_yearly" / "part-0.parquet").read_bytes()
    corrupt = raw_dir / "members_yearly" / "year=2024" / "part-1.parquet"
    corrupt.parent.mkdir()
    corrupt.write_bytes(good[: len(good) // 2])  # truncated: footer lost
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "members_yearly")
    assert proc.returncode != 0
    assert str(corrupt) in output(proc)


def test_empty_folder_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, valid_extract())
    (raw_dir / "complementary_refunds" / "part-0.parquet").unlink()
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "complementary_refunds")
    text = output(proc)
    assert proc.returncode != 0
    assert f"no Parquet file in folder {raw_dir / 'complementary_refunds'}" in text


@pytest.mark.parametrize(
    ("table", "member_id"),
    [
        ("members_yearly", NISS_DOTTED),
        ("pharmacy_dispensings", NISS_PLAIN),
        ("claims", NISS_SPACED),
    ],
)
def test_niss_like_member_id_refuses_the_extract(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, table: str, member_id: str
) -> None:
    extract = valid_extract()
    extract[table].append(row(table, member_id=member_id))
    write_extract(raw_dir, extract)
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, table)
    text = output(proc)
    assert proc.returncode != 0
    assert "member_id looks like a national register number" in text
    assert str(raw_dir / table / "part-0.parquet") in text and "(1 rows)" in text
    assert member_id not in text  # the value itself is never echoed


@pytest.mark.parametrize(
    "name", ["part-1.csv", "year=2024/claims.parquet.gz", "part-2.json", "part-3.PARQUET"]
)
def test_a_file_that_is_not_parquet_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, name: str
) -> None:
    """A month delivered as CSV (or any other file) beside the Parquet files would be left out
    of the build without a word: the preflight names it and refuses the extract."""
    write_extract(raw_dir, valid_extract())
    stray = raw_dir / "claims" / name
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("claim_id,member_id\nC0009,M0001\n")
    proc = preflight(raw_dir, reused_warehouse_dir, dbt_target_dir, "claims")
    text = output(proc)
    assert proc.returncode != 0
    assert f"file {stray} is not a Parquet file" in text


def test_accepted_variants_and_layouts(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """Wider integers, timestamps at midnight for dates, extra columns, several files in
    sub-folders (hive-style names are not read as columns), and Spark's marker and hidden
    files all pass the preflight and load."""
    write_extract(raw_dir, valid_extract())
    (raw_dir / "claims" / "_SUCCESS").write_text("")
    (raw_dir / "claims" / ".part-0.parquet.crc").write_text("x")
    claims = raw_dir / "claims" / "part-0.parquet"
    replace_column(claims, "quantity", pa.array([1], pa.int32()))
    replace_column(claims, "service_date", pa.array([datetime(2023, 3, 1)]))
    table = pq.read_table(claims).append_column("extra_column", pa.array(["x"]))
    pq.write_table(table, claims)
    write_table(
        raw_dir / "claims" / "year=2023" / "month=04" / "other-name.parquet",
        "claims",
        [
            row(
                "claims",
                claim_id="C0002",
                service_date=date(2023, 4, 1),
                booking_date=date(2023, 4, 10),
            )
        ],
    )
    proc = run_dbt(
        ["build", "--select", "+base_claims", "--indirect-selection", "cautious"],
        raw_dir,
        reused_warehouse_dir,
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    got = query(
        database_path(reused_warehouse_dir),
        "select claim_id, service_date, quantity, rejection_rule"
        " from staging.base_claims order by claim_id",
    )
    assert got == [("C0001", date(2023, 3, 1), 1, None), ("C0002", date(2023, 4, 1), 1, None)]


def test_preflight_skipped_when_no_raw_table_is_read(
    tmp_path: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    proc = run_dbt(
        ["seed", "--select", "provinces"],
        tmp_path / "no-extract",
        reused_warehouse_dir,
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    assert "Raw preflight" not in output(proc)


# --- row rules: quarantine and counts ------------------------------------------------------


def bad(table: str, rule: str, n: int = 1, **fields: Any) -> list[dict[str, Any]]:
    """`n` rows of `table` breaking `rule`, with identifiers unique to the rule."""
    ids = {
        "members_yearly": ("member_id",),
        "affiliation_periods": ("member_id",),
        "claims": ("claim_id", "member_id"),
        "pharmacy_dispensings": ("dispensing_id", "member_id"),
        "complementary_refunds": ("refund_id", "member_id"),
    }[table]
    base = {column: f"{rule}" for column in ids}
    return [row(table, **{**base, **fields}) for _ in range(n)]


def with_members(
    extract: dict[str, list[dict[str, Any]]], orphans: set[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """`extract` plus a valid 2022 member-year for every member of the other tables that
    members_yearly does not name, but for the members in `orphans` (default {'orphan'}) and
    NISS-like ones: only their rows break rule member_not_in_members_yearly."""
    orphans = {"orphan"} if orphans is None else orphans
    named = {r["member_id"] for r in extract.get("members_yearly", [])}
    needed = sorted(
        {
            r["member_id"]
            for table, rows in extract.items()
            if table != "members_yearly"
            for r in rows
            if r["member_id"] is not None
        }
        - named
        - orphans
        - {NISS_DOTTED, NISS_PLAIN, NISS_SPACED}
    )
    members = [row("members_yearly", member_id=m, year=2022) for m in needed]
    return {**extract, "members_yearly": [*extract.get("members_yearly", []), *members]}


ROW_RULE_ROWS: dict[str, list[dict[str, Any]]] = {
    "members_yearly": [
        row("members_yearly"),
        *bad("members_yearly", "member_id_missing", member_id=None),
        *bad("members_yearly", "member_id_looks_like_niss", member_id=NISS_DOTTED),
        *bad("members_yearly", "year_out_of_range", year=2026),
        *bad("members_yearly", "birth_year_out_of_range", birth_year=2024),
        *bad("members_yearly", "age_out_of_range", birth_year=1900),
        *bad("members_yearly", "sex_invalid", sex="X"),
        *bad("members_yearly", "nis_municipality_unknown", nis_municipality="54007"),
        *bad("members_yearly", "vt_missing", vt=None),
        *bad("members_yearly", "affiliated_days_out_of_range", affiliated_days=0),
        *bad("members_yearly", "status_value_missing", detained=None),
        *bad("members_yearly", "negative_status_days", invalidity_days=-5),
        *bad("members_yearly", "status_days_out_of_range", unemployment_days=366),
        *bad("members_yearly", "duplicate_member_year", sex="F"),
        *bad("members_yearly", "duplicate_member_year", sex="M"),
        *bad("members_yearly", "exact_duplicate_row", n=2),
    ],
    "affiliation_periods": [
        row("affiliation_periods"),
        *bad("affiliation_periods", "member_id_missing", member_id=None),
        *bad("affiliation_periods", "member_id_looks_like_niss", member_id=NISS_PLAIN),
        *bad("affiliation_periods", "start_date_missing", start_date=None),
        *bad("affiliation_periods", "start_date_too_early", start_date=date(1066, 10, 14)),
        *bad("affiliation_periods", "start_after_extraction", start_date=date(2025, 7, 1)),
        *bad(
            "affiliation_periods",
            "end_before_start",
            start_date=date(2020, 1, 2),
            end_date=date(2020, 1, 1),
        ),
        *bad("affiliation_periods", "member_not_in_members_yearly", member_id="orphan"),
        *bad("affiliation_periods", "exact_duplicate_row", n=2),
        *bad(
            "affiliation_periods",
            "overlapping_spell",
            start_date=date(2020, 1, 1),
            end_date=date(2020, 12, 31),
        ),
        *bad(
            "affiliation_periods",
            "overlapping_spell",
            start_date=date(2020, 6, 1),
            end_date=None,
        ),
    ],
    "claims": [
        row("claims"),
        *bad("claims", "claim_id_missing", claim_id=None),
        *bad("claims", "claim_id_looks_like_niss", claim_id=NISS_PLAIN),
        *bad("claims", "member_id_missing", member_id=None),
        *bad("claims", "member_id_looks_like_niss", member_id=NISS_DOTTED),
        *bad("claims", "provider_id_looks_like_niss", provider_id=NISS_SPACED),
        *bad("claims", "service_date_missing", service_date=None),
        *bad("claims", "service_date_too_early", service_date=date(1825, 1, 1)),
        *bad("claims", "booking_date_missing", booking_date=None),
        *bad("claims", "booking_before_service", booking_date=date(2023, 2, 1)),
        *bad("claims", "booked_after_extraction", booking_date=date(2025, 6, 24)),
        *bad("claims", "nomenclature_code_unknown", nomenclature_code="999999"),
        *bad("claims", "network_id_unknown", network_id="NX99"),
        *bad("claims", "quantity_invalid", quantity=0),
        *bad("claims", "quantity_out_of_range", quantity=30000),
        *bad("claims", "amount_missing", amount_patient_eur=None),
        *bad(
            "claims",
            "amount_insurance_out_of_range",
            nomenclature_code=ELP_SESSION,
            amount_insurance_eur=eur("9999999999.99"),
        ),
        *bad("claims", "amount_patient_out_of_range", amount_patient_eur=eur("2000.01")),
        *bad("claims", "member_not_in_members_yearly", member_id="orphan"),
        *bad("claims", "claim_id_duplicate", quantity=1),
        *bad("claims", "claim_id_duplicate", quantity=2),
        *bad("claims", "exact_duplicate_row", n=2),
        # a correction with nothing to correct, and one booked before the line it corrects
        *bad("claims", "unmatched_correction", quantity=-1),
        row(
            "claims",
            claim_id="late-positive",
            member_id="late",
            quantity=1,
            booking_date=date(2023, 3, 20),
        ),
        row(
            "claims",
            claim_id="early-correction",
            member_id="late",
            quantity=-1,
            booking_date=date(2023, 3, 10),
        ),
        # a correction of 2 units against a line of 1: both lines quarantined
        *bad("claims", "correction_exceeds_original", quantity=1),
        row(
            "claims",
            claim_id="over-correction",
            member_id="correction_exceeds_original",
            quantity=-2,
            booking_date=date(2023, 3, 20),
        ),
    ],
    "pharmacy_dispensings": [
        row("pharmacy_dispensings"),
        *bad("pharmacy_dispensings", "dispensing_id_missing", dispensing_id=None),
        *bad("pharmacy_dispensings", "dispensing_id_looks_like_niss", dispensing_id=NISS_DOTTED),
        *bad("pharmacy_dispensings", "member_id_missing", member_id=None),
        *bad("pharmacy_dispensings", "member_id_looks_like_niss", member_id=NISS_PLAIN),
        *bad("pharmacy_dispensings", "dispensing_date_missing", dispensing_date=None),
        *bad(
            "pharmacy_dispensings",
            "dispensing_date_too_early",
            dispensing_date=date(1900, 1, 1),
        ),
        *bad(
            "pharmacy_dispensings",
            "dispensing_after_extraction",
            dispensing_date=date(2025, 6, 24),
        ),
        *bad("pharmacy_dispensings", "booking_date_missing", booking_date=None),
        *bad("pharmacy_dispensings", "booking_before_dispensing", booking_date=date(2023, 3, 31)),
        *bad(
            "pharmacy_dispensings",
            "booked_after_extraction",
            dispensing_date=date(2025, 6, 20),
            booking_date=date(2025, 6, 24),
        ),
        *bad("pharmacy_dispensings", "atc_code_invalid", atc_code="N06A"),
        *bad("pharmacy_dispensings", "ddd_invalid", ddd=0.0),
        *bad("pharmacy_dispensings", "ddd_not_finite", ddd=float("nan")),
        *bad("pharmacy_dispensings", "ddd_out_of_range", ddd=1e12),
        *bad("pharmacy_dispensings", "pharmacy_type_invalid", pharmacy_type="online"),
        *bad("pharmacy_dispensings", "amount_missing", amount_insurance_eur=None),
        *bad(
            "pharmacy_dispensings",
            "amount_out_of_range",
            amount_insurance_eur=eur("99999999.99"),
        ),
        *bad("pharmacy_dispensings", "member_not_in_members_yearly", member_id="orphan"),
        *bad("pharmacy_dispensings", "dispensing_id_duplicate", ddd=10.0),
        *bad("pharmacy_dispensings", "dispensing_id_duplicate", ddd=20.0),
        *bad("pharmacy_dispensings", "exact_duplicate_row", n=2),
        *bad("pharmacy_dispensings", "unmatched_correction", ddd=-5.0),
        *bad("pharmacy_dispensings", "correction_exceeds_original", ddd=10.0),
        row(
            "pharmacy_dispensings",
            dispensing_id="over-correction",
            member_id="correction_exceeds_original",
            ddd=-30.0,
        ),
    ],
    "complementary_refunds": [
        row("complementary_refunds"),
        *bad("complementary_refunds", "refund_id_missing", refund_id=None),
        *bad("complementary_refunds", "refund_id_looks_like_niss", refund_id=NISS_SPACED),
        *bad("complementary_refunds", "member_id_missing", member_id=None),
        *bad("complementary_refunds", "member_id_looks_like_niss", member_id=NISS_DOTTED),
        *bad("complementary_refunds", "service_date_missing", service_date=None),
        *bad("complementary_refunds", "service_date_too_early", service_date=date(1700, 1, 1)),
        *bad("complementary_refunds", "service_after_extraction", service_date=date(2025, 6, 24)),
        *bad("complementary_refunds", "booking_date_missing", booking_date=None),
        *bad("complementary_refunds", "booking_before_service", booking_date=date(2023, 4, 30)),
        *bad(
            "complementary_refunds",
            "booked_after_extraction",
            service_date=date(2025, 6, 20),
            booking_date=date(2025, 6, 24),
        ),
        *bad("complementary_refunds", "benefit_code_missing", benefit_code=" "),
        *bad("complementary_refunds", "refund_sessions_not_positive", sessions=0),
        *bad("complementary_refunds", "refund_sessions_out_of_range", sessions=30000),
        *bad("complementary_refunds", "amount_missing", amount_eur=None),
        *bad("complementary_refunds", "amount_out_of_range", amount_eur=eur("9999999999.99")),
        *bad("complementary_refunds", "member_not_in_members_yearly", member_id="orphan"),
        *bad("complementary_refunds", "refund_id_duplicate", sessions=1),
        *bad("complementary_refunds", "refund_id_duplicate", sessions=2),
        *bad("complementary_refunds", "exact_duplicate_row", n=2),
    ],
}
ROW_RULE_EXTRACT = with_members(ROW_RULE_ROWS)

# every rule of every table, in the order they are checked (macro rejection_rules)
MEMBER_RULES = ["member_id_missing", "member_id_looks_like_niss"]
RULES: dict[str, list[str]] = {
    "members_yearly": [
        *MEMBER_RULES,
        "year_out_of_range",
        "birth_year_out_of_range",
        "age_out_of_range",
        "sex_invalid",
        "nis_municipality_unknown",
        "vt_missing",
        "affiliated_days_out_of_range",
        "status_value_missing",
        "negative_status_days",
        "status_days_out_of_range",
        "duplicate_member_year",
        "exact_duplicate_row",
    ],
    "affiliation_periods": [
        *MEMBER_RULES,
        "start_date_missing",
        "start_date_too_early",
        "start_after_extraction",
        "end_before_start",
        "member_not_in_members_yearly",
        "exact_duplicate_row",
        "overlapping_spell",
    ],
    "claims": [
        "claim_id_missing",
        "claim_id_looks_like_niss",
        *MEMBER_RULES,
        "provider_id_looks_like_niss",
        "service_date_missing",
        "service_date_too_early",
        "booking_date_missing",
        "booking_before_service",
        "booked_after_extraction",
        "nomenclature_code_unknown",
        "network_id_unknown",
        "quantity_invalid",
        "quantity_out_of_range",
        "amount_missing",
        "amount_insurance_out_of_range",
        "amount_patient_out_of_range",
        "member_not_in_members_yearly",
        "claim_id_duplicate",
        "exact_duplicate_row",
        "unmatched_correction",
        "correction_exceeds_original",
    ],
    "pharmacy_dispensings": [
        "dispensing_id_missing",
        "dispensing_id_looks_like_niss",
        *MEMBER_RULES,
        "dispensing_date_missing",
        "dispensing_date_too_early",
        "dispensing_after_extraction",
        "booking_date_missing",
        "booking_before_dispensing",
        "booked_after_extraction",
        "atc_code_invalid",
        "ddd_invalid",
        "ddd_not_finite",
        "ddd_out_of_range",
        "pharmacy_type_invalid",
        "amount_missing",
        "amount_out_of_range",
        "member_not_in_members_yearly",
        "dispensing_id_duplicate",
        "exact_duplicate_row",
        "unmatched_correction",
        "correction_exceeds_original",
    ],
    "complementary_refunds": [
        "refund_id_missing",
        "refund_id_looks_like_niss",
        *MEMBER_RULES,
        "service_date_missing",
        "service_date_too_early",
        "service_after_extraction",
        "booking_date_missing",
        "booking_before_service",
        "booked_after_extraction",
        "benefit_code_missing",
        "refund_sessions_not_positive",
        "refund_sessions_out_of_range",
        "amount_missing",
        "amount_out_of_range",
        "member_not_in_members_yearly",
        "refund_id_duplicate",
        "exact_duplicate_row",
    ],
}

# rows expected in quarantine per (table, rule): one per rule, two where the rule rejects both
# rows of a pair (conflicting duplicates, overlapping spells, the two unmatched corrections)
EXPECTED_REJECTED: dict[tuple[str, str], int] = {
    **{(table, rule): 1 for table, rules in RULES.items() for rule in rules},
    ("members_yearly", "duplicate_member_year"): 2,
    ("affiliation_periods", "overlapping_spell"): 2,
    ("claims", "claim_id_duplicate"): 2,
    ("claims", "unmatched_correction"): 2,
    ("claims", "correction_exceeds_original"): 2,
    ("pharmacy_dispensings", "correction_exceeds_original"): 2,
    ("pharmacy_dispensings", "dispensing_id_duplicate"): 2,
    ("complementary_refunds", "refund_id_duplicate"): 2,
}


@pytest.fixture(scope="module")
def row_rules_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("row-rules")
    return build_quarantining_every_rule(base, ROW_RULE_EXTRACT, FULL_BUILD)


def test_every_rule_is_exercised_in_order(row_rules_db: Path) -> None:
    for table, rules in RULES.items():
        listed = query(
            row_rules_db,
            "select rule from marts.mart_data_quality"
            f" where source = '{table}' and rule_kind = 'rejection' order by rule_order",
        )
        assert [r for (r,) in listed] == rules


@pytest.mark.parametrize(("table", "rule"), sorted(EXPECTED_REJECTED))
def test_row_rule_quarantines_and_counts(row_rules_db: Path, table: str, rule: str) -> None:
    expected = EXPECTED_REJECTED[(table, rule)]
    in_quarantine = query(
        row_rules_db,
        f"select count(*) from staging.quarantine_{table} where rejection_rule = '{rule}'",
    )
    assert in_quarantine == [(expected,)]
    counted = query(
        row_rules_db,
        "select rows_rejected from marts.mart_data_quality"
        f" where source = '{table}' and rule = '{rule}'",
    )
    assert counted == [(expected,)]


def test_mart_lists_every_rule_and_totals(row_rules_db: Path) -> None:
    got = query(
        row_rules_db,
        "select source, rule, rows_read, rows_rejected, rule_kind, status"
        " from marts.mart_data_quality order by rule_order",
    )
    per_rule = {(s, r): n for s, r, _, n, kind, _ in got if kind == "rejection"}
    assert per_rule == EXPECTED_REJECTED
    totals = {s: (read, n, status) for s, r, read, n, _, status in got if r == "all_rules"}
    rejected: Counter[str] = Counter()
    for (table, _), n in EXPECTED_REJECTED.items():
        rejected[table] += n
    for table, rows in ROW_RULE_EXTRACT.items():
        assert totals[table] == (len(rows), rejected[table], "pass")  # threshold 1.0 here


def test_duplicates_keep_one_exact_copy(row_rules_db: Path) -> None:
    assert query(
        row_rules_db,
        "select count(*) from staging.stg_members_yearly where member_id = 'exact_duplicate_row'",
    ) == [(1,)]
    assert query(
        row_rules_db,
        "select count(*) from staging.stg_members_yearly where member_id = 'duplicate_member_year'",
    ) == [(0,)]
    assert query(
        row_rules_db, "select claim_id from intermediate.int_claims_netted order by claim_id"
    ) == [
        ("C0001",),
        ("exact_duplicate_row",),
        ("late-positive",),
    ]


def test_niss_like_member_id_never_copied_to_quarantine(row_rules_db: Path) -> None:
    for table in CONTRACT_SCHEMAS:
        assert query(
            row_rules_db,
            f"select member_id from staging.quarantine_{table}"
            " where rejection_rule = 'member_id_looks_like_niss'",
        ) == [(None,)]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("claims", "claim_id"),
        ("claims", "provider_id"),
        ("pharmacy_dispensings", "dispensing_id"),
        ("complementary_refunds", "refund_id"),
    ],
)
def test_niss_like_identifier_never_copied_to_quarantine(
    row_rules_db: Path, table: str, column: str
) -> None:
    assert query(
        row_rules_db,
        f"select {column} from staging.quarantine_{table}"
        f" where rejection_rule = '{column}_looks_like_niss'",
    ) == [(None,)]


# --- plausibility, orphans, over-cancelling corrections, NISS in any identifier: variants -----

# (table, identifying value, expected rule or None for a row that must stay valid, fields).
# The identifying value is the row's own id (member_id for members_yearly and
# affiliation_periods); rows meant as valid controls sit at the edge of a bound.
VARIANTS: list[tuple[str, str, str | None, dict[str, Any]]] = [
    # amount per claim line: insurance and patient share, per unit of quantity and care type
    (
        "claims",
        "amt-elp-10bn",
        "amount_insurance_out_of_range",
        {"nomenclature_code": ELP_SESSION, "amount_insurance_eur": eur("9999999999.99")},
    ),
    (
        "claims",
        "amt-elp-neg-10bn",
        "amount_insurance_out_of_range",
        {"nomenclature_code": ELP_SESSION, "amount_insurance_eur": eur("-9999999999.99")},
    ),
    (
        "claims",
        "amt-elp-400.01",
        "amount_insurance_out_of_range",
        {"nomenclature_code": ELP_SESSION, "amount_insurance_eur": eur("400.01")},
    ),
    (
        "claims",
        "amt-elp-group-400",
        None,
        {"nomenclature_code": ELP_GROUP, "amount_insurance_eur": eur("400.00")},
    ),
    (
        "claims",
        "amt-elp-share-25.01",
        "amount_patient_out_of_range",
        {"nomenclature_code": ELP_SESSION, "amount_patient_eur": eur("25.01")},
    ),
    (
        "claims",
        "amt-acute-1day-2000.01",
        "amount_insurance_out_of_range",
        {"nomenclature_code": ACUTE, "amount_insurance_eur": eur("2000.01")},
    ),
    (
        "claims",
        "amt-acute-90days",
        None,
        {
            "nomenclature_code": ACUTE,
            "quantity": 90,
            "amount_insurance_eur": eur("28800.00"),
            "amount_patient_eur": eur("1620.00"),
        },
    ),
    (
        "claims",
        "amt-rehab-366days",
        None,
        {
            "nomenclature_code": REHAB,
            "quantity": 366,
            "amount_insurance_eur": eur("51240.00"),
            "amount_patient_eur": eur("0.00"),
        },
    ),
    (
        "claims",
        "amt-other-10000.01",
        "amount_insurance_out_of_range",
        {"amount_insurance_eur": eur("10000.01")},
    ),
    (
        "claims",
        "amt-psy-share-100.01",
        "amount_patient_out_of_range",
        {"nomenclature_code": PSYCHIATRIST, "amount_patient_eur": eur("100.01")},
    ),
    # quantity per claim line
    (
        "claims",
        "qty-elp-30000",
        "quantity_out_of_range",
        {"nomenclature_code": ELP_SESSION, "quantity": 30000},
    ),
    (
        "claims",
        "qty-elp-21",
        "quantity_out_of_range",
        {"nomenclature_code": ELP_SESSION, "quantity": 21},
    ),
    (
        "claims",
        "qty-elp-20",
        None,
        {"nomenclature_code": ELP_SESSION, "quantity": 20, "amount_insurance_eur": eur("1500.00")},
    ),
    (
        "claims",
        "qty-psy-32",
        "quantity_out_of_range",
        {"nomenclature_code": PSYCHIATRIST, "quantity": 32},
    ),
    (
        "claims",
        "qty-acute-367",
        "quantity_out_of_range",
        {"nomenclature_code": ACUTE, "quantity": 367},
    ),
    ("claims", "qty-other-neg-30000", "quantity_out_of_range", {"quantity": -30000}),
    # dates: not before 1 January of first_year (2010) minus 24 months of look-back
    ("claims", "date-1825", "service_date_too_early", {"service_date": date(1825, 1, 1)}),
    ("claims", "date-year-1", "service_date_too_early", {"service_date": date(1, 1, 1)}),
    ("claims", "date-2007-12-31", "service_date_too_early", {"service_date": date(2007, 12, 31)}),
    (
        "claims",
        "date-2008-01-01",
        None,
        {"service_date": date(2008, 1, 1), "booking_date": date(2008, 1, 20)},
    ),
    (
        "pharmacy_dispensings",
        "date-1900",
        "dispensing_date_too_early",
        {"dispensing_date": date(1900, 1, 1)},
    ),
    (
        "complementary_refunds",
        "date-1700",
        "service_date_too_early",
        {"service_date": date(1700, 1, 1)},
    ),
    (
        "affiliation_periods",
        "start-1066",
        "start_date_too_early",
        {"start_date": date(1066, 10, 14)},
    ),
    (
        "affiliation_periods",
        "start-1889-12-31",
        "start_date_too_early",
        {"start_date": date(1889, 12, 31), "end_date": date(1950, 1, 1)},
    ),
    (
        "affiliation_periods",
        "start-1890-01-01",
        None,
        {"start_date": date(1890, 1, 1), "end_date": date(1950, 1, 1)},
    ),
    # day counts against the days of that year, and age
    (
        "members_yearly",
        "days-366-in-2023",
        "affiliated_days_out_of_range",
        {"affiliated_days": 366},
    ),
    ("members_yearly", "days-366-in-2024", None, {"year": 2024, "affiliated_days": 366}),
    (
        "members_yearly",
        "unemployment-366-in-2023",
        "status_days_out_of_range",
        {"unemployment_days": 366},
    ),
    ("members_yearly", "invalidity-30000", "status_days_out_of_range", {"invalidity_days": 30000}),
    (
        "members_yearly",
        "incapacity-366-in-2024",
        None,
        {"year": 2024, "affiliated_days": 366, "primary_incapacity_days": 366},
    ),
    ("members_yearly", "age-123", "age_out_of_range", {"birth_year": 1900}),
    ("members_yearly", "age-120-in-2010", "age_out_of_range", {"year": 2010, "birth_year": 1890}),
    ("members_yearly", "age-115", None, {"birth_year": 1908}),
    # DDD: finite, bounded
    ("pharmacy_dispensings", "ddd-nan", "ddd_not_finite", {"ddd": float("nan")}),
    ("pharmacy_dispensings", "ddd-inf", "ddd_not_finite", {"ddd": float("inf")}),
    ("pharmacy_dispensings", "ddd-minus-inf", "ddd_not_finite", {"ddd": float("-inf")}),
    ("pharmacy_dispensings", "ddd-1e12", "ddd_out_of_range", {"ddd": 1e12}),
    ("pharmacy_dispensings", "ddd-minus-1e12", "ddd_out_of_range", {"ddd": -1e12}),
    ("pharmacy_dispensings", "ddd-3660", None, {"ddd": 3660.0}),
    (
        "pharmacy_dispensings",
        "amt-10000.01",
        "amount_out_of_range",
        {"amount_insurance_eur": eur("10000.01")},
    ),
    # refunds
    ("complementary_refunds", "sessions-53", "refund_sessions_out_of_range", {"sessions": 53}),
    ("complementary_refunds", "sessions-52", None, {"sessions": 52, "amount_eur": eur("520.00")}),
    ("complementary_refunds", "amt-250.01", "amount_out_of_range", {"amount_eur": eur("250.01")}),
    # orphans: no member-year at all, or only quarantined ones
    ("claims", "orphan-claim", "member_not_in_members_yearly", {"member_id": "ghost"}),
    (
        "pharmacy_dispensings",
        "orphan-dispensing",
        "member_not_in_members_yearly",
        {"member_id": "ghost"},
    ),
    (
        "complementary_refunds",
        "orphan-refund",
        "member_not_in_members_yearly",
        {"member_id": "ghost"},
    ),
    ("affiliation_periods", "ghost", "member_not_in_members_yearly", {}),
    ("members_yearly", "rejected-only", "sex_invalid", {"sex": "X"}),
    (
        "claims",
        "orphan-rejected-member",
        "member_not_in_members_yearly",
        {"member_id": "rejected-only"},
    ),
    # NISS in every identifier column; the quarantine view never shows it
    ("claims", NISS_PLAIN, "claim_id_looks_like_niss", {}),
    ("claims", "niss-provider-dotted", "provider_id_looks_like_niss", {"provider_id": NISS_DOTTED}),
    ("claims", "niss-provider-spaced", "provider_id_looks_like_niss", {"provider_id": NISS_SPACED}),
    (
        "claims",
        "niss-provider-and-no-member",
        "member_id_missing",
        {"member_id": None, "provider_id": NISS_PLAIN},
    ),
    ("pharmacy_dispensings", NISS_DOTTED, "dispensing_id_looks_like_niss", {}),
    ("complementary_refunds", NISS_SPACED, "refund_id_looks_like_niss", {}),
    ("claims", "provider-12-digits", None, {"provider_id": "850730033612"}),
]
# over-cancelling correction groups (every line of the group is quarantined) and a control
OVER_CANCELLING: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("claims", "over-a-plus1", "correction_exceeds_original", {"member_id": "over-a"}),
    (
        "claims",
        "over-a-minus2",
        "correction_exceeds_original",
        {"member_id": "over-a", "quantity": -2, "booking_date": date(2023, 3, 20)},
    ),
    ("claims", "over-b-plus1", "correction_exceeds_original", {"member_id": "over-b"}),
    (
        "claims",
        "over-b-minus1",
        "correction_exceeds_original",
        {"member_id": "over-b", "quantity": -1, "booking_date": date(2023, 3, 20)},
    ),
    (
        "claims",
        "over-b-minus1-again",
        "correction_exceeds_original",
        {"member_id": "over-b", "quantity": -1, "booking_date": date(2023, 3, 21)},
    ),
    ("claims", "exact-plus1", None, {"member_id": "exact"}),
    (
        "claims",
        "exact-minus1",
        None,
        {"member_id": "exact", "quantity": -1, "booking_date": date(2023, 3, 20)},
    ),
    (
        "pharmacy_dispensings",
        "over-c-plus10",
        "correction_exceeds_original",
        {"member_id": "over-c", "ddd": 10.0},
    ),
    (
        "pharmacy_dispensings",
        "over-c-minus30",
        "correction_exceeds_original",
        {"member_id": "over-c", "ddd": -30.0},
    ),
    ("pharmacy_dispensings", "float-plus", None, {"member_id": "float", "ddd": 0.3}),
    ("pharmacy_dispensings", "float-minus1", None, {"member_id": "float", "ddd": -0.1}),
    ("pharmacy_dispensings", "float-minus2", None, {"member_id": "float", "ddd": -0.2}),
]
ALL_VARIANTS = VARIANTS + OVER_CANCELLING
OWN_ID = {
    "members_yearly": "member_id",
    "affiliation_periods": "member_id",
    "claims": "claim_id",
    "pharmacy_dispensings": "dispensing_id",
    "complementary_refunds": "refund_id",
}


NISS_VALUES = (NISS_DOTTED, NISS_PLAIN, NISS_SPACED)


def query_with(db_path: Path, sql: str, parameters: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of a parameterised query on the DuckDB file `db_path`, opened read-only."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, parameters).fetchall()
    finally:
        con.close()


def variants_extract() -> dict[str, list[dict[str, Any]]]:
    extract: dict[str, list[dict[str, Any]]] = {table: [] for table in CONTRACT_SCHEMAS}
    for table, value, _, fields in ALL_VARIANTS:
        extract[table].append(row(table, **{OWN_ID[table]: value, **fields}))
    return with_members(extract, orphans={"ghost", "rejected-only"})


@pytest.fixture(scope="module")
def variants_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("rule-variants")
    return build_quarantining_every_rule(base, variants_extract(), FULL_BUILD)


@pytest.mark.parametrize(
    ("table", "value", "rule", "fields"), ALL_VARIANTS, ids=[v[1].strip() for v in ALL_VARIANTS]
)
def test_variant_gets_its_rule(
    variants_db: Path, table: str, value: str, rule: str | None, fields: dict[str, Any]
) -> None:
    """Each variant breaks exactly its rule and is in its quarantine view, its own identifier
    shown unless it looks like a NISS; a control at the edge of a bound stays valid."""
    own_id = OWN_ID[table]
    got = query_with(
        variants_db,
        f"select rejection_rule from staging.base_{table} where {own_id} = ?",
        [value],
    )
    assert got == [(rule,)]
    if rule is not None:
        shown = None if value in NISS_VALUES else value
        in_view = query_with(
            variants_db,
            f"select {own_id} from staging.quarantine_{table} where rejection_rule = ?",
            [rule],
        )
        assert (shown,) in in_view


def test_variants_are_counted_per_rule(variants_db: Path) -> None:
    expected = Counter((table, rule) for table, _, rule, _ in ALL_VARIANTS if rule is not None)
    got = query(
        variants_db,
        "select source, rule, rows_rejected from marts.mart_data_quality"
        " where rule_kind = 'rejection' and rows_rejected > 0",
    )
    assert {(source, rule): n for source, rule, n in got} == expected
    # the exact cancellations stay ordinary cancellations: 1 - 1, and 0.3 - 0.1 - 0.2 in DDD
    assert query(
        variants_db,
        "select source, rows_rejected from marts.mart_data_quality"
        " where rule = 'corrections_cancelled' order by source",
    ) == [("claims", 2), ("pharmacy_dispensings", 3)]


def test_quarantine_views_never_show_a_niss(variants_db: Path) -> None:
    for table in CONTRACT_SCHEMAS:
        columns = [c for c in CONTRACT_SCHEMAS[table].names if c.endswith("_id")]
        for column in columns:
            shown = query_with(
                variants_db,
                f"select count(*) from staging.quarantine_{table} where {column} in (?, ?, ?)",
                list(NISS_VALUES),
            )
            assert shown == [(0,)], (table, column)
    # and they are there, redacted: the variants holding one in a non-member identifier
    assert query(
        variants_db,
        "select count(*) from staging.quarantine_claims where provider_id is null",
    ) == [(3,)]


def test_nan_among_ordinary_ddd_is_caught(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """Parquet statistics leave NaN out of a file's min and max: with every other DDD ordinary,
    a numeric test of the column is folded to false from the statistics, and the NaN line
    once reached the marts. Both signs of NaN are caught."""
    extract = valid_extract()
    extract["pharmacy_dispensings"] += [
        row("pharmacy_dispensings", dispensing_id="nan", ddd=float("nan")),
        row("pharmacy_dispensings", dispensing_id="minus-nan", ddd=-float("nan")),
    ]
    write_extract(raw_dir, extract)
    proc = run_dbt(
        ["build", "--select", "+base_pharmacy_dispensings", "--indirect-selection", "cautious"],
        raw_dir,
        reused_warehouse_dir,
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    assert query(
        database_path(reused_warehouse_dir),
        "select dispensing_id, rejection_rule from staging.base_pharmacy_dispensings"
        " order by dispensing_id",
    ) == [("D0001", None), ("minus-nan", "ddd_not_finite"), ("nan", "ddd_not_finite")]


# --- extraction_date: parsed strictly before any SQL is built ----------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2025-02-30",
        "2023-02-29",
        "2025-13-01",
        "2025-06-23' or 1=1 --",
        "2025-06-23') or ('1'='1",
        " 2025-06-23",
        "2025-06-23 ",
        "20250623",
        "2025-6-23",
        "23/06/2025",
        "\uff12\uff10\uff12\uff15-06-23",
        "",
    ],
)
def test_bad_extraction_date_is_refused_naming_the_var(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, value: str
) -> None:
    """A crafted or malformed extraction_date never reaches the SQL: the parse stops with an
    error naming the var (once it switched rule booked_after_extraction off)."""
    proc = run_dbt(
        ["parse"],
        raw_dir,
        reused_warehouse_dir,
        vars={"extraction_date": value},
        target_dir=dbt_target_dir,
    )
    text = output(proc)
    assert proc.returncode != 0
    # macro strict_date_var, the one check of every date var (rules, freshness, cohorts)
    assert f"var extraction_date must be a calendar date written YYYY-MM-DD, got '{value}'" in text


@pytest.mark.parametrize("value", ["2024-02-29", "2025-06-23"])
def test_valid_extraction_date_reaches_the_rules(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, value: str
) -> None:
    """A real date is accepted and bounds booked_after_extraction: a line booked the day
    after it is quarantined, one booked on it is not."""
    day_after = date.fromisoformat(value) + timedelta(days=1)
    extract = valid_extract()
    extract["claims"] = [
        row(
            "claims",
            claim_id="on",
            service_date=date(2023, 3, 1),
            booking_date=date.fromisoformat(value),
        ),
        row("claims", claim_id="after", service_date=date(2023, 3, 1), booking_date=day_after),
    ]
    write_extract(raw_dir, extract)
    proc = run_dbt(
        ["build", "--select", "+base_claims", "--indirect-selection", "cautious"],
        raw_dir,
        reused_warehouse_dir,
        vars={"extraction_date": value},
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    assert query(
        database_path(reused_warehouse_dir),
        "select claim_id, rejection_rule from staging.base_claims order by claim_id",
    ) == [("after", "booked_after_extraction"), ("on", None)]


# --- the rejected-share gate ---------------------------------------------------------------


def gate_extract() -> dict[str, list[dict[str, Any]]]:
    """10 refunds, one with zero sessions: complementary_refunds rejected share = 0.1."""
    extract = valid_extract()
    extract["complementary_refunds"] = [
        row(
            "complementary_refunds",
            refund_id=f"R{i:04d}",
            sessions=0 if i == 9 else 1,
            amount_eur=eur("10.00"),
        )
        for i in range(10)
    ]
    return extract


def test_rejected_share_above_threshold_fails_the_build(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, gate_extract())
    proc = run_dbt(
        FULL_BUILD,
        raw_dir,
        reused_warehouse_dir,
        vars={"max_rejected_share": 0.05},
        target_dir=dbt_target_dir,
    )
    text = output(proc)
    assert proc.returncode != 0
    assert "Rejected share of raw table complementary_refunds is 0.1 (1 of 10 rows)" in text
    # both the mart's test and the gate on stg_complementary_refunds fail; the quality
    # report itself is built
    assert "rejected_share_within_threshold_stg_complementary_refunds" in text
    db = database_path(reused_warehouse_dir)
    assert query(
        db,
        "select status from marts.mart_data_quality"
        " where source = 'complementary_refunds' and rule = 'all_rules'",
    ) == [("fail",)]


def test_rejected_share_below_threshold_passes(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, gate_extract())
    proc = run_dbt(
        FULL_BUILD,
        raw_dir,
        reused_warehouse_dir,
        vars={"max_rejected_share": 0.2},
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    assert query(
        database_path(reused_warehouse_dir),
        "select status, rows_rejected, threshold from marts.mart_data_quality"
        " where source = 'complementary_refunds' and rule = 'all_rules'",
    ) == [("pass", 1, 0.2)]
