"""Small bar charts: laid out once (layout), written here as SVG for the PDF, vector, so they print
sharp, and drawn with the report's own font; png.py draws the same layout for the DOCX.

Each chart carries a viewBox, so the page's CSS scales it to the column it stands in; a chart with
many groups is split (bar_charts) rather than shrunk until nobody can read it."""

import math
import textwrap
from dataclasses import dataclass
from html import escape

PALETTE = ["#0b4f8a", "#e07b00", "#2e7d32", "#8e24aa", "#c62828", "#00838f"]
FONT = "DejaVu Sans, sans-serif"
FONT_SIZE = 9
# DejaVu Sans is a wide face: at 9 px its Latin and Cyrillic letters average under 5.6 px.
CHAR_W = 5.6
LABEL_W, BAR_H, GAP, LINE_H, LEGEND_ROW_H, AXIS_H = 250, 9, 8, 11, 14, 24
# Bars per chart: twenty regions × four series would run off a landscape page.
BARS_PER_CHART = 48


def split(labels: list[str], series: list[tuple[str, list]]) -> list[tuple[list[str], list[tuple[str, list]]]]:
    """(labels, series) of each part: as few as keep each under BARS_PER_CHART bars, of even size."""
    per_chart = max(1, BARS_PER_CHART // max(1, len(series)))
    parts = max(1, math.ceil(len(labels) / per_chart))
    size = math.ceil(len(labels) / parts) if labels else 1
    return [
        (labels[i : i + size], [(name, data[i : i + size]) for name, data in series])
        for i in range(0, max(len(labels), 1), size)
    ]


def bar_charts(*, labels: list[str], series: list[tuple[str, list]], **options) -> list[str]:
    """bar_chart split into as few charts as keep each under BARS_PER_CHART bars, of even size."""
    return [bar_chart(labels=part, series=data, **options) for part, data in split(labels, series)]


@dataclass
class Layout:
    """A chart's shapes in its own pixels, for any renderer (this SVG, the DOCX's PNG):
    ("rect", x, y, w, h, colour), ("line", x1, y1, x2, y2, colour), ("text", x, y, text, anchor, size)
    with y of a text at its baseline and anchor "start", "middle" or "end"."""

    width: int
    height: int
    shapes: list[tuple]


def layout(
    *,
    labels: list[str],
    series: list[tuple[str, list]],
    max_value: float | None = None,
    unit: str = "",
    width: int = 720,
) -> Layout:
    """Horizontal grouped bars: one group per label, one bar per series; None is drawn as no bar.

    `unit` follows every axis tick and value ("%" on a percent axis)."""
    legend, legend_h = _legend(series, width)
    group_h = max(BAR_H * len(series), 2 * LINE_H) + GAP
    height = legend_h + group_h * len(labels) + AXIS_H
    values = [float(v) for _name, data in series for v in data if v is not None]
    ticks = _ticks(max_value or max(values, default=0))
    top = ticks[-1]
    plot_w = width - LABEL_W - 44  # room for the value written after the longest bar
    suffix = f" {unit}" if unit else ""
    shapes = list(legend)
    for tick in ticks:
        tx = LABEL_W + plot_w * tick / top
        shapes.append(("line", float(tx), legend_h, float(tx), height - 18, "#dddddd"))
        shapes.append(("text", float(tx), height - 6, f"{_fmt(tick)}{suffix}", "middle", FONT_SIZE))
    for row, label in enumerate(labels):
        y0 = legend_h + row * group_h
        shapes.extend(_label(label, centre=y0 + BAR_H * len(series) / 2))
        for index, (_name, data) in enumerate(series):
            value = data[row]
            if value is None:
                continue
            w = max(plot_w * float(value) / top, 0)
            y = y0 + index * BAR_H
            shapes.append(("rect", LABEL_W, y, round(w, 1) * 1.0, BAR_H - 1, PALETTE[index % len(PALETTE)]))
            shapes.append(("text", float(LABEL_W + w + 3), y + BAR_H - 2, f"{_fmt(value)}{suffix}", "start", 7))
    return Layout(width, height, shapes)


def bar_chart(*, title: str = "", **options) -> str:
    """The layout as SVG; `title` is what a screen reader announces."""
    chart = layout(**options)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" height="{chart.height}" '
        f'viewBox="0 0 {chart.width} {chart.height}" font-family="{FONT}" font-size="{FONT_SIZE}" role="img">',
        f"<title>{escape(title)}</title>" if title else "",
    ]
    for shape in chart.shapes:
        parts.append(_svg_shape(shape))
    parts.append("</svg>")
    return "".join(parts)


def _svg_shape(shape: tuple) -> str:
    kind = shape[0]
    if kind == "rect":
        _kind, x, y, w, h, colour = shape
        return f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" fill="{colour}"/>'
    if kind == "line":
        _kind, x1, y1, x2, y2, colour = shape
        return f'<line x1="{x1:.1f}" y1="{_num(y1)}" x2="{x2:.1f}" y2="{_num(y2)}" stroke="{colour}"/>'
    _kind, x, y, text, anchor, size = shape
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    size_attr = "" if size == FONT_SIZE else f' font-size="{size}"'
    return f'<text x="{_num(x)}" y="{_num(y)}"{anchor_attr}{size_attr}>{escape(text)}</text>'


def _num(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _legend(series: list[tuple[str, list]], width: int) -> tuple[list[tuple], int]:
    """Legend items left to right, wrapping onto a new row where the next would pass the right edge."""
    parts, x, y = [], 0.0, 4
    for index, (name, _data) in enumerate(series):
        text = str(name)
        item_w = 14 + CHAR_W * len(text) + 12
        if x and x + item_w > width:
            x, y = 0.0, y + LEGEND_ROW_H
        colour = PALETTE[index % len(PALETTE)]
        parts.append(("rect", x, y, 10, 10, colour))
        parts.append(("text", x + 14, y + 9, text, "start", FONT_SIZE))
        x += item_w
    return parts, y + LEGEND_ROW_H + 4


def _label(label, *, centre: float) -> list[tuple]:
    """A group's label right-aligned before its bars, on up to two lines; only a third line is cut."""
    chars = int((LABEL_W - 8) / CHAR_W)
    lines = textwrap.wrap(str(label), chars) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), chars, placeholder="…")]
    first = centre + 3 - (len(lines) - 1) * LINE_H / 2  # +3: from the text's middle to its baseline
    return [("text", LABEL_W - 6, first + n * LINE_H, line, "end", FONT_SIZE) for n, line in enumerate(lines)]


def _ticks(top: float) -> list[float]:
    """Axis ticks at round numbers (0, 1 000, 2 000 …, or 0, 20 … 100) reaching at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [step * n for n in range(count + 1)]


def _fmt(value) -> str:
    value = float(value)
    return (
        f"{value:,.0f}".replace(",", " ") if value >= 100 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )
