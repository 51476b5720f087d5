"""Yearly socio-professional status and specific statuses of every present person.

Each status is `u < p`: u is a persistent uniform latent per person (it drifts a little each
year, so statuses last), p a relative risk (age, sex, VT, career) scaled so that the expected
national count matches the study-implied population of the status (Table 3 users divided by
the Figure 5 rate) or the prison population seed. The insurability code on the reference date
is then derived from career type and statuses, using the codes of the `insurability_codes` seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from elp_warehouse.generator.targets import StatusTargets
from elp_warehouse.generator.util import persistent_uniform

CAREERS = ("employee", "worker", "self_employed", "civil_servant", "none")
# drift of each latent per year: small = a persistent status
_SIGMA = {
    "unemployed": 0.12,
    "primary_incapacity": 0.35,
    "invalidity": 0.02,
    "social_assistance": 0.06,
    "detained": 0.15,
    "placed_child": 0.05,
    "ref_detained": 0.5,
}
NULL_CODE_SHARE = 0.003  # members without an insurability code on file


@dataclass
class YearStatuses:
    """Statuses of the persons `idx` (present in the year), aligned with idx."""

    idx: NDArray[np.int64]
    code: NDArray[np.int8]  # index into the insurability code list, -1 = null
    unemployment_days: NDArray[np.int16]
    primary_incapacity_days: NDArray[np.int16]
    invalidity_days: NDArray[np.int16]
    social_assistance: NDArray[np.bool_]
    detained: NDArray[np.bool_]
    placed_child: NDArray[np.bool_]


class StatusModel:
    def __init__(
        self,
        n_persons: int,
        targets: StatusTargets,
        codes: list[dict[str, str]],
        scale: float,
        rng: np.random.Generator,
    ) -> None:
        self.targets = targets
        self.scale = scale
        self.rng = rng
        self.code_index = {r["insurability_code"]: k for k, r in enumerate(codes)}
        self.code_socio = np.array([r["socio_professional"] for r in codes], dtype=object)
        self.career = rng.choice(len(CAREERS), n_persons, p=targets.career_shares).astype(np.int8)
        self.latent = {k: rng.random(n_persons).astype(np.float32) for k in _SIGMA}
        self.codes = codes

    def step(
        self,
        year: int,
        idx: NDArray[np.int64],
        age: NDArray[np.int64],
        sex: NDArray[np.int8],
        vt: NDArray[np.bool_],
    ) -> YearStatuses:
        rng = self.rng
        for k, sigma in _SIGMA.items():
            self.latent[k] = persistent_uniform(self.latent[k], rng, sigma)
        career = self.career[idx]
        working_age = (age >= 20) & (age <= 64)
        has_career = working_age & (career < 4)
        vtf = np.where(vt, 1.0, 0.0)

        def draw(name: str, rr: NDArray[np.float64], target: float) -> NDArray[np.bool_]:
            total = rr.sum()
            p = np.minimum(rr * (target * self.scale / total if total > 0 else 0.0), 0.95)
            out: NDArray[np.bool_] = self.latent[name][idx] < p
            return out

        t = self.targets
        career_rr_unemp = np.array([1.0, 1.6, 0.1, 0.2, 0.8])[career]
        unemployed = draw(
            "unemployed",
            np.where((age >= 18) & (age <= 64), career_rr_unemp * (1 + 1.0 * vtf), 0.0),
            t.unemployed,
        )
        primary = draw(
            "primary_incapacity",
            np.where(
                has_career, np.array([1.0, 1.3, 0.6, 1.0, 0.0])[career] * (1 + 0.3 * vtf), 0.0
            ),
            t.primary_incapacity,
        )
        invalidity = draw(
            "invalidity",
            np.where(has_career, np.where(age >= 45, 2.0, 1.0) * (1 + 2.0 * vtf), 0.0),
            t.invalidity,
        )
        social = draw(
            "social_assistance",
            np.where(vt & (age >= 18), np.where(age >= 65, 1.2, 1.0), 0.0),
            t.social_assistance,
        )
        placed = draw("placed_child", np.where(age < 18, 1.0 + 2.0 * vtf, 0.0), t.placed_child)
        det_rr = np.where((age >= 18) & (age <= 64), np.where(age < 40, 2.0, 1.0), 0.0)
        detained = np.zeros(len(idx), dtype=np.bool_)
        for s, sex_code in enumerate(("F", "M")):
            mine = sex == s
            sub = self.targets.prison.get((year, sex_code), 0) * self.scale
            rr_s = np.where(mine, det_rr, 0.0)
            tot = rr_s.sum()
            p = np.minimum(rr_s * (sub / tot if tot > 0 else 0.0), 0.95)
            detained |= self.latent["detained"][idx] < p

        def days(
            flag: NDArray[np.bool_], full_share: float, mean_short: float
        ) -> NDArray[np.int16]:
            out = np.zeros(len(flag), dtype=np.int16)
            k = int(flag.sum())
            short = np.minimum(1 + rng.geometric(1 / mean_short, k), 364)
            out[flag] = np.where(rng.random(k) < full_share, 365, short)
            return out

        code = self._codes(
            idx, age, career, has_career, unemployed, primary | invalidity, social, placed, detained
        )
        return YearStatuses(
            idx=idx,
            code=code,
            unemployment_days=days(unemployed, 0.35, 90),
            primary_incapacity_days=days(primary, 0.05, 60),
            invalidity_days=days(invalidity, 0.85, 120),
            social_assistance=social,
            detained=detained,
            placed_child=placed,
        )

    def _codes(
        self,
        idx: NDArray[np.int64],
        age: NDArray[np.int64],
        career: NDArray[np.int8],
        has_career: NDArray[np.bool_],
        unemployed: NDArray[np.bool_],
        incapacity: NDArray[np.bool_],
        social: NDArray[np.bool_],
        placed: NDArray[np.bool_],
        detained: NDArray[np.bool_],
    ) -> NDArray[np.int8]:
        ci = self.code_index
        # status variant: 0 active, 1 unemployed, 2 incapacity (self-employed / civil servants
        # have no unemployment variant in the code list)
        variant = np.where(incapacity, 2, np.where(unemployed, 1, 0))
        lut = np.full((5, 3), -1, dtype=np.int8)
        for c, p in enumerate("EWSC"):
            for v in range(3):
                name = f"{p}1{v}"
                lut[c, v] = ci.get(name, ci[f"{p}10"])
        working = lut[np.minimum(career, 3), variant]
        code = np.where(age >= 65, ci["P10"], np.where((age >= 18) & social, ci["R10"], ci["D10"]))
        code = np.where((age >= 19) & (age <= 25) & ~has_career & ~social, ci["T10"], code)
        code = np.where(has_career, working, code)
        # placed children and detainees carry their specific code on the reference date
        code = np.where(placed, ci["K20"], code)
        ref_detained = detained & (self.latent["ref_detained"][idx] < 0.8)
        code = np.where(ref_detained, ci["H30"], code)
        code = np.where(self.rng.random(len(age)) < NULL_CODE_SHARE, -1, code)
        return code.astype(np.int8)

    def socio_index(self, code: NDArray[np.int8]) -> NDArray[np.int8]:
        """Socio-professional index (into SOCIO_PROFESSIONAL) of codes, -1 when none."""
        from elp_warehouse.generator.config import SOCIO_PROFESSIONAL

        lut = np.array(
            [
                SOCIO_PROFESSIONAL.index(s) if s in SOCIO_PROFESSIONAL else -1
                for s in self.code_socio
            ]
            + [-1],
            dtype=np.int8,
        )
        out: NDArray[np.int8] = lut[np.where(code < 0, len(self.code_socio), code)]
        return out
