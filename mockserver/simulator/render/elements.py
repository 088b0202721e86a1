"""Element drawings for every type but table: text, image, shape, icon, qr, barcode, and the box styles."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PIL import Image

from . import codes, metrics
from .colors import RGB, first
from .images import decode
from .ops import Box, Group, Op, Oval, Path, Picture, Text
from .values import is_bold, mapping, num, text

ImageSource = Callable[[str], bytes | None]
Rect = tuple[float, float, float, float]
INK: RGB = (17, 24, 39)
PLACEHOLDER_FILL: RGB = (229, 231, 235)
PLACEHOLDER_INK: RGB = (107, 114, 128)
DEFAULT_FONT_SIZE = 16.0
DEFAULT_LINE_HEIGHT = 1.5
MAX_LINES = 400
ASCENT = 0.78  # baseline below the top of a line's glyph box, as a fraction of the font size


def font_size(styles: dict[str, Any], default: float = DEFAULT_FONT_SIZE) -> float:
    return num(styles.get("fontSize"), default, 1.0, 400.0)


def box_styles(styles: dict[str, Any], rect: Rect) -> list[Op]:
    """An element's own background fill and border, when its styles give them."""
    fill = first(styles, "backgroundColor", "bgColor")
    stroke = first(styles, "borderColor")
    width = num(styles.get("borderWidth"), 1.0 if stroke else 0.0, 0.0, 100.0)
    if fill is None and (stroke is None or width <= 0):
        return []
    return [Box(*rect, fill=fill, stroke=stroke if width > 0 else None, line_width=width)]


def text_lines(
    content: str,
    rect: Rect,
    styles: dict[str, Any],
    *,
    size: float,
    bold: bool,
    color: RGB,
    hug: bool = False,
    cut: bool = True,
) -> list[Op]:
    """`content` wrapped to the box width, aligned, cut at the line that would overflow the box.

    A box sized from its content is only an estimate of the drawn size: with `hug` (no `maxWidth`)
    the width grows to the content instead of wrapping it, and without `cut` (no fixed height)
    every line is drawn.
    """
    x, y, w, h = rect
    line_height = size * num(styles.get("lineHeight"), DEFAULT_LINE_HEIGHT, 0.5, 5.0)
    transform = styles.get("textTransform")
    if transform == "uppercase":
        content = content.upper()
    elif transform == "lowercase":
        content = content.lower()
    room = max(w, size)
    if hug:
        room = max([room, *(metrics.width(part, size, bold) for part in content.split("\n")[:MAX_LINES])])
    lines = metrics.wrap(content, room + 0.5, size, bold, MAX_LINES)
    fits = max(1, math.floor((h + 0.25 * line_height) / line_height)) if h > 0 and cut else len(lines)
    align = styles.get("textAlign")
    ops: list[Op] = []
    for index, line in enumerate(lines[:fits]):
        if index == fits - 1 and len(lines) > fits:
            line = metrics.fit(line + metrics.ELLIPSIS, room, size, bold)
        shift = room - metrics.width(line, size, bold)
        left = x + (shift / 2 if align == "center" else shift if align == "right" else 0.0)
        baseline = y + index * line_height + (line_height - size) / 2 + ASCENT * size
        if line:
            ops.append(Text(left, baseline, size, line, color, bold))
    return ops


def list_items(data: dict[str, Any]) -> str:
    """A text element's content as one string; a list becomes bullet or numbered items, one a line."""
    content = data.get("content")
    if not isinstance(content, list):
        return text(content)
    start = int(num(data.get("listStart"), 1, -1e6, 1e6))
    ordered = data.get("listFormat") == "ordered"
    items = [text(item) for item in content[:MAX_LINES]]
    return "\n".join(f"{start + i}. {item}" if ordered else f"\u2022 {item}" for i, item in enumerate(items))


def draw_text(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], _: ImageSource
) -> Group:
    size, bold = font_size(styles), is_bold(styles)
    color = first(styles, "color", "fgColor") or INK
    content = list_items(data)
    position = node.get("position")
    derived = node.get("type") == "text" and not node.get("fixedHeight")
    hug = derived and isinstance(position, dict) and position.get("maxWidth") is None
    lines = text_lines(content, rect, styles, size=size, bold=bold, color=color, hug=hug, cut=not derived)
    ops = box_styles(styles, rect) + lines
    return Group("P", tuple(ops), content[:200])


def placeholder(rect: Rect, label: str) -> list[Op]:
    """A grey box with a cross and a label: an image that could not be shown."""
    x, y, w, h = rect
    size = max(4.0, min(10.0, h / 4, (w - 6) / max(metrics.width(label, 1.0), 1e-6)))
    ops: list[Op] = [
        Box(x, y, w, h, fill=PLACEHOLDER_FILL, stroke=PLACEHOLDER_INK, line_width=0.75),
        Path(((x, y), (x + w, y + h)), PLACEHOLDER_INK, 0.75),
        Path(((x + w, y), (x, y + h)), PLACEHOLDER_INK, 0.75),
    ]
    label = metrics.fit(label, w - 4, size)
    if label:
        left = x + (w - metrics.width(label, size)) / 2
        ops.append(
            Box(
                left - 1,
                y + (h - size) / 2 - 1,
                metrics.width(label, size) + 2,
                size + 2,
                fill=PLACEHOLDER_FILL,
            )
        )
        ops.append(Text(left, y + (h - size) / 2 + ASCENT * size, size, label, PLACEHOLDER_INK))
    return ops


def picture(image: Image.Image, rect: Rect, fit: object, crop: object) -> Picture:
    """`image` placed in the box: contain (default) letterboxes, cover fills and clips, fill stretches."""
    crop_box = mapping(crop)
    if crop_box:
        cx, cy = num(crop_box.get("x"), 0, 0, 1), num(crop_box.get("y"), 0, 0, 1)
        cw, ch = (
            num(crop_box.get("width", crop_box.get("w")), 1, 0, 1),
            num(crop_box.get("height", crop_box.get("h")), 1, 0, 1),
        )
        left, top = round(cx * image.width), round(cy * image.height)
        right, bottom = round(min(1, cx + cw) * image.width), round(min(1, cy + ch) * image.height)
        if right > left and bottom > top:
            image = image.crop((left, top, right, bottom))
    x, y, w, h = rect
    if fit == "fill" or image.width <= 0 or image.height <= 0:
        return Picture(x, y, w, h, image)
    ratio = image.width / image.height
    if (fit == "cover") == (w / max(h, 1e-6) > ratio):
        dw, dh = w, w / ratio
    else:
        dw, dh = h * ratio, h
    picture_rect = (x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)
    return Picture(*picture_rect, image, clip=rect if fit == "cover" else None)


def draw_image(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], source: ImageSource
) -> Group:
    src = data.get("src")
    ref = src if isinstance(src, str) else ""
    decoded = decode(source(ref)) if ref else None
    if decoded is None:
        ops = placeholder(rect, ref[:80] or "image")
    else:
        ops = [
            *box_styles(styles, rect),
            picture(decoded, rect, styles.get("objectFit", styles.get("fit")), data.get("crop")),
        ]
    alt = styles.get("alt") if isinstance(styles.get("alt"), str) else node.get("name")
    return Group("Figure", tuple(ops), text(alt) or "image")


def draw_shape(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], _: ImageSource
) -> Group:
    x, y, w, h = rect
    kind = data.get("shapeType")
    fill = first(styles, "fill", "backgroundColor", "bgColor")
    stroke = first(styles, "stroke", "borderColor")
    width = num(styles.get("strokeWidth", styles.get("borderWidth")), 1.0, 0.0, 100.0)
    if kind in ("line", "arrow"):
        colour = stroke or first(styles, "color") or fill or INK
        width = num(styles.get("strokeWidth", styles.get("borderWidth")), 2.0, 0.1, 100.0)
        start, end = ((x, y + h / 2), (x + w, y + h / 2)) if w >= h else ((x + w / 2, y), (x + w / 2, y + h))
        ops: list[Op] = [Path((start, end), colour, width)]
        if kind == "arrow":
            ops.append(_arrow_head(start, end, colour, width))
        return Group(None, tuple(ops))
    if fill is None and stroke is None:
        fill = first(styles, "color") or PLACEHOLDER_FILL
    shape = Oval if kind == "circle" else Box
    return Group(None, (shape(x, y, w, h, fill=fill, stroke=stroke, line_width=width if stroke else 0.0),))


def _arrow_head(start: tuple[float, float], end: tuple[float, float], colour: RGB, width: float) -> Path:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    length = max(6.0, 4 * width)
    left = (end[0] - length * math.cos(angle - 0.45), end[1] - length * math.sin(angle - 0.45))
    right = (end[0] - length * math.cos(angle + 0.45), end[1] - length * math.sin(angle + 0.45))
    return Path((end, left, right), colour, 0.0, fill=colour)


def draw_icon(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], _: ImageSource
) -> Group:
    x, y, w, h = rect
    colour = first(styles, "color", "stroke") or INK
    label = text(data.get("iconId")) or "icon"
    size = max(3.0, min(9.0, h / 3))
    ops: list[Op] = [Box(x, y, w, h, stroke=colour, line_width=max(0.5, min(w, h) / 16))]
    label = metrics.fit(label, w - 2, size)
    if label:
        ops.append(
            Text(
                x + (w - metrics.width(label, size)) / 2,
                y + (h - size) / 2 + ASCENT * size,
                size,
                label,
                colour,
            )
        )
    return Group("Figure", tuple(ops), text(data.get("iconId")) or "icon")


def _caption(content: str, x: float, y: float, w: float, size: float, colour: RGB) -> list[Op]:
    line = metrics.fit(content.replace("\n", " "), w, size)
    return (
        [Text(x + (w - metrics.width(line, size)) / 2, y + ASCENT * size, size, line, colour)] if line else []
    )


def draw_qr(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], _: ImageSource
) -> Group:
    x, y, w, h = rect
    content = text(data.get("content"))
    ink = first(styles, "color", "fgColor") or (0, 0, 0)
    back = first(styles, "backgroundColor", "bgColor") or (255, 255, 255)
    caption = max(4.0, min(8.0, min(w, h) * 0.08))
    side = max(1.0, min(w, h - caption * 1.4))
    left = x + (w - side) / 2
    ops: list[Op] = [Box(x, y, w, h, fill=back), *codes.qr(content, left, y, side, ink)]
    ops += _caption(content, x, y + side + caption * 0.2, w, caption, ink)
    return Group("Figure", tuple(ops), f"QR code: {content[:200]}")


def draw_barcode(
    node: dict[str, Any], rect: Rect, data: dict[str, Any], styles: dict[str, Any], _: ImageSource
) -> Group:
    x, y, w, h = rect
    content = text(data.get("content"))
    ink = first(styles, "color", "fgColor") or (0, 0, 0)
    back = first(styles, "backgroundColor", "bgColor") or (255, 255, 255)
    show = data.get("displayValue") is not False
    caption = max(4.0, min(12.0, h * 0.18)) if show else 0.0
    bars = max(1.0, h - caption * 1.3)
    ops: list[Op] = [
        Box(x, y, w, h, fill=back),
        *codes.barcode(content, x + w * 0.04, y, w * 0.92, bars, ink),
    ]
    if show:
        ops += _caption(content, x, y + bars + caption * 0.15, w, caption, ink)
    return Group("Figure", tuple(ops), f"Barcode: {content[:200]}")
