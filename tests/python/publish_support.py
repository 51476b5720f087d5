"""One built and published warehouse shared by the BI tests (publish, SQLAlchemy, report).

The build runs once per test session, whichever test module asks first: a small synthetic
extract, `elp build` (dbt build + publish), in its own folders.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
SCALE = 0.005
SEED = 20250623


@dataclass(frozen=True)
class Built:
    base: Path
    raw_dir: Path
    warehouse_dir: Path
    target_dir: Path

    @property
    def working_db(self) -> Path:
        return self.warehouse_dir / "elp.duckdb"

    @property
    def snapshot(self) -> Path:
        return self.warehouse_dir / "published.duckdb"

    @property
    def manifest(self) -> Path:
        return self.target_dir / "manifest.json"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DBT_PROFILES_DIR=str(ROOT),
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
            ELP_RAW_DIR=str(self.raw_dir),
            ELP_WAREHOUSE_DIR=str(self.warehouse_dir),
            DBT_TARGET_PATH=str(self.target_dir),
            DBT_LOG_PATH=str(self.target_dir / "logs"),
        )
        return env

    def elp(self, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "elp"), *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            **kw,  # type: ignore[arg-type]
        )

    def popen(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        env = self.env()
        env.update(extra_env or {})
        return subprocess.Popen(
            [str(BIN / "elp"), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


_BUILT: dict[str, Built] = {}


def built_warehouse(factory: pytest.TempPathFactory) -> Built:
    """The session's built + published warehouse (built on first use)."""
    reuse = os.environ.get("ELP_TEST_REUSE_BI_WAREHOUSE")  # developers: skip the build
    if reuse and "main" not in _BUILT:
        base = Path(reuse)
        _BUILT["main"] = Built(base, base / "raw", base / "warehouse", base / "target")
    if "main" not in _BUILT:
        base = factory.mktemp("bi-warehouse")
        built = Built(base, base / "raw", base / "warehouse", base / "target")
        built.warehouse_dir.mkdir()
        gen = subprocess.run(
            [
                str(BIN / "elp"),
                "generate",
                "--scale",
                str(SCALE),
                "--seed",
                str(SEED),
                "--out",
                str(built.raw_dir),
                "--no-progress",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert gen.returncode == 0, gen.stdout[-3000:] + gen.stderr[-3000:]
        proc = built.elp("build")
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
        assert built.snapshot.exists(), proc.stdout[-3000:]
        _BUILT["main"] = built
    return _BUILT["main"]
