"""`elp nightly`: the night's freshness gate, incremental build, publish and run log in one
command (docs/operations.md), and `elp runs`, which prints the run log."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from elp_warehouse import seed_tests
from warehouse import BIN, ROOT, generate, rows

EXTRACTION = "2025-06-23"
FRESH_ON = "2025-06-24"  # a day after the extract's last booking: freshness passes
STALE_ON = "2026-01-01"  # months later: freshness errors (var freshness_error_after_days)


def elp(args: list[str], raw: Path, wh: Path) -> subprocess.CompletedProcess[str]:
    # its own dbt target: the night records its seed tests from its own run_results.json
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


def seed_test_count(wh: Path) -> int:
    return len(seed_tests.seed_only_tests(manifest(wh)))


def passed_counts(builds: list[dict[str, object]]) -> list[int]:
    return [int(str(r["tests_passed"])) for r in builds]


def test_night_builds_publishes_and_prints_its_run_log(raw: Path, tmp_path: Path) -> None:
    """A fresh extract: freshness passes, the build runs without the unit tests, the snapshot
    is published, and the night's two run-log rows are printed; --unit-tests adds them, and
    --every-row sets the whole-table check's var."""
    wh = tmp_path / "wh"
    proc = nightly(raw, wh, FRESH_ON)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    log = run_log(wh)
    assert [(r["command"], r["status"]) for r in log] == [
        ("freshness", "success"),
        ("build", "success"),
    ]
    assert log[0]["freshness_status"] == "pass"
    assert json.loads(str(log[1]["vars"]))["extraction_date"] == EXTRACTION
    assert (wh / "published.duckdb").exists()
    printed = proc.stdout.splitlines()[-2:]
    assert "command=freshness  status=success" in printed[0]
    assert "command=build  status=success" in printed[1]

    # the seeds' own data tests passed: recorded with what they depend on
    assert log[1]["selected"] is None
    record = json.loads((wh / seed_tests.STATE_FILE).read_text())
    assert record["fingerprint"] == seed_tests.fingerprint(ROOT)
    assert record["tests"] == seed_test_count(wh) > 100

    # the next night leaves them out, and still counts as a build of the whole project
    again = nightly(raw, wh, FRESH_ON, "--unit-tests", "--every-row")
    assert again.returncode == 0, again.stdout[-4000:]
    assert f"leaving out the {seed_test_count(wh)} seed-only data tests" in again.stdout
    builds = [r for r in run_log(wh) if r["command"] == "build"]
    assert len(builds) == 2
    assert builds[1]["selected"] == f"--selector {seed_tests.SELECTOR}"
    assert "test_every_row" not in json.loads(str(builds[0]["vars"]))
    assert json.loads(str(builds[1]["vars"]))["test_every_row"] is True
    passed = passed_counts(builds)
    assert passed[1] - passed[0] == unit_test_count(wh) - seed_test_count(wh)
    assert unit_test_count(wh) > 0

    # --seed-tests runs them anyway
    forced = nightly(raw, wh, FRESH_ON, "--seed-tests", "--no-publish")
    assert forced.returncode == 0, forced.stdout[-4000:]
    builds = [r for r in run_log(wh) if r["command"] == "build"]
    assert builds[2]["selected"] is None
    assert passed_counts(builds)[2] == passed[0]


def test_seed_tests_run_again_when_what_they_read_changed(raw: Path, tmp_path: Path) -> None:
    """A record whose fingerprint is not the project's (a seed, a macro or dbt changed since
    the seeds' tests passed) makes the night run them, and record the new fingerprint."""
    wh = tmp_path / "wh"
    assert nightly(raw, wh, FRESH_ON, "--no-publish").returncode == 0
    state = wh / seed_tests.STATE_FILE
    record = json.loads(state.read_text())
    state.write_text(json.dumps({**record, "fingerprint": "0" * 64}))

    proc = nightly(raw, wh, FRESH_ON, "--no-publish")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "leaving out" not in proc.stdout
    builds = [r for r in run_log(wh) if r["command"] == "build"]
    assert [r["selected"] for r in builds] == [None, None]
    assert passed_counts(builds)[1] == passed_counts(builds)[0]
    renewed = json.loads(state.read_text())
    assert renewed["fingerprint"] == seed_tests.fingerprint(ROOT)
    assert renewed["invocation_id"] != record["invocation_id"]


def test_stale_extract_stops_the_night_before_building(raw: Path, tmp_path: Path) -> None:
    """A stale extract fails freshness: nothing is built or published, the command exits
    non-zero, says so, and the run log holds the failed freshness row alone."""
    wh = tmp_path / "wh"
    proc = nightly(raw, wh, STALE_ON)
    assert proc.returncode != 0
    assert "nothing was built" in proc.stderr
    log = run_log(wh)
    assert [(r["command"], r["status"], r["freshness_status"]) for r in log] == [
        ("freshness", "failed", "error")
    ]
    with duckdb.connect(str(wh / "elp.duckdb"), read_only=True) as con:
        built = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchone()
    assert built == (0,)
    assert not (wh / "published.duckdb").exists()
    assert "command=freshness  status=failed" in proc.stdout


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
