"""Published figures of the study (reference/study_figures.yaml) and a small helper that
compares them with warehouse values and prints a published-vs-warehouse table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def figures() -> dict[str, Any]:
    with (ROOT / "reference" / "study_figures.yaml").open() as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


@dataclass
class Comparison:
    """Collects published-vs-warehouse rows; `check()` prints them and returns the misses."""

    title: str
    rows: list[tuple[str, float, float | None, float, bool]] = field(default_factory=list)

    def add(self, label: str, published: float, warehouse: float | None, tolerance: float) -> None:
        ok = warehouse is not None and abs(warehouse - published) <= tolerance
        self.rows.append((label, published, warehouse, tolerance, ok))

    def report(self) -> list[str]:
        print(f"\n{self.title}")
        print(f"{'figure':<58} {'published':>11} {'warehouse':>11} {'tolerance':>10}")
        for label, published, warehouse, tolerance, ok in self.rows:
            shown = "n/a" if warehouse is None else f"{warehouse:11.4f}"
            flag = "" if ok else "  <-- outside"
            print(f"{label:<58} {published:11.4f} {shown:>11} {tolerance:10.4f}{flag}")
        misses = [r[0] for r in self.rows if not r[4]]
        print(f"{len(self.rows) - len(misses)}/{len(self.rows)} within tolerance")
        return misses
