"""Calibration: the population truth of a small run reproduces the study's figures.

Also checks that the members are a biased sample (so the warehouse must weight).
Run with `-s` to see the published-vs-generated table.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from elp_warehouse.generator import generate
from elp_warehouse.generator.calibration import compare, format_table
from elp_warehouse.generator.config import STUDY_FIGURES


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cal")
    generate(root / "raw", scale=0.02, seed=20250623, truth_dir=root / "truth", progress=False)
    return root / "truth"


def test_published_figures_are_reproduced(truth: Path) -> None:
    rows = compare(truth, STUDY_FIGURES)
    print("\n" + format_table(rows))
    checked = [r for r in rows if r.checked]
    assert len(checked) > 80
    failed = [r for r in checked if not r.ok]
    assert not failed, "\n" + format_table(failed)


def test_members_are_a_biased_sample(truth: Path) -> None:
    usage = {
        (r["year"], r["dimension"], r["category"]): r
        for r in pq.read_table(truth / "usage.parquet").to_pylist()
    }
    total = usage[(2024, "total", "belgium")]
    flanders = usage[(2024, "region", "flanders")]
    brussels = usage[(2024, "region", "brussels")]
    old = usage[(2024, "age_group", "80+")]
    # Flanders and older people are over-represented among members, Brussels under-represented
    assert (
        flanders["members"] / total["members"] > flanders["population"] / total["population"] + 0.05
    )
    assert (
        brussels["members"] / total["members"] < brussels["population"] / total["population"] - 0.03
    )
    assert old["members"] / total["members"] > old["population"] / total["population"] * 1.1
    # so the unweighted member usage rate is off the population truth
    member_rate = total["member_elp_users"] / total["members"]
    true_rate = total["elp_users"] / total["population"]
    assert abs(member_rate / true_rate - 1) > 0.02
    assert 0.37 < total["members"] / total["population"] < 0.42
