"""Fixed vocabularies, seed loading and the generator's run settings.

Everything that describes Belgium (provinces, arrondissements, population, providers, prison
population) or the code lists is read from the committed seeds, so that the generator writes
exactly what the warehouse will interpret with those same seeds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from elp_warehouse import paths

SEEDS_DIR = paths.PROJECT_ROOT / "seeds"
STUDY_FIGURES = paths.PROJECT_ROOT / "reference" / "study_figures.yaml"

GENERATOR_VERSION = "1.0.0"

SEXES = ("F", "M")
N_AGE_BANDS = 19  # 0, 5, ..., 85, 90+
AGE_GROUPS = ("0-19", "20-29", "30-44", "45-64", "65-79", "80+")
AGE_GROUP_LOWER = np.array([0, 20, 30, 45, 65, 80])
REGIONS = ("flanders", "wallonia", "brussels")
SOCIO_PROFESSIONAL = ("employee", "worker", "self_employed", "civil_servant")
SPECIFIC_FLAGS = (
    "placed_child",
    "detained",
    "unemployed",
    "primary_incapacity",
    "invalidity",
    "social_assistance",
)
SETTINGS = ("office", "outreach", "group", "remote", "home")
FUNCTIONS = ("support", "treatment", "both")
NETWORK_TYPES = ("adults", "children_adolescents")
ELP_START_YEAR = 2019
NO_EXIT = np.int32(2**31 - 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (the Arrow date32 representation)."""
    return (d - date(1970, 1, 1)).days


def year_start(year: int) -> int:
    return day_number(date(year, 1, 1))


def year_end(year: int) -> int:
    return day_number(date(year, 12, 31))


def age_group_of(age: NDArray[np.integer]) -> NDArray[np.int8]:
    return (np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1).astype(np.int8)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Geography:
    provinces: tuple[str, ...]
    region_of_province: NDArray[np.int8]  # index into REGIONS
    # arrondissements valid before 2019 and from 2019 (the Hainaut reform), per province
    arrondissements_old: tuple[tuple[int, ...], ...]
    arrondissements_new: tuple[tuple[int, ...], ...]

    @property
    def n(self) -> int:
        return len(self.provinces)

    def index(self, code: str) -> int:
        return self.provinces.index(code)


def load_geography(seeds: Path = SEEDS_DIR) -> Geography:
    rows = read_csv(seeds / "reference" / "provinces.csv")
    provinces = tuple(r["province_code"] for r in rows)
    region = np.array([REGIONS.index(r["region"]) for r in rows], dtype=np.int8)
    arr_rows = read_csv(seeds / "reference" / "arrondissements.csv")
    old: list[tuple[int, ...]] = []
    new: list[tuple[int, ...]] = []
    for p in provinces:
        mine = [r for r in arr_rows if r["province_code"] == p]
        old.append(
            tuple(
                sorted(
                    int(r["arrondissement_nis"])
                    for r in mine
                    if int(r["valid_from_year"]) <= 2018 <= int(r["valid_to_year"])
                )
            )
        )
        new.append(
            tuple(
                sorted(
                    int(r["arrondissement_nis"])
                    for r in mine
                    if int(r["valid_from_year"]) <= 2019 <= int(r["valid_to_year"])
                )
            )
        )
    return Geography(provinces, region, tuple(old), tuple(new))


def load_ima_population(
    geo: Geography, first_year: int, last_year: int, seeds: Path = SEEDS_DIR
) -> NDArray[np.float64]:
    """Population cells [year, age_band, sex, province, vt] for every simulated year.

    Years after the seed's last year repeat its structure grown by 0.6 % a year (the recent
    Belgian growth rate); years before its first year repeat the first year.
    """
    rows = read_csv(seeds / "population" / "ima_population.csv")
    seed_years = sorted({int(r["year"]) for r in rows})
    cube = np.zeros((len(seed_years), N_AGE_BANDS, 2, geo.n, 2))
    for r in rows:
        cube[
            seed_years.index(int(r["year"])),
            int(r["age_band"]) // 5,
            SEXES.index(r["sex"]),
            geo.index(r["province_code"]),
            1 if r["vt"] == "true" else 0,
        ] = float(r["population"])
    out = np.zeros((last_year - first_year + 1, N_AGE_BANDS, 2, geo.n, 2))
    for k, y in enumerate(range(first_year, last_year + 1)):
        if y in seed_years:
            out[k] = cube[seed_years.index(y)]
        elif y > seed_years[-1]:
            out[k] = cube[-1] * 1.006 ** (y - seed_years[-1])
        else:
            out[k] = cube[0]
    return out


@dataclass(frozen=True)
class NomenclatureCodes:
    """The codes the generator writes: (function, setting, network_type) -> ELP code, and per
    care type the codes in the order events.py draws them (its probabilities and amounts are
    positional)."""

    elp: dict[tuple[str, str, str], str]  # (function, setting, network_type) -> code
    by_care_type: dict[str, tuple[str, ...]]


def load_nomenclature(seeds: Path = SEEDS_DIR) -> NomenclatureCodes:
    """Codes of the seed rows with a `generator_order`; the other rows (real codes the
    generator has no model for) only serve the warehouse's classification."""
    path = seeds / "codes" / "nomenclature_codes.csv"
    rows = [r for r in read_csv(path) if r.get("generator_order", "").strip()]
    elp: dict[tuple[str, str, str], str] = {}
    ranked: dict[str, dict[int, str]] = {}
    for r in rows:
        code, care_type, order = r["nomenclature_code"], r["care_type"], r["generator_order"]
        rank = int(order) if order.isascii() and order.isdigit() else 0
        if rank < 1 or rank in ranked.get(care_type, {}):
            raise ValueError(
                f"{path}: generator_order {order!r} of code {code} is not a positive integer"
                f" unused in care type {care_type}"
            )
        ranked.setdefault(care_type, {})[rank] = code
        if care_type.startswith("elp_"):
            elp[(r["elp_function"], r["elp_setting"], r["elp_network_type"])] = code
    by_type: dict[str, tuple[str, ...]] = {}
    for care_type, codes in ranked.items():
        if sorted(codes) != list(range(1, len(codes) + 1)):
            raise ValueError(
                f"{path}: generator_order of care type {care_type} is {sorted(codes)},"
                f" not 1..{len(codes)}"
            )
        by_type[care_type] = tuple(codes[k] for k in sorted(codes))
    return NomenclatureCodes(elp, by_type)


@dataclass(frozen=True)
class Networks:
    ids: tuple[str, ...]
    types: tuple[str, ...]
    provinces: tuple[tuple[str, ...], ...]

    def candidates(self, network_type: str, province: str) -> list[int]:
        return [
            k
            for k, (t, ps) in enumerate(zip(self.types, self.provinces, strict=True))
            if t == network_type and province in ps
        ]

    def mixed(self) -> int:
        return self.types.index("mixed")


def load_networks(seeds: Path = SEEDS_DIR) -> Networks:
    rows = read_csv(seeds / "codes" / "mh_networks.csv")
    return Networks(
        tuple(r["network_id"] for r in rows),
        tuple(r["network_type"] for r in rows),
        tuple(tuple(r["province_codes"].split(";")) for r in rows),
    )


def load_insurability_codes(seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    return read_csv(seeds / "codes" / "insurability_codes.csv")


def load_providers(seeds: Path = SEEDS_DIR) -> dict[tuple[int, str, str], int]:
    """Conventioned providers in December: (year, province, network_type) -> count."""
    rows = read_csv(seeds / "supply" / "elp_providers.csv")
    return {
        (int(r["year"]), r["province_code"], r["network_type"]): int(r["providers"]) for r in rows
    }


def load_prison_population(seeds: Path = SEEDS_DIR) -> dict[tuple[int, str], int]:
    rows = read_csv(seeds / "supply" / "prison_population.csv")
    return {(int(r["year"]), r["sex"]): int(r["population"]) for r in rows}


@dataclass(frozen=True)
class RunConfig:
    out_dir: Path
    scale: float
    seed: int
    first_year: int = 2010
    last_year: int = 2024
    extraction_date: date = date(2025, 6, 23)
    truth_dir: Path | None = None
    progress: bool = True
    seeds_dir: Path = SEEDS_DIR
    study_figures: Path = STUDY_FIGURES
    bad_rows_share: float = 0.0
    years: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        if self.last_year < max(self.first_year, ELP_START_YEAR):
            raise ValueError("last_year must be at least 2019 (the ELP convention)")
        object.__setattr__(self, "years", tuple(range(self.first_year, self.last_year + 1)))

    @property
    def extraction_day(self) -> int:
        return day_number(self.extraction_date)


# ---- calibration of the province supply (issue 27, helper calsup) ----------------------------
def load_budget(seeds: Path = SEEDS_DIR) -> dict[tuple[int, str], float]:
    """Estimated ELP budget envelope per (year, province) in EUR (supply/elp_budget.csv)."""
    rows = read_csv(seeds / "supply" / "elp_budget.csv")
    return {(int(r["year"]), r["province_code"]): float(r["budget_eur"]) for r in rows}
