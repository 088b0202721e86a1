"""Era A authoring: `{tool, input}` calls, in the docs' flat form and the vendor client's list form.

Both vocabularies write the same tree. Results are `{tool, status: "success", data}`, mirroring
the B/C action results (the A docs leave the shape open).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from . import pages
from .actions import page_action
from .binding import Context, bind, unbind
from .content import BOUND_FIELD, check_styles, element_data, merge
from .elements import box, derive, free_position, make_node
from .errors import AuthoringError
from .guard import array, choice, keys, need, number, obj, string, suggest
from .limits import MAX_COORDINATE, MAX_FONT_SIZE, MAX_ID, MAX_LIST_ITEMS, MAX_NAME
from .steps import TOOLS, apply_steps
from .tree import Tree, attach, by_id, check_room, detach, fresh_id, page_index
from .vocabulary import Vocabulary

ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
FLAT_KEYS = (
    "type",
    "id",
    "page",
    "x",
    "y",
    "width",
    "height",
    "text",
    "fontSize",
    "src",
    "content",
    "shapeType",
    "format",
    "columns",
    "cells",
    "variable",
    "styles",
)
ELEMENT_KEYS = ("id", "type", "name", "page", "position", "data", "styles")
FLAT_SIZE = {"image": (200.0, 150.0), "shape": (100.0, 100.0), "barcode": (200.0, 60.0), "qr": (100.0, 100.0)}


def _kind(ctx: Context, value: Any, where: str) -> str:
    return choice(value, where, ctx.vocab.element_types)


def _new_id(ctx: Context, value: Any, kind: str, where: str) -> str:
    """The client's id (checked, unique) or a minted one."""
    if value is None:
        return fresh_id(ctx.tree, ctx.mint, kind)
    node_id = string(value, where, MAX_ID, non_empty=True)
    if not ID.match(node_id):
        raise AuthoringError(
            "INVALID_INPUT", f"{where}: use letters, digits, '_', '-', '.' or ':' in element ids"
        )
    if node_id in ctx.tree["nodes"]:
        raise AuthoringError("INVALID_INPUT", f"{where}: an element with id {node_id!r} already exists")
    return node_id


def _placed(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": node["id"], "type": node["type"], "page": node["page"], "position": box(node)}


def _sizes(kind: str, position: dict[str, Any], data: dict[str, Any]) -> bool:
    """Client-given w of text fixes its width (wrapping) and h its height; a table's w is its total
    width and its h follows its rows. True when a text height is pinned."""
    if kind == "text":
        if "w" in position:
            position["maxWidth"] = position.pop("w")
        return "h" in position
    if kind == "table":
        width = position.pop("w", None)
        position.pop("h", None)
        if width and "columnWidths" not in data:
            data["columnWidths"] = [round(width / data["columns"], 2)] * data["columns"]
    return False


def _element(ctx: Context, raw: Any, where: str, default_page: Any) -> dict[str, Any]:
    """Add one element of the client's form {id, type, position{x,y,w,h}, data, styles}."""
    item = obj(raw, where)
    keys(item, ELEMENT_KEYS, where)
    kind = _kind(ctx, need(item, "type", where), f"{where}.type")
    node_id = _new_id(ctx, item.get("id"), kind, f"{where}.id")
    name = (
        None if item.get("name") is None else string(item["name"], f"{where}.name", MAX_NAME, non_empty=True)
    )
    page = page_index(ctx.tree, item.get("page", default_page), f"{where}.page")
    position = free_position(kind, need(item, "position", where), f"{where}.position")
    data = element_data(kind, need(item, "data", where), f"{where}.data", ctx.vocab)
    styles = check_styles(item.get("styles"), f"{where}.styles", ctx.vocab)
    fixed = _sizes(kind, position, data)
    check_room(ctx.tree)
    node = make_node(kind, node_id, name, page, position, data, styles, fixed_height=fixed)
    ctx.check_node_refs(node, where)
    attach(ctx.tree, node)
    return node


def _flat(ctx: Context, item: dict[str, Any]) -> dict[str, Any]:
    """The docs' flat add_element {type, text, x, y, width, height, fontSize, ...}."""
    keys(item, FLAT_KEYS, "input")
    kind = _kind(ctx, need(item, "type", "input"), "input.type")
    variable = (
        None
        if item.get("variable") is None
        else string(item["variable"], "input.variable", MAX_NAME, non_empty=True)
    )
    styles = check_styles(item.get("styles"), "input.styles", ctx.vocab)
    if item.get("fontSize") is not None:
        styles["fontSize"] = number(item["fontSize"], "input.fontSize", 0, MAX_FONT_SIZE, above=True)
    position: dict[str, Any] = {key: item.get(key, 0) for key in ("x", "y")}
    for key, short in (("width", "w"), ("height", "h")):
        if item.get(key) is not None:
            position[short] = number(item[key], f"input.{key}", 0, MAX_COORDINATE, above=True)
        elif kind in FLAT_SIZE:
            position[short] = FLAT_SIZE[kind][short == "h"]
    placeholder = f"{{{{{variable}}}}}" if variable else None
    raw: dict[str, Any]
    if kind == "text":
        raw = {"content": need(item, "text", "input")}
    elif kind == "table":
        columns = item.get("columns")
        header = (
            [string(c, f"input.columns[{i}]") for i, c in enumerate(array(columns, "input.columns", 50, 1))]
            if columns
            else None
        )
        cells = item.get("cells") or ([header, [""] * len(header)] if header else None)
        raw = {"cells": cells, "headerRow": bool(header)} if cells else {"rows": 1, "columns": 1}
    elif kind == "image":
        raw = {"src": item.get("src") if item.get("src") is not None or not variable else "assets:unbound"}
    elif kind == "shape":
        raw = {"shapeType": item.get("shapeType", "rectangle")}
    else:
        raw = {"content": item.get("content", placeholder)}
        if kind == "barcode" and item.get("format") is not None:
            raw["format"] = item["format"]
    data = element_data(kind, raw, "input", ctx.vocab)
    if kind == "image" and item.get("src") is None:
        data["src"] = None  # bound but empty: drawn as a placeholder box until a value arrives
    node = _element_from(ctx, kind, item, position, data, styles)
    if variable:
        bind(ctx.tree, node, variable, "input.variable")
    return _placed(node)


def _element_from(
    ctx: Context,
    kind: str,
    item: dict[str, Any],
    position: dict[str, Any],
    data: dict[str, Any],
    styles: dict[str, Any],
) -> dict[str, Any]:
    node_id = _new_id(ctx, item.get("id"), kind, "input.id")
    page = page_index(ctx.tree, item.get("page", 0), "input.page")
    position = free_position(kind, position, "input")
    fixed = _sizes(kind, position, data)
    check_room(ctx.tree)
    node = make_node(kind, node_id, None, page, position, data, styles, fixed_height=fixed)
    ctx.check_node_refs(node, "input")
    attach(ctx.tree, node)
    return node


def add_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    if "position" in args or "data" in args:
        return _placed(_element(ctx, args, "input", 0))
    return _flat(ctx, args)


def add_elements(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("elements", "page"), "input")
    items = array(need(args, "elements", "input"), "input.elements", MAX_LIST_ITEMS, 1)
    return {
        "elements": [
            _placed(_element(ctx, item, f"input.elements[{i}]", args.get("page", 0)))
            for i, item in enumerate(items)
        ]
    }


def _update(ctx: Context, raw: Any, where: str) -> dict[str, Any]:
    item = obj(raw, where)
    keys(item, ("id", "data", "styles", "position", "name"), where)
    node = by_id(ctx.tree, string(need(item, "id", where), f"{where}.id", MAX_ID), f"{where}.id")
    if all(item.get(key) is None for key in ("data", "styles", "position", "name")):
        raise AuthoringError(
            "MISSING_REQUIRED_FIELD", f"{where}: send at least one of data, styles, position"
        )
    if item.get("data") is not None:
        patch = obj(item["data"], f"{where}.data")
        node["data"] = element_data(
            node["type"],
            merge(node["data"], patch),
            f"{where}.data",
            ctx.vocab,
            refit="columnWidths" not in patch,
        )
    if item.get("styles") is not None:
        node["styles"] = merge(
            node["styles"], check_styles(item["styles"], f"{where}.styles", ctx.vocab, patch=True)
        )
    if item.get("name") is not None:
        node["name"] = string(item["name"], f"{where}.name", MAX_NAME, non_empty=True)
    if item.get("position") is not None:
        position = free_position(node["type"], item["position"], f"{where}.position", patch=True)
        if _sizes(node["type"], position, node["data"]):
            node["fixedHeight"] = True
        node["position"].update(position)
    derive(node)
    ctx.check_node_refs(node, where)
    return _placed(node)


def update_elements(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("updates",), "input")
    items = array(need(args, "updates", "input"), "input.updates", MAX_LIST_ITEMS, 1)
    return {"elements": [_update(ctx, item, f"input.updates[{i}]") for i, item in enumerate(items)]}


def update_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    return _update(ctx, args, "input")


def remove_elements(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("ids",), "input")
    ids = array(need(args, "ids", "input"), "input.ids", MAX_LIST_ITEMS, 1)
    for i, node_id in enumerate(ids):
        detach(ctx.tree, by_id(ctx.tree, string(node_id, f"input.ids[{i}]", MAX_ID), f"input.ids[{i}]")["id"])
    return {"ids": list(ids)}


def remove_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("id", "elementId"), "input")
    key = "elementId" if args.get("id") is None and args.get("elementId") is not None else "id"
    node_id = string(need(args, key, "input"), f"input.{key}", MAX_ID)
    detach(ctx.tree, by_id(ctx.tree, node_id, f"input.{key}")["id"])
    return {"id": node_id}


def _binding(ctx: Context, raw: Any, where: str) -> dict[str, Any]:
    item = obj(raw, where)
    keys(item, ("nodeId", "field", "type", "name"), where)
    node = by_id(ctx.tree, string(need(item, "nodeId", where), f"{where}.nodeId", MAX_ID), f"{where}.nodeId")
    name = string(need(item, "name", where), f"{where}.name", MAX_NAME, non_empty=True)
    field = BOUND_FIELD.get(node["type"])
    if item.get("field") is not None and field is not None and item["field"] != field:
        raise AuthoringError(
            "INVALID_INPUT", f"{where}.field: a {node['type']} element binds {field!r}, not {item['field']!r}"
        )
    if item.get("type") is not None and item["type"] != node["type"]:
        raise AuthoringError(
            "INVALID_INPUT", f"{where}.type: element {node['id']!r} is a {node['type']}, not {item['type']!r}"
        )
    result = bind(ctx.tree, node, name, where)
    return {"name": name, "nodeId": node["id"], "field": result["field"], "type": node["type"]}


def bind_variables(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("bindings",), "input")
    items = array(need(args, "bindings", "input"), "input.bindings", MAX_LIST_ITEMS, 1)
    return {"variables": [_binding(ctx, item, f"input.bindings[{i}]") for i, item in enumerate(items)]}


def bind_variable(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    return _binding(ctx, args, "input")


def _target(ctx: Context, raw: Any, where: str) -> str:
    """An unbind target: a variable name or an element id, bare or as {name} / {nodeId}."""
    if isinstance(raw, dict):
        keys(raw, ("name", "nodeId"), where)
        raw = raw.get("name", raw.get("nodeId"))
    value = string(raw, where, MAX_NAME, non_empty=True)
    variables = ctx.tree["variables"]
    if value in variables:
        del variables[value]
        return value
    if value in ctx.tree["nodes"]:
        return str(unbind(ctx.tree, ctx.tree["nodes"][value], where)["name"])
    raise AuthoringError(
        "INVALID_INPUT", f"{where}: no variable or bound element {value!r}{suggest(value, variables)}"
    )


def unbind_variables(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("targets",), "input")
    items = array(need(args, "targets", "input"), "input.targets", MAX_LIST_ITEMS, 1)
    return {"removed": [_target(ctx, item, f"input.targets[{i}]") for i, item in enumerate(items)]}


def _wrap(
    handler: Callable[[Context, dict[str, Any]], dict[str, Any]],
) -> Callable[[Context, dict[str, Any]], dict[str, Any]]:
    """Page tools report errors under `input` where actions say `args`."""

    def run(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return handler(ctx, args)
        except AuthoringError as exc:
            raise AuthoringError(exc.code, exc.message.replace("args", "input", 1)) from None

    return run


HANDLERS: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    "add_page": _wrap(page_action(pages.add_page)),
    "add_element": add_element,
    "add_elements": add_elements,
    "update_element": update_element,
    "update_elements": update_elements,
    "remove_element": remove_element,
    "remove_elements": remove_elements,
    "bind_variable": bind_variable,
    "bind_variables": bind_variables,
    "unbind_variables": unbind_variables,
    "set_page_background": _wrap(page_action(pages.set_page_background)),
    "set_document_background": _wrap(page_action(pages.set_document_background)),
    "set_metadata": _wrap(page_action(pages.set_metadata, with_vocab=False)),
}


def apply_tools(
    tree: Tree,
    calls: Sequence[Any],
    vocab: Vocabulary,
    mint: Callable[[str], str],
    *,
    ref_exists: Callable[[str], bool] | None = None,
) -> tuple[Tree, list[dict[str, Any]]]:
    """Apply Era A tool calls to a copy of `tree`: (the new tree, one result per call).

    Any failure raises AuthoringError (`tools[i] (name) failed: ...`) and leaves `tree` untouched.
    """
    return apply_steps(TOOLS, HANDLERS, tree, calls, vocab, mint, ref_exists)
