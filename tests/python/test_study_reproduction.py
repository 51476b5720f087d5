"""scripts/study_reproduction.py and its mapping (elp_warehouse.study_figures): the
comparison logic on hand-made figures and marts (tolerance edges, ranges, suppressed and
empty cells, out-of-reach figures, unusable input), then one run on the demo build."""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

from elp_warehouse.study_figures import (
    FAMILIES,
    MARTS,
    Figure,
    StudyFiguresError,
    Warehouse,
    cell,
    compare,
    load_study_figures,
    study_mapping,
    summarise,
)
from warehouse import ROOT, demo_database

SCRIPT = ROOT / "scripts" / "study_reproduction.py"
FIGURES = ROOT / "reference" / "study_figures.yaml"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("study_reproduction", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def usage_rate(published: float | tuple[float, float], kind: Any = "rate") -> Figure:
    return Figure(
        FAMILIES[2],
        "usage",
        published,
        kind,
        (cell("mart_elp_usage", "usage_rate", year=2024, dimension="total", category="belgium"),),
    )


# ---------------------------------------------------------------------------------------------
# tolerances
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "published", "inside", "outside"),
    [
        ("rate", 0.025, 0.028, 0.0281),  # 0.3 percentage points, edge included
        ("rate", 0.025, 0.022, 0.0219),
        ("share", 0.66, 0.69, 0.6901),  # 3 points
        ("mean", 6.5, 7.0, 7.01),  # 0.5 sessions
        ("percentile", 4.7, 3.7, 3.69),  # 1.0 session
        ("count", 282937.0, 311230.7, 311231.0),  # 10 % of the study's value
        ("density", 14.0, 12.6, 12.59),
    ],
)
def test_tolerance_edges(kind: Any, published: float, inside: float, outside: float) -> None:
    figure = usage_rate(published, kind)
    assert figure.within(inside)
    assert not figure.within(outside)


def test_printed_range_is_widened_by_the_tolerance() -> None:
    figure = usage_rate((0.25, 0.26), "share")
    assert figure.distance(0.255) == 0.0
    assert figure.within(0.22) and figure.within(0.29)
    assert not figure.within(0.2199) and not figure.within(0.2901)
    assert figure.published_text == "0.25-0.26"
    # a relative tolerance is taken on the range's upper bound
    assert usage_rate((100.0, 200.0), "count").tolerance == pytest.approx(20.0)


# ---------------------------------------------------------------------------------------------
# a hand-made warehouse
# ---------------------------------------------------------------------------------------------


def make_warehouse(path: Path, usage: list[tuple[Any, ...]], suppression: bool = True) -> Path:
    """Every mart the script needs; mart_elp_usage with the given rows (year, dimension,
    category, usage_rate, population, users_extrapolated[, is_suppressed])."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for mart in MARTS:
            if mart != "mart_elp_usage":
                con.execute(f"create table marts.{mart} (year integer)")
        flag = ", is_suppressed boolean" if suppression else ""
        con.execute(
            "create table marts.mart_elp_usage (year integer, dimension varchar, category varchar,"
            f" usage_rate double, population double, users_extrapolated double{flag})"
        )
        marks = ", ".join("?" * len(usage[0]))
        con.executemany(f"insert into marts.mart_elp_usage values ({marks})", usage)
    return path


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    return make_warehouse(
        tmp_path / "published.duckdb",
        [
            (2024, "total", "belgium", 0.026, 1000.0, 26.0, False),
            (2024, "vt", "vt", None, None, None, True),  # suppressed
            (2024, "vt", "non_vt", None, 800.0, 18.0, False),  # null, not suppressed
            (2023, "total", "belgium", 0.024, 1000.0, 24.0, False),
            (2023, "vt", "vt", 0.03, 0.0, 0.0, False),
        ],
    )


def figure(label: str, published: float, kind: Any, numerator: Any, denominator: Any = ()) -> Any:
    return Figure(FAMILIES[2], label, published, kind, tuple(numerator), tuple(denominator))


def usage(year: int, dimension: str, category: str, column: str = "usage_rate") -> Any:
    return cell("mart_elp_usage", column, year=year, dimension=dimension, category=category)


def test_cell_states_and_statuses(hand_made: Path) -> None:
    wh = Warehouse(hand_made)
    assert wh.published
    figures = [
        figure("within", 0.025, "rate", [usage(2024, "total", "belgium")]),
        figure("outside", 0.030, "rate", [usage(2024, "total", "belgium")]),
        figure("suppressed", 0.031, "rate", [usage(2024, "vt", "vt")]),
        # 2023 x non_vt: each value exists in the mart, the combination does not
        figure("empty", 0.023, "rate", [usage(2023, "vt", "non_vt")]),
        # a null without suppression, and a category the mart does not know: not delivered
        figure("null", 0.023, "rate", [usage(2024, "vt", "non_vt")]),
        figure("unknown", 0.05, "rate", [usage(2024, "sex", "female")]),
        # a ratio of cells; a zero denominator delivers nothing
        figure(
            "ratio",
            0.025,
            "rate",
            [usage(2024, "total", "belgium", "users_extrapolated")],
            [usage(2024, "total", "belgium", "population")],
        ),
        figure(
            "zero",
            0.2,
            "share",
            [usage(2023, "vt", "vt", "users_extrapolated")],
            [usage(2023, "vt", "vt", "population")],
        ),
    ]
    results = {r.figure.label: r for r in compare(figures, wh)}
    assert {k: r.status for k, r in results.items()} == {
        "within": "within",
        "outside": "outside",
        "suppressed": "suppressed",
        "empty": "empty",
        "null": "missing",
        "unknown": "missing",
        "ratio": "within",
        "zero": "missing",
    }
    assert results["ratio"].value == pytest.approx(0.026)
    summary = {s.family: s for s in summarise(results.values())}[FAMILIES[2]]
    # suppressed and empty cells are not compared; missing ones are, and miss
    assert (summary.compared, summary.within, summary.suppressed, summary.empty) == (6, 2, 1, 1)
    assert summary.outside == 4
    assert summary.misses[0].value is None  # a missing value is the worst miss


def test_working_database_has_no_suppression(tmp_path: Path) -> None:
    db = make_warehouse(
        tmp_path / "elp.duckdb",
        [(2024, "vt", "vt", None, None, None)],
        suppression=False,
    )
    wh = Warehouse(db)
    assert not wh.published
    (result,) = compare([figure("null", 0.031, "rate", [usage(2024, "vt", "vt")])], wh)
    assert result.status == "missing"


# ---------------------------------------------------------------------------------------------
# the mapping of the study's figures
# ---------------------------------------------------------------------------------------------


def test_mapping_covers_every_family_and_lists_what_it_leaves_out() -> None:
    doc = load_study_figures(FIGURES)
    figures, not_compared = study_mapping(doc)
    assert {f.family for f in figures} == set(FAMILIES)
    labels = [f.label for f in figures]
    assert len(labels) == len(set(labels)), "two figures with one label"
    assert all(f.numerator for f in figures)
    out = [n for n in not_compared if n.status == "out of reach"]
    reasons = " ".join(n.reason for n in out)
    for design in ("dashboard", "unweighted", "convention rule", "income"):
        assert design in reasons, design
    assert all(n.reason for n in not_compared)
    assert len([n for n in out if n.label.startswith("dashboard")]) == 4
    assert len([n for n in out if n.label.startswith("fn 10 cohort")]) == 3
    # every printed Annex 5 mean is compared, none of the unprinted ones
    printed = [
        row[year]
        for row in doc["annex_5_mean_sessions"]["rows"]
        for year in (2022, 2023, 2024)
        if row.get(year) is not None
    ]
    means = [f for f in figures if f.label.startswith("Annex 5 mean")]
    assert [f.published for f in means] == printed


# ---------------------------------------------------------------------------------------------
# unusable input
# ---------------------------------------------------------------------------------------------


def test_bad_figures_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StudyFiguresError, match=r"absent\.yaml"):
        load_study_figures(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rows: [unclosed\n", encoding="utf-8")
    with pytest.raises(StudyFiguresError, match=r"broken\.yaml: not valid YAML"):
        load_study_figures(broken)
    partial = tmp_path / "partial.yaml"
    partial.write_text("need_ghq_2018: {rows: []}\n", encoding="utf-8")
    with pytest.raises(StudyFiguresError, match=r"partial\.yaml: sections missing: .*rules"):
        load_study_figures(partial)


def test_bad_database_is_named(tmp_path: Path) -> None:
    with pytest.raises(StudyFiguresError, match=r"nowhere\.duckdb: no such database file"):
        Warehouse(tmp_path / "nowhere.duckdb")
    text = tmp_path / "text.duckdb"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(StudyFiguresError, match=r"text\.duckdb: not a DuckDB database"):
        Warehouse(text)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(StudyFiguresError, match=r"empty\.duckdb: not a built warehouse"):
        Warehouse(empty)


def test_script_exit_codes_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script()
    assert script.main([str(tmp_path / "nowhere.duckdb")]) == 2
    assert "nowhere.duckdb" in capsys.readouterr().err
    db = tmp_path / "elp.duckdb"
    duckdb.connect(str(db)).close()
    assert script.main([str(db), "--figures", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        script.main([str(db), "--out", str(tmp_path / "out.txt")])
    assert "must end in .csv or .json" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# the demo build
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory)


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def table_rows(stdout: str) -> Iterator[list[str]]:
    for line in stdout.splitlines():
        if line.startswith("| ") and not line.startswith("| family"):
            yield [c.strip() for c in line.strip("|").split("|")]


def test_demo_build(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    proc = run_script(str(demo), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    rows = list(table_rows(proc.stdout))
    assert [r[0] for r in rows] == list(FAMILIES), "a family is missing from the table"
    with out.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    by_family: dict[str, list[dict[str, str]]] = {}
    for r in records:
        by_family.setdefault(r["family"], []).append(r)
    compared_total = within_total = 0
    for family, compared, within, share, suppressed, empty, _ in rows:
        statuses = [r["status"] for r in by_family[family]]
        outside = statuses.count("outside") + statuses.count("missing")
        assert int(compared) == int(within) + outside > 0, family
        assert int(within) == statuses.count("within")
        assert int(suppressed) == statuses.count("suppressed") == 0  # working database
        assert int(empty) == statuses.count("empty")
        assert share == f"{100 * int(within) / int(compared):.0f} %"
        compared_total += int(compared)
        within_total += int(within)
    assert f"Overall: {within_total} of {compared_total} compared figures" in proc.stdout
    out_of_reach = [r for r in records if r["status"] == "out of reach"]
    assert out_of_reach and all(r["reason"] for r in out_of_reach)
    # the targets switch: the default extract does not reach them (issue 27), so exit 1
    failing = run_script(str(demo), "--min-share", "0.99", "--min-family-share", "0.7")
    assert failing.returncode == 1
    assert "target not met: overall share below 0.99" in failing.stderr
    assert run_script(str(demo), "--min-share", "0.0").returncode == 0
