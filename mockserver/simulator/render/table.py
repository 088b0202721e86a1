"""Table drawing: a grid of cells (header row/column bold) in rows of a height set by the font size."""

from __future__ import annotations

from typing import Any

from . import metrics
from .colors import first
from .elements import ASCENT, INK, ImageSource, Rect, box_styles, font_size
from .ops import Box, Group, Op, Path, Text
from .values import is_bold, mapping, num, text

MAX_ROWS, MAX_COLUMNS = 500, 50
DEFAULT_TABLE_FONT_SIZE = 10.0
PADDING = 4.0
GRID = (209, 213, 219)
HEADER_FILL = (243, 244, 246)
_LINES = {  # which grid lines each borderMode draws: (outer, inner horizontal, inner vertical)
    "all": (True, True, True),
    "none": (False, False, False),
    "horizontal": (False, True, False),
    "outer": (True, False, False),
    "inner": (False, True, True),
    "inner-horizontal": (False, True, False),
    "vertical": (False, False, True),
    "inner-vertical": (False, False, True),
}


def _cell(value: object) -> tuple[str, dict[str, Any]]:
    """A cell's text and styles: a string, or `{type, data, styles}` (images show as `[image]`)."""
    if isinstance(value, dict):
        data, styles = mapping(value.get("data")), mapping(value.get("styles"))
        if value.get("type") == "image":
            return "[image]", styles
        return text(data.get("content")).replace("\n", " "), styles
    return text(value).replace("\n", " "), {}


def column_widths(data: dict[str, Any], columns: int, fallback: float) -> list[float]:
    """`columnWidths` (missing entries share what is left), else `width` or the box width split equally."""
    total = num(data.get("width"), fallback, 1.0, 1e5)
    given = data.get("columnWidths")
    widths = [num(v, 0.0, 0.0, 1e5) for v in given[:columns]] if isinstance(given, list) else []
    widths = [w if w > 0 else 0.0 for w in widths]
    known = sum(widths)
    missing = columns - sum(1 for w in widths if w > 0)
    share = (
        max(15.0, (total - known) / missing)
        if missing and total > known
        else max(15.0, total / max(columns, 1))
    )
    widths += [0.0] * (columns - len(widths))
    return [w if w > 0 else share for w in widths]


def draw_table(
    node: dict[str, Any],
    rect: Rect,
    data: dict[str, Any],
    styles: dict[str, Any],
    _: ImageSource,
    page_height: float = 1e5,
) -> Group:
    """The table's grid; rows stop at the bottom of the page."""
    x, y, w, _h = rect
    cells = data.get("cells")
    raw: list[Any] = cells if isinstance(cells, list) else []
    rows = [row[:MAX_COLUMNS] if isinstance(row, list) else [] for row in raw[:MAX_ROWS]]
    columns = max((len(row) for row in rows), default=0)
    if columns == 0:
        return Group("Table", tuple(box_styles(styles, rect)))
    widths = column_widths(data, columns, w)
    size = font_size(styles, DEFAULT_TABLE_FONT_SIZE)
    row_height = size * num(styles.get("lineHeight"), 1.5, 0.5, 5.0) + 2 * PADDING
    header_row = data.get("headerRow", styles.get("headerRow")) is True
    header_column = data.get("headerColumn", styles.get("headerColumn")) is True
    colour = first(styles, "color") or INK
    grid = first(styles, "borderColor") or GRID
    outer, inner_h, inner_v = _LINES.get(str(styles.get("borderMode", "all")), _LINES["all"])
    ops: list[Op] = list(box_styles({"backgroundColor": styles.get("backgroundColor")}, rect))
    visible = max(1, min(len(rows), int((page_height - y) // row_height)))
    total_w = sum(widths)
    if header_row:
        ops.append(Box(x, y, total_w, row_height, fill=first(styles, "headerBackgroundColor") or HEADER_FILL))
    for r, row in enumerate(rows[:visible]):
        top, left = y + r * row_height, x
        for c in range(columns):
            content, cell_styles = _cell(row[c] if c < len(row) else "")
            fill = first(cell_styles, "backgroundColor")
            if fill is not None:
                ops.append(Box(left, top, widths[c], row_height, fill=fill))
            bold = (header_row and r == 0) or (header_column and c == 0) or is_bold(cell_styles)
            cell_size = font_size(cell_styles, size)
            line = metrics.fit(content, widths[c] - 2 * PADDING, cell_size, bold)
            if line:
                shift = widths[c] - 2 * PADDING - metrics.width(line, cell_size, bold)
                align = cell_styles.get("textAlign", styles.get("textAlign"))
                offset = shift / 2 if align == "center" else shift if align == "right" else 0.0
                baseline = top + (row_height - cell_size) / 2 + ASCENT * cell_size
                ops.append(
                    Text(
                        left + PADDING + offset,
                        baseline,
                        cell_size,
                        line,
                        first(cell_styles, "color") or colour,
                        bold,
                    )
                )
            left += widths[c]
    ops += _grid(x, y, widths, visible, row_height, grid, outer, inner_h, inner_v)
    return Group("Table", tuple(ops), f"table of {len(rows)} rows")


def _grid(
    x: float,
    y: float,
    widths: list[float],
    rows: int,
    height: float,
    colour: tuple[int, int, int],
    outer: bool,
    inner_h: bool,
    inner_v: bool,
) -> list[Op]:
    total_w, total_h = sum(widths), rows * height
    ops: list[Op] = []
    if outer:
        ops.append(Box(x, y, total_w, total_h, stroke=colour, line_width=0.75))
    if inner_h:
        ops += [
            Path(((x, y + r * height), (x + total_w, y + r * height)), colour, 0.5) for r in range(1, rows)
        ]
    if inner_v:
        left = x
        for width in widths[:-1]:
            left += width
            ops.append(Path(((left, y), (left, y + total_h)), colour, 0.5))
    return ops
