"""The report in a real headless browser (Debian's chromium), in nl, fr and en: the page loads
without console errors, every figure and table of the study is laid out (SVG marks and table
rows with a nonzero size), no chart text reaches outside its chart on the left or right (a cut
label), a full-page screenshot per language and the PDF per language are kept as test artifacts
(warehouse/test-artifacts/, git-ignored; ELP_TEST_ARTIFACTS moves it; the path is printed), and
the PDF has at least a page per two figures.

Chromium comes from scripts/install_chromium.sh (run by `make test`); the test skips, saying
why, only when no chromium is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.report import FIGURES
from elp_warehouse.report.render import CHROMIUM_FLAGS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on this machine: run scripts/install_chromium.sh (needs root + apt-get)",
)


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr"]
    cmd.append("--v=0")
    return subprocess.run(
        [*cmd, *args, url], capture_output=True, text=True, timeout=120, check=False
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


ARTIFACTS = Path(
    os.environ.get(
        "ELP_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "warehouse" / "test-artifacts"
    )
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def report(built: Built) -> Path:
    out = built.warehouse_dir / "report.html"
    proc = built.elp("report", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("nl", "Eerstelijns psychologische zorg"),
        ("fr", "Soins psychologiques de première ligne"),
        ("en", "Primary-care psychology convention"),
    ],
)
def test_page_loads_and_every_chart_renders(
    report: Path, tmp_path: Path, lang: str, title: str
) -> None:
    proc = chromium(f"{report.as_uri()}#{lang}", tmp_path / "profile", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert console_messages(proc.stderr) == []
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', body.group(0)))
    assert attrs["data-js-errors"] == "0"
    assert attrs["data-lang"] == lang
    # the demo build publishes every mart: every figure and table is drawn and laid out
    assert attrs["data-charts-expected"] == str(len(FIGURES))
    assert attrs["data-charts-rendered"] == str(len(FIGURES))
    assert attrs["data-text-overflow"] == "0", attrs["data-overflowing"]
    for fig in FIGURES:
        assert f'id="fig-{fig.key}" data-status="rendered"' in dom, fig.key
    h1 = re.search(r"<h1[^>]*>([^<]*)</h1>", dom)
    assert h1 and h1.group(1).startswith(title)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_screenshot(report: Path, tmp_path: Path, lang: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report.{lang}.png"
    shot.unlink(missing_ok=True)
    proc = chromium(
        f"{report.as_uri()}#{lang}",
        tmp_path / "profile",
        "--window-size=1100,26000",  # the whole page (~23,600 px with the current-year panel)
        f"--screenshot={shot}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 200_000  # a page of charts and tables, not a blank one
    print(f"screenshot ({lang}): {shot}")


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_pdf(built: Built, lang: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"report.{lang}.pdf"
    pdf.unlink(missing_ok=True)
    proc = built.elp("report", "--pdf", "--lang", lang, "--out", str(pdf))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    # the print stylesheet starts each figure or table on a page of its own
    assert pages >= len(FIGURES), pages
    print(f"PDF ({lang}): {pdf}, {pages} pages")


def test_the_check_catches_a_broken_page(tmp_path: Path) -> None:
    """Negative control: a script error shows up both on the page and in the console."""
    page = tmp_path / "broken.html"
    template = (
        Path(__file__).resolve().parents[2] / "src/elp_warehouse/report/template.html"
    ).read_text()
    page.write_text(
        template.replace("{{HEADER}}", "<h1>x</h1>")
        .replace("{{FIGURES}}", "<script>undefined_function();</script>")
        .replace("{{EXPECTED}}", "1")
    )
    proc = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert any("undefined_function" in m for m in console_messages(proc.stderr))
    assert 'data-js-errors="1"' in proc.stdout
    assert 'data-charts-rendered="0"' in proc.stdout


def test_the_check_catches_a_cut_label(tmp_path: Path) -> None:
    """Negative control: a chart label reaching left of its SVG is counted as overflowing."""
    page = tmp_path / "cut.html"
    template = (
        Path(__file__).resolve().parents[2] / "src/elp_warehouse/report/template.html"
    ).read_text()
    section = (
        '<section class="figure" id="fig-x" data-status="rendered"><svg class="chart" id="c" '
        'viewBox="0 0 200 40" width="200" height="40"><rect class="mark" x="0" y="0" '
        'width="50" height="20"/><text x="20" y="30" text-anchor="end">a long label cut at the '
        "left</text></svg></section>"
    )
    page.write_text(
        template.replace("{{HEADER}}", "<h1>x</h1>")
        .replace("{{FIGURES}}", section)
        .replace("{{EXPECTED}}", "1")
        .replace("{{MISSING_LABELS}}", "")
    )
    proc = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert 'data-text-overflow="1"' in proc.stdout
    assert "c: a long label cut at the left" in proc.stdout
