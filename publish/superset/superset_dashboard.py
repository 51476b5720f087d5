"""Superset dashboard "ELP key indicators": create it, export it, import it and check it.

Run against a running Superset (admin login) that has duckdb-engine installed:

    python publish/superset/superset_dashboard.py create --snapshot warehouse/published.duckdb
        # creates database + datasets + charts + dashboard, exports it to
        # publish/superset/elp_key_indicators.zip (the file users import)
    python publish/superset/superset_dashboard.py check --snapshot /path/to/published.duckdb
        # imports the committed export (database URI pointed at --snapshot) and asks Superset
        # for every chart's data: exit 1 when a chart does not load

Only the standard library: it runs with any Python next to Superset. See docs/bi.md.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXPORT = HERE / "elp_key_indicators.zip"
DASHBOARD_SLUG = "elp-key-indicators"
DATABASE_NAME = "ELP published snapshot"


class Client:
    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url.rstrip("/")
        token = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": user, "password": password, "provider": "db", "refresh": True},
            auth=False,
        )["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

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
            with urllib.request.urlopen(req, timeout=120) as resp:
                payload = resp.read()
                if resp.headers.get_content_type() == "application/json":
                    return json.loads(payload)
                return payload
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:2000]!r}") from exc


def sql_metric(expr: str, label: str) -> dict[str, Any]:
    return {"expressionType": "SQL", "sqlExpression": expr, "label": label}


def where(clause: str) -> dict[str, Any]:
    return {"expressionType": "SQL", "clause": "WHERE", "sqlExpression": clause}


# (name, table, viz_type, form data, query): the dashboard's charts
CHARTS: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "ELP users per year (extrapolated)",
        "mart_elp_users_yearly",
        "echarts_timeseries_bar",
        {"x_axis": "year", "metrics": [sql_metric("sum(users_extrapolated)", "users")]},
        {"columns": ["year"], "metrics": [sql_metric("sum(users_extrapolated)", "users")]},
    ),
    (
        "ELP usage rate by age group, 2024",
        "mart_elp_usage",
        "table",
        {
            "query_mode": "raw",
            "all_columns": ["year", "category", "label_nl", "usage_rate", "is_suppressed"],
            "adhoc_filters": [where("dimension = 'age_group' and year = 2024")],
        },
        {
            "columns": ["year", "category", "label_nl", "usage_rate", "is_suppressed"],
            "filters": [],
            "extras": {"where": "dimension = 'age_group' and year = 2024"},
        },
    ),
    (
        "Need, supply and use per province, 2024",
        "mart_elp_province_overview",
        "table",
        {
            "query_mode": "raw",
            "all_columns": [
                "province_code",
                "label_nl",
                "ghq2_share",
                "providers_per_100k",
                "usage_rate",
                "budget_utilisation",
            ],
            "adhoc_filters": [where("year = 2024")],
        },
        {
            "columns": [
                "province_code",
                "label_nl",
                "ghq2_share",
                "providers_per_100k",
                "usage_rate",
                "budget_utilisation",
            ],
            "extras": {"where": "year = 2024"},
        },
    ),
    (
        "Services mix, national, 2024",
        "mart_elp_services_mix",
        "table",
        {
            "query_mode": "raw",
            "all_columns": ["dimension", "category", "label_nl", "share"],
            "adhoc_filters": [where("area = 'belgium' and year = 2024")],
        },
        {
            "columns": ["dimension", "category", "label_nl", "share"],
            "extras": {"where": "area = 'belgium' and year = 2024"},
        },
    ),
    (
        "Mental-health care use (Figure 1)",
        "mart_mh_care_use",
        "echarts_timeseries_line",
        {
            "x_axis": "year",
            "groupby": ["category"],
            "metrics": [sql_metric("sum(population_share)", "share")],
            "adhoc_filters": [where("classification = 'figure_1' and is_exclusive")],
        },
        {
            "columns": ["year", "category"],
            "metrics": [sql_metric("sum(population_share)", "share")],
            "extras": {"where": "classification = 'figure_1' and is_exclusive"},
        },
    ),
]


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
    for name, table, viz, form, query in CHARTS:
        if table not in datasets:
            datasets[table] = client.call(
                "POST", "/api/v1/dataset/", {"database": db, "schema": "marts", "table_name": table}
            )["id"]
        ds = datasets[table]
        params = {"datasource": f"{ds}__table", "viz_type": viz, "row_limit": 1000, **form}
        query_context = {
            "datasource": {"id": ds, "type": "table"},
            "force": False,
            "queries": [{"filters": [], "row_limit": 1000, **query}],
            "form_data": params,
            "result_format": "json",
            "result_type": "full",
        }
        chart = client.call(
            "POST",
            "/api/v1/chart/",
            {
                "slice_name": name,
                "viz_type": viz,
                "datasource_id": ds,
                "datasource_type": "table",
                "params": json.dumps(params),
                "query_context": json.dumps(query_context),
            },
        )
        chart_ids.append(chart["id"])
    layout: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
    }
    for i, cid in enumerate(chart_ids):
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
            "meta": {"chartId": cid, "width": 12, "height": 50, "uuid": str(uuid.uuid4())},
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


def check(client: Client, snapshot: Path) -> int:
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
    charts = client.call("GET", f"/api/v1/dashboard/{dash['id']}/charts")["result"]
    failures = 0
    for chart in charts:
        cid = chart["id"]
        try:
            data = client.call("GET", f"/api/v1/chart/{cid}/data/")
            rows = sum(len(r.get("data") or []) for r in data["result"])
            status = "ok" if rows > 0 else "no rows"
            failures += rows == 0
        except RuntimeError as exc:
            status = f"FAILED {exc}"
            failures += 1
        print(f"chart {cid} {chart['slice_name']!r}: {status}")
    print(f"{len(charts)} charts, {failures} failed")
    return 1 if failures or not charts else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["create", "check"])
    parser.add_argument("--snapshot", required=True, type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    client = Client(args.url, args.user, args.password)
    if args.action == "create":
        create(client, args.snapshot)
        return 0
    return check(client, args.snapshot)


if __name__ == "__main__":
    sys.exit(main())
