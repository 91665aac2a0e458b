"""A small SVG line chart, so benchmark reports can be looked at and not only read.

No plotting library: the development tools stay light, and an SVG opens in any browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

Point = tuple[float, float]
COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
)  # fmt: skip
WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 48, 80  # margins; the legend sits below the x axis
TICKS = 5


def nice_step(span: float, ticks: int = TICKS) -> float:
    """A round step (1, 2 or 5 × 10^n) that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)


def _ticks(upper: float) -> list[float]:
    step = nice_step(upper)
    return [i * step for i in range(int(upper / step) + 1)]


def _label(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value:,.0f}"


def line_chart(
    series: Mapping[str, Sequence[Point]], *, title: str, x_label: str, y_label: str
) -> str:
    """Lines from (0, 0) upwards; each series is drawn as given, in its own colour."""
    points = [p for line in series.values() for p in line]
    x_max = max((x for x, _ in points), default=1.0) or 1.0
    y_max = max((y for _, y in points), default=1.0) or 1.0
    x_top, y_top = _ticks(x_max)[-1], _ticks(y_max)[-1]
    x_top = x_top if x_top >= x_max else x_top + nice_step(x_max)
    y_top = y_top if y_top >= y_max else y_top + nice_step(y_max)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> str:
        return f"{LEFT + x / x_top * plot_w:.1f},{TOP + plot_h - y / y_top * plot_h:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for x in _ticks(x_top):
        x_pos = at(x, 0).split(",")[0]
        parts.append(
            f'<line x1="{x_pos}" y1="{TOP}" x2="{x_pos}" y2="{TOP + plot_h}" stroke="#eee"/>'
            f'<text x="{x_pos}" y="{TOP + plot_h + 16}" text-anchor="middle">{_label(x)}</text>'
        )
    for y in _ticks(y_top):
        y_pos = at(0, y).split(",")[1]
        parts.append(
            f'<line x1="{LEFT}" y1="{y_pos}" x2="{LEFT + plot_w}" y2="{y_pos}" stroke="#eee"/>'
            f'<text x="{LEFT - 6}" y="{y_pos}" text-anchor="end" dy="4">{_label(y)}</text>'
        )
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#888"/>'
        f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 36}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    legend_x = LEFT
    for i, (name, line) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        drawn = " ".join(at(x, y) for x, y in line)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{drawn}">'
            f"<title>{escape(name)}</title></polyline>"
            f'<rect x="{legend_x}" y="{HEIGHT - 18}" width="14" height="3" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="{HEIGHT - 13}">{escape(name)}</text>'
        )
        legend_x += 40 + 7 * len(name)  # about one average glyph width per character
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def stacked(charts: Sequence[str]) -> str:
    """Charts made by `line_chart`, one below the other in one SVG."""
    inner = [chart.replace("<svg ", f'<svg y="{i * HEIGHT}" ', 1) for i, chart in enumerate(charts)]
    total = HEIGHT * len(charts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" '
        f'viewBox="0 0 {WIDTH} {total}">\n' + "".join(inner) + "</svg>\n"
    )
