"""Superset dashboard "ELP key indicators": set up a Superset home, serve it, and create,
import and check the dashboard.

    python superset_dashboard.py init --home DIR [--password PW]
        # a Superset home: superset_config.py with a generated SECRET_KEY, its metadata
        # database, roles, and an admin user (idempotent: an existing home is kept)
    python superset_dashboard.py serve --home DIR --snapshot PATH [--port 8088]
        # starts Superset on 127.0.0.1, imports the dashboard pointed at PATH, checks every
        # chart and keeps serving until Ctrl-C (`make superset`)
    python superset_dashboard.py create --snapshot PATH
        # against a running Superset: creates database + datasets + charts + dashboard and
        # exports them to publish/superset/elp_key_indicators.zip (the file users import)
    python superset_dashboard.py check --snapshot PATH
        # against a running Superset: imports the committed export (database URI pointed at
        # PATH) and asks Superset for every chart's data: exit 1 when a chart fails its checks

`init` and `serve` run Superset from the virtualenv of this Python (`.venv-superset`, made by
`make superset-install` from publish/superset/requirements.lock). Otherwise only the standard
library. See docs/bi.md, "Superset".
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ANALYSES = HERE.parents[1] / "analyses"
EXPORT = HERE / "elp_key_indicators.zip"
DASHBOARD_SLUG = "elp-key-indicators"
DATABASE_NAME = "ELP published snapshot"
LANGUAGES = ("nl", "fr", "en")
ADMIN = "admin"
SUPERSET_PYTHON = Path(sys.executable)

# Every dataset's `label` column: the label of the language in the dashboard URL's `lang`
# parameter (`?lang=fr`). The parameter is only compared, never pasted into the SQL, so a
# crafted URL cannot inject SQL. Without Jinja templating the expression stays a plain string
# literal and the labels fall back to Dutch instead of the query failing.
LABEL_EXPRESSION = (
    """case '{{ "fr" if url_param("lang") == "fr" else ("en" if url_param("lang") == "en" """
    """else "nl") }}' when 'fr' then q.label_fr when 'en' then q.label_en else q.label_nl end"""
)

PERCENT = ".1%"


@dataclass(frozen=True)
class Chart:
    """One chart: its dataset (an analyses/ query), what it shows and how it is formatted."""

    name: str
    analysis: str
    viz: str
    columns: tuple[str, ...]
    percent: tuple[str, ...] = ()
    formats: dict[str, str] = field(default_factory=dict)
    where: str = ""
    metric: tuple[str, str] | None = None  # (SQL expression, label) for the time-series charts
    groupby: tuple[str, ...] = ()


def _fixed(digits: int, *columns: str) -> dict[str, str]:
    return {c: f",.{digits}f" for c in columns}


SESSION_COLUMNS = (
    "patients_extrapolated",
    "mean_sessions",
    "mean_sessions_ci_low",
    "mean_sessions_ci_high",
    "p25_sessions",
    "median_sessions",
    "p75_sessions",
    "p95_sessions",
)
SESSION_FORMATS = {
    **_fixed(0, "patients_extrapolated"),
    **_fixed(1, *SESSION_COLUMNS[1:]),
}

CHARTS: tuple[Chart, ...] = (
    Chart(
        "ELP users per year (Figure 4)",
        "fig04_users_per_year",
        "echarts_timeseries_bar",
        ("year", "users"),
        metric=("sum(users_extrapolated)", "users"),
        formats={"users": ",.0f"},
    ),
    Chart(
        "ELP usage rate per year, 95 % interval (Figure 4)",
        "fig04_users_per_year",
        "table",
        (
            "year",
            "users_extrapolated",
            "usage_rate",
            "usage_rate_ci_low",
            "usage_rate_ci_high",
            "new_users_extrapolated",
            "cumulative_users_extrapolated",
            "cumulative_usage_rate",
        ),
        percent=("usage_rate", "usage_rate_ci_low", "usage_rate_ci_high", "cumulative_usage_rate"),
        formats=_fixed(
            0, "users_extrapolated", "new_users_extrapolated", "cumulative_users_extrapolated"
        ),
    ),
    Chart(
        "ELP usage rate by subgroup, 2024, 95 % interval (Figure 5)",
        "fig05_usage_rate_by_subgroup",
        "table",
        (
            "dimension",
            "label",
            "usage_rate",
            "usage_rate_ci_low",
            "usage_rate_ci_high",
            "users_extrapolated",
            "population",
        ),
        percent=("usage_rate", "usage_rate_ci_low", "usage_rate_ci_high"),
        formats=_fixed(0, "users_extrapolated", "population"),
    ),
    Chart(
        "Need, supply, use and budget utilisation per province, 2024 (Figure 3, Annex 1)",
        "fig03_province_need_supply_use",
        "table",
        (
            "label",
            "ghq2_share",
            "services_per_100_inhabitants",
            "services_per_100_ci_low",
            "services_per_100_ci_high",
            "usage_rate",
            "usage_rate_ci_low",
            "usage_rate_ci_high",
            "providers_per_100k",
            "budget_eur",
            "spending_eur_extrapolated",
            "budget_utilisation",
        ),
        percent=(
            "ghq2_share",
            "usage_rate",
            "usage_rate_ci_low",
            "usage_rate_ci_high",
            "budget_utilisation",
        ),
        formats={
            **_fixed(2, "services_per_100_inhabitants", "services_per_100_ci_low"),
            **_fixed(2, "services_per_100_ci_high"),
            **_fixed(1, "providers_per_100k"),
            **_fixed(0, "budget_eur", "spending_eur_extrapolated"),
        },
    ),
    Chart(
        "Sessions per patient over 12 months by cohort year, 95 % interval (Figure 7)",
        "fig07_sessions_by_cohort_year",
        "table",
        ("cohort_year", *SESSION_COLUMNS),
        formats=SESSION_FORMATS,
    ),
    Chart(
        "Sessions per patient over 12 months by region, 2024 cohort (Figure 9)",
        "fig09_sessions_by_region",
        "table",
        ("label", *SESSION_COLUMNS),
        formats=SESSION_FORMATS,
    ),
    Chart(
        "Services mix, Belgium, 2022-2024, 95 % interval (Table 1)",
        "tab01_services_mix",
        "table",
        (
            "dimension",
            "label",
            "year",
            "share",
            "share_ci_low",
            "share_ci_high",
            "services_extrapolated",
        ),
        percent=("share", "share_ci_low", "share_ci_high"),
        formats=_fixed(0, "services_extrapolated"),
    ),
    Chart(
        "Mental-health care use (Figure 1)",
        "fig01_mh_care_use",
        "echarts_timeseries_line",
        ("year", "label", "share"),
        where="is_exclusive",
        metric=("sum(population_share)", "share"),
        groupby=("label",),
        percent=("share",),
    ),
    Chart(
        "Mental-health care use, 95 % interval (Figure 1)",
        "fig01_mh_care_use",
        "table",
        (
            "year",
            "label",
            "population_share",
            "population_share_ci_low",
            "population_share_ci_high",
            "persons_extrapolated",
        ),
        where="is_exclusive",
        percent=("population_share", "population_share_ci_low", "population_share_ci_high"),
        formats=_fixed(0, "persons_extrapolated"),
    ),
    # the current-year panel (docs/nowcast.md): booked and completed, intervals in columns
    Chart(
        "Current year: users, services and spending per month, booked and completed, "
        "95 % prediction interval (Current year 1)",
        "nowcast1_completed_by_month",
        "table",
        (
            "period",
            "period_start",
            "label",
            "users_extrapolated",
            "users_completed",
            "users_completed_ci_low",
            "users_completed_ci_high",
            "services_extrapolated",
            "services_completed",
            "services_completed_ci_low",
            "services_completed_ci_high",
            "spending_eur_extrapolated",
            "spending_eur_completed",
            "spending_eur_completed_ci_low",
            "spending_eur_completed_ci_high",
            "spending_completeness",
        ),
        percent=("spending_completeness",),
        formats=_fixed(
            0,
            "users_extrapolated",
            "users_completed",
            "users_completed_ci_low",
            "users_completed_ci_high",
            "services_extrapolated",
            "services_completed",
            "services_completed_ci_low",
            "services_completed_ci_high",
            "spending_eur_extrapolated",
            "spending_eur_completed",
            "spending_eur_completed_ci_low",
            "spending_eur_completed_ci_high",
        ),
    ),
    Chart(
        "Current year: projected year-end budget utilisation per province and network type, "
        "95 % prediction interval (Current year 2)",
        "nowcast2_budget_projection",
        "table",
        (
            "area_type",
            "label",
            "budget_eur",
            "budget_is_estimate",
            "spending_eur_to_date",
            "spending_eur_projected",
            "spending_eur_projected_ci_low",
            "spending_eur_projected_ci_high",
            "budget_utilisation_to_date",
            "projected_budget_utilisation",
            "projected_budget_utilisation_ci_low",
            "projected_budget_utilisation_ci_high",
        ),
        percent=(
            "budget_utilisation_to_date",
            "projected_budget_utilisation",
            "projected_budget_utilisation_ci_low",
            "projected_budget_utilisation_ci_high",
        ),
        formats=_fixed(
            0,
            "budget_eur",
            "spending_eur_to_date",
            "spending_eur_projected",
            "spending_eur_projected_ci_low",
            "spending_eur_projected_ci_high",
        ),
    ),
    Chart(
        "Nowcast backtest, Belgium: 95 % interval coverage and error by horizon (Current year 3)",
        "nowcast3_backtest_by_horizon",
        "table",
        (
            "period",
            "measure",
            "horizon_months",
            "cases",
            "covered_share",
            "median_abs_relative_error",
            "max_abs_relative_error",
            "median_abs_booked_relative_error",
        ),
        percent=(
            "covered_share",
            "median_abs_relative_error",
            "max_abs_relative_error",
            "median_abs_booked_relative_error",
        ),
    ),
)


def dataset_sql(analysis: str) -> str:
    """The dataset's SQL: the analyses/ query as it is, plus the `label` of the chosen language.

    The analyses return label_nl, label_fr and label_en from the mart's own label columns; the
    `label` column picks one by the dashboard's `lang` URL parameter.
    """
    sql = (ANALYSES / f"{analysis}.sql").read_text().rstrip().rstrip(";")
    if "{{" in sql or "{%" in sql:
        raise ValueError(f"analyses/{analysis}.sql contains Jinja braces Superset would render")
    labelled = re.findall(r"^\s+(\w+)\.label_nl,$", sql, flags=re.M)
    if not labelled:
        return f"select q.* from (\n{sql}\n) as q"
    alias = labelled[0]
    if len(labelled) != 1 or any(f"{alias}.label_{lang}," not in sql for lang in ("fr", "en")):
        raise ValueError(
            f"analyses/{analysis}.sql: expected one '<alias>.label_nl,' select line, "
            "with label_fr and label_en of the same alias"
        )
    return f"select {LABEL_EXPRESSION} as label, q.* from (\n{sql}\n) as q"


def chart_form(chart: Chart) -> tuple[dict[str, Any], dict[str, Any]]:
    """(form data, query) of a chart, with its number formats."""
    filters = [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": chart.where}]
    extras = {"where": chart.where} if chart.where else {}
    if chart.viz == "table":
        config = {c: {"d3NumberFormat": PERCENT} for c in chart.percent}
        config.update({c: {"d3NumberFormat": f} for c, f in chart.formats.items()})
        form = {
            "query_mode": "raw",
            "all_columns": list(chart.columns),
            "column_config": config,
            "adhoc_filters": filters if chart.where else [],
        }
        return form, {"columns": list(chart.columns), "extras": extras}
    assert chart.metric is not None, chart.name
    metric = {"expressionType": "SQL", "sqlExpression": chart.metric[0], "label": chart.metric[1]}
    y_format = PERCENT if chart.metric[1] in chart.percent else chart.formats[chart.metric[1]]
    form = {
        "x_axis": chart.columns[0],
        "groupby": list(chart.groupby),
        "metrics": [metric],
        "y_axis_format": y_format,
        "adhoc_filters": filters if chart.where else [],
    }
    return form, {
        "columns": [chart.columns[0], *chart.groupby],
        "metrics": [metric],
        "orderby": [[chart.columns[0], True]],
        "extras": extras,
    }


class Client:
    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        token = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": user, "password": password, "provider": "db", "refresh": True},
            auth=False,
        )["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        # writes need a CSRF token bound to the session cookie it comes with
        csrf = self.call("GET", "/api/v1/security/csrf_token/")["result"]
        self.headers.update({"X-CSRFToken": csrf, "Referer": self.url})

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        auth: bool = True,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if auth:
            for k, v in self.headers.items():
                req.add_header(k, v)
        try:
            with self.opener.open(req, timeout=120) as resp:
                payload = resp.read()
                if resp.headers.get_content_type() == "application/json":
                    return json.loads(payload)
                return payload
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:2000]!r}") from exc


def snapshot_uri(snapshot: Path) -> str:
    return f"duckdb:///{snapshot.resolve()}?access_mode=read_only"


def create(client: Client, snapshot: Path) -> None:
    db = client.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": DATABASE_NAME,
            "sqlalchemy_uri": snapshot_uri(snapshot),
            "expose_in_sqllab": True,
            "allow_dml": False,
        },
    )["id"]
    datasets: dict[str, int] = {}
    chart_ids: list[int] = []
    uuids: list[str] = []
    for chart in CHARTS:
        if chart.analysis not in datasets:
            datasets[chart.analysis] = client.call(
                "POST",
                "/api/v1/dataset/",
                {
                    "database": db,
                    "schema": "main",
                    "table_name": chart.analysis,
                    "sql": dataset_sql(chart.analysis),
                },
            )["id"]
        ds = datasets[chart.analysis]
        form, query = chart_form(chart)
        params = {"datasource": f"{ds}__table", "viz_type": chart.viz, "row_limit": 1000, **form}
        query_context = {
            "datasource": {"id": ds, "type": "table"},
            "force": False,
            "queries": [{"filters": [], "row_limit": 1000, **query}],
            "form_data": params,
            "result_format": "json",
            "result_type": "full",
        }
        created = client.call(
            "POST",
            "/api/v1/chart/",
            {
                "slice_name": chart.name,
                "viz_type": chart.viz,
                "datasource_id": ds,
                "datasource_type": "table",
                "params": json.dumps(params),
                "query_context": json.dumps(query_context),
            },
        )
        chart_ids.append(created["id"])
        # the layout must name each chart by its uuid: an import maps charts by uuid, and an
        # export appends a chart it cannot find in the layout as a second copy
        uuids.append(client.call("GET", f"/api/v1/chart/{created['id']}")["result"]["uuid"])
    layout: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
    }
    for i, (cid, chart_uuid, chart) in enumerate(zip(chart_ids, uuids, CHARTS, strict=True)):
        row, key = f"ROW-{i}", f"CHART-{i}"
        layout["GRID_ID"]["children"].append(row)
        layout[row] = {
            "type": "ROW",
            "id": row,
            "children": [key],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        layout[key] = {
            "type": "CHART",
            "id": key,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID", row],
            "meta": {
                "chartId": cid,
                "sliceName": chart.name,
                "uuid": chart_uuid,
                "width": 12,
                "height": 50,
            },
        }
    dash = client.call(
        "POST",
        "/api/v1/dashboard/",
        {
            "dashboard_title": "ELP key indicators",
            "slug": DASHBOARD_SLUG,
            "published": True,
            "position_json": json.dumps(layout),
        },
    )["id"]
    for cid in chart_ids:
        client.call("PUT", f"/api/v1/chart/{cid}", {"dashboards": [dash]})
    blob = client.call("GET", f"/api/v1/dashboard/export/?q=!({dash})")
    EXPORT.write_bytes(_normalise(blob, "duckdb:////srv/elp/warehouse/published.duckdb"))
    print(f"exported {EXPORT}")


def _normalise(blob: bytes, uri: str) -> bytes:
    """Point the export's database at `uri` (exports carry the creator's path)."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if "/databases/" in item.filename:
                lines = [
                    f"sqlalchemy_uri: {uri}?access_mode=read_only"
                    if line.startswith("sqlalchemy_uri:")
                    else line
                    for line in data.decode().splitlines()
                ]
                data = ("\n".join(lines) + "\n").encode()
            dst.writestr(item.filename, data)
    return out.getvalue()


def import_dashboard(client: Client, snapshot: Path) -> list[dict[str, Any]]:
    """Import the committed export pointed at `snapshot`; the dashboard's charts."""
    bundle = _normalise(EXPORT.read_bytes(), f"duckdb:///{snapshot.resolve()}")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="formData"; '
            f'filename="dashboard.zip"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        + bundle
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="overwrite"\r\n\r\n'
            f"true\r\n--{boundary}--\r\n"
        ).encode()
    )
    client.call(
        "POST",
        "/api/v1/dashboard/import/",
        raw=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    dash = client.call("GET", f"/api/v1/dashboard/{DASHBOARD_SLUG}")["result"]
    charts: list[dict[str, Any]] = client.call("GET", f"/api/v1/dashboard/{dash['id']}/charts")[
        "result"
    ]
    return charts


def format_problems(chart: Chart, params: dict[str, Any]) -> list[str]:
    """What in a chart's saved form data differs from the formats `chart` asks for."""
    problems: list[str] = []
    wanted = {c: PERCENT for c in chart.percent} | chart.formats
    if chart.viz == "table":
        config = params.get("column_config") or {}
        for column, fmt in wanted.items():
            got = (config.get(column) or {}).get("d3NumberFormat")
            if got != fmt:
                problems.append(f"{column} formatted {got!r}, not {fmt!r}")
    else:
        assert chart.metric is not None
        if params.get("y_axis_format") != wanted[chart.metric[1]]:
            problems.append(f"y axis formatted {params.get('y_axis_format')!r}")
    return problems


@dataclass
class ChartResult:
    name: str
    rows: list[dict[str, Any]]
    problems: list[str]


def check_charts(client: Client, charts: list[dict[str, Any]], lang: str) -> list[ChartResult]:
    """Every chart's data through Superset's API with `?lang=`, checked against CHARTS."""
    by_name = {c.name: c for c in CHARTS}
    results: list[ChartResult] = []
    for name in sorted(set(by_name) - {c["slice_name"] for c in charts}):
        results.append(ChartResult(name, [], ["missing from the imported dashboard"]))
    for found in charts:
        name = found["slice_name"]
        problems: list[str] = []
        rows: list[dict[str, Any]] = []
        spec = by_name.get(name)
        if spec is None:
            results.append(ChartResult(name, [], ["not in CHARTS (re-run `create`)"]))
            continue
        saved = client.call("GET", f"/api/v1/chart/{found['id']}")["result"]
        problems += format_problems(spec, json.loads(saved.get("params") or "{}"))
        try:
            data = client.call("GET", f"/api/v1/chart/{found['id']}/data/?lang={lang}")
            for result in data["result"]:
                if result.get("error"):
                    problems.append(f"error {result['error']}")
                missing = set(spec.columns) - set(result.get("colnames") or [])
                if missing:
                    problems.append(f"columns {sorted(missing)} missing")
                rows += result.get("data") or []
            if not rows:
                problems.append("no rows")
        except RuntimeError as exc:
            problems.append(f"FAILED {exc}")
        results.append(ChartResult(name, rows, problems))
    return results


def check(client: Client, snapshot: Path) -> int:
    charts = import_dashboard(client, snapshot)
    failures = 0
    for lang in LANGUAGES:
        for result in check_charts(client, charts, lang):
            status = "; ".join(result.problems) or f"ok, {len(result.rows)} rows"
            failures += bool(result.problems)
            print(f"[{lang}] {result.name!r}: {status}")
    print(f"{len(charts)} charts x {len(LANGUAGES)} languages, {failures} failed")
    return 1 if failures or not charts else 0


# --- a local Superset: its home, its server -------------------------------------------------

SUPERSET_CONFIG = """\
# Written by publish/superset/superset_dashboard.py init: this home's Superset settings.
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = {metadata!r}
# the datasets pick the label column of the dashboard URL's ?lang= with Jinja (docs/bi.md)
FEATURE_FLAGS = {{"ENABLE_TEMPLATE_PROCESSING": True}}
# a local, single-user server on 127.0.0.1: no HTTPS to enforce, no shared rate-limit store
TALISMAN_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
"""


def superset_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SUPERSET_HOME=str(home),
        SUPERSET_CONFIG_PATH=str(home / "superset_config.py"),
        FLASK_APP="superset",
        PYTHONUNBUFFERED="1",
    )
    return env


# `superset db upgrade`, `superset fab create-admin` and `superset init` in one process: each
# CLI call spends ~11 s CPU importing Superset, a third of the smoke test's budget.
_INIT_SCRIPT = """
import sys
from flask_migrate import upgrade
from superset.app import create_app

app = create_app()
with app.app_context():
    from superset.extensions import appbuilder, db, security_manager

    upgrade()
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    if security_manager.find_user(username=sys.argv[1]) is None:
        user = security_manager.add_user(
            sys.argv[1], "ELP", "Admin", "admin@localhost",
            security_manager.find_role("Admin"), password=sys.argv[2],
        )
        if not user:
            sys.exit("could not create the admin user")
    db.session.commit()
"""


def init_home(home: Path, password: str | None = None, python: Path = SUPERSET_PYTHON) -> str:
    """Create (or keep) a Superset home; the admin password (generated once, kept in the home).

    `python` is the interpreter of Superset's virtualenv (by default the one running this)."""
    home.mkdir(parents=True, exist_ok=True)
    secret_file = home / "admin_password"
    if (home / "superset.db").exists() and secret_file.exists():
        return secret_file.read_text().strip()
    password = password or secrets.token_urlsafe(12)
    (home / "superset_config.py").write_text(
        SUPERSET_CONFIG.format(
            secret=secrets.token_urlsafe(42), metadata=f"sqlite:///{home.resolve()}/superset.db"
        )
    )
    proc = subprocess.run(
        [str(python), "-c", _INIT_SCRIPT, ADMIN, password],
        env=superset_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Superset init failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    secret_file.write_text(password + "\n")
    secret_file.chmod(0o600)
    return password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(
    home: Path, port: int, log: Path, python: Path = SUPERSET_PYTHON
) -> subprocess.Popen[bytes]:
    """Superset's server on 127.0.0.1:`port`, in its own process group, logging to `log`."""
    exe = python.parent / "superset"
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(exe), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
            env=superset_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Superset exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(
        f"Superset did not answer {url}/health in {timeout} s:\n{log.read_text()[-3000:]}"
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and the workers it started (its process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve(home: Path, snapshot: Path, port: int) -> int:
    if not snapshot.exists():
        print(f"no snapshot at {snapshot}: run `make demo` (or `elp build`) first", file=sys.stderr)
        return 1
    password = init_home(home)
    # a `kill` stops the server too, as Ctrl-C does: SystemExit runs the `finally` below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    url = f"http://127.0.0.1:{port}"
    log = home / "server.log"
    proc = start(home, port, log)
    try:
        wait_ready(url, proc, log)
        status = check(Client(url, ADMIN, password), snapshot)
        print(
            f"\nSuperset: {url}/superset/dashboard/{DASHBOARD_SLUG}/  (French: ?lang=fr, "
            f"English: ?lang=en)\nuser: {ADMIN}  password: {password}\n"
            f"log: {log}; Ctrl-C stops it"
        )
        if status:
            print("some charts failed their checks (see above)", file=sys.stderr)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(proc)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["create", "check", "init", "serve"])
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--user", default=ADMIN)
    parser.add_argument("--password")
    parser.add_argument("--home", type=Path, help="Superset home (init, serve)")
    parser.add_argument("--port", type=int, default=8088, help="serve: the port on 127.0.0.1")
    args = parser.parse_args()
    if args.action in ("init", "serve") and args.home is None:
        parser.error(f"{args.action} needs --home")
    if args.action != "init" and args.snapshot is None:
        parser.error(f"{args.action} needs --snapshot")
    if args.action == "init":
        print(f"admin password: {init_home(args.home, args.password)}")
        return 0
    if args.action == "serve":
        return serve(args.home, args.snapshot, args.port)
    client = Client(args.url, args.user, args.password or ADMIN)
    if args.action == "create":
        create(client, args.snapshot)
        return 0
    return check(client, args.snapshot)


if __name__ == "__main__":
    sys.exit(main())
