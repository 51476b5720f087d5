"""Inline SVG charts (no library, nothing fetched at view time).

Every text carries its three translations as data-nl / data-fr / data-en attributes; the page's
script swaps them. A chart is an <svg class="chart"> whose data marks have class "mark".
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from elp_warehouse.report.i18n import LANGS, Text, number

PALETTE = ["#1b6ca8", "#e07b39", "#3a9e6f", "#b8405e", "#7d5ba6", "#c9a227", "#4f8f8f", "#8c564b"]


def t(label: Text, tag: str = "span", **attrs: str | float) -> str:
    """An element whose text follows the language switch."""
    data = " ".join(f'data-{lang}="{html.escape(label[lang])}"' for lang in LANGS)
    extra = " ".join(f'{k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f"<{tag} {data} {extra}>{html.escape(label['nl'])}</{tag}>"


@dataclass
class Bar:
    label: Text
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass
class Series:
    label: Text
    values: list[float | None]


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exp = float(10.0 ** math.floor(math.log10(value)))
    for step in (1.0, 2.0, 4.0, 6.0, 8.0, 10.0):  # quarters of these are round numbers
        if step * exp >= value:
            return step * exp
    return 10.0 * exp


def bar_chart(chart_id: str, bars: Sequence[Bar], kind: str = "rate", width: int = 760) -> str:
    """Horizontal bars with optional 95 % intervals; suppressed bars are marked as such."""
    row, left, right = 24, 330, 90
    height = row * len(bars) + 30
    top = max([b.high or b.value or 0.0 for b in bars if b.value is not None] or [1.0])
    vmax = _nice_max(top)
    plot = width - left - right

    def x(v: float) -> float:
        return left + plot * max(v, 0.0) / vmax

    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(5):
        gx = left + plot * i / 4
        parts.append(f'<line x1="{gx:.1f}" y1="4" x2="{gx:.1f}" y2="{height - 22}" class="grid"/>')
        parts.append(
            t(
                number(vmax * i / 4, kind),
                "text",
                x=f"{gx:.1f}",
                y=height - 6,
                class_="axis",
                text_anchor="middle",
            )
        )
    for i, bar in enumerate(bars):
        y = 6 + i * row
        parts.append(
            t(bar.label, "text", x=left - 8, y=y + row * 0.6, class_="label", text_anchor="end")
        )
        if bar.value is None:
            parts.append(
                f'<rect class="mark suppressed" x="{left}" y="{y + 3}" width="{plot * 0.15:.1f}" '
                f'height="{row - 8}"/>'
            )
            parts.append(
                t(number(None), "text", x=left + plot * 0.15 + 6, y=y + row * 0.6, class_="value")
            )
            continue
        color = PALETTE[0]
        parts.append(
            f'<rect class="mark" x="{left}" y="{y + 3}" width="{x(bar.value) - left:.1f}" '
            f'height="{row - 8}" fill="{color}"/>'
        )
        if bar.low is not None and bar.high is not None:
            cy = y + row / 2 - 1
            parts.append(
                f'<line class="ci" x1="{x(bar.low):.1f}" y1="{cy}" x2="{x(bar.high):.1f}" '
                f'y2="{cy}"/>'
            )
        end = max(x(bar.value), x(bar.high) if bar.high is not None else 0.0)
        parts.append(
            t(number(bar.value, kind), "text", x=f"{end + 6:.1f}", y=y + row * 0.6, class_="value")
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    chart_id: str,
    xs: Sequence[int],
    series: Sequence[Series],
    kind: str = "rate",
    width: int = 640,
    height: int = 300,
) -> str:
    """Lines over years; a suppressed (null) point breaks the line."""
    left, right, top, bottom = 70, 20, 12, 30
    values = [v for s in series for v in s.values if v is not None]
    vmax = _nice_max(max(values) if values else 1.0)
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(len(xs) - 1, 1)

    def px(i: int) -> float:
        return left + plot_w * i / span

    def py(v: float) -> float:
        return top + plot_h * (1 - v / vmax)

    legend_h = 20 * len(series)
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}" role="img" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(5):
        v = vmax * i / 4
        parts.append(
            f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" '
            'class="grid"/>'
        )
        parts.append(
            t(
                number(v, kind),
                "text",
                x=left - 6,
                y=f"{py(v) + 4:.1f}",
                class_="axis",
                text_anchor="end",
            )
        )
    step = max(1, math.ceil(len(xs) / 12))
    for i, year in enumerate(xs):
        if i % step == 0 or i == len(xs) - 1:
            parts.append(
                f'<text x="{px(i):.1f}" y="{height - 10}" class="axis" '
                f'text-anchor="middle">{year}</text>'
            )
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        segments: list[list[str]] = [[]]
        for i, point in enumerate(s.values):
            if point is None:
                segments.append([])
                continue
            segments[-1].append(f"{px(i):.1f},{py(point):.1f}")
            parts.append(
                f'<circle class="mark" cx="{px(i):.1f}" cy="{py(point):.1f}" r="3" '
                f'fill="{color}"><title>{xs[i]}: {html.escape(number(point, kind)["en"])}'
                "</title></circle>"
            )
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" '
                    'stroke-width="2"/>'
                )
        ly = height + 14 + 20 * n
        parts.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(t(s.label, "text", x=left + 18, y=ly + 1, class_="legend"))
    parts.append("</svg>")
    return "".join(parts)
