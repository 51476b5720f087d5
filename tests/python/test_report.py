"""`elp report`: one self-contained HTML file drawn from the published snapshot, every figure
whose mart is published rendered, a clear "not available" panel for the others, nl/fr/en.

Content checks on the demo build: every study figure and table (Figures 1-14, Tables 1-4,
Annex 1 and 5, section 3.2.2, budget utilisation) is there with a caption, a method note naming
the snapshot's min_cell_size and its source mart and analyses/ file in all three languages; no
raw category code is shown and no label is missing; axes end just above the data."""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb
import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.report import FIGURES, render_html
from elp_warehouse.report.charts import nice_axis
from elp_warehouse.report.render import ChromiumError, find_chromium
from elp_warehouse.report.snapshot import AnalysisError, analysis_path, analysis_sql

LANGS = ("nl", "fr", "en")
# the study's figures and tables the report must hold (docs/bi.md, "The report")
STUDY = {f"fig{n:02d}" for n in range(1, 15)} | {f"tab0{n}" for n in range(1, 5)}
STUDY |= {"annex5", "sec322", "budget"}


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
        re.findall(r'<section class="figure" id="fig-([a-z0-9_]+)" data-status="([a-z-]+)"', page)
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
        "0.022 as usage_rate_ci_high, 1000.0 as new_users_extrapolated, "
        "1000.0 as cumulative_users_extrapolated, 0.02 as cumulative_usage_rate, "
        "50000 as population, false as is_suppressed"
    )
    con.close()
    page = render_html(snap)
    statuses = _statuses(page)
    assert statuses.pop("fig04") == "rendered"
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
        "0.022 as usage_rate_ci_high, 1000.0 as new_users_extrapolated, "
        "1000.0 as cumulative_users_extrapolated, 0.02 as cumulative_usage_rate, "
        "50000 as population, false as is_suppressed from range(2019, 2026) as t(year)"
    )
    con.close()
    page = render_html(snap)
    assert 'data-nl="Eerstelijns psychologische zorg (ELP): balans 2019-2025"' in page
    assert 'data-fr="Soins psychologiques de première ligne : bilan 2019-2025"' in page
    assert "2019-2024" not in page


def _sections(page: str) -> dict[str, str]:
    parts = re.split(r'(?=<section class="figure" id="fig-)', page)
    return {
        m.group(1): part
        for part in parts
        if (m := re.match(r'<section class="figure" id="fig-([a-z0-9_]+)"', part))
    }


def _texts(fragment: str, lang: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'data-{lang}="([^"]*)"', fragment)]


def test_every_study_figure_and_table_is_rendered(report: str) -> None:
    sections = _sections(report)
    assert set(sections) >= STUDY, sorted(STUDY - set(sections))
    for key in STUDY:
        assert 'data-status="rendered"' in sections[key].split(">", 1)[0], key


def test_each_figure_has_caption_method_and_source_in_three_languages(
    built: Built, report: str
) -> None:
    con = duckdb.connect(str(built.snapshot), read_only=True)
    k = con.execute("select min_cell_size from meta.snapshot").fetchall()[0][0]
    con.close()
    sections = _sections(report)
    for fig in FIGURES:
        part = sections[fig.key]
        caption = re.search(r'<p [^>]*class="caption"', part)
        assert caption, fig.key
        method = re.search(r'<p class="method">(.*?)</p>', part, re.S)
        assert method, fig.key
        for lang in LANGS:
            texts = _texts(caption.group(0), lang)
            assert texts and len(texts[0]) > 40, (fig.key, lang)
            # the method note names the snapshot's suppression threshold in every language
            # (not the public-source provider density, which suppresses nothing) and the 95 %
            # intervals where the figure has them
            notes = " ".join(_texts(method.group(1), lang))
            if fig.method != "method_density":
                assert f" {k} " in notes, (fig.key, lang, notes)
            if fig.method not in ("method_density", "method_budget"):
                assert "95 %" in notes, (fig.key, lang, notes)
        assert f"<code>marts.{fig.mart}</code>" in part, fig.key
        assert f"<code>analyses/{fig.analysis}.sql</code>" in part, fig.key
        assert analysis_path(fig.analysis).is_file(), fig.analysis


def test_no_raw_code_and_no_missing_label(built: Built, report: str) -> None:
    """Every category shown has its label in nl, fr and en; a code without one would be shown
    as it is (and listed in data-missing-labels), so both are checked."""
    missing = re.search(r'data-missing-labels="([^"]*)"', report)
    assert missing is not None
    con = duckdb.connect(str(built.snapshot), read_only=True)
    codes = {r[0] for r in con.execute("select category from reference.labels").fetchall()}
    for mart, col in [
        ("mart_elp_care_transitions", "care_type"),
        ("mart_elp_care_transitions", "period"),
        ("mart_elp_prior_care", "prior_care"),
        ("mart_elp_individual_trajectories", "start_group"),
        ("mart_elp_individual_trajectories", "elp_after"),
        ("mart_mh_care_use", "category"),
    ]:
        codes |= {r[0] for r in con.execute(f"select distinct {col} from marts.{mart}").fetchall()}
    con.close()
    # codes that read as words in every language are no raw codes (none today; a snake_case or
    # lowercase code such as acute_residential always is)
    raw = {c for c in codes if re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", c)}
    shown = {lang: set(_texts(report, lang)) for lang in LANGS}
    leaks = {lang: sorted(raw & shown[lang]) for lang in LANGS if raw & shown[lang]}
    assert missing.group(1) == "" and not leaks, (missing.group(1), leaks)


def test_axes_end_just_above_the_data(built: Built, report: str) -> None:
    """Figure 1 (data near 11 %) gets an axis to 12.5 %, not 20 %; every axis of the page ends
    at most one tick step above the data it shows."""
    assert nice_axis(0.1136) == (0.125, 0.025)
    assert nice_axis(7.0) == (8.0, 2.0)
    assert nice_axis(274_133) == (300_000, 100_000)
    for top in (0.0031, 0.052, 0.999, 1.0, 13.3, 96_323_422.0):
        vmax, step = nice_axis(top)
        assert top <= vmax < top + step + 1e-12, top
    con = duckdb.connect(str(built.snapshot), read_only=True)
    data_max = con.execute(
        "select max(population_share_ci_high) from marts.mart_mh_care_use "
        "where classification = 'figure_1' and is_exclusive"
    ).fetchall()[0][0]
    con.close()
    chart = re.search(r'<svg class="chart" id="chart-fig01_mh_care_use".*?</svg>', report, re.S)
    assert chart
    ticks = [
        float(v.replace("%", ""))
        for v in re.findall(r'data-en="([0-9.]+%)"[^>]*class="axis"', chart.group(0))
    ]
    assert ticks, chart.group(0)[:500]
    step = ticks[1] - ticks[0]
    assert data_max * 100 <= max(ticks) < data_max * 100 + step + 1e-9, (data_max, ticks)


def test_dutch_legend_is_dutch(report: str) -> None:
    sections = _sections(report)
    for key in ("fig07", "fig08", "fig09"):
        legend = _texts(sections[key], "nl")
        assert "gemiddelde (95 %-BI)" in legend, key
        assert not any(v.startswith("mean") for v in legend), key
    # Figure 2 is a titled figure of its own
    assert 'data-en="Figure 2 · Use of ambulatory mental-health care"' in sections["fig02"]


def test_analysis_params_are_substituted_or_refused() -> None:
    sql = analysis_sql("fig08_sessions_by_vt", {"cohort_year": 2031, "dimension": "region"})
    assert "2031 as cohort_year" in sql and "'region' as dimension" in sql
    assert "2024 as cohort_year" not in sql
    with pytest.raises(AnalysisError, match=re.escape("no single `... as year`")):
        analysis_sql("fig08_sessions_by_vt", {"year": 2024})
    with pytest.raises(AnalysisError, match="no ready-made query"):
        analysis_sql("fig99_nothing", {})


def test_pdf_without_chromium_names_the_install_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(ChromiumError, match=re.escape("scripts/install_chromium.sh")):
        find_chromium()
