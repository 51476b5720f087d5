"""The report's current-year panel (docs/nowcast.md): the recent months as booked and as
completed for what is not booked yet, the projected year-end budget utilisation per province and
network type, and the backtest of both (interval coverage and error by horizon).

Each draw function runs its analyses/ file (nowcast1-3) on the snapshot and returns the
caption and the body; figures.py wraps them as the panel's three figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from elp_warehouse.report.charts import Bar, Cell, Series, bar_chart, line_chart, t, table
from elp_warehouse.report.i18n import LANGS, TEXTS, Text, number, same, text
from elp_warehouse.report.snapshot import NotAvailableError, Snapshot

Panel = tuple[Text, list[str]]

NOWCAST = "mart_elp_nowcast"
PROJECTION = "mart_elp_budget_projection"
BACKTEST = "mart_elp_nowcast_backtest"
MEASURES = ("users", "services", "spending_eur")


def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def _month_name(month: int) -> Text:
    """The name of month 1-12 in each language."""
    return {lang: TEXTS["month_names"][lang].split()[month - 1] for lang in LANGS}


def _area_label(s: Snapshot, mart: str, r: dict[str, Any]) -> Text:
    return s.label(r["area_type"], r["area"], mart, "area")


def _caption(key: str, **values: str | int | Text) -> Text:
    """The caption `key` of i18n.TEXTS with `values` filled in; a Text value (a label) is filled
    in its own language."""
    return {
        lang: TEXTS[key][lang].format(
            **{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()}
        )
        for lang in LANGS
    }


def completed_by_month(s: Snapshot) -> Panel:
    """Belgium's last 12 months and year to date: booked vs completed (95 % interval)."""
    rows = s.analysis("nowcast1_completed_by_month", NOWCAST, area="belgium")
    months = [r for r in rows if r["period"] == "month"]
    if not months:
        raise NotAvailableError("no months")
    as_of = months[-1]["as_of_date"]
    xs = [_month(r["period_start"]) for r in months]
    body: list[str] = []
    for measure, title in (("services", "nowcast_services"), ("users", "nowcast_users")):
        series = [
            Series(text("nowcast_booked"), [r[f"{measure}_extrapolated"] for r in months]),
            Series(
                text("nowcast_completed"),
                [r[f"{measure}_completed"] for r in months],
                [r[f"{measure}_completed_ci_low"] for r in months],
                [r[f"{measure}_completed_ci_high"] for r in months],
            ),
        ]
        body += [
            t(text(title), "h4"),
            line_chart(f"chart-nowcast-{measure}", xs, series, kind="count", height=230),
        ]
    head = [
        text("nowcast_period"),
        text("nowcast_users_completed"),
        text("nowcast_services_completed"),
        text("nowcast_spending_booked"),
        text("nowcast_spending_completed"),
        text("nowcast_completeness"),
    ]
    cells = []
    for r in rows:
        if r["period"] == "month":
            label = same(_month(r["period_start"]))
        else:
            name = text("year_to_date")
            span = f"{_month(r['period_start'])} \u2013 {_month(r['period_end'])}"
            label = {lang: f"{name[lang]} ({span})" for lang in LANGS}
        cells.append(
            [
                Cell(label=label),
                _interval(r, "users_completed", "count"),
                _interval(r, "services_completed", "count"),
                Cell(r["spending_eur_extrapolated"], "eur"),
                _interval(r, "spending_eur_completed", "eur"),
                Cell(r["spending_completeness"], "rate"),
            ]
        )
    body += [t(text("nowcast_table"), "h4"), table("table-nowcast", head, cells)]
    caption = _caption(
        "caption_nowcast",
        first=xs[0],
        last=xs[-1],
        as_of=as_of.isoformat(),
        area=_area_label(s, NOWCAST, months[0]),
    )
    return caption, body


def _interval(r: dict[str, Any], col: str, kind: str) -> Cell:
    return Cell(r[col], kind, r[f"{col}_ci_low"], r[f"{col}_ci_high"])


def budget_projection(s: Snapshot) -> Panel:
    """Projected year-end budget utilisation (95 % interval) per province and network type,
    with the share spent (booked) to date inside each bar."""
    _, year = s.span(PROJECTION)
    rows = s.analysis("nowcast2_budget_projection", PROJECTION, year=year)
    if not rows:
        raise NotAvailableError("no areas")
    legend = [(text("utilisation_to_date"), "part"), (text("utilisation_projected"), "whole")]
    body: list[str] = []
    national = [r for r in rows if r["area_type"] == "total"]
    for area_type, title in (("province", "per_province"), ("network_type", "per_network_type")):
        group = national + [r for r in rows if r["area_type"] == area_type]
        bars = [
            Bar(
                _area_label(s, PROJECTION, r),
                r["projected_budget_utilisation"],
                r["projected_budget_utilisation_ci_low"],
                r["projected_budget_utilisation_ci_high"],
                r["budget_utilisation_to_date"],
            )
            for r in group
        ]
        body += [
            t(text(title), "h4"),
            bar_chart(f"chart-projection-{area_type}", bars, "rate", ref=1.0, legend=legend),
        ]
    head = [
        text("category"),
        text("budget"),
        text("spending_to_date"),
        text("spending_projected"),
        text("utilisation_to_date"),
        text("utilisation_projected"),
    ]
    cells = []
    for r in rows:
        budget = number(r["budget_eur"], "eur")
        if r["budget_is_estimate"]:
            budget = {lang: f"{budget[lang]} *" for lang in LANGS}
        cells.append(
            [
                Cell(label=_area_label(s, PROJECTION, r)),
                Cell(label=budget),
                Cell(r["spending_eur_to_date"], "eur"),
                _interval(r, "spending_eur_projected", "eur"),
                Cell(r["budget_utilisation_to_date"], "rate"),
                _interval(r, "projected_budget_utilisation", "rate"),
            ]
        )
    body += [t(text("projection_table"), "h4"), table("table-projection", head, cells)]
    as_of = rows[0]["as_of_date"]
    return _caption("caption_projection", year=year, as_of=as_of.isoformat()), body


def backtest(s: Snapshot) -> Panel:
    """Belgium's backtest: coverage of the 95 % intervals of the monthly estimates by horizon
    and measure, their median error against the booked figures', and the year-end spending
    projection by months to come."""
    rows = s.analysis("nowcast3_backtest_by_horizon", BACKTEST, area_type="total")
    monthly = [r for r in rows if r["period"] == "month"]
    if not monthly:
        raise NotAvailableError("no monthly estimates")
    horizons = sorted({int(r["horizon_months"]) for r in monthly})
    by_key = {(r["period"], r["measure"], int(r["horizon_months"])): r for r in rows}

    def pick(period: str, measure: str, col: str) -> list[float | None]:
        return [by_key.get((period, measure, h), {}).get(col) for h in horizons]

    coverage = [
        Series(text(f"measure_{m}"), pick("month", m, "covered_share"))
        for m in MEASURES
        if any(r["measure"] == m for r in monthly)
    ]
    # booked first, as in the monthly charts above, so each keeps its colour
    errors = [
        Series(
            text("nowcast_booked"),
            pick("month", "spending_eur", "median_abs_booked_relative_error"),
        ),
        Series(
            text("nowcast_completed_estimate"),
            pick("month", "spending_eur", "median_abs_relative_error"),
        ),
    ]
    xs = [str(h) for h in horizons]
    body = [
        t(text("backtest_coverage"), "h4"),
        line_chart(
            "chart-backtest-coverage", xs, coverage, kind="rate", height=240, ref=0.95, floor=0.5
        ),
        t(text("backtest_error"), "h4"),
        line_chart("chart-backtest-error", xs, errors, kind="rate", height=240),
    ]
    head = [
        text("backtest_estimate"),
        text("backtest_cases"),
        text("backtest_coverage_col"),
        text("backtest_median_error"),
        text("backtest_max_error"),
    ]
    cells = []
    spending = [r for r in rows if r["measure"] == "spending_eur" and r["period"] != "month"]
    # the year-end projections in calendar order of their as-of month (January first)
    spending.sort(key=lambda r: (r["period"] == "year_end", -int(r["horizon_months"])))
    for r in spending:
        if r["period"] == "year_to_date":
            label = text("year_to_date")
        else:
            # horizon = months still to come after the as-of month: 6 = the end of June
            month = 12 - int(r["horizon_months"])
            label = _caption("backtest_year_end", month=_month_name(month))
        cells.append(
            [
                Cell(label=label),
                Cell(r["cases"], "count"),
                Cell(r["covered_share"], "rate"),
                Cell(r["median_abs_relative_error"], "rate"),
                Cell(r["max_abs_relative_error"], "rate"),
            ]
        )
    if cells:
        body += [t(text("backtest_table"), "h4"), table("table-backtest", head, cells)]
    first = min(r["first_as_of_date"] for r in rows)
    last = max(r["last_as_of_date"] for r in rows)
    cases = max(int(r["cases"]) for r in monthly)
    caption = _caption("caption_backtest", first=_month(first), last=_month(last), n=cases)
    return caption, body
