"""Published-vs-generated comparison on the truth aggregates of a run.

`compare(truth_dir, study_figures)` returns one row per published figure with the generated
value, a tolerance and whether it is met. Tolerances are the brief's (e.g. +-0.004 for
Figure 5 rates) widened to three standard errors when a small run makes a subgroup too small
to be that precise. Rows with `checked = False` are shown for information only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from elp_warehouse.generator.targets import (
    FIGURE_12_COLUMNS,
    PRIOR_CARE_CODES,
    StudyTargets,
    elp_after_one_year,
    figure_11_prior_care,
    load_targets,
)


@dataclass(frozen=True)
class CalibrationRow:
    figure: str
    measure: str
    published: float
    generated: float | None
    tolerance: float
    checked: bool = True

    @property
    def ok(self) -> bool:
        return (
            self.generated is not None
            and abs(self.generated - self.published) <= self.tolerance + 1e-12
        )


def _rate_tol(base: float, p: float, n: float) -> float:
    return max(base, 3 * math.sqrt(max(p * (1 - p), 1e-9) / max(n, 1.0)))


def compare(truth_dir: Path, study_figures: Path) -> list[CalibrationRow]:
    t: StudyTargets = load_targets(study_figures)
    manifest = json.loads((truth_dir / "manifest.json").read_text())
    scale = float(manifest["scale"])
    usage = {
        (r["year"], r["dimension"], r["category"]): r
        for r in pq.read_table(truth_dir / "usage.parquet").to_pylist()
    }
    sessions = {
        (r["cohort_year"], r["dimension"], r["category"]): r
        for r in pq.read_table(truth_dir / "sessions.parquet").to_pylist()
    }
    services = pq.read_table(truth_dir / "services.parquet").to_pylist()
    rows: list[CalibrationRow] = []
    last = int(manifest["last_year"])

    def share(
        year: int, dim: str, cat: str, num: str, den: str = "population"
    ) -> tuple[float | None, float]:
        r = usage.get((year, dim, cat))
        if r is None or not r[den]:
            return None, 0.0
        return r[num] / r[den], float(r[den])

    # ELP users per year and cumulative (extrapolated = truth / scale)
    for y, v in sorted(t.users.items()):
        if y > last:
            continue
        g = usage[(y, "total", "belgium")]["elp_users"] / scale
        printed = y in (2019, 2022, 2023, 2024)
        tol = max(0.10 * v, 3 * math.sqrt(v / scale))  # small runs: binomial noise of the count
        rows.append(CalibrationRow("Figure 4", f"ELP users {y}", v, g, tol, printed))
    if last >= 2024:
        cum = (
            sum(usage[(y, "total", "belgium")]["elp_new_users"] for y in range(2019, 2025)) / scale
        )
        rows.append(
            CalibrationRow(
                "Figure 4",
                "cumulative distinct users 2019-2024",
                t.cumulative_users,
                cum,
                0.10 * t.cumulative_users,
            )
        )
        # Figure 5 usage rates 2024
        for (dim, cat), v in sorted(t.usage_2024.items()):
            g, n = share(2024, dim, cat, "elp_users")
            base = 0.002 if dim == "total" else 0.004
            rows.append(
                CalibrationRow(
                    "Figure 5", f"usage rate 2024 {dim}={cat}", v, g, _rate_tol(base, v, n)
                )
            )
        # Table 2 function shares among users
        for y, shares in sorted(t.function_shares.items()):
            for f, v in shares.items():
                g, n = share(
                    y,
                    "total",
                    "belgium",
                    f"elp_{f}_only" if f != "both" else "elp_both",
                    "elp_users",
                )
                rows.append(
                    CalibrationRow("Table 2", f"function {f} {y}", v, g, _rate_tol(0.03, v, n))
                )
        # Table 4 network and place shares, Figure 6 outreach (information)
        for y, v in sorted(t.children_network_share.items()):
            g, n = share(y, "total", "belgium", "elp_network_children_adolescents", "elp_users")
            rows.append(
                CalibrationRow(
                    "Table 4", f"child network share {y}", v, g, _rate_tol(0.03, v, n), False
                )
            )
        for y, d in sorted(t.place_exclusive.items()):
            for cat, v in d.items():
                g, n = share(y, "total", "belgium", f"elp_{cat}", "elp_users")
                rows.append(
                    CalibrationRow(
                        "Table 4", f"place {cat} {y}", v, g, _rate_tol(0.03, v, n), False
                    )
                )
        for y, d in sorted(t.place_any.items()):
            for cat, v in d.items():
                g, n = share(y, "total", "belgium", f"elp_any_{cat}", "elp_users")
                rows.append(
                    CalibrationRow("Table 4", f"any {cat} {y}", v, g, _rate_tol(0.03, v, n), False)
                )
        for (dim, cat), v in sorted(t.outreach_2024.items()):
            if dim == "age_group" and cat == "65+":
                a, na = share(2024, dim, "65-79", "elp_any_outreach", "elp_users")
                b, nb = share(2024, dim, "80+", "elp_any_outreach", "elp_users")
                g = None if a is None or b is None else (a * na + b * nb) / max(na + nb, 1)
                n = na + nb
            else:
                g, n = share(2024, dim, cat, "elp_any_outreach", "elp_users")
            rows.append(
                CalibrationRow(
                    "Figure 6",
                    f"outreach share 2024 {dim}={cat}",
                    v,
                    g,
                    _rate_tol(0.04, v, n),
                    False,
                )
            )
    # Figures 1 and 2
    for fig, table, prefix in (
        ("Figure 1", t.figure_1, "fig1_"),
        ("Figure 2", t.figure_2, "fig2_"),
    ):
        for cat, vals in table.items():
            for y, val in vals.items():
                if val is None or y > last or y < int(manifest["first_year"]):
                    continue
                v = float(val)
                g, n = share(y, "total", "belgium", prefix + cat)
                rows.append(
                    CalibrationRow(fig, f"{cat} {y}", float(v), g, _rate_tol(0.005, float(v), n))
                )
    # Annex 5 means and the printed percentiles
    for y, means in sorted(t.mean_sessions.items()):
        for (dim, cat), v in sorted(means.items()):
            r = sessions.get((y, dim, cat))
            g = None if r is None else r["mean_sessions"]
            n = 0 if r is None else r["patients"]
            sd = 5.0 if r is None or not r.get("sd_sessions") else float(r["sd_sessions"])
            tol = max(0.4, 3 * sd / math.sqrt(max(n, 1)))  # 3 standard errors on small runs
            rows.append(
                CalibrationRow(
                    "Annex 5",
                    f"mean sessions {y} {dim}={cat}",
                    v,
                    g,
                    tol,
                    dim in ("total", "function"),
                )
            )
    for (y, dim, cat), qs in sorted(t.percentiles.items()):
        r = sessions.get((y, dim, cat))
        for q in ("p25", "median", "p75", "p95"):
            pv = qs[q]
            if pv is None:
                continue
            v = float(pv)
            g = None if r is None else r[q]
            tol = 1.0
            if r is not None and r["patients"] and r["p95"] is not None and r["median"] is not None:
                # standard error of a sample quantile: slope of the quantile curve (from the
                # generated P25..P95) x sqrt(p(1-p)/n); 3 standard errors on small runs
                p = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}[q]
                slope = (
                    (r["p95"] - r["median"]) / 0.45 if q == "p95" else (r["p75"] - r["p25"]) / 0.5
                )
                tol = max(1.0, 3 * slope * math.sqrt(p * (1 - p) / r["patients"]))
            rows.append(
                CalibrationRow(
                    "Figures 7-9", f"{q} sessions {y} {dim}={cat}", v, g, tol, dim == "total"
                )
            )
    # Figures 12-14: care before / during / after of the 2023 cohort (information; reproduced
    # through the care model, not raked)
    _trajectory_rows(truth_dir, t.raw, rows)
    # Figure 10 prior care of new patients (information; the warehouse's 24-month window)
    prior_path = truth_dir / "prior_care.parquet"
    if prior_path.exists():
        prior = {
            (r["cohort_year"], r["dimension"], r["category"], r["prior_care"]): r
            for r in pq.read_table(prior_path).to_pylist()
        }
        fig10 = (("none", t.prior_none), ("psychotropics_only", t.prior_psychotropics_only))
        for pc, vals in fig10:
            for y, v in vals.items():
                r = prior.get((y, "total", "belgium", pc))
                g = None if r is None else r["share"]
                n = 0 if r is None else r["patients"]
                rows.append(
                    CalibrationRow(
                        "Figure 10", f"prior care {pc} {y}", v, g, _rate_tol(0.03, v, n), False
                    )
                )
        for y in range(2019, min(last, 2024) + 1):
            r = prior.get((y, "total", "belgium", "psychiatrist"))
            g = None if r is None else r["share"]
            rows.append(
                CalibrationRow(
                    "Figure 10", f"prior care psychiatrist {y} (15-19 %)", 0.17, g, 0.03, False
                )
            )
    # Table 1 services mix (information)
    by = {(r["year"], r["area"], r["dimension"], r["category"]): r["services"] for r in services}
    for y, mix in sorted(t.services_mix.items()):
        tot = sum(
            by.get((y, "belgium", "setting", c), 0)
            for c in ("office", "outreach", "group", "remote", "home", "trajectory_services")
        )
        for (dim, cat), v in sorted(mix.items()):
            g = by.get((y, "belgium", dim, cat), 0) / tot if tot else None
            rows.append(CalibrationRow("Table 1", f"services {dim}={cat} {y}", v, g, 0.04, False))
    # members: the mutuality's share of the population
    mem, n = share(last, "total", "belgium", "members")
    target = t.members / (usage[(last, "total", "belgium")]["population"] / scale)
    rows.append(
        CalibrationRow(
            "Section 2.1", f"member share of population {last}", target, mem, 0.01, False
        )
    )
    return rows


def format_table(rows: list[CalibrationRow]) -> str:
    out = [f"{'figure':<12} {'measure':<58} {'published':>11} {'generated':>11} {'tol':>8}  ok"]
    for r in rows:
        g = "-" if r.generated is None else f"{r.generated:11.4f}"
        flag = ("yes" if r.ok else "NO") if r.checked else ("(yes)" if r.ok else "(no)")
        out.append(
            f"{r.figure:<12} {r.measure:<58} {r.published:11.4f} {g:>11} {r.tolerance:8.4f}  {flag}"
        )
    return "\n".join(out)


def _trajectory_rows(truth_dir: Path, doc: dict[str, Any], rows: list[CalibrationRow]) -> None:
    """Figure 12 shares and Figures 13-14 patterns (published vs truth, information rows)."""
    path = truth_dir / "transitions.parquet"
    if path.exists():
        got = {
            (r["care_type"], r["period"], r["elp_status"]): r
            for r in pq.read_table(path).to_pylist()
        }
        for fig in doc["care_transitions_figure_12_2023"]["rows"]:
            for column, (period, status) in FIGURE_12_COLUMNS.items():
                if fig.get(column) is None:
                    continue
                r = got.get((fig["care_type"], period, status))
                g, n = (None, 0) if r is None else (r["share"], r["cohort_patients"])
                v = float(fig[column])
                rows.append(
                    CalibrationRow(
                        "Figure 12",
                        f"{fig['care_type']} {column} 2023",
                        v,
                        g,
                        _rate_tol(0.03, v, n),
                        False,
                    )
                )
    path = truth_dir / "patterns.parquet"
    if path.exists():
        pat = {
            (r["care_type"], r["pattern"], r["elp_after"]): r
            for r in pq.read_table(path).to_pylist()
        }
        for key, care in (
            ("individual_trajectories_figure_13_antidepressants", "antidepressants"),
            ("individual_trajectories_figure_14_psychiatrist", "psychiatrist"),
        ):
            for fig in doc[key]["rows"]:
                pattern = fig["pattern"]
                if "(" in pattern:
                    continue
                elp = "without_elp_after" if pattern == "Y-*-N" else "all"
                expanded = [pattern]
                while any("*" in p for p in expanded):
                    expanded = [p.replace("*", c, 1) for p in expanded for c in "YN"]
                parts = [pat.get((care, p, elp)) for p in expanded]
                g = (
                    None
                    if any(p is None for p in parts)
                    else sum(p["share_of_start_group"] or 0.0 for p in parts if p is not None)
                )
                n = 0 if not parts or parts[0] is None else parts[0]["start_group_patients"]
                v = float(fig["share"])
                rows.append(
                    CalibrationRow(
                        "Figures 13-14",
                        f"{care} {pattern} ({elp}) 2023",
                        v,
                        g,
                        _rate_tol(0.05, v, n),
                        False,
                    )
                )


# --- issue 27 calibration (caltraj): Figure 11 subgroups, Figure 12 ELP after one year, the
# VT share among users (section 3.3.2) -------------------------------------------------------

# Figure 11 dimensions the ELP start raking carries (network type and first setting are drawn
# after the start and are not raked)
FIGURE_11_RAKED = ("age_group", "sex", "vt", "region", "socio_professional", "specific_category")
# the raking reads prior care per calendar year, the truth (like the study) over the 24 months
# before the first session; the raking's targets are solved through the previous cohort's
# relation between the two (trajectory_truth.PriorMapping), so a subgroup lands within the
# study's share tolerance (or three standard errors of its realised share)
FIGURE_11_WINDOW_TOL = 0.03


def trajectory_and_subgroup_rows(truth_dir: Path, study_figures: Path) -> list[CalibrationRow]:
    """Checked rows for the families calibrated in issue 27 by the ELP start raking and the
    continuation after one year: Figure 11 prior care by subgroup (the Figure 11 cohort),
    Figure 12's share still in ELP care 12-18 months after the first session, and the VT
    share among users of every ELP year (section 3.3.2: 'between 25 % and 26 %')."""
    t = load_targets(study_figures)
    rows: list[CalibrationRow] = []
    year, fig11 = figure_11_prior_care(t)
    names = {code: name for name, code in PRIOR_CARE_CODES.items()}
    prior = {
        (r["cohort_year"], r["dimension"], r["category"], r["prior_care"]): r
        for r in pq.read_table(truth_dir / "prior_care.parquet").to_pylist()
    }
    for dim, cat, code, v in fig11:
        if dim not in FIGURE_11_RAKED:
            continue
        r = prior.get((year, dim, cat, names[code]))
        g = None if r is None else r["share"]
        n = 0 if r is None else r["patients"]
        rows.append(
            CalibrationRow(
                "Figure 11",
                f"prior care {names[code]} {year} {dim}={cat}",
                v,
                g,
                _rate_tol(FIGURE_11_WINDOW_TOL, v, n),
            )
        )
    transitions = {
        (r["care_type"], r["period"], r["elp_status"]): r
        for r in pq.read_table(truth_dir / "transitions.parquet").to_pylist()
    }
    v = elp_after_one_year(t)
    r = transitions.get(("all", "after", "with_elp_after"))
    g, n = (None, 0) if r is None else (r["share"], r["cohort_patients"])
    rows.append(CalibrationRow("Figure 12", "ELP after one year 2023", v, g, _rate_tol(0.03, v, n)))
    usage = {
        (r["year"], r["dimension"], r["category"]): r
        for r in pq.read_table(truth_dir / "usage.parquet").to_pylist()
    }
    band = next(
        r for r in t.raw["vt_share_among_users"]["rows"] if r["measure"] == "vt_share_of_elp_users"
    )
    lo, hi = float(band["min"]), float(band["max"])
    first, last = (int(y) for y in str(band["years"]).split("-"))
    for y in range(first, last + 1):
        tot = usage.get((y, "total", "belgium"))
        vt = usage.get((y, "vt", "vt"))
        if tot is None or vt is None or not tot["elp_users"]:
            continue
        g = vt["elp_users"] / tot["elp_users"]
        # the range widened by the share tolerance (3 standard errors on small runs)
        tol = 0.5 * (hi - lo) + _rate_tol(0.03, 0.5 * (lo + hi), tot["elp_users"])
        rows.append(
            CalibrationRow("Section 3.3.2", f"VT share of users {y}", 0.5 * (lo + hi), g, tol)
        )
    return rows
