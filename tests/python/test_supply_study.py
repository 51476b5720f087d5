"""Study reproduction for the supply marts (section 3.2, Figure 3, Table 1, Annexes 1-2) on
the default synthetic extract (scale 0.02, the `make demo` default).

Every published value of reference/study_figures.yaml that the supply marts answer is compared
with the warehouse and printed as a published-vs-warehouse table. Tolerances, by kind:

- `count`: supply counts taken from the seeds (providers, licensed): exact.
- `seed_share`: need (GHQ 2+) and conventioned shares: 0.005 (the study prints whole percents).
- `density`: seed providers over the IMA population: 8 % relative. The study's denominators
  are not exactly the IMA population (Brussels: 900 providers at 79 per 100,000 implies
  1.14 M inhabitants, the IMA population is 1.22 M).
- `national_share` (Table 1): 0.04 absolute = printed rounding 0.005 + sampling at scale 0.02
  (95 % interval half-width ~0.02) + the generator's calibration residual.
- extract-based province values (services per 100, usage rate, Annex 2 shares, services per
  provider, budget utilisation): printed rounding + 1.5 x the half-width of the warehouse's
  95 % interval (~2.9 standard errors: a province has 40-400 observed users at this scale).
  Services per provider and utilisation take the relative interval of services per 100
  (both are proportional to the province's extrapolated services).

A published value can be out of reach because the synthetic generator does not simulate it
(it is calibrated on national Table 1 and province usage rates, not on every province figure).
Such rows are reported as `generator gap`, never silently passed: the warehouse value is out
of tolerance of the published value but within tolerance of the generator's own truth (the
whole synthetic population), so the warehouse computed what the data hold. A value missing
both is a failure; test_warehouse_recovers_generator_truth checks the truth recovery itself.
Generator gaps are capped at 5 % of a family's compared figures (study.gap_cap): the services
mix (Table 1, Annex 2) and the supply (Figure 3, section 3.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from study import gap_cap

from warehouse import ROOT, demo_database, demo_truth_dir, rows

YEAR = 2024


@dataclass(frozen=True)
class Built:
    db: Path
    truth: Path


@dataclass
class Comparison:
    source: str
    measure: str
    published: float
    warehouse: float | None
    tolerance: float
    truth: float | None = None

    @property
    def ok(self) -> bool:
        return self.warehouse is not None and abs(self.warehouse - self.published) <= (
            self.tolerance + 1e-9
        )

    @property
    def generator_gap(self) -> bool:
        """The warehouse recovers the generator's truth (within the tolerance) but that truth
        is not the published value: the generator does not simulate it, the warehouse is right.
        A warehouse that misses both the published value and the truth is a failure."""
        return (
            self.truth is not None
            and self.warehouse is not None
            and abs(self.warehouse - self.truth) <= self.tolerance
        )

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        return "generator gap" if self.generator_gap else "FAIL"

    @property
    def family(self) -> str:
        if self.source.startswith(("Table 1", "Annex 2")):
            return "Table 1 / Annex 2 services mix"
        return "Figure 3 / section 3.2 supply"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(demo_database(tmp_path_factory), demo_truth_dir(tmp_path_factory))


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    with open(ROOT / "reference" / "study_figures.yaml", encoding="utf-8") as f:
        doc: dict[str, Any] = yaml.safe_load(f)
    return doc


def truth_tables(truth: Path) -> tuple[dict[tuple[Any, ...], float], dict[tuple[Any, ...], float]]:
    """Generator truth (whole synthetic population): service shares per year x area x
    dimension x category, and services per 100 / usage rate per year x area."""
    with duckdb.connect() as con:
        shares = con.execute(
            f"""
            select year, area, dimension, category,
                   services / sum(services) over (partition by year, area, dimension)
            from read_parquet('{truth / "services.parquet"}')
            """
        ).fetchall()
        rates = con.execute(
            f"""
            with services as (
                select year, area, sum(services) as services
                from read_parquet('{truth / "services.parquet"}')
                where dimension = 'setting' group by year, area
            ),
            population as (
                select year, province_code as area, sum(population) as population
                from read_parquet('{truth / "population.parquet"}') group by year, province_code
                union all
                select year, 'belgium', sum(population)
                from read_parquet('{truth / "population.parquet"}') group by year
            ),
            usage as (
                select year, category as area, sum(elp_users) / sum(population) as usage_rate
                from read_parquet('{truth / "usage.parquet"}')
                where dimension in ('total', 'province') group by year, category
            )
            select services.year, services.area, 100.0 * services / population, usage_rate
            from services
            inner join population using (year, area)
            left join usage using (year, area)
            """
        ).fetchall()
    share_map = {(int(r[0]), r[1], r[2], r[3]): float(r[4]) for r in shares}
    rate_map: dict[tuple[Any, ...], float] = {}
    for r in rates:
        rate_map[(int(r[0]), r[1], "services_per_100")] = float(r[2])
        if r[3] is not None:
            rate_map[(int(r[0]), r[1], "usage_rate")] = float(r[3])
    return share_map, rate_map


def half_width(row: dict[str, Any], prefix: str) -> float:
    return float(row[f"{prefix}_ci_high"] - row[f"{prefix}_ci_low"]) / 2


def comparisons(built: Built, figures: dict[str, Any]) -> list[Comparison]:
    true_shares, true_rates = truth_tables(built.truth)
    overview = {
        (r["year"], r["province_code"]): r
        for r in rows(built.db, "select * from marts.mart_elp_province_overview")
    }
    mix = {
        (r["year"], r["area"], r["dimension"], r["category"]): r
        for r in rows(built.db, "select * from marts.mart_elp_services_mix")
    }
    density = {
        (r["year"], r["network_type"]): r
        for r in rows(built.db, "select * from marts.mart_elp_provider_density")
    }
    out: list[Comparison] = []

    # Table 1: national services mix 2022-2024
    for f in figures["table_1_services_mix"]["rows"]:
        for year in (2022, 2023, 2024):
            key = (year, "belgium", f["dimension"], f["category"])
            out.append(
                Comparison(
                    f"Table 1 {year}",
                    f"share {f['dimension']}={f['category']}",
                    float(f[year]),
                    mix[key]["share"],
                    0.04,
                    true_shares.get(key),
                )
            )

    # Annex 2 (text): province services mix 2024
    for f in figures["province_services_mix_2024"]["rows"]:
        key = (YEAR, f["province"], f["dimension"], f["category"])
        m = mix[key]
        out.append(
            Comparison(
                "Annex 2 2024",
                f"{f['province']} share {f['dimension']}={f['category']}",
                float(f["value"]),
                m["share"],
                0.005 + 1.5 * half_width(m, "share"),
                true_shares.get(key),
            )
        )

    # Figure 3 / Annex 1 (text): province overview 2024 and the national row
    for f in figures["province_overview_2024"]["rows"]:
        code = f["province"]
        o = overview[(YEAR, code)]
        s100 = o["services_per_100_inhabitants"]
        rel = 1.5 * half_width(o, "services_per_100") / s100
        # the truth's services per 100, scaled onto per-provider and utilisation (same factor)
        true_s100 = true_rates.get((YEAR, code, "services_per_100"))
        scale = None if true_s100 is None else true_s100 / s100
        per_provider = o["services_per_provider"]
        utilisation = o["budget_utilisation"]
        checks: list[tuple[str, str, float, float | None]] = [
            ("ghq2_share", "ghq_need", 0.005, None),
            ("providers", "conventioned_providers", 0.0, None),
            ("providers_per_100k", "providers_per_100k", 0.08 * o["providers_per_100k"], None),
            ("conventioned_share_of_licensed", "conventioned_share_of_licensed", 0.005, None),
            (
                "services_per_100_inhabitants",
                "services_per_100_inhabitants",
                0.5 + 1.5 * half_width(o, "services_per_100"),
                true_s100,
            ),
            (
                "usage_rate",
                "usage_rate",
                0.0005 + 1.5 * half_width(o, "usage_rate"),
                true_rates.get((YEAR, code, "usage_rate")),
            ),
            (
                "services_per_provider",
                "services_per_provider",
                0.5 + rel * (per_provider or 0),
                None if scale is None or per_provider is None else per_provider * scale,
            ),
            (
                "budget_utilisation",
                "budget_utilisation",
                0.005 + rel * (utilisation or 0),
                None if scale is None or utilisation is None else utilisation * scale,
            ),
        ]
        for column, field, tolerance, truth in checks:
            if f.get(field) is not None:
                out.append(
                    Comparison(
                        f"Fig 3 {code}", column, float(f[field]), o[column], tolerance, truth
                    )
                )

    # section 3.2: national supply in December 2022 and 2024
    for f in figures["elp_providers_national"]["rows"]:
        national: dict[str, tuple[str, float]] = {
            "conventioned_providers": ("providers", 0.0),
            "licensed_providers": ("licensed", 0.0),
            "conventioned_share_of_licensed": ("conventioned_share_of_licensed", 0.005),
        }
        if f["measure"] not in national:
            continue
        name, tolerance = national[f["measure"]]
        for year in (2022, 2024):
            o = overview[(year, "belgium")]
            out.append(
                Comparison(f"3.2 national {year}", name, float(f[f"{year}-12"]), o[name], tolerance)
            )

    # section 3.2.2: providers by network type, shares and densities
    for f in figures["provider_network_types"]["rows"]:
        d = density[(YEAR, f["network_type"])]
        src = f"3.2.2 {f['network_type']}"
        out.append(
            Comparison(src, "providers 2024", float(f["providers_end_2024"]), d["providers"], 0)
        )
        out.append(
            Comparison(
                src,
                "providers_per_100k 2024",
                float(f["providers_per_100k_age_population"]),
                d["providers_per_100k"],
                0.08 * d["providers_per_100k"],
            )
        )
        for year, share in f["share_of_conventioned_providers"].items():
            out.append(
                Comparison(
                    src,
                    f"share_of_providers {year}",
                    float(share),
                    density[(int(year), f["network_type"])]["share_of_providers"],
                    0.005,
                )
            )
    return out


def format_table(rows_: list[Comparison]) -> str:
    lines = [
        f"{'source':<32}{'measure':<48}{'published':>11}{'warehouse':>11}{'tolerance':>11}"
        f"{'gen. truth':>11}  status"
    ]
    for c in rows_:
        wh = "null" if c.warehouse is None else f"{c.warehouse:.4g}"
        truth = "" if c.truth is None else f"{c.truth:.4g}"
        lines.append(
            f"{c.source:<32}{c.measure:<48}{c.published:>11.4g}{wh:>11}{c.tolerance:>11.3g}"
            f"{truth:>11}  {c.status}"
        )
    return "\n".join(lines)


def test_published_vs_warehouse(built: Built, figures: dict[str, Any]) -> None:
    result = comparisons(built, figures)
    table = format_table(result)
    print("\n" + table)
    failures = [c for c in result if c.status == "FAIL"]
    assert not failures, "published value out of tolerance:\n" + format_table(failures)
    capped: list[str] = []
    for family in sorted({c.family for c in result}):
        compared = [c for c in result if c.family == family]
        gaps = [f"{c.source} {c.measure}" for c in compared if c.status == "generator gap"]
        capped += gap_cap(family, len(compared), gaps)
    assert not capped, capped
    # the seed-based figures the study printed must all be reproduced, never excused
    for c in result:
        if c.truth is None:
            assert c.ok, c


def test_warehouse_recovers_generator_truth(built: Built) -> None:
    """Where the generator misses a published figure, the warehouse must still recover the
    generator's own truth: service shares inside their 95 % interval in at least 90 % of the
    year x area x category cells, every national share within 1.5 x its interval's half-width
    (the tolerance used against the published values)."""
    true_shares, true_rates = truth_tables(built.truth)
    mix = rows(built.db, "select * from marts.mart_elp_services_mix where year >= 2022")
    covered = [
        r["share_ci_low"] - 1e-9
        <= true_shares.get((r["year"], r["area"], r["dimension"], r["category"]), 0.0)
        <= r["share_ci_high"] + 1e-9
        for r in mix
    ]
    assert sum(covered) / len(covered) >= 0.90
    for r in mix:
        if r["area"] == "belgium":
            truth = true_shares[(r["year"], "belgium", r["dimension"], r["category"])]
            assert abs(r["share"] - truth) <= 1.5 * half_width(r, "share"), (r, truth)
    national = rows(
        built.db,
        "select * from marts.mart_elp_province_overview "
        "where year >= 2022 and province_code = 'belgium'",
    )
    for r in national:
        truth = true_rates[(r["year"], "belgium", "services_per_100")]
        assert r["services_per_100_ci_low"] <= truth <= r["services_per_100_ci_high"], r


def test_national_is_sum_of_provinces_and_shares_sum_to_one(built: Built) -> None:
    sums = rows(
        built.db,
        """
        select year,
               sum(case when province_code = 'belgium' then services_extrapolated end) as nat,
               sum(case when province_code <> 'belgium' then services_extrapolated end) as prov,
               sum(case when province_code = 'belgium' then providers end) as nat_p,
               sum(case when province_code <> 'belgium' then providers end) as prov_p
        from marts.mart_elp_province_overview group by year
        """,
    )
    assert len(sums) == 6
    for r in sums:
        assert r["nat"] == pytest.approx(r["prov"], rel=1e-9)
        assert r["nat_p"] == r["prov_p"]
    mix_totals = rows(
        built.db,
        """
        select year, area, dimension, sum(share) as total
        from marts.mart_elp_services_mix group by year, area, dimension
        """,
    )
    assert mix_totals
    for r in mix_totals:
        assert r["total"] == pytest.approx(1.0, abs=1e-9), r
    # the services mix and the province overview count the same services
    both = rows(
        built.db,
        """
        select o.year, o.province_code, o.services_extrapolated, m.area_services_extrapolated
        from marts.mart_elp_province_overview as o
        inner join marts.mart_elp_services_mix as m
            on o.year = m.year and o.province_code = m.area
        where m.dimension = 'setting' and m.category = 'office'
        """,
    )
    for r in both:
        assert r["services_extrapolated"] == pytest.approx(r["area_services_extrapolated"])
