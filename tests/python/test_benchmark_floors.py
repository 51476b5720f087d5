"""The benchmark's floors and ratios (scripts/raw_floor.py, scripts/benchmark.py): the numbers
the performance budget is judged by, so they are checked on a hand-written extract and with
hand-computed ratios; and how the benchmark finds pre-generated extracts."""

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


def test_summary_gives_the_budgets_ratios_and_peaks() -> None:
    bench = load_script("benchmark")
    step = bench.StepResult
    results = [
        step(1.0, "raw_floor", 10.0, 3700, 0),
        step(1.0, "raw_copy", 50.0, 2800, 0),
        step(1.0, "full_build", 200.0, 5400, 0, 9000.0),
        step(1.0, "peer", 300.0, 12000, 0),
        # a failed build has no ratio; the peer still has its time and memory
        step(0.1, "raw_floor", 1.0, 400, 0),
        step(0.1, "full_build", 9.0, 900, 1),
        step(0.1, "peer", 4.0, 800, 0),
        # without the write floor (not run) only the read floor's ratio
        step(0.01, "generate", 8.0, 180, 0),
        step(0.01, "raw_floor", 0.5, 100, 0),
        step(0.01, "full_build", 6.0, 700, 0),
    ]
    summaries = bench.summarise(results)
    assert [s.scale for s in summaries] == [1.0, 0.1, 0.01]
    national, small_failed, smallest = summaries
    assert national.build_seconds == 200.0
    assert national.build_over_write_floor == pytest.approx(4.0)
    assert national.build_over_read_floor == pytest.approx(20.0)
    assert national.peer_over_build == pytest.approx(1.5)
    assert (national.build_peak_mb, national.peer_peak_mb) == (5400, 12000)
    assert small_failed.build_seconds is None
    assert small_failed.build_over_read_floor is None
    assert small_failed.peer_over_build is None
    assert (small_failed.peer_seconds, small_failed.peer_peak_mb) == (4.0, 800)
    assert smallest.build_over_write_floor is None
    assert smallest.build_over_read_floor == pytest.approx(12.0)
    assert smallest.peer_seconds is None

    assert bench.summary_table(summaries) == [
        "| scale | build (s) | build / write floor | build / read floor | peer (s)"
        " | peer / build | build peak (MB) | peer peak (MB) |",
        "|---|---|---|---|---|---|---|---|",
        "| 1.0 | 200.0 | 4.0x | 20.0x | 300.0 | 1.50x | 5400 | 12000 |",
        "| 0.1 |  |  |  | 4.0 |  |  | 800 |",
        "| 0.01 | 6.0 |  | 12.0x |  |  | 700 |  |",
    ]


def test_extracts_are_given_per_scale() -> None:
    parse = load_script("benchmark").parse_extracts
    scales = [0.25, 1.0]
    assert parse(["1.0=/x/s1.0", "0.25=/x/s0.25"], scales) == {
        1.0: Path("/x/s1.0"),
        0.25: Path("/x/s0.25"),
    }
    assert parse([], scales) == {}
    # a bare path is the extract of the only scale
    assert parse(["/x/s1.0"], [1.0]) == {1.0: Path("/x/s1.0")}
    with pytest.raises(ValueError, match="SCALE=PATH"):
        parse(["/x/s1.0"], scales)
    with pytest.raises(ValueError, match="not among"):
        parse(["0.5=/x/s0.5"], scales)
    with pytest.raises(ValueError, match="not a scale"):
        parse(["big=/x/s1.0"], scales)


def test_manifest_is_found_beside_or_inside_the_extract(tmp_path: Path) -> None:
    find = load_script("benchmark").find_manifest
    raw = tmp_path / "s1.0"
    raw.mkdir()
    assert find(raw) is None
    beside = tmp_path / "truth" / "manifest.json"
    beside.parent.mkdir()
    beside.write_text("{}")
    assert find(raw) == beside  # the generator's default for `--out s1.0`
    # a manifest inside the extract is its own (two extracts in one folder share `truth/`)
    inside = raw / "truth" / "manifest.json"
    inside.parent.mkdir()
    inside.write_text("{}")
    assert find(raw) == inside
