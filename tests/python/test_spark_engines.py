"""The same extract built on Spark and on DuckDB publishes the same marts (`make test-spark`).

A small generated extract (scale ELP_SPARK_SCALE, default 0.005; its truth tables beside it)
is built twice: with the project's DuckDB build (`elp build`, which publishes) and on a local
Spark session (`python -m elp_warehouse.spark_engine build`, then `publish` from the Spark
build's Parquet export). Every published mart and the labels must be equal: identical keys
and labels, numbers within 1e-9 relative (elp_warehouse.compare). Everything lives under
data/spark-test/ (git-ignored), kept after the run for inspection.

Run by `make test-spark` (which installs Java and the Spark environment first); the module
skips in the plain suite, where ELP_SPARK_TESTS is unset, so that `make test` does not build
the project on Spark a second time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from elp_warehouse import spark_engine
from elp_warehouse.compare import table_names

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "data" / "spark-test"
SEED = 20250623

pytestmark = pytest.mark.skipif(
    os.environ.get("ELP_SPARK_TESTS") != "1",
    reason="Spark against DuckDB runs in `make test-spark` (ELP_SPARK_TESTS=1)",
)


@dataclass(frozen=True)
class Builds:
    duckdb_dir: Path
    spark_dir: Path

    @property
    def duckdb_snapshot(self) -> Path:
        return self.duckdb_dir / "published.duckdb"

    @property
    def spark_snapshot(self) -> Path:
        return self.spark_dir / "published.duckdb"


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    # the Spark driver logs in JSON lines to stderr: only dbt's lines say what failed
    dbt_lines = [line for line in proc.stdout.splitlines() if not line.startswith('{"ts"')]
    assert proc.returncode == 0, f"{what} failed:\n" + "\n".join(dbt_lines[-60:])


@pytest.fixture(scope="module")
def builds() -> Builds:
    scale = os.environ.get("ELP_SPARK_SCALE", "0.005")
    work = WORK / f"scale-{scale}"
    if work.exists():
        shutil.rmtree(work)
    raw, truth = work / "raw", work / "truth"
    duckdb_dir, spark_dir = work / "duckdb", work / "spark"
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        ELP_RAW_DIR=str(raw),
    )
    generate = [str(BIN / "elp"), "generate", "--no-progress", "--scale", scale]
    _run([*generate, "--seed", str(SEED), "--out", str(raw), "--truth-dir", str(truth)], env, "gen")
    duckdb_env = {
        **env,
        "ELP_WAREHOUSE_DIR": str(duckdb_dir),
        "DBT_TARGET_PATH": str(work / "target-duckdb"),
    }
    _run([str(BIN / "elp"), "build"], duckdb_env, "DuckDB build and publish")
    spark_env = {
        **env,
        "ELP_WAREHOUSE_DIR": str(spark_dir),
        "DBT_TARGET_PATH": str(work / "target-spark"),
    }
    module = [sys.executable, "-m", "elp_warehouse.spark_engine"]
    _run([*module, "build"], spark_env, "Spark build")
    _run([*module, "publish"], spark_env, "publish from Spark")
    return Builds(duckdb_dir, spark_dir)


def test_spark_publishes_every_mart_duckdb_publishes(builds: Builds) -> None:
    duckdb_marts = table_names(builds.duckdb_snapshot, ["marts"])
    assert len(duckdb_marts) >= 10, duckdb_marts
    assert table_names(builds.spark_snapshot, ["marts"]) == duckdb_marts
    with duckdb.connect(str(builds.spark_snapshot), read_only=True) as con:
        for name in duckdb_marts:
            n = con.execute(f"select count(*) from {name}").fetchall()[0][0]
            assert n > 0, f"{name} is empty on Spark"


def test_every_published_mart_equal_between_engines(builds: Builds) -> None:
    assert spark_engine.compare_snapshots(builds.duckdb_snapshot, builds.spark_snapshot) == []


def test_published_parquet_layout_is_the_same(builds: Builds) -> None:
    duckdb_files = sorted(p.name for p in (builds.duckdb_dir / "published").iterdir())
    spark_files = sorted(p.name for p in (builds.spark_dir / "published").iterdir())
    assert spark_files == duckdb_files
    assert "mart_elp_users_yearly.parquet" in spark_files


def _changed_copy(snapshot: Path, tmp_path: Path, sql: str) -> Path:
    copy = tmp_path / "changed.duckdb"
    shutil.copyfile(snapshot, copy)
    with duckdb.connect(str(copy)) as con:
        changed = con.execute(sql).fetchall()
    assert changed[0][0] == 1, "the test must change exactly one value"
    return copy


def test_comparison_fails_when_one_number_differs(builds: Builds, tmp_path: Path) -> None:
    # one rate moved by 1e-6 relative, far above the tolerance: exactly that mart differs
    copy = _changed_copy(
        builds.spark_snapshot,
        tmp_path,
        "update marts.mart_elp_users_yearly set usage_rate = usage_rate * (1 + 1e-6)"
        " where year = (select max(year) from marts.mart_elp_users_yearly"
        " where usage_rate > 0)",
    )
    found = spark_engine.compare_snapshots(builds.duckdb_snapshot, copy)
    assert len(found) == 1 and found[0].startswith("marts.mart_elp_users_yearly"), found


def test_comparison_fails_when_one_label_differs(builds: Builds, tmp_path: Path) -> None:
    copy = _changed_copy(
        builds.spark_snapshot,
        tmp_path,
        "update reference.labels set label_en = label_en || ' (changed)'"
        " where dimension = 'sex' and category = 'female'",
    )
    found = spark_engine.compare_snapshots(builds.duckdb_snapshot, copy)
    assert len(found) == 1 and found[0].startswith("reference.labels"), found


def test_comparison_passes_within_the_tolerance(builds: Builds, tmp_path: Path) -> None:
    # a last-bits difference (the order of a parallel sum) is not a difference
    copy = _changed_copy(
        builds.spark_snapshot,
        tmp_path,
        "update marts.mart_elp_users_yearly set usage_rate = usage_rate * (1 + 1e-13)"
        " where year = (select max(year) from marts.mart_elp_users_yearly"
        " where usage_rate > 0)",
    )
    assert spark_engine.compare_snapshots(builds.duckdb_snapshot, copy) == []
