"""The report in a real headless browser (Debian's chromium): the page loads without console
errors, every chart renders (laid-out SVG marks), the language switch works, and a screenshot
is taken (kept next to the report).

Chromium comes from scripts/install_chromium.sh (run by `make test`); the test skips, saying
why, only when no chromium is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from publish_support import Built, built_warehouse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on this machine: run scripts/install_chromium.sh (needs root + apt-get)",
)
FLAGS = [
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


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run(
        [*cmd, *args, url], capture_output=True, text=True, timeout=120, check=False
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built: Built = built_warehouse(tmp_path_factory)
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
    expected = int(attrs["data-charts-expected"])
    assert expected >= 1
    assert attrs["data-charts-rendered"] == str(expected)
    h1 = re.search(r"<h1[^>]*>([^<]*)</h1>", dom)
    assert h1 and h1.group(1).startswith(title)


def test_screenshot(report: Path, tmp_path: Path) -> None:
    shot = report.with_name("report.png")
    shot.unlink(missing_ok=True)
    proc = chromium(
        report.as_uri(),
        tmp_path / "profile",
        "--window-size=1100,2400",
        f"--screenshot={shot}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a page of charts, not a blank one


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
