"""The report's figures and tables: for each, the study's number, its source mart, the
analyses/ file whose rows it draws, its caption, its method note and its charts or table.

Every figure runs its analyses/ file (snapshot.analysis) with the `params` set to the years the
snapshot holds, so the report and a BI user pasting the same file read the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elp_warehouse.report import current_year
from elp_warehouse.report.charts import (
    Bar,
    Box,
    Cell,
    Series,
    bar_chart,
    box_chart,
    line_chart,
    t,
    table,
)
from elp_warehouse.report.i18n import LANGS, TEXTS, Text, age_population, number, same, text
from elp_warehouse.report.snapshot import NotAvailableError, Rows, Snapshot


@dataclass
class Drawn:
    caption: Text
    body: list[str]


@dataclass
class Figure:
    key: str
    ref: Text  # "Figuur 1" / "Figure 1" / "Figure 1"
    title: Text
    mart: str
    analysis: str  # the analyses/ file (stem) the figure runs
    method: str  # key of the method note in i18n.TEXTS
    draw: Callable[[Snapshot], Drawn]
    kind: str = "figure"  # or "table"


def _need(rows: Rows, why: str = "no rows") -> Rows:
    if not rows:
        raise NotAvailableError(why)
    return rows


def _fmt(template: Text, **values: object) -> Text:
    return {lang: template[lang].format(**values) for lang in LANGS}


def _span(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _group(rows: Rows, *keys: str) -> dict[tuple[Any, ...], Rows]:
    """Rows grouped by the given columns, in their first-seen order (the analyses' order)."""
    out: dict[tuple[Any, ...], Rows] = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return out


def _dim_label(s: Snapshot, dim: str) -> Text:
    return s.label("dimension", dim)


def _subgroup_label(s: Snapshot, r: dict[str, Any]) -> Text:
    return s.label(r["dimension"], r["category"])


def _share(r: dict[str, Any], col: str, kind: str = "rate") -> Cell:
    """A value with its interval; a null value is a suppressed cell (the analyses null the
    cells small-cell suppression removes)."""
    return Cell(r.get(col), kind, r.get(f"{col}_ci_low"), r.get(f"{col}_ci_high"))


# -- Figures 1 and 2: mental-health care use 2010-2024 -------------------------------------------


def _care_use(analysis: str, classification: str) -> Callable[[Snapshot], Drawn]:
    def draw(s: Snapshot) -> Drawn:
        mart = "mart_mh_care_use"
        lo, hi = s.span(mart)
        rows = _need(
            [
                r
                for r in s.analysis(analysis, mart, first_year=lo, last_year=hi)
                if r["is_exclusive"]
            ]
        )
        years = sorted({int(r["year"]) for r in rows})
        series = []
        for (cat,), cat_rows in _group(rows, "category").items():
            by_year = {int(r["year"]): r for r in cat_rows}
            pick = [by_year.get(y, {}) for y in years]
            series.append(
                Series(
                    s.label(classification, cat),
                    [r.get("population_share") for r in pick],
                    [r.get("population_share_ci_low") for r in pick],
                    [r.get("population_share_ci_high") for r in pick],
                )
            )
        caption = _fmt(TEXTS_CAPTION[analysis], years=_span(lo, hi))
        return Drawn(caption, [line_chart(f"chart-{analysis}", years, series)])

    return draw


# -- Figure 3, Annex 1 and budget utilisation: provinces ----------------------------------------


def _provinces(s: Snapshot) -> tuple[int, Rows]:
    mart = "mart_elp_province_overview"
    _, year = s.span(mart)
    rows = _need(s.analysis("fig03_province_need_supply_use", mart, year=year), "no provinces")
    return year, rows


def _province_label(s: Snapshot, r: dict[str, Any]) -> Text:
    code = r["province_code"]
    return s.label(
        "province" if code != "belgium" else "total",
        code,
        "mart_elp_province_overview",
        "province_code",
    )


def _province(s: Snapshot) -> Drawn:
    year, rows = _provinces(s)
    body = []
    for col, kind, title in (
        ("ghq2_share", "rate", "ghq2_share"),
        ("services_per_100_inhabitants", "decimal", "services_per_100"),
        ("usage_rate", "rate", "usage_rate"),
        ("providers_per_100k", "decimal", "providers_per_100k"),
    ):
        ci = "services_per_100" if col.startswith("services") else col
        bars = [
            Bar(_province_label(s, r), r[col], r.get(f"{ci}_ci_low"), r.get(f"{ci}_ci_high"))
            for r in rows
        ]
        body += [t(text(title), "h4"), bar_chart(f"chart-province-{col}", bars, kind=kind)]
    head = [
        text("category"),
        text("providers"),
        text("per_100k"),
        text("conventioned_share"),
        text("services_per_provider"),
    ]
    cells = [
        [
            Cell(label=_province_label(s, r)),
            Cell(r["providers"], "count"),
            Cell(r["providers_per_100k"], "decimal"),
            Cell(r["conventioned_share_of_licensed"], "rate"),
            Cell(r["services_per_provider"], "decimal"),
        ]
        for r in rows
    ]
    body += [t(text("annex1"), "h4"), table("table-annex1", head, cells)]
    return Drawn(_fmt(TEXTS_CAPTION["fig03_province_need_supply_use"], year=year), body)


def _budget(s: Snapshot) -> Drawn:
    year, rows = _provinces(s)
    bars = [Bar(_province_label(s, r), r["budget_utilisation"]) for r in rows]
    head = [text("category"), text("budget"), text("spending"), text("budget_utilisation")]
    cells = []
    for r in rows:
        budget = number(r["budget_eur"], "eur")
        if r["budget_is_estimate"]:
            budget = {lang: f"{budget[lang]} *" for lang in LANGS}
        cells.append(
            [
                Cell(label=_province_label(s, r)),
                Cell(label=budget),
                Cell(r["spending_eur_extrapolated"], "eur"),
                Cell(r["budget_utilisation"], "rate"),
            ]
        )
    return Drawn(
        _fmt(TEXTS_CAPTION["budget"], year=year),
        [bar_chart("chart-budget", bars, kind="rate"), table("table-budget", head, cells)],
    )


# -- Figure 4, Figure 5, Figure 6: users ---------------------------------------------------------


def _users(s: Snapshot) -> Drawn:
    mart = "mart_elp_users_yearly"
    lo, hi = s.span(mart)
    rows = _need(s.analysis("fig04_users_per_year", mart, first_year=lo, last_year=hi))
    bars = [Bar(same(str(r["year"])), r["users_extrapolated"]) for r in rows]
    rate = [
        Bar(same(str(r["year"])), r["usage_rate"], r["usage_rate_ci_low"], r["usage_rate_ci_high"])
        for r in rows
    ]
    return Drawn(
        _fmt(TEXTS_CAPTION["fig04_users_per_year"], years=_span(lo, hi)),
        [
            t(text("users_extrapolated"), "h4"),
            bar_chart("chart-users-count", bars, kind="count"),
            t(text("usage_rate"), "h4"),
            bar_chart("chart-users-rate", rate, kind="rate"),
        ],
    )


def _by_dimension(s: Snapshot, rows: Rows, prefix: str, col: str, kind: str = "rate") -> list[str]:
    body = []
    for (dim,), dim_rows in _group(rows, "dimension").items():
        if dim == "total":
            continue
        bars = [
            Bar(_subgroup_label(s, r), r[col], r.get(f"{col}_ci_low"), r.get(f"{col}_ci_high"))
            for r in dim_rows
        ]
        body += [t(_dim_label(s, dim), "h4"), bar_chart(f"chart-{prefix}-{dim}", bars, kind)]
    return body


def _subgroups(s: Snapshot) -> Drawn:
    mart = "mart_elp_usage"
    _, year = s.span(mart)
    rows = _need(s.analysis("fig05_usage_rate_by_subgroup", mart, year=year))
    return Drawn(
        _fmt(TEXTS_CAPTION["fig05_usage_rate_by_subgroup"], year=year),
        _by_dimension(s, rows, "usage", "usage_rate"),
    )


def _outreach(s: Snapshot) -> Drawn:
    mart = "mart_elp_users_by_setting"
    _, year = s.span(mart)
    rows = _need(s.analysis("fig06_outreach_share_by_subgroup", mart, year=year))
    total = [r for r in rows if r["dimension"] == "total"]
    body = []
    if total:
        body.append(
            bar_chart(
                "chart-outreach-total",
                [
                    Bar(
                        _subgroup_label(s, r),
                        r["users_share"],
                        r["users_share_ci_low"],
                        r["users_share_ci_high"],
                    )
                    for r in total
                ],
            )
        )
    body += _by_dimension(s, rows, "outreach", "users_share")
    return Drawn(_fmt(TEXTS_CAPTION["fig06_outreach_share_by_subgroup"], year=year), body)


# -- Tables 1-4 and section 3.2.2 ---------------------------------------------------------------


def _last_three(lo: int, hi: int) -> tuple[int, int]:
    """The study's tables show the three last years (2022-2024 in the study)."""
    return max(lo, hi - 2), hi


def _year_table(
    s: Snapshot,
    table_id: str,
    rows: Rows,
    keys: tuple[str, ...],
    label: Callable[[dict[str, Any]], Text],
    value: str,
    count: str | None,
    head: Text,
) -> str:
    years = sorted({int(r["year"]) for r in rows})
    heading = [head]
    for y in years:
        if count:
            heading.append(text("users_year", year=y))
        heading.append(text("share_year", year=y))
    cells = []
    for _, group in _group(rows, *keys).items():
        by_year = {int(r["year"]): r for r in group}
        line = [Cell(label=label(group[0]))]
        for y in years:
            r = by_year.get(y, {"is_suppressed": True})
            if count:
                line.append(Cell(r.get(count), "count", suppressed=r.get(count) is None))
            line.append(_share(r, value))
        cells.append(line)
    return table(table_id, heading, cells)


def _services_mix(s: Snapshot) -> Drawn:
    mart = "mart_elp_services_mix"
    lo, hi = _last_three(*s.span(mart))
    rows = _need(
        s.analysis("tab01_services_mix", mart, first_year=lo, last_year=hi, area="belgium")
    )
    body = []
    for (dim,), dim_rows in _group(rows, "dimension").items():
        body += [
            t(_dim_label(s, dim), "h4"),
            _year_table(
                s,
                f"table-services-{dim}",
                dim_rows,
                ("category",),
                lambda r: s.label(r["dimension"], r["category"]),
                "share",
                None,
                text("category"),
            ),
        ]
    return Drawn(_fmt(TEXTS_CAPTION["tab01_services_mix"], years=_span(lo, hi)), body)


def _density(s: Snapshot) -> Drawn:
    mart = "mart_elp_provider_density"
    lo, hi = s.span(mart)
    rows = _need(s.analysis("sec322_provider_density", mart, first_year=lo, last_year=hi))
    labels = {r["network_type"]: s.label("network_type", r["network_type"], mart) for r in rows}
    series = []
    years = sorted({int(r["year"]) for r in rows})
    for (net,), net_rows in _group(rows, "network_type").items():
        by_year = {int(r["year"]): r for r in net_rows}
        series.append(
            Series(labels[net], [by_year.get(y, {}).get("providers_per_100k") for y in years])
        )
    head = [
        text("year"),
        text("category"),
        text("age_population"),
        text("providers"),
        text("share_of_providers"),
        text("per_100k"),
    ]
    cells = [
        [
            Cell(label=same(str(r["year"]))),
            Cell(label=labels[r["network_type"]]),
            Cell(label=age_population(str(r["age_population"]))),
            Cell(r["providers"], "count"),
            Cell(r["share_of_providers"], "rate"),
            Cell(r["providers_per_100k"], "decimal"),
        ]
        for r in rows
    ]
    return Drawn(
        _fmt(TEXTS_CAPTION["sec322_provider_density"], years=_span(lo, hi)),
        [
            line_chart("chart-density", years, series, kind="decimal"),
            table("table-density", head, cells),
        ],
    )


def _functions(s: Snapshot) -> Drawn:
    mart = "mart_elp_users_by_function"
    lo, hi = _last_three(*s.span(mart))
    rows = _need(s.analysis("tab02_users_by_function", mart, first_year=lo, last_year=hi))

    def label(r: dict[str, Any]) -> Text:
        if r["function"] == "total":
            return s.label("dimension", "total")
        return s.label("function", r["function"])

    return Drawn(
        _fmt(TEXTS_CAPTION["tab02_users_by_function"], years=_span(lo, hi)),
        [
            _year_table(
                s,
                "table-functions",
                rows,
                ("function",),
                label,
                "users_share",
                "users_extrapolated",
                s.label("dimension", "function"),
            )
        ],
    )


def _function_profile(s: Snapshot) -> Drawn:
    mart = "mart_elp_users_by_function"
    _, year = s.span(mart)
    rows = _need(s.analysis("tab03_users_by_function_profile", mart, year=year))
    functions = ("support", "treatment", "both", "other")
    head = [text("subgroup"), text("users")] + [
        {
            lang: TEXTS["function_share"][lang].format(label=s.label("function", f)[lang])
            for lang in LANGS
        }
        for f in functions
    ]
    cells = []
    for r in rows:
        lab = _subgroup_label(s, r)
        if r["dimension"] != "total":
            dim = _dim_label(s, r["dimension"])
            lab = {lang: f"{dim[lang]}: {lab[lang]}" for lang in LANGS}
        line = [Cell(label=lab), Cell(r["users_total"], "count")]
        line += [
            Cell(
                r[f"share_{f}"],
                "rate",
                r[f"share_{f}_ci_low"],
                r[f"share_{f}_ci_high"],
                suppressed=r[f"share_{f}"] is None,
            )
            for f in functions
        ]
        cells.append(line)
    return Drawn(
        _fmt(TEXTS_CAPTION["tab03_users_by_function_profile"], year=year),
        [table("table-function-profile", head, cells)],
    )


def _network_place(s: Snapshot) -> Drawn:
    mart = "mart_elp_users_by_setting"
    lo, hi = _last_three(*s.span(mart))
    rows = _need(s.analysis("tab04_users_by_network_and_place", mart, first_year=lo, last_year=hi))
    body = []
    for (block,), block_rows in _group(rows, "block").items():
        dim = "network_type" if block == "network" else "setting"

        def label(r: dict[str, Any], dim: str = dim) -> Text:
            return s.label(dim, r["category"])

        body += [
            t(text(f"block_{block}"), "h4"),
            _year_table(
                s,
                f"table-network-place-{block}",
                block_rows,
                ("category",),
                label,
                "users_share",
                "users_extrapolated",
                text("category"),
            ),
        ]
    return Drawn(_fmt(TEXTS_CAPTION["tab04_users_by_network_and_place"], years=_span(lo, hi)), body)


# -- Figures 7-9 and Annex 5: sessions per patient -----------------------------------------------


def _box(label: Text, r: dict[str, Any]) -> Box:
    return Box(
        label,
        r["p25_sessions"],
        r["median_sessions"],
        r["p75_sessions"],
        r["p95_sessions"],
        r["mean_sessions"],
        r["mean_sessions_ci_low"],
        r["mean_sessions_ci_high"],
    )


def _sessions(s: Snapshot) -> Drawn:
    mart = "mart_elp_sessions_per_patient"
    lo, hi = s.span(mart, "cohort_year")
    rows = _need(
        s.analysis("fig07_sessions_by_cohort_year", mart, first_cohort_year=lo, last_cohort_year=hi)
    )
    boxes = [_box(same(str(r["cohort_year"])), r) for r in rows]
    return Drawn(
        _fmt(TEXTS_CAPTION["fig07_sessions_by_cohort_year"], years=_span(lo, hi)),
        [box_chart("chart-sessions-cohort", boxes)],
    )


def _sessions_by(analysis: str, dimension: str) -> Callable[[Snapshot], Drawn]:
    def draw(s: Snapshot) -> Drawn:
        mart = "mart_elp_sessions_per_patient"
        _, hi = s.span(mart, "cohort_year")
        rows = _need(s.analysis(analysis, mart, cohort_year=hi, dimension=dimension))
        boxes = [_box(_subgroup_label(s, r), r) for r in rows]
        return Drawn(
            _fmt(TEXTS_CAPTION[analysis], cohort=hi),
            [box_chart(f"chart-sessions-{dimension}", boxes)],
        )

    return draw


def _annex5(s: Snapshot) -> Drawn:
    mart = "mart_elp_sessions_per_patient"
    lo, hi = _last_three(*s.span(mart, "cohort_year"))
    rows = _need(
        s.analysis("annex5_sessions_by_subgroup", mart, first_cohort_year=lo, last_cohort_year=hi)
    )
    years = sorted({int(r["cohort_year"]) for r in rows})
    head = [text("subgroup")] + [text("mean_year", year=y) for y in years]
    cells = []
    for (dim, cat), group in _group(rows, "dimension", "category").items():
        by_year = {int(r["cohort_year"]): r for r in group}
        lab = s.label(dim, cat)
        if dim != "total":
            d = _dim_label(s, dim)
            lab = {lang: f"{d[lang]}: {lab[lang]}" for lang in LANGS}
        cells.append(
            [Cell(label=lab)]
            + [
                _share(by_year.get(y, {"is_suppressed": True}), "mean_sessions", "decimal")
                for y in years
            ]
        )
    return Drawn(
        _fmt(TEXTS_CAPTION["annex5_sessions_by_subgroup"], years=_span(lo, hi)),
        [table("table-annex5", head, cells)],
    )


# -- Figures 10-14: care before, during and after ------------------------------------------------


def _prior_label(s: Snapshot, code: str) -> Text:
    return s.label("prior_care", code, "mart_elp_prior_care", "prior_care", "prior_care_label_")


def _prior_by_cohort(s: Snapshot) -> Drawn:
    mart = "mart_elp_prior_care"
    lo, hi = s.span(mart, "cohort_year")
    rows = _need(
        s.analysis(
            "fig10_prior_care_by_cohort_year", mart, first_cohort_year=lo, last_cohort_year=hi
        )
    )
    years = sorted({int(r["cohort_year"]) for r in rows})
    series = []
    for (code,), group in _group(rows, "prior_care").items():
        by_year = {int(r["cohort_year"]): r for r in group}
        pick = [by_year.get(y, {}) for y in years]
        series.append(
            Series(
                _prior_label(s, code),
                [r.get("share") for r in pick],
                [r.get("share_ci_low") for r in pick],
                [r.get("share_ci_high") for r in pick],
            )
        )
    return Drawn(
        _fmt(TEXTS_CAPTION["fig10_prior_care_by_cohort_year"], years=_span(lo, hi)),
        [line_chart("chart-prior-cohort", years, series)],
    )


def _prior_by_subgroup(s: Snapshot) -> Drawn:
    mart = "mart_elp_prior_care"
    _, hi = s.span(mart, "cohort_year")
    rows = _need(s.analysis("fig11_prior_care_by_subgroup", mart, cohort_year=hi))
    codes = list(dict.fromkeys(r["prior_care"] for r in rows))
    head = [text("subgroup")] + [_prior_label(s, c) for c in codes]
    cells = []
    for (dim, cat), group in _group(rows, "dimension", "category").items():
        by_code = {r["prior_care"]: r for r in group}
        lab = s.label(dim, cat)
        if dim != "total":
            d = _dim_label(s, dim)
            lab = {lang: f"{d[lang]}: {lab[lang]}" for lang in LANGS}
        cells.append(
            [Cell(label=lab)]
            + [_share(by_code.get(c, {"is_suppressed": True}), "share") for c in codes]
        )
    return Drawn(
        _fmt(TEXTS_CAPTION["fig11_prior_care_by_subgroup"], cohort=hi),
        [table("table-prior-subgroup", head, cells)],
    )


def _transitions(s: Snapshot) -> Drawn:
    mart = "mart_elp_care_transitions"
    _, hi = s.span(mart, "cohort_year")
    rows = _need(s.analysis("fig12_care_before_during_after", mart, cohort_year=hi))
    body = []
    head = [
        s.label("dimension", "care_type"),
        text("share_all"),
        text("share_with_elp_after"),
        text("share_without_elp_after"),
    ]
    for (period,), group in _group(rows, "period").items():
        by_type = _group(group, "care_type")
        bars, cells = [], []
        for (care,), care_rows in by_type.items():
            status = {r["elp_status"]: r for r in care_rows}
            bar, cells_row = _by_elp_after(s.label("care_type", care, mart), status, "share")
            if care != "all":  # the period's whole cohort (100 %) is in the table only
                bars.append(bar)
            cells.append(cells_row)
        body += [
            t(s.label("period", period), "h4"),
            bar_chart(f"chart-transitions-{period}", bars),
            table(f"table-transitions-{period}", head, cells),
        ]
    return Drawn(_fmt(TEXTS_CAPTION["fig12_care_before_during_after"], cohort=hi), body)


def _by_elp_after(lab: Text, by: dict[Any, Any], share: str) -> tuple[Bar, list[Cell]]:
    """Figures 12-14: the bar of the whole group and the table row split by ELP care after."""
    every = by.get("all", {"is_suppressed": True})
    bar = Bar(lab, every.get(share), every.get(f"{share}_ci_low"), every.get(f"{share}_ci_high"))
    row = [Cell(label=lab)] + [
        _share(by.get(k, {"is_suppressed": True}), share)
        for k in ("all", "with_elp_after", "without_elp_after")
    ]
    return bar, row


def _pattern_label(pattern: str) -> Text:
    words = [text("yes") if p == "Y" else text("no") for p in pattern.split("-")]
    if len(words) != 3 or any(p not in ("Y", "N") for p in pattern.split("-")):
        raise NotAvailableError(f"unknown pattern {pattern!r}")
    return {lang: " · ".join(w[lang] for w in words) for lang in LANGS}


def _trajectories(analysis: str, care: str) -> Callable[[Snapshot], Drawn]:
    def draw(s: Snapshot) -> Drawn:
        mart = "mart_elp_individual_trajectories"
        _, hi = s.span(mart, "cohort_year")
        rows = _need(s.analysis(analysis, mart, cohort_year=hi))
        body = []
        head = [
            text("pattern"),
            text("share_all"),
            text("share_with_elp_after"),
            text("share_without_elp_after"),
        ]
        for (group,), group_rows in _group(rows, "start_group").items():
            size = group_rows[0]["start_group_patients_extrapolated"]
            title = text(f"start_{group}_{care}")
            n = number(size, "count")
            heading = {lang: f"{title[lang]} ({n[lang]})" for lang in LANGS}
            bars, cells = [], []
            for (pattern,), p_rows in _group(group_rows, "pattern").items():
                by = {r["elp_after"]: r for r in p_rows}
                bar, cells_row = _by_elp_after(_pattern_label(pattern), by, "share_of_start_group")
                bars.append(bar)
                cells.append(cells_row)
            body += [
                t(heading, "h4"),
                bar_chart(f"chart-{care}-{group}", bars),
                table(f"table-{care}-{group}", head, cells),
            ]
        return Drawn(_fmt(TEXTS_CAPTION[analysis], cohort=hi), body)

    return draw


TEXTS_CAPTION: dict[str, Text] = {
    "fig01_mh_care_use": {
        "nl": "Aandeel van de bevolking met terugbetaalde geestelijke gezondheidszorg per jaar, "
        "{years}, in vier elkaar uitsluitende categorieën (ambulante zorg, psychofarmaca, "
        "beide, acute of residentiële zorg). Bevolking: alle inwoners van België (IMA).",
        "fr": "Part de la population ayant recours à des soins de santé mentale remboursés par "
        "an, {years}, en quatre catégories exclusives (soins ambulatoires, psychotropes, les "
        "deux, soins aigus ou résidentiels). Population : tous les habitants de la Belgique "
        "(AIM).",
        "en": "Share of the population using reimbursed mental-health care per year, {years}, "
        "in four mutually exclusive categories (ambulatory care, psychotropics, both, acute or "
        "residential care). Population: all inhabitants of Belgium (IMA).",
    },
    "fig02_ambulatory_mh_care": {
        "nl": "Aandeel van de bevolking met ambulante geestelijke gezondheidszorg per jaar, "
        "{years}: psychiater, psycholoog (geconventioneerd of via de aanvullende verzekering) "
        "en hun combinaties, elkaar uitsluitend. Bevolking: alle inwoners van België (IMA).",
        "fr": "Part de la population ayant recours à des soins de santé mentale ambulatoires "
        "par an, {years} : psychiatre, psychologue (conventionné ou via l'assurance "
        "complémentaire) et leurs combinaisons, exclusives. Population : tous les habitants de "
        "la Belgique (AIM).",
        "en": "Share of the population using ambulatory mental-health care per year, {years}: "
        "psychiatrist, psychologist (conventioned or through the complementary insurance) and "
        "their combinations, mutually exclusive. Population: all inhabitants of Belgium (IMA).",
    },
    "fig03_province_need_supply_use": {
        "nl": "Behoefte (aandeel GHQ 2+), prestaties per 100 inwoners, gebruiksgraad en "
        "geconventioneerde zorgverleners per 100.000 inwoners, per provincie en voor België, "
        "{year}; de tabel (bijlage 1) geeft het aanbod in detail. Bevolking: inwoners van elke "
        "provincie.",
        "fr": "Besoin (part GHQ 2+), prestations pour 100 habitants, taux de recours et "
        "prestataires conventionnés pour 100 000 habitants, par province et pour la Belgique, "
        "{year} ; le tableau (annexe 1) détaille l'offre. Population : habitants de chaque "
        "province.",
        "en": "Need (GHQ 2+ share), services per 100 inhabitants, usage rate and conventioned "
        "providers per 100,000 inhabitants, by province and for Belgium, {year}; the table "
        "(Annex 1) details the supply. Population: inhabitants of each province.",
    },
    "budget": {
        "nl": "Benutting van het budget per provincie en voor België, {year}: geëxtrapoleerde "
        "uitgaven voor de conventie gedeeld door de budgetenveloppe. Bevolking: inwoners van "
        "elke provincie.",
        "fr": "Utilisation du budget par province et pour la Belgique, {year} : dépenses "
        "extrapolées de la convention divisées par l'enveloppe budgétaire. Population : "
        "habitants de chaque province.",
        "en": "Budget utilisation by province and for Belgium, {year}: extrapolated spending "
        "under the convention divided by the budget envelope. Population: inhabitants of each "
        "province.",
    },
    "fig04_users_per_year": {
        "nl": "Aantal personen met minstens één ELP-sessie per jaar (geëxtrapoleerd) en "
        "gebruiksgraad, {years}. Bevolking: alle inwoners van België (IMA).",
        "fr": "Nombre de personnes ayant eu au moins une séance de soins psychologiques de "
        "première ligne par an (extrapolé) et taux de recours, {years}. Population : tous les "
        "habitants de la Belgique (AIM).",
        "en": "Persons with at least one ELP session per year (extrapolated) and usage rate, "
        "{years}. Population: all inhabitants of Belgium (IMA).",
    },
    "fig05_usage_rate_by_subgroup": {
        "nl": "Gebruiksgraad van de ELP per subgroep (leeftijd, geslacht, VT, gewest, "
        "socioprofessionele en specifieke categorie, netwerktype), {year}. Bevolking: inwoners "
        "van België in elke subgroep.",
        "fr": "Taux de recours par sous-groupe (âge, sexe, BIM, région, catégorie "
        "socioprofessionnelle et spécifique, type de réseau), {year}. Population : habitants de "
        "la Belgique dans chaque sous-groupe.",
        "en": "ELP usage rate by subgroup (age, sex, VT, region, socio-professional and specific "
        "category, network type), {year}. Population: inhabitants of Belgium in each subgroup.",
    },
    "fig06_outreach_share_by_subgroup": {
        "nl": "Aandeel van de ELP-gebruikers met minstens één sessie op een vindplaats, per "
        "subgroep, {year}. Bevolking: ELP-gebruikers van het jaar in elke subgroep.",
        "fr": "Part des utilisateurs ayant eu au moins une séance dans un lieu de vie "
        "(outreach), par sous-groupe, {year}. Population : utilisateurs de l'année dans chaque "
        "sous-groupe.",
        "en": "Share of ELP users with at least one session at an outreach site, by subgroup, "
        "{year}. Population: the year's ELP users in each subgroup.",
    },
    "tab01_services_mix": {
        "nl": "Verdeling van de ELP-prestaties naar plaats, functie en netwerktype, België, "
        "{years}. Bevolking: alle terugbetaalde ELP-prestaties van het jaar.",
        "fr": "Répartition des prestations par lieu, fonction et type de réseau, Belgique, "
        "{years}. Population : toutes les prestations remboursées de l'année.",
        "en": "ELP services by setting, function and network type, Belgium, {years}. "
        "Population: all reimbursed ELP services of the year.",
    },
    "sec322_provider_density": {
        "nl": "Geconventioneerde zorgverleners per netwerktype en per 100.000 inwoners van de "
        "leeftijdsbevolking van dat netwerktype, {years}.",
        "fr": "Prestataires conventionnés par type de réseau et pour 100 000 habitants de la "
        "population d'âge de ce type de réseau, {years}.",
        "en": "Conventioned providers by network type and per 100,000 inhabitants of that "
        "network type's age population, {years}.",
    },
    "tab02_users_by_function": {
        "nl": "ELP-gebruikers per functie (enkel ondersteuning, enkel behandeling, beide, "
        "andere), aantal en aandeel, {years}. Bevolking: ELP-gebruikers van het jaar.",
        "fr": "Utilisateurs par fonction (soutien seul, traitement seul, les deux, autre), "
        "nombre et part, {years}. Population : utilisateurs de l'année.",
        "en": "ELP users by function (support only, treatment only, both, other), number and "
        "share, {years}. Population: the year's ELP users.",
    },
    "tab03_users_by_function_profile": {
        "nl": "ELP-gebruikers per functie en sociaal-demografisch profiel, {year}: aantal "
        "gebruikers van de subgroep en het aandeel van elke functie. Bevolking: ELP-gebruikers "
        "van het jaar.",
        "fr": "Utilisateurs par fonction et profil socio-démographique, {year} : nombre "
        "d'utilisateurs du sous-groupe et part de chaque fonction. Population : utilisateurs de "
        "l'année.",
        "en": "ELP users by function and socio-demographic profile, {year}: the subgroup's "
        "users and each function's share. Population: the year's ELP users.",
    },
    "tab04_users_by_network_and_place": {
        "nl": "ELP-gebruikers per netwerk en plaats van de sessies, {years}. Bevolking: "
        "ELP-gebruikers van het jaar.",
        "fr": "Utilisateurs par réseau et lieu des séances, {years}. Population : utilisateurs "
        "de l'année.",
        "en": "ELP users by network and place of the sessions, {years}. Population: the year's "
        "ELP users.",
    },
    "fig07_sessions_by_cohort_year": {
        "nl": "Aantal sessies per patiënt in de 12 maanden na de eerste sessie, per startjaar "
        "van het traject, {years}: kwartielen, P95 en gemiddelde. Bevolking: nieuwe "
        "ELP-patiënten van elk startjaar.",
        "fr": "Nombre de séances par patient dans les 12 mois suivant la première séance, par "
        "année de début du trajet, {years} : quartiles, P95 et moyenne. Population : nouveaux "
        "patients de chaque année de début.",
        "en": "Sessions per patient in the 12 months after the first session, by the year the "
        "trajectory started, {years}: quartiles, P95 and mean. Population: new ELP patients of "
        "each start year.",
    },
    "fig08_sessions_by_vt": {
        "nl": "Aantal sessies per patiënt over 12 maanden volgens VT-statuut, trajecten gestart "
        "in {cohort}. Bevolking: nieuwe ELP-patiënten van {cohort}.",
        "fr": "Nombre de séances par patient sur 12 mois selon le statut BIM, trajets commencés "
        "en {cohort}. Population : nouveaux patients de {cohort}.",
        "en": "Sessions per patient over 12 months by VT status, trajectories started in "
        "{cohort}. Population: new ELP patients of {cohort}.",
    },
    "fig09_sessions_by_region": {
        "nl": "Aantal sessies per patiënt over 12 maanden per gewest, trajecten gestart in "
        "{cohort}. Bevolking: nieuwe ELP-patiënten van {cohort}.",
        "fr": "Nombre de séances par patient sur 12 mois par région, trajets commencés en "
        "{cohort}. Population : nouveaux patients de {cohort}.",
        "en": "Sessions per patient over 12 months by region, trajectories started in {cohort}. "
        "Population: new ELP patients of {cohort}.",
    },
    "annex5_sessions_by_subgroup": {
        "nl": "Gemiddeld aantal sessies per patiënt over 12 maanden per subgroep, trajecten "
        "gestart in {years}. Bevolking: nieuwe ELP-patiënten van elk startjaar.",
        "fr": "Nombre moyen de séances par patient sur 12 mois par sous-groupe, trajets "
        "commencés en {years}. Population : nouveaux patients de chaque année de début.",
        "en": "Mean sessions per patient over 12 months by subgroup, trajectories started in "
        "{years}. Population: new ELP patients of each start year.",
    },
    "fig10_prior_care_by_cohort_year": {
        "nl": "Geestelijke gezondheidszorg in de 24 maanden vóór de eerste ELP-sessie, per "
        "startjaar, {years} (elkaar uitsluitende categorieën). Bevolking: nieuwe ELP-patiënten "
        "van elk startjaar.",
        "fr": "Soins de santé mentale dans les 24 mois avant la première séance, par année de "
        "début, {years} (catégories exclusives). Population : nouveaux patients de chaque "
        "année de début.",
        "en": "Mental-health care in the 24 months before the first ELP session, by start "
        "year, {years} (mutually exclusive categories). Population: new ELP patients of each "
        "start year.",
    },
    "fig11_prior_care_by_subgroup": {
        "nl": "Geestelijke gezondheidszorg in de 24 maanden vóór de eerste ELP-sessie, per "
        "subgroep, trajecten gestart in {cohort}. Bevolking: nieuwe ELP-patiënten van {cohort}.",
        "fr": "Soins de santé mentale dans les 24 mois avant la première séance, par "
        "sous-groupe, trajets commencés en {cohort}. Population : nouveaux patients de "
        "{cohort}.",
        "en": "Mental-health care in the 24 months before the first ELP session, by subgroup, "
        "trajectories started in {cohort}. Population: new ELP patients of {cohort}.",
    },
    "fig12_care_before_during_after": {
        "nl": "Andere geestelijke gezondheidszorg vóór, tijdens en na het ELP-traject, en of de "
        "patiënt na het traject nog ELP gebruikt, cohorte {cohort}. Bevolking: patiënten met "
        "een eerste sessie in {cohort}.",
        "fr": "Autres soins de santé mentale avant, pendant et après le trajet, et recours ou "
        "non aux soins psychologiques de première ligne après, cohorte {cohort}. Population : "
        "patients dont la première séance date de {cohort}.",
        "en": "Other mental-health care before, during and after the ELP trajectory, and "
        "whether the patient still uses ELP after it, cohort {cohort}. Population: patients "
        "with a first session in {cohort}.",
    },
    "fig13_antidepressant_trajectories": {
        "nl": "Antidepressiva vóór, tijdens en na het traject (ja/nee per periode), als aandeel "
        "van de startgroep, cohorte {cohort}. Bevolking: patiënten met een eerste sessie in "
        "{cohort}.",
        "fr": "Antidépresseurs avant, pendant et après le trajet (oui/non par période), en part "
        "du groupe de départ, cohorte {cohort}. Population : patients dont la première séance "
        "date de {cohort}.",
        "en": "Antidepressants before, during and after the trajectory (yes/no per period), as "
        "a share of the start group, cohort {cohort}. Population: patients with a first "
        "session in {cohort}.",
    },
    "fig14_psychiatrist_trajectories": {
        "nl": "Consultaties bij een psychiater vóór, tijdens en na het traject (ja/nee per "
        "periode), als aandeel van de startgroep, cohorte {cohort}. Bevolking: patiënten met "
        "een eerste sessie in {cohort}.",
        "fr": "Consultations chez un psychiatre avant, pendant et après le trajet (oui/non par "
        "période), en part du groupe de départ, cohorte {cohort}. Population : patients dont "
        "la première séance date de {cohort}.",
        "en": "Psychiatrist consultations before, during and after the trajectory (yes/no per "
        "period), as a share of the start group, cohort {cohort}. Population: patients with a "
        "first session in {cohort}.",
    },
}


def _ref(kind: str, n: str) -> Text:
    return text(f"ref_{kind}", n=n)


def _panel(draw: Callable[[Snapshot], current_year.Panel]) -> Callable[[Snapshot], Drawn]:
    """A figure of the current-year panel (current_year.py)."""

    def drawn(s: Snapshot) -> Drawn:
        return Drawn(*draw(s))

    return drawn


def _title(nl: str, fr: str, en: str) -> Text:
    return {"nl": nl, "fr": fr, "en": en}


FIGURES = [
    Figure(
        "fig01",
        _ref("figure", "1"),
        _title(
            "Gebruik van terugbetaalde geestelijke gezondheidszorg",
            "Recours aux soins de santé mentale remboursés",
            "Use of reimbursed mental-health care",
        ),
        "mart_mh_care_use",
        "fig01_mh_care_use",
        "method_weighted",
        _care_use("fig01_mh_care_use", "mh_care_figure_1"),
    ),
    Figure(
        "fig02",
        _ref("figure", "2"),
        _title(
            "Gebruik van ambulante geestelijke gezondheidszorg",
            "Recours aux soins de santé mentale ambulatoires",
            "Use of ambulatory mental-health care",
        ),
        "mart_mh_care_use",
        "fig02_ambulatory_mh_care",
        "method_weighted",
        _care_use("fig02_ambulatory_mh_care", "mh_care_figure_2"),
    ),
    Figure(
        "fig03",
        _ref("figure", "3"),
        _title(
            "Behoefte, aanbod en gebruik per provincie",
            "Besoin, offre et recours par province",
            "Need, supply and use by province",
        ),
        "mart_elp_province_overview",
        "fig03_province_need_supply_use",
        "method_province",
        _province,
    ),
    Figure(
        "sec322",
        _ref("section", "3.2.2"),
        _title(
            "Zorgverleners per 100.000 inwoners",
            "Prestataires pour 100 000 habitants",
            "Providers per 100,000 inhabitants",
        ),
        "mart_elp_provider_density",
        "sec322_provider_density",
        "method_density",
        _density,
    ),
    Figure(
        "budget",
        _ref("annex", "1"),
        _title(
            "Benutting van het budget per provincie",
            "Utilisation du budget par province",
            "Budget utilisation by province",
        ),
        "mart_elp_province_overview",
        "fig03_province_need_supply_use",
        "method_budget",
        _budget,
    ),
    Figure(
        "fig04",
        _ref("figure", "4"),
        _title("ELP-gebruikers per jaar", "Utilisateurs par an", "ELP users per year"),
        "mart_elp_users_yearly",
        "fig04_users_per_year",
        "method_weighted",
        _users,
    ),
    Figure(
        "fig05",
        _ref("figure", "5"),
        _title(
            "Gebruiksgraad per subgroep",
            "Taux de recours par sous-groupe",
            "Usage rate by subgroup",
        ),
        "mart_elp_usage",
        "fig05_usage_rate_by_subgroup",
        "method_weighted",
        _subgroups,
    ),
    Figure(
        "tab01",
        _ref("table", "1"),
        _title("Verdeling van de prestaties", "Répartition des prestations", "Services mix"),
        "mart_elp_services_mix",
        "tab01_services_mix",
        "method_weighted",
        _services_mix,
        "table",
    ),
    Figure(
        "tab02",
        _ref("table", "2"),
        _title("Gebruikers per functie", "Utilisateurs par fonction", "Users by function"),
        "mart_elp_users_by_function",
        "tab02_users_by_function",
        "method_weighted",
        _functions,
        "table",
    ),
    Figure(
        "tab03",
        _ref("table", "3"),
        _title(
            "Gebruikers per functie en profiel",
            "Utilisateurs par fonction et profil",
            "Users by function and profile",
        ),
        "mart_elp_users_by_function",
        "tab03_users_by_function_profile",
        "method_weighted",
        _function_profile,
        "table",
    ),
    Figure(
        "tab04",
        _ref("table", "4"),
        _title(
            "Gebruikers per netwerk en plaats",
            "Utilisateurs par réseau et lieu",
            "Users by network and place",
        ),
        "mart_elp_users_by_setting",
        "tab04_users_by_network_and_place",
        "method_network",
        _network_place,
        "table",
    ),
    Figure(
        "fig06",
        _ref("figure", "6"),
        _title(
            "Sessies op een vindplaats per subgroep",
            "Séances dans un lieu de vie par sous-groupe",
            "Outreach sessions by subgroup",
        ),
        "mart_elp_users_by_setting",
        "fig06_outreach_share_by_subgroup",
        "method_weighted",
        _outreach,
    ),
    Figure(
        "fig07",
        _ref("figure", "7"),
        _title(
            "Sessies per patiënt per startjaar",
            "Séances par patient par année de début",
            "Sessions per patient by start year",
        ),
        "mart_elp_sessions_per_patient",
        "fig07_sessions_by_cohort_year",
        "method_weighted",
        _sessions,
    ),
    Figure(
        "fig08",
        _ref("figure", "8"),
        _title(
            "Sessies per patiënt volgens VT-statuut",
            "Séances par patient selon le statut BIM",
            "Sessions per patient by VT status",
        ),
        "mart_elp_sessions_per_patient",
        "fig08_sessions_by_vt",
        "method_weighted",
        _sessions_by("fig08_sessions_by_vt", "vt"),
    ),
    Figure(
        "fig09",
        _ref("figure", "9"),
        _title(
            "Sessies per patiënt per gewest",
            "Séances par patient par région",
            "Sessions per patient by region",
        ),
        "mart_elp_sessions_per_patient",
        "fig09_sessions_by_region",
        "method_weighted",
        _sessions_by("fig09_sessions_by_region", "region"),
    ),
    Figure(
        "annex5",
        _ref("annex", "5"),
        _title(
            "Gemiddeld aantal sessies per subgroep",
            "Nombre moyen de séances par sous-groupe",
            "Mean sessions by subgroup",
        ),
        "mart_elp_sessions_per_patient",
        "annex5_sessions_by_subgroup",
        "method_weighted",
        _annex5,
        "table",
    ),
    Figure(
        "fig10",
        _ref("figure", "10"),
        _title(
            "Zorg vóór de eerste sessie per startjaar",
            "Soins avant la première séance par année",
            "Care before the first session by start year",
        ),
        "mart_elp_prior_care",
        "fig10_prior_care_by_cohort_year",
        "method_weighted",
        _prior_by_cohort,
    ),
    Figure(
        "fig11",
        _ref("figure", "11"),
        _title(
            "Zorg vóór de eerste sessie per subgroep",
            "Soins avant la première séance par sous-groupe",
            "Care before the first session by subgroup",
        ),
        "mart_elp_prior_care",
        "fig11_prior_care_by_subgroup",
        "method_weighted",
        _prior_by_subgroup,
    ),
    Figure(
        "fig12",
        _ref("figure", "12"),
        _title(
            "Zorg vóór, tijdens en na de ELP",
            "Soins avant, pendant et après",
            "Care before, during and after ELP",
        ),
        "mart_elp_care_transitions",
        "fig12_care_before_during_after",
        "method_weighted",
        _transitions,
    ),
    Figure(
        "fig13",
        _ref("figure", "13"),
        _title(
            "Antidepressiva vóór, tijdens en na",
            "Antidépresseurs avant, pendant et après",
            "Antidepressants before, during and after",
        ),
        "mart_elp_individual_trajectories",
        "fig13_antidepressant_trajectories",
        "method_weighted",
        _trajectories("fig13_antidepressant_trajectories", "antidepressants"),
    ),
    Figure(
        "fig14",
        _ref("figure", "14"),
        _title(
            "Psychiater vóór, tijdens en na",
            "Psychiatre avant, pendant et après",
            "Psychiatrist before, during and after",
        ),
        "mart_elp_individual_trajectories",
        "fig14_psychiatrist_trajectories",
        "method_weighted",
        _trajectories("fig14_psychiatrist_trajectories", "psychiatrist"),
    ),
    # the current-year panel: not in the study, which is retrospective (docs/nowcast.md)
    Figure(
        "nowcast",
        _ref("current", "1"),
        _title(
            "Geboekt en aangevuld, per maand",
            "Comptabilisé et complété, par mois",
            "Booked and completed, per month",
        ),
        current_year.NOWCAST,
        "nowcast1_completed_by_month",
        "method_nowcast",
        _panel(current_year.completed_by_month),
    ),
    Figure(
        "budget_projection",
        _ref("current", "2"),
        _title(
            "Geprojecteerde benutting van het budget",
            "Utilisation projetée du budget",
            "Projected budget utilisation",
        ),
        current_year.PROJECTION,
        "nowcast2_budget_projection",
        "method_projection",
        _panel(current_year.budget_projection),
    ),
    Figure(
        "nowcast_backtest",
        _ref("current", "3"),
        _title(
            "Backtest: dekking en fout per horizon",
            "Backtest : couverture et erreur par horizon",
            "Backtest: coverage and error by horizon",
        ),
        current_year.BACKTEST,
        "nowcast3_backtest_by_horizon",
        "method_backtest",
        _panel(current_year.backtest),
    ),
]


def span(years: list[int | None]) -> str:
    """'2019-2025' from the years a mart holds (the years are the data's, never written in the
    code: moving the analysis to another year changes the titles too); '' when none."""
    known = [int(y) for y in years if y is not None]
    if not known:
        return ""
    return str(min(known)) if min(known) == max(known) else f"{min(known)}-{max(known)}"
