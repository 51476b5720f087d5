"""Superset, for real: Superset 6.1.0 from its own locked environment (`.venv-superset`, made by
`make superset-install`) starts on a free 127.0.0.1 port with a temporary home, imports the
committed dashboard export pointed at the demo snapshot, and answers every chart's query
through its REST API in Dutch, French and English: rows, no error, the expected columns, the
saved number formats (rates as percentages) and the label column of the asked language.
The server is stopped whatever happens. docs/bi.md, "Superset"."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from publish_support import ROOT, Built, built_warehouse

sys.path.insert(0, str(ROOT / "publish" / "superset"))
import superset_dashboard as sd

SUPERSET_PYTHON = ROOT / ".venv-superset" / "bin" / "python"
# columns holding a rate, share, completeness or relative error (or an interval bound of one)
# must be shown as percentages
RATE_COLUMN = re.compile(
    r"(rate|share|utilisation|completeness|relative_error|utilisation_to_date)(_ci_(low|high))?$"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def _labels(snapshot: Path) -> dict[str, set[str]]:
    """Every label of each language in the snapshot's marts."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        marts = [
            r[0]
            for r in con.execute(
                "select distinct table_name from information_schema.columns "
                "where table_schema = 'marts' and column_name = 'label_fr'"
            ).fetchall()
        ]
        return {
            lang: {
                r[0]
                for mart in marts
                for r in con.execute(f"select distinct label_{lang} from marts.{mart}").fetchall()
                if r[0] is not None
            }
            for lang in sd.LANGUAGES
        }
    finally:
        con.close()


def test_every_rate_column_is_formatted_as_a_percentage() -> None:
    for chart in sd.CHARTS:
        shown = set(chart.columns) | ({chart.metric[1]} if chart.metric else set())
        rates = {c for c in shown if RATE_COLUMN.search(c)}
        assert rates <= set(chart.percent), (chart.name, rates - set(chart.percent))
        form, _query = sd.chart_form(chart)
        assert sd.format_problems(chart, form) == [], chart.name


def test_a_chart_saved_without_its_formats_is_reported() -> None:
    chart = next(c for c in sd.CHARTS if c.viz == "table" and c.percent)
    form, _query = sd.chart_form(chart)
    form["column_config"].pop(chart.percent[0])
    assert sd.format_problems(chart, form) == [f"{chart.percent[0]} formatted None, not '.1%'"]


def test_the_export_lays_out_every_chart_once() -> None:
    # a chart the layout misses (or names by a wrong uuid) shows twice or not at all
    with zipfile.ZipFile(sd.EXPORT) as bundle:
        files = {name: yaml.safe_load(bundle.read(name)) for name in bundle.namelist()}
    charts = {v["uuid"]: v["slice_name"] for k, v in files.items() if "/charts/" in k}
    (dashboard,) = (v for k, v in files.items() if "/dashboards/" in k)
    placed = [
        v["meta"]["uuid"]
        for v in dashboard["position"].values()
        if isinstance(v, dict) and v.get("type") == "CHART"
    ]
    assert sorted(placed) == sorted(charts)
    assert sorted(charts.values()) == sorted(c.name for c in sd.CHARTS)


def test_the_export_runs_the_current_analyses_queries() -> None:
    # the datasets are the analyses/ queries: an edited query needs a re-exported dashboard
    with zipfile.ZipFile(sd.EXPORT) as bundle:
        datasets = [
            yaml.safe_load(bundle.read(name)) for name in bundle.namelist() if "/datasets/" in name
        ]
    assert sorted(d["table_name"] for d in datasets) == sorted({c.analysis for c in sd.CHARTS})
    stale = [d["table_name"] for d in datasets if d["sql"] != sd.dataset_sql(d["table_name"])]
    assert stale == [], "re-export: superset_dashboard.py create (docs/bi.md, Superset)"


def test_superset_serves_every_chart_in_three_languages(built: Built, tmp_path: Path) -> None:
    missing = "Superset's environment is missing: run `make superset-install`"
    assert SUPERSET_PYTHON.exists(), missing
    # Superset's DuckDB (1.5.x) reads only snapshots written in an older storage format
    opened = subprocess.run(
        [
            str(SUPERSET_PYTHON),
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).close()",
            str(built.snapshot),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert opened.returncode == 0, f"Superset's DuckDB cannot open the snapshot:\n{opened.stderr}"
    started = time.monotonic()
    home = tmp_path / "superset-home"
    password = sd.init_home(home, python=SUPERSET_PYTHON)
    initialised = time.monotonic()
    port = sd.free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "superset.log"
    proc = sd.start(home, port, log, python=SUPERSET_PYTHON)
    try:
        sd.wait_ready(url, proc, log)
        serving = time.monotonic()
        client = sd.Client(url, sd.ADMIN, password)
        charts = sd.import_dashboard(client, built.snapshot)
        assert sorted(c["slice_name"] for c in charts) == sorted(c.name for c in sd.CHARTS)
        labels = _labels(built.snapshot)
        for lang in sd.LANGUAGES:
            results = sd.check_charts(client, charts, lang)
            assert [(r.name, r.problems) for r in results if r.problems] == []
            shown: set[Any] = {row["label"] for r in results for row in r.rows if "label" in row}
            assert shown, "no chart shows a label column"
            assert shown - {None} <= labels[lang], (lang, shown - labels[lang])
            if lang != "nl":
                assert shown - labels["nl"], f"{lang}: only Dutch labels shown"
        checked = time.monotonic()
    finally:
        sd.stop(proc)
    assert proc.returncode is not None
    print(
        f"Superset smoke: init {initialised - started:.0f} s, start {serving - initialised:.0f} s, "
        f"import + {len(charts)} charts x {len(sd.LANGUAGES)} languages "
        f"{checked - serving:.0f} s, total {checked - started:.0f} s"
    )
