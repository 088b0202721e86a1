"""Decoding image bytes with Pillow: what an upload is (`image_info`), and images ready to draw."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from . import svg

MAX_SOURCE_PIXELS = 40_000_000  # larger rasters are refused before decoding (bounded memory)
MAX_DRAWN_SIDE = 1600  # decoded images are shrunk to this many pixels on the long side for drawing
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def _open(data: bytes) -> Image.Image | None:
    """The decoded raster (PNG/JPEG/WebP) or None when it is none of those, too large, or corrupt."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
            if image.width * image.height > MAX_SOURCE_PIXELS or image.width < 1 or image.height < 1:
                return None
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        return None
    return image


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """(mimeType, width, height) of PNG, JPEG, WebP or SVG bytes that really decode; None otherwise.

    Rasters are decoded in full (a truncated file is None); one over 40 megapixels is None too.
    An SVG must parse safely (see `svg.rasterize`) and its size is its own width/height or viewBox.
    """
    if svg.looks_like_svg(data):
        size = svg.intrinsic_size(data)
        return ("image/svg+xml", *size) if size is not None else None
    image = _open(data)
    if image is None or image.format not in _FORMATS:
        return None
    return _FORMATS[image.format], image.width, image.height


def decode(data: bytes | None) -> Image.Image | None:
    """An RGBA image to draw from PNG/JPEG/WebP/SVG bytes, shrunk to a bounded size; None if undecodable."""
    if not data:
        return None
    if svg.looks_like_svg(data):
        try:
            rendered = svg.rasterize(data, max_pixels=MAX_DRAWN_SIDE * MAX_DRAWN_SIDE)
        except ValueError:
            return None
        return None if rendered is None else decode(rendered[0])
    image = _open(data)
    if image is None:
        return None
    image = image.convert("RGBA")
    image.thumbnail((MAX_DRAWN_SIDE, MAX_DRAWN_SIDE))
    return image
