"""The seeds' own data tests, run again only when what they read has changed.

The data tests that read seeds only (116 today: code lists, IMA population, supply figures)
check data that changes with the code, never with the night's extract. In a nightly `dbt
build` they come first: dbt schedules by depth in the graph, so every one of them runs before
the first base model starts, on dbt's single-threaded Python (2-4 s of a one-month increment
at national scale, docs/benchmark.md, session 14).

A build whose seed-only tests all passed records a fingerprint of everything those tests
depend on (`seed_tests.json` in the warehouse folder): the files under `seeds/` (the CSVs and
their properties, tests included), `macros/` (the project's generic tests and its
`get_where_subquery`), `dbt_project.yml` (seed column types, test configs), and the versions
of dbt-core, dbt-duckdb and DuckDB. A nightly run whose fingerprint matches leaves those tests
out with the selector `nightly_seeds_unchanged` (selectors.yml): the same tests over the same
data passed before. Any change to one of these inputs runs them again, and records again once
they pass. The models' tests, those that compare a model with a seed included, always run.
The seeds' property files hold no Jinja, so no var or environment variable reaches those
tests (tests/python/test_seed_tests.py checks it): one that did would belong in the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

# selectors.yml; macros/tests/get_where_subquery.sql counts a build run with it as a build of
# the whole project
SELECTOR = "nightly_seeds_unchanged"
STATE_FILE = "seed_tests.json"
# what the seed-only tests read or are compiled with, relative to the project root
FINGERPRINTED = ("seeds", "macros", "dbt_project.yml")
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def fingerprint(root: Path) -> str:
    """SHA-256 over the paths and contents of FINGERPRINTED under `root` and the versions of
    PACKAGES."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        top = root / name
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if not path.exists() or "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package}=={version}\0".encode())
    return digest.hexdigest()


def seed_only_tests(manifest: dict[str, Any]) -> set[str]:
    """The data tests of `manifest` whose every parent is a seed: what the selector leaves out."""
    return {
        unique_id
        for unique_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "test"
        and node["depends_on"]["nodes"]
        and all(parent.startswith("seed.") for parent in node["depends_on"]["nodes"])
    }


def passed_seed_tests(manifest: dict[str, Any], run_results: dict[str, Any]) -> bool:
    """Whether a run (its manifest and run_results) ran every seed-only test, each passing."""
    expected = seed_only_tests(manifest)
    status = {r["unique_id"]: r["status"] for r in run_results.get("results", [])}
    return bool(expected) and all(status.get(test) == "pass" for test in expected)


def recorded(warehouse_dir: Path) -> dict[str, Any] | None:
    """The record of the last run whose seed-only tests passed, or None (none, or unreadable)."""
    path = warehouse_dir / STATE_FILE
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "fingerprint" in record else None


def already_passed(warehouse_dir: Path, current: str) -> dict[str, Any] | None:
    """The record when the seed-only tests passed with fingerprint `current`, else None."""
    record = recorded(warehouse_dir)
    return record if record is not None and record["fingerprint"] == current else None


def record_if_passed(
    warehouse_dir: Path, target_dir: Path, current: str, started: datetime
) -> bool:
    """After a dbt build started at `started` (aware) with artifacts in `target_dir`: record
    `current` (the fingerprint taken before the build) when that build ran every seed-only
    test and each passed. Artifacts of an earlier invocation (a build that stopped before
    writing its own) record nothing."""
    try:
        manifest = json.loads((target_dir / "manifest.json").read_text())
        run_results = json.loads((target_dir / "run_results.json").read_text())
        invocation = run_results["metadata"]["invocation_id"]
        generated = datetime.fromisoformat(run_results["metadata"]["generated_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=UTC)
    if (
        generated < started
        or manifest.get("metadata", {}).get("invocation_id") != invocation
        or not passed_seed_tests(manifest, run_results)
    ):
        return False
    record = {
        "fingerprint": current,
        "tests": len(seed_only_tests(manifest)),
        "invocation_id": invocation,
        "recorded_at": generated.isoformat(timespec="seconds"),
    }
    # written whole, then renamed: a reader never sees half a record
    partial = warehouse_dir / (STATE_FILE + ".tmp")
    partial.write_text(json.dumps(record, indent=2) + "\n")
    partial.replace(warehouse_dir / STATE_FILE)
    return True
