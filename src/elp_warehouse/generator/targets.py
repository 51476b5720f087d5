"""Calibration targets read from the study's published figures (reference/study_figures.yaml).

Nothing here is a free parameter: every number is a published value or arithmetic on
published values (documented where it is derived). Values the study does not print are
interpolated (2020-2021 users geometrically, Figure 1/2 shares linearly) and flagged in
docs/generator.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

# social-integration income (~150k) plus income guarantee for the elderly (~110k): order of
# magnitude of the public statistics; the study prints no rate for this group (estimate)
SOCIAL_ASSISTANCE_POPULATION = 260_000.0

# Figure 12's columns in study_figures.yaml -> (period, ELP status) of mart_elp_care_transitions
FIGURE_12_COLUMNS: dict[str, tuple[str, str]] = {
    "before": ("before", "all"),
    "during": ("during", "all"),
    "after": ("after", "all"),
    "after_with_elp": ("after", "with_elp_after"),
    "after_without_elp": ("after", "without_elp_after"),
}


@dataclass(frozen=True)
class StatusTargets:
    unemployed: float
    primary_incapacity: float
    invalidity: float
    social_assistance: float
    placed_child: float
    prison: dict[tuple[int, str], int]
    career_shares: NDArray[np.float64]  # employee, worker, self_employed, civil_servant, none


@dataclass(frozen=True)
class StudyTargets:
    raw: dict[str, Any]
    users: dict[int, float]  # ELP users per year (2020-2021 interpolated)
    cumulative_users: float
    usage_2024: dict[tuple[str, str], float]  # (dimension, category) -> rate, Figure 5
    users_2024: dict[tuple[str, str], float]  # (dimension, category) -> users, Table 3
    function_shares: dict[int, dict[str, float]]  # Table 2
    children_network_share: dict[int, float]  # Table 4
    place_exclusive: dict[int, dict[str, float]]  # Table 4
    place_any: dict[int, dict[str, float]]  # Table 4
    outreach_2024: dict[tuple[str, str], float]  # Figure 6
    mean_sessions: dict[int, dict[tuple[str, str], float]]  # Annex 5
    percentiles: dict[tuple[int, str, str], dict[str, float | None]]
    prior_none: dict[int, float]  # Figure 10
    prior_psychotropics_only: dict[int, float]
    figure_1: dict[str, dict[int, float]]
    figure_2: dict[str, dict[int, float | None]]
    members: float
    services_mix: dict[int, dict[tuple[str, str], float]]  # Table 1


def _rows(doc: dict[str, Any], key: str, sub: str = "rows") -> list[dict[Any, Any]]:
    out: list[dict[Any, Any]] = doc[key][sub]
    return out


def load_targets(path: Path) -> StudyTargets:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    yearly = {r["measure"]: r for r in _rows(doc, "elp_users_yearly")}
    printed: dict[int, float] = {
        y: float(v) for y, v in yearly["users_extrapolated"].items() if isinstance(y, int) and v
    }
    users = dict(printed)
    # 2020-2021 are only in the lost chart: geometric interpolation between 2019 and 2022
    for y in range(2020, 2022):
        users[y] = printed[2019] * (printed[2022] / printed[2019]) ** ((y - 2019) / 3)
    usage = {
        (r["dimension"], str(r["category"])): float(r["value"])
        for r in _rows(doc, "figure_5_usage_rate_2024")
        if r.get("value") is not None
    }
    t3 = {
        (r["dimension"], str(r["category"])): float(r["n_total"])
        for r in _rows(doc, "table_3_users_by_function_profile_2024")
    }
    fn: dict[int, dict[str, float]] = {}
    for r in _rows(doc, "table_2_users_by_function"):
        if r["function"] == "total":
            continue
        for y, v in r["share"].items():
            fn.setdefault(int(y), {})[r["function"]] = float(v)
    net: dict[int, float] = {}
    excl: dict[int, dict[str, float]] = {}
    anyp: dict[int, dict[str, float]] = {}
    for r in _rows(doc, "table_4_users_by_network_and_place"):
        for y, v in r["share"].items():
            if r["group"] == "network" and r["category"] == "children_adolescents":
                net[int(y)] = float(v)
            elif r["group"] == "place_exclusive":
                excl.setdefault(int(y), {})[r["category"]] = float(v)
            elif r["group"] == "place_any":
                anyp.setdefault(int(y), {})[r["category"]] = float(v)
    outreach = {
        (r["dimension"], str(r["category"])): float(r["value"])
        for r in _rows(doc, "figure_6_outreach_share_2024")
    }
    means: dict[int, dict[tuple[str, str], float]] = {}
    for r in _rows(doc, "annex_5_mean_sessions"):
        for y in (2022, 2023, 2024):
            if r.get(y) is not None:
                means.setdefault(y, {})[(r["dimension"], str(r["category"]))] = float(r[y])
    pct = {
        (int(r["cohort_year"]), r["dimension"], str(r["category"])): {
            q: (float(r[q]) if r.get(q) is not None else None)
            for q in ("p25", "median", "p75", "p95", "mean")
        }
        for r in _rows(doc, "sessions_distribution_percentiles")
    }
    prior = {r["prior_care"]: r for r in _rows(doc, "prior_care_figure_10")}
    fig1: dict[str, dict[int, float]] = {}
    for r in (
        doc["mh_care_use_all_figure_1"]["classification_exclusive"]
        + doc["mh_care_use_all_figure_1"]["aggregates"]
    ):
        fig1[r["category"]] = {2010: float(r[2010]), 2024: float(r[2024])}
    fig2 = {
        r["category"]: {2010: r.get(2010), 2024: r.get(2024)}
        for r in _rows(doc, "mh_care_use_ambulatory_figure_2")
    }
    other = {r["measure"]: r for r in _rows(doc, "other_figures")}
    mix: dict[int, dict[tuple[str, str], float]] = {}
    for r in _rows(doc, "table_1_services_mix"):
        for y in (2022, 2023, 2024):
            mix.setdefault(y, {})[(r["dimension"], r["category"])] = float(r[y])
    return StudyTargets(
        raw=doc,
        users=users,
        cumulative_users=float(yearly["cumulative_distinct_users"]["value"]),
        usage_2024=usage,
        users_2024=t3,
        function_shares=fn,
        children_network_share=net,
        place_exclusive=excl,
        place_any=anyp,
        outreach_2024=outreach,
        mean_sessions=means,
        percentiles=pct,
        prior_none={2019: float(prior["none"][2019]), 2024: float(prior["none"][2024])},
        prior_psychotropics_only={
            2019: float(prior["psychotropics_only"][2019]),
            2024: float(prior["psychotropics_only"][2024]),
        },
        figure_1=fig1,
        figure_2=fig2,
        members=float(other["cm_members"]["value"]),
        services_mix=mix,
    )


def status_targets(
    t: StudyTargets, prison: dict[tuple[int, str], int], working_age_population: float
) -> StatusTargets:
    """National sizes of the specific groups: Table 3 users / Figure 5 rate (2024)."""

    def implied(cat: str, dim: str = "specific_category") -> float:
        return t.users_2024[(dim, cat)] / t.usage_2024[(dim, cat)]

    socio = np.array(
        [
            implied(c, "socio_professional")
            for c in ("employee", "worker", "self_employed", "civil_servant")
        ]
    )
    shares = socio / working_age_population
    career = np.r_[shares, max(0.0, 1.0 - shares.sum())]
    return StatusTargets(
        unemployed=implied("unemployed"),
        primary_incapacity=implied("primary_incapacity"),
        invalidity=implied("invalidity"),
        social_assistance=SOCIAL_ASSISTANCE_POPULATION,
        placed_child=implied("placed_child"),
        prison=prison,
        career_shares=career / career.sum(),
    )


# --- issue 27 calibration (caltraj): footnote 18, Figure 11, Figure 12 ---------------------


def footnote_18_rates(t: StudyTargets) -> dict[str, float]:
    """Footnote 18: age-sex standardised usage rates 2024 by VT status (reference population:
    the insurer's members of 2024), keyed by VT category (vt, non_vt)."""
    return {
        str(r["category"]): float(r["value"])
        for r in _rows(t.raw, "footnote_18_standardised_usage_2024")
        if r["dimension"] == "vt"
    }


def elp_after_one_year(t: StudyTargets) -> float:
    """Figure 12 (2023 cohort): share of patients still receiving ELP in the 6 months after
    the first year of their trajectory ('elp_after_one_year', 0.28)."""
    rows = {r["measure"]: r for r in _rows(t.raw, "care_transitions_figure_12_2023", "totals")}
    return float(rows["elp_after_one_year"]["value"])


# prior-care categories of Figure 11 in the order of CareModel.prior_care's codes
PRIOR_CARE_CODES = {
    "psychiatrist": 0,
    "non_conventioned_psychologist": 1,
    "psychotropics_only": 2,
    "none": 4,
}


def figure_11_prior_care(t: StudyTargets) -> tuple[int, list[tuple[str, str, int, float]]]:
    """Figure 11: prior care of the new patients of one cohort year by subgroup, as
    (dimension, category, CareModel.prior_care code, share). The national rows repeat Figure
    10 and are left out; "65+: 33-35 %" is read as the range's middle for 65-79 and 80+
    (which group has which end is not printed)."""
    section = t.raw["prior_care_figure_11_2024"]
    out: list[tuple[str, str, int, float]] = []
    for r in section["rows"]:
        dim, cat = str(r["dimension"]), str(r["category"])
        if dim == "total":
            continue
        code = PRIOR_CARE_CODES[str(r["prior_care"])]
        if "range" in r:
            mid = 0.5 * (float(r["range"]["min"]) + float(r["range"]["max"]))
            out += [(dim, "65-79", code, mid), (dim, "80+", code, mid)]
        else:
            out.append((dim, cat, code, float(r["value"])))
    return int(section["cohort_year"]), out


def figure_12_share(t: StudyTargets, care_type: str, period: str) -> float:
    """Figure 12 (2023 cohort): share of patients in a care category in a period (before,
    during, after, after_with_elp, after_without_elp)."""
    rows = {r["care_type"]: r for r in _rows(t.raw, "care_transitions_figure_12_2023")}
    return float(rows[care_type][period])


def transitions_cohort_year(t: StudyTargets) -> int:
    """Year of first session of the cohort of Figures 12-14 (2023; Figure 12's section names
    it in its key, Figures 13-14 print it as `cohort_year`)."""
    return int(t.raw["individual_trajectories_figure_13_antidepressants"]["cohort_year"])


# ---- province supply (issue 27, helper calsup) -----------------------------------------------
def province_services_per_100(
    t: StudyTargets,
    provinces: tuple[str, ...],
    population: NDArray[np.float64],
    budget_2024: dict[str, float],
) -> NDArray[np.float64]:
    """ELP services per 100 inhabitants in 2024 per province, from Figure 3 / Annex 1.

    Printed for Brussels (18), Flemish Brabant (16), Hainaut (11) and Belgium (14). For the
    provinces with a printed budget utilisation only (West Flanders 1.13, Walloon Brabant
    1.10, Luxembourg 0.76), services are proportional to envelope x utilisation; the factor
    (services per euro of envelope used) is Hainaut's, which has both printed (11 per 100,
    utilisation 0.83). The other provinces share what remains of the national 14 per 100 in
    proportion to their population.
    """
    rows = {r["province"]: r for r in t.raw["province_overview_2024"]["rows"]}
    out = np.full(len(provinces), np.nan)
    for k, code in enumerate(provinces):
        per100 = rows.get(code, {}).get("services_per_100_inhabitants")
        if per100 is not None:
            out[k] = float(per100)
    anchor = provinces.index("BE-WHT")
    per_eur_used = (
        out[anchor]
        / 100
        * population[anchor]
        / (budget_2024["BE-WHT"] * float(rows["BE-WHT"]["budget_utilisation"]))
    )
    for k, code in enumerate(provinces):
        util = rows.get(code, {}).get("budget_utilisation")
        if np.isnan(out[k]) and util is not None:
            out[k] = 100 * per_eur_used * budget_2024[code] * float(util) / population[k]
    rest = np.isnan(out)
    national = float(rows["belgium"]["services_per_100_inhabitants"]) * population.sum()
    left = national - float((out[~rest] * population[~rest]).sum())
    out[rest] = max(left, 0.0) / max(float(population[rest].sum()), 1.0)
    return out


# ---- services by function (issue 27, helper svcfn) -------------------------------------------
def session_support_share(t: StudyTargets, year: int) -> float:
    """Table 1: support's share of the year's sessions (support over support + treatment; the
    rest of the services, 'other', are trajectory services). Years before 2022 take 2022's,
    later ones 2024's."""
    y = min(max(year, min(t.services_mix)), max(t.services_mix))
    mix = t.services_mix[y]
    support, treatment = mix[("function", "support")], mix[("function", "treatment")]
    return support / (support + treatment)


def province_session_support_share(t: StudyTargets) -> tuple[int, dict[str, float]]:
    """Annex 2 (section 3.2.3 text, 2024): the province's support share of its sessions, from
    the printed support or treatment share of its services, the national 'other' share of
    Table 1 taken out (0.66 support in Brussels -> 0.66 / 0.93)."""
    section = t.raw["province_services_mix_2024"]
    year = int(section["year"])
    other = t.services_mix[year][("function", "other")]
    out: dict[str, float] = {}
    for r in section["rows"]:
        if r["dimension"] != "function":
            continue
        share = float(r["value"]) / (1 - other)
        out[str(r["province"])] = share if r["category"] == "support" else 1 - share
    return year, out


def session_outreach_share(t: StudyTargets, year: int) -> float:
    """Table 1: outreach's share of the year's sessions (services without the trajectory
    services). Years before 2022 take 2022's, later ones 2024's."""
    y = min(max(year, min(t.services_mix)), max(t.services_mix))
    mix = t.services_mix[y]
    return mix[("setting", "outreach")] / (1 - mix[("setting", "trajectory_services")])


def province_session_outreach_share(t: StudyTargets) -> tuple[int, dict[str, float]]:
    """Annex 2 (section 3.2.3 text, 2024): outreach's share of the province's sessions, from
    the printed share of its services (Luxembourg 40 %, Flemish Brabant 15 %), Table 1's
    national trajectory-services share taken out."""
    section = t.raw["province_services_mix_2024"]
    year = int(section["year"])
    ts = t.services_mix[year][("setting", "trajectory_services")]
    out = {
        str(r["province"]): float(r["value"]) / (1 - ts)
        for r in section["rows"]
        if r["dimension"] == "setting" and r["category"] == "outreach"
    }
    return year, out


# ---- users with trajectory services only (issue 27, helper other) ----------------------------
def other_users_share(t: StudyTargets, year: int) -> float:
    """Table 4: share of the year's ELP users whose only ELP services are trajectory services
    (place_exclusive 'other'). Years before the first printed year take its value, later ones
    the last printed year's."""
    excl = t.place_exclusive
    y = min(max(year, min(excl)), max(excl))
    return excl[y]["other"]
