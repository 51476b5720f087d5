"""Known-truth aggregates over the whole simulated population (members and non-members).

They use the warehouse's attribute definitions (person-year with >= 1 day present, attributes
on the reference date, age = year - birth year), so that the warehouse's weighted estimates
can be compared with the values it would find if it had the whole population.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from elp_warehouse.generator.care import YearCare
from elp_warehouse.generator.config import (
    AGE_GROUPS,
    N_AGE_BANDS,
    NETWORK_TYPES,
    REGIONS,
    SETTINGS,
    SEXES,
    SOCIO_PROFESSIONAL,
    SPECIFIC_FLAGS,
    Geography,
)
from elp_warehouse.generator.elp import N_PROFILES, PROFILES, Cohort, YearUse, profile_key
from elp_warehouse.generator.frame import YearFrame
from elp_warehouse.generator.sessions import Services
from elp_warehouse.generator.util import dense_unique

FIG1 = (
    "acute_rehab_without_ambulatory",
    "psychotropics_only",
    "psychotropics_with_ambulatory",
    "ambulatory_without_psychotropics",
    "any_mh_care",
    "ambulatory_total",
    "psychotropics_total",
    "psychotropics_total_incl_acute",
    "acute_rehab_any",
)
FIG2 = (
    "ambulatory_total",
    "psychiatrist_any",
    "psychiatrist_only",
    "psychiatrist_and_psychologist",
    "psychologist_av",
    "psychologist_conventioned",
    "psychologist_conventioned_only",
    "psychologist_conventioned_with_psychiatrist",
)
PLACES_EXCLUSIVE = (
    "office_only",
    "outreach_only",
    "group_only",
    "remote_only",
    "home_only",
    "multiple",
    "other",
)


def dimension_members(
    geo: Geography,
    age_group: NDArray[np.integer],
    sex: NDArray[np.integer],
    vt: NDArray[np.integer],
    region: NDArray[np.integer],
    province: NDArray[np.integer],
    socio: NDArray[np.integer],
    flags: NDArray[np.integer],
    extra: dict[str, tuple[NDArray[np.integer], tuple[str, ...]]] | None = None,
) -> list[tuple[str, str, NDArray[np.bool_]]]:
    """(dimension, category, membership mask) for every marts.md category."""
    out: list[tuple[str, str, NDArray[np.bool_]]] = [
        ("total", "belgium", np.ones(len(sex), dtype=np.bool_))
    ]
    for k, g in enumerate(AGE_GROUPS):
        out.append(("age_group", g, age_group == k))
    out += [("sex", "female", sex == 0), ("sex", "male", sex == 1)]
    out += [("vt", "vt", vt == 1), ("vt", "non_vt", vt == 0)]
    for k, r in enumerate(REGIONS):
        out.append(("region", r, region == k))
    for k, p in enumerate(geo.provinces):
        out.append(("province", p, province == k))
    for k, s in enumerate(SOCIO_PROFESSIONAL):
        out.append(("socio_professional", s, socio == k))
    for b, f in enumerate(SPECIFIC_FLAGS):
        out.append(("specific_category", f, ((flags >> b) & 1) == 1))
    det = ((flags >> SPECIFIC_FLAGS.index("detained")) & 1) == 1
    out += [
        ("specific_category", "detained_female", det & (sex == 0)),
        ("specific_category", "detained_male", det & (sex == 1)),
    ]
    for dim, (cats, labels) in (extra or {}).items():
        for k, lab in enumerate(labels):
            out.append((dim, lab, cats == k))
    return out


@dataclass
class Truth:
    geo: Geography
    population_rows: list[dict[str, NDArray[np.generic]]] = field(default_factory=list)
    usage_rows: list[dict[str, object]] = field(default_factory=list)
    services_rows: list[dict[str, object]] = field(default_factory=list)

    def add_year(self, fr: YearFrame, use: YearUse | None, care: YearCare) -> None:
        geo = self.geo
        band = np.minimum(fr.age // 5, N_AGE_BANDS - 1)
        cell = ((band * 2 + fr.sex) * geo.n + fr.province) * 2 + fr.vt
        cnt = np.bincount(cell, minlength=N_AGE_BANDS * 2 * geo.n * 2)
        del band, cell  # two full-length int64 arrays, at one of the year's memory peaks
        nz = np.flatnonzero(cnt)
        self.population_rows.append(
            {
                "year": np.full(len(nz), fr.year, dtype=np.int16),
                "age_band": ((nz // (2 * geo.n * 2)) * 5).astype(np.int16),
                "sex": np.array(SEXES)[(nz // (geo.n * 2)) % 2],
                "province_code": np.array(geo.provinces)[(nz // 2) % geo.n],
                "vt": (nz % 2).astype(bool),
                "population": cnt[nz].astype(np.int64),
            }
        )
        n = len(fr.idx)
        f = care.flags
        ph, ps, av, ac = (
            f["psychotropic"],
            f["psychiatrist"],
            f["av_psychologist"],
            f["acute_rehab"],
        )
        zero = np.zeros(n, dtype=np.bool_)
        if use is None:  # before the convention: same columns, all zero
            z8 = np.zeros(n, dtype=np.int8)
            use = YearUse(zero, zero, z8, z8, z8, np.zeros(n, dtype=np.int64))
        elp = use.user
        amb = ps | av | elp
        measures: dict[str, NDArray[np.bool_]] = {
            "population": np.ones(n, dtype=np.bool_),
            "members": fr.member,
            "elp_users": elp,
            "member_elp_users": elp & fr.member,
            "elp_new_users": use.new_user,
        }
        if True:
            fb, sb, nb = use.function_bits, use.setting_bits, use.network_bits
            measures["elp_support_only"] = elp & (fb == 1)
            measures["elp_treatment_only"] = elp & (fb == 2)
            measures["elp_both"] = elp & (fb == 3)
            measures["elp_network_adults"] = elp & ((nb & 1) > 0)
            measures["elp_network_children_adolescents"] = elp & ((nb & 2) > 0)
            places = sb & 31
            single = {
                1: "office_only",
                2: "outreach_only",
                4: "group_only",
                8: "remote_only",
                16: "home_only",
            }
            for bit, name in single.items():
                measures[f"elp_{name}"] = elp & (places == bit)
            measures["elp_multiple"] = elp & (places > 0) & ((places & (places - 1)) > 0)
            measures["elp_other"] = elp & (places == 0)
            for b, s in enumerate(SETTINGS):
                measures[f"elp_any_{s}"] = elp & (((sb >> b) & 1) == 1)
            measures["elp_services"] = use.services  # type: ignore[assignment]
        fig1 = {
            "acute_rehab_without_ambulatory": ~amb & ac,
            "psychotropics_only": ~amb & ~ac & ph,
            "psychotropics_with_ambulatory": amb & ph,
            "ambulatory_without_psychotropics": amb & ~ph,
            "any_mh_care": amb | ac | ph,
            "ambulatory_total": amb,
            "psychotropics_total": ph & (amb | ~ac),
            "psychotropics_total_incl_acute": ph,
            "acute_rehab_any": ac,
        }
        fig2 = {
            "ambulatory_total": amb,
            "psychiatrist_any": ps,
            "psychiatrist_only": ps & ~av & ~elp,
            "psychiatrist_and_psychologist": ps & (av | elp),
            "psychologist_av": av & ~elp,
            "psychologist_conventioned": elp,
            "psychologist_conventioned_only": elp & ~ps,
            "psychologist_conventioned_with_psychiatrist": elp & ps,
        }
        measures.update({f"fig1_{k}": v for k, v in fig1.items()})
        measures.update({f"fig2_{k}": v for k, v in fig2.items()})
        # aggregate persons to profiles first, then sum profiles into the (overlapping) groups
        pkeys, inv = dense_unique(profile_key(fr), N_PROFILES)
        inv = inv.reshape(-1)
        names = list(measures)
        # population and members concern everyone; the other measures (care, ELP use) a
        # minority, so they are summed over the persons with any of them only (zero weights
        # add nothing: the same sums)
        dense = ("population", "members")
        anyone = np.zeros(n, dtype=np.bool_)
        for name in names:
            if name not in dense:
                anyone |= measures[name] != 0
        rows = np.flatnonzero(anyone)
        inv_rows = inv[rows]
        per_profile = np.stack(
            [
                np.bincount(inv, weights=measures[k], minlength=len(pkeys))
                if k in dense
                else np.bincount(inv_rows, weights=measures[k][rows], minlength=len(pkeys))
                for k in names
            ],
            axis=1,
        )
        dec = {name: PROFILES[name][pkeys] for name in PROFILES}
        region = geo.region_of_province[dec["province"]]
        groups = dimension_members(
            geo,
            dec["age_group"],
            dec["sex"],
            dec["vt"],
            region,
            dec["province"],
            dec["socio"],
            dec["flags"],
        )
        for dim, cat, mask in groups:
            sums = np.rint(per_profile[mask].sum(axis=0)).astype(np.int64)
            self.usage_rows.append(
                {
                    "year": fr.year,
                    "dimension": dim,
                    "category": cat,
                    **dict(zip(names, sums.tolist(), strict=True)),
                }
            )

    def add_services(self, sv: Services, province_of: NDArray[np.int8], year: int) -> None:
        """Services mix (Table 1): national and per province."""
        geo = self.geo
        areas = [("belgium", np.ones(len(sv), dtype=np.bool_))] + [
            (p, province_of == k) for k, p in enumerate(geo.provinces)
        ]
        dims = {
            "setting": (sv.setting, (*SETTINGS, "trajectory_services")),
            "function": (sv.function, ("support", "treatment", "other")),
            "network_type": (sv.network_type, NETWORK_TYPES),
        }
        for area, am in areas:
            for dim, (cats, labels) in dims.items():
                cnt = np.bincount(cats[am], minlength=len(labels))
                for k, lab in enumerate(labels):
                    self.services_rows.append(
                        {
                            "year": year,
                            "area": area,
                            "dimension": dim,
                            "category": lab,
                            "services": int(cnt[k]),
                        }
                    )


def cohort_sessions(
    cohort: Cohort, services: Services, geo: Geography, last_year: int
) -> tuple[list[dict[str, object]], dict[str, NDArray[np.int64]]]:
    """12-month session counts of first trajectories, by cohort year and dimension."""
    if not cohort.person:
        return [], {}
    person = np.concatenate(cohort.person)
    start = np.concatenate(cohort.start)
    attrs = {k: np.concatenate(v) for k, v in cohort.attrs.items()}
    big = np.int64(1) << 32
    sess = services.take(services.setting < 5)
    counts = {}
    for name, mask in (
        ("all", np.ones(len(sess), bool)),
        ("support", sess.function == 0),
        ("treatment", sess.function == 1),
    ):
        keys = np.sort(sess.person[mask].astype(np.int64) * big + sess.day[mask])
        lo = np.searchsorted(keys, person * big + start, side="left")
        hi = np.searchsorted(keys, person * big + start + 365, side="left")
        counts[name] = hi - lo
    n = counts["all"]
    function = np.where(
        (counts["support"] > 0) & (counts["treatment"] > 0),
        2,
        np.where(counts["treatment"] > 0, 1, 0),
    )
    from datetime import date

    from elp_warehouse.generator.config import day_number

    cutoff = day_number(
        date(last_year, 3, 31)
    )  # the study's cohort rule: first session before 31 March
    include = start < cutoff
    rows: list[dict[str, object]] = []
    extra = {
        "network_type": (attrs["network_type"], NETWORK_TYPES),
        "first_setting": (attrs["first_setting"], SETTINGS),
        "function": (function, ("support", "treatment", "both")),
    }
    for year in np.unique(attrs["year"]):
        ym = include & (attrs["year"] == year)
        groups = dimension_members(
            geo,
            attrs["age_group"][ym],
            attrs["sex"][ym],
            attrs["vt"][ym],
            attrs["region"][ym],
            attrs["province"][ym],
            attrs["socio"][ym],
            attrs["flags"][ym],
            {k: (v[0][ym], v[1]) for k, v in extra.items()},
        )
        ny = n[ym]
        for dim, cat, mask in groups:
            x = ny[mask]
            row: dict[str, object] = {
                "cohort_year": int(year),
                "dimension": dim,
                "category": cat,
                "patients": len(x),
            }
            if len(x):
                q = np.percentile(x, [25, 50, 75, 95])
                row.update(
                    mean_sessions=float(x.mean()),
                    sd_sessions=float(x.std(ddof=1)) if len(x) > 1 else 0.0,
                    p25=float(q[0]),
                    median=float(q[1]),
                    p75=float(q[2]),
                    p95=float(q[3]),
                )
            else:
                row.update(
                    mean_sessions=None, sd_sessions=None, p25=None, median=None, p75=None, p95=None
                )
            rows.append(row)
    return rows, {"person": person, "start": start, "function": function, **attrs}


def write_truth(truth_dir: object, name: str, rows: list[dict[str, object]] | pa.Table) -> int:
    from pathlib import Path

    folder = Path(str(truth_dir))
    folder.mkdir(parents=True, exist_ok=True)
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows)
    pq.write_table(table, folder / f"{name}.parquet")
    return int(table.num_rows)


def population_table(parts: list[dict[str, NDArray[np.generic]]]) -> pa.Table:
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return pa.table(
        {
            "year": pa.array(cols["year"], pa.int16()),
            "age_band": pa.array(cols["age_band"], pa.int16()),
            "sex": pa.array(cols["sex"].astype(str), pa.string()),
            "province_code": pa.array(cols["province_code"].astype(str), pa.string()),
            "vt": pa.array(cols["vt"], pa.bool_()),
            "population": pa.array(cols["population"], pa.int64()),
        }
    )
