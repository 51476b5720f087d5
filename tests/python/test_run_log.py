"""Run log (`ops.run_log`, `ops.run_log_sources`) and extract freshness on hand-written extracts.

Every count in the log is checked against an independent record: dbt's own `run_results.json`
of the same invocation, the rows written into the extract, or the dates chosen here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from conftest import (
    DBT_EXECUTABLE,
    REPO_ROOT,
    database_path,
    dbt_env,
    output,
    query,
    row,
    run_dbt,
    write_extract,
    write_table,
)

# The quality gate and everything it reads: base_ models, quarantine, mart_data_quality, tests.
BUILD = ["build", "--select", "+marts.quality", "+staging", "--indirect-selection", "cautious"]
# A hand-written extract has few rows, so one bad row is a large share: let the gate tolerate it.
TOLERANT = {"max_rejected_share": 0.5}

RUN_LOG_COLUMNS = (
    "invocation_id, command, selected, status, message, started_at, ended_at, duration_s, "
    "extract_hash, extract_files, extract_rows, rows_read, rows_quarantined, models_built, "
    "models_errored, models_skipped, seeds_loaded, tests_passed, tests_warned, tests_failed, "
    "tests_errored, tests_skipped, freshness_status, latest_booking_at, freshness_age_days"
)


def run_log(warehouse_dir: Path) -> list[dict[str, Any]]:
    names = [name.strip() for name in RUN_LOG_COLUMNS.split(",")]
    rows = query(
        database_path(warehouse_dir),
        f"select {RUN_LOG_COLUMNS} from ops.run_log order by started_at",
    )
    return [dict(zip(names, r, strict=True)) for r in rows]


def run_log_sources(warehouse_dir: Path, invocation_id: str) -> dict[str, dict[str, Any]]:
    names = [
        "source",
        "file_count",
        "parquet_rows",
        "source_hash",
        "rows_read",
        "rows_quarantined",
        "freshness_status",
        "latest_loaded_at",
        "freshness_age_days",
    ]
    rows = query(
        database_path(warehouse_dir),
        f"select {', '.join(names)} from ops.run_log_sources "
        f"where invocation_id = '{invocation_id}'",
    )
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows}


def run_results(target_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((target_dir / "run_results.json").read_text())
    return results


def expected_counts(results: dict[str, Any]) -> dict[str, int]:
    """The run log's counts, computed from dbt's run_results.json."""
    counts = dict.fromkeys(
        [
            "models_built",
            "models_errored",
            "models_skipped",
            "seeds_loaded",
            "tests_passed",
            "tests_warned",
            "tests_failed",
            "tests_errored",
            "tests_skipped",
        ],
        0,
    )
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        status = result["status"]
        if kind in ("model", "seed"):
            if status == "success":
                key = "models_built" if kind == "model" else "seeds_loaded"
            elif status == "skipped":
                key = "models_skipped"
            else:
                key = "models_errored"
        elif kind in ("test", "unit_test"):
            key = {
                "pass": "tests_passed",
                "warn": "tests_warned",
                "fail": "tests_failed",
                "skipped": "tests_skipped",
            }.get(status, "tests_errored")
        else:
            continue
        counts[key] += 1
    return counts


def members(count: int) -> list[dict[str, Any]]:
    return [row("members_yearly", member_id=f"M{i:04d}") for i in range(count)]


def claims(count: int, latest_booking: date = date(2023, 3, 15)) -> list[dict[str, Any]]:
    return [
        row(
            "claims",
            claim_id=f"C{i:04d}",
            member_id=f"M{i:04d}",
            service_date=latest_booking - timedelta(days=20),
            booking_date=latest_booking - timedelta(days=i),
        )
        for i in range(count)
    ]


def booked_lines(latest: dict[str, date]) -> dict[str, list[dict[str, Any]]]:
    """Three lines of each event table, the newest booked on `latest[table]`."""
    lines: dict[str, list[dict[str, Any]]] = {"claims": claims(3, latest_booking=latest["claims"])}
    for table, id_column, dated in [
        ("pharmacy_dispensings", "dispensing_id", "dispensing_date"),
        ("complementary_refunds", "refund_id", "service_date"),
    ]:
        lines[table] = [
            row(
                table,
                **{
                    id_column: f"{table[0].upper()}{i:04d}",
                    "member_id": f"M{i:04d}",
                    dated: latest[table] - timedelta(days=20),
                    "booking_date": latest[table] - timedelta(days=i),
                },
            )
            for i in range(3)
        ]
    return lines


EVENT_TABLES = ("claims", "complementary_refunds", "pharmacy_dispensings")


def test_build_logs_one_row_per_run_success_then_failed_compile_none(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    bad_claim = row("claims", claim_id="C9999", booking_date=date(2023, 2, 1))  # before service
    write_extract(
        raw_dir,
        {
            "members_yearly": members(6),
            "claims": [*claims(3), bad_claim],
            "pharmacy_dispensings": [row("pharmacy_dispensings")],
        },
    )
    proc = run_dbt(BUILD, raw_dir, reused_warehouse_dir, TOLERANT, dbt_target_dir)
    assert proc.returncode == 0, output(proc)[-4000:]

    logged = run_log(reused_warehouse_dir)
    assert len(logged) == 1
    entry = logged[0]
    results = run_results(dbt_target_dir)
    assert entry["invocation_id"] == results["metadata"]["invocation_id"]
    assert entry["command"] == "build"
    assert entry["selected"] == "--select +marts.quality +staging"
    assert entry["status"] == "success"
    assert entry["message"] is None
    assert entry["ended_at"] >= entry["started_at"]
    assert entry["duration_s"] > 0
    # the counts are dbt's own, and the build did run models and tests
    expected = expected_counts(results)
    assert {key: entry[key] for key in expected} == expected
    assert expected["models_built"] >= 16 and expected["tests_passed"] >= 20
    assert expected["models_errored"] == expected["tests_failed"] == 0
    # every raw table read: 5 files, their rows from the Parquet footers
    assert entry["extract_files"] == 5
    assert entry["extract_rows"] == 6 + 4 + 1
    assert entry["rows_read"] == 6 + 4 + 1
    assert entry["rows_quarantined"] == 1
    assert entry["freshness_status"] is None  # this run did not build extract_freshness
    per_source = run_log_sources(reused_warehouse_dir, entry["invocation_id"])
    assert {s: (v["rows_read"], v["rows_quarantined"]) for s, v in per_source.items()} == {
        "members_yearly": (6, 0),
        "affiliation_periods": (0, 0),
        "claims": (4, 1),
        "pharmacy_dispensings": (1, 0),
        "complementary_refunds": (0, 0),
    }
    assert {s: v["parquet_rows"] for s, v in per_source.items()} == {
        "members_yearly": 6,
        "affiliation_periods": 0,
        "claims": 4,
        "pharmacy_dispensings": 1,
        "complementary_refunds": 0,
    }

    # compile and docs generate run dbt's on-run-start hooks but never on-run-end: they add no
    # row, so none is left 'running' for the next run to mark failed (checked below: the
    # failing build's row is the second)
    for command in (["compile"], ["docs", "generate"]):
        proc = run_dbt(command, raw_dir, reused_warehouse_dir, TOLERANT, dbt_target_dir)
        assert proc.returncode == 0, output(proc)[-4000:]
        assert run_log(reused_warehouse_dir) == [entry], command

    # the same extract under the default gate (1 %): 1 of 4 claims rejected fails
    # rejected_share_within_threshold; the failed run appends its own row, and the build
    # (which replaces every dbt table) leaves the log's earlier rows alone
    failed = run_dbt(BUILD, raw_dir, reused_warehouse_dir, None, dbt_target_dir)
    assert failed.returncode != 0
    assert "Rejected share of raw table claims" in output(failed)
    logged = run_log(reused_warehouse_dir)
    assert len(logged) == 2, "a second run appends a row"
    assert logged[0] == entry, "earlier rows are kept unchanged"
    failed_entry = logged[1]
    results = run_results(dbt_target_dir)
    assert failed_entry["invocation_id"] == results["metadata"]["invocation_id"]
    assert failed_entry["invocation_id"] != entry["invocation_id"]
    assert failed_entry["status"] == "failed"
    assert "rejected_share_within_threshold" in failed_entry["message"]
    expected = expected_counts(results)
    assert {key: failed_entry[key] for key in expected} == expected
    assert failed_entry["tests_failed"] + failed_entry["tests_errored"] >= 1
    # the quality mart is still built, so the rejected rows are counted
    assert (failed_entry["rows_read"], failed_entry["rows_quarantined"]) == (6 + 4 + 1, 1)
    assert failed_entry["extract_hash"] == entry["extract_hash"]


def test_refused_extract_logs_a_failed_row(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, {"members_yearly": [row("members_yearly", member_id="85073100123")]})
    proc = run_dbt(BUILD, raw_dir, reused_warehouse_dir, None, dbt_target_dir)
    assert proc.returncode != 0
    assert "national register" in output(proc)
    logged = run_log(reused_warehouse_dir)
    assert len(logged) == 1
    assert logged[0]["status"] == "failed"
    assert "Raw extract refused" in logged[0]["message"]
    assert "85073100123" not in logged[0]["message"]
    assert logged[0]["models_built"] is None  # no node ran


def _hash_of_run(raw_dir: Path, warehouse_dir: Path, target_dir: Path) -> tuple[str, dict]:
    # the raw tables' own tests read every raw table and nothing else: a cheap run
    proc = run_dbt(["test", "--select", "source:raw"], raw_dir, warehouse_dir, None, target_dir)
    assert proc.returncode == 0, output(proc)[-4000:]
    entry = run_log(warehouse_dir)[-1]
    assert entry["status"] == "success"
    sources = run_log_sources(warehouse_dir, entry["invocation_id"])
    return entry["extract_hash"], {s: v["source_hash"] for s, v in sources.items()}


def test_extract_hash_changes_with_the_extract_only(
    tmp_path: Path, raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    write_extract(raw_dir, {"members_yearly": members(4), "claims": claims(4)})
    first, first_tables = _hash_of_run(raw_dir, reused_warehouse_dir, dbt_target_dir)
    assert first and len(first_tables) == 5 and all(first_tables.values())

    # same files, touched (new mtime): same identity
    later = datetime.now().timestamp() + 3600
    for parquet in raw_dir.rglob("*.parquet"):
        os.utime(parquet, (later, later))
    touched, _ = _hash_of_run(raw_dir, reused_warehouse_dir, dbt_target_dir)
    assert touched == first

    # the same extract copied to another folder: same identity
    copy = tmp_path / "copy" / "raw"
    shutil.copytree(raw_dir, copy)
    copied, _ = _hash_of_run(copy, reused_warehouse_dir, dbt_target_dir)
    assert copied == first

    # one value changed in one claim (same row count, same schema): new identity, and only the
    # claims table's hash moved
    edited = claims(4)
    edited[2]["amount_insurance_eur"] = edited[2]["amount_insurance_eur"] * 3
    write_table(raw_dir / "claims" / "part-0.parquet", "claims", edited)
    changed, changed_tables = _hash_of_run(raw_dir, reused_warehouse_dir, dbt_target_dir)
    assert changed != first
    assert {t for t in first_tables if first_tables[t] != changed_tables[t]} == {"claims"}

    # a second file added to a table: new identity again
    write_table(raw_dir / "claims" / "part-1.parquet", "claims", [row("claims", claim_id="X1")])
    added, _ = _hash_of_run(raw_dir, reused_warehouse_dir, dbt_target_dir)
    assert added not in (first, changed)
    assert len(run_log(reused_warehouse_dir)) == 5


FRESHNESS_RUN_DATE = date(2026, 6, 23)


def source_freshness(
    raw_dir: Path, warehouse_dir: Path, target_dir: Path, **dbt_vars: Any
) -> dict[str, str]:
    """Model extract_freshness and its tests against FRESHNESS_RUN_DATE (and `dbt_vars`): each
    raw table's status, read from the model; asserts the exit code matches (1 when any table
    errors: the error test fails)."""
    proc = run_dbt(
        ["build", "--select", "extract_freshness"],
        raw_dir,
        warehouse_dir,
        {"run_date": FRESHNESS_RUN_DATE.isoformat(), **dbt_vars},
        target_dir,
    )
    found = query(
        database_path(warehouse_dir), "select source, freshness_status from ops.extract_freshness"
    )
    statuses = {str(source): str(status) for source, status in found}
    assert proc.returncode == (1 if "error" in statuses.values() else 0), output(proc)[-3000:]
    return statuses


def test_extract_freshness_ok_warn_error_against_run_date(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    run_date = FRESHNESS_RUN_DATE
    for days, status in {10: "pass", 40: "warn", 100: "error"}.items():
        latest = run_date - timedelta(days=days)
        write_extract(raw_dir, booked_lines(dict.fromkeys(EVENT_TABLES, latest)))
        statuses = source_freshness(raw_dir, reused_warehouse_dir, dbt_target_dir)
        assert statuses == dict.fromkeys(EVENT_TABLES, status)
        entry = run_log(reused_warehouse_dir)[-1]
        assert entry["command"] == "build"
        assert entry["freshness_status"] == status
        assert entry["latest_booking_at"] == datetime(latest.year, latest.month, latest.day)
        assert entry["freshness_age_days"] == days
        assert entry["status"] == ("failed" if status == "error" else "success")
        claims_row = run_log_sources(reused_warehouse_dir, entry["invocation_id"])["claims"]
        assert (claims_row["freshness_status"], claims_row["freshness_age_days"]) == (status, days)
    assert len(run_log(reused_warehouse_dir)) == 3

    # thresholds are vars: 10 days old warns at warn_after 7
    write_extract(raw_dir, booked_lines(dict.fromkeys(EVENT_TABLES, run_date - timedelta(days=10))))
    statuses = source_freshness(
        raw_dir, reused_warehouse_dir, dbt_target_dir, freshness_warn_after_days=7
    )
    assert statuses == dict.fromkeys(EVENT_TABLES, "warn")
    assert run_log(reused_warehouse_dir)[-1]["freshness_status"] == "warn"


def test_a_stale_dispensing_feed_fails_freshness_alone(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """Claims and refunds booked yesterday, but no dispensing booked for 100 days (the pharmacy
    feed stopped): freshness fails on that table alone, and the run's row says so."""
    run_date = FRESHNESS_RUN_DATE
    latest = {
        "claims": run_date - timedelta(days=1),
        "complementary_refunds": run_date - timedelta(days=1),
        "pharmacy_dispensings": run_date - timedelta(days=100),
    }
    write_extract(raw_dir, booked_lines(latest))
    assert source_freshness(raw_dir, reused_warehouse_dir, dbt_target_dir) == {
        "claims": "pass",
        "complementary_refunds": "pass",
        "pharmacy_dispensings": "error",
    }
    entry = run_log(reused_warehouse_dir)[-1]
    assert (entry["status"], entry["freshness_status"]) == ("failed", "error")
    assert entry["freshness_age_days"] == 100
    sources = run_log_sources(reused_warehouse_dir, entry["invocation_id"])
    assert sources["pharmacy_dispensings"]["freshness_status"] == "error"
    assert sources["claims"]["freshness_status"] == "pass"


def test_an_event_table_without_rows_is_stale_and_a_crafted_date_is_refused(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """A table delivered with no booking at all has no freshness to pass: error. A run date
    that is not a plain date (here one crafted to end the SQL literal) stops the gate before
    any SQL runs, naming the variable."""
    run_date = FRESHNESS_RUN_DATE
    lines = booked_lines(dict.fromkeys(EVENT_TABLES, run_date - timedelta(days=1)))
    write_extract(raw_dir, {**lines, "complementary_refunds": []})
    assert source_freshness(raw_dir, reused_warehouse_dir, dbt_target_dir) == {
        "claims": "pass",
        "complementary_refunds": "error",
        "pharmacy_dispensings": "pass",
    }
    for crafted in ("2026-06-23' as date) or true --", "23/06/2026", " "):
        proc = run_dbt(
            ["build", "--select", "extract_freshness"],
            raw_dir,
            reused_warehouse_dir,
            {"run_date": crafted, "extraction_date": crafted},
            dbt_target_dir,
        )
        assert proc.returncode != 0
        assert "must be a calendar date written YYYY-MM-DD" in output(proc)


def test_a_date_written_unquoted_in_vars_is_logged_as_its_text(
    raw_dir: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """YAML reads `--vars '{run_date: 2026-06-23}'` as a date, which JSON cannot hold: the run
    still starts, and its row keeps the date as written."""
    write_extract(raw_dir, booked_lines(dict.fromkeys(EVENT_TABLES, date(2026, 6, 13))))
    proc = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "build",
            "--select",
            "extract_freshness",
            "--vars",
            "{run_date: 2026-06-23, freshness_warn_after_days: 30}",
        ],
        cwd=REPO_ROOT,
        env=dbt_env(raw_dir, reused_warehouse_dir, dbt_target_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, output(proc)[-3000:]
    [entry] = run_log(reused_warehouse_dir)
    assert (entry["status"], entry["freshness_age_days"]) == ("success", 10)
    [(logged_vars,)] = query(database_path(reused_warehouse_dir), "select vars from ops.run_log")
    assert json.loads(logged_vars) == {
        "extraction_date": "2025-06-23",
        "run_date": "2026-06-23",
        "freshness_warn_after_days": 30,
    }
