"""A simplified SVG rasteriser for uploads (standard-library XML + Pillow), not a full SVG renderer.

It draws rect, circle, ellipse, line, polyline, polygon, path (curves and arcs sampled into segments)
and text (as a solid box where the text would be), with fill/stroke colours, opacities, stroke widths,
nested `<g>` groups and `transform`. Gradients and patterns paint mid grey; clip paths, masks, filters,
`<use>`, images and CSS style sheets are ignored. Documents with an ENTITY declaration or an internal
DTD subset are refused with ValueError before parsing (entity expansion attacks); so is XML that does
not parse or whose root is not `<svg>`. Work is bounded: source size, element count, path points and
the output's pixel count.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from . import svgpath
from .colors import RGB
from .colors import parse as parse_colour

MAX_SOURCE = 5_000_000  # bytes of SVG text parsed
MAX_ELEMENTS = 5_000  # shapes drawn
MAX_POINTS = 200_000  # path points over the whole document
MAX_DEPTH = 64  # nesting of groups followed
DEFAULT_SIZE = (300.0, 150.0)  # a browser's size for an SVG that states none
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
    "em": 16.0,
}
_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in|em|%)?\s*$")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_NUMBERS = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SKIPPED = {
    "defs",
    "clipPath",
    "mask",
    "symbol",
    "pattern",
    "marker",
    "linearGradient",
    "radialGradient",
    "metadata",
    "title",
    "desc",
    "style",
    "script",
    "filter",
    "foreignObject",
    "image",
    "use",
}
_INHERITED = ("fill", "stroke", "stroke-width", "color", "font-size", "fill-rule")
_GREY = (128, 128, 128)
Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]


def looks_like_svg(data: bytes) -> bool:
    """Whether the bytes start like an SVG document (an XML prolog, comment, doctype or the svg tag)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE")) and b"<svg" in data[:65536]


def _parse(data: bytes) -> ET.Element:
    if len(data) > MAX_SOURCE:
        raise ValueError(f"SVG larger than {MAX_SOURCE} bytes")
    lowered = data.lower()
    if b"<!entity" in lowered:
        raise ValueError("SVG with ENTITY declarations is refused")
    doctype = lowered.find(b"<!doctype")
    if doctype >= 0 and b"[" in lowered[doctype : lowered.find(b">", doctype) + 1 or None]:
        raise ValueError("SVG with an internal DTD subset is refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ValueError(f"SVG does not parse: {error}") from None
    if _tag(root) != "svg":
        raise ValueError("the document's root element is not <svg>")
    return root


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _length(value: str | None, reference: float | None = None) -> float | None:
    match = _LENGTH.match(value or "")
    if match is None:
        return None
    number, unit = float(match[1]), match[2] or ""
    if unit == "%":
        return None if reference is None else number * reference / 100
    return number * _UNITS[unit] if math.isfinite(number) else None


def _view_box(root: ET.Element) -> tuple[float, float, float, float] | None:
    numbers = [float(n) for n in _NUMBERS.findall(root.get("viewBox", ""))]
    if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0 or not all(map(math.isfinite, numbers)):
        return None
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _size(root: ET.Element) -> tuple[float, float]:
    box = _view_box(root)
    width, height = _length(root.get("width")), _length(root.get("height"))
    width = width if width and width > 0 else None
    height = height if height and height > 0 else None
    if width and height:
        return width, height
    if box is not None:
        if width:
            return width, width * box[3] / box[2]
        if height:
            return height * box[2] / box[3], height
        return box[2], box[3]
    return width or DEFAULT_SIZE[0], height or DEFAULT_SIZE[1]


def intrinsic_size(data: bytes) -> tuple[int, int] | None:
    """The SVG's own size in CSS pixels (width/height, else viewBox, else 300x150); None if refused."""
    try:
        width, height = _size(_parse(data))
    except ValueError:
        return None
    return max(1, round(min(width, 1e9))), max(1, round(min(height, 1e9)))


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f


def _transform(text: str) -> Matrix:
    result: Matrix = (1, 0, 0, 1, 0, 0)
    for name, raw in _TRANSFORM.findall(text[:2000]):
        v = [float(n) for n in _NUMBERS.findall(raw)]
        step: Matrix | None = None
        if name == "matrix" and len(v) == 6:
            step = (v[0], v[1], v[2], v[3], v[4], v[5])
        elif name == "translate" and v:
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale" and v:
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate" and v:
            a = math.radians(v[0])
            step = (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), 0, 0)
            if len(v) == 3:
                step = _multiply(_multiply((1, 0, 0, 1, v[1], v[2]), step), (1, 0, 0, 1, -v[1], -v[2]))
        elif name in ("skewX", "skewY") and v:
            t = math.tan(math.radians(v[0]))
            step = (1, 0, t, 1, 0, 0) if name == "skewX" else (1, t, 0, 1, 0, 0)
        if step is not None and all(map(math.isfinite, step)):
            result = _multiply(result, step)
    return result


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        self.shapes = 0
        self.points = 0

    def paint(self, subpaths: list[tuple[list[Point], bool]], style: dict[str, Any], matrix: Matrix) -> None:
        self.shapes += 1
        self.points += sum(len(points) for points, _ in subpaths)
        mapped = [([_apply(matrix, p) for p in points], closed) for points, closed in subpaths]
        opacity = _opacity(style.get("opacity"))
        fill = _paint(style.get("fill", "black"), style)
        if fill is not None:
            polygons = [points for points, _ in mapped if len(points) >= 3]
            self._composite(polygons, fill, opacity * _opacity(style.get("fill-opacity")), None)
        stroke = _paint(style.get("stroke", "none"), style)
        width = (_length(style.get("stroke-width")) or 1.0) * math.sqrt(
            abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])
        )
        if stroke is not None and width > 0:
            lines = [
                points + points[:1] if closed else points for points, closed in mapped if len(points) >= 2
            ]
            self._composite(
                lines, stroke, opacity * _opacity(style.get("stroke-opacity")), max(1, round(width))
            )

    def _composite(self, shapes: list[list[Point]], colour: RGB, alpha: float, line: int | None) -> None:
        if not shapes or alpha <= 0:
            return
        pad = line or 0
        xs = [x for points in shapes for x, _ in points]
        ys = [y for points in shapes for _, y in points]
        left, top = max(0, math.floor(min(xs)) - pad), max(0, math.floor(min(ys)) - pad)
        right = min(self.image.width, math.ceil(max(xs)) + pad + 1)
        bottom = min(self.image.height, math.ceil(max(ys)) + pad + 1)
        if right <= left or bottom <= top:
            return
        mask = Image.new("L", (right - left, bottom - top), 0)
        for points in shapes:
            local = [(x - left, y - top) for x, y in points]
            if line is not None:
                ImageDraw.Draw(mask).line(local, fill=255, width=line, joint="curve")
            elif len(shapes) == 1:
                ImageDraw.Draw(mask).polygon(local, fill=255)
            else:  # several subpaths: even-odd, so holes (the inside of an "O") stay open
                part = Image.new("L", mask.size, 0)
                ImageDraw.Draw(part).polygon(local, fill=255)
                mask = ImageChops.logical_xor(mask.convert("1"), part.convert("1")).convert("L")
        if alpha < 1:
            mask = mask.point(lambda value: round(value * alpha))
        layer = Image.new("RGBA", mask.size, (*colour, 0))
        layer.putalpha(mask)
        self.image.alpha_composite(layer, (left, top))


def _apply(m: Matrix, p: Point) -> Point:
    return m[0] * p[0] + m[2] * p[1] + m[4], m[1] * p[0] + m[3] * p[1] + m[5]


def _opacity(value: object) -> float:
    try:
        number = float(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except ValueError:
        return 1.0
    return min(max(number, 0.0), 1.0) if math.isfinite(number) else 1.0


def _paint(value: object, style: dict[str, Any]) -> RGB | None:
    text = str(value).strip()
    if text.startswith("url("):
        return _GREY
    if text == "currentColor":
        text = str(style.get("color", "black"))
    return parse_colour(text)


def _style(element: ET.Element, inherited: dict[str, Any]) -> dict[str, Any]:
    style = {key: inherited[key] for key in _INHERITED if key in inherited}
    style["opacity"] = _opacity(inherited.get("opacity", 1)) * _opacity(element.get("opacity", 1))
    for key in (*_INHERITED, "fill-opacity", "stroke-opacity", "display", "visibility"):
        if element.get(key) is not None:
            style[key] = element.get(key)
    for declaration in (element.get("style") or "")[:4000].split(";"):
        key, _, value = declaration.partition(":")
        key, value = key.strip(), value.strip()
        if key == "opacity":
            style["opacity"] = _opacity(inherited.get("opacity", 1)) * _opacity(value)
        elif key and value:
            style[key] = value
    return style


def _float(element: ET.Element, name: str, reference: float) -> float:
    return _length(element.get(name), reference) or 0.0


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    return [
        (cx + rx * math.cos(2 * math.pi * i / 48), cy + ry * math.sin(2 * math.pi * i / 48))
        for i in range(48)
    ]


def _geometry(
    element: ET.Element, tag: str, style: dict[str, Any], ref: float, budget: int
) -> list[tuple[list[Point], bool]]:
    def get(name: str) -> float:
        return _float(element, name, ref)

    if tag == "rect":
        x, y, w, h = get("x"), get("y"), get("width"), get("height")
        return [([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], True)] if w > 0 and h > 0 else []
    if tag == "circle":
        r = get("r")
        return [(_ellipse(get("cx"), get("cy"), r, r), True)] if r > 0 else []
    if tag == "ellipse":
        rx, ry = get("rx"), get("ry")
        return [(_ellipse(get("cx"), get("cy"), rx, ry), True)] if rx > 0 and ry > 0 else []
    if tag == "line":
        return [([(get("x1"), get("y1")), (get("x2"), get("y2"))], False)]
    if tag in ("polyline", "polygon"):
        numbers = [float(n) for n in _NUMBERS.findall((element.get("points") or "")[: budget * 24])]
        points = list(zip(numbers[0::2], numbers[1::2], strict=False))[:budget]
        return [(points, tag == "polygon")] if len(points) >= 2 else []
    if tag == "path":
        return svgpath.parse((element.get("d") or "")[: budget * 40], budget)
    if tag == "text":
        size = _length(str(style.get("font-size", "16"))) or 16.0
        length = len("".join(element.itertext()).strip())
        x, y, w = get("x"), get("y"), length * size * 0.55
        return (
            [
                (
                    [
                        (x, y - 0.8 * size),
                        (x + w, y - 0.8 * size),
                        (x + w, y + 0.2 * size),
                        (x, y + 0.2 * size),
                    ],
                    True,
                )
            ]
            if length
            else []
        )
    return []


def _walk(
    canvas: _Canvas, element: ET.Element, matrix: Matrix, inherited: dict[str, Any], ref: float, depth: int
) -> None:
    for child in element:
        tag = _tag(child)
        if (
            tag in _SKIPPED
            or depth > MAX_DEPTH
            or canvas.shapes >= MAX_ELEMENTS
            or canvas.points >= MAX_POINTS
        ):
            continue
        style = _style(child, inherited)
        if style.get("display") == "none" or style.get("visibility") in ("hidden", "collapse"):
            continue
        local = (
            _multiply(matrix, _transform(child.get("transform") or "")) if child.get("transform") else matrix
        )
        if tag in ("g", "a", "switch", "svg"):
            _walk(canvas, child, local, style, ref, depth + 1)
            continue
        if tag == "text":
            style.setdefault("fill", "#222222")
        subpaths = _geometry(child, tag, style, ref, MAX_POINTS - canvas.points)
        if subpaths:
            canvas.paint(subpaths, style, local)


def rasterize(data: bytes, *, max_pixels: int = 4_000_000) -> tuple[bytes, int, int] | None:
    """An SVG upload drawn to (PNG bytes, width, height), or None when the drawing comes out blank.

    Blank means nothing to see: nothing drawn, or only fully transparent paint. A drawing of one colour
    all over (a swatch, a full-bleed background) is not blank: the docs refuse a blank result, nothing
    more. The PNG has an alpha channel and the SVG's own size, scaled down (never up) to at most
    `max_pixels` pixels.
    Raises ValueError for refused or unparseable documents (see the module docstring).
    """
    root = _parse(data)
    width, height = _size(root)
    scale = min(1.0, math.sqrt(max(1, max_pixels) / (width * height)))
    pixels_w, pixels_h = (
        max(1, min(round(width * scale), max_pixels)),
        max(1, min(round(height * scale), max_pixels)),
    )
    box = _view_box(root) or (0.0, 0.0, width, height)
    fit = min(pixels_w / box[2], pixels_h / box[3])  # preserveAspectRatio's default: xMidYMid meet
    base: Matrix = (
        fit,
        0,
        0,
        fit,
        (pixels_w - box[2] * fit) / 2 - box[0] * fit,
        (pixels_h - box[3] * fit) / 2 - box[1] * fit,
    )
    canvas = _Canvas(pixels_w, pixels_h)
    _walk(canvas, root, base, _style(root, {}), box[2], 0)
    if canvas.image.getchannel("A").getbbox() is None:  # not one pixel with any opacity
        return None
    out = io.BytesIO()
    canvas.image.save(out, format="PNG")
    return out.getvalue(), pixels_w, pixels_h
