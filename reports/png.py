"""The report's bar charts as PNG, for the DOCX: Word cannot take the PDF's SVG (python-docx embeds
raster images only), so the same layout as svg.py is drawn with Pillow, at twice its size so it
prints sharp at the page's width."""

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import svg

SCALE = 2
# The PDF's face, which has every Kazakh letter; where it is not installed, Pillow's own.
FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
]
ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@cache
def _font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size * SCALE)
    return ImageFont.load_default(size * SCALE)


def bar_chart_png(**options) -> bytes:
    """svg.layout(**options) drawn as a PNG image."""
    chart = svg.layout(**options)
    image = Image.new("RGB", (chart.width * SCALE, chart.height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    for shape in chart.shapes:
        kind = shape[0]
        if kind == "rect":
            _kind, x, y, w, h, colour = shape
            if w > 0:
                draw.rectangle([x * SCALE, y * SCALE, (x + w) * SCALE - 1, (y + h) * SCALE - 1], fill=colour)
        elif kind == "line":
            _kind, x1, y1, x2, y2, colour = shape
            draw.line([x1 * SCALE, y1 * SCALE, x2 * SCALE, y2 * SCALE], fill=colour, width=SCALE)
        else:
            _kind, x, y, text, anchor, size = shape
            draw.text((x * SCALE, y * SCALE), text, fill="black", font=_font(size), anchor=ANCHORS[anchor])
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
