"""Inline SVG charts and HTML tables (no library, nothing fetched at view time).

Every text carries its three translations as data-nl / data-fr / data-en attributes; the page's
script swaps them. A chart is an <svg class="chart"> whose data marks have class "mark"; a table
is a <table class="data">. Label room is computed from the longest label in any language, so no
label is cut whatever the language shown.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from elp_warehouse.report.i18n import LANGS, Text, number, text

PALETTE = ["#1b6ca8", "#e07b39", "#3a9e6f", "#b8405e", "#7d5ba6", "#c9a227", "#4f8f8f", "#8c564b"]
CHAR_W = 6.7  # px per character of the 11px chart font (DejaVu Sans averages ~6.4), with margin


def t(label: Text, tag: str = "span", **attrs: str | float) -> str:
    """An element whose text follows the language switch."""
    data = " ".join(f'data-{lang}="{html.escape(label[lang])}"' for lang in LANGS)
    extra = " ".join(f'{k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f"<{tag} {data} {extra}>{html.escape(label['nl'])}</{tag}>"


def _text_width(labels: Sequence[Text]) -> float:
    return max((len(label[lang]) for label in labels for lang in LANGS), default=0) * CHAR_W


@dataclass
class Bar:
    """A bar with its optional 95 % interval; `part`, when given, is drawn darker inside the
    bar from zero (a share of the whole already reached, e.g. spending to date)."""

    label: Text
    value: float | None
    low: float | None = None
    high: float | None = None
    part: float | None = None


@dataclass
class Series:
    label: Text
    values: list[float | None]
    lows: list[float | None] = field(default_factory=list)
    highs: list[float | None] = field(default_factory=list)


@dataclass
class Box:
    """One row of a distribution chart: quartiles, P95 and the mean with its interval."""

    label: Text
    p25: float | None
    median: float | None
    p75: float | None
    p95: float | None
    mean: float | None
    mean_low: float | None
    mean_high: float | None


def nice_axis(top: float, ticks: int = 5) -> tuple[float, float]:
    """(axis maximum, tick step): a round step (1, 2, 2.5 or 5 x 10^k) giving at most `ticks`
    intervals, and the first multiple of it at or above the data's maximum, so the axis ends
    just above the data (11 % gives 12.5 %, not 20 %)."""
    if top <= 0 or not math.isfinite(top):
        return 1.0, 0.25
    raw = top / ticks
    exp = 10.0 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * exp >= raw * (1 - 1e-9))
    return math.ceil(top / step - 1e-9) * step, step


def _tick_decimals(step: float, kind: str) -> int:
    scaled = step * 100 if kind == "rate" else step
    for decimals in range(4):
        if abs(round(scaled, decimals) - scaled) < 1e-9:
            return decimals
    return 3


def _top(values: Sequence[float | None]) -> float:
    return max([v for v in values if v is not None] or [1.0])


def _x_axis(
    left: float, plot: float, height: int, vmax: float, step: float, kind: str, decimals: int
) -> list[str]:
    """Vertical grid lines and tick labels of a horizontal chart's value axis, 0 to vmax."""
    parts = []
    n_ticks = round(vmax / step)
    for i in range(n_ticks + 1):
        gx = left + plot * i / n_ticks
        parts.append(f'<line x1="{gx:.1f}" y1="4" x2="{gx:.1f}" y2="{height - 22}" class="grid"/>')
        parts.append(
            t(
                number(step * i, kind, decimals),
                "text",
                x=f"{gx:.1f}",
                y=height - 6,
                class_="axis",
                text_anchor="middle",
            )
        )
    return parts


def _legend(x0: float, y: float, items: Sequence[tuple[Text, str]], width: float) -> list[str]:
    """Colour swatches with their labels, wrapped to rows within `width`."""
    item_w = _text_width([label for label, _ in items]) + 40
    per_row = max(1, int(width // item_w))
    parts = []
    for n, (label, css) in enumerate(items):
        lx = x0 + (n % per_row) * item_w
        ly = y + 20 * (n // per_row)
        parts.append(
            f'<rect class="swatch {css}" x="{lx:.1f}" y="{ly - 9}" width="12" height="12"/>'
        )
        parts.append(t(label, "text", x=f"{lx + 18:.1f}", y=ly + 1, class_="legend"))
    return parts


def _legend_height(items: Sequence[tuple[Text, str]], width: float) -> int:
    if not items:
        return 0
    per_row = max(1, int(width // (_text_width([label for label, _ in items]) + 40)))
    return 20 * math.ceil(len(items) / per_row) + 8


def bar_chart(
    chart_id: str,
    bars: Sequence[Bar],
    kind: str = "rate",
    plot: int = 400,
    ref: float | None = None,
    legend: Sequence[tuple[Text, str]] = (),
) -> str:
    """Horizontal bars with optional 95 % intervals; suppressed bars are marked as such.
    `ref` draws a dashed reference line at that value (100 % of a budget); `legend` is a list
    of (label, css class) swatches under the chart ("whole" for a bar that has a part, "part" for
    the part)."""
    row, right = 24, 80
    left = int(_text_width([b.label for b in bars]) + 16)
    width = left + plot + right
    height = row * len(bars) + 30
    legend_h = _legend_height(legend, width - left)
    tops = [b.high if b.high is not None else b.value for b in bars]
    vmax, step = nice_axis(_top([*tops, ref]))
    decimals = _tick_decimals(step, kind)

    def x(v: float) -> float:
        return left + plot * max(v, 0.0) / vmax

    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}" role="img" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    parts += _x_axis(left, plot, height, vmax, step, kind, decimals)
    if ref is not None:  # under the bars and their values, which stay readable across it
        parts.append(
            f'<line class="ref" x1="{x(ref):.1f}" y1="2" x2="{x(ref):.1f}" y2="{height - 22}"/>'
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
        whole = " whole" if bar.part is not None else ""
        parts.append(
            f'<rect class="mark{whole}" x="{left}" y="{y + 3}" width="{x(bar.value) - left:.1f}" '
            f'height="{row - 8}" fill="{PALETTE[0]}"/>'
        )
        if bar.part is not None:
            parts.append(
                f'<rect class="part" x="{left}" y="{y + 3}" '
                f'width="{x(min(bar.part, bar.value)) - left:.1f}" height="{row - 8}"/>'
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
    parts += _legend(left, height + 14, legend, width - left)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    chart_id: str,
    xs: Sequence[int | str],
    series: Sequence[Series],
    kind: str = "rate",
    width: int = 680,
    height: int = 300,
    ref: float | None = None,
    floor: float = 0.0,
) -> str:
    """Lines over years (or months, or horizons) with their 95 % intervals as shaded bands; a
    suppressed (null) point breaks the line and its band. `ref` draws a dashed horizontal
    reference line at that value (a target). The value axis starts at `floor` when every value
    and band is at or above it (coverages near their 95 % target), else at 0."""
    left, right, top, bottom = 64, 24, 12, 30
    values = [v for s in series for v in (*s.values, *s.highs) if v is not None]
    if ref is not None:
        values.append(ref)
    bottoms = [v for s in series for v in (*s.values, *s.lows) if v is not None]
    base = floor if bottoms and min(bottoms) >= floor else 0.0
    span_v, step = nice_axis((max(values) if values else 1.0) - base)
    decimals = _tick_decimals(step, kind)
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(len(xs) - 1, 1)

    def px(i: int) -> float:
        return left + plot_w * i / span

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - base) / span_v)

    legend_w = _text_width([s.label for s in series]) + 40
    per_row = max(1, int((width - left) // legend_w))
    legend_h = 20 * math.ceil(len(series) / per_row) + 8
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}" role="img" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    n_ticks = round(span_v / step)
    for i in range(n_ticks + 1):
        v = base + step * i
        parts.append(
            f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" '
            'class="grid"/>'
        )
        parts.append(
            t(
                number(v, kind, decimals),
                "text",
                x=left - 6,
                y=f"{py(v) + 4:.1f}",
                class_="axis",
                text_anchor="end",
            )
        )
    step_x = max(1, math.ceil(len(xs) / 12))
    for i, year in enumerate(xs):
        if i % step_x == 0 or i == len(xs) - 1:
            parts.append(
                f'<text x="{px(i):.1f}" y="{height - 10}" class="axis" '
                f'text-anchor="middle">{year}</text>'
            )
    if ref is not None:
        parts.append(
            f'<line class="ref" x1="{left}" y1="{py(ref):.1f}" x2="{width - right}" '
            f'y2="{py(ref):.1f}"/>'
        )
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        lows = s.lows or [None] * len(s.values)
        highs = s.highs or [None] * len(s.values)
        segments: list[list[int]] = [[]]
        for i, point in enumerate(s.values):
            if point is None:
                segments.append([])
            else:
                segments[-1].append(i)
        for seg in segments:
            banded = [i for i in seg if lows[i] is not None and highs[i] is not None]
            if len(banded) > 1:
                upper = [f"{px(i):.1f},{py(highs[i] or 0.0):.1f}" for i in banded]
                lower = [f"{px(i):.1f},{py(lows[i] or 0.0):.1f}" for i in reversed(banded)]
                parts.append(
                    f'<polygon class="band" points="{" ".join(upper + lower)}" fill="{color}"/>'
                )
            if len(seg) > 1:
                points = " ".join(f"{px(i):.1f},{py(s.values[i] or 0.0):.1f}" for i in seg)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'
                )
        for i, point in enumerate(s.values):
            if point is None:
                parts.append(
                    f'<circle class="mark suppressed" cx="{px(i):.1f}" cy="{py(base):.1f}" r="3">'
                    f"<title>{xs[i]}: {html.escape(text('suppressed')['en'])}</title></circle>"
                )
                continue
            parts.append(
                f'<circle class="mark" cx="{px(i):.1f}" cy="{py(point):.1f}" r="3" '
                f'fill="{color}"><title>{xs[i]}: {html.escape(number(point, kind)["en"])}'
                "</title></circle>"
            )
        lx = left + (n % per_row) * legend_w
        ly = height + 14 + 20 * (n // per_row)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(t(s.label, "text", x=f"{lx + 18:.1f}", y=ly + 1, class_="legend"))
    parts.append("</svg>")
    return "".join(parts)


def box_chart(chart_id: str, boxes: Sequence[Box], plot: int = 420) -> str:
    """Distributions side by side: a box from P25 to P75 with the median, a whisker to P95,
    and the mean as a dot with its 95 % interval. A suppressed row is marked as such."""
    row, right = 30, 30
    left = int(_text_width([b.label for b in boxes]) + 16)
    width = left + plot + right
    legend_h = 26
    height = row * len(boxes) + 30
    top = _top([v for b in boxes for v in (b.p95, b.mean_high, b.mean)])
    vmax, step = nice_axis(top)
    decimals = _tick_decimals(step, "decimal")

    def x(v: float) -> float:
        return left + plot * max(v, 0.0) / vmax

    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}" role="img" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    parts += _x_axis(left, plot, height, vmax, step, "decimal", decimals)
    for i, b in enumerate(boxes):
        y = 6 + i * row
        cy = y + row / 2
        parts.append(t(b.label, "text", x=left - 8, y=cy + 4, class_="label", text_anchor="end"))
        if b.p25 is None or b.median is None or b.p75 is None:
            parts.append(
                f'<rect class="mark suppressed" x="{left}" y="{y + 5}" width="{plot * 0.15:.1f}" '
                f'height="{row - 10}"/>'
            )
            parts.append(
                t(number(None), "text", x=left + plot * 0.15 + 6, y=cy + 4, class_="value")
            )
            continue
        if b.p95 is not None:
            parts.append(
                f'<line class="whisker" x1="{x(b.p75):.1f}" y1="{cy}" x2="{x(b.p95):.1f}" '
                f'y2="{cy}"/><line class="whisker" x1="{x(b.p95):.1f}" y1="{cy - 5}" '
                f'x2="{x(b.p95):.1f}" y2="{cy + 5}"/>'
            )
        parts.append(
            f'<rect class="mark box" x="{x(b.p25):.1f}" y="{y + 5}" '
            f'width="{x(b.p75) - x(b.p25):.1f}" height="{row - 10}"/>'
            f'<line class="median" x1="{x(b.median):.1f}" y1="{y + 5}" x2="{x(b.median):.1f}" '
            f'y2="{y + row - 5}"/>'
        )
        if b.mean is not None:
            if b.mean_low is not None and b.mean_high is not None:
                parts.append(
                    f'<line class="ci" x1="{x(b.mean_low):.1f}" y1="{cy}" '
                    f'x2="{x(b.mean_high):.1f}" y2="{cy}"/>'
                )
            parts.append(
                f'<circle class="mean" cx="{x(b.mean):.1f}" cy="{cy}" r="4">'
                f"<title>{html.escape(number(b.mean, 'decimal')['en'])}</title></circle>"
            )
    ly = height + 12
    parts.append(
        f'<rect class="box" x="{left}" y="{ly - 8}" width="18" height="10"/>'
        + t(text("legend_box"), "text", x=left + 24, y=ly + 1, class_="legend")
        + f'<circle class="mean" cx="{left + 250}" cy="{ly - 3}" r="4"/>'
        + t(text("legend_mean"), "text", x=left + 260, y=ly + 1, class_="legend")
    )
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Cell:
    """A table cell: a value (count, rate or decimal) with its optional 95 % interval, or a
    label; `suppressed` draws the suppression mark instead of the value."""

    value: float | None = None
    kind: str = "count"
    low: float | None = None
    high: float | None = None
    label: Text | None = None
    suppressed: bool = False


def table(table_id: str, head: Sequence[Text], rows: Sequence[Sequence[Cell]]) -> str:
    """An HTML table; estimates show their interval underneath, suppressed cells are marked."""
    parts = [f'<div class="table-wrap"><table class="data" id="{table_id}"><thead><tr>']
    parts += [t(h, "th", scope="col") for h in head]
    parts.append("</tr></thead><tbody>")
    for cells in rows:
        parts.append("<tr>")
        for i, c in enumerate(cells):
            if c.label is not None:
                tag = "th" if i == 0 else "td"
                parts.append(t(c.label, tag, class_="lab", **({"scope": "row"} if i == 0 else {})))
            elif c.suppressed or c.value is None:
                parts.append(f'<td class="num suppressed">{t(text("suppressed"))}</td>')
            else:
                interval = ""
                if c.low is not None and c.high is not None:
                    low, high = number(c.low, c.kind), number(c.high, c.kind)
                    ci = {lang: f"{low[lang]} \u2013 {high[lang]}" for lang in LANGS}
                    interval = t(ci, "span", class_="ci")
                parts.append(f'<td class="num">{t(number(c.value, c.kind))}{interval}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)
