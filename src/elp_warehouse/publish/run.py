"""One publish: resolve its settings, write the snapshot under the lock, swap it in."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

from elp_warehouse import paths
from elp_warehouse.publish.atomic import (
    PARQUET_LINK,
    SNAPSHOT_NAME,
    TMP_PREFIX,
    publish_lock,
    remove_leftovers,
    swap,
)
from elp_warehouse.publish.declarations import (
    default_declarations_path,
    default_manifest_path,
    load_declarations,
)
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.snapshot import IMA_MIN_CELL_SIZE, write_snapshot

# Test hook (fault injection): seconds to sleep after the new snapshot is written and before
# it replaces the old one, so a test can kill a publish at its most delicate moment.
PAUSE_ENV = "ELP_PUBLISH_PAUSE_BEFORE_SWAP"


@dataclass
class PublishResult:
    snapshot: Path
    parquet_dir: Path
    snapshot_id: str
    marts: dict[str, int]
    suppressed_rows: dict[str, int]
    warnings: list[str]

    def summary(self) -> str:
        lines = [f"Published snapshot {self.snapshot_id}: {self.snapshot}"]
        for mart, n in self.marts.items():
            lines.append(f"  {mart:<40} {n:>8} rows, {self.suppressed_rows[mart]:>6} suppressed")
        lines.append(f"Parquet copy: {self.parquet_dir}/<mart>.parquet")
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s), printed above")
        return "\n".join(lines)


# A min_cell_size below the IMA's 5 is refused unless this variable is 1 (or the CLI's
# --unsafe-allow-small-cells is given); such a snapshot says so in meta.snapshot.
UNSAFE_SMALL_CELLS_ENV = "ELP_UNSAFE_ALLOW_SMALL_CELLS"


def small_cells_allowed(flag: bool = False) -> bool:
    """True when the unsafe flag or ELP_UNSAFE_ALLOW_SMALL_CELLS=1 allows min_cell_size < 5."""
    return flag or os.environ.get(UNSAFE_SMALL_CELLS_ENV, "").strip() == "1"


def check_min_cell_size(value: object, allow_small: bool = False) -> int:
    """`value` as a number of persons, refused when it is not a whole number, or below the
    IMA's 5 without the unsafe flag (below 1 always)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PublishError(
            f"min_cell_size must be a whole number of persons, got {value!r}"
            f" ({type(value).__name__})"
        )
    if value < 1:
        raise PublishError(f"min_cell_size must be at least 1, got {value}")
    if value < IMA_MIN_CELL_SIZE and not allow_small:
        raise PublishError(
            f"min_cell_size {value} is below {IMA_MIN_CELL_SIZE}, the IMA's small-cell rule:"
            f" refused (set {UNSAFE_SMALL_CELLS_ENV}=1 or --unsafe-allow-small-cells to"
            " publish smaller cells on purpose)"
        )
    return value


def resolve_min_cell_size(dbt_vars: str | None = None) -> object:
    """var min_cell_size: dbt_project.yml, overridden by the build's --vars (YAML); unchecked
    (check_min_cell_size)."""
    project = yaml.safe_load((paths.PROJECT_ROOT / "dbt_project.yml").read_text())
    value = (project.get("vars") or {}).get("min_cell_size")
    if dbt_vars:
        override = yaml.safe_load(dbt_vars) or {}
        if isinstance(override, dict) and "min_cell_size" in override:
            return override["min_cell_size"]  # a null given is refused, not replaced
    if value is None:
        raise PublishError("var min_cell_size is not set in dbt_project.yml")
    return value


def publish(
    warehouse_dir: Path | None = None,
    *,
    min_cell_size: int | None = None,
    dbt_vars: str | None = None,
    manifest_path: Path | None = None,
    declarations_path: Path | None = None,
    working_db: Path | None = None,
    allow_small_cells: bool = False,
) -> PublishResult:
    """Write a new suppressed snapshot and swap it in atomically; return what was published."""
    warehouse_dir = (warehouse_dir or paths.warehouse_dir()).resolve()
    working_db = (working_db or warehouse_dir / "elp.duckdb").resolve()
    manifest_path = manifest_path or default_manifest_path()
    declarations_path = declarations_path or default_declarations_path()
    unsafe = small_cells_allowed(allow_small_cells)
    k = check_min_cell_size(
        min_cell_size if min_cell_size is not None else resolve_min_cell_size(dbt_vars), unsafe
    )
    if k < IMA_MIN_CELL_SIZE:
        print(
            f"publish: WARNING: min_cell_size {k} is below the IMA's {IMA_MIN_CELL_SIZE},"
            " allowed by the unsafe flag; the snapshot is stamped unsafe_small_cells",
            file=sys.stderr,
        )
    if not working_db.exists():
        raise PublishError(f"no working database at {working_db}: build first")
    if not manifest_path.exists():
        raise PublishError(f"no dbt manifest at {manifest_path}: run dbt build (or parse) first")
    manifest = json.loads(manifest_path.read_text())
    decls = load_declarations(declarations_path, manifest)

    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with publish_lock(warehouse_dir):
        remove_leftovers(warehouse_dir)
        snapshot_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        tmp_db = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.duckdb"
        tmp_parquet = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.parquet"
        try:
            result = write_snapshot(
                tmp_db, tmp_parquet, working_db, manifest, decls, k, snapshot_id
            )
            pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
            if pause > 0:
                print(f"publish: pausing {pause}s before the swap ({PAUSE_ENV})", flush=True)
                time.sleep(pause)
            swap(warehouse_dir, tmp_db, tmp_parquet, snapshot_id)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                remove_leftovers(warehouse_dir)
            if isinstance(exc, OSError | duckdb.IOException):  # a full disk, a permission
                raise PublishError(f"cannot write the snapshot in {warehouse_dir}: {exc}") from exc
            raise
    marts, suppressed, warnings = result
    return PublishResult(
        snapshot=warehouse_dir / SNAPSHOT_NAME,
        parquet_dir=warehouse_dir / PARQUET_LINK,
        snapshot_id=snapshot_id,
        marts=marts,
        suppressed_rows=suppressed,
        warnings=warnings,
    )
