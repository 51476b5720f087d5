"""Synthetic extract generator: writes the source contract plus known-truth aggregates.

Entry point: `generate(out_dir, scale, seed, ...)`. See docs/generator.md for the design.
"""

from __future__ import annotations

from elp_warehouse.generator.pipeline import GenerationReport, generate

__all__ = ["GenerationReport", "generate"]
