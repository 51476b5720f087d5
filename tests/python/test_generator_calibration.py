"""Calibration: the population truth of a small run reproduces the study's figures.

Also checks that the members are a biased sample (so the warehouse must weight).
Run with `-s` to see the published-vs-generated table.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from elp_warehouse.generator import generate
from elp_warehouse.generator.calibration import (
    compare,
    format_table,
    trajectory_and_subgroup_rows,
)
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
    # Flanders is over-represented among members, Brussels under-represented; the age profile
    # is tilted so that footnote 18's standardised rates hold, which asks for members younger
    # than the population (fn 18: standardised VT rate 0.033 above its crude 0.031)
    assert (
        flanders["members"] / total["members"] > flanders["population"] / total["population"] + 0.05
    )
    assert (
        brussels["members"] / total["members"] < brussels["population"] / total["population"] - 0.03
    )
    assert old["members"] / total["members"] < old["population"] / total["population"] * 0.9
    # so unweighted member counts are off the population truth: Flemish users are too many
    # among member users. (The national unweighted rate itself may come close: the younger,
    # higher-using members offset the Flemish, lower-using ones.)
    member_share = flanders["member_elp_users"] / total["member_elp_users"]
    true_share = flanders["elp_users"] / total["elp_users"]
    assert member_share > true_share + 0.05
    assert 0.37 < total["members"] / total["population"] < 0.42


# --- issue 27 (caltraj): Figure 11 prior care by subgroup, Figure 12 ELP after one year, the
# VT share among users -----------------------------------------------------------------------


def test_prior_care_subgroups_continuation_and_vt_share(truth: Path) -> None:
    rows = trajectory_and_subgroup_rows(truth, STUDY_FIGURES)
    print("\n" + format_table(rows))
    figures = {r.figure for r in rows}
    assert figures == {"Figure 11", "Figure 12", "Section 3.3.2"}
    # 19 Figure 11 rows of raked subgroups, one Figure 12 share, 6 ELP years
    assert len(rows) == 26
    failed = [r for r in rows if not r.ok]
    assert not failed, "\n" + format_table(failed)
