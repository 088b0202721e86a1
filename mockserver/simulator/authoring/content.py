"""Validation of element `data` and `styles` by element type (shared by every era)."""

from __future__ import annotations

from typing import Any

from .errors import AuthoringError
from .guard import array, boolean, choice, integer, keys, need, number, obj, string
from .limits import (
    MAX_COORDINATE,
    MAX_FONT_SIZE,
    MAX_SRC,
    MAX_STYLE_KEYS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
)
from .sizing import DEFAULT_COLUMN_WIDTH
from .vocabulary import Vocabulary

DATA_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"content", "listFormat", "listStart", "dataType", "format"}),
    "image": frozenset({"src", "crop"}),
    "table": frozenset(
        {"rows", "columns", "columnWidths", "width", "cells", "headerRow", "headerColumn", "template"}
    ),
    "shape": frozenset({"shapeType"}),
    "icon": frozenset({"iconId"}),
    "qr": frozenset({"content", "errorCorrectionLevel", "margin"}),
    "barcode": frozenset({"content", "format", "displayValue"}),
}
BOUND_FIELD = {"text": "content", "image": "src", "table": "cells", "qr": "content", "barcode": "content"}
SHAPES = ("rectangle", "circle", "line", "arrow")
CELL_TYPES = ("text", "qr", "barcode", "image")
CROP_KEYS = frozenset({"x", "y", "width", "height", "top", "right", "bottom", "left"})
LEGACY_STYLES = {
    "bold": "styles.bold was renamed: send styles.fontWeight (700 for bold, 400 for regular)",
    "italic": 'styles.italic was renamed: send styles.fontStyle ("italic" or "normal")',
}


def check_src(value: Any, where: str, schemes: tuple[str, ...]) -> str:
    """An image source whose scheme the revision accepts (`assets:<id>`, `uploads:<id>`, data:, https:)."""
    src = string(value, where, MAX_SRC, non_empty=True)
    scheme, _, rest = src.partition(":")
    ok = (
        scheme in schemes
        and bool(rest)
        and (scheme not in ("data", "https") or rest.startswith("image/" if scheme == "data" else "//"))
    )
    if not ok:
        shapes = {
            "assets": "assets:<id>",
            "uploads": "uploads:<id>",
            "data": "data:image/...",
            "https": "https://...",
        }
        listed = ", ".join(shapes[s] for s in schemes)
        raise AuthoringError("INVALID_INPUT", f"{where} must be one of {listed}; got {src[:60]!r}")
    return src


def check_styles(raw: Any, where: str, vocab: Vocabulary, *, patch: bool = False) -> dict[str, Any]:
    """Styles as sent (absent: none): known keys range-checked, others kept. In a patch, null removes."""
    if raw is None:
        return {}
    styles = obj(raw, where)
    if len(styles) > MAX_STYLE_KEYS:
        raise AuthoringError("INVALID_INPUT", f"{where} holds {len(styles)} keys; at most {MAX_STYLE_KEYS}")
    for key, value in styles.items():
        at = f"{where}.{key}"
        string(key, f"{where} key", 64)
        if key in LEGACY_STYLES and not vocab.legacy_style_keys:
            raise AuthoringError("VALIDATION_ERROR", f"{at}: unknown key; {LEGACY_STYLES[key]}")
        if value is None:
            if not patch:
                raise AuthoringError("VALIDATION_ERROR", f"{at} must not be null; leave the key out")
            continue
        if key in LEGACY_STYLES:
            boolean(value, at)
        elif key == "fontSize":
            number(value, at, 0, MAX_FONT_SIZE, above=True)
        elif key == "lineHeight":
            number(value, at, 0, 10, above=True)
        elif key == "letterSpacing":
            number(value, at, -MAX_FONT_SIZE, MAX_FONT_SIZE)
        elif key == "fontWeight" and not (isinstance(value, str) and value in ("normal", "bold")):
            number(value, at, 1, 1000)
        elif key == "fontFamily" and vocab.font_families is not None:
            styles[key] = _font_family(value, at, vocab.font_families)
        elif isinstance(value, str):
            string(value, at)
    return styles


def _font_family(value: Any, where: str, families: frozenset[str]) -> str:
    """A family of the closed font catalog, matched without regard to case and given in its own case."""
    name = string(value, where, 100)
    canonical = {family.casefold(): family for family in families}.get(name.casefold())
    if canonical is None:
        raise AuthoringError("INVALID_INPUT", f"{where}: no font {name!r}; GET /fonts lists the families")
    return canonical


def merge(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`old` updated key by key from `patch`; a null in the patch removes the key."""
    merged = {**old, **patch}
    return {key: value for key, value in merged.items() if value is not None}


def _cell(raw: Any, where: str, vocab: Vocabulary) -> Any:
    if isinstance(raw, str):
        return string(raw, where)
    if not isinstance(raw, dict):
        raise AuthoringError(
            "VALIDATION_ERROR",
            f'{where} must be a string or an object {{type, data, styles?}}; use "" for an empty cell',
        )
    keys(raw, ("type", "data", "styles"), where)
    kind = choice(need(raw, "type", where), f"{where}.type", CELL_TYPES)
    cell: dict[str, Any] = {
        "type": kind,
        "data": element_data(kind, need(raw, "data", where), f"{where}.data", vocab),
    }
    if raw.get("styles") is not None:
        cell["styles"] = check_styles(raw["styles"], f"{where}.styles", vocab)
    return cell


def table_cells(raw: Any, where: str, vocab: Vocabulary) -> list[list[Any]]:
    """A rectangular grid of cells; short rows are padded with empty cells."""
    rows = array(raw, where, MAX_TABLE_ROWS, 1)
    grid = []
    for r, row in enumerate(rows):
        cells = array(row, f"{where}[{r}]", MAX_TABLE_COLUMNS)
        grid.append([_cell(cell, f"{where}[{r}][{c}]", vocab) for c, cell in enumerate(cells)])
    width = max(len(row) for row in grid)
    if width == 0:
        raise AuthoringError("INVALID_INPUT", f"{where}: a table needs at least one column")
    return [row + [""] * (width - len(row)) for row in grid]


def fit_widths(widths: list[float], columns: int) -> list[float]:
    """Column widths trimmed or extended (repeating the last) to `columns` entries."""
    filler = widths[-1] if widths else DEFAULT_COLUMN_WIDTH
    return widths[:columns] + [filler] * max(0, columns - len(widths))


def _table(data: dict[str, Any], where: str, vocab: Vocabulary, refit: bool) -> dict[str, Any]:
    if data.get("cells") is not None:
        cells = table_cells(data["cells"], f"{where}.cells", vocab)
    else:
        if data.get("rows") is None or data.get("columns") is None:
            raise AuthoringError(
                "MISSING_REQUIRED_FIELD", f"{where}.cells (or {where}.rows and {where}.columns) is required"
            )
        rows = integer(data["rows"], f"{where}.rows", 1, MAX_TABLE_ROWS)
        columns = integer(data["columns"], f"{where}.columns", 1, MAX_TABLE_COLUMNS)
        cells = [[""] * columns for _ in range(rows)]
    # The grid decides the size: rows/columns sent alongside cells are overwritten by it.
    out = {**data, "cells": cells, "rows": len(cells), "columns": len(cells[0])}
    columns = len(cells[0])
    if data.get("width") is not None and data.get("columnWidths") is not None:
        raise AuthoringError("VALIDATION_ERROR", f"{where}: send either columnWidths or width, not both")
    if data.get("width") is not None:
        # Stored as the split, so a later change of column count keeps widths per column.
        total = number(out.pop("width"), f"{where}.width", 0, MAX_COORDINATE, above=True)
        out["columnWidths"] = [round(total / columns, 2)] * columns
    elif data.get("columnWidths") is not None:
        widths = [
            number(w, f"{where}.columnWidths[{i}]", 0, MAX_COORDINATE, above=True)
            for i, w in enumerate(array(data["columnWidths"], f"{where}.columnWidths", MAX_TABLE_COLUMNS))
        ]
        if refit:
            widths = fit_widths(widths, columns)
        elif len(widths) != columns:
            raise AuthoringError(
                "INVALID_INPUT",
                f"{where}.columnWidths has {len(widths)} entries; the table has {columns} columns",
            )
        out["columnWidths"] = widths
    else:
        out["columnWidths"] = [DEFAULT_COLUMN_WIDTH] * columns
    for flag in ("headerRow", "headerColumn"):
        if data.get(flag) is not None:
            boolean(data[flag], f"{where}.{flag}")
    if data.get("template") is not None:
        string(data["template"], f"{where}.template", 100)
    return out


def element_data(
    kind: str, raw: Any, where: str, vocab: Vocabulary, *, refit: bool = False
) -> dict[str, Any]:
    """The `data` of an element of type `kind`, checked and normalised (defaults filled in).

    `refit`: stored table column widths follow a changed column count instead of being an error.
    """
    data = obj(raw, where)
    keys(data, DATA_KEYS[kind], where)
    data = {key: value for key, value in data.items() if value is not None}
    if kind == "table":
        return _table(data, where, vocab, refit)
    if kind == "text":
        content = need(data, "content", where)
        if isinstance(content, list):
            items = array(content, f"{where}.content", MAX_TABLE_ROWS)
            for i, item in enumerate(items):
                string(item, f"{where}.content[{i}]")
            if data.get("listFormat") not in ("ordered", "unordered"):
                raise AuthoringError(
                    "INVALID_INPUT",
                    f"{where}.content is a list: set {where}.listFormat to 'ordered' or 'unordered'",
                )
        else:
            string(content, f"{where}.content")
        if "listFormat" in data:
            choice(data["listFormat"], f"{where}.listFormat", ("ordered", "unordered", "none"))
        if "listStart" in data:
            integer(data["listStart"], f"{where}.listStart", 0, 1_000_000)
        for key in ("dataType", "format"):
            if key in data:
                string(data[key], f"{where}.{key}", 100)
    elif kind == "image":
        data["src"] = check_src(need(data, "src", where), f"{where}.src", vocab.src_schemes)
        if "crop" in data:
            crop = obj(data["crop"], f"{where}.crop")
            keys(crop, CROP_KEYS, f"{where}.crop")
            for key, value in crop.items():
                number(value, f"{where}.crop.{key}", 0, 1)
    elif kind in ("qr", "barcode"):
        string(need(data, "content", where), f"{where}.content", non_empty=True)
        if kind == "qr":
            if "errorCorrectionLevel" in data:
                choice(data["errorCorrectionLevel"], f"{where}.errorCorrectionLevel", ("L", "M", "Q", "H"))
            if "margin" in data:
                integer(data["margin"], f"{where}.margin", 0, 100)
        else:
            data["format"] = string(data.get("format", "CODE128"), f"{where}.format", 32, non_empty=True)
            if "displayValue" in data:
                boolean(data["displayValue"], f"{where}.displayValue")
    elif kind == "shape":
        choice(need(data, "shapeType", where), f"{where}.shapeType", SHAPES)
    elif kind == "icon":
        string(need(data, "iconId", where), f"{where}.iconId", 64, non_empty=True)
    return data
