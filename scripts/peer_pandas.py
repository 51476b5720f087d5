#!/usr/bin/env python3
"""A plain pandas peer of the warehouse: the core indicators computed straight from a raw
extract (source contract v2) and the seeds, the way an analyst would write them (read_parquet,
merge, groupby), unoptimised but correct. It is a yardstick twice over: its numbers check the
marts (tests/python/test_peer_pandas.py), and its run time is what the warehouse's build is
compared with (scripts/benchmark.py, step `peer`).

    .venv/bin/python scripts/peer_pandas.py <raw extract folder> [--out results.json]
        [--parquet <folder>] [--extraction-date YYYY-MM-DD]

It prints the wall time of each step and writes the indicators as one JSON file (`--out`) and,
with `--parquet`, one Parquet file per indicator:

- `weights` (mart_population_weights): per year x cell (5-year age band x sex x province x
  VT), IMA population, members, the weighting group after the collapse of small cells and the
  expansion factor P_g / M_g. The collapse is the warehouse's rule, written again (methods.md):
  a cell with fewer than 20 members or no population is pooled with the other failing cells of
  its age group x sex x province x VT, then age group x sex x region x VT, then age group x sex
  x VT, then the whole year.
- `usage` (mart_elp_users_yearly, mart_elp_usage): per year from 2019 x dimension x category,
  the weighted share of member-years with at least one ELP service (session or trajectory
  service). Detainees use the prison population by sex, as the study did; `network_type` is
  the users of that network (most services in the year, ties to children) over the whole
  population. The age-sex standardised rate and the confidence intervals are not computed.
- `sessions` (mart_elp_sessions_per_patient): per cohort year x dimension x category, the
  weighted mean and median of the sessions in the 12 months from a trajectory's first session
  (a session day with no session in the previous 12 months), for the session cohort: window
  plus an 85-day billing margin before the extraction date, affiliated over the window, a
  member in the cohort year. The network, first-setting and function breakdowns are left out.
- `care_use` (mart_mh_care_use): per year, the share of the population in each exclusive
  care category of Figure 1 and Figure 2, and in any mental-health care.

What it does not do: validate rows (it assumes an extract that passes the warehouse's checks,
as the generator's do; the warehouse quarantines bad rows), or suppress small cells. Claim
corrections are netted per member x provider x code x service date (groups with a total
quantity <= 0 disappear), dispensings per member x date x ATC code x pharmacy type on ddd.

Memory: at national scale (68 M member-years, 24 M claim lines, 48 M dispensings) it reads only
the columns it needs, keeps low-cardinality strings as categoricals, and replaces member ids by
integer codes as soon as a table is read.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# the warehouse's defaults (dbt_project.yml vars; tests/python/test_peer_pandas.py checks them)
FIRST_YEAR = 2010
LAST_YEAR = 2024
ELP_START_YEAR = 2019
MIN_WEIGHTING_CELL_MEMBERS = 20
TRAJECTORY_GAP_MONTHS = 12
SESSIONS_WINDOW_MONTHS = 12
COHORT_BILLING_MARGIN_DAYS = 85
DEFAULT_EXTRACTION_DATE = "2025-06-23"

DATES = {"date_as_object": False}  # Parquet dates as datetime64, not Python date objects

ELP_SERVICES = ["elp_session", "elp_trajectory_service"]
AGE_GROUPS = ["0-19", "20-29", "30-44", "45-64", "65-79", "80+"]
AGE_GROUP_BOUNDS = [-np.inf, 20, 30, 45, 65, 80, np.inf]
SPECIFIC_CATEGORIES = [
    "placed_child",
    "detained",
    "unemployed",
    "primary_incapacity",
    "invalidity",
    "social_assistance",
]
# dimension -> member-year column holding its category code (docs/marts.md)
ATTRIBUTE_DIMENSIONS = {
    "age_group": "age_group",
    "sex": "sex_category",
    "vt": "vt_category",
    "region": "region",
    "province": "province_code",
    "socio_professional": "socio_professional",
}
FIGURE_1 = [
    "psychotropics_with_ambulatory",
    "ambulatory_without_psychotropics",
    "acute_rehab_without_ambulatory",
    "psychotropics_only",
]
FIGURE_2 = [
    "psychiatrist_and_psychologist",
    "psychiatrist_only",
    "psychologist_conventioned_only",
    "psychologist_av_only",
]


def seed(path: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / path, dtype=str, keep_default_na=False, na_values=[""])


def recode(column: pd.Series, mapping: Callable[[str], str | None], categories: Any) -> pd.Series:
    """A categorical column mapped category by category (values `mapping` gives no code for
    become missing): the rows keep their integer codes, no string is made per row."""
    dtype = pd.CategoricalDtype(categories)
    per_category = pd.Categorical(
        [mapping(str(c)) for c in column.cat.categories], dtype=dtype
    ).codes
    codes = np.append(per_category, -1)[column.cat.codes]  # code -1 (missing) stays missing
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=column.index)


@contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)
    print(f"{name:<20} {timings[name]:8.1f} s", flush=True)


# --- member-years and weights ------------------------------------------------------------


def read_members(raw: Path) -> tuple[pd.DataFrame, pd.Index]:
    """Member-years of the analysis years with the study's attributes, and the member ids
    (member-years and events carry the position of their id in it: `member`)."""
    members = pd.read_parquet(
        raw / "members_yearly",
        columns=[
            "member_id",
            "year",
            "birth_year",
            "sex",
            "nis_municipality",
            "vt",
            "insurability_code",
            "unemployment_days",
            "primary_incapacity_days",
            "invalidity_days",
            "social_assistance",
            "detained",
            "placed_child",
        ],
        filters=[("year", ">=", FIRST_YEAR), ("year", "<=", LAST_YEAR)],
        read_dictionary=["sex", "nis_municipality", "insurability_code"],
    )
    codes, ids = pd.factorize(members.pop("member_id"))
    members["member"] = codes.astype("int32")

    provinces = seed("reference/provinces.csv")
    arrondissements = seed("reference/arrondissements.csv")
    insurability = seed("codes/insurability_codes.csv")
    # both versions of the Hainaut arrondissements (54 until 2018, 58 since) are in one
    # province, so the validity years of the seed do not change a province
    province_of = arrondissements.set_index("arrondissement_nis").province_code.to_dict()
    members["province_code"] = recode(
        members.pop("nis_municipality"),
        lambda nis: province_of.get(nis[:2]),
        provinces.province_code,
    )
    region_of = provinces.set_index("province_code").region.to_dict()
    members["region"] = recode(
        members.province_code, region_of.get, sorted(set(region_of.values()))
    )
    socio = insurability.dropna(subset=["socio_professional"])
    socio_of = socio.set_index("insurability_code").socio_professional.to_dict()
    members["socio_professional"] = recode(
        members.pop("insurability_code"), socio_of.get, sorted(set(socio_of.values()))
    )
    members["sex"] = members.sex.astype(pd.CategoricalDtype(["F", "M"]))
    age = members.year - members.pop("birth_year")
    members["age_band"] = (age // 5 * 5).clip(upper=90).astype("int8")
    members["age_group"] = pd.cut(age, AGE_GROUP_BOUNDS, right=False, labels=AGE_GROUPS)
    members["unemployed"] = members.pop("unemployment_days") > 0
    members["primary_incapacity"] = members.pop("primary_incapacity_days") > 0
    members["invalidity"] = members.pop("invalidity_days") > 0
    return members, pd.Index(ids)


CELL = ["year", "age_band", "sex", "province_code", "vt"]


def weighting_cells(members: pd.DataFrame) -> pd.DataFrame:
    """Per year x cell: IMA population, members, weighting group and expansion factor."""
    counts = members.groupby(CELL, observed=True).size().rename("members").reset_index()

    ima = seed("population/ima_population.csv")
    ima = ima.astype({"year": "int16", "age_band": "int8", "population": "int64"})
    ima["vt"] = ima.vt == "true"
    ima["sex"] = ima.sex.astype(counts.sex.dtype)
    ima["province_code"] = ima.province_code.astype(counts.province_code.dtype)
    # a year without its own IMA figures is weighted with the latest earlier IMA year
    years = pd.DataFrame({"year": np.arange(FIRST_YEAR, LAST_YEAR + 1, dtype="int16")})
    ima_years = np.sort(ima.year.unique())
    years["population_year"] = [ima_years[ima_years <= y].max(initial=-1) for y in years.year]
    years = years[years.population_year > 0]
    population = years.merge(
        ima.drop(columns="is_estimate").rename(
            columns={"year": "population_year", "population": "ima_population"}
        ),
        on="population_year",
    )

    cells = population.merge(counts, on=CELL, how="outer")
    cells["population_year"] = cells.year.map(years.set_index("year").population_year)
    cells = cells[cells.population_year.notna()].copy()
    cells["ima_population"] = cells.ima_population.fillna(0).astype("int64")
    cells["members"] = cells.members.fillna(0).astype("int64")
    cells["age_group"] = pd.cut(cells.age_band, AGE_GROUP_BOUNDS, right=False, labels=AGE_GROUPS)
    provinces = seed("reference/provinces.csv").set_index("province_code")
    cells["region"] = cells.province_code.astype(str).map(provinces.region)

    # collapse of small cells: the failing cells of a coarser key are pooled when together
    # they have enough members and a population
    enough = (cells.members >= MIN_WEIGHTING_CELL_MEMBERS) & (cells.ima_population > 0)
    cells["collapse_level"] = np.where(enough, 0, 4)
    levels = {
        1: ["year", "age_group", "sex", "province_code", "vt"],
        2: ["year", "age_group", "sex", "region", "vt"],
        3: ["year", "age_group", "sex", "vt"],
    }
    for level, keys in levels.items():
        failing = cells[cells.collapse_level == 4]
        pooled = failing.groupby(keys, observed=True)[["members", "ima_population"]].transform(
            "sum"
        )
        accepted = (pooled.members >= MIN_WEIGHTING_CELL_MEMBERS) & (pooled.ima_population > 0)
        cells.loc[accepted[accepted].index, "collapse_level"] = level

    vt = np.where(cells.vt, "true", "false")
    sex = cells.sex.astype(str)
    group = cells.age_group.astype(str)
    cells["weighting_group"] = np.select(
        [cells.collapse_level == level for level in range(4)],
        [
            "L0|"
            + cells.age_band.astype(str)
            + "|"
            + sex
            + "|"
            + cells.province_code.astype(str)
            + "|"
            + vt,
            "L1|" + group + "|" + sex + "|" + cells.province_code.astype(str) + "|" + vt,
            "L2|" + group + "|" + sex + "|" + cells.region + "|" + vt,
            "L3|" + group + "|" + sex + "|" + vt,
        ],
        "L4|all",
    )
    by_group = cells.groupby(["year", "weighting_group"])
    cells["group_population"] = by_group.ima_population.transform("sum")
    cells["group_members"] = by_group.members.transform("sum")
    by_year = cells.groupby("year")
    year_population = by_year.ima_population.transform("sum")
    year_members = by_year.members.transform("sum")
    group_members = cells.group_members.where(cells.group_members > 0)
    cells["weight"] = (cells.group_population * year_members) / (year_population * group_members)
    cells["extrapolation_factor"] = year_population / year_members
    cells["expansion_factor"] = cells.group_population / group_members
    return cells.sort_values(CELL).reset_index(drop=True)


# --- care events -----------------------------------------------------------------------


def member_codes(ids: pd.Index, events: pd.DataFrame) -> pd.DataFrame:
    """Events with `member` (position in `ids`) instead of member_id; members without any
    member-year are dropped: none of their care is observed."""
    events["member"] = ids.get_indexer(events.pop("member_id")).astype("int32")
    return events[events.member >= 0]


def read_claims(raw: Path, ids: pd.Index) -> pd.DataFrame:
    """Mental-health claim lines (care_type other than `other`), corrections netted."""
    codes = seed("codes/nomenclature_codes.csv")
    codes = codes[codes.care_type != "other"]
    claims = pd.read_parquet(
        raw / "claims",
        columns=["member_id", "provider_id", "service_date", "nomenclature_code", "quantity"],
        filters=[("nomenclature_code", "in", list(codes.nomenclature_code))],
        to_pandas_kwargs=DATES,
    )
    claims = member_codes(ids, claims)
    claims = claims.groupby(
        ["member", "provider_id", "nomenclature_code", "service_date"], dropna=False
    ).quantity.sum()
    claims = claims[claims > 0].reset_index()
    claims = claims.merge(
        codes[["nomenclature_code", "care_type", "elp_function", "elp_network_type"]],
        on="nomenclature_code",
    )
    claims["year"] = claims.service_date.dt.year.astype("int16")
    return claims


def read_psychotropic_years(raw: Path, ids: pd.Index) -> pd.DataFrame:
    """Member-years with an antidepressant or antipsychotic dispensing, corrections netted."""
    dispensings = pd.read_parquet(
        raw / "pharmacy_dispensings",
        columns=["member_id", "dispensing_date", "atc_code", "pharmacy_type", "ddd"],
        read_dictionary=["atc_code", "pharmacy_type"],
        to_pandas_kwargs=DATES,
    )
    classes = seed("codes/atc_classes.csv")
    prefixes = sorted(classes.atc_prefix, key=len, reverse=True)  # the longest prefix wins
    followed = [
        code
        for code in dispensings.atc_code.cat.categories
        if any(code.startswith(p) for p in prefixes)
    ]
    dispensings = dispensings[dispensings.atc_code.isin(followed)]
    dispensings = member_codes(ids, dispensings)
    netted = dispensings.groupby(
        ["member", "dispensing_date", "atc_code", "pharmacy_type"], observed=True
    ).ddd.sum()
    netted = netted[netted > 0].reset_index()
    netted["year"] = netted.dispensing_date.dt.year.astype("int16")
    return netted[["member", "year"]].drop_duplicates()


def read_av_psychologist_years(raw: Path, ids: pd.Index) -> pd.DataFrame:
    """Member-years with a complementary-insurance refund of a psychologist session."""
    refunds = pd.read_parquet(
        raw / "complementary_refunds",
        columns=["member_id", "service_date"],
        filters=[("benefit_code", "==", "PSY")],
        to_pandas_kwargs=DATES,
    )
    refunds = member_codes(ids, refunds)
    refunds["year"] = refunds.service_date.dt.year.astype("int16")
    return refunds[["member", "year"]].drop_duplicates()


def add_care(
    members: pd.DataFrame,
    claims: pd.DataFrame,
    psychotropic: pd.DataFrame,
    av_psychologist: pd.DataFrame,
) -> pd.DataFrame:
    """The member-years with their care flags and ELP network type."""
    claims = claims.assign(
        uses_elp=claims.care_type.isin(ELP_SERVICES),
        uses_psychiatrist=claims.care_type == "psychiatrist_ambulatory",
        uses_acute_rehab=claims.care_type.isin(["acute_psychiatric", "rehab_residential"]),
        adults=claims.quantity.where(claims.elp_network_type == "adults", 0),
        children=claims.quantity.where(claims.elp_network_type == "children_adolescents", 0),
    )
    flags = claims.groupby(["member", "year"]).agg(
        uses_elp=("uses_elp", "any"),
        uses_psychiatrist=("uses_psychiatrist", "any"),
        uses_acute_rehab=("uses_acute_rehab", "any"),
        adults=("adults", "sum"),
        children=("children", "sum"),
    )
    flags = flags.join(
        psychotropic.set_index(["member", "year"]).assign(uses_psychotropic=True), how="outer"
    )
    flags = flags.join(
        av_psychologist.set_index(["member", "year"]).assign(uses_av_psychologist=True),
        how="outer",
    )
    care_flags = [
        "uses_elp",
        "uses_psychiatrist",
        "uses_acute_rehab",
        "uses_psychotropic",
        "uses_av_psychologist",
    ]
    flags[care_flags] = flags[care_flags].fillna(False).astype(bool)
    network = np.select(
        [
            flags.uses_elp & (flags.children >= flags.adults) & (flags.children > 0),
            flags.uses_elp & (flags.adults > 0),
        ],
        [1, 0],
        -1,
    )
    flags["network_type"] = pd.Categorical.from_codes(network, ["adults", "children_adolescents"])
    # nullable booleans: the member-years without care come out of the merge as <NA>, not as
    # Python objects
    flags = flags.drop(columns=["adults", "children"]).astype(dict.fromkeys(care_flags, "boolean"))
    members = members.merge(flags.reset_index(), on=["member", "year"], how="left")
    members[care_flags] = members[care_flags].fillna(False).astype(bool)
    return members


def add_weights(members: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    members = members.merge(cells[[*CELL, "expansion_factor"]], on=CELL, how="left")
    members["sex_category"] = members.sex.cat.rename_categories(["female", "male"])
    members["vt_category"] = pd.Categorical.from_codes(members.vt.astype("int8"), ["non_vt", "vt"])
    return members


# --- estimates -------------------------------------------------------------------------


def by_dimension(
    rows: pd.DataFrame,
    keys: list[str],
    summarise: Callable[[Any], pd.DataFrame],
) -> pd.DataFrame:
    """`summarise(rows.groupby(...))` per `keys` x dimension x category, in long form."""
    parts = [
        summarise(rows.groupby(keys)).reset_index().assign(dimension="total", category="belgium")
    ]
    for dimension, column in ATTRIBUTE_DIMENSIONS.items():
        part = summarise(rows.groupby([*keys, column], observed=True)).reset_index()
        part = part.rename(columns={column: "category"}).assign(dimension=dimension)
        part["category"] = part.category.astype(str)
        parts.append(part)
    for flag in SPECIFIC_CATEGORIES:
        part = summarise(rows[rows[flag]].groupby(keys)).reset_index()
        parts.append(part.assign(dimension="specific_category", category=flag))
    return pd.concat(parts, ignore_index=True)


def prison_population(years: pd.Series) -> pd.DataFrame:
    """Prison population per year and sex: the latest seed year at or before the year."""
    prison = seed("supply/prison_population.csv").astype({"year": int, "population": float})
    rows = []
    for year in years.unique():
        latest = prison.year[prison.year <= year].max()
        for row in prison[prison.year == latest].itertuples():
            rows.append({"year": year, "sex": row.sex, "prison_population": row.population})
    return pd.DataFrame(rows)


def usage_rates(members: pd.DataFrame) -> pd.DataFrame:
    """ELP usage rate per year x dimension x category (mart_elp_usage)."""
    rows = members[members.year >= ELP_START_YEAR]
    rows = rows.assign(one=np.int8(1), users_extrapolated=rows.expansion_factor * rows.uses_elp)

    def totals(groups: Any) -> pd.DataFrame:
        return groups.agg(
            members_observed=("one", "sum"),
            users_observed=("uses_elp", "sum"),
            users_extrapolated=("users_extrapolated", "sum"),
            population=("expansion_factor", "sum"),
        )

    usage = by_dimension(rows, ["year"], totals)
    usage["extrapolation_method"] = "post_stratification"

    # network type: users of the network as a share of the whole population
    for network in ["adults", "children_adolescents"]:
        in_network = rows.network_type == network
        part = (
            rows.assign(uses_elp=in_network, users_extrapolated=rows.expansion_factor * in_network)
            .pipe(lambda r: totals(r.groupby("year")))
            .reset_index()
        )
        part = part.assign(
            dimension="network_type",
            category=network,
            extrapolation_method="post_stratification",
        )
        usage = pd.concat([usage, part], ignore_index=True)

    # detainees: the weighted user share among detained members of each sex, times the
    # prison population of that sex
    detained = totals(rows[rows.detained].groupby(["year", "sex"], observed=True)).reset_index()
    detained["sex"] = detained.sex.astype(str)
    detained = detained.merge(prison_population(detained.year), on=["year", "sex"])
    share = detained.users_extrapolated / detained.population
    detained["users_extrapolated"] = share * detained.prison_population
    detained["population"] = detained.prison_population
    detained["category"] = "detained_" + detained.sex.map({"F": "female", "M": "male"})
    both = detained.groupby("year")[
        ["members_observed", "users_observed", "users_extrapolated", "population"]
    ].sum()
    both = both.reset_index().assign(category="detained")
    prison_rows = pd.concat([detained.drop(columns=["sex", "prison_population"]), both])
    prison_rows = prison_rows.assign(
        dimension="specific_category", extrapolation_method="prison_population"
    )
    is_detained = (usage.dimension == "specific_category") & (usage.category == "detained")
    usage = pd.concat([usage[~is_detained], prison_rows], ignore_index=True)

    usage["usage_rate"] = usage.users_extrapolated / usage.population
    columns = [
        "year",
        "dimension",
        "category",
        "members_observed",
        "users_observed",
        "users_extrapolated",
        "population",
        "usage_rate",
        "extrapolation_method",
    ]
    return usage[columns].sort_values(["year", "dimension", "category"], ignore_index=True)


def weighted_quantile(values: pd.Series, weights: pd.Series, p: float) -> float:
    """Linear interpolation of the weighted distribution function at the distinct values
    (SAS PROC SURVEYMEANS; the warehouse's macro weighted_quantile)."""
    by_value = weights[weights > 0].groupby(values[weights > 0]).sum().sort_index()
    cumulative = by_value.cumsum().to_numpy()
    target = p * cumulative[-1]
    k = int(np.searchsorted(cumulative, target, side="left"))
    value = by_value.index.to_numpy(dtype=float)
    if k == 0:
        return float(value[0])
    share = (target - cumulative[k - 1]) / (cumulative[k] - cumulative[k - 1])
    return float(value[k - 1] + share * (value[k] - value[k - 1]))


def affiliation_spells(
    raw: Path, ids: pd.Index, members: pd.Series, extraction: date
) -> pd.DataFrame:
    """The affiliation spells of `members` (codes), touching spells merged, open spells
    ending on the extraction date."""
    spells = pd.read_parquet(raw / "affiliation_periods", to_pandas_kwargs=DATES)
    spells = member_codes(ids, spells)
    spells = spells[spells.member.isin(members)].sort_values(["member", "start_date"])
    previous_end = spells.groupby("member").end_date.shift()
    spells["spell"] = (previous_end + pd.Timedelta(days=1) != spells.start_date).cumsum()
    spells["end_date"] = spells.end_date.fillna(pd.Timestamp(extraction))
    return spells.groupby(["member", "spell"], as_index=False).agg(
        start_date=("start_date", "min"), end_date=("end_date", "max")
    )


def trajectories(claims: pd.DataFrame) -> pd.DataFrame:
    """ELP trajectories: first session, 12-month window, sessions in the window."""
    sessions = claims[claims.care_type == "elp_session"]
    days = sessions.groupby(["member", "service_date"], as_index=False).quantity.sum()
    days = days.sort_values(["member", "service_date"])
    previous = days.groupby("member").service_date.shift()
    gap_start = days.service_date - pd.DateOffset(months=TRAJECTORY_GAP_MONTHS)
    days["trajectory"] = (previous.isna() | (previous < gap_start)).cumsum()
    days["first_session_date"] = days.groupby("trajectory").service_date.transform("min")
    days["window_end_date"] = days.first_session_date + pd.DateOffset(months=SESSIONS_WINDOW_MONTHS)
    days["in_window"] = days.quantity.where(days.service_date < days.window_end_date, 0)
    out = days.groupby(["trajectory", "member", "first_session_date", "window_end_date"]).agg(
        sessions_12m=("in_window", "sum")
    )
    out = out.reset_index()
    out["cohort_year"] = out.first_session_date.dt.year.astype("int16")
    return out[out.cohort_year.between(ELP_START_YEAR, LAST_YEAR)]


def sessions_per_patient(
    raw: Path, ids: pd.Index, members: pd.DataFrame, claims: pd.DataFrame, extraction: date
) -> pd.DataFrame:
    """Weighted mean and median of the 12-month sessions per cohort year x dimension x
    category, over the session cohort (mart_elp_sessions_per_patient)."""
    cohort = trajectories(claims)
    margin = pd.Timedelta(days=COHORT_BILLING_MARGIN_DAYS)
    cohort = cohort[cohort.window_end_date + margin <= pd.Timestamp(extraction)]

    spells = affiliation_spells(raw, ids, cohort.member, extraction)
    covered = cohort.merge(spells, on="member")
    covered = covered[
        (covered.start_date <= covered.first_session_date)
        & (covered.end_date >= covered.window_end_date - pd.Timedelta(days=1))
    ]
    cohort = cohort[cohort.trajectory.isin(covered.trajectory)]

    attributes = [
        "member",
        "year",
        "expansion_factor",
        *ATTRIBUTE_DIMENSIONS.values(),
        *SPECIFIC_CATEGORIES,
    ]
    users = members.loc[members.uses_elp, attributes]
    cohort = cohort.merge(users, left_on=["member", "cohort_year"], right_on=["member", "year"])
    cohort["weighted_sessions"] = cohort.expansion_factor * cohort.sessions_12m

    def summary(groups: Any) -> pd.DataFrame:
        sums = groups.agg(
            patients_observed=("member", "size"),
            patients_extrapolated=("expansion_factor", "sum"),
            weighted_sessions=("weighted_sessions", "sum"),
        )
        sums["mean_sessions"] = sums.weighted_sessions / sums.patients_extrapolated
        sums["median_sessions"] = groups.apply(
            lambda g: weighted_quantile(g.sessions_12m, g.expansion_factor, 0.5),
            include_groups=False,
        )
        return sums.drop(columns="weighted_sessions")

    out = by_dimension(cohort, ["cohort_year"], summary)
    columns = [
        "cohort_year",
        "dimension",
        "category",
        "patients_observed",
        "patients_extrapolated",
        "mean_sessions",
        "median_sessions",
    ]
    return out[columns].sort_values(["cohort_year", "dimension", "category"], ignore_index=True)


def care_use(members: pd.DataFrame) -> pd.DataFrame:
    """Share of the population per exclusive care category (Figures 1 and 2) and with any
    mental-health care, per year (mart_mh_care_use)."""
    ambulatory = members.uses_psychiatrist | members.uses_elp | members.uses_av_psychologist
    figure_1 = np.select(
        [
            ambulatory & members.uses_psychotropic,
            ambulatory,
            members.uses_acute_rehab,
            members.uses_psychotropic,
        ],
        [0, 1, 2, 3],
        -1,
    )
    psychologist = members.uses_elp | members.uses_av_psychologist
    figure_2 = np.select(
        [
            members.uses_psychiatrist & psychologist,
            members.uses_psychiatrist,
            members.uses_elp,
            members.uses_av_psychologist,
        ],
        [0, 1, 2, 3],
        -1,
    )
    rows = pd.DataFrame(
        {
            "year": members.year,
            "expansion_factor": members.expansion_factor,
            "figure_1": pd.Categorical.from_codes(figure_1, FIGURE_1),
            "figure_2": pd.Categorical.from_codes(figure_2, FIGURE_2),
            "any_mh_care": figure_1 >= 0,
        }
    )
    population = rows.groupby("year").expansion_factor.sum()
    parts = []
    for classification in ["figure_1", "figure_2"]:
        part = rows.groupby(["year", classification], observed=True).agg(
            persons_observed=("expansion_factor", "size"),
            persons_extrapolated=("expansion_factor", "sum"),
        )
        part = part.reset_index().rename(columns={classification: "category"})
        parts.append(part.assign(classification=classification))
    anyone = (
        rows[rows.any_mh_care]
        .groupby("year")
        .agg(
            persons_observed=("expansion_factor", "size"),
            persons_extrapolated=("expansion_factor", "sum"),
        )
    )
    parts.append(anyone.reset_index().assign(classification="figure_1", category="any_mh_care"))
    out = pd.concat(parts, ignore_index=True)
    out["category"] = out.category.astype(str)
    out["population"] = out.year.map(population)
    out["population_share"] = out.persons_extrapolated / out.population
    columns = [
        "year",
        "classification",
        "category",
        "persons_observed",
        "persons_extrapolated",
        "population",
        "population_share",
    ]
    return out[columns].sort_values(["year", "classification", "category"], ignore_index=True)


# --- the run ---------------------------------------------------------------------------


def run(raw: Path, extraction: date) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Every indicator from the raw extract in `raw`, with the wall time of each step."""
    timings: dict[str, float] = {}
    with step("read members", timings):
        members, ids = read_members(raw)
    with step("weights", timings):
        cells = weighting_cells(members)
        members = add_weights(members, cells)
    with step("read claims", timings):
        claims = read_claims(raw, ids)
    with step("read dispensings", timings):
        psychotropic = read_psychotropic_years(raw, ids)
    with step("read refunds", timings):
        av_psychologist = read_av_psychologist_years(raw, ids)
    with step("care flags", timings):
        members = add_care(members, claims, psychotropic, av_psychologist)
        del psychotropic, av_psychologist
    with step("usage", timings):
        usage = usage_rates(members)
    with step("sessions", timings):
        sessions = sessions_per_patient(raw, ids, members, claims, extraction)
    with step("care categories", timings):
        care = care_use(members)
    indicators = {"weights": cells, "usage": usage, "sessions": sessions, "care_use": care}
    return indicators, timings


def extraction_date(given: str | None) -> date:
    """--extraction-date, else ELP_EXTRACTION_DATE (as dbt reads it), else dbt's default."""
    chosen = given or os.environ.get("ELP_EXTRACTION_DATE") or DEFAULT_EXTRACTION_DATE
    return date.fromisoformat(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path, help="the raw extract folder")
    parser.add_argument("--out", type=Path, default=None, help="write the indicators as JSON")
    parser.add_argument("--parquet", type=Path, default=None, help="one Parquet file each here")
    parser.add_argument(
        "--extraction-date", default=None, help="default: env ELP_EXTRACTION_DATE or 2025-06-23"
    )
    args = parser.parse_args()
    extraction = extraction_date(args.extraction_date)
    start = time.perf_counter()
    indicators, timings = run(args.raw, extraction)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'total':<20} {wall:8.1f} s, peak RSS {peak_mb:,.0f} MB", flush=True)
    if args.out is not None:
        document: dict[str, Any] = {
            "raw": str(args.raw),
            "extraction_date": extraction.isoformat(),
            "wall_seconds": round(wall, 3),
            "peak_rss_mb": round(peak_mb, 1),
            "timings": timings,
        }
        for name, frame in indicators.items():
            document[name] = json.loads(frame.to_json(orient="records", double_precision=15))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document) + "\n")
    if args.parquet is not None:
        args.parquet.mkdir(parents=True, exist_ok=True)
        for name, frame in indicators.items():
            frame.to_parquet(args.parquet / f"{name}.parquet", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
