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
    # libyaml's loader (PyYAML's C extension) reads the study file in a tenth of the time
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
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


def prior_care_targets(t: StudyTargets, year: int) -> NDArray[np.float64]:
    """The new patients' prior-care shares (24 months before the first session) to calibrate
    a cohort year on, by CareModel.prior_care code (psychiatrist, AV psychologist,
    psychotropics only, acute, none; NaN: not printed, left free).

    Figure 10 prints 2019 and 2024 for "none" and "psychotropics only" and a 15-19 % range
    for the psychiatrist (its middle is taken); Figure 12's 'before' column is the same
    window for the 2023 cohort and prints every category but acute care, so it anchors
    2023 (Figure 10 prints no 2023 value; the straight line 2019-2024 put 2023 at 0.52
    without prior care against Figure 12's 0.50). Other years: linear between anchors."""
    fig12_year = transitions_cohort_year(t)
    none = {**t.prior_none, fig12_year: figure_12_share(t, "none_other", "before")}
    psychotropics = {
        **t.prior_psychotropics_only,
        fig12_year: figure_12_share(t, "psychotropics_only", "before"),
    }
    rows = {str(r["prior_care"]): r for r in _rows(t.raw, "prior_care_figure_10")}
    psy = rows["psychiatrist"]["range_2019_2024"]
    out = np.full(5, np.nan)
    out[PRIOR_CARE_CODES["psychiatrist"]] = 0.5 * (float(psy["min"]) + float(psy["max"]))
    out[PRIOR_CARE_CODES["psychotropics_only"]] = _linear(psychotropics, year)
    out[PRIOR_CARE_CODES["none"]] = _linear(none, year)
    if year == fig12_year:
        for name in ("psychiatrist", "non_conventioned_psychologist"):
            out[PRIOR_CARE_CODES[name]] = figure_12_share(t, name, "before")
    return out


def _linear(points: dict[int, float], year: int) -> float:
    """Linear between the anchor years, flat outside them."""
    xs = sorted(points)
    return float(np.interp(year, xs, [points[x] for x in xs]))


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


# ---- settings by province and by multi-setting user (issue 27, helper fix) -----------------
def province_outreach_tilt(
    t: StudyTargets,
    provinces: tuple[str, ...],
    year: int,
    sessions: NDArray[np.float64],
    carried_sessions: NDArray[np.float64],
    carried_outreach: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Tilt of the starters' outreach propensity per province: the outreach share the
    province's starters must give their sessions (Annex 2's share, or Table 1's national one
    for the provinces Annex 2 does not print, less what the sessions of earlier trajectories
    already hold) over the national one.

    `sessions`: the province's expected sessions of the year (Figure 3's services, trajectory
    services taken out); `carried_*`: the year's sessions of earlier trajectories, all and
    outreach, per province. Outside Annex 2's year there is no carried correction: the tilt
    is the ratio of the printed shares (Luxembourg 0.40 / 0.22)."""
    annex_year, by_code = province_session_outreach_share(t)
    national = session_outreach_share(t, annex_year)
    out = np.ones(len(provinces))
    if year != annex_year:
        for code, share in by_code.items():
            if code in provinces:
                out[provinces.index(code)] = share / national
        return out
    nat = session_outreach_share(t, year)
    left_n = max(float(sessions.sum() - carried_sessions.sum()), 1.0)
    starters_nat = max((nat * float(sessions.sum()) - float(carried_outreach.sum())) / left_n, 1e-3)
    for code, share in by_code.items():
        if code not in provinces:
            continue
        k = provinces.index(code)
        left = max(float(sessions[k] - carried_sessions[k]), 1.0)
        need = max((share * float(sessions[k]) - float(carried_outreach[k])) / left, 0.0)
        out[k] = need / starters_nat
    return out


def multi_setting_inclusion(
    exclusive: dict[str, float], any_setting: dict[str, float], outreach_multi: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Inclusion probabilities of office, group, remote and home in a multi-setting set, for
    sets with outreach and sets without, so that Table 4's 'any setting' users are met.

    A set without outreach always holds office and at least one more setting (one of group,
    remote, home drawn uniformly when none was); a set with outreach at least one more
    (office when none was). One inclusion probability for both kinds put that uniform draw
    on top of the printed inclusions: group use 17-23 % too high in 2022-2023. Sets without
    outreach take one other setting on average, in proportion to Table 4's inclusions; sets
    with outreach take what is left. `outreach_multi`: share of the multi-setting starters
    whose set holds outreach."""
    multi = exclusive["multiple"]
    want = {
        s: float(np.clip((any_setting[s] - exclusive[f"{s}_only"]) / multi, 0.0, 1.0))
        for s in ("office", "group", "remote", "home")
    }
    others = ("group", "remote", "home")
    total = sum(want[s] for s in others)
    no_out = {s: float(np.clip(want[s] / max(total, 1e-9), 0.0, 0.95)) for s in others}
    none = float(np.prod([1 - no_out[s] for s in others]))
    n_share = 1.0 - outreach_multi
    with_out = {
        s: float(
            np.clip(
                (want[s] - n_share * (no_out[s] + none / 3)) / max(outreach_multi, 1e-9), 0.0, 1.0
            )
        )
        for s in others
    }
    no_out["office"] = 1.0
    # office in a set with outreach: drawn, or added when nothing else was
    office_final = float(np.clip((want["office"] - n_share) / max(outreach_multi, 1e-9), 0.0, 1.0))
    rest = float(np.prod([1 - with_out[s] for s in others]))
    with_out["office"] = float(np.clip((office_final - rest) / max(1 - rest, 1e-9), 0.0, 1.0))
    return with_out, no_out


# ---- users with trajectory services only (issue 27, helper other) ----------------------------
def other_users_share(t: StudyTargets, year: int) -> float:
    """Table 4: share of the year's ELP users whose only ELP services are trajectory services
    (place_exclusive 'other'). Years before the first printed year take its value, later ones
    the last printed year's."""
    excl = t.place_exclusive
    y = min(max(year, min(excl)), max(excl))
    return excl[y]["other"]
