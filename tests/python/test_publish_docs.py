"""Docs of the published interface: `dbt docs generate` runs, and every published mart and
every published column has a description (the formula and source live there), as do the
exposures that read the snapshot."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
from publish_support import BIN, ROOT, Built, built_warehouse


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, dict, dict]:  # type: ignore[type-arg]
    built = built_warehouse(tmp_path_factory)
    proc = subprocess.run(
        [str(BIN / "dbt"), "docs", "generate"],
        cwd=ROOT,
        env=built.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    catalog = json.loads((built.target_dir / "catalog.json").read_text())
    return built, manifest, catalog


def _published(snapshot: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        cols: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            cols.setdefault(table, []).append(column)
        return cols
    finally:
        con.close()


def test_every_published_model_and_column_is_described(docs: tuple[Built, dict, dict]) -> None:  # type: ignore[type-arg]
    built, manifest, catalog = docs
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    in_catalog = {n["metadata"]["name"] for n in catalog["nodes"].values()}
    undocumented: list[str] = []
    for mart, columns in _published(built.snapshot).items():
        assert mart in in_catalog, mart
        node = models[mart]
        if len(node["description"].strip()) < 40:
            undocumented.append(mart)
        described = {c.lower(): v["description"] for c, v in node["columns"].items()}
        for col in columns:
            if col != "is_suppressed" and not described.get(col, "").strip():
                undocumented.append(f"{mart}.{col}")
    assert undocumented == []


def test_exposures_cover_the_bi_clients(docs: tuple[Built, dict, dict]) -> None:  # type: ignore[type-arg]
    _built, manifest, _catalog = docs
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"superset_elp_dashboard", "metabase_elp", "elp_html_report"} <= set(exposures)
    for exposure in exposures.values():
        assert exposure["depends_on"]["nodes"], exposure["name"]
        assert exposure["description"].strip()
