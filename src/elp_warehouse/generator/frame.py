"""Attributes of every person present in a year, as the warehouse would derive them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import SPECIFIC_FLAGS, Geography, age_group_of, year_end
from elp_warehouse.generator.membership import Membership
from elp_warehouse.generator.population import Population
from elp_warehouse.generator.statuses import StatusModel, YearStatuses


@dataclass
class YearFrame:
    year: int
    idx: NDArray[np.int64]
    age: NDArray[np.int64]
    age_group: NDArray[np.int8]
    sex: NDArray[np.int8]
    vt: NDArray[np.bool_]
    province: NDArray[np.int8]
    region: NDArray[np.int8]
    socio: NDArray[np.int8]  # 0..3 SOCIO_PROFESSIONAL, 4 none
    flags: dict[str, NDArray[np.bool_]]
    statuses: YearStatuses
    affiliated_days: NDArray[np.int64]

    @property
    def member(self) -> NDArray[np.bool_]:
        out: NDArray[np.bool_] = self.affiliated_days > 0
        return out

    def __len__(self) -> int:
        return len(self.idx)

    def flag_bits(self) -> NDArray[np.int64]:
        # built on bytes (the six flags fit in one), widened once: an eighth of the memory
        # traffic of int64 temporaries per flag
        bits = np.zeros(len(self.idx), dtype=np.uint8)
        for b, name in enumerate(SPECIFIC_FLAGS):
            bits |= np.asarray(self.flags[name], dtype=np.bool_).view(np.uint8) << np.uint8(b)
        out: NDArray[np.int64] = bits.astype(np.int64)
        return out


def build_frame(
    year: int,
    pop: Population,
    geo: Geography,
    statuses: StatusModel,
    membership: Membership,
) -> YearFrame:
    k = pop.year_index(year)
    idx = np.flatnonzero(pop.province[k] >= 0).astype(np.int64)
    age = (year - pop.birth_year[idx]).astype(np.int64)
    sex = pop.sex[idx]
    vt = pop.vt[k, idx]
    st = statuses.step(year, idx, age, sex, vt)
    socio = statuses.socio_index(st.code)
    flags = {
        "placed_child": st.placed_child,
        "detained": st.detained,
        "unemployed": st.unemployment_days > 0,
        "primary_incapacity": st.primary_incapacity_days > 0,
        "invalidity": st.invalidity_days > 0,
        "social_assistance": st.social_assistance,
    }
    prov = pop.province[k, idx]
    return YearFrame(
        year=year,
        idx=idx,
        age=age,
        age_group=age_group_of(age),
        sex=sex,
        vt=vt,
        province=prov,
        region=geo.region_of_province[prov],
        socio=np.where(socio < 0, 4, socio).astype(np.int8),
        flags=flags,
        statuses=st,
        affiliated_days=membership.affiliated_days(year, idx),
    )


def next_year_frame(fr: YearFrame, pop: Population, membership: Membership) -> YearFrame:
    """The year after `fr` for the months simulated beyond the last analysis year (other care
    until the extraction): the persons still present at the end of `fr`'s year, one year
    older, with that year's attributes otherwise (the population is not simulated further)."""
    keep = pop.exit_day[fr.idx].astype(np.int64) > year_end(fr.year)
    idx = fr.idx[keep]
    year = fr.year + 1
    age = fr.age[keep] + 1
    return replace(
        fr,
        year=year,
        idx=idx,
        age=age,
        age_group=age_group_of(age),
        sex=fr.sex[keep],
        vt=fr.vt[keep],
        province=fr.province[keep],
        region=fr.region[keep],
        socio=fr.socio[keep],
        flags={k: v[keep] for k, v in fr.flags.items()},
        affiliated_days=membership.affiliated_days(year, idx),
    )
