"""One design page drawn as a PNG with Pillow (the preview), from the same operations as the PDF."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .elements import ImageSource
from .layout import build_page, page_entries
from .ops import Box, Op, Oval, Path, Picture, Text

MAX_SIDE = 2000  # pixels on the long side of a preview, whatever the page size and scale
WHITE = (255, 255, 255)
# Characters Pillow's built-in font has no glyph for, drawn as their nearest plain look-alike.
_PLAIN = str.maketrans({"\u2022": "\u00b7", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u20ac": "E"})  # fmt: skip
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=64)
def _font(pixels: int) -> Font:
    return ImageFont.load_default(size=max(1, pixels))


def _draw(canvas: Image.Image, draw: ImageDraw.ImageDraw, op: Op, scale: float) -> None:
    def px(value: float) -> float:
        return value * scale

    def line_px(width: float) -> int:
        return max(1, round(width * scale))

    if isinstance(op, Text):
        font, origin = _font(round(op.size * scale)), (px(op.x), px(op.baseline))
        line = op.text.translate(_PLAIN)
        draw.text(origin, line, fill=op.color, font=font, anchor="ls")
        if op.bold:  # the default font has no bold face: overprint it a little to the right
            draw.text(
                (origin[0] + max(0.6, op.size * scale / 28), origin[1]),
                line,
                fill=op.color,
                font=font,
                anchor="ls",
            )
    elif isinstance(op, Box | Oval):
        corners = (px(op.x), px(op.y), px(op.x) + max(px(op.w), 0.5), px(op.y) + max(px(op.h), 0.5))
        outline = op.stroke if op.line_width > 0 else None
        shape = draw.rectangle if isinstance(op, Box) else draw.ellipse
        shape(corners, fill=op.fill, outline=outline, width=line_px(op.line_width) if outline else 0)
    elif isinstance(op, Path):
        points = [(px(x), px(y)) for x, y in op.points]
        if op.fill is not None and len(points) >= 3:
            draw.polygon(points, fill=op.fill)
        if op.stroke is not None and op.line_width > 0 and len(points) >= 2:
            draw.line(points, fill=op.stroke, width=line_px(op.line_width), joint="curve")
    elif isinstance(op, Picture):
        _paste(canvas, op, scale)


def _paste(canvas: Image.Image, op: Picture, scale: float) -> None:
    """The visible part of the picture (inside its clip and the canvas) resized and pasted, nothing more."""
    left, top, right, bottom = op.x * scale, op.y * scale, (op.x + op.w) * scale, (op.y + op.h) * scale
    vx0, vy0, vx1, vy1 = max(left, 0.0), max(top, 0.0), min(right, canvas.width), min(bottom, canvas.height)
    if op.clip is not None:
        cx, cy, cw, ch = (value * scale for value in op.clip)
        vx0, vy0, vx1, vy1 = max(vx0, cx), max(vy0, cy), min(vx1, cx + cw), min(vy1, cy + ch)
    target = (round(vx1) - round(vx0), round(vy1) - round(vy0))
    if target[0] <= 0 or target[1] <= 0 or right <= left or bottom <= top:
        return
    sx, sy = op.image.width / (right - left), op.image.height / (bottom - top)
    source = ((vx0 - left) * sx, (vy0 - top) * sy, (vx1 - left) * sx, (vy1 - top) * sy)
    part = op.image.resize(target, Image.Resampling.BILINEAR, box=source)
    canvas.paste(part, (round(vx0), round(vy0)), part if part.mode == "RGBA" else None)


def png(
    tree: dict[str, Any], page: int, *, scale: float = 1.0, image: ImageSource = lambda ref: None
) -> bytes:
    """Page `page` (zero-based) of the tree as PNG bytes: points times `scale` pixels (long side capped).

    The page shows its background colour (else white) and the same elements as the PDF.
    Raises IndexError for a page the tree does not have.
    """
    tree = tree if isinstance(tree, dict) else {}
    count = len(page_entries(tree))
    if not 0 <= page < count:
        raise IndexError(f"page {page} out of range (the design has {count})")
    drawing = build_page(tree, page, image)
    scale = min(max(scale, 0.01) if scale == scale else 1.0, MAX_SIDE / max(drawing.width, drawing.height))
    size = (max(1, round(drawing.width * scale)), max(1, round(drawing.height * scale)))
    canvas = Image.new("RGB", size, drawing.background or WHITE)
    draw = ImageDraw.Draw(canvas)
    for group in drawing.groups:
        for op in group.ops:
            _draw(canvas, draw, op, scale)
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()
