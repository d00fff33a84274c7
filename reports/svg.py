"""Small SVG bar charts for the PDF: vector, so they print sharp, and drawn with the report's own font."""

from html import escape

PALETTE = ["#0b4f8a", "#e07b00", "#2e7d32", "#8e24aa", "#c62828", "#00838f"]
FONT = "DejaVu Sans, sans-serif"


def bar_chart(
    *,
    labels: list[str],
    series: list[tuple[str, list]],
    max_value: float | None = None,
    unit: str = "",
    width: int = 680,
) -> str:
    """Horizontal grouped bars: one group per label, one bar per series; None is drawn as no bar."""
    label_w, bar_h, gap, legend_h = 190, 9, 8, 22
    group_h = bar_h * len(series) + gap
    height = legend_h + group_h * len(labels) + 24
    values = [v for _name, data in series for v in data if v is not None]
    top = max_value or (max(values) if values else 1) or 1
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9">'
    ]
    x = label_w
    for index, (name, _data) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(str(name))}</text>')
        x += 20 + 6 * len(str(name))
    for tick in range(0, 5):
        tx = label_w + plot_w * tick / 4
        parts.append(f'<line x1="{tx:.1f}" y1="{legend_h}" x2="{tx:.1f}" y2="{height - 18}" stroke="#dddddd"/>')
        parts.append(f'<text x="{tx:.1f}" y="{height - 6}" text-anchor="middle">{_fmt(top * tick / 4)}{unit}</text>')
    for row, label in enumerate(labels):
        y0 = legend_h + row * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + group_h / 2:.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(str(label)[:34])}</text>"
        )
        for index, (_name, data) in enumerate(series):
            value = data[row]
            if value is None:
                continue
            w = plot_w * float(value) / float(top)
            y = y0 + index * bar_h
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 0):.1f}" height="{bar_h - 1}" fill="{colour}"/>')
            parts.append(f'<text x="{label_w + w + 3:.1f}" y="{y + bar_h - 2}" font-size="7">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value) -> str:
    value = float(value)
    return (
        f"{value:,.0f}".replace(",", " ") if value >= 100 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )
