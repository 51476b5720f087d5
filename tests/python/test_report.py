"""`elp report`: one self-contained HTML file drawn from the published snapshot, every figure
whose mart is published rendered, a clear "not available" panel for the others, nl/fr/en.

Content checks on the demo build: every study figure and table (Figures 1-14, Tables 1-4,
Annex 1 and 5, section 3.2.2, budget utilisation) and the current-year panel (booked vs
completed per month, projected budget utilisation, backtest) is there with a caption, a method
note naming the snapshot's min_cell_size and its source mart and analyses/ file in all three
languages; the panel shows the marts' numbers; no raw category code is shown and no label is
missing; axes end just above the data."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import duckdb
import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.report import FIGURES, render_html
from elp_warehouse.report.charts import Bar, Series, bar_chart, line_chart, nice_axis
from elp_warehouse.report.i18n import number, same
from elp_warehouse.report.render import ChromiumError, find_chromium
from elp_warehouse.report.snapshot import AnalysisError, analysis_path, analysis_sql

LANGS = ("nl", "fr", "en")
# the study's figures and tables the report must hold (docs/bi.md, "The report")
STUDY = {f"fig{n:02d}" for n in range(1, 15)} | {f"tab0{n}" for n in range(1, 5)}
STUDY |= {"annex5", "sec322", "budget"}
# the current-year panel (docs/nowcast.md), after the study's figures
CURRENT_YEAR = ["nowcast", "budget_projection", "nowcast_backtest"]


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
    assert set(sections) >= STUDY | set(CURRENT_YEAR), sorted(STUDY - set(sections))
    for key in STUDY | set(CURRENT_YEAR):
        assert 'data-status="rendered"' in sections[key].split(">", 1)[0], key
    assert [f.key for f in FIGURES][-3:] == CURRENT_YEAR


def _svg(fragment: str, chart_id: str) -> str:
    found = re.search(rf'<svg class="chart" id="{re.escape(chart_id)}".*?</svg>', fragment, re.S)
    assert found, chart_id
    return found.group(0)


def _snapshot_rows(built: Built, sql: str) -> list[dict[str, object]]:
    con = duckdb.connect(str(built.snapshot), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_current_year_months_show_booked_and_completed_with_a_band(
    built: Built, report: str
) -> None:
    """Current year 1: per month of mart_elp_nowcast (Belgium), the booked line without a band
    and the completed line with its 95 % band; the table's year-to-date row carries the mart's
    completed services and their interval."""
    part = _sections(report)["nowcast"]
    months = _snapshot_rows(
        built,
        "select * from marts.mart_elp_nowcast where area = 'belgium' and period = 'month' "
        "order by period_start",
    )
    (ytd,) = _snapshot_rows(
        built,
        "select * from marts.mart_elp_nowcast where area = 'belgium' and period = 'year_to_date'",
    )
    assert len(months) >= 6
    for measure in ("services", "users"):
        svg = _svg(part, f"chart-nowcast-{measure}")
        # one band only (the completed line's); one point per month per line
        assert svg.count('class="band"') == 1, measure
        points = re.findall(r'<circle class="mark" [^>]*><title>([^<]*)</title>', svg)
        assert len(points) == 2 * len(months), measure
        last = f"{months[-1]['period_start']:%Y-%m}"
        booked = number(months[-1][f"{measure}_extrapolated"], "count")["en"]
        completed = number(months[-1][f"{measure}_completed"], "count")["en"]
        assert f"{last}: {booked}" in points and f"{last}: {completed}" in points, points
        # the booked figure of the as-of month is incomplete: the nowcast has work to do
        assert months[-1][f"{measure}_completed"] > months[-1][f"{measure}_extrapolated"]
    table_part = re.search(r'<table class="data" id="table-nowcast">.*?</table>', part, re.S)
    assert table_part
    rows = re.findall(r"<tr>.*?</tr>", table_part.group(0), re.S)
    assert len(rows) == len(months) + 2  # the header, the months and the year to date
    ytd_row = rows[-1]
    low, high = (number(ytd[f"services_ci_{b}"], "count")["en"] for b in ("low", "high"))
    assert f'data-en="{number(ytd["services_completed"], "count")["en"]}"' in ytd_row
    assert f'data-en="{low} \u2013 {high}"' in ytd_row


def test_current_year_budget_projection_per_province_and_network_type(
    built: Built, report: str
) -> None:
    """Current year 2: a bar per area (Belgium, then the provinces; Belgium, then the network
    types) of the projected utilisation with its interval, the share spent to date inside it,
    and the dashed 100 % line; the table shows every area's projection."""
    part = _sections(report)["budget_projection"]
    rows = _snapshot_rows(built, "select * from marts.mart_elp_budget_projection")
    by_type = {t: [r for r in rows if r["area_type"] == t] for t in ("province", "network_type")}
    assert len(by_type["province"]) == 11 and len(by_type["network_type"]) == 2
    for area_type, group in by_type.items():
        svg = _svg(part, f"chart-projection-{area_type}")
        shown = [r for r in group if r["budget_utilisation_projected"] is not None]
        assert svg.count('class="mark whole"') == len(shown) + 1, area_type  # + Belgium
        assert svg.count('class="part"') == len(shown) + 1, area_type
        assert svg.count('class="ci"') == len(shown) + 1, area_type
        assert svg.count('class="ref"') == 1, area_type
        # the 100 % line sits on the 100 % tick
        ref_x = re.search(r'<line class="ref" x1="([0-9.]+)"', svg)
        tick = re.search(r'<text [^>]*data-en="100%"[^>]*x="([0-9.]+)"', svg)
        assert ref_x and tick and ref_x.group(1) == tick.group(1), area_type
    (national,) = [r for r in rows if r["area_type"] == "total"]
    projected = number(national["budget_utilisation_projected"], "rate")["en"]
    assert f'data-en="{projected}"' in _svg(part, "chart-projection-province")
    table_part = re.search(r'<table class="data" id="table-projection">.*?</table>', part, re.S)
    assert table_part and table_part.group(0).count("<tr>") == len(rows) + 1
    low, high = (
        number(national[f"spending_eur_projected_ci_{b}"], "eur")["en"] for b in ("low", "high")
    )
    assert (
        f'data-en="{number(national["spending_eur_projected"], "eur")["en"]}"'
        in table_part.group(0)
    )
    assert f'data-en="{low} \u2013 {high}"' in table_part.group(0)


def test_current_year_backtest_coverage_and_error_by_horizon(built: Built, report: str) -> None:
    """Current year 3: the coverage of the monthly estimates' 95 % intervals per horizon for
    each measure, with the 95 % target line, is the share of covered cases of
    mart_elp_nowcast_backtest (Belgium); the error chart sets the completed estimate against the
    booked figures; the table lists the year-end projection by months ahead."""
    part = _sections(report)["nowcast_backtest"]
    coverage = _snapshot_rows(
        built,
        "select measure, horizon_months, avg(covered::int) as share from "
        "marts.mart_elp_nowcast_backtest where area_type = 'total' and period = 'month' "
        "and covered is not null group by all order by measure, horizon_months",
    )
    svg = _svg(part, "chart-backtest-coverage")
    assert svg.count('class="ref"') == 1
    points = re.findall(r'<circle class="mark" [^>]*><title>([^<]*)</title>', svg)
    assert len(points) == len(coverage)
    for r in coverage:
        assert f"{r['horizon_months']}: {number(r['share'], 'rate')['en']}" in points, r
    errors = _svg(part, "chart-backtest-error")
    assert errors.count("<polyline") == 2 and 'class="band"' not in errors
    year_end = _snapshot_rows(
        built,
        "select distinct horizon_months from marts.mart_elp_nowcast_backtest "
        "where area_type = 'total' and period = 'year_end' and measure = 'spending_eur'",
    )
    table_part = re.search(r'<table class="data" id="table-backtest">.*?</table>', part, re.S)
    assert table_part
    # the header, the year to date, one row per horizon of the year-end projection
    assert table_part.group(0).count("<tr>") == 2 + len(year_end)
    assert 'data-en="Year end, projected at the end of June"' in table_part.group(0)
    assert 'data-fr="Fin d&#x27;année, projetée fin juin"' in table_part.group(0)


def test_a_reference_line_and_a_part_are_drawn_on_the_bar_scale() -> None:
    svg = bar_chart(
        "c",
        [Bar(same("a"), 0.8, 0.7, 0.9, part=0.3), Bar(same("b"), None)],
        ref=1.0,
        legend=[(same("to date"), "part"), (same("year end"), "whole")],
    )
    x = {
        name: float(v)
        for name, v in re.findall(
            r'<(?:rect|line) class="(mark whole|part|ref)" x1?="([0-9.]+)"', svg
        )
    }
    widths = dict(re.findall(r'class="(mark whole|part)" [^>]*width="([0-9.]+)"', svg))
    # an axis to 100 %: the bar reaches 80 % of the plot, its part 30 %, the line its end
    assert math.isclose(
        float(widths["part"]) / float(widths["mark whole"]), 0.3 / 0.8, rel_tol=1e-2
    )
    assert math.isclose(x["ref"] - x["part"], 400.0, rel_tol=1e-3)
    assert svg.count('class="mark suppressed"') == 1
    assert 'data-en="to date"' in svg and 'data-en="year end"' in svg


def test_the_line_axis_floor_holds_only_when_the_data_stay_above_it() -> None:
    above = line_chart("c", ["0", "1"], [Series(same("s"), [0.9, 0.97])], ref=0.95, floor=0.5)
    below = line_chart("c", ["0", "1"], [Series(same("s"), [0.4, 0.97])], ref=0.95, floor=0.5)
    ticks = [re.findall(r'data-en="([0-9.]+%)"[^>]*class="axis"', svg) for svg in (above, below)]
    assert ticks[0][0] == "50%" and ticks[0][-1] == "100%", ticks[0]
    assert ticks[1][0] == "0%" and ticks[1][-1] == "100%", ticks[1]


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
