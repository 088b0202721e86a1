"""Derived sizes: text boxes from content and font metrics, tables from column widths and rows.

The model is deliberately simple: every glyph is 0.6 em wide (x1.1 when bold), a line is
fontSize x lineHeight tall. It reproduces the docs' example (`INVOICE`, 24 pt bold: w 111 vs
the docs' 112, h 36 exactly).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

GLYPH_EM = 0.6
BOLD_FACTOR = 1.1
DEFAULT_FONT_SIZE = 16.0
DEFAULT_LINE_HEIGHT = 1.5
TABLE_FONT_SIZE = 10.0
TABLE_PADDING = 5.0
DEFAULT_COLUMN_WIDTH = 100.0
OBJECT_CELL_HEIGHT = 40.0  # qr, barcode and image cells


def tidy(value: float) -> float:
    """Round to hundredths; whole numbers come back as ints so results read like the docs'."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def is_bold(styles: Mapping[str, Any]) -> bool:
    weight = styles.get("fontWeight")
    if weight == "bold" or styles.get("bold") is True:
        return True
    return isinstance(weight, int | float) and not isinstance(weight, bool) and weight >= 600


def _font(styles: Mapping[str, Any], default_size: float) -> tuple[float, float, float]:
    """Glyph width, line height and letter spacing in points."""
    size = styles.get("fontSize", default_size)
    line = styles.get("lineHeight", DEFAULT_LINE_HEIGHT)
    spacing = styles.get("letterSpacing", 0)
    size = size if isinstance(size, int | float) and not isinstance(size, bool) else default_size
    line = line if isinstance(line, int | float) and not isinstance(line, bool) else DEFAULT_LINE_HEIGHT
    spacing = spacing if isinstance(spacing, int | float) and not isinstance(spacing, bool) else 0
    glyph = size * GLYPH_EM * (BOLD_FACTOR if is_bold(styles) else 1.0)
    return glyph, size * line, float(spacing)


def _measure(line: str, glyph: float, spacing: float) -> float:
    return len(line) * glyph + max(len(line) - 1, 0) * spacing


def _wrap(paragraph: str, width: float, glyph: float, spacing: float) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between characters."""
    per_line = max(1, int((width + spacing) // (glyph + spacing))) if glyph + spacing > 0 else 1 << 30
    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        candidate = f"{current} {word}" if current else word
        if _measure(candidate, glyph, spacing) <= width or not candidate:
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(word) > per_line:
            lines.append(word[:per_line])
            word = word[per_line:]
        current = word
    lines.append(current)
    return lines


def text_lines(data: Mapping[str, Any]) -> list[str]:
    """The paragraphs of a text element: its content, list items prefixed with their marker."""
    content = data.get("content", "")
    if isinstance(content, list):
        start = data.get("listStart", 1)
        ordered = data.get("listFormat") == "ordered"
        first = start if isinstance(start, int) and not isinstance(start, bool) else 1
        return [f"{first + i}. {item}" if ordered else f"\u2022 {item}" for i, item in enumerate(content)]
    return str(content).split("\n")


def text_size(
    data: Mapping[str, Any], styles: Mapping[str, Any], max_width: float | None
) -> tuple[float, float]:
    """(w, h) of a text box: hugs the content, or exactly `max_width` wide with the content wrapped."""
    glyph, line_height, spacing = _font(styles, DEFAULT_FONT_SIZE)
    paragraphs = text_lines(data)
    if max_width is None:
        width = max((_measure(p, glyph, spacing) for p in paragraphs), default=0.0)
        return tidy(math.ceil(width)), tidy(len(paragraphs) * line_height)
    count = sum(len(_wrap(p, max_width, glyph, spacing)) for p in paragraphs)
    return tidy(max_width), tidy(count * line_height)


def cell_text(cell: Any) -> str:
    """The text a table cell shows: a plain string, or an object cell's content or src."""
    if isinstance(cell, dict):
        data = cell.get("data") or {}
        value = data.get("content", data.get("src", ""))
        return value if isinstance(value, str) else ""
    return cell if isinstance(cell, str) else ""


def row_heights(
    cells: Sequence[Sequence[Any]], widths: Sequence[float], styles: Mapping[str, Any]
) -> list[float]:
    """The height of each table row: its tallest cell, wrapped to the cell's width, plus padding."""
    glyph, line_height, spacing = _font(styles, TABLE_FONT_SIZE)
    heights = []
    for row in cells:
        tallest = line_height
        for column, cell in enumerate(row):
            if isinstance(cell, dict) and cell.get("type") in ("qr", "barcode", "image"):
                tallest = max(tallest, OBJECT_CELL_HEIGHT)
                continue
            inner = max(widths[column] - 2 * TABLE_PADDING, glyph) if column < len(widths) else glyph
            count = sum(len(_wrap(p, inner, glyph, spacing)) for p in cell_text(cell).split("\n"))
            tallest = max(tallest, count * line_height)
        heights.append(tidy(tallest + 2 * TABLE_PADDING))
    return heights


def table_size(data: Mapping[str, Any], styles: Mapping[str, Any]) -> tuple[float, float]:
    """(w, h) of a table: the sum of its column widths by the sum of its row heights."""
    widths = [float(w) for w in data.get("columnWidths", [])]
    return tidy(sum(widths)), tidy(sum(row_heights(data.get("cells", []), widths, styles)))
