#!/usr/bin/env python3
"""How much of the study a built warehouse reproduces, figure by figure.

    .venv/bin/python scripts/study_reproduction.py warehouse/published.duckdb
    .venv/bin/python scripts/study_reproduction.py warehouse/elp.duckdb --out figures.csv
    .venv/bin/python scripts/study_reproduction.py warehouse/published.duckdb \\
        --min-share 0.9 --min-family-share 0.7

The database is the published snapshot (`published.duckdb`, what `elp publish` writes and
every user has) or the working database (`elp.duckdb`). Every numeric figure of the study
(reference/study_figures.yaml, or `--figures`) that has a counterpart in the marts is compared
with its mart value (the mapping: src/elp_warehouse/study_figures.py), with the tolerances of
issue 27:

- rates of a population (share of the population, of a subgroup's population): 0.3
  percentage points;
- shares among users, services, patients or providers: 3 points;
- mean sessions per patient: 0.5 sessions; session percentiles: 1.0 session;
- counts, densities (per 100 inhabitants, per 100,000, per provider) and ratios of counts or
  money (provider growth, budget utilisation): 10 % of the study's value.

A figure printed as a range (e.g. "between 15 % and 19 %") is within tolerance when the value
lies in the range widened by the tolerance.

Counting. A figure whose mart cell the published snapshot nulled for small-cell suppression
(fewer than `min_cell_size` observed persons) is "not comparable (suppressed)": it is neither
compared nor within, and is counted apart; the working database has no suppression, so it
compares a few more figures than its snapshot. A cell that is absent or null without
suppression counts as compared and outside the tolerance (the warehouse does not deliver it).
Figures with no counterpart by design (MHC-dashboard registrations, unweighted cohort and
membership sizes, convention rules, health-survey figures by sex, income or age band) are
listed as "out of reach" with their reason, and figures the study prints twice are compared
once (the other listed as "repeat").

Output: a Markdown table per family (compared, within tolerance, share, suppressed, the worst
misses as study vs warehouse value), an overall line, the out-of-reach figures by reason;
`--out FILE.csv` or `--out FILE.json` writes every figure with its status.

Exit code: 0, also when figures miss; 2 when an input is unusable (missing file, not a
DuckDB database, marts missing, figures file unreadable); 1 when `--min-share` (over all
compared figures) or `--min-family-share` (every family) is given and not met.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from elp_warehouse.study_figures import (
    TOLERANCES,
    FamilySummary,
    NotCompared,
    Result,
    StudyFiguresError,
    Warehouse,
    compare,
    load_study_figures,
    study_mapping,
    summarise,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FIGURES = ROOT / "reference" / "study_figures.yaml"


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def _miss(r: Result) -> str:
    return f"{r.figure.label}: {r.figure.published_text} vs {_number(r.value)}"


def table(summaries: list[FamilySummary]) -> str:
    lines = [
        "| family | compared | within tolerance | share | suppressed | empty | worst misses"
        " (study vs warehouse) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in summaries:
        misses = "; ".join(_miss(r) for r in s.misses) or "-"
        lines.append(
            f"| {s.family} | {s.compared} | {s.within} | {_share(s.share)} | {s.suppressed}"
            f" | {s.empty} | {misses} |"
        )
    return "\n".join(lines)


def overall(summaries: list[FamilySummary], not_compared: list[NotCompared]) -> str:
    compared = sum(s.compared for s in summaries)
    within = sum(s.within for s in summaries)
    suppressed = sum(s.suppressed for s in summaries)
    empty = sum(s.empty for s in summaries)
    kinds = Counter(n.status for n in not_compared)
    share = _share(within / compared if compared else None)
    return (
        f"Overall: {within} of {compared} compared figures within tolerance ({share}); "
        f"not comparable: {suppressed} suppressed, {empty} empty (no observed person); "
        f"{kinds['out of reach']} out of reach by "
        f"design; {kinds['repeat']} repeats of a compared figure."
    )


def out_of_reach(not_compared: list[NotCompared]) -> str:
    reasons = Counter(n.reason for n in not_compared if n.status == "out of reach")
    lines = ["Out of reach by design:"]
    lines += [f"- {count} x {reason}" for reason, count in reasons.most_common()]
    return "\n".join(lines)


def tolerances() -> str:
    parts = [
        f"{kind} {100 * value:g} %" if relative else f"{kind} {value:g}"
        for kind, (value, relative) in TOLERANCES.items()
    ]
    return "Tolerances: " + ", ".join(parts) + " (relative ones: of the study's value)."


def write_out(path: Path, results: list[Result], not_compared: list[NotCompared]) -> None:
    records: list[dict[str, Any]] = [
        {
            "family": r.figure.family,
            "figure": r.figure.label,
            "kind": r.figure.kind,
            "study": r.figure.published_text,
            "warehouse": r.value,
            "tolerance": r.figure.tolerance,
            "status": r.status,
            "reason": "",
        }
        for r in results
    ]
    records += [
        {
            "family": n.family,
            "figure": n.label,
            "kind": "",
            "study": n.published,
            "warehouse": None,
            "tolerance": None,
            "status": n.status,
            "reason": n.reason,
        }
        for n in not_compared
    ]
    if path.suffix == ".json":
        path.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    else:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare the study's figures with a built warehouse, per family."
    )
    parser.add_argument("database", type=Path, help="published.duckdb or elp.duckdb")
    parser.add_argument(
        "--figures", type=Path, default=DEFAULT_FIGURES, help="the study figures (YAML)"
    )
    parser.add_argument("--out", type=Path, help="every figure with its status (.csv / .json)")
    parser.add_argument(
        "--min-share", type=float, help="exit 1 when fewer compared figures are within"
    )
    parser.add_argument(
        "--min-family-share", type=float, help="exit 1 when a family has fewer within"
    )
    args = parser.parse_args(argv)
    if args.out is not None and args.out.suffix not in (".csv", ".json"):
        parser.error(f"--out {args.out}: the file name must end in .csv or .json")
    try:
        doc = load_study_figures(args.figures)
        figures, not_compared = study_mapping(doc)
        results = compare(figures, Warehouse(args.database))
    except StudyFiguresError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summaries = summarise(results)
    print(table(summaries))
    print()
    print(overall(summaries, not_compared))
    print(tolerances())
    print()
    print(out_of_reach(not_compared))
    if args.out is not None:
        write_out(args.out, results, not_compared)
    failed = []
    compared = sum(s.compared for s in summaries)
    within = sum(s.within for s in summaries)
    if args.min_share is not None and (not compared or within / compared < args.min_share):
        failed.append(f"overall share below {args.min_share}")
    if args.min_family_share is not None:
        failed += [
            f"{s.family} below {args.min_family_share}"
            for s in summaries
            if s.share is None or s.share < args.min_family_share
        ]
    for message in failed:
        print(f"target not met: {message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
