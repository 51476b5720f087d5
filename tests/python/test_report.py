"""`elp report`: one self-contained HTML file drawn from the published snapshot, every figure
whose mart is published rendered, a clear "not available" panel for the others, nl/fr/en."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.report import FIGURES, render_html


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def report(built: Built) -> str:
    proc = built.elp("report", "--out", str(built.warehouse_dir / "report.html"), "--lang", "fr")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (built.warehouse_dir / "report.html").read_text()


def _statuses(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<section class="figure" id="fig-([a-z_]+)" data-status="([a-z-]+)"', page)
    )


def test_every_published_mart_is_drawn(built: Built, report: str) -> None:
    con = duckdb.connect(str(built.snapshot), read_only=True)
    published = {r[0] for r in con.execute("select mart from meta.published_marts").fetchall()}
    con.close()
    statuses = _statuses(report)
    assert set(statuses) == {f.key for f in FIGURES}
    for fig in FIGURES:
        expected = "rendered" if fig.mart in published else "not-available"
        assert statuses[fig.key] == expected, fig.key
    assert f"data-charts-expected={sum(s == 'rendered' for s in statuses.values())}" in report
    assert 'data-default-lang="fr"' in report


def test_the_page_is_self_contained(report: str) -> None:
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', report)
    assert "<link" not in report
    assert "@import" not in report
    assert "<svg" in report


def test_three_languages(report: str) -> None:
    for lang, title in {
        "nl": "Eerstelijns psychologische zorg",
        "fr": "Soins psychologiques de première ligne",
        "en": "Primary-care psychology convention",
    }.items():
        assert f'data-{lang}="{title}' in report
    # category labels come from the labels seed in all three languages
    assert 'data-fr="Femmes"' in report or "mart_elp_usage" not in report


def test_missing_marts_get_a_not_available_panel(tmp_path: Path) -> None:
    snap = tmp_path / "published.duckdb"
    con = duckdb.connect(str(snap))
    con.execute("create schema marts; create schema meta")
    con.execute(
        "create table meta.snapshot as select 'test' as snapshot_version, "
        "current_timestamp::timestamp as published_at, 5 as min_cell_size"
    )
    con.execute(
        "create table marts.mart_elp_users_yearly as select 2024 as year, "
        "1000.0 as users_extrapolated, 0.02 as usage_rate, 0.018 as usage_rate_ci_low, "
        "0.022 as usage_rate_ci_high, false as is_suppressed"
    )
    con.close()
    page = render_html(snap)
    statuses = _statuses(page)
    assert statuses.pop("users") == "rendered"
    assert set(statuses.values()) == {"not-available"}
    assert page.count('class="not-available"') == len(FIGURES) - 1
    assert "data-charts-expected=1" in page
    assert 'data-en="Table mart_elp_prior_care is not (yet) in the published snapshot."' in page
    assert 'data-en="Primary-care psychology convention (ELP): review 2024"' in page


def test_titles_take_their_years_from_the_data(tmp_path: Path) -> None:
    """A snapshot through 2025 says so: no year is written into the report's texts."""
    snap = tmp_path / "published.duckdb"
    con = duckdb.connect(str(snap))
    con.execute("create schema marts; create schema meta")
    con.execute(
        "create table meta.snapshot as select 'test' as snapshot_version, "
        "current_timestamp::timestamp as published_at, 5 as min_cell_size"
    )
    con.execute(
        "create table marts.mart_elp_users_yearly as select year, "
        "1000.0 as users_extrapolated, 0.02 as usage_rate, 0.018 as usage_rate_ci_low, "
        "0.022 as usage_rate_ci_high, false as is_suppressed from range(2019, 2026) as t(year)"
    )
    con.close()
    page = render_html(snap)
    assert 'data-nl="Eerstelijns psychologische zorg (ELP): balans 2019-2025"' in page
    assert 'data-fr="Soins psychologiques de première ligne : bilan 2019-2025"' in page
    assert "2019-2024" not in page
