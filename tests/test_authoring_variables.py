"""Variables derived from the tree, generate-time value checks, and fill (text, table, image)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from mockserver.simulator.authoring import (
    AuthoringError,
    apply_actions,
    apply_tools,
    check_values,
    fill,
    new_tree,
    tree_for_variables,
    variables,
    vocabulary,
)

A, B1, C1, C2 = (vocabulary(name) for name in ("A", "B1", "C1", "C2"))
REFS = {"assets:asset_logo", "uploads:upl_1"}


def exists(ref: str) -> bool:
    return ref in REFS


def act(kind: str, **args: Any) -> dict[str, Any]:
    return {"type": kind, "args": args}


def design(vocab: Any = C2) -> dict[str, Any]:
    numbers = itertools.count(1)
    cells = [
        ["Item", "Qty"],
        [{"type": "text", "data": {"content": "Pen"}, "styles": {"color": "#f00"}}, "1"],
    ]
    tree, _ = apply_actions(
        new_tree(),
        [
            act(
                "add_element",
                type="text",
                name="customer",
                position={"x": 0, "y": 0},
                data={"content": "Jane Smith"},
                styles={"fontSize": 24},
            ),
            act(
                "add_element",
                type="table",
                name="items",
                position={"x": 0, "y": 50},
                data={"cells": cells, "headerRow": True, "columnWidths": [100, 50]},
            ),
            act(
                "add_element",
                type="image",
                name="logo",
                position={"x": 0, "y": 0, "w": 10, "h": 10},
                data={"src": "assets:asset_logo"},
            ),
            act(
                "add_element",
                type="qr",
                name="link",
                position={"x": 0, "y": 0, "size": 50},
                data={"content": "https://a"},
            ),
            act(
                "add_element",
                type="text",
                name="static",
                position={"x": 0, "y": 0},
                data={"content": "Hi {{who}}"},
            ),
            *(act("bind_variable", name=n) for n in ("customer", "items", "logo", "link")),
        ],
        vocab,
        lambda prefix: f"{prefix}-{next(numbers)}",
    )
    return tree


def test_variables_follow_bindings_with_design_time_defaults() -> None:
    found = variables(design(), C2)
    assert found["customer"] == {
        "type": "text",
        "nodeId": "text-1",
        "field": "content",
        "default": "Jane Smith",
    }
    assert found["items"]["default"] == [["Item", "Qty"], ["Pen", "1"]]
    assert found["items"]["columns"] == ["Item", "Qty"]
    assert found["logo"]["default"] == "assets:asset_logo"
    assert found["link"]["field"] == "content"
    assert "who" not in found  # {{...}} is not a binding in B/C
    assert "who" in variables(design())  # without a vocabulary the Era A rules apply


@pytest.mark.parametrize(
    ("values", "code", "fragment"),
    [
        ({"customer": 5}, "VALIDATION_ERROR", "data.customer must be a string"),
        ({"items": '[["a"]]'}, "VALIDATION_ERROR", "not a JSON string"),
        ({"items": {"a": 1}}, "VALIDATION_ERROR", "2-D array"),
        ({"items": ["a"]}, "VALIDATION_ERROR", "data.items[0] must be an array"),
        ({"items": [[1]]}, "VALIDATION_ERROR", "data.items[0][0]"),
        ({"items": [["a"]] * 501}, "INVALID_INPUT", "at most 500"),
        ({"items": [["a"] * 51]}, "INVALID_INPUT", "50 columns"),
        ({"logo": "https://x/y.png"}, "INVALID_INPUT", "uploads:<id> or assets:<id>"),
        ({"logo": "uploads:upl_404"}, "INVALID_INPUT", "no image"),
        ({"logo": 3}, "VALIDATION_ERROR", "string image ref"),
        ({"link": ["x"]}, "VALIDATION_ERROR", "data.link"),
    ],
)
def test_check_values_rejects(values: dict[str, Any], code: str, fragment: str) -> None:
    with pytest.raises(AuthoringError) as info:
        check_values(design(), values, C2, exists)
    assert info.value.code == code
    assert fragment in info.value.message, info.value.message


def test_check_values_accepts_and_ignores_unknown_keys() -> None:
    tree = design()
    check_values(
        tree,
        {"customer": "Bob", "items": [["a", None]], "logo": "uploads:upl_1", "nope": {"x": 1}, "link": None},
        C2,
        exists,
    )
    check_values(tree, {"logo": "data:image/png;base64,AAAA"}, C2, exists)  # C2 drops inline images
    check_values(tree, {"logo": "uploads:upl_1"}, C1, exists)  # C1 can only make uploads: refs
    with pytest.raises(AuthoringError, match="assets:<id>"):
        check_values(tree, {"logo": "uploads:upl_1"}, B1, exists)  # B's docs: an assets ref
    with pytest.raises(AuthoringError, match="row") as info:
        check_values(tree, {"items": "x"}, C2, exists, where="rows[3]")
    assert info.value.message.startswith("rows[3].items")
    with pytest.raises(AuthoringError, match="object"):
        check_values(tree, [], C2, exists)  # type: ignore[arg-type]


def test_fill_replaces_bound_content_and_resizes() -> None:
    tree = design()
    before = copy.deepcopy(tree)
    filled = fill(
        tree,
        {
            "customer": "A much longer customer name",
            "logo": "uploads:upl_1",
            "link": "https://b",
            "static": "ignored",
        },
        C2,
    )
    assert tree == before
    nodes = filled["nodes"]
    assert nodes["text-1"]["data"]["content"] == "A much longer customer name"
    assert nodes["text-1"]["position"]["w"] > tree["nodes"]["text-1"]["position"]["w"]
    assert nodes["image-3"]["data"]["src"] == "uploads:upl_1"
    assert nodes["qr-4"]["data"]["content"] == "https://b"
    assert nodes["text-5"]["data"]["content"] == "Hi {{who}}"
    assert (
        fill(tree, {"logo": "data:image/png;base64,AAAA"}, C2)["nodes"]["image-3"]["data"]["src"]
        == "assets:asset_logo"
    )


def test_fill_table_grows_and_shrinks_copying_the_last_row_styling() -> None:
    tree = design()
    grown = fill(tree, {"items": [["Item", "Qty"], ["Pen", None], ["Ink", "2", "extra"], ["Pad"]]}, C2)
    data = grown["nodes"]["table-2"]["data"]
    assert data["rows"] == 4
    assert len(data["cells"]) == 4
    assert data["cells"][2][0] == {"type": "text", "data": {"content": "Ink"}, "styles": {"color": "#f00"}}
    assert data["cells"][1][1] == ""
    assert data["cells"][2][1] == "2"
    assert len(data["cells"][2]) == 2
    assert data["cells"][3][1] == ""
    assert grown["nodes"]["table-2"]["position"]["h"] == 4 * 25
    shrunk = fill(tree, {"items": [["Only"]]}, C2)["nodes"]["table-2"]
    assert shrunk["data"]["cells"] == [["Only", ""]]
    assert shrunk["position"]["h"] == 25


def test_era_a_fill_substitutes_placeholders_and_keeps_unfilled_ones() -> None:
    tree, _ = apply_tools(
        new_tree(),
        [
            {
                "tool": "add_element",
                "input": {"type": "text", "text": "Dear {{name}}, order {{order}}", "x": 0, "y": 0},
            },
            {
                "tool": "add_elements",
                "input": {
                    "elements": [
                        {
                            "id": "t",
                            "type": "text",
                            "position": {"x": 0, "y": 40},
                            "data": {"content": "Sample"},
                        }
                    ]
                },
            },
            {
                "tool": "bind_variables",
                "input": {"bindings": [{"nodeId": "t", "field": "content", "type": "text", "name": "title"}]},
            },
        ],
        A,
        lambda prefix: f"{prefix}-1",
    )
    assert set(variables(tree, A)) == {"name", "order", "title"}
    check_values(tree, {"name": "Ann"}, A, exists)
    with pytest.raises(AuthoringError):
        check_values(tree, {"name": 1}, A, exists)
    filled = fill(tree, {"name": "Ann", "title": "Invoice"}, A)
    assert filled["nodes"]["text-1"]["data"]["content"] == "Dear Ann, order {{order}}"
    assert filled["nodes"]["t"]["data"]["content"] == "Invoice"


def test_tree_from_seed_binds_one_element_per_variable() -> None:
    class Spec:
        def __init__(self, type: str, default: Any = None, columns: Any = None) -> None:
            self.type, self.default, self.columns = type, default, columns

    tree = tree_for_variables(
        2,
        {
            "customer_name": Spec("text"),
            "total": {"type": "text", "default": "$5"},
            "items": Spec("table", [["Pen", "1"]], ["Item", "Qty"]),
            "logo": Spec("image", "assets:asset_logo"),
            "link": Spec("qr"),
            "sku": Spec("barcode", "123"),
        },
    )
    assert len(tree["pages"]) == 2
    assert len(tree["pages"][0]["children"]) == 6
    found = variables(tree)
    assert {n: v["type"] for n, v in found.items()} == {
        "customer_name": "text",
        "total": "text",
        "items": "table",
        "logo": "image",
        "link": "qr",
        "sku": "barcode",
    }
    assert found["customer_name"]["default"] == "{{customer_name}}"
    assert found["total"]["default"] == "$5"
    assert found["items"]["default"] == [["Item", "Qty"], ["Pen", "1"]]
    assert found["items"]["columns"] == ["Item", "Qty"]
    ys = [tree["nodes"][i]["position"]["y"] for i in tree["pages"][0]["children"]]
    assert ys == sorted(ys)  # laid out top to bottom
    assert len(set(ys)) == 6
    assert tree["nodes"][tree["variables"]["customer_name"]["nodeId"]]["name"] == "customer_name"
