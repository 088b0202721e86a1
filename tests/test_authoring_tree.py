"""Blank trees, paper sizes, derived sizing and the tool/action catalogs."""

from __future__ import annotations

import pytest

from mockserver.simulator.authoring import (
    AuthoringError,
    action_catalog,
    new_tree,
    page_size,
    tool_catalog,
    vocabulary,
)
from mockserver.simulator.authoring.sizing import table_size, text_size


def test_new_tree_is_one_blank_a4_page() -> None:
    tree = new_tree()
    assert tree["metadata"]["schemaVersion"] == "v1"
    assert tree["document"] == {"background": None}
    assert tree["pages"] == [
        {"id": "page-1", "name": None, "width": 595.28, "height": 841.89, "background": None, "children": []}
    ]
    assert tree["nodes"] == {}
    assert tree["variables"] == {}
    assert new_tree(243, 153)["pages"][0]["width"] == 243


@pytest.mark.parametrize(
    ("size", "orientation", "expected"),
    [
        ("A4", "portrait", (595.28, 841.89)),
        ("A4", "landscape", (841.89, 595.28)),
        ("A3", "portrait", (841.89, 1190.55)),
        ("A5", "landscape", (595.28, 419.53)),
        ("Letter", "portrait", (612, 792)),
        ("Legal", "landscape", (1008, 612)),
    ],
)
def test_page_size(size: str, orientation: str, expected: tuple[float, float]) -> None:
    assert page_size(size, orientation) == expected


def test_page_size_rejects_unknown_formats() -> None:
    with pytest.raises(AuthoringError, match="A4") as info:
        page_size("B5", "portrait")
    assert info.value.code == "INVALID_INPUT"
    with pytest.raises(AuthoringError, match="landscape"):
        page_size("A4", "upright")


def test_text_sizing_matches_the_docs_example() -> None:
    assert text_size({"content": "INVOICE"}, {"fontSize": 24, "fontWeight": 700}, None) == (111, 36)
    assert text_size({"content": "Jane Smith"}, {"fontSize": 24}, None) == (144, 36)  # docs: 142 x 36
    assert text_size({"content": "a\nb"}, {}, None) == (10, 48)  # 16 pt default, lineHeight 1.5
    assert text_size({"content": "abc"}, {"fontSize": 10, "lineHeight": 2}, None)[1] == 20
    w, h = text_size({"content": "word " * 20}, {"fontSize": 10}, 60)
    assert w == 60
    assert h == 15 * 10  # "word word" is 54 pt: two words per 60 pt line, 10 lines
    assert text_size({"content": ["a", "b", "c"], "listFormat": "ordered"}, {}, None)[1] == 72


def test_table_sizing() -> None:
    data = {"cells": [["a", "b"], ["a long cell that wraps", ""]], "columnWidths": [50, 100]}
    w, h = table_size(data, {})
    assert w == 150
    assert h > 2 * 25


def test_catalogs_follow_the_revision() -> None:
    tools = {t["name"]: t for t in tool_catalog(vocabulary("A"))}
    assert {
        "add_page",
        "add_element",
        "add_elements",
        "update_elements",
        "remove_elements",
        "bind_variables",
        "unbind_variables",
        "set_page_background",
    } <= set(tools)
    assert all(
        t["description"] and (t["input"].get("type") == "object" or "anyOf" in t["input"])
        for t in tools.values()
    )
    b1 = {a["name"]: a for a in action_catalog(vocabulary("B1"))}
    c2 = {a["name"]: a for a in action_catalog(vocabulary("C2"))}
    assert len(b1) == 10
    assert len(c2) == 12
    assert {"update_page", "remove_page"} == set(c2) - set(b1)
    assert "bold" in b1["add_element"]["args"]["properties"]["styles"]["properties"]
    assert "bold" not in c2["add_element"]["args"]["properties"]["styles"]["properties"]
    assert "icon" in c2["add_element"]["args"]["properties"]["type"]["enum"]
    assert "icon" not in b1["add_element"]["args"]["properties"]["type"]["enum"]
    assert "isHidden" in c2["update_element"]["args"]["properties"]
    assert "isHidden" not in b1["update_element"]["args"]["properties"]
    assert all(set(item) == {"name", "description", "args"} for item in c2.values())
