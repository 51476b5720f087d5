"""The generator package is ruff- and mypy-clean (strict)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from elp_warehouse.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent
TARGETS = [
    "src/elp_warehouse/generator",
    *map(str, sorted((PROJECT_ROOT / "tests/python").glob("test_generator_*.py"))),
]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_and_format() -> None:
    r = _run(str(BIN / "ruff"), "check", *TARGETS)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run(str(BIN / "ruff"), "format", "--check", *TARGETS)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict() -> None:
    r = _run(str(BIN / "mypy"), "src/elp_warehouse/generator")
    assert r.returncode == 0, r.stdout + r.stderr
