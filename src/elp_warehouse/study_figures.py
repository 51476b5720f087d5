"""Which mart cell answers which figure of the study, and how close it must be.

The study (reference/study_figures.yaml: "Overeenkomst eerstelijns psychologische zorg: balans
2019-2024", CM-MC 2025) prints about 700 numbers. `study_mapping` turns that file into
`Figure`s, each a printed value with the mart cells that answer it, and `NotCompared` entries
for the printed values the marts cannot answer by design (with the reason) or that repeat a
value compared elsewhere. `compare` reads the cells from a built warehouse (the working
`elp.duckdb` or the published snapshot `published.duckdb`; both keep the marts in schema
`marts`) and judges each figure with the tolerance of its kind (`TOLERANCES`).

A cell that the published snapshot nulled for small-cell suppression (`is_suppressed`) makes
its figure "suppressed": neither within nor outside the tolerance, counted apart. A cell that
is absent or null without suppression is a figure the warehouse does not deliver: it counts
as compared and outside the tolerance.

scripts/study_reproduction.py prints the result per family; docs/generator.md shows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import yaml

from elp_warehouse.generator.targets import FIGURE_12_COLUMNS

Kind = Literal["rate", "share", "mean", "percentile", "count", "density"]
Status = Literal["within", "outside", "suppressed", "empty", "missing"]
CellState = Literal["ok", "suppressed", "empty", "missing"]

# Issue 27's tolerances: (value, relative to the published value?)
TOLERANCES: dict[Kind, tuple[float, bool]] = {
    "rate": (0.003, False),  # share of a population: 0.3 percentage points
    "share": (0.03, False),  # share among users, services, patients or providers: 3 points
    "mean": (0.5, False),  # mean sessions per patient
    "percentile": (1.0, False),  # sessions percentile
    "count": (0.10, True),  # counts and ratios of counts or money: 10 % of the study's value
    "density": (0.10, True),  # per 100 inhabitants, per 100,000, per provider: 10 %
}
# a figure printed with 3 decimals and a value differing by exactly the tolerance must be
# "within": floating point would put 0.028 - 0.025 just above 0.003
EPSILON = 1e-9

FAMILIES: tuple[str, ...] = (
    "Figures 1-2 mental-health care use",
    "Figure 3 / Annex 1 province supply",
    "Figures 4-5 / Annex 3 users and usage rates",
    "Footnote 18 standardised rates",
    "Table 1 / Annex 2 services mix",
    "Tables 2-4 / Annex 4 / Figure 6 users by function, network, setting",
    "Figures 7-9 / Annex 5 sessions",
    "Figures 10-11 prior care",
    "Figures 12-14 trajectories",
)
CARE_USE, SUPPLY, USERS, FN18, MIX, FUNCTION_SETTING, SESSIONS, PRIOR, TRAJECTORIES = FAMILIES

MARTS = (
    "mart_mh_care_use",
    "mart_elp_province_overview",
    "mart_elp_provider_density",
    "mart_elp_services_mix",
    "mart_elp_users_yearly",
    "mart_elp_usage",
    "mart_elp_users_by_function",
    "mart_elp_users_by_setting",
    "mart_elp_sessions_per_patient",
    "mart_elp_prior_care",
    "mart_elp_care_transitions",
    "mart_elp_individual_trajectories",
)


class StudyFiguresError(Exception):
    """The figures file or the warehouse cannot be used; the message names the file."""


@dataclass(frozen=True)
class Cell:
    """One value of a mart: the row whose key columns hold `key`, column `column`."""

    mart: str
    key: tuple[tuple[str, str | int], ...]
    column: str


def cell(mart: str, column: str, **key: str | int) -> Cell:
    return Cell(mart, tuple(sorted(key.items())), column)


@dataclass(frozen=True)
class Figure:
    """A printed value and the cells answering it: sum(numerator) / sum(denominator) + offset
    (no denominator: the sum itself). `published` is a value or a printed range (low, high)."""

    family: str
    label: str
    published: float | tuple[float, float]
    kind: Kind
    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...] = ()
    offset: float = 0.0

    @property
    def tolerance(self) -> float:
        value, relative = TOLERANCES[self.kind]
        if not relative:
            return value
        reference = self.published if isinstance(self.published, float) else self.published[1]
        return value * abs(reference)

    def distance(self, value: float) -> float:
        """How far `value` lies from the printed value (0 inside a printed range)."""
        low, high = (
            (self.published, self.published)
            if isinstance(self.published, float)
            else self.published
        )
        return max(low - value, value - high, 0.0)

    def within(self, value: float) -> bool:
        return self.distance(value) <= self.tolerance + EPSILON

    @property
    def published_text(self) -> str:
        if isinstance(self.published, float):
            return f"{self.published:g}"
        return f"{self.published[0]:g}-{self.published[1]:g}"


@dataclass(frozen=True)
class NotCompared:
    """A printed value that is not compared: `out of reach` (no counterpart in the marts by
    design) or `repeat` (the same printed value, compared under another figure)."""

    family: str
    label: str
    published: str
    status: Literal["out of reach", "repeat"]
    reason: str


@dataclass(frozen=True)
class Result:
    figure: Figure
    value: float | None
    status: Status

    @property
    def compared(self) -> bool:
        """Suppressed and empty cells are not comparable; a missing one is compared (and
        outside the tolerance): the warehouse does not deliver a figure it should."""
        return self.status not in ("suppressed", "empty")

    @property
    def miss(self) -> float:
        """The distance in tolerances (inf without a value): orders the worst misses."""
        if self.value is None:
            return math.inf
        return self.figure.distance(self.value) / self.figure.tolerance


@dataclass
class FamilySummary:
    family: str
    compared: int = 0
    within: int = 0
    suppressed: int = 0
    empty: int = 0
    misses: list[Result] = field(default_factory=list)

    @property
    def outside(self) -> int:
        return self.compared - self.within

    @property
    def share(self) -> float | None:
        return self.within / self.compared if self.compared else None


# ---------------------------------------------------------------------------------------------
# The figures file
# ---------------------------------------------------------------------------------------------

REQUIRED_SECTIONS = (
    "need_ghq_2018",
    "mh_care_use_all_figure_1",
    "mh_care_use_ambulatory_figure_2",
    "elp_providers_national",
    "province_overview_2024",
    "provider_network_types",
    "table_1_services_mix",
    "province_services_mix_2024",
    "mhc_dashboard_active_patients",
    "elp_users_yearly",
    "figure_5_usage_rate_2024",
    "vt_share_among_users",
    "footnote_18_standardised_usage_2024",
    "table_2_users_by_function",
    "table_3_users_by_function_profile_2024",
    "table_4_users_by_network_and_place",
    "figure_6_outreach_share_2024",
    "sessions_cohort_sizes",
    "annex_5_mean_sessions",
    "sessions_distribution_percentiles",
    "prior_care_figure_10",
    "prior_care_figure_11_2024",
    "care_transitions_figure_12_2023",
    "individual_trajectories_figure_13_antidepressants",
    "individual_trajectories_figure_14_psychiatrist",
    "other_figures",
    "rules",
)


def load_study_figures(path: Path) -> dict[str, Any]:
    """The parsed figures file; a missing, unreadable or incomplete file raises
    StudyFiguresError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudyFiguresError(f"{path}: cannot read the study figures ({exc})") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StudyFiguresError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise StudyFiguresError(f"{path}: expected a mapping of study sections at the top")
    missing = [s for s in REQUIRED_SECTIONS if s not in doc]
    if missing:
        raise StudyFiguresError(f"{path}: sections missing: {', '.join(missing)}")
    return doc


# ---------------------------------------------------------------------------------------------
# The mapping: printed value -> mart cells
# ---------------------------------------------------------------------------------------------


class _Mapping:
    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.not_compared: list[NotCompared] = []

    def add(
        self,
        family: str,
        label: str,
        published: Any,
        kind: Kind,
        numerator: Cell | Sequence[Cell],
        denominator: Sequence[Cell] = (),
        offset: float = 0.0,
    ) -> None:
        if published is None:  # not printed (chart values lost in the PDF)
            return
        value: float | tuple[float, float] = (
            (float(published[0]), float(published[1]))
            if isinstance(published, tuple)
            else float(published)
        )
        cells = (numerator,) if isinstance(numerator, Cell) else tuple(numerator)
        self.figures.append(Figure(family, label, value, kind, cells, tuple(denominator), offset))

    def skip(
        self,
        family: str,
        label: str,
        published: Any,
        reason: str,
        status: Literal["out of reach", "repeat"] = "out of reach",
    ) -> None:
        if published is not None:
            self.not_compared.append(NotCompared(family, label, str(published), status, reason))


def study_mapping(doc: Mapping[str, Any]) -> tuple[list[Figure], list[NotCompared]]:
    """Every numeric figure of the study: the comparable ones and the others with a reason."""
    m = _Mapping()
    _care_use(m, doc)
    _supply(m, doc)
    _users(m, doc)
    _services_mix(m, doc)
    _function_setting(m, doc)
    _sessions(m, doc)
    _prior_care(m, doc)
    _trajectories(m, doc)
    _rules(m, doc)
    return m.figures, m.not_compared


def _care_use(m: _Mapping, doc: Mapping[str, Any]) -> None:
    f1 = doc["mh_care_use_all_figure_1"]
    for row in f1["classification_exclusive"] + f1["aggregates"]:
        for year in (2010, 2024):
            m.add(
                CARE_USE,
                f"Fig 1 {row['category']} {year}",
                row.get(year),
                "rate",
                cell(
                    "mart_mh_care_use",
                    "population_share",
                    year=year,
                    classification="figure_1",
                    category=row["category"],
                ),
            )
    for row in doc["mh_care_use_ambulatory_figure_2"]["rows"]:
        for year in (2010, 2024):
            m.add(
                CARE_USE,
                f"Fig 2 {row['category']} {year}",
                row.get(year),
                "rate",
                cell(
                    "mart_mh_care_use",
                    "population_share",
                    year=year,
                    classification="figure_2",
                    category=row["category"],
                ),
            )


def _overview(year: int, province: str, column: str) -> Cell:
    return cell("mart_elp_province_overview", column, year=year, province_code=province)


def _supply(m: _Mapping, doc: Mapping[str, Any]) -> None:
    for row in doc["need_ghq_2018"]["rows"]:
        label = f"GHQ 2+ {row['dimension']}={row['category']}"
        if row["dimension"] in ("total", "province"):
            province = "belgium" if row["dimension"] == "total" else row["category"]
            # the warehouse carries the 2018 survey value per province in every year's row
            m.add(SUPPLY, label, row["value"], "rate", _overview(2024, province, "ghq2_share"))
        else:
            m.skip(
                SUPPLY,
                label,
                row["value"],
                "health-survey figure by sex, income or survey age band: the marts carry "
                "the GHQ 2+ need by province only",
            )
    national: dict[str, tuple[str, Kind]] = {
        "conventioned_providers": ("providers", "count"),
        "licensed_providers": ("licensed", "count"),
        "conventioned_share_of_licensed": ("conventioned_share_of_licensed", "share"),
    }
    for row in doc["elp_providers_national"]["rows"]:
        measure = row["measure"]
        if measure in national:
            column, kind = national[measure]
            for year in (2022, 2024):
                m.add(
                    SUPPLY,
                    f"3.2 {measure} Dec {year}",
                    row.get(f"{year}-12"),
                    kind,
                    _overview(year, "belgium", column),
                )
        elif measure == "conventioned_providers_growth":
            m.add(
                SUPPLY,
                "3.2 conventioned providers growth 2022-2024",
                row["value"],
                "count",
                _overview(2024, "belgium", "providers"),
                (_overview(2022, "belgium", "providers"),),
                offset=-1.0,
            )
        elif measure == "services_per_100_inhabitants":
            m.add(
                SUPPLY,
                f"3.2 services per 100 inhabitants {row['year']}",
                row["value"],
                "density",
                _overview(row["year"], "belgium", "services_per_100_inhabitants"),
            )
    overview: dict[str, tuple[str, Kind]] = {
        "ghq_need": ("ghq2_share", "rate"),
        "conventioned_providers": ("providers", "count"),
        "providers_per_100k": ("providers_per_100k", "density"),
        "conventioned_share_of_licensed": ("conventioned_share_of_licensed", "share"),
        "services_per_100_inhabitants": ("services_per_100_inhabitants", "density"),
        "services_per_provider": ("services_per_provider", "density"),
        "usage_rate": ("usage_rate", "rate"),
        # spending over the budget envelope: a ratio of money amounts, judged like a count
        "budget_utilisation": ("budget_utilisation", "count"),
    }
    section = doc["province_overview_2024"]
    for row in section["rows"]:
        for field_name, (column, kind) in overview.items():
            m.add(
                SUPPLY,
                f"Fig 3 {row['province']} {field_name}",
                row.get(field_name),
                kind,
                _overview(section["year"], row["province"], column),
            )
    for row in doc["provider_network_types"]["rows"]:
        network = row["network_type"]

        def density(year: int, column: str, network: str = network) -> Cell:
            return cell("mart_elp_provider_density", column, year=year, network_type=network)

        for year, value in row["share_of_conventioned_providers"].items():
            m.add(
                SUPPLY,
                f"3.2.2 {network} share of providers {year}",
                value,
                "share",
                density(int(year), "share_of_providers"),
            )
        m.add(
            SUPPLY,
            f"3.2.2 {network} providers 2024",
            row["providers_end_2024"],
            "count",
            density(2024, "providers"),
        )
        m.add(
            SUPPLY,
            f"3.2.2 {network} providers per 100k 2024",
            row["providers_per_100k_age_population"],
            "density",
            density(2024, "providers_per_100k"),
        )


def _usage(year: int, dimension: str, category: str, column: str) -> Cell:
    return cell("mart_elp_usage", column, year=year, dimension=dimension, category=category)


def _yearly(year: int, column: str) -> Cell:
    return cell("mart_elp_users_yearly", column, year=year)


def _users(m: _Mapping, doc: Mapping[str, Any]) -> None:
    for row in doc["mhc_dashboard_active_patients"]["rows"]:
        m.skip(
            USERS,
            f"dashboard active patients {row['year']}",
            row["value"],
            "MHC-dashboard registrations (NIC), not claims: no counterpart in an extract",
        )
    measures: dict[str, tuple[str, Kind]] = {
        "users_extrapolated": ("users_extrapolated", "count"),
        "usage_rate": ("usage_rate", "rate"),
    }
    for row in doc["elp_users_yearly"]["rows"]:
        measure = row["measure"]
        if measure in measures:
            column, kind = measures[measure]
            for year in range(2019, 2025):
                m.add(USERS, f"Fig 4 {measure} {year}", row.get(year), kind, _yearly(year, column))
        elif measure == "cumulative_distinct_users":
            m.add(
                USERS,
                "Fig 4 cumulative distinct users 2019-2024",
                row["value"],
                "count",
                _yearly(2024, "cumulative_users_extrapolated"),
            )
        elif measure == "cumulative_usage_rate":
            m.add(
                USERS,
                "Fig 4 cumulative usage rate 2019-2024",
                row["value"],
                "rate",
                _yearly(2024, "cumulative_usage_rate"),
            )
    for row in doc["figure_5_usage_rate_2024"]["rows"]:
        m.add(
            USERS,
            f"Fig 5 {row['dimension']}={row['category']}",
            row["value"],
            "rate",
            _usage(2024, row["dimension"], row["category"], "usage_rate"),
        )
    for row in doc["vt_share_among_users"]["rows"]:
        if row["measure"] == "vt_share_of_elp_users":
            first, last = (int(y) for y in row["years"].split("-"))
            for year in range(first, last + 1):
                m.add(
                    USERS,
                    f"3.3.2 VT share of users {year}",
                    (row["min"], row["max"]),
                    "share",
                    _usage(year, "vt", "vt", "users_extrapolated"),
                    (_yearly(year, "users_extrapolated"),),
                )
        else:
            year = row["year"]
            m.add(
                USERS,
                f"3.3.2 VT share of the population {year}",
                row["value"],
                "rate",
                _usage(year, "vt", "vt", "population"),
                (_usage(year, "total", "belgium", "population"),),
            )
    for row in doc["footnote_18_standardised_usage_2024"]["rows"]:
        m.add(
            FN18,
            f"fn 18 standardised rate {row['category']}",
            row["value"],
            "rate",
            _usage(2024, row["dimension"], row["category"], "standardised_rate"),
        )
    for row in doc["other_figures"]["rows"]:
        measure, value = row["measure"], row.get("value")
        if measure == "population_using_elp_today":
            m.add(
                USERS,
                "5.2 share of the population using ELP",
                value,
                "rate",
                _yearly(2024, "cumulative_usage_rate"),
            )
        elif measure in ("cm_members", "cm_share_of_population"):
            m.skip(
                USERS,
                f"2.1.1 {measure}",
                value,
                "size of the insurer's membership: an extract's size is set by its sample "
                "(the generator's --scale), not a measured figure",
            )
        elif measure == "population_needing_psychological_help":
            m.skip(
                USERS,
                f"5.2 {measure}",
                value,
                "survey figure (Duveau & Hermans 2025): no counterpart in claims",
            )
        elif measure == "psychiatric_prior_care_share":
            rng = row["range"]
            m.skip(
                PRIOR,
                f"4.4 {measure}",
                f"{rng['min']}-{rng['max']}",
                "repeats Figure 10's psychiatrist range",
                "repeat",
            )


def _services_mix(m: _Mapping, doc: Mapping[str, Any]) -> None:
    def mix(year: int, area: str, dimension: str, category: str) -> Cell:
        return cell(
            "mart_elp_services_mix",
            "share",
            year=year,
            area=area,
            dimension=dimension,
            category=category,
        )

    for row in doc["table_1_services_mix"]["rows"]:
        for year in (2022, 2023, 2024):
            m.add(
                MIX,
                f"Table 1 {row['dimension']}={row['category']} {year}",
                row.get(year),
                "share",
                mix(year, "belgium", row["dimension"], row["category"]),
            )
    section = doc["province_services_mix_2024"]
    for row in section["rows"]:
        m.add(
            MIX,
            f"Annex 2 {row['province']} {row['dimension']}={row['category']}",
            row["value"],
            "share",
            mix(section["year"], row["province"], row["dimension"], row["category"]),
        )


def _function_cell(year: int, dimension: str, category: str, function: str, column: str) -> Cell:
    return cell(
        "mart_elp_users_by_function",
        column,
        year=year,
        dimension=dimension,
        category=category,
        function=function,
    )


def _setting_cell(
    year: int, dimension: str, category: str, group: str, setting: str, column: str
) -> Cell:
    return cell(
        "mart_elp_users_by_setting",
        column,
        year=year,
        dimension=dimension,
        category=category,
        setting_group=group,
        setting=setting,
    )


def _function_setting(m: _Mapping, doc: Mapping[str, Any]) -> None:
    fam = FUNCTION_SETTING
    for row in doc["table_2_users_by_function"]["rows"]:
        function = row["function"]
        for year in (2022, 2023, 2024):
            if function == "total":
                m.skip(
                    fam,
                    f"Table 2 total users {year}",
                    row["n"][year],
                    "repeats Figure 4's users",
                    "repeat",
                )
                continue
            m.add(
                fam,
                f"Table 2 {function} share {year}",
                row["share"][year],
                "share",
                _function_cell(year, "total", "belgium", function, "users_share"),
            )
            m.add(
                fam,
                f"Table 2 {function} users {year}",
                row["n"][year],
                "count",
                _function_cell(year, "total", "belgium", function, "users_extrapolated"),
            )
    year = doc["table_3_users_by_function_profile_2024"]["year"]
    for row in doc["table_3_users_by_function_profile_2024"]["rows"]:
        dim, cat = row["dimension"], row["category"]
        for function in ("support", "treatment", "both"):
            if dim == "total":
                for column in ("share", "n"):
                    m.skip(
                        fam,
                        f"Table 3 {dim}={cat} {column}_{function}",
                        row[f"{column}_{function}"],
                        "repeats Table 2 (2024)",
                        "repeat",
                    )
                continue
            m.add(
                fam,
                f"Table 3 {dim}={cat} share {function}",
                row[f"share_{function}"],
                "share",
                _function_cell(year, dim, cat, function, "users_share"),
            )
            m.add(
                fam,
                f"Table 3 {dim}={cat} users {function}",
                row[f"n_{function}"],
                "count",
                _function_cell(year, dim, cat, function, "users_extrapolated"),
            )
    for row in doc["table_4_users_by_network_and_place"]["rows"]:
        category = row["category"]
        for year in (2022, 2023, 2024):
            if row["group"] == "network":
                users = _usage(year, "network_type", category, "users_extrapolated")
                share: tuple[Cell, tuple[Cell, ...]] = (
                    users,
                    (_yearly(year, "users_extrapolated"),),
                )
                label = f"Table 4 network {category}"
            else:
                group = "exclusive" if row["group"] == "place_exclusive" else "any"
                users = _setting_cell(
                    year, "total", "belgium", group, category, "users_extrapolated"
                )
                share = (
                    _setting_cell(year, "total", "belgium", group, category, "users_share"),
                    (),
                )
                label = f"Table 4 {group} {category}"
            m.add(fam, f"{label} share {year}", row["share"][year], "share", share[0], share[1])
            m.add(fam, f"{label} users {year}", row["n"][year], "count", users)
    section = doc["figure_6_outreach_share_2024"]
    for row in section["rows"]:
        dim, cat = row["dimension"], row["category"]
        label = f"Fig 6 outreach {dim}={cat}"
        if dim == "total":
            m.skip(fam, label, row["value"], "repeats Table 4 (any outreach 2024)", "repeat")
            continue
        # the marts split 65+ in 65-79 and 80+: the study's 65+ is their users-weighted union
        parts = ("65-79", "80+") if cat == "65+" else (cat,)
        m.add(
            fam,
            label,
            row["value"],
            "share",
            [
                _setting_cell(section["year"], dim, p, "any", "outreach", "users_extrapolated")
                for p in parts
            ],
            [
                _setting_cell(
                    section["year"], dim, p, "any", "outreach", "subgroup_users_extrapolated"
                )
                for p in parts
            ],
        )


def _sessions(m: _Mapping, doc: Mapping[str, Any]) -> None:
    def sessions(year: int, dimension: str, category: str, column: str) -> Cell:
        return cell(
            "mart_elp_sessions_per_patient",
            column,
            cohort_year=year,
            dimension=dimension,
            category=category,
        )

    for row in doc["sessions_cohort_sizes"]["rows"]:
        m.skip(
            SESSIONS,
            f"fn 10 cohort size {row['cohort_year']}",
            row["value"],
            "unweighted count of the insurer's patients: an extract's size is set by its "
            "sample (the generator's --scale)",
        )
    for row in doc["annex_5_mean_sessions"]["rows"]:
        for year in (2022, 2023, 2024):
            m.add(
                SESSIONS,
                f"Annex 5 mean {row['dimension']}={row['category']} {year}",
                row.get(year),
                "mean",
                sessions(year, row["dimension"], row["category"], "mean_sessions"),
            )
    columns = {
        "p25": "p25_sessions",
        "median": "median_sessions",
        "p75": "p75_sessions",
        "p95": "p95_sessions",
    }
    for row in doc["sessions_distribution_percentiles"]["rows"]:
        year, dim, cat = row["cohort_year"], row["dimension"], row["category"]
        for name, column in columns.items():
            m.add(
                SESSIONS,
                f"Fig 7-9 {name} {dim}={cat} {year}",
                row.get(name),
                "percentile",
                sessions(year, dim, cat, column),
            )
        m.skip(
            SESSIONS,
            f"Fig 7-9 mean {dim}={cat} {year}",
            row.get("mean"),
            "repeats Annex 5",
            "repeat",
        )


def _prior(year: int, dimension: str, category: str, prior_care: str) -> Cell:
    return cell(
        "mart_elp_prior_care",
        "share",
        cohort_year=year,
        dimension=dimension,
        category=category,
        prior_care=prior_care,
    )


def _prior_care(m: _Mapping, doc: Mapping[str, Any]) -> None:
    for row in doc["prior_care_figure_10"]["rows"]:
        care = row["prior_care"]
        for year in (2019, 2024):
            m.add(
                PRIOR,
                f"Fig 10 {care} {year}",
                row.get(year),
                "share",
                _prior(year, "total", "belgium", care),
            )
        rng = row.get("range_2019_2024")
        if rng:
            for year in range(2019, 2025):
                m.add(
                    PRIOR,
                    f"Fig 10 {care} {year} (range 2019-2024)",
                    (rng["min"], rng["max"]),
                    "share",
                    _prior(year, "total", "belgium", care),
                )
    section = doc["prior_care_figure_11_2024"]
    year = section["cohort_year"]
    for row in section["rows"]:
        dim, cat, care = row["dimension"], row["category"], row["prior_care"]
        label = f"Fig 11 {dim}={cat} {care}"
        if dim == "total":
            m.skip(PRIOR, label, row.get("value"), "repeats Figure 10 (2024)", "repeat")
            continue
        if cat == "65+":
            # "33-35 %" for 65-79 and 80+ without saying which is which: both must lie in it
            rng = row["range"]
            for part in ("65-79", "80+"):
                m.add(
                    PRIOR,
                    f"Fig 11 {dim}={part} {care} (range for 65+)",
                    (rng["min"], rng["max"]),
                    "share",
                    _prior(year, dim, part, care),
                )
            continue
        m.add(PRIOR, label, row.get("value"), "share", _prior(year, dim, cat, care))


def _expand(pattern: str) -> list[str]:
    """'Y-*-N' -> ['Y-Y-N', 'Y-N-N']: a '*' position sums the two values."""
    expanded = [pattern]
    while any("*" in p for p in expanded):
        expanded = [p.replace("*", v, 1) for p in expanded for v in ("Y", "N")]
    return expanded


# the cohort of Figure 12 (the section's name and its `cohort`: first session in 2023)
FIGURE_12_COHORT = 2023


def _trajectories(m: _Mapping, doc: Mapping[str, Any]) -> None:
    section = doc["care_transitions_figure_12_2023"]
    year = FIGURE_12_COHORT

    def transition(care: str, period: str, status: str) -> Cell:
        return cell(
            "mart_elp_care_transitions",
            "share",
            cohort_year=year,
            care_type=care,
            period=period,
            elp_status=status,
        )

    for row in section["rows"]:
        for name, (period, status) in FIGURE_12_COLUMNS.items():
            m.add(
                TRAJECTORIES,
                f"Fig 12 {row['care_type']} {name}",
                row.get(name),
                "share",
                transition(row["care_type"], period, status),
            )
    for row in section["totals"]:
        m.add(
            TRAJECTORIES,
            f"Fig 12 {row['measure']}",
            row["value"],
            "share",
            transition("all", "after", "with_elp_after"),
        )

    def pattern_cells(cohort: int, care: str, pattern: str, elp: str, column: str) -> list[Cell]:
        return [
            cell(
                "mart_elp_individual_trajectories",
                column,
                cohort_year=cohort,
                care_type=care,
                pattern=p,
                elp_after=elp,
            )
            for p in _expand(pattern)
        ]

    splits = {
        "share_elp_stopped_after": ("without_elp_after", "share"),
        "share_without_elp_after": ("without_elp_after", "share"),
        "share_with_elp_after": ("with_elp_after", "share"),
        "n": ("all", "n"),
        "n_with_elp_after": ("with_elp_after", "n"),
        "n_without_elp_after": ("without_elp_after", "n"),
    }
    for key, care, fig in (
        ("individual_trajectories_figure_13_antidepressants", "antidepressants", "Fig 13"),
        ("individual_trajectories_figure_14_psychiatrist", "psychiatrist", "Fig 14"),
    ):
        cohort = doc[key]["cohort_year"]
        for row in doc[key]["rows"]:
            pattern = row["pattern"]
            if "(with ELP after)" in pattern:
                # Figure 14's "moved from psychiatrist to ELP": stopped, with ELP after
                pattern, main = pattern.split(" ")[0], "with_elp_after"
            elif pattern == "Y-*-N" and care == "antidepressants":
                # printed as "neither antidepressants nor ELP after" (0.15 + 0.13)
                main = "without_elp_after"
            else:
                main = "all"
            m.add(
                TRAJECTORIES,
                f"{fig} {pattern} ({main})",
                row["share"],
                "share",
                pattern_cells(cohort, care, pattern, main, "share_of_start_group"),
            )
            for name, (elp, what) in splits.items():
                if row.get(name) is None:
                    continue
                if what == "share":
                    m.add(
                        TRAJECTORIES,
                        f"{fig} {pattern} {name}",
                        row[name],
                        "share",
                        pattern_cells(cohort, care, pattern, elp, "share_of_start_group"),
                    )
                else:
                    m.add(
                        TRAJECTORIES,
                        f"{fig} {pattern} {name}",
                        row[name],
                        "count",
                        pattern_cells(cohort, care, pattern, elp, "patients_extrapolated"),
                    )


def _rules(m: _Mapping, doc: Mapping[str, Any]) -> None:
    """The convention's rules are inputs of the seeds and of the generator, not measured
    figures: each numeric rule is listed as out of reach."""
    rules = doc["rules"]
    reason = "convention rule (tariff, ceiling or network count): an input, not a measure"
    family = "Convention rules"
    for group in ("items", "derived"):
        for row in rules["tariffs"][group]:
            m.skip(family, f"tariff {row['code']}", row["value"], reason)
    ceilings = rules["session_ceilings"]
    for row in ceilings["faq_framework"]["rows"]:
        limits = {k: v for k, v in row.items() if k.endswith(("_max", "_average"))}
        m.skip(family, f"ceiling {row['function']} {row['age_rule']}", limits, reason)
    for row in ceilings["convention_2024"]["rows"]:
        limits = {k: v for k, v in row.items() if "max" in k or "average" in k}
        m.skip(family, f"ceiling 2024 {row['network_type']}", limits, reason)
    for row in rules["networks"]["rows"]:
        m.skip(family, f"networks {row['code']}", row["count"], reason)
    for row in rules["mutuality_specific"]["rows"]:
        m.skip(family, f"complementary insurance {row['code']}", row["value"], reason)


# ---------------------------------------------------------------------------------------------
# Reading the warehouse and comparing
# ---------------------------------------------------------------------------------------------


class Warehouse:
    """The marts of one database file, read once; `lookup` answers a cell."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise StudyFiguresError(f"{path}: no such database file")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StudyFiguresError(f"{path}: not a DuckDB database ({exc})") from exc
        try:
            present = {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            }
            absent = [t for t in MARTS if t not in present]
            if absent:
                raise StudyFiguresError(
                    f"{path}: not a built warehouse, marts missing: {', '.join(absent)}"
                )
            self._rows: dict[str, list[dict[str, Any]]] = {}
            for mart in MARTS:
                cur = con.execute(f"select * from marts.{mart}")
                names = [d[0] for d in cur.description]
                self._rows[mart] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()
        self._index: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], dict[str, Any]]] = {}

    @property
    def published(self) -> bool:
        """Whether the marts carry the published snapshot's suppression flag."""
        return any("is_suppressed" in rows[0] for rows in self._rows.values() if rows)

    def lookup(self, c: Cell) -> tuple[float | None, CellState]:
        """The cell's value and state: "empty" when the mart has no row for this combination
        of key values although it has each value (a subgroup without observed persons in
        that year: the marts write no row for it); "missing" when a key value is unknown to
        the mart or the value is null without suppression."""
        names = tuple(k for k, _ in c.key)
        index = self._index.get((c.mart, names))
        if index is None:
            index = {tuple(r[n] for n in names): r for r in self._rows[c.mart]}
            self._index[(c.mart, names)] = index
        row = index.get(tuple(v for _, v in c.key))
        if row is None:
            known = all(any(r[name] == value for r in self._rows[c.mart]) for name, value in c.key)
            return None, "empty" if known else "missing"
        if c.column not in row:
            raise StudyFiguresError(f"{self.path}: {c.mart} has no column {c.column}")
        value = row[c.column]
        if value is None:
            return None, "suppressed" if row.get("is_suppressed") else "missing"
        return float(value), "ok"


def measure(figure: Figure, warehouse: Warehouse) -> Result:
    totals = []
    for cells in (figure.numerator, figure.denominator):
        total = 0.0
        for c in cells:
            value, state = warehouse.lookup(c)
            if value is None:
                return Result(figure, None, "missing" if state == "ok" else state)
            total += value
        totals.append(total)
    numerator, denominator = totals
    if figure.denominator:
        if denominator == 0:
            return Result(figure, None, "missing")
        value = numerator / denominator + figure.offset
    else:
        value = numerator + figure.offset
    return Result(figure, value, "within" if figure.within(value) else "outside")


def compare(figures: Iterable[Figure], warehouse: Warehouse) -> list[Result]:
    return [measure(f, warehouse) for f in figures]


def summarise(results: Iterable[Result], worst: int = 3) -> list[FamilySummary]:
    """One summary per family in FAMILIES order (every family, even one without figures)."""
    by_family = {f: FamilySummary(f) for f in FAMILIES}
    for r in results:
        s = by_family[r.figure.family]
        if r.status == "suppressed":
            s.suppressed += 1
            continue
        if r.status == "empty":
            s.empty += 1
            continue
        s.compared += 1
        if r.status == "within":
            s.within += 1
        else:
            s.misses.append(r)
    for s in by_family.values():
        s.misses = sorted(s.misses, key=lambda r: r.miss, reverse=True)[:worst]
    return list(by_family.values())
