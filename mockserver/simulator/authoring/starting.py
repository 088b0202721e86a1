"""A plausible tree for a starting design: one bound element per declared variable, top to bottom."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import count
from typing import Any

from .binding import bind
from .elements import make_node
from .sizing import DEFAULT_COLUMN_WIDTH
from .tree import A4, Tree, attach, new_page, new_tree

MARGIN = 48.0
GAP = 16.0


def _field(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else getattr(spec, key, None)


def _counter() -> Callable[[str], str]:
    numbers = count(1)
    return lambda prefix: f"{prefix}-{next(numbers):05d}"


def _element(name: str, spec: Any, y: float) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(type, position, data, styles) of the element that shows variable `name`."""
    kind = _field(spec, "type") or "text"
    default = _field(spec, "default")
    placeholder = f"{{{{{name}}}}}"
    if kind == "table":
        header = [str(c) for c in _field(spec, "columns") or []]
        body = [
            [c if isinstance(c, str) else "" for c in row] for row in default or [] if isinstance(row, list)
        ]
        width = max([len(header), *(len(row) for row in body), 1])
        cells = [
            (row + [""] * width)[:width] for row in ([header] if header else []) + (body or [[""] * width])
        ]
        total = min(width * DEFAULT_COLUMN_WIDTH, A4[0] - 2 * MARGIN)
        widths = [round(total / width, 2)] * width
        data = {
            "cells": cells,
            "rows": len(cells),
            "columns": width,
            "columnWidths": widths,
            "headerRow": bool(header),
            "headerColumn": False,
        }
        return kind, {"x": MARGIN, "y": y}, data, {}
    if kind == "image":
        src = default if isinstance(default, str) else None
        return kind, {"x": MARGIN, "y": y, "w": 160, "h": 120}, {"src": src}, {}
    content = default if isinstance(default, str) and default else placeholder
    if kind == "qr":
        return kind, {"x": MARGIN, "y": y, "size": 96}, {"content": content}, {}
    if kind == "barcode":
        return kind, {"x": MARGIN, "y": y, "w": 200, "h": 60}, {"content": content, "format": "CODE128"}, {}
    return "text", {"x": MARGIN, "y": y}, {"content": content}, {"fontSize": 16}


def tree_for_variables(
    pages: int, variables: Mapping[str, Any], mint: Callable[[str], str] | None = None
) -> Tree:
    """A tree of `pages` A4 pages; each variable gets a named element on page 0, bound to it.

    `variables` maps name -> anything with `type`, `default`, `columns` (a StartingVariable or a dict).
    Text shows its default, or `{{name}}` when it has none; a table gets `columns` as a header row.
    """
    mint = mint or _counter()
    tree = new_tree()
    for _ in range(1, max(1, pages)):
        tree["pages"].append(new_page(tree, *A4))
    y = MARGIN
    for name, spec in variables.items():
        kind, position, data, styles = _element(name, spec, y)
        node = make_node(kind, mint(kind), name, 0, position, data, styles)
        attach(tree, node)
        bind(tree, node, name, "seed")
        y = node["position"]["y"] + node["position"]["h"] + GAP
    return tree
