"""The whole population as a person panel whose yearly cells follow the IMA seed.

Each person has a birth year, sex, entry day (birth, immigration, or "present before the
first year") and exit day (death or emigration). Province and VT status are stored per year
(the values on the reference date, 31 December or the last day present). Yearly cells
(age band x sex x province) are brought to the scaled seed counts by emigration of surplus
persons in the year before and immigration / births of missing ones; VT is then given to the
persons with the highest persistent VT propensity inside each cell, so VT counts follow the
seed while individual VT status changes only slowly over time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import (
    N_AGE_BANDS,
    NO_EXIT,
    Geography,
    year_end,
    year_start,
)
from elp_warehouse.generator.util import rank_within_groups, stochastic_round

MOVE_RATE = 0.012  # yearly share of residents moving to another province
EMIGRATION_RATE = 0.003  # baseline yearly emigration, on top of cell balancing
VT_PERSISTENCE = 0.92  # AR(1) coefficient of the latent VT propensity
MAX_AGE = 105


@dataclass
class Population:
    first_year: int
    birth_year: NDArray[np.int16]
    sex: NDArray[np.int8]  # 0 = F, 1 = M
    entry_day: NDArray[np.int32]
    exit_day: NDArray[np.int32]  # NO_EXIT = still present at the end
    born_in_period: NDArray[np.bool_]
    province: NDArray[np.int8]  # [year, person], -1 = not present that year
    vt: NDArray[np.bool_]  # [year, person]
    arr_u: NDArray[np.float32]  # fixed draw that picks arrondissement and municipality
    municipality: NDArray[np.int16]  # last three NIS digits
    german_speaking: NDArray[np.bool_]

    @property
    def n(self) -> int:
        return len(self.birth_year)

    def year_index(self, year: int) -> int:
        return year - self.first_year

    def present(self, year: int) -> NDArray[np.bool_]:
        out: NDArray[np.bool_] = self.province[self.year_index(year)] >= 0
        return out


def mortality(age: NDArray[np.integer]) -> NDArray[np.float64]:
    """Yearly death probability: Gompertz curve plus infant mortality (Belgian order of size)."""
    q = 2.5e-5 * np.exp(0.095 * age.astype(np.float64)) + np.where(age == 0, 0.003, 0.0)
    return np.where(age >= MAX_AGE, 1.0, np.minimum(q, 0.6))


def _ages_in_band(band: NDArray[np.integer], rng: np.random.Generator) -> NDArray[np.int64]:
    top = rng.geometric(0.25, band.shape) - 1
    return np.where(
        band < N_AGE_BANDS - 1, band * 5 + rng.integers(0, 5, band.shape), 90 + np.minimum(top, 15)
    ).astype(np.int64)


def _random_day_in(
    lo: NDArray[np.integer], hi: NDArray[np.integer], rng: np.random.Generator
) -> NDArray[np.int32]:
    out: NDArray[np.int32] = (lo + np.floor(rng.random(lo.shape) * (hi - lo + 1))).astype(np.int32)
    return out


def simulate_population(
    cells: NDArray[np.float64], first_year: int, geo: Geography, rng: np.random.Generator
) -> Population:
    """Simulate the panel. `cells` = scaled targets [year, age_band, sex, province, vt]."""
    n_years = cells.shape[0]
    n_prov = geo.n
    n_cells = N_AGE_BANDS * 2 * n_prov
    prov_weights = cells[0].sum(axis=(0, 1, 3))
    prov_weights = prov_weights / prov_weights.sum()

    def cell_of(
        band: NDArray[np.integer], sex: NDArray[np.integer], prov: NDArray[np.integer]
    ) -> NDArray[np.int64]:
        out: NDArray[np.int64] = (band.astype(np.int64) * 2 + sex) * n_prov + prov
        return out

    # --- first year -------------------------------------------------------------------
    y0 = first_year
    counts0 = stochastic_round(cells[0].sum(axis=3).reshape(-1), rng)
    cell_ids = np.repeat(np.arange(n_cells), counts0)
    band = cell_ids // (2 * n_prov)
    sex = ((cell_ids // n_prov) % 2).astype(np.int8)
    cur_prov = (cell_ids % n_prov).astype(np.int8)
    age = _ages_in_band(band, rng)
    birth_year = (y0 - age).astype(np.int16)
    n = len(age)
    # persons present before the first year get an arrival date in the past (it bounds the
    # start of their affiliation); those aged 0 are born during the first year
    entry = np.where(
        age == 0,
        _random_day_in(np.full(n, year_start(y0)), np.full(n, year_end(y0)), rng),
        year_start(y0) - 1 - np.floor(rng.random(n) * np.minimum(age, 40) * 365.25),
    ).astype(np.int32)
    born = age == 0
    exit_day = np.full(n, NO_EXIT, dtype=np.int32)
    z_vt = rng.standard_normal(n).astype(np.float32)
    prov_by_year: list[NDArray[np.int8]] = []
    vt_by_year: list[NDArray[np.bool_]] = []

    for k in range(n_years):
        y = y0 + k
        if k > 0:
            n = len(birth_year)
            carried = exit_day >= year_start(y)
            movers = carried & (rng.random(n) < MOVE_RATE)
            cur_prov = cur_prov.copy()
            cur_prov[movers] = rng.choice(n_prov, int(movers.sum()), p=prov_weights)
            age = (y - birth_year).astype(np.int64)
            cell = cell_of(np.minimum(age // 5, N_AGE_BANDS - 1), sex, cur_prov)
            have = np.bincount(cell[carried], minlength=n_cells)
            want = stochastic_round(cells[k].sum(axis=3).reshape(-1), rng)
            diff = want - have
            # surplus: persons with the lowest random keys emigrate during the previous year
            idx = np.flatnonzero(carried)
            rank = rank_within_groups(cell[idx], rng.random(len(idx)))
            leave = idx[rank < np.maximum(-diff, 0)[cell[idx]]]
            lo = np.maximum(entry[leave], year_start(y - 1))
            exit_day[leave] = _random_day_in(lo, np.full(len(leave), year_end(y - 1)), rng)
            # deficit: births (band 0, age 0) and immigrants (any other band)
            new_cells = np.repeat(np.arange(n_cells), np.maximum(diff, 0))
            nb = new_cells // (2 * n_prov)
            m = len(new_cells)
            new_age = np.where(nb == 0, 0, _ages_in_band(nb, rng))
            birth_year = np.concatenate([birth_year, (y - new_age).astype(np.int16)])
            sex = np.concatenate([sex, ((new_cells // n_prov) % 2).astype(np.int8)])
            cur_prov = np.concatenate([cur_prov, (new_cells % n_prov).astype(np.int8)])
            entry = np.concatenate(
                [entry, _random_day_in(np.full(m, year_start(y)), np.full(m, year_end(y)), rng)]
            )
            born = np.concatenate([born, new_age == 0])
            exit_day = np.concatenate([exit_day, np.full(m, NO_EXIT, dtype=np.int32)])
            drift = np.sqrt(1 - VT_PERSISTENCE**2) * rng.standard_normal(n)
            z_vt = np.concatenate(
                [
                    (VT_PERSISTENCE * z_vt + drift).astype(np.float32),
                    rng.standard_normal(m).astype(np.float32),
                ]
            )
        n = len(birth_year)
        present = (exit_day >= year_start(y)) & (entry <= year_end(y))
        age = (y - birth_year).astype(np.int64)
        cell = cell_of(np.minimum(age // 5, N_AGE_BANDS - 1), sex, cur_prov)
        # VT: the highest latent propensities of each cell, as many as the seed's VT share
        idx = np.flatnonzero(present)
        cnt = np.bincount(cell[idx], minlength=n_cells)
        tot = cells[k].sum(axis=3).reshape(-1)
        share = np.divide(cells[k][..., 1].reshape(-1), tot, out=np.zeros(n_cells), where=tot > 0)
        n_vt = np.rint(cnt * share).astype(np.int64)
        # logistic transform of the latent into [0, 1), decreasing: rank 0 = highest latent
        rank = rank_within_groups(cell[idx], 1.0 / (1.0 + np.exp(z_vt[idx].astype(np.float64))))
        vt = np.zeros(n, dtype=np.bool_)
        vt[idx[rank < n_vt[cell[idx]]]] = True
        prov_by_year.append(np.where(present, cur_prov, -1).astype(np.int8))
        vt_by_year.append(vt)
        # deaths and baseline emigration during the year (still counted in this year)
        die = present & (exit_day == NO_EXIT) & (rng.random(n) < mortality(age) + EMIGRATION_RATE)
        lo = np.maximum(entry[die], year_start(y))
        exit_day[die] = _random_day_in(lo, np.full(int(die.sum()), year_end(y)), rng)

    n = len(birth_year)
    province = np.full((n_years, n), -1, dtype=np.int8)
    vt_mat = np.zeros((n_years, n), dtype=np.bool_)
    for k in range(n_years):
        province[k, : len(prov_by_year[k])] = prov_by_year[k]
        vt_mat[k, : len(vt_by_year[k])] = vt_by_year[k]
    return Population(
        first_year=first_year,
        birth_year=birth_year,
        sex=sex,
        entry_day=entry,
        exit_day=exit_day,
        born_in_period=born,
        province=province,
        vt=vt_mat,
        arr_u=rng.random(n).astype(np.float32),
        municipality=rng.integers(1, 100, n).astype(np.int16),
        # share of Liège's inhabitants living in the German-speaking Community
        german_speaking=rng.random(n) < 0.07,
    )


def nis_municipality(
    pop: Population, year: int, idx: NDArray[np.int64], geo: Geography
) -> NDArray[np.int32]:
    """5-digit NIS code (as an integer) of the domicile on the reference date."""
    prov = pop.province[pop.year_index(year), idx].astype(np.int64)
    table = geo.arrondissements_new if year >= 2019 else geo.arrondissements_old
    width = max(len(t) for t in table)
    lut = np.zeros((geo.n, width), dtype=np.int64)
    sizes = np.zeros(geo.n, dtype=np.int64)
    for p, arrs in enumerate(table):
        lut[p, : len(arrs)] = arrs
        sizes[p] = len(arrs)
    pick = np.minimum((pop.arr_u[idx] * sizes[prov]).astype(np.int64), sizes[prov] - 1)
    arr = lut[prov, pick]
    liege = geo.index("BE-WLG")
    german = pop.german_speaking[idx] & (prov == liege)
    arr = np.where(german, 63, arr)  # the German-speaking municipalities lie in Verviers
    return (arr * 1000 + pop.municipality[idx]).astype(np.int32)
