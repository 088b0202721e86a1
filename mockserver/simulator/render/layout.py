"""A design tree's pages turned into drawing operations (ops.Page), robust to missing or odd values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .colors import RGB, parse
from .elements import (
    ImageSource,
    Rect,
    draw_barcode,
    draw_icon,
    draw_image,
    draw_qr,
    draw_shape,
    draw_text,
    picture,
)
from .images import decode
from .ops import Group, Page
from .table import draw_table
from .values import mapping, num

A4 = (595.28, 841.89)
MAX_PAGES = 1000
MAX_ELEMENTS_PER_PAGE = 2000
MAX_PAGE_SIDE = 14_400.0  # the largest page a PDF viewer has to accept (200 inches)
Drawer = Callable[[dict[str, Any], Rect, dict[str, Any], dict[str, Any], ImageSource], Group]
_DRAWERS: dict[str, Drawer] = {
    "text": draw_text,
    "image": draw_image,
    "shape": draw_shape,
    "icon": draw_icon,
    "qr": draw_qr,
    "barcode": draw_barcode,
}


def page_entries(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The tree's page dicts (at most MAX_PAGES); a tree without any gets one blank A4 page."""
    pages = tree.get("pages") if isinstance(tree, dict) else None
    entries = [mapping(page) for page in pages[:MAX_PAGES]] if isinstance(pages, list) else []
    return entries or [{}]


def _background(page: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    """The page's own background, else the document's; a bare colour string counts as backgroundColor."""
    for value in (page.get("background"), mapping(tree.get("document")).get("background")):
        if isinstance(value, str):
            return {"backgroundColor": value}
        if isinstance(value, dict) and any(v is not None for v in value.values()):
            return value
    return {}


def _rect(node: dict[str, Any]) -> Rect | None:
    position = mapping(node.get("position"))
    x, y = num(position.get("x"), 0.0, -1e5, 1e5), num(position.get("y"), 0.0, -1e5, 1e5)
    w = num(position.get("w", position.get("maxWidth")), 0.0, 0.0, 1e5)
    h = num(position.get("h"), 0.0, 0.0, 1e5)
    if node.get("type") == "qr" and (w <= 0 or h <= 0):
        w = h = num(position.get("size"), 0.0, 0.0, 1e5)
    return (x, y, w, h) if w > 0 and (h > 0 or node.get("type") in ("text", "table")) else None


def build_page(tree: dict[str, Any], index: int, image: ImageSource) -> Page:
    """Page `index` of the tree as drawing operations, in paint order, hidden elements left out."""
    page = page_entries(tree)[index]
    width = num(page.get("width"), A4[0], 1.0, MAX_PAGE_SIDE)
    height = num(page.get("height"), A4[1], 1.0, MAX_PAGE_SIDE)
    background = _background(page, tree)
    colour: RGB | None = parse(background.get("backgroundColor", background.get("color")))
    groups: list[Group] = []
    backdrop = background.get("backgroundImage")
    if isinstance(backdrop, str) and backdrop:
        decoded = decode(_safe(image, backdrop))
        if decoded is not None:
            fit = {"cover": "cover", "contain": "contain"}.get(str(background.get("backgroundSize")), "fill")
            groups.append(Group(None, (picture(decoded, (0.0, 0.0, width, height), fit, None),)))
    nodes = mapping(tree.get("nodes"))
    listed = page.get("children")
    children: list[Any] = listed if isinstance(listed, list) else []
    for child in children[:MAX_ELEMENTS_PER_PAGE]:
        node = nodes.get(child) if isinstance(child, str) else None
        if not isinstance(node, dict) or node.get("isHidden") is True:
            continue
        rect = _rect(node)
        kind = node.get("type")
        if rect is None or not isinstance(kind, str):
            continue
        data, styles = mapping(node.get("data")), mapping(node.get("styles"))
        safe_image: ImageSource = lambda ref: _safe(image, ref)  # noqa: E731
        if kind == "table":
            groups.append(draw_table(node, rect, data, styles, safe_image, page_height=height))
        elif kind in _DRAWERS:
            groups.append(_DRAWERS[kind](node, rect, data, styles, safe_image))
    return Page(width, height, colour, tuple(groups))


def _safe(image: ImageSource, ref: str) -> bytes | None:
    """The caller's image bytes, or None when its look-up fails or gives something else than bytes."""
    try:
        data = image(ref)
    except Exception:  # a failing look-up must not fail the render: the image shows as a placeholder
        return None
    return data if isinstance(data, bytes) else None
