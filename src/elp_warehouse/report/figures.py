"""The report's figures: for each, the mart it draws from, its queries and its charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from elp_warehouse.report.charts import Bar, Series, bar_chart, line_chart, t
from elp_warehouse.report.i18n import LANGS, Text, same, text
from elp_warehouse.report.snapshot import NotAvailableError, Rows, Snapshot


@dataclass
class Figure:
    key: str
    mart: str
    draw: Callable[[Snapshot], tuple[Text, list[str]]]


def _need(rows: Rows, why: str) -> Rows:
    if not rows:
        raise NotAvailableError(why)
    return rows


def _care_use(s: Snapshot) -> tuple[Text, list[str]]:
    mart = "mart_mh_care_use"
    charts = []
    for classification in ("figure_1", "figure_2"):
        rows = s.rows(
            mart,
            "select * from {mart} where classification = ? and is_exclusive order by year",
            [classification],
        )
        if not rows:
            continue
        years = sorted({r["year"] for r in rows})
        cats = sorted({r["category"] for r in rows})
        series = []
        for cat in cats:
            by_year = {r["year"]: r for r in rows if r["category"] == cat}
            series.append(
                Series(
                    s.label(f"mh_care_{classification}", cat, by_year[min(by_year)]),
                    [by_year[y]["population_share"] if y in by_year else None for y in years],
                )
            )
        charts.append(line_chart(f"chart-care-use-{classification}", years, series))
    if not charts:
        raise NotAvailableError("no rows")
    all_years = [
        y
        for r in (s.rows(mart, "select min(year) as lo, max(year) as hi from {mart}"))
        for y in (r["lo"], r["hi"])
    ]
    return text("fig_care_use", years=span(all_years)), charts


def _users(s: Snapshot) -> tuple[Text, list[str]]:
    rows = _need(s.rows("mart_elp_users_yearly", "select * from {mart} order by year"), "no rows")
    bars = [Bar(same(str(r["year"])), r["users_extrapolated"]) for r in rows]
    rate = [
        Bar(same(str(r["year"])), r["usage_rate"], r["usage_rate_ci_low"], r["usage_rate_ci_high"])
        for r in rows
    ]
    return text("fig_users"), [
        t(text("users_extrapolated"), "h4"),
        bar_chart("chart-users-count", bars, kind="count"),
        t(text("usage_rate"), "h4"),
        bar_chart("chart-users-rate", rate, kind="rate"),
    ]


def _latest_year(s: Snapshot, mart: str) -> int:
    rows = _need(s.rows(mart, "select max(year) as y from {mart}"), "no rows")
    if rows[0]["y"] is None:
        raise NotAvailableError("no rows")
    return int(rows[0]["y"])


def _subgroups(s: Snapshot) -> tuple[Text, list[str]]:
    mart = "mart_elp_usage"
    year = _latest_year(s, mart)
    charts = []
    for dim in ("age_group", "sex", "vt", "region", "socio_professional", "specific_category"):
        rows = s.rows(
            mart,
            "select u.* from {mart} as u left join reference.labels as l "
            "on l.dimension = u.dimension and l.category = u.category "
            "where u.year = ? and u.dimension = ? order by l.sort_order, u.category",
            [year, dim],
        )
        if not rows:
            continue
        bars = [
            Bar(
                s.label(dim, r["category"], r),
                r["usage_rate"],
                r["usage_rate_ci_low"],
                r["usage_rate_ci_high"],
            )
            for r in rows
        ]
        charts.append(t(s.labels.get(("dimension", dim)) or same(dim), "h4"))
        charts.append(bar_chart(f"chart-usage-{dim}", bars))
    _need([{}] if charts else [], "no rows")
    return text("fig_subgroups", year=year), charts


def _province(s: Snapshot) -> tuple[Text, list[str]]:
    mart = "mart_elp_province_overview"
    year = _latest_year(s, mart)
    rows = _need(
        s.rows(
            mart,
            "select * from {mart} where year = ? and province_code <> 'belgium' "
            "order by province_code",
            [year],
        ),
        "no provinces",
    )
    charts = []
    for col, kind, title in (
        ("ghq2_share", "rate", "ghq2_share"),
        ("providers_per_100k", "decimal", "providers_per_100k"),
        ("usage_rate", "rate", "usage_rate"),
    ):
        bars = [
            Bar(
                s.label("province", r["province_code"], r),
                r[col],
                r.get(f"{col}_ci_low"),
                r.get(f"{col}_ci_high"),
            )
            for r in rows
        ]
        charts.append(t(text(title), "h4"))
        charts.append(bar_chart(f"chart-province-{col}", bars, kind=kind))
    return text("fig_province", year=year), charts


def _services_mix(s: Snapshot) -> tuple[Text, list[str]]:
    mart = "mart_elp_services_mix"
    year = _latest_year(s, mart)
    rows = _need(
        s.rows(
            mart,
            "select * from {mart} where year = ? and area not like 'BE-%' "
            "order by dimension, category",
            [year],
        ),
        "no national rows",
    )
    charts = []
    for dim in sorted({r["dimension"] for r in rows}):
        bars = [
            Bar(s.label(dim, r["category"], r), r["share"], r["share_ci_low"], r["share_ci_high"])
            for r in rows
            if r["dimension"] == dim
        ]
        charts.append(t(s.labels.get(("dimension", dim)) or same(dim), "h4"))
        charts.append(bar_chart(f"chart-services-{dim}", bars))
    return text("fig_services_mix", year=year), charts


def _pick(cols: set[str], *candidates: str) -> str:
    for c in candidates:
        if c in cols:
            return c
    raise NotAvailableError(f"none of the columns {', '.join(candidates)}")


def _sessions(s: Snapshot) -> tuple[Text, list[str]]:
    mart = "mart_elp_sessions_per_patient"
    cols = s.columns(mart)
    rows = _need(
        s.rows(mart, "select * from {mart} where dimension = 'total' order by cohort_year"),
        "no total rows",
    )
    names = {"p25": "P25", "median": "P50", "mean": "mean", "p75": "P75", "p95": "P95"}
    stats = [(c, n) for c, n in names.items() if f"{c}_sessions" in cols]
    if not stats:
        raise NotAvailableError("no session statistics columns")
    years = [int(r["cohort_year"]) for r in rows]
    series = [Series(same(n), [r[f"{c}_sessions"] for r in rows]) for c, n in stats]
    return text("fig_sessions"), [line_chart("chart-sessions", years, series, kind="decimal")]


def _share_bars(s: Snapshot, mart: str, dim_col: str, prefix: str) -> list[str]:
    cols = s.columns(mart)
    share = _pick(cols, "share", "patients_share", "users_share", "population_share")
    year_col = _pick(cols, "cohort_year", "year")
    conds = ["dimension = 'total'"] if "dimension" in cols else []
    conds += ["elp_status = 'all'"] if "elp_status" in cols else []
    where = "where " + " and ".join(conds) if conds else ""
    rows = _need(s.rows(mart, f"select * from {{mart}} {where} order by all"), "no rows")
    latest = max(r[year_col] for r in rows)
    rows = [r for r in rows if r[year_col] == latest]
    order = {k: i for i, k in enumerate(_sort_order(s, dim_col))}
    rows.sort(key=lambda r: (order.get(str(r[dim_col]), 99), str(r[dim_col])))
    groups = sorted({str(r.get("care_type") or "") for r in rows} - {"all"})
    charts = []
    for g in groups:
        sub = [r for r in rows if str(r.get("care_type") or "") == g]
        bars = [
            Bar(
                s.label(dim_col, str(r[dim_col]))
                if not g
                else {
                    lang: f"{s.label('care_type', g)[lang]} · "
                    f"{s.label(dim_col, str(r[dim_col]))[lang]}"
                    for lang in LANGS
                },
                r[share],
                r.get(f"{share}_ci_low"),
                r.get(f"{share}_ci_high"),
            )
            for r in sub
        ]
        charts.append(bar_chart(f"chart-{prefix}-{g or 'all'}", bars))
    return charts


def _sort_order(s: Snapshot, dim: str) -> list[str]:
    rows = s.con.execute(
        "select category from reference.labels where dimension = ? order by sort_order", [dim]
    ).fetchall()
    return [str(r[0]) for r in rows]


def _prior_care(s: Snapshot) -> tuple[Text, list[str]]:
    return text("fig_prior_care"), _share_bars(s, "mart_elp_prior_care", "prior_care", "prior")


def _transitions(s: Snapshot) -> tuple[Text, list[str]]:
    return text("fig_transitions"), _share_bars(
        s, "mart_elp_care_transitions", "period", "transitions"
    )


FIGURES = [
    Figure("care_use", "mart_mh_care_use", _care_use),
    Figure("users", "mart_elp_users_yearly", _users),
    Figure("subgroups", "mart_elp_usage", _subgroups),
    Figure("province", "mart_elp_province_overview", _province),
    Figure("services_mix", "mart_elp_services_mix", _services_mix),
    Figure("sessions", "mart_elp_sessions_per_patient", _sessions),
    Figure("prior_care", "mart_elp_prior_care", _prior_care),
    Figure("transitions", "mart_elp_care_transitions", _transitions),
]

TITLES = {
    "care_use": "fig_care_use",
    "users": "fig_users",
    "subgroups": "fig_subgroups",
    "province": "fig_province",
    "services_mix": "fig_services_mix",
    "sessions": "fig_sessions",
    "prior_care": "fig_prior_care",
    "transitions": "fig_transitions",
}


def span(years: list[int | None]) -> str:
    """'2019-2025' from the years a mart holds (the years are the data's, never written in the
    code: moving the analysis to another year changes the titles too); '' when none."""
    known = [int(y) for y in years if y is not None]
    if not known:
        return ""
    return str(min(known)) if min(known) == max(known) else f"{min(known)}-{max(known)}"
