"""The HTML page: one section per figure or table (or a "not available" panel), the header,
the file; and the PDF printed from it by headless Chromium."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb

from elp_warehouse import paths
from elp_warehouse.report.charts import t
from elp_warehouse.report.figures import FIGURES, Figure, span
from elp_warehouse.report.i18n import LANGS, Text, text
from elp_warehouse.report.snapshot import NotAvailableError, Snapshot


class ChromiumError(Exception):
    """No Chromium to print the PDF with, or Chromium failed; the message says what to do."""


def _heading(fig: Figure) -> Text:
    return {lang: f"{fig.ref[lang]} · {fig.title[lang]}" for lang in LANGS}


def _panel(fig: Figure, s: Snapshot, k: int | None) -> tuple[str, bool]:
    try:
        drawn = fig.draw(s)
        body = t(drawn.caption, "p", class_="caption") + "".join(drawn.body)
        ok, status = True, "rendered"
    except NotAvailableError as exc:
        reason = str(exc)
        if reason.startswith("missing:"):
            msg = text("missing_mart", mart=fig.mart)
        else:
            msg = text("missing_data", mart=fig.mart, why=reason)
        body = f'<div class="not-available">{t(text("not_available"), "strong")} {t(msg)}</div>'
        ok, status = False, "not-available"
    method = text(fig.method, k=k if k is not None else "?")
    notes = (
        f'<p class="method">{t(text("method"), "strong")}: {t(method)}</p>'
        f'<p class="source">{t(text("source"))}: <code>marts.{html.escape(fig.mart)}</code> · '
        f"{t(text('analysis'))} <code>analyses/{html.escape(fig.analysis)}.sql</code></p>"
    )
    return (
        f'<section class="figure" id="fig-{fig.key}" data-status="{status}" '
        f'data-kind="{fig.kind}" data-mart="{fig.mart}" data-analysis="{fig.analysis}">'
        f"{t(_heading(fig), 'h2')}{body}{notes}</section>",
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


def _contents() -> str:
    items = "".join(f'<li><a href="#fig-{fig.key}">{t(_heading(fig))}</a></li>' for fig in FIGURES)
    return f'<nav class="toc">{t(text("contents"), "h2")}<ol>{items}</ol></nav>'


def render_html(snapshot: Path) -> str:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        s = Snapshot(con)
        title, years = _title(s)
        meta = con.execute(
            "select snapshot_version, published_at, min_cell_size from meta.snapshot"
        )
        version, published_at, k = meta.fetchall()[0]
        panels = [_panel(fig, s, k) for fig in FIGURES]
        missing = sorted(f"{dim}:{cat}" for dim, cat in s.missing)
    finally:
        con.close()
    template = (Path(__file__).parent / "template.html").read_text()
    header = (
        f"{t(title, 'h1')}{t(text('subtitle'), 'p', class_='subtitle')}"
        f'<p class="meta">{t(text("snapshot"))}: <code>{html.escape(str(version))}</code> '
        f"({html.escape(str(published_at))[:19]} UTC). {t(text('min_cell', k=k))}</p>"
        f"{_contents()}"
    )
    expected = sum(1 for _, ok in panels if ok)
    return (
        template.replace("{{PAGE_TITLE}}", html.escape(f"ELP {years}".strip()))
        .replace("{{HEADER}}", header)
        .replace("{{FIGURES}}", "".join(p for p, _ in panels))
        .replace("{{EXPECTED}}", json.dumps(expected))
        .replace("{{MISSING_LABELS}}", html.escape(" ".join(missing)))
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


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def find_chromium() -> str:
    """Chromium's path; a clear error naming the install script when there is none."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumError(
        "no chromium on the PATH to print the PDF with: install it with "
        "scripts/install_chromium.sh (needs root and apt-get), or open the HTML report in a "
        "browser and print it"
    )


def print_pdf(html_file: Path, pdf: Path, lang: str, chromium: str | None = None) -> Path:
    """Print the HTML report in language `lang` to `pdf` with headless Chromium (the page's
    print stylesheet: figures unbroken, no language buttons)."""
    browser = chromium or find_chromium()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_name(pdf.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="elp-chromium-") as profile:
        proc = subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={tmp}",
                f"{html_file.resolve().as_uri()}#{lang}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise ChromiumError(
            f"{browser} could not print {html_file} to PDF (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-800:]}"
        )
    tmp.replace(pdf)
    return pdf
