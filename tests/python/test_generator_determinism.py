"""Same seed -> identical files; another seed -> different files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from elp_warehouse.generator import generate

TABLES = (
    "members_yearly",
    "affiliation_periods",
    "claims",
    "pharmacy_dispensings",
    "complementary_refunds",
)


def _run(root: Path, seed: int) -> Path:
    generate(root / "raw", scale=0.002, seed=seed, truth_dir=root / "truth", progress=False)
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    a = _run(tmp_path_factory.mktemp("a"), 5)
    b = _run(tmp_path_factory.mktemp("b"), 5)
    c = _run(tmp_path_factory.mktemp("c"), 6)
    return a, b, c


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for t in TABLES:
        for f in sorted((root / "raw" / t).glob("*.parquet")):
            out[f"{t}/{f.name}"] = f.read_bytes()
    for f in sorted((root / "truth").glob("*.parquet")):
        out[f"truth/{f.name}"] = f.read_bytes()
    return out


def test_same_seed_gives_identical_files(runs: tuple[Path, Path, Path]) -> None:
    a, b, _ = runs
    fa, fb = _files(a), _files(b)
    assert fa.keys() == fb.keys()
    for name in fa:
        assert fa[name] == fb[name], name
    ma = json.loads((a / "truth" / "manifest.json").read_text())
    mb = json.loads((b / "truth" / "manifest.json").read_text())
    for volatile in ("wall_seconds", "peak_rss_mb"):
        ma.pop(volatile)
        mb.pop(volatile)
    assert ma == mb


def test_other_seed_gives_other_data(runs: tuple[Path, Path, Path]) -> None:
    a, _, c = runs
    for t in TABLES:
        ta = pq.read_table(a / "raw" / t)
        tc = pq.read_table(c / "raw" / t)
        assert not ta.equals(tc), t
