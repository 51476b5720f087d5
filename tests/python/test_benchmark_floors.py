"""The benchmark's floors and ratios (scripts/raw_floor.py, scripts/benchmark.py): the numbers
the performance budget is judged by, so they are checked on a hand-written extract and with
hand-computed ratios."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO_ROOT, row, write_extract


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    return write_extract(
        tmp_path / "raw",
        {
            "claims": [row("claims", claim_id=f"c{i}") for i in range(3)],
            "pharmacy_dispensings": [row("pharmacy_dispensings")],
        },
    )


def test_read_floor_reads_every_table(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seconds = load_script("raw_floor").read_floor(extract)
    out = capsys.readouterr().out
    assert seconds > 0
    assert "claims                              3 rows" in out
    assert "pharmacy_dispensings                1 rows" in out
    assert "members_yearly                      0 rows" in out


def test_write_floor_copies_every_table_then_deletes_the_copy(
    extract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.duckdb"
    seconds = load_script("raw_floor").write_floor(extract, copy)
    out = capsys.readouterr().out
    assert seconds > 0
    assert "claims                              3 rows copied" in out
    assert "complementary_refunds               0 rows copied" in out
    assert not copy.exists()
    assert not copy.with_name("copy.duckdb.wal").exists()


def test_write_floor_refuses_an_existing_database(extract: Path, tmp_path: Path) -> None:
    existing = tmp_path / "warehouse.duckdb"
    existing.write_bytes(b"not to be overwritten")
    with pytest.raises(SystemExit, match="exists"):
        load_script("raw_floor").write_floor(extract, existing)
    assert existing.read_bytes() == b"not to be overwritten"


def test_ratios_are_the_budgets() -> None:
    bench = load_script("benchmark")
    step = bench.StepResult
    results = [
        step(1.0, "raw_floor", 10.0, 0, 0),
        step(1.0, "raw_copy", 50.0, 0, 0),
        step(1.0, "previous_month_build", 200.0, 0, 0),
        step(1.0, "incremental_build", 30.0, 0, 0),
        step(1.0, "incremental_build", 31.0, 0, 0),
        step(1.0, "full_build", 210.0, 0, 0),
        # a scale whose build failed has no ratio; one without a previous month uses its full build
        step(0.1, "raw_floor", 1.0, 0, 0),
        step(0.1, "full_build", 9.0, 0, 1),
        step(0.01, "raw_floor", 0.5, 0, 0),
        step(0.01, "full_build", 6.0, 0, 0),
    ]
    assert bench.ratios(results) == [
        "\nscale 1.0: build / read floor 20.0x, build / write floor 4.0x,"
        " increment / build 15.0 %, increment / build 15.5 %",
        "\nscale 0.01: build / read floor 12.0x",
    ]
