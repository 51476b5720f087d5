"""`elp nightly`: the night's freshness gate, full build, publish and run log in one command
(docs/operations.md), and `elp runs`, which prints the run log."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse import BIN, ROOT, generate, rows

EXTRACTION = "2025-06-23"
FRESH_ON = "2025-06-24"  # a day after the extract's last booking: freshness passes
STALE_ON = "2026-01-01"  # months later: freshness errors (var freshness_error_after_days)


def elp(args: list[str], raw: Path, wh: Path) -> subprocess.CompletedProcess[str]:
    # its own dbt target, so that tests can read the night's manifest
    env = dict(
        os.environ,
        ELP_RAW_DIR=str(raw),
        ELP_WAREHOUSE_DIR=str(wh),
        DBT_TARGET_PATH=str(wh / "target"),
        DBT_LOG_PATH=str(wh / "target" / "logs"),
    )
    env.pop("DBT_EXCLUDE_RESOURCE_TYPES", None)
    cmd = [str(BIN / "elp"), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def nightly(raw: Path, wh: Path, run_date: str, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["nightly", "--extraction-date", EXTRACTION, "--run-date", run_date, *extra]
    return elp(args, raw, wh)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nightly") / "raw"
    generate(folder, 0.005, 31)
    return folder


def run_log(wh: Path) -> list[dict[str, object]]:
    return rows(wh / "elp.duckdb", "select * from ops.run_log order by started_at")


def manifest(wh: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((wh / "target" / "manifest.json").read_text())
    return loaded


def unit_test_count(wh: Path) -> int:
    return len(manifest(wh)["unit_tests"])


def passed_counts(builds: list[dict[str, object]]) -> list[int]:
    return [int(str(r["tests_passed"])) for r in builds]


GATE = "--select extract_freshness"


def test_night_builds_publishes_and_prints_its_run_log(raw: Path, tmp_path: Path) -> None:
    """A fresh extract: the freshness gate passes, the whole project is built without the unit
    tests, the snapshot is published, and the night's two run-log rows are printed;
    --unit-tests adds the unit tests."""
    wh = tmp_path / "wh"
    proc = nightly(raw, wh, FRESH_ON)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    log = run_log(wh)
    assert [(r["command"], r["selected"], r["status"]) for r in log] == [
        ("build", GATE, "success"),
        ("build", None, "success"),
    ]
    assert [r["freshness_status"] for r in log] == ["pass", "pass"]
    assert log[0]["freshness_age_days"] == 1.0
    assert json.loads(str(log[1]["vars"]))["extraction_date"] == EXTRACTION
    assert (wh / "published.duckdb").exists()
    printed = proc.stdout.splitlines()[-2:]
    assert "command=build  status=success" in printed[0]
    assert "freshness_status=pass" in printed[0]
    assert "command=build  status=success" in printed[1]

    again = nightly(raw, wh, FRESH_ON, "--unit-tests", "--no-publish")
    assert again.returncode == 0, again.stdout[-4000:]
    builds = [r for r in run_log(wh) if r["selected"] is None]
    assert len(builds) == 2
    passed = passed_counts(builds)
    assert passed[1] - passed[0] == unit_test_count(wh) > 0


def test_stale_extract_stops_the_night_before_building(raw: Path, tmp_path: Path) -> None:
    """A stale extract fails the freshness gate: nothing else is built or published, the
    command exits non-zero, says so, and the run log holds the failed gate row alone."""
    wh = tmp_path / "wh"
    proc = nightly(raw, wh, STALE_ON)
    assert proc.returncode != 0
    assert "nothing else was built" in proc.stderr
    log = run_log(wh)
    assert [(r["command"], r["selected"], r["status"], r["freshness_status"]) for r in log] == [
        ("build", GATE, "failed", "error")
    ]
    assert "extract_freshness_not_stale" in str(log[0]["message"])
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        built = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchone()
    assert built == (0,)
    assert not (wh / "published.duckdb").exists()
    assert "command=build  status=failed" in proc.stdout


def test_runs_prints_the_latest_rows_or_says_there_are_none(raw: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    none_yet = elp(["runs"], raw, wh)
    assert none_yet.returncode == 1
    assert "no warehouse" in none_yet.stderr
    assert nightly(raw, wh, STALE_ON).returncode != 0
    assert nightly(raw, wh, STALE_ON).returncode != 0

    def printed_runs(*args: str) -> int:
        proc = elp(["runs", *args], raw, wh)
        assert proc.returncode == 0
        return len([line for line in proc.stdout.splitlines() if "command=" in line])

    assert printed_runs("--last", "1") == 1
    assert printed_runs() == 2


def test_night_measures_freshness_against_today_unless_told() -> None:
    """The night's run date: --run-date when given, else today; an ELP_RUN_DATE left in the
    environment is not used silently."""
    from datetime import date

    from elp_warehouse.cli import nightly_env

    env = nightly_env({"ELP_RUN_DATE": "2001-01-01"}, "2025-06-23", None)
    assert env["ELP_RUN_DATE"] == date.today().isoformat()
    assert env["ELP_EXTRACTION_DATE"] == "2025-06-23"
    assert nightly_env({}, "2025-06-23", "2025-06-24")["ELP_RUN_DATE"] == "2025-06-24"
    with pytest.raises(ValueError):
        nightly_env({}, "2025-06-23", "2025-06-24' or true")
