"""`elp where` points BI users at the published snapshot, its Parquet copy and the report, and
its example query runs, read-only, on a real snapshot; the working database is named only as
the builders' own."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from publish_support import BIN, ROOT, Built, built_warehouse

from elp_warehouse.cli import main


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def _where(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["where"]) == 0
    return capsys.readouterr().out.splitlines()


def _example(lines: list[str]) -> str:
    [example] = [line.strip() for line in lines if line.strip().startswith(".venv/bin/python")]
    return example


def _line(lines: list[str], label: str) -> str:
    [line] = [line for line in lines if line.startswith(label)]
    return line


def test_where_names_the_snapshot_parquet_and_report_and_says_how_to_make_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ELP_WAREHOUSE_DIR", str(tmp_path))
    lines = _where(capsys)
    assert _line(lines, "BI snapshot:").endswith(
        f"{tmp_path / 'published.duckdb'}  (not there yet: .venv/bin/elp build)"
    )
    assert _line(lines, "Parquet copy:").endswith(
        f"{tmp_path / 'published'}/<mart>.parquet  (not there yet: .venv/bin/elp build)"
    )
    assert _line(lines, "Report:").endswith(
        f"{tmp_path / 'report.html'}  (not there yet: .venv/bin/elp report)"
    )
    example = _example(lines)
    assert json.dumps(str(tmp_path / "published.duckdb")) in example
    assert "read_only=True" in example and "elp.duckdb" not in example
    assert "docs/bi.md" in "\n".join(lines)
    # the working database: named, and said not to be for BI
    working = lines.index(_line(lines, "Working database:"))
    assert lines[working].endswith(str(tmp_path / "elp.duckdb"))
    assert "not for BI" in " ".join(lines[working : working + 3])

    (tmp_path / "report.html").write_text("<html></html>")
    (tmp_path / "published.duckdb").write_bytes(b"")
    lines = _where(capsys)
    assert _line(lines, "Report:").endswith(str(tmp_path / "report.html"))
    assert _line(lines, "BI snapshot:").endswith(str(tmp_path / "published.duckdb"))


def test_the_example_query_runs_on_a_real_snapshot(
    built: Built, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ELP_WAREHOUSE_DIR", str(built.warehouse_dir))
    lines = _where(capsys)
    assert "not there yet" not in _line(lines, "BI snapshot:")
    assert "not there yet" not in _line(lines, "Parquet copy:")
    command = shlex.split(_example(lines))
    assert command[0] == ".venv/bin/python"
    proc = subprocess.run(
        [str(BIN / "python"), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the latest year's first five age groups, with their English labels
    assert proc.stdout.count("age_group") == 5, proc.stdout
    assert "Age 0-19" in proc.stdout, proc.stdout
