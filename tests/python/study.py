"""Published figures of the study (reference/study_figures.yaml) and a small helper that
compares them with warehouse values and prints a published-vs-warehouse table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elp_warehouse.study_figures import load_study_figures

ROOT = Path(__file__).resolve().parents[2]


def figures() -> dict[str, Any]:
    return load_study_figures(ROOT / "reference" / "study_figures.yaml")


@dataclass
class Comparison:
    """Collects published-vs-warehouse rows; `report()` prints them and returns the misses.

    A row may also carry the generator's full-population truth for the same figure. When the
    warehouse misses the published value but is within tolerance of the truth, the synthetic
    data (not the warehouse) departs from the study: the row is a "generator gap", printed
    and counted, not a failure. A warehouse value far from both fails."""

    title: str
    rows: list[tuple[str, float, float | None, float, float | None, str]] = field(
        default_factory=list
    )

    def add(
        self,
        label: str,
        published: float,
        warehouse: float | None,
        tolerance: float,
        truth: float | None = None,
    ) -> None:
        if warehouse is not None and abs(warehouse - published) <= tolerance:
            status = "ok"
        elif warehouse is not None and truth is not None and abs(warehouse - truth) <= tolerance:
            status = "generator gap"
        else:
            status = "FAIL"
        self.rows.append((label, published, warehouse, tolerance, truth, status))

    def report(self) -> list[str]:
        print(f"\n{self.title}")
        head = f"{'figure':<52} {'published':>11} {'warehouse':>11} {'tolerance':>10} {'truth':>10}"
        print(head)
        for label, published, warehouse, tolerance, truth, status in self.rows:
            shown = "n/a" if warehouse is None else f"{warehouse:11.4f}"
            true = "" if truth is None else f"{truth:10.4f}"
            flag = "" if status == "ok" else f"  <-- {status}"
            print(f"{label:<52} {published:11.4f} {shown:>11} {tolerance:10.4f} {true:>10}{flag}")
        misses = [r[0] for r in self.rows if r[5] == "FAIL"]
        gaps = sum(r[5] == "generator gap" for r in self.rows)
        ok = len(self.rows) - len(misses) - gaps
        print(
            f"{ok}/{len(self.rows)} within tolerance, {gaps} generator gaps, {len(misses)} failures"
        )
        return misses
