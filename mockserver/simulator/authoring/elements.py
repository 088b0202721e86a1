"""Element nodes: positions by type, derived boxes, and building or patching a node."""

from __future__ import annotations

from typing import Any

from .guard import keys, need, number, obj
from .limits import MAX_COORDINATE
from .sizing import table_size, text_size, tidy

Node = dict[str, Any]

_TEXT_HINT = "the width of text is derived from its content; send position.maxWidth to fix the width and wrap"
_TEXT_H_HINT = "the height of text is derived from its content, fontSize and lineHeight; leave position.h out"
_TABLE_HINT = (
    "a table's width comes from data.columnWidths (points per column) or data.width (total, split equally)"
)
_TABLE_H_HINT = "a table's height follows its rows; leave position.h out"
_QR_HINT = "a QR code is square: send position.size instead of w and h"
POSITION_KEYS: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    "text": (frozenset({"x", "y", "maxWidth"}), {"w": _TEXT_HINT, "width": _TEXT_HINT, "h": _TEXT_H_HINT}),
    "table": (frozenset({"x", "y"}), {"w": _TABLE_HINT, "width": _TABLE_HINT, "h": _TABLE_H_HINT}),
    "qr": (frozenset({"x", "y", "size"}), {"w": _QR_HINT, "h": _QR_HINT}),
}
BOX_KEYS = (frozenset({"x", "y", "w", "h"}), {"width": "send position.w", "height": "send position.h"})


def _coordinate(value: Any, where: str) -> float:
    return number(value, where, -MAX_COORDINATE, MAX_COORDINATE)


def _extent(value: Any, where: str, *, zero: bool = False) -> float:
    return number(value, where, 0, MAX_COORDINATE, above=not zero)


def typed_position(kind: str, raw: Any, where: str, *, patch: bool = False) -> dict[str, Any]:
    """A B/C `position`: {x,y,maxWidth?} text, {x,y} table, {x,y,size} qr, {x,y,w,h} the rest.

    With `patch`, every key is optional and maxWidth may be null (back to hugging the content).
    """
    position = obj(raw, where)
    allowed, hints = POSITION_KEYS.get(kind, BOX_KEYS)
    keys(position, allowed, where, hints)
    out: dict[str, Any] = {}
    for key in sorted(allowed):
        if key not in position or (patch and position[key] is None and key != "maxWidth"):
            if not patch and key != "maxWidth":
                need(position, key, where)
            continue
        value = position[key]
        if key in ("x", "y"):
            out[key] = _coordinate(value, f"{where}.{key}")
        elif value is None:
            out[key] = None  # maxWidth: null clears it
        else:
            out[key] = _extent(value, f"{where}.{key}", zero=key in ("w", "h"))
    return out


def free_position(kind: str, raw: Any, where: str, *, patch: bool = False) -> dict[str, Any]:
    """An Era A `position` {x,y,w,h}: w/h may be left out for text and tables (then derived)."""
    position = obj(raw, where)
    allowed = {"x", "y", "w", "h"} | ({"size"} if kind == "qr" else set())
    keys(position, allowed, where, {"width": "send position.w", "height": "send position.h"})
    out: dict[str, Any] = {}
    for key in ("x", "y"):
        if position.get(key) is not None:
            out[key] = _coordinate(position[key], f"{where}.{key}")
        elif not patch:
            need(position, key, where)
    if position.get("size") is not None:
        out["w"] = out["h"] = _extent(position["size"], f"{where}.size")
    for key in ("w", "h"):
        if position.get(key) is not None:
            out[key] = _extent(position[key], f"{where}.{key}", zero=True)
        elif not patch and kind not in ("text", "table") and key not in out:
            need(position, key, where)
    return out


def derive(node: Node) -> None:
    """Fill in the node's derived box: text from its content (Era A may pin h), tables, qr size."""
    position = node["position"]
    kind = node["type"]
    if kind == "text":
        w, h = text_size(node["data"], node["styles"], position.get("maxWidth"))
        position["w"] = w
        if not (node.get("fixedHeight") and "h" in position):
            position["h"] = h
    elif kind == "table":
        position["w"], position["h"] = table_size(node["data"], node["styles"])
    elif kind == "qr" and "size" in position:
        position["w"] = position["h"] = position.pop("size")


def make_node(
    kind: str,
    node_id: str,
    name: str | None,
    page: int,
    position: dict[str, Any],
    data: dict[str, Any],
    styles: dict[str, Any],
    *,
    fixed_height: bool = False,
) -> Node:
    """A node with its derived box filled in; `fixed_height` keeps a client-given text h (Era A)."""
    place = {key: value for key, value in position.items() if value is not None}
    node = {
        "id": node_id,
        "type": kind,
        "name": name,
        "page": page,
        "position": place,
        "data": data,
        "styles": styles,
        "isLocked": False,
        "isHidden": False,
    }
    if fixed_height:
        node["fixedHeight"] = True
    derive(node)
    for key in ("x", "y", "w", "h"):
        place[key] = tidy(place[key])
    return node


def box(node: Node) -> dict[str, Any]:
    """The {x, y, w, h} a result echoes."""
    position = node["position"]
    return {key: position[key] for key in ("x", "y", "w", "h")}


def summary(node: Node) -> dict[str, Any]:
    """The `data` of an add_element / update_element result: {id, name, type, position}."""
    return {"id": node["id"], "name": node["name"], "type": node["type"], "position": box(node)}
