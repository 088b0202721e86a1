"""Era A tools: the docs' flat add_element/add_page and the vendor client's list-native tools."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from mockserver.simulator.authoring import AuthoringError, apply_tools, new_tree, variables, vocabulary

A = vocabulary("A")
Tree = dict[str, Any]


def minter() -> Callable[[str], str]:
    numbers = itertools.count(1)
    return lambda prefix: f"{prefix}-{next(numbers):05d}"


def tool(tool_name: str, /, **payload: Any) -> dict[str, Any]:
    return {"tool": tool_name, "input": payload}


def run(calls: list[Any], tree: Tree | None = None) -> tuple[Tree, list[dict[str, Any]]]:
    return apply_tools(tree if tree is not None else new_tree(), calls, A, minter())


def fails(calls: Any, code: str, *fragments: str, tree: Tree | None = None) -> str:
    start = tree if tree is not None else new_tree()
    before = copy.deepcopy(start)
    with pytest.raises(AuthoringError) as info:
        apply_tools(start, calls, A, minter())
    assert info.value.code == code, info.value.message
    for fragment in fragments:
        assert fragment in info.value.message
    assert start == before
    return info.value.message


def box(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h}


def test_docs_flat_tools_and_placeholder_variables() -> None:
    tree, results = run(
        [
            tool("add_page"),
            tool(
                "add_element",
                type="text",
                text="Invoice #{{invoice_number}}",
                x=48,
                y=48,
                width=400,
                fontSize=24,
            ),
            tool("add_element", page=1, type="text", text="Thanks {{buyer}}"),
            tool(
                "add_element",
                type="text",
                text="Invoice for {{ customer_name }} and {{customer_name}}",
                x=48,
                y=100,
            ),
        ]
    )
    assert results[0] == {
        "tool": "add_page",
        "status": "success",
        "data": {"page": 1, "id": "page-2", "width": 595.28, "height": 841.89},
    }
    assert results[1]["data"] == {
        "id": "text-00001",
        "type": "text",
        "page": 0,
        "position": box(48, 48, 400, 36),
    }
    assert results[2]["data"]["page"] == 1
    found = variables(tree)
    assert set(found) == {"invoice_number", "customer_name", "buyer"}
    assert found["buyer"] == {
        "type": "text",
        "nodeId": "text-00002",
        "field": "content",
        "default": "{{buyer}}",
    }
    assert variables(tree, vocabulary("B1")) == {}  # placeholders are an Era A mechanism only


def test_flat_add_element_other_types_and_explicit_variable() -> None:
    tree, results = run(
        [
            tool("add_element", type="table", x=10, y=10, columns=["Item", "Qty"], variable="items"),
            tool("add_element", type="image", x=0, y=0, variable="logo"),
            tool("add_element", type="qr", x=0, y=0, width=80, variable="link"),
            tool("add_element", type="shape", x=0, y=0, width=50, height=5),
            tool("add_element", type="barcode", x=0, y=0, content="123", format="EAN13"),
        ]
    )
    found = variables(tree)
    assert found["items"]["columns"] == ["Item", "Qty"]
    assert found["items"]["type"] == "table"
    assert found["logo"]["default"] is None
    assert found["link"]["default"] == "{{link}}"
    assert results[2]["data"]["position"] == box(0, 0, 80, 100)
    assert tree["nodes"]["barcode-00005"]["data"] == {"content": "123", "format": "EAN13"}


@pytest.mark.parametrize(
    ("payload", "code", "fragment"),
    [
        ({"type": "text", "page": 3, "text": "a"}, "INVALID_INPUT", "page"),
        ({"type": "text"}, "MISSING_REQUIRED_FIELD", "input.text"),
        ({"type": "text", "text": "a", "colour": "red"}, "VALIDATION_ERROR", "unknown key"),
        ({"type": "text", "text": "a", "fontSize": -1}, "INVALID_INPUT", "fontSize"),
        ({"type": "icon", "text": "a"}, "INVALID_INPUT", "type"),
        ({"type": "image", "x": 0, "y": 0}, "MISSING_REQUIRED_FIELD", "src"),
        ({"type": "text", "text": "a", "id": "bad id"}, "INVALID_INPUT", "element ids"),
    ],
)
def test_flat_add_element_rejects(payload: dict[str, Any], code: str, fragment: str) -> None:
    assert fails([tool("add_element", **payload)], code, fragment).startswith(
        "tools[0] (add_element) failed: "
    )


CERTIFICATE = [
    tool("set_page_background", page=0, background={"color": "#FAF7F2"}),
    tool(
        "add_elements",
        elements=[
            {
                "id": "frame",
                "type": "shape",
                "position": box(30, 30, 535.28, 781.89),
                "data": {"shapeType": "rectangle"},
                "styles": {"fill": "#FFFFFF", "stroke": "#1C1917", "strokeWidth": 2, "borderRadius": 4},
            },
            {
                "id": "title",
                "type": "text",
                "position": box(80, 250, 435.28, 40),
                "data": {"content": "Jane Smith"},
                "styles": {
                    "fontFamily": "google:source-serif-4",
                    "fontSize": 34,
                    "bold": True,
                    "textAlign": "center",
                },
            },
            {
                "id": "sig",
                "type": "text",
                "position": box(325, 676, 160, 18),
                "data": {"content": "Dr. A. Director"},
                "styles": {"fontSize": 13, "italic": True},
            },
        ],
    ),
    tool(
        "bind_variables",
        bindings=[
            {"nodeId": "title", "field": "content", "type": "text", "name": "recipient_name"},
            {"nodeId": "sig", "field": "content", "type": "text", "name": "signatory"},
        ],
    ),
]


def test_vendor_client_certificate_payload() -> None:
    tree, results = run(CERTIFICATE)
    assert tree["pages"][0]["background"] == {"backgroundColor": "#FAF7F2"}
    assert [r["tool"] for r in results] == ["set_page_background", "add_elements", "bind_variables"]
    assert results[1]["data"]["elements"][1] == {
        "id": "title",
        "type": "text",
        "page": 0,
        "position": box(80, 250, 435.28, 40),
    }
    assert tree["pages"][0]["children"] == ["frame", "title", "sig"]
    assert results[2]["data"]["variables"][0] == {
        "name": "recipient_name",
        "nodeId": "title",
        "field": "content",
        "type": "text",
    }
    assert variables(tree)["recipient_name"]["default"] == "Jane Smith"


def test_update_elements_sets_cells_and_keeps_or_rederives_sizes() -> None:
    tree, _ = run(
        [
            *CERTIFICATE,
            tool(
                "add_elements",
                elements=[
                    {
                        "id": "tbl",
                        "type": "table",
                        "position": {"x": 10, "y": 10, "w": 300},
                        "data": {"rows": 1, "columns": 3},
                    }
                ],
            ),
        ]
    )
    assert tree["nodes"]["tbl"]["data"]["columnWidths"] == [100, 100, 100]
    tree, results = run(
        [
            tool(
                "update_elements",
                updates=[
                    {"id": "tbl", "data": {"cells": [["a", "b", "c"], ["d", "e", "f"]]}},
                    {"id": "frame", "position": {"w": 100}, "styles": {"fill": None}},
                    {"id": "title", "data": {"content": "A much longer recipient name"}},
                ],
            )
        ],
        tree,
    )
    elements = results[0]["data"]["elements"]
    assert elements[0]["position"]["h"] == 50
    assert tree["nodes"]["tbl"]["data"]["rows"] == 2
    assert elements[1]["position"] == box(30, 30, 100, 781.89)
    assert "fill" not in tree["nodes"]["frame"]["styles"]
    assert elements[2]["position"]["h"] == 40  # a client-chosen text height holds
    tree, results = run([tool("update_element", id="sig", data={"content": "x " * 80})], tree)
    assert results[0]["data"]["position"]["w"] == 160  # client w wraps the text


def test_remove_unbind_and_singular_tools() -> None:
    tree, _ = run(CERTIFICATE)
    tree, results = run(
        [
            tool("unbind_variables", targets=["recipient_name", {"nodeId": "sig"}]),
            tool("bind_variable", nodeId="title", name="who"),
            tool("remove_elements", ids=["frame"]),
            tool("remove_element", id="title"),
        ],
        tree,
    )
    assert results[0]["data"] == {"removed": ["recipient_name", "signatory"]}
    assert tree["variables"] == {}
    assert set(tree["nodes"]) == {"sig"}
    tree, _ = run([tool("remove_element", elementId="sig")], tree)
    assert tree["nodes"] == {}


@pytest.mark.parametrize(
    ("calls", "code", "fragment"),
    [
        ([tool("add_elemnts", elements=[])], "VALIDATION_ERROR", "did you mean 'add_elements'"),
        ([tool("add_elements", elements=[])], "INVALID_INPUT", "at least 1"),
        (
            [
                tool(
                    "add_elements",
                    elements=[
                        {
                            "id": "frame",
                            "type": "shape",
                            "position": box(0, 0, 1, 1),
                            "data": {"shapeType": "line"},
                        }
                    ],
                )
            ],
            "INVALID_INPUT",
            "already exists",
        ),
        (
            [
                tool(
                    "add_elements",
                    elements=[
                        {
                            "id": "a",
                            "type": "shape",
                            "position": {"x": 0, "y": 0},
                            "data": {"shapeType": "line"},
                        }
                    ],
                )
            ],
            "MISSING_REQUIRED_FIELD",
            "position.w",
        ),
        (
            [tool("update_elements", updates=[{"id": "nope", "data": {}}])],
            "INVALID_INPUT",
            "no element with id",
        ),
        ([tool("update_elements", updates=[{"id": "frame"}])], "MISSING_REQUIRED_FIELD", "at least one"),
        ([tool("remove_elements", ids=["title", "title"])], "INVALID_INPUT", "no element with id 'title'"),
        (
            [tool("bind_variables", bindings=[{"nodeId": "frame", "name": "x"}])],
            "INVALID_INPUT",
            "cannot be bound",
        ),
        (
            [tool("bind_variables", bindings=[{"nodeId": "sig", "field": "src", "name": "x"}])],
            "INVALID_INPUT",
            "binds 'content'",
        ),
        (
            [tool("bind_variables", bindings=[{"nodeId": "sig", "type": "image", "name": "x"}])],
            "INVALID_INPUT",
            "is a text",
        ),
        (
            [tool("bind_variables", bindings=[{"nodeId": "sig", "name": "recipient_name"}])],
            "INVALID_INPUT",
            "already bound",
        ),
        ([tool("bind_variables", bindings=[{"nodeId": "sig"}])], "MISSING_REQUIRED_FIELD", "name"),
        ([tool("unbind_variables", targets=["ghost"])], "INVALID_INPUT", "no variable or bound element"),
        ([tool("set_page_background", page=2, background={"color": "#fff"})], "INVALID_INPUT", "no page 2"),
        ([tool("set_page_background", background={"image": "uploads:u"})], "INVALID_INPUT", "assets:<id>"),
        ([{"tool": "add_page", "input": {}, "extra": 1}], "VALIDATION_ERROR", "unknown key"),
        ([{"input": {}}], "MISSING_REQUIRED_FIELD", "tools[0].tool"),
        ({"tool": "add_page"}, "VALIDATION_ERROR", "tools must be an array"),
        ([tool("add_page")] * 501, "INVALID_INPUT", "at most 500"),
    ],
)
def test_tool_failures(calls: Any, code: str, fragment: str) -> None:
    tree, _ = run(CERTIFICATE)
    fails(calls, code, fragment, tree=tree)


def test_add_page_sizes_and_failure_rolls_back() -> None:
    tree, results = run(
        [
            tool("add_page", size="Letter"),
            tool("add_page", size="A5", orientation="landscape"),
            tool("add_page", width=200.5, height=300),
        ]
    )
    assert [(p["width"], p["height"]) for p in tree["pages"][1:]] == [
        (612, 792),
        (595.28, 419.53),
        (200.5, 300),
    ]
    assert [r["data"]["page"] for r in results] == [1, 2, 3]
    fails([tool("add_page", size="A4", width=1, height=1)], "VALIDATION_ERROR", "not both")
    tree, _ = run(CERTIFICATE)
    message = fails(
        [tool("remove_elements", ids=["frame"]), tool("add_element", type="text")],
        "MISSING_REQUIRED_FIELD",
        tree=tree,
    )
    assert message.startswith("tools[1] (add_element) failed")
    assert "frame" in tree["nodes"]


def test_metadata_and_document_background_tools() -> None:
    tree, _ = run(
        [tool("set_metadata", author="Ada"), tool("set_document_background", background={"color": "#eee"})]
    )
    assert tree["metadata"]["author"] == "Ada"
    assert tree["document"]["background"] == {"backgroundColor": "#eee"}
