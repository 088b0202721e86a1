"""The drawing operations a design page becomes, in points from the page's top-left corner.

Both outputs (PDF and PNG) draw the same list, so a preview shows what the PDF shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from .colors import RGB

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """A rectangle, filled and/or stroked."""

    x: float
    y: float
    w: float
    h: float
    fill: RGB | None = None
    stroke: RGB | None = None
    line_width: float = 1.0


@dataclass(frozen=True)
class Oval:
    """An ellipse inscribed in the box, filled and/or stroked."""

    x: float
    y: float
    w: float
    h: float
    fill: RGB | None = None
    stroke: RGB | None = None
    line_width: float = 1.0


@dataclass(frozen=True)
class Path:
    """Straight segments through `points`; closed and filled when `fill` is set."""

    points: tuple[Point, ...]
    stroke: RGB | None = None
    line_width: float = 1.0
    fill: RGB | None = None


@dataclass(frozen=True)
class Text:
    """One line of text whose left end sits at (x, baseline)."""

    x: float
    baseline: float
    size: float
    text: str
    color: RGB = (0, 0, 0)
    bold: bool = False


@dataclass(frozen=True)
class Picture:
    """A decoded raster image drawn into the box (already cropped to the box's aspect when needed)."""

    x: float
    y: float
    w: float
    h: float
    image: Image.Image = field(compare=False)
    clip: tuple[float, float, float, float] | None = None


Op = Box | Oval | Path | Text | Picture


@dataclass(frozen=True)
class Group:
    """The operations of one element, with the role it plays for assistive technology."""

    role: str | None  # "P" (text), "Figure" (image), "Table", or None (decoration)
    ops: tuple[Op, ...]
    alt: str = ""


@dataclass(frozen=True)
class Page:
    """One page ready to draw: its size in points, background colour, and element groups in paint order."""

    width: float
    height: float
    background: RGB | None
    groups: tuple[Group, ...]
