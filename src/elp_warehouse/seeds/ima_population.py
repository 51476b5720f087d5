"""Build the modelled IMA population seed (year x age band x sex x province x VT).

The real IMA population table is not public. This module rebuilds a plausible stand-in from
public marginals (Statbel national totals, the 2023 province table, the study's 20 % VT
share) and documented approximations for everything finer. The method is described in
docs/seeds.md; every constant below is part of that documented method, so change them there
too. The build is pure arithmetic (no randomness), so the committed CSV is reproducible.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final

FIRST_YEAR: Final = 2010
# 2024 is deliberately absent: the study weighted 2024 with the 2023 IMA population.
LAST_YEAR: Final = 2023
AGE_BANDS: Final = tuple(range(0, 95, 5))  # lower bounds; 90 means 90+
SEXES: Final = ("F", "M")
COLUMNS: Final = (
    "year",
    "age_band",
    "sex",
    "province_code",
    "vt",
    "population",
    "is_estimate",
)

# Statbel, population on 1 January (Belgium). 2019-2023 as in public_figures.md.
STATBEL_TOTALS: Final[dict[int, int]] = {
    2010: 10_839_905,
    2011: 10_951_266,
    2012: 11_035_948,
    2013: 11_099_554,
    2014: 11_150_516,
    2015: 11_209_044,
    2016: 11_267_910,
    2017: 11_322_088,
    2018: 11_376_070,
    2019: 11_431_406,
    2020: 11_492_641,
    2021: 11_521_238,
    2022: 11_584_008,
    2023: 11_697_557,
}

# IMA counts insured persons: ~98-99 % of the National Register (IMA Atlas metadata).
IMA_COVERAGE: Final = 0.985

# Statbel population on 1 January 2023 by province (stat.om-mp.be jstat2023 c02).
PROVINCE_POPULATION_2023: Final[dict[str, int]] = {
    "BE-VAN": 1_910_952,
    "BE-VLI": 895_030,
    "BE-VOV": 1_561_316,
    "BE-VBR": 1_187_483,
    "BE-VWV": 1_220_026,
    "BE-WBR": 412_934,
    "BE-WHT": 1_356_895,
    "BE-WLG": 1_115_518,
    "BE-WLX": 293_967,
    "BE-WNA": 502_261,
    "BE-BRU": 1_241_175,
}
PROVINCES: Final = tuple(sorted(PROVINCE_POPULATION_2023))


def region_of(province_code: str) -> str:
    """Region from the ISO code: BE-V* Flanders, BE-W* Wallonia, BE-BRU Brussels."""
    if province_code == "BE-BRU":
        return "brussels"
    return "flanders" if province_code.startswith("BE-V") else "wallonia"


# Relative change of a province's population share per year (backwards from 2023). Brussels
# grew fastest over 2010-2023 (share ~10.0 % -> 10.6 %), Flanders slightly above average,
# Wallonia below; these tilts reproduce that order of magnitude.
SHARE_TREND_PER_YEAR: Final[dict[str, float]] = {
    "brussels": 0.0045,
    "flanders": 0.0005,
    "wallonia": -0.0020,
}

# Approximate Belgian age pyramid, 1 January 2023, both sexes, thousands per 5-year band
# (rounded reading of Statbel's pyramid; only the relative shape is used).
BELGIAN_AGE_PROFILE_2023: Final = (
    615, 665, 690, 660, 660, 720, 760, 770, 760, 750,
    800, 830, 750, 640, 560, 440, 280, 190, 105,
)  # fmt: skip

# Share of women per band: a slight male surplus at birth, parity in mid-life, and a
# growing female majority above 65 (longer female life expectancy).
FEMALE_SHARE_BY_BAND: Final = (
    0.488, 0.488, 0.488, 0.488, 0.493, 0.497, 0.497, 0.497, 0.497, 0.498,
    0.500, 0.502, 0.507, 0.516, 0.527, 0.548, 0.585, 0.640, 0.725,
)  # fmt: skip

# Regional deviation from the national shape (multiplicative, per band): Brussels is much
# younger (many young adults and children, few 65+), Flanders a little older, Wallonia close
# to the national shape with slightly more children.
REGION_AGE_FACTOR: Final[dict[str, tuple[float, ...]]] = {
    "brussels": (
        1.20, 1.12, 1.05, 0.98, 1.05, 1.30, 1.35, 1.28, 1.15, 1.02,
        0.92, 0.85, 0.80, 0.72, 0.66, 0.62, 0.60, 0.62, 0.66,
    ),
    "flanders": (
        0.97, 0.98, 0.99, 1.00, 0.99, 0.97, 0.97, 0.98, 1.00, 1.01,
        1.02, 1.03, 1.03, 1.04, 1.05, 1.06, 1.06, 1.05, 1.04,
    ),
    "wallonia": (
        1.00, 1.02, 1.03, 1.03, 1.01, 0.96, 0.96, 0.97, 0.99, 1.00,
        1.01, 1.02, 1.03, 1.03, 1.02, 1.01, 1.01, 1.02, 1.03,
    ),
}  # fmt: skip

# Population ageing, applied backwards from 2023: the 65+ share of Belgium rose from about
# 17 % (2010) to 19.5 % (2023), i.e. roughly +1 % per year relative; younger bands barely move.
AGEING_PER_YEAR: Final = 0.011
AGEING_FROM_BAND: Final = 65

# VT (increased reimbursement) propensity by age band before calibration: higher among
# children (household-based entitlement), lowest among working-age adults, high at 65+ and
# highest at 80+ (widow(er)s with low pensions).
VT_AGE_PROPENSITY: Final = (
    0.22, 0.22, 0.22, 0.21, 0.19, 0.16, 0.15, 0.15, 0.15, 0.15,
    0.16, 0.17, 0.19, 0.22, 0.24, 0.28, 0.33, 0.38, 0.42,
)  # fmt: skip
# Regional level of VT (2023 target roughly: Flanders 15 %, Wallonia 25 %, Brussels 30 %).
VT_REGION_FACTOR: Final[dict[str, float]] = {"flanders": 0.78, "wallonia": 1.28, "brussels": 1.62}
# Women slightly more often VT (single-parent households, survivor pensions).
VT_SEX_FACTOR: Final[dict[str, float]] = {"F": 1.06, "M": 0.94}
# National VT share: ~15 % in 2010 rising linearly to 20 % in 2023 (the study's value).
VT_SHARE_FIRST: Final = 0.15
VT_SHARE_2023: Final = 0.20


def ima_total(year: int) -> int:
    """Intended national IMA total: Statbel 1 January x coverage, rounded half up."""
    return math.floor(STATBEL_TOTALS[year] * IMA_COVERAGE + 0.5)


def province_shares(year: int) -> dict[str, float]:
    """2023 province shares moved back in time with the regional tilt, renormalised."""
    raw = {
        code: pop * (1.0 + SHARE_TREND_PER_YEAR[region_of(code)]) ** (year - 2023)
        for code, pop in PROVINCE_POPULATION_2023.items()
    }
    total = sum(raw.values())
    return {code: value / total for code, value in raw.items()}


def age_sex_shares(year: int, region: str) -> dict[tuple[int, str], float]:
    """Share of each (age band, sex) in a region's population for a year."""
    weights: dict[tuple[int, str], float] = {}
    for i, band in enumerate(AGE_BANDS):
        ageing = (1.0 + AGEING_PER_YEAR) ** (year - 2023) if band >= AGEING_FROM_BAND else 1.0
        both = BELGIAN_AGE_PROFILE_2023[i] * REGION_AGE_FACTOR[region][i] * ageing
        weights[(band, "F")] = both * FEMALE_SHARE_BY_BAND[i]
        weights[(band, "M")] = both * (1.0 - FEMALE_SHARE_BY_BAND[i])
    total = sum(weights.values())
    return {key: value / total for key, value in weights.items()}


def vt_target(year: int) -> float:
    """National VT share for a year: linear from 2010 to the study's 2023 value."""
    return VT_SHARE_FIRST + (VT_SHARE_2023 - VT_SHARE_FIRST) * (year - FIRST_YEAR) / (
        LAST_YEAR - FIRST_YEAR
    )


def _largest_remainder(values: Sequence[float], total: int) -> list[int]:
    """Round so the integers sum exactly to total; ties go to the earlier cell."""
    floors = [math.floor(v) for v in values]
    missing = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


def _year_cells(year: int) -> list[tuple[int, str, str, bool, float]]:
    """Unrounded cells (age_band, sex, province, vt, population) of one year."""
    total = ima_total(year)
    shares = province_shares(year)
    persons: list[tuple[int, str, str, float, float]] = []
    for code in PROVINCES:
        region = region_of(code)
        for (band, sex), share in age_sex_shares(year, region).items():
            propensity = (
                VT_AGE_PROPENSITY[AGE_BANDS.index(band)]
                * VT_REGION_FACTOR[region]
                * VT_SEX_FACTOR[sex]
            )
            persons.append((band, sex, code, total * shares[code] * share, propensity))
    # Scale all propensities by one factor so the national VT share hits the year's target;
    # the cap keeps every non-VT cell positive.
    population = sum(p[3] for p in persons)
    scale = vt_target(year) * population / sum(p[3] * p[4] for p in persons)
    cells: list[tuple[int, str, str, bool, float]] = []
    for band, sex, code, pop, propensity in persons:
        vt_share = min(propensity * scale, 0.8)
        cells.append((band, sex, code, True, pop * vt_share))
        cells.append((band, sex, code, False, pop * (1.0 - vt_share)))
    return cells


def build_ima_population() -> list[dict[str, object]]:
    """All seed rows, sorted by year, age band, sex, province, vt (VT false first)."""
    rows: list[dict[str, object]] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        cells = sorted(_year_cells(year), key=lambda c: (c[0], c[1], c[2], c[3]))
        counts = _largest_remainder([c[4] for c in cells], ima_total(year))
        for (band, sex, code, vt, _), count in zip(cells, counts, strict=True):
            rows.append(
                {
                    "year": year,
                    "age_band": band,
                    "sex": sex,
                    "province_code": code,
                    "vt": vt,
                    "population": count,
                    "is_estimate": True,
                }
            )
    return rows


def _csv_value(value: object) -> str:
    # dbt/DuckDB read lowercase true/false as booleans.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(path: Path | str) -> int:
    """Write the seed CSV (LF line endings) and return the number of data rows."""
    rows = build_ima_population()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_csv_value(row[c]) for c in COLUMNS])
    return len(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", default="seeds/population/ima_population.csv")
    args = parser.parse_args(argv)
    count = write_csv(args.out)
    print(f"wrote {count} rows to {args.out}")


if __name__ == "__main__":
    main()
