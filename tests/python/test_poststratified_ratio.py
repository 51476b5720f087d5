"""The SQL macro `poststratified_ratio` against hand-computed values and against an
independent Python implementation on random inputs (weights, domains, ties)."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from ratio_reference import Estimate, Unit, poststratified_ratio

ROOT = Path(__file__).resolve().parents[2]
DBT = ROOT / ".venv" / "bin" / "dbt"


def _sql_for_cases(cases: dict[str, list[Unit]], bounded: bool, aggregate: bool = False) -> str:
    counted: dict[tuple[str, Unit], int] = {}
    for case, units in cases.items():
        for i, u in enumerate(units):
            # aggregate=True feeds identical units as one row with a count (unit_count)
            key = (case, u) if aggregate else (f"{case}#{i}", u)
            counted[key] = counted.get(key, 0) + 1
    rows = [
        f"('{case.split('#')[0]}', '{u.stratum}', {u.stratum_population}, {u.stratum_members},"
        f" {u.y}, {u.x}, {k})"
        for (case, u), k in counted.items()
    ]
    return (
        "with units as (select * from (values "
        + ", ".join(rows)
        + ") as t(case_id, weighting_group, group_population, group_members, y, x, k)), "
        + "result as ({{ poststratified_ratio('units', ['case_id'], 'y', 'x', bounded="
        + ("true" if bounded else "false")
        + ", unit_count='k') }}) select * from result order by case_id"
    )


def run_macro(
    cases: dict[str, list[Unit]], tmp_path: Path, bounded: bool = True, aggregate: bool = False
) -> dict[str, Estimate]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        ELP_WAREHOUSE_DIR=str(tmp_path),
        ELP_RAW_DIR=str(tmp_path / "raw"),
    )
    proc = subprocess.run(
        [
            str(DBT),
            "--quiet",
            "show",
            "--inline",
            _sql_for_cases(cases, bounded, aggregate),
            "--output",
            "json",
            "--limit",
            "-1",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    payload = json.loads(proc.stdout[proc.stdout.index("{") :])
    return {
        row["case_id"]: Estimate(
            row["estimate"], row["standard_error"], row["ci_low"], row["ci_high"]
        )
        for row in payload["show"]
    }


def _units(
    stratum: str, population: float, members: float, ys: list[float], xs: list[float] | None = None
) -> list[Unit]:
    xs = xs or [1.0] * len(ys)
    return [Unit(stratum, population, members, y, x) for y, x in zip(ys, xs, strict=True)]


def test_hand_computed_rate(tmp_path: Path) -> None:
    # Stratum g1: N = 100, n = 4, one user; g2: N = 300, n = 3, one user.
    # R = (100/4 + 300/3) / 400 = 0.3125.
    # g1: s2_e = 0.25, term = 100^2 * 0.96 * 0.25 / 4 = 600
    # g2: s2_e = 1/3,  term = 300^2 * 0.99 * (1/3) / 3 = 9900
    # SE = sqrt(10500) / 400 = 0.2561738...
    cases = {"hand": _units("g1", 100, 4, [1, 0, 0, 0]) + _units("g2", 300, 3, [1, 0, 0])}
    got = run_macro(cases, tmp_path)["hand"]
    assert got.estimate == pytest.approx(0.3125, rel=1e-12)
    assert got.standard_error == pytest.approx(10500**0.5 / 400, rel=1e-9)
    assert got.ci_low == pytest.approx(0.0420690, abs=1e-6)
    assert got.ci_high == pytest.approx(0.8247042, abs=1e-6)


def test_matches_reference_on_random_domains(tmp_path: Path) -> None:
    rng = random.Random(7)
    cases: dict[str, list[Unit]] = {}
    for case in range(25):
        units: list[Unit] = []
        for h in range(rng.randint(1, 6)):
            members = rng.randint(2, 40)
            population = round(members * rng.uniform(1.0, 50.0), 2)
            in_domain = rng.randint(1, members)  # the rest of the stratum is outside the domain
            kind = rng.choice(["rate", "mean"])
            ys = [
                float(rng.random() < 0.3) if kind == "rate" else float(rng.choice([1, 2, 2, 5, 9]))
                for _ in range(in_domain)
            ]
            units += _units(f"s{h}", population, members, ys)
        cases[f"c{case:02d}"] = units
    got = run_macro(cases, tmp_path, bounded=False)
    pooled = run_macro(cases, tmp_path, bounded=False, aggregate=True)
    for case, units in cases.items():
        # identical units given once with a count give the same estimate and variance
        assert pooled[case].estimate == pytest.approx(got[case].estimate, rel=1e-12), case
        assert pooled[case].standard_error == pytest.approx(
            got[case].standard_error, rel=1e-9, abs=1e-12
        ), case
        want = poststratified_ratio(units, bounded=False)
        assert got[case].estimate == pytest.approx(want.estimate, rel=1e-9), case
        assert got[case].standard_error == pytest.approx(
            want.standard_error, rel=1e-7, abs=1e-12
        ), case


def test_zero_and_all_users_get_an_exact_bound(tmp_path: Path) -> None:
    # no user among 10 observed units: the interval is [0, 1 - 0.025^(1/10)], never [0, 0]
    cases = {
        "none": _units("g1", 100, 10, [0.0] * 10),
        "all": _units("g1", 100, 10, [1.0] * 10),
    }
    got = run_macro(cases, tmp_path)
    for case, units in cases.items():
        want = poststratified_ratio(units)
        assert got[case].ci_low == pytest.approx(want.ci_low, abs=1e-12), case
        assert got[case].ci_high == pytest.approx(want.ci_high, abs=1e-12), case
    assert got["none"].ci_high == pytest.approx(1 - 0.025**0.1)
    assert got["all"].ci_low == pytest.approx(0.025**0.1)
