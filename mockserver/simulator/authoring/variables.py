"""Variables of a design, derived from its tree; checking generate-time values; filling them in.

Explicit bindings (every era) live in `tree["variables"]`. In Era A, `{{name}}` in a text
element's content is also a text variable; those are found by scanning the tree.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from .elements import derive
from .errors import AuthoringError
from .guard import kind
from .limits import MAX_STRING, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from .sizing import cell_text
from .tree import Tree
from .vocabulary import Vocabulary

TOKEN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _placeholders(vocab: Vocabulary | None) -> bool:
    return vocab is None or vocab.era == "A"


def _texts(node: dict[str, Any]) -> list[str]:
    content = node["data"].get("content", "")
    return [c for c in content if isinstance(c, str)] if isinstance(content, list) else [str(content)]


def _default(node: dict[str, Any], field: str) -> Any:
    value = node["data"].get(field)
    if field == "cells":
        return [[cell_text(cell) for cell in row] for row in value or []]
    return copy.deepcopy(value)


def variables(tree: Tree, vocab: Vocabulary | None = None) -> dict[str, dict[str, Any]]:
    """name -> {type, nodeId, field, default} (tables add `columns`: the header row or None).

    `{{placeholders}}` in text count only in Era A: pass the revision's vocabulary (None means A rules).
    """
    found: dict[str, dict[str, Any]] = {}
    if _placeholders(vocab):
        for page in tree["pages"]:
            for node_id in page["children"]:
                node = tree["nodes"][node_id]
                if node["type"] != "text":
                    continue
                for text in _texts(node):
                    for name in TOKEN.findall(text):
                        found.setdefault(
                            name,
                            {
                                "type": "text",
                                "nodeId": node_id,
                                "field": "content",
                                "default": f"{{{{{name}}}}}",
                            },
                        )
    for name, binding in tree["variables"].items():
        node = tree["nodes"][binding["nodeId"]]
        entry = {
            "type": binding["type"],
            "nodeId": node["id"],
            "field": binding["field"],
            "default": _default(node, binding["field"]),
        }
        if binding["type"] == "table":
            cells = entry["default"]
            entry["columns"] = cells[0] if node["data"].get("headerRow") and cells else None
        found[name] = entry
    return found


def _fail(code: str, message: str) -> AuthoringError:
    return AuthoringError("VALIDATION_ERROR" if code == "shape" else "INVALID_INPUT", message)


def _check_table(value: Any, at: str) -> None:
    if isinstance(value, str):
        raise _fail("shape", f"{at} must be a 2-D array of strings (rows of cells), not a JSON string")
    if not isinstance(value, list):
        raise _fail("shape", f"{at} must be a 2-D array of strings (rows of cells), not {kind(value)}")
    if len(value) > MAX_TABLE_ROWS:
        raise _fail("range", f"{at} has {len(value)} rows; a table holds at most {MAX_TABLE_ROWS}")
    for r, row in enumerate(value):
        if not isinstance(row, list):
            raise _fail("shape", f"{at}[{r}] must be an array of cells, not {kind(row)}")
        if len(row) > MAX_TABLE_COLUMNS:
            raise _fail(
                "range", f"{at}[{r}] has {len(row)} cells; a table holds at most {MAX_TABLE_COLUMNS} columns"
            )
        for c, cell in enumerate(row):
            if cell is not None and not isinstance(cell, str):
                raise _fail("shape", f"{at}[{r}][{c}] must be a string or null, not {kind(cell)}")
            if isinstance(cell, str) and len(cell) > MAX_STRING:
                raise _fail("range", f"{at}[{r}][{c}] is longer than {MAX_STRING} characters")


def _check_image(value: Any, at: str, vocab: Vocabulary, ref_exists: Callable[[str], bool]) -> None:
    if not isinstance(value, str):
        raise _fail("shape", f"{at} must be a string image ref, not {kind(value)}")
    scheme, _, rest = value.partition(":")
    if scheme == "data" and vocab.drop_inline_images:
        return  # dropped before rendering: the element keeps its design-time image
    if scheme not in vocab.image_schemes or not rest:
        listed = " or ".join(f"{s}:<id>" for s in vocab.image_schemes)
        raise _fail("range", f"{at} must be an image ref {listed}; got {value[:60]!r}")
    if not ref_exists(value):
        raise _fail("range", f"{at}: no image {value!r} in this workspace")


def check_values(
    tree: Tree,
    values: Mapping[str, Any],
    vocab: Vocabulary,
    ref_exists: Callable[[str], bool],
    where: str = "data",
) -> None:
    """Raise AuthoringError unless `values` suit the design's variables.

    A wrong JSON shape is VALIDATION_ERROR; a right shape with an unacceptable value (too many
    rows, an unknown image ref, a scheme the revision does not take) is INVALID_INPUT. Keys that
    are not variables are ignored; null means "use the default".
    """
    if not isinstance(values, Mapping):
        raise _fail("shape", f"{where} must be an object of variable name -> value, not {kind(values)}")
    for name, spec in variables(tree, vocab).items():
        value = values.get(name)
        if value is None:
            continue
        at = f"{where}.{name}"
        if spec["type"] == "table":
            _check_table(value, at)
        elif spec["type"] == "image":
            _check_image(value, at, vocab, ref_exists)
        elif not isinstance(value, str):
            raise _fail("shape", f"{at} must be a string, not {kind(value)}")
        elif len(value) > MAX_STRING:
            raise _fail("range", f"{at} is longer than {MAX_STRING} characters")


def _fill_cells(node: dict[str, Any], rows: list[list[Any]]) -> None:
    """Replace a table's cells; new rows copy the styling of the last row, extra cells are dropped."""
    old = node["data"]["cells"]
    columns = len(old[0]) if old else max((len(r) for r in rows), default=1)
    template = old[-1] if old else [""] * columns
    grid = []
    for r, row in enumerate(rows):
        model = old[r] if r < len(old) else template
        cells: list[Any] = []
        for c in range(columns):
            text = row[c] if c < len(row) and row[c] is not None else ""
            shape = model[c] if c < len(model) else ""
            if isinstance(shape, dict):
                field = "src" if shape["type"] == "image" else "content"
                cells.append({**copy.deepcopy(shape), "data": {**shape["data"], field: text}})
            else:
                cells.append(text)
        grid.append(cells)
    node["data"]["cells"] = grid
    node["data"]["rows"] = len(grid)


def _substitute(text: str, values: Mapping[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if isinstance(value, str) else match.group(0)

    return TOKEN.sub(one, text)


def fill(tree: Tree, values: Mapping[str, Any], vocab: Vocabulary | None = None) -> Tree:
    """A copy of `tree` with `values` applied, boxes re-derived, ready to draw.

    Bound elements take their value (tables grow or shrink; null cells render empty). In Era A
    (`vocab` None or era A) `{{name}}` in text is replaced too; a token with no string value is
    left as written, which is also what previews show. Inline `data:` image values are dropped.
    """
    filled = copy.deepcopy(tree)
    for name, binding in filled["variables"].items():
        value = values.get(name)
        node = filled["nodes"][binding["nodeId"]]
        if value is None:
            continue
        if binding["type"] == "table" and isinstance(value, list):
            _fill_cells(node, [row if isinstance(row, list) else [] for row in value])
        elif binding["type"] == "image" and isinstance(value, str) and not value.startswith("data:"):
            node["data"]["src"] = value
        elif isinstance(value, str) and binding["type"] != "image":
            node["data"][binding["field"]] = value
    if _placeholders(vocab):
        for node in filled["nodes"].values():
            if node["type"] == "text":
                content = node["data"].get("content")
                if isinstance(content, list):
                    node["data"]["content"] = [
                        _substitute(c, values) if isinstance(c, str) else c for c in content
                    ]
                elif isinstance(content, str):
                    node["data"]["content"] = _substitute(content, values)
    for node in filled["nodes"].values():
        if node["type"] in ("text", "table"):
            derive(node)
    return filled
