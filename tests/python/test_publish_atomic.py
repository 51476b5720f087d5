"""The snapshot is replaced atomically: readers polling it while a build runs never fail and
never see a half-built snapshot; a killed build or a killed publish leaves the previous
snapshot intact; a reader holding the old file open keeps a consistent view."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.publish import PAUSE_ENV, TMP_PREFIX

# a quick rebuild: one mart (dbt still holds the working database for the whole run)
SELECT = ["--select", "mart_elp_users_yearly"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def read_snapshot(path: Path) -> dict[str, Any]:
    """What a BI tool does: open read-only, read every mart, close. Checks consistency: the
    marts' row counts equal those the snapshot's own metadata recorded."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        snapshot_id = con.execute("select snapshot_version from meta.snapshot").fetchall()[0][0]
        recorded = dict(con.execute("select mart, row_count from meta.published_marts").fetchall())
        for mart, n in recorded.items():
            got = con.execute(f"select count(*) from marts.{mart}").fetchall()[0][0]
            assert got == n, f"{mart}: {got} rows, snapshot says {n}"
            ids = con.execute(
                "select count(*) from meta.published_marts where snapshot_version = ?",
                [snapshot_id],
            ).fetchall()[0][0]
            assert ids == len(recorded)
        return {"snapshot_id": snapshot_id, "marts": recorded}
    finally:
        con.close()


def _snapshot_id(built: Built) -> str:
    return str(read_snapshot(built.snapshot)["snapshot_id"])


def _kill(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


READER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from test_publish_atomic import read_snapshot
snapshot, stop = Path(sys.argv[1]), Path(sys.argv[2])
while not stop.exists():
    try:
        print(json.dumps({"id": read_snapshot(snapshot)["snapshot_id"]}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": repr(exc)}), flush=True)
    time.sleep(0.05)  # leave the 2 cores to the build
"""


def test_readers_in_a_loop_during_a_build(built: Built, tmp_path: Path) -> None:
    """Two reader processes (as two BI users) poll the snapshot during a whole build."""
    before = _snapshot_id(built)
    stop = tmp_path / "stop"
    here = str(Path(__file__).parent)
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(built.snapshot), str(stop), here],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        proc = built.elp("build", *SELECT)
        time.sleep(1.0)  # a few reads of the new snapshot
    finally:
        stop.touch()
        outputs = [r.communicate(timeout=60)[0] for r in readers]
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    after = _snapshot_id(built)
    assert after != before, "the build did not publish a new snapshot"
    for out in outputs:
        reads = [json.loads(line) for line in out.splitlines() if line.strip()]
        errors = [r["error"] for r in reads if "error" in r]
        assert errors == [], errors[:5]
        seen = [r["id"] for r in reads]
        assert len(seen) > 20, f"only {len(seen)} reads during the build"
        assert set(seen) <= {before, after}
        assert seen[-1] == after
        # once a reader saw the new snapshot it never sees the old one again
        assert before not in seen[seen.index(after) :]
    assert not list(built.warehouse_dir.glob(TMP_PREFIX + "*"))


def test_a_killed_build_leaves_the_snapshot_intact(built: Built) -> None:
    before = read_snapshot(built.snapshot)
    proc = built.popen("build", *SELECT)
    # wait until dbt is really building (it holds the working database), then kill it
    log = built.target_dir / "logs" / "dbt.log"
    start = log.stat().st_size if log.exists() else 0

    def building() -> bool:
        return log.exists() and "START sql" in log.read_text(errors="replace")[start:]

    _wait_for(building, 120, "dbt to start running models")
    _kill(proc)
    assert read_snapshot(built.snapshot) == before
    parquet = built.warehouse_dir / "published" / "mart_elp_users_yearly.parquet"
    con = duckdb.connect()
    assert (
        con.execute(f"select count(*) from '{parquet}'").fetchall()[0][0]
        == (before["marts"]["mart_elp_users_yearly"])
    )
    con.close()


def test_a_failed_build_does_not_publish(built: Built) -> None:
    before = _snapshot_id(built)
    # a missing raw extract: the preflight fails the build
    proc = built.elp(
        "build", "--raw-dir", str(built.base / "no-such-extract"), "--select", "+" + SELECT[1]
    )
    assert proc.returncode != 0
    assert _snapshot_id(built) == before


def test_a_publish_killed_before_the_swap_changes_nothing(built: Built) -> None:
    before = read_snapshot(built.snapshot)
    proc = built.popen("publish", extra_env={PAUSE_ENV: "60"})
    try:
        assert proc.stdout is not None
        # the new snapshot is complete, written next to the old one, not yet swapped in
        for line in proc.stdout:
            if "pausing" in line:
                break
        else:
            raise AssertionError("publish ended without pausing")
        assert any(built.warehouse_dir.glob(TMP_PREFIX + "*.duckdb"))
    finally:
        _kill(proc)
    assert read_snapshot(built.snapshot) == before
    assert any(built.warehouse_dir.glob(TMP_PREFIX + "*"))  # leftovers of the killed run
    again = built.elp("publish")
    assert again.returncode == 0, again.stdout + again.stderr
    assert not list(built.warehouse_dir.glob(TMP_PREFIX + "*"))  # cleaned by the next run
    assert _snapshot_id(built) != before["snapshot_id"]


def test_an_open_reader_keeps_its_snapshot_across_a_swap(built: Built) -> None:
    con = duckdb.connect(str(built.snapshot), read_only=True)
    try:
        old_id = con.execute("select snapshot_version from meta.snapshot").fetchall()[0][0]
        old_rows = con.execute("select * from marts.mart_elp_users_yearly order by year").fetchall()
        proc = built.elp("publish")  # never blocked by the open reader
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # the open connection still reads the complete old version
        assert con.execute("select snapshot_version from meta.snapshot").fetchall()[0][0] == old_id
        assert (
            con.execute("select * from marts.mart_elp_users_yearly order by year").fetchall()
            == old_rows
        )
    finally:
        con.close()
    assert _snapshot_id(built) != old_id  # a new connection sees the new snapshot
