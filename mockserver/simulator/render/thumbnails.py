"""Small images about images: an asset's thumbnail, and the labelled grey box of a placeholder asset."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from .images import decode

MAX_SIDE = 2000


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def placeholder(width: float, height: float, label: str) -> bytes:
    """A grey box of `width` by `height` pixels (capped) with a border, a cross and `label` in the middle."""
    size = (min(MAX_SIDE, max(1, round(width))), min(MAX_SIDE, max(1, round(height))))
    image = Image.new("RGB", size, (224, 227, 232))
    draw = ImageDraw.Draw(image)
    right, bottom = size[0] - 1, size[1] - 1
    draw.rectangle((0, 0, right, bottom), outline=(140, 148, 160), width=2)
    draw.line((0, 0, right, bottom), fill=(190, 196, 204), width=1)
    draw.line((0, bottom, right, 0), fill=(190, 196, 204), width=1)
    if label:
        font = ImageFont.load_default(size=max(8, min(size) // 8))
        text = label.encode("latin-1", "replace").decode("latin-1")
        box = draw.textbbox((0, 0), text, font=font)
        at = ((size[0] - (box[2] - box[0])) / 2, (size[1] - (box[3] - box[1])) / 2)
        draw.text(at, text, fill=(60, 68, 80), font=font)
    return _png(image)


def thumbnail(data: bytes | None, size: tuple[int, int], label: str) -> bytes:
    """`data` (PNG, JPEG, WebP or SVG) shrunk into `size`; a placeholder box when it cannot be drawn."""
    image = decode(data)
    if image is None:
        return placeholder(size[0], size[1], label)
    image.thumbnail(size)
    return _png(image)
