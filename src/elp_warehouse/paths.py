"""Where the project keeps things; every path can be moved with an environment variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def raw_dir() -> Path:
    """The raw extract folder (`ELP_RAW_DIR`, default data/raw), as the contract names it."""
    return Path(os.environ.get("ELP_RAW_DIR", PROJECT_ROOT / "data" / "raw")).resolve()


def warehouse_dir() -> Path:
    """The folder holding the working database (`ELP_WAREHOUSE_DIR`, default warehouse/)."""
    return Path(os.environ.get("ELP_WAREHOUSE_DIR", PROJECT_ROOT / "warehouse")).resolve()


def target_dir(environ: Mapping[str, str] | None = None) -> Path:
    """dbt's artifacts folder for a dbt run in `environ` (default this process's environment):
    `DBT_TARGET_PATH`, relative to the project root, default target/."""
    target = Path((os.environ if environ is None else environ).get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else PROJECT_ROOT / target


def database_path() -> Path:
    return warehouse_dir() / "elp.duckdb"


def dbt_executable() -> Path:
    """dbt from the same environment as this package, so the pinned version is used."""
    import sys

    return Path(sys.executable).parent / "dbt"
