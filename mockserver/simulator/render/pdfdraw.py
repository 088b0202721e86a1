"""A page's drawing operations as a PDF content stream, every element inside a marked-content block.

Text, image and table groups get `/Tag <</MCID n>> BDC … EMC` and decoration gets `/Artifact BMC … EMC`
in every profile, so the page content is byte-identical whether or not the document is tagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from .colors import RGB
from .ops import Box, Op, Page, Path, Picture, Text
from .pdfobjects import literal

_KAPPA = 0.5523  # Bezier control distance that approximates a quarter circle
ROLES = {"P": "P", "Figure": "Figure", "Table": "Div"}  # a gridless Table tag would be wrong: group as Div


@dataclass
class Drawn:
    """A page's content stream plus what the document must add for it: images and tagged blocks."""

    content: bytes
    images: list[Image.Image] = field(default_factory=list)
    tagged: list[tuple[str, str]] = field(default_factory=list)  # (structure type, alt text) per MCID


def _n(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _colour(rgb: RGB, operator: str) -> str:
    return f"{_n(rgb[0] / 255)} {_n(rgb[1] / 255)} {_n(rgb[2] / 255)} {operator}"


def _paint(fill: RGB | None, stroke: RGB | None, width: float) -> tuple[list[str], str]:
    setup = []
    if fill is not None:
        setup.append(_colour(fill, "rg"))
    if stroke is not None and width > 0:
        setup += [_colour(stroke, "RG"), f"{_n(width)} w"]
    painted = "B" if len(setup) == 3 else "f" if fill is not None else "S"
    return setup, painted


def _op(op: Op, height: float, images: list[Image.Image]) -> list[str]:
    if isinstance(op, Text):
        font = "/F2" if op.bold else "/F1"
        string = literal(op.text).decode("latin-1")
        position = f"{_n(op.x)} {_n(height - op.baseline)} Td"
        return [f"BT {font} {_n(op.size)} Tf {_colour(op.color, 'rg')} {position} {string} Tj ET"]
    if isinstance(op, Picture):
        images.append(op.image)
        out = ["q"]
        if op.clip is not None:
            cx, cy, cw, ch = op.clip
            out.append(f"{_n(cx)} {_n(height - cy - ch)} {_n(cw)} {_n(ch)} re W n")
        out += [
            f"{_n(op.w)} 0 0 {_n(op.h)} {_n(op.x)} {_n(height - op.y - op.h)} cm /Im{len(images)} Do",
            "Q",
        ]
        return out
    if isinstance(op, Path):
        setup, painted = _paint(op.fill, op.stroke, op.line_width)
        if not setup or len(op.points) < 2:
            return []
        (x0, y0), rest = op.points[0], op.points[1:]
        path = [f"{_n(x0)} {_n(height - y0)} m", *(f"{_n(x)} {_n(height - y)} l" for x, y in rest)]
        close = "h " if op.fill is not None else ""
        return ["q 1 J 1 j", *setup, *path, close + painted, "Q"]
    setup, painted = _paint(op.fill, op.stroke, op.line_width)
    if not setup:
        return []
    bottom = height - op.y - op.h
    if isinstance(op, Box):
        return ["q", *setup, f"{_n(op.x)} {_n(bottom)} {_n(op.w)} {_n(op.h)} re {painted}", "Q"]
    rx, ry = op.w / 2, op.h / 2
    cx, cy = op.x + rx, bottom + ry
    kx, ky = rx * _KAPPA, ry * _KAPPA
    curve = [
        f"{_n(cx + rx)} {_n(cy)} m",
        f"{_n(cx + rx)} {_n(cy + ky)} {_n(cx + kx)} {_n(cy + ry)} {_n(cx)} {_n(cy + ry)} c",
        f"{_n(cx - kx)} {_n(cy + ry)} {_n(cx - rx)} {_n(cy + ky)} {_n(cx - rx)} {_n(cy)} c",
        f"{_n(cx - rx)} {_n(cy - ky)} {_n(cx - kx)} {_n(cy - ry)} {_n(cx)} {_n(cy - ry)} c",
        f"{_n(cx + kx)} {_n(cy - ry)} {_n(cx + rx)} {_n(cy - ky)} {_n(cx + rx)} {_n(cy)} c",
    ]
    return ["q", *setup, *curve, f"h {painted}", "Q"]


def content(page: Page) -> Drawn:
    """The page's content stream (uncompressed) with its images and tagged blocks in order."""
    drawn = Drawn(b"")
    lines = []
    if page.background is not None:
        lines.append("/Artifact BMC q " + _colour(page.background, "rg"))
        lines.append(f"0 0 {_n(page.width)} {_n(page.height)} re f Q EMC")
    for group in page.groups:
        body = [line for op in group.ops for line in _op(op, page.height, drawn.images)]
        if not body:
            continue
        if group.role in ROLES:
            lines.append(f"/{ROLES[group.role]} <</MCID {len(drawn.tagged)}>> BDC")
            drawn.tagged.append((ROLES[group.role], group.alt))
        else:
            lines.append("/Artifact BMC")
        lines += [*body, "EMC"]
    drawn.content = "\n".join(lines).encode("latin-1")
    return drawn
