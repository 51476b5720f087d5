"""The HTML page: one panel per figure (or a "not available" panel), the header, the file."""

from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb

from elp_warehouse import paths
from elp_warehouse.report.charts import t
from elp_warehouse.report.figures import FIGURES, TITLES, Figure, span
from elp_warehouse.report.i18n import Text, text
from elp_warehouse.report.snapshot import NotAvailableError, Snapshot


def _panel(fig: Figure, s: Snapshot) -> tuple[str, bool]:
    try:
        title, charts = fig.draw(s)
        body = "".join(charts)
        ok = True
        status = "rendered"
    except NotAvailableError as exc:
        reason = str(exc)
        title = text(TITLES[fig.key], year="", years="")
        if reason.startswith("missing:"):
            msg = text("missing_mart", mart=fig.mart)
        else:
            msg = text("missing_data", mart=fig.mart, why=reason)
        body = f'<div class="not-available">{t(text("not_available"), "strong")} {t(msg)}</div>'
        ok = False
        status = "not-available"
    source = f"{t(text('source'))}: <code>marts.{html.escape(fig.mart)}</code>"
    return (
        f'<section class="figure" id="fig-{fig.key}" data-status="{status}">'
        f'{t(title, "h2")}{body}<p class="source">{source}</p></section>',
        ok,
    )


def _title(s: Snapshot) -> tuple[Text, str]:
    """The report's title with the ELP years of the snapshot (mart_elp_users_yearly), and
    those years."""
    try:
        rows = s.rows(
            "mart_elp_users_yearly", "select min(year) as lo, max(year) as hi from {mart}"
        )
    except NotAvailableError:
        rows = []
    years = span([y for r in rows for y in (r["lo"], r["hi"])])
    title = text("title", years=years)
    return {lang: value.rstrip(" :") for lang, value in title.items()}, years


def render_html(snapshot: Path) -> str:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        s = Snapshot(con)
        title, years = _title(s)
        meta = con.execute(
            "select snapshot_version, published_at, min_cell_size from meta.snapshot"
        )
        version, published_at, k = meta.fetchall()[0]
        panels = [_panel(fig, s) for fig in FIGURES]
    finally:
        con.close()
    template = (Path(__file__).parent / "template.html").read_text()
    header = (
        f"{t(title, 'h1')}{t(text('subtitle'), 'p', class_='subtitle')}"
        f'<p class="meta">{t(text("snapshot"))}: <code>{html.escape(str(version))}</code> '
        f"({html.escape(str(published_at))[:19]} UTC). {t(text('min_cell', k=k))}</p>"
    )
    expected = sum(1 for _, ok in panels if ok)
    return (
        template.replace("{{PAGE_TITLE}}", html.escape(f"ELP {years}".strip()))
        .replace("{{HEADER}}", header)
        .replace("{{FIGURES}}", "".join(p for p, _ in panels))
        .replace("{{EXPECTED}}", json.dumps(expected))
    )


def render_report(snapshot: Path | None = None, out: Path | None = None, lang: str = "nl") -> Path:
    """Render the report from the published snapshot into one HTML file."""
    snapshot = snapshot or paths.warehouse_dir() / "published.duckdb"
    out = out or paths.warehouse_dir() / "report.html"
    page = render_html(snapshot).replace('data-default-lang="nl"', f'data-default-lang="{lang}"')
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
