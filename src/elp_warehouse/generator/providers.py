"""Conventioned providers and mental-health networks of ELP trajectories.

Pool sizes are the real (unscaled) counts of the `elp_providers` seed per year, province and
network type: at any scale the claims show realistic provider identifiers, and a small
simulation just touches fewer of them. A provider conventioned in both network types appears
in both pools (adults = the first n_adults of the province list, children = the last
n_children of the year's n_all). Case loads are skewed (Pareto weights).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.config import Geography, Networks

PROVIDERS_PER_PROVINCE_MAX = 100_000


class ProviderPool:
    def __init__(
        self, counts: dict[tuple[int, str, str], int], geo: Geography, rng: np.random.Generator
    ) -> None:
        self.counts = counts
        self.geo = geo
        self.years = sorted({y for y, _, _ in counts})
        biggest = max(counts.values())
        self.weights = 1.0 + rng.pareto(1.3, (geo.n, biggest))

    def _pool(self, year: int, province: int, network_type: int) -> tuple[int, int]:
        y = min(max(year, self.years[0]), self.years[-1])
        code = self.geo.provinces[province]
        n_all = self.counts[(y, code, "all")]
        if network_type == 0:
            return 0, self.counts[(y, code, "adults")]
        n_child = self.counts[(y, code, "children_adolescents")]
        return n_all - n_child, n_all

    def assign(
        self,
        year: int,
        province: NDArray[np.int8],
        network_type: NDArray[np.int8],
        rng: np.random.Generator,
    ) -> NDArray[np.int32]:
        out = np.zeros(len(province), dtype=np.int32)
        u = rng.random(len(province))
        for p in range(self.geo.n):
            for t in (0, 1):
                sel = np.flatnonzero((province == p) & (network_type == t))
                if len(sel) == 0:
                    continue
                lo, hi = self._pool(year, p, t)
                cw = np.cumsum(self.weights[p, lo:hi])
                j = lo + np.searchsorted(cw, u[sel] * cw[-1], side="right")
                out[sel] = p * PROVIDERS_PER_PROVINCE_MAX + np.minimum(j, hi - 1)
        return out


def assign_networks(
    networks: Networks,
    geo: Geography,
    province: NDArray[np.int8],
    network_type: NDArray[np.int8],
    german: NDArray[np.bool_],
    area_u: NDArray[np.float32],
) -> NDArray[np.int16]:
    """The network serving the person's area: among the networks of the right type covering
    the province, one chosen by a fixed draw of the person's area; the German-speaking
    Community has its own mixed network."""
    out = np.zeros(len(province), dtype=np.int16)
    types = ("adults", "children_adolescents")
    for p in range(geo.n):
        for t in (0, 1):
            sel = np.flatnonzero((province == p) & (network_type == t))
            if len(sel) == 0:
                continue
            cands = np.array(networks.candidates(types[t], geo.provinces[p]), dtype=np.int16)
            pick = np.minimum((area_u[sel] * len(cands)).astype(np.int64), len(cands) - 1)
            out[sel] = cands[pick]
    liege = geo.index("BE-WLG")
    out[(province == liege) & german] = networks.mixed()
    return out
