"""Replace the published files atomically, one publisher at a time.

Atomicity: the snapshot is written to a temporary file in the warehouse folder, checked, then
moved over `published.duckdb` with `os.replace` (atomic on one file system). The Parquet copy
is written to a new version folder and the `published` symlink is swapped atomically. A failed
or killed publish leaves the previous snapshot untouched; its leftovers are removed by the next
publish. Readers holding the old file open keep reading the old version (same inode on Linux).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from elp_warehouse import paths

SNAPSHOT_NAME = "published.duckdb"
PARQUET_LINK = "published"
PARQUET_VERSIONS = ".published-versions"
LOCK_NAME = ".published.lock"
RUN_LOCK_NAME = ".elp-run.lock"
TMP_PREFIX = ".published.tmp-"
KEEP_PARQUET_VERSIONS = 2


@contextlib.contextmanager
def publish_lock(warehouse_dir: Path) -> Iterator[None]:
    """One publisher at a time per warehouse folder (readers never take this lock)."""
    with open(warehouse_dir / LOCK_NAME, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseBusyError(RuntimeError):
    """Another elp build or nightly holds the warehouse folder."""


@contextlib.contextmanager
def run_lock(warehouse_dir: Path) -> Iterator[None]:
    """One `elp build` / `elp nightly` at a time per warehouse folder: a second one is refused
    at once rather than failing on DuckDB's file lock halfway through its dbt runs. The lock
    dies with its process, so a killed run leaves none behind."""
    with open(warehouse_dir / RUN_LOCK_NAME, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusyError(
                f"another elp build or nightly is running on the warehouse {warehouse_dir}"
                f" (lock {RUN_LOCK_NAME}); try again when it has ended"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(warehouse_dir: Path) -> None:
    """Temporary files of publishes that were killed (we hold the lock: none is running)."""
    for leftover in warehouse_dir.glob(TMP_PREFIX + "*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def swap(warehouse_dir: Path, tmp_db: Path, tmp_parquet: Path, snapshot_id: str) -> None:
    """Parquet version folder + symlink swap, then the DuckDB file: each step atomic."""
    versions = warehouse_dir / PARQUET_VERSIONS
    versions.mkdir(exist_ok=True)
    version_dir = versions / snapshot_id
    os.replace(tmp_parquet, version_dir)
    link = warehouse_dir / PARQUET_LINK
    if link.exists() and not link.is_symlink():
        # a plain folder from elsewhere: move it aside once (cannot be replaced atomically)
        os.replace(link, versions / f"legacy-{snapshot_id}")
    tmp_link = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.link"
    tmp_link.symlink_to(Path(PARQUET_VERSIONS) / snapshot_id, target_is_directory=True)
    os.replace(tmp_link, link)
    os.replace(tmp_db, warehouse_dir / SNAPSHOT_NAME)
    _fsync_dir(warehouse_dir)
    # keep the newest versions: a reader that resolved the old link just before the swap can
    # still open its files
    old = sorted(p for p in versions.iterdir() if p.is_dir())
    current = version_dir.resolve()
    for stale in old[:-KEEP_PARQUET_VERSIONS]:
        if stale.resolve() != current:
            shutil.rmtree(stale, ignore_errors=True)


def snapshot_path(warehouse_dir: Path | None = None) -> Path:
    return (warehouse_dir or paths.warehouse_dir()) / SNAPSHOT_NAME
