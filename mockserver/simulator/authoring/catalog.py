"""The catalogs clients read: GET /tools (Era A) and GET /actions (B/C), with JSON Schemas."""

from __future__ import annotations

from typing import Any

from .content import CELL_TYPES, SHAPES
from .limits import MAX_LIST_ITEMS, MAX_NAME, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from .pages import FLAT, METADATA, SIZES
from .tree import PAPER
from .vocabulary import Vocabulary

Schema = dict[str, Any]
NUM: Schema = {"type": "number"}
INT: Schema = {"type": "integer", "minimum": 0}
STR: Schema = {"type": "string"}
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}


def _obj(
    props: dict[str, Schema], required: tuple[str, ...] = (), *, closed: bool = True, text: str = ""
) -> Schema:
    schema: Schema = {"type": "object", "properties": props, "additionalProperties": not closed}
    if required:
        schema["required"] = list(required)
    if text:
        schema["description"] = text
    return schema


def _positions(era: str) -> Schema:
    if era == "A":
        return _obj(
            {"x": NUM, "y": NUM, "w": NUM, "h": NUM},
            ("x", "y"),
            text="Points from the page's top-left; w/h may be left out for text and tables.",
        )
    return {
        "description": "By element type: text {x,y,maxWidth?}; table {x,y}; qr {x,y,size}; others {x,y,w,h}.",
        "anyOf": [
            _obj({"x": NUM, "y": NUM, "maxWidth": NUM}, ("x", "y"), text="text: the box hugs the content"),
            _obj({"x": NUM, "y": NUM}, ("x", "y"), text="table: sized by data.columnWidths or data.width"),
            _obj({"x": NUM, "y": NUM, "size": NUM}, ("x", "y", "size"), text="qr: always square"),
            _obj(
                {"x": NUM, "y": NUM, "w": NUM, "h": NUM},
                ("x", "y", "w", "h"),
                text="image, barcode, shape, icon",
            ),
        ],
    }


def _cell() -> Schema:
    return {
        "anyOf": [
            STR,
            _obj(
                {
                    "type": {"enum": list(CELL_TYPES)},
                    "data": {"type": "object"},
                    "styles": {"type": "object"},
                },
                ("type", "data"),
            ),
        ]
    }


def _data(vocab: Vocabulary) -> Schema:
    by_type: dict[str, Schema] = {
        "text": _obj(
            {
                "content": {"anyOf": [STR, {"type": "array", "items": STR}]},
                "listFormat": {"enum": ["ordered", "unordered", "none"]},
                "listStart": INT,
                "dataType": STR,
                "format": STR,
            },
            ("content",),
        ),
        "image": _obj(
            {
                "src": {**STR, "description": f"One of the schemes {', '.join(vocab.src_schemes)}."},
                "crop": {"type": "object", "additionalProperties": NUM},
            },
            ("src",),
        ),
        "table": _obj(
            {
                "cells": {
                    "type": "array",
                    "maxItems": MAX_TABLE_ROWS,
                    "items": {"type": "array", "maxItems": MAX_TABLE_COLUMNS, "items": _cell()},
                },
                "rows": INT,
                "columns": INT,
                "columnWidths": {"type": "array", "items": NUM},
                "width": NUM,
                "headerRow": {"type": "boolean"},
                "headerColumn": {"type": "boolean"},
                "template": STR,
            }
        ),
        "shape": _obj({"shapeType": {"enum": list(SHAPES)}}, ("shapeType",)),
        "icon": _obj({"iconId": STR}, ("iconId",)),
        "qr": _obj(
            {"content": STR, "errorCorrectionLevel": {"enum": ["L", "M", "Q", "H"]}, "margin": INT},
            ("content",),
        ),
        "barcode": _obj(
            {"content": STR, "format": {**STR, "default": "CODE128"}, "displayValue": {"type": "boolean"}},
            ("content",),
        ),
    }
    return {"description": "By element type.", "anyOf": [by_type[t] for t in sorted(vocab.element_types)]}


def _styles(vocab: Vocabulary) -> Schema:
    props: dict[str, Schema] = {
        "fontFamily": STR,
        "fontSize": NUM,
        "fontWeight": {"anyOf": [NUM, STR]},
        "fontStyle": STR,
        "lineHeight": {**NUM, "default": 1.5},
        "letterSpacing": NUM,
        "color": STR,
        "textAlign": STR,
    }
    if vocab.legacy_style_keys:
        props |= {"bold": {"type": "boolean"}, "italic": {"type": "boolean"}}
    return _obj(props, closed=False, text="Other style keys are kept as given.")


def _background() -> Schema:
    """The flat longhands (C2), and the earlier shapes still accepted: A's {color}, B's {image: {src}}."""
    return {
        "anyOf": [
            {"type": "null"},
            _obj({"backgroundColor": STR, "backgroundImage": STR, "backgroundSize": {"enum": list(SIZES)}}),
            _obj({"color": STR, "size": {"enum": list(SIZES)}}, ("color",)),
            _obj(
                {
                    "image": _obj({"src": STR}, ("src",)),
                    "imageRef": STR,
                    "color": STR,
                    "size": {"enum": list(SIZES)},
                }
            ),
        ]
    }


def _flat_background(extra: dict[str, Schema]) -> Schema:
    props = {**extra, "background": _background(), **{key: {"type": ["string", "null"]} for key in FLAT}}
    return _obj(props, text="Either a whole background (null clears it) or longhands merged one by one.")


def _address(extra: dict[str, Schema] | None = None, required: tuple[str, ...] = ()) -> Schema:
    schema = _obj(
        {"name": NAME, "id": STR, **(extra or {})},
        required,
        text="Address the element by exactly one of name or id.",
    )
    return schema


def action_catalog(vocab: Vocabulary) -> list[dict[str, Any]]:
    """GET /actions items {name, description, args} for the revision's actions."""
    element = {
        "type": {"enum": sorted(vocab.element_types)},
        "name": NAME,
        "page": {**INT, "default": 0},
        "position": _positions(vocab.era),
        "data": _data(vocab),
        "styles": _styles(vocab),
    }
    changes = {
        "newName": NAME,
        "position": {"type": "object"},
        "data": {"type": "object"},
        "styles": {"type": "object"},
    }
    if vocab.element_flags:
        changes |= {"isLocked": {"type": "boolean"}, "isHidden": {"type": "boolean"}}
    page_args = {
        "width": NUM,
        "height": NUM,
        "orientation": {"enum": ["portrait", "landscape"]},
        "background": _background(),
        "name": NAME,
    }
    entries: dict[str, tuple[str, Schema]] = {
        "add_element": (
            "Place a new element; the id is minted and the derived box comes back.",
            _obj(element, ("type", "position", "data")),
        ),
        "update_element": (
            "Merge new position, data or styles into an element; newName renames it.",
            _address(changes),
        ),
        "remove_element": ("Delete an element and the variable bound to it.", _address()),
        "reorder_element": (
            "Move an element in its page's paint order.",
            _address({"to": {"anyOf": [{"enum": ["front", "back", "forward", "backward"]}, INT]}}, ("to",)),
        ),
        "bind_variable": ("Expose an element's content as a variable named after the element.", _address()),
        "unbind_variable": ("Stop exposing an element's content as a variable.", _address()),
        "add_page": (
            "Append a page; orientation alone turns the size, width and height set it.",
            _obj(page_args),
        ),
        "update_page": (
            "Resize, rename or re-background an existing page.",
            _obj({"page": INT, **page_args}),
        ),
        "remove_page": (
            "Delete a page and its elements; the last page cannot go.",
            _obj({"page": INT}, ("page",)),
        ),
        "set_page_background": (
            "Set or clear one page's background.",
            _flat_background({"page": {**INT, "default": 0}}),
        ),
        "set_document_background": (
            "Set or clear the background every page without its own inherits.",
            _flat_background({}),
        ),
        "set_metadata": (
            "Set the PDF's document information.",
            _obj({key: {"type": ["string", "null"]} for key in METADATA}),
        ),
    }
    return [
        {"name": name, "description": text, "args": schema}
        for name, (text, schema) in entries.items()
        if name in vocab.action_types
    ]


def tool_catalog(vocab: Vocabulary) -> list[dict[str, Any]]:
    """GET /tools items {name, description, input} for Era A (both the docs' and the client's tools)."""
    element = _obj(
        {
            "id": STR,
            "type": {"enum": sorted(vocab.element_types)},
            "page": INT,
            "name": NAME,
            "position": _positions("A"),
            "data": _data(vocab),
            "styles": _styles(vocab),
        },
        ("type", "position", "data"),
    )
    flat = _obj(
        {
            "type": {"enum": sorted(vocab.element_types)},
            "page": INT,
            "x": NUM,
            "y": NUM,
            "width": NUM,
            "height": NUM,
            "text": {**STR, "description": "Text; {{name}} makes a variable."},
            "fontSize": NUM,
            "src": STR,
            "content": STR,
            "shapeType": {"enum": list(SHAPES)},
            "format": STR,
            "columns": {"type": "array", "items": STR},
            "cells": {"type": "array"},
            "variable": NAME,
            "id": STR,
            "styles": _styles(vocab),
        },
        ("type",),
    )
    update = _obj(
        {"id": STR, "data": {"type": "object"}, "styles": {"type": "object"}, "position": {"type": "object"}},
        ("id",),
    )
    binding = _obj(
        {
            "nodeId": STR,
            "field": {"enum": ["content", "src", "cells"]},
            "type": {"enum": sorted(vocab.element_types)},
            "name": NAME,
        },
        ("nodeId", "name"),
    )
    many = {"type": "array", "minItems": 1, "maxItems": MAX_LIST_ITEMS}
    page = {
        "width": NUM,
        "height": NUM,
        "size": {"enum": list(PAPER)},
        "orientation": {"enum": ["portrait", "landscape"]},
        "background": _background(),
        "name": NAME,
    }
    entries: dict[str, tuple[str, Schema]] = {
        "add_page": (
            "Append a page (the last page's size unless size or width/height say otherwise).",
            _obj(page),
        ),
        "add_element": (
            "Place one element: the flat form {type, text, x, y, width, fontSize} or the element form.",
            {"anyOf": [flat, element]},
        ),
        "add_elements": (
            "Place elements whose ids you choose.",
            _obj({"elements": {**many, "items": element}, "page": INT}, ("elements",)),
        ),
        "update_element": ("Merge data, styles or position into one element.", update),
        "update_elements": (
            "Merge data, styles or position into elements.",
            _obj({"updates": {**many, "items": update}}, ("updates",)),
        ),
        "remove_element": ("Delete one element.", _obj({"id": STR}, ("id",))),
        "remove_elements": ("Delete elements by id.", _obj({"ids": {**many, "items": STR}}, ("ids",))),
        "bind_variable": ("Expose one element's content under a variable name.", binding),
        "bind_variables": (
            "Expose elements' content under variable names.",
            _obj({"bindings": {**many, "items": binding}}, ("bindings",)),
        ),
        "unbind_variables": (
            "Remove variables, by variable name or element id.",
            _obj(
                {"targets": {**many, "items": {"anyOf": [STR, _obj({"name": STR, "nodeId": STR})]}}},
                ("targets",),
            ),
        ),
        "set_page_background": (
            "Set or clear one page's background ({color} works too).",
            _flat_background({"page": {**INT, "default": 0}}),
        ),
        "set_document_background": ("Set or clear the document's background.", _flat_background({})),
        "set_metadata": (
            "Set the PDF's document information.",
            _obj({key: {"type": ["string", "null"]} for key in METADATA}),
        ),
    }
    return [
        {"name": name, "description": text, "input": schema}
        for name, (text, schema) in entries.items()
        if name in vocab.action_types
    ]
