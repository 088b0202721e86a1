"""Era B/C actions of the authoring engine: every action, its failures, atomicity, client payloads."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from mockserver.simulator.authoring import (
    AuthoringError,
    apply_actions,
    failed_action,
    new_tree,
    variables,
    vocabulary,
)

B1, B2, C1, C2 = (vocabulary(name) for name in ("B1", "B2", "C1", "C2"))
Tree = dict[str, Any]


def minter() -> Callable[[str], str]:
    numbers = itertools.count(1)
    return lambda prefix: f"{prefix}-{next(numbers):05d}"


def act(kind: str, **args: Any) -> dict[str, Any]:
    return {"type": kind, "args": args}


def run(actions: list[Any], vocab: Any = C2, tree: Tree | None = None) -> tuple[Tree, list[dict[str, Any]]]:
    return apply_actions(tree if tree is not None else new_tree(), actions, vocab, minter())


def fails(actions: list[Any], code: str, *fragments: str, vocab: Any = C2, tree: Tree | None = None) -> str:
    start = tree if tree is not None else new_tree()
    before = copy.deepcopy(start)
    with pytest.raises(AuthoringError) as info:
        apply_actions(start, actions, vocab, minter())
    assert info.value.code == code, info.value.message
    for fragment in fragments:
        assert fragment in info.value.message
    assert start == before  # all or nothing: the input tree is never touched
    return info.value.message


TITLE = act(
    "add_element",
    type="text",
    name="title",
    position={"x": 48, "y": 48},
    data={"content": "INVOICE"},
    styles={"fontSize": 24, "fontWeight": 700},
)


def test_add_element_mints_an_id_and_echoes_the_derived_box() -> None:
    tree, results = run([TITLE])
    assert results == [
        {
            "type": "add_element",
            "status": "success",
            "data": {
                "id": "text-00001",
                "name": "title",
                "type": "text",
                "position": {"x": 48, "y": 48, "w": 111, "h": 36},
            },
        }
    ]
    node = tree["nodes"]["text-00001"]
    assert node["page"] == 0
    assert node["isHidden"] is False
    assert node["data"] == {"content": "INVOICE"}
    assert tree["pages"][0]["children"] == ["text-00001"]


def test_b1_docs_example_with_bold_and_the_b2_rename() -> None:
    bold = act(
        "add_element",
        type="text",
        name="title",
        position={"x": 48, "y": 48},
        data={"content": "INVOICE"},
        styles={"fontSize": 24, "bold": True},
    )
    _, results = run([bold], B1)
    assert results[0]["data"]["position"] == {"x": 48, "y": 48, "w": 111, "h": 36}
    for vocab in (B2, C1, C2):
        fails([bold], "VALIDATION_ERROR", "styles.bold", "fontWeight", vocab=vocab)
    italic = act(
        "add_element", type="text", position={"x": 0, "y": 0}, data={"content": "a"}, styles={"italic": True}
    )
    fails([italic], "VALIDATION_ERROR", "fontStyle", vocab=B2)


def test_max_width_wraps_and_fixes_the_width() -> None:
    long = "word " * 40
    _, results = run(
        [
            act(
                "add_element",
                type="text",
                name="p",
                position={"x": 0, "y": 0, "maxWidth": 200},
                data={"content": long.strip()},
                styles={"fontSize": 10},
            )
        ]
    )
    box = results[0]["data"]["position"]
    assert box["w"] == 200
    assert box["h"] > 15 * 3


@pytest.mark.parametrize(
    ("kind", "position", "data", "box"),
    [
        (
            "qr",
            {"x": 10, "y": 20, "size": 80},
            {"content": "https://x.example"},
            {"x": 10, "y": 20, "w": 80, "h": 80},
        ),
        (
            "image",
            {"x": 1, "y": 2, "w": 30, "h": 40},
            {"src": "assets:asset_logo"},
            {"x": 1, "y": 2, "w": 30, "h": 40},
        ),
        (
            "barcode",
            {"x": 0, "y": 0, "w": 161, "h": 44},
            {"content": "NW-1"},
            {"x": 0, "y": 0, "w": 161, "h": 44},
        ),
        (
            "shape",
            {"x": 0, "y": 0, "w": 595.28, "h": 4},
            {"shapeType": "rectangle"},
            {"x": 0, "y": 0, "w": 595.28, "h": 4},
        ),
        ("icon", {"x": 5, "y": 5, "w": 24, "h": 24}, {"iconId": "star"}, {"x": 5, "y": 5, "w": 24, "h": 24}),
    ],
)
def test_every_element_type_by_its_position_rule(
    kind: str, position: dict[str, Any], data: dict[str, Any], box: dict[str, Any]
) -> None:
    tree, results = run([act("add_element", type=kind, name="e", position=position, data=data)])
    assert results[0]["data"]["position"] == box
    assert results[0]["data"]["id"].startswith(f"{kind}-")
    if kind == "barcode":
        assert tree["nodes"][results[0]["data"]["id"]]["data"]["format"] == "CODE128"


def test_table_sizes_from_column_widths_or_total_width() -> None:
    cells = [["Description", "Qty"], ["Consulting", "1"], ["", ""]]
    _, results = run(
        [
            act(
                "add_element",
                type="table",
                name="a",
                position={"x": 50, "y": 280},
                data={"rows": 3, "columns": 2, "columnWidths": [235, 60], "headerRow": True, "cells": cells},
            ),
            act(
                "add_element",
                type="table",
                name="b",
                position={"x": 50, "y": 500},
                data={"width": 300, "cells": cells},
            ),
            act(
                "add_element",
                type="table",
                name="c",
                position={"x": 50, "y": 600},
                data={"rows": 2, "columns": 3},
            ),
        ]
    )
    a, b, c = (r["data"]["position"] for r in results)
    assert a["w"] == 295
    assert b["w"] == 300
    assert c["w"] == 300
    assert a["h"] == 3 * 25  # one line of 10 pt x 1.5 plus padding per row
    assert c["h"] == 2 * 25


def test_icon_update_page_and_remove_page_exist_only_in_c2() -> None:
    icon = act("add_element", type="icon", position={"x": 0, "y": 0, "w": 9, "h": 9}, data={"iconId": "star"})
    fails([icon], "INVALID_INPUT", "unknown element type 'icon'", vocab=C1)
    fails([act("update_page", page=0, width=243, height=153)], "VALIDATION_ERROR", "unknown action", vocab=B1)
    fails([act("remove_page", page=0)], "VALIDATION_ERROR", "unknown action 'remove_page'", vocab=C1)


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (
            {"type": "text", "position": {"x": 0, "y": 0, "w": 100}, "data": {"content": "a"}},
            "VALIDATION_ERROR",
            "maxWidth",
        ),
        (
            {"type": "text", "position": {"x": 0, "y": 0, "h": 9}, "data": {"content": "a"}},
            "VALIDATION_ERROR",
            "position.h",
        ),
        (
            {"type": "table", "position": {"x": 0, "y": 0, "w": 9}, "data": {"rows": 1, "columns": 1}},
            "VALIDATION_ERROR",
            "columnWidths",
        ),
        (
            {"type": "qr", "position": {"x": 0, "y": 0, "w": 9, "h": 9}, "data": {"content": "a"}},
            "VALIDATION_ERROR",
            "position.size",
        ),
        (
            {"type": "qr", "position": {"x": 0, "y": 0}, "data": {"content": "a"}},
            "MISSING_REQUIRED_FIELD",
            "size",
        ),
        (
            {"type": "image", "position": {"x": 0, "y": 0, "w": 9}, "data": {"src": "assets:a"}},
            "MISSING_REQUIRED_FIELD",
            "position.h",
        ),
        (
            {"type": "text", "position": {"x": 0}, "data": {"content": "a"}},
            "MISSING_REQUIRED_FIELD",
            "position.y",
        ),
        (
            {"type": "text", "position": {"x": "0", "y": 0}, "data": {"content": "a"}},
            "VALIDATION_ERROR",
            "number",
        ),
        (
            {"type": "text", "position": {"x": 1e9, "y": 0}, "data": {"content": "a"}},
            "INVALID_INPUT",
            "at most",
        ),
        (
            {"type": "text", "id": "t1", "position": {"x": 0, "y": 0}, "data": {"content": "a"}},
            "VALIDATION_ERROR",
            "minted",
        ),
        (
            {"type": "text", "position": {"x": 0, "y": 0}, "data": {"content": "a"}, "colour": 1},
            "VALIDATION_ERROR",
            "unknown key",
        ),
        ({"type": "txt", "position": {"x": 0, "y": 0}, "data": {}}, "INVALID_INPUT", "did you mean 'text'"),
        (
            {"type": "text", "position": {"x": 0, "y": 0}, "data": {"text": "a"}},
            "VALIDATION_ERROR",
            "data.text",
        ),
        (
            {"type": "text", "position": {"x": 0, "y": 0}, "data": {}},
            "MISSING_REQUIRED_FIELD",
            "data.content",
        ),
        (
            {"type": "text", "position": {"x": 0, "y": 0}, "data": {"content": ["a"]}},
            "INVALID_INPUT",
            "listFormat",
        ),
        (
            {"type": "image", "position": {"x": 0, "y": 0, "w": 1, "h": 1}, "data": {"src": "upl_1"}},
            "INVALID_INPUT",
            "uploads:<id>",
        ),
        (
            {"type": "shape", "position": {"x": 0, "y": 0, "w": 1, "h": 1}, "data": {"shapeType": "star"}},
            "INVALID_INPUT",
            "rectangle",
        ),
        (
            {"type": "qr", "position": {"x": 0, "y": 0, "size": 9}, "data": {"content": ""}},
            "INVALID_INPUT",
            "empty",
        ),
        (
            {"type": "text", "position": {"x": 0, "y": 0}, "data": {"content": "a"}, "page": 1},
            "INVALID_INPUT",
            "1 page(s)",
        ),
        (
            {
                "type": "text",
                "position": {"x": 0, "y": 0},
                "data": {"content": "a"},
                "styles": {"fontSize": 0},
            },
            "INVALID_INPUT",
            "fontSize",
        ),
        (
            {
                "type": "table",
                "position": {"x": 0, "y": 0},
                "data": {"cells": [["a"]], "columnWidths": [1, 2]},
            },
            "INVALID_INPUT",
            "2 entries",
        ),
        (
            {
                "type": "table",
                "position": {"x": 0, "y": 0},
                "data": {"cells": [["a"]], "width": 9, "columnWidths": [9]},
            },
            "VALIDATION_ERROR",
            "not both",
        ),
        (
            {"type": "table", "position": {"x": 0, "y": 0}, "data": {"cells": [[None]]}},
            "VALIDATION_ERROR",
            "empty cell",
        ),
        (
            {"type": "table", "position": {"x": 0, "y": 0}, "data": {"cells": [["a"]] * 501}},
            "INVALID_INPUT",
            "500",
        ),
        (
            {"type": "table", "position": {"x": 0, "y": 0}, "data": {"cells": [["a"] * 51]}},
            "INVALID_INPUT",
            "50",
        ),
        (
            {
                "type": "table",
                "position": {"x": 0, "y": 0},
                "data": {"cells": [[{"type": "shape", "data": {}}]]},
            },
            "INVALID_INPUT",
            "cells[0][0].type",
        ),
        ({"type": "table", "position": {"x": 0, "y": 0}, "data": {}}, "MISSING_REQUIRED_FIELD", "data.cells"),
    ],
)
def test_add_element_rejects(args: dict[str, Any], code: str, fragment: str) -> None:
    message = fails([act("add_element", **args)], code, fragment)
    assert message.startswith("actions[0] (add_element) failed: ")


def test_table_cells_may_be_objects() -> None:
    cells = [
        ["Item", {"type": "qr", "data": {"content": "x"}}],
        [{"type": "text", "data": {"content": "a"}, "styles": {"color": "#000"}}, "b"],
    ]
    tree, _ = run(
        [act("add_element", type="table", name="t", position={"x": 0, "y": 0}, data={"cells": cells})]
    )
    assert tree["nodes"]["table-00001"]["data"]["cells"][0][1] == {"type": "qr", "data": {"content": "x"}}


def test_names_are_unique_and_resolve_within_the_batch() -> None:
    tree, results = run(
        [
            TITLE,
            act("update_element", name="title", data={"content": "INVOICE #2026-001"}),
            act("bind_variable", name="title"),
        ]
    )
    assert results[1]["data"]["position"]["w"] > results[0]["data"]["position"]["w"]
    assert results[2] == {
        "type": "bind_variable",
        "status": "success",
        "data": {"name": "title", "id": "text-00001", "type": "text", "field": "content"},
    }
    fails([TITLE, TITLE], "INVALID_INPUT", "actions[1] (add_element) failed", "already exists")
    message = fails([act("bind_variable", name="titel")], "INVALID_INPUT", tree=tree)
    assert (
        message
        == "actions[0] (bind_variable) failed: args.name: no element named 'titel' (did you mean 'title'?)"
    )


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        ({"name": "title", "id": "text-00001", "data": {"content": "a"}}, "VALIDATION_ERROR", "exactly one"),
        ({"data": {"content": "a"}}, "MISSING_REQUIRED_FIELD", "args.name or args.id"),
        ({"id": "text-9"}, "INVALID_INPUT", "no element with id"),
        ({"name": "title"}, "MISSING_REQUIRED_FIELD", "at least one"),
        ({"name": "title", "type": "image"}, "VALIDATION_ERROR", "cannot change"),
        ({"name": "title", "position": {"w": 5}}, "VALIDATION_ERROR", "maxWidth"),
        ({"name": "title", "isHidden": True}, "VALIDATION_ERROR", "isHidden"),
        ({"name": "title", "newName": "other"}, "INVALID_INPUT", "already exists"),
    ],
)
def test_update_element_rejects(args: dict[str, Any], code: str, fragment: str) -> None:
    other = act("add_element", type="text", name="other", position={"x": 0, "y": 0}, data={"content": "b"})
    tree, _ = run([TITLE, other], C1)
    fails([act("update_element", **args)], code, fragment, vocab=C1, tree=tree)


def test_update_element_merges_renames_and_flags_in_c2() -> None:
    tree, _ = run([TITLE, act("bind_variable", name="title")])
    tree, results = run(
        [
            act(
                "update_element",
                id="text-00001",
                newName="heading",
                position={"x": 60, "maxWidth": 300},
                styles={"color": "#111", "fontWeight": None},
                isLocked=True,
                isHidden=True,
            )
        ],
        tree=tree,
    )
    node = tree["nodes"]["text-00001"]
    assert results[0]["data"] == {
        "id": "text-00001",
        "name": "heading",
        "type": "text",
        "position": {"x": 60, "y": 48, "w": 300, "h": 36},
    }
    assert node["styles"] == {"fontSize": 24, "color": "#111"}
    assert node["isLocked"]
    assert node["isHidden"]
    assert set(tree["variables"]) == {"heading"}  # the variable follows the element's name
    tree, results = run([act("update_element", name="heading", position={"maxWidth": None})], tree=tree)
    assert (
        results[0]["data"]["position"]["w"] == 101
    )  # 7 glyphs x 24 x 0.6, rounded up; hugs "INVOICE" again, no longer bold


def test_update_table_cells_rows_and_widths() -> None:
    table = act(
        "add_element",
        type="table",
        name="t",
        position={"x": 0, "y": 0},
        data={"cells": [["a", "b"]], "columnWidths": [50, 70]},
    )
    tree, _ = run([table])
    tree, results = run(
        [act("update_element", name="t", data={"cells": [["a", "b", "c"], ["d", "e", "f"]]})], tree=tree
    )
    data = tree["nodes"]["table-00001"]["data"]
    assert data["columnWidths"] == [50, 70, 70]
    assert data["rows"] == 2
    assert results[0]["data"]["position"]["w"] == 190
    tree, _ = run([act("update_element", name="t", data={"rows": 4})], tree=tree)
    assert len(tree["nodes"]["table-00001"]["data"]["cells"]) == 4
    tree, _ = run([act("update_element", name="t", data={"width": 300})], tree=tree)
    assert tree["nodes"]["table-00001"]["data"]["columnWidths"] == [100, 100, 100]


def test_remove_element_also_removes_its_variable() -> None:
    tree, _ = run([TITLE, act("bind_variable", name="title"), act("remove_element", name="title")])
    assert tree["nodes"] == {}
    assert tree["variables"] == {}
    assert tree["pages"][0]["children"] == []


def test_reorder_element() -> None:
    shapes = [
        act(
            "add_element",
            type="shape",
            name=n,
            position={"x": 0, "y": 0, "w": 1, "h": 1},
            data={"shapeType": "circle"},
        )
        for n in "abc"
    ]
    tree, _ = run(shapes)
    ids = tree["pages"][0]["children"]
    steps = [
        ("front", "a", [1, 2, 0]),
        ("back", "a", [0, 1, 2]),
        ("forward", "a", [1, 0, 2]),
        ("backward", "a", [0, 1, 2]),
        (2, "b", [0, 2, 1]),
    ]
    for to, name, order in steps:
        tree, results = run([act("reorder_element", name=name, to=to)], tree=tree)
        assert tree["pages"][0]["children"] == [ids[i] for i in order]
        assert results[0]["data"]["index"] == tree["pages"][0]["children"].index(results[0]["data"]["id"])
    fails([act("reorder_element", name="a", to="top")], "INVALID_INPUT", "front", tree=tree)
    fails([act("reorder_element", name="a", to=3)], "INVALID_INPUT", "between 0 and 2", tree=tree)
    fails([act("reorder_element", name="a")], "MISSING_REQUIRED_FIELD", "args.to", tree=tree)


def test_bind_variable_field_follows_the_type() -> None:
    tree, _ = run(
        [
            act(
                "add_element",
                type="image",
                name="logo",
                position={"x": 0, "y": 0, "w": 1, "h": 1},
                data={"src": "assets:a"},
            ),
            act(
                "add_element", type="table", name="items", position={"x": 0, "y": 0}, data={"cells": [["a"]]}
            ),
            act(
                "add_element",
                type="barcode",
                name="code",
                position={"x": 0, "y": 0, "w": 1, "h": 1},
                data={"content": "1"},
            ),
            act(
                "add_element",
                type="shape",
                name="box",
                position={"x": 0, "y": 0, "w": 1, "h": 1},
                data={"shapeType": "line"},
            ),
            act("add_element", type="text", position={"x": 0, "y": 0}, data={"content": "nameless"}),
            act("bind_variable", name="logo"),
            act("bind_variable", name="items"),
            act("bind_variable", id="barcode-00003"),
            act("bind_variable", name="logo"),
        ]
    )
    assert {n: (v["field"], v["type"]) for n, v in tree["variables"].items()} == {
        "logo": ("src", "image"),
        "items": ("cells", "table"),
        "code": ("content", "barcode"),
    }
    fails([act("bind_variable", name="box")], "INVALID_INPUT", "cannot be bound", tree=tree)
    fails([act("bind_variable", id="text-00005")], "INVALID_INPUT", "has no name", tree=tree)
    fails([act("bind_variable", name="logo", field="src")], "VALIDATION_ERROR", "element's name", tree=tree)
    tree, results = run([act("unbind_variable", name="logo")], tree=tree)
    assert "logo" not in tree["variables"]
    assert results[0]["data"] == {"name": "logo", "id": "image-00001"}
    fails([act("unbind_variable", name="logo")], "INVALID_INPUT", "not bound", tree=tree)


def test_c2_client_id_card_payload() -> None:
    actions = [
        act("update_page", page=0, width=243, height=153),
        act(
            "add_element",
            type="shape",
            name="band",
            position={"x": 0, "y": 0, "w": 243, "h": 30},
            data={"shapeType": "rectangle"},
            styles={"fill": "#0F766E"},
        ),
        act(
            "add_element",
            type="text",
            name="holder",
            position={"x": 84, "y": 46, "maxWidth": 145},
            data={"content": "Priya R"},
            styles={"fontFamily": "Poppins", "fontSize": 13, "fontWeight": 700},
        ),
        act("add_page", width=243, height=153),
        act(
            "add_element",
            type="barcode",
            name="id_barcode",
            page=1,
            position={"x": 41, "y": 46, "w": 161, "h": 44},
            data={"content": "NW-2026-0471", "format": "CODE128"},
        ),
        act("bind_variable", name="holder"),
        act("bind_variable", name="id_barcode"),
    ]
    tree, results = run(actions, C2)
    assert [(p["width"], p["height"]) for p in tree["pages"]] == [(243, 153), (243, 153)]
    assert tree["nodes"][results[4]["data"]["id"]]["page"] == 1
    assert tree["pages"][1]["children"] == [results[4]["data"]["id"]]
    assert results[0]["data"]["page"] == 0
    assert results[3]["data"]["page"] == 1
    assert set(variables(tree, C2)) == {"holder", "id_barcode"}


def test_pages_add_update_remove() -> None:
    tree, results = run(
        [
            act("add_page", orientation="landscape"),
            act("add_page"),
            act("update_page", page=2, orientation="landscape", name="Back"),
        ]
    )
    assert (tree["pages"][1]["width"], tree["pages"][1]["height"]) == (841.89, 595.28)
    assert (tree["pages"][2]["width"], tree["pages"][2]["height"]) == (841.89, 595.28)  # copies the last page
    assert tree["pages"][2]["name"] == "Back"
    assert results[2]["data"]["name"] == "Back"
    on_page = act(
        "add_element", type="text", name="t", page=2, position={"x": 0, "y": 0}, data={"content": "x"}
    )
    tree, _ = run([on_page, act("bind_variable", name="t"), act("remove_page", page=1)], tree=tree)
    assert len(tree["pages"]) == 2
    assert tree["nodes"]["text-00001"]["page"] == 1
    tree, _ = run([act("remove_page", page=1)], tree=tree)
    assert tree["nodes"] == {}
    assert tree["variables"] == {}
    fails([act("remove_page", page=0)], "INVALID_INPUT", "last", tree=tree)
    fails([act("add_page", width=100)], "MISSING_REQUIRED_FIELD", "height")
    fails([act("add_page", width=0, height=10)], "INVALID_INPUT", "greater than 0")
    fails([act("add_page", orientation="sideways")], "INVALID_INPUT", "landscape")
    fails([act("add_page", size="A4")], "VALIDATION_ERROR", "unknown key")
    fails([act("update_page", page=3)], "INVALID_INPUT", "no page 3")


def test_backgrounds_flat_nested_and_cleared() -> None:
    tree, results = run(
        [
            act("set_page_background", page=0, backgroundColor="#FAF7F2"),
            act("set_page_background", page=0, backgroundImage="uploads:upl_1", backgroundSize="cover"),
            act("set_document_background", backgroundColor="linear-gradient(#fff, #000)"),
        ]
    )
    assert tree["pages"][0]["background"] == {
        "backgroundColor": "#FAF7F2",
        "backgroundImage": "uploads:upl_1",
        "backgroundSize": "cover",
    }
    assert results[2]["data"] == {"background": {"backgroundColor": "linear-gradient(#fff, #000)"}}
    tree, _ = run([act("set_page_background", page=0, backgroundColor=None)], tree=tree)
    assert "backgroundColor" not in tree["pages"][0]["background"]
    tree, _ = run(
        [act("set_page_background", page=0, background={"image": {"src": "assets:a"}, "color": "#000"})],
        B1,
        tree=tree,
    )
    assert tree["pages"][0]["background"] == {"backgroundColor": "#000", "backgroundImage": "assets:a"}
    tree, _ = run([act("set_page_background", background={"imageRef": "assets:b"})], B1, tree=tree)
    assert tree["pages"][0]["background"] == {"backgroundImage": "assets:b"}
    tree, _ = run([act("set_page_background", page=0, background=None)], tree=tree)
    assert tree["pages"][0]["background"] is None
    fails([act("set_page_background", page=0)], "MISSING_REQUIRED_FIELD", "background")
    fails([act("set_page_background", backgroundSize="tile")], "INVALID_INPUT", "cover")
    fails([act("set_page_background", backgroundImage="uploads:x")], "INVALID_INPUT", "assets:<id>", vocab=B2)
    fails([act("set_page_background", background={}, backgroundColor="#fff")], "VALIDATION_ERROR", "not both")


def test_set_metadata() -> None:
    tree, results = run(
        [act("set_metadata", author="Ada", keywords=["a", "b"]), act("set_metadata", author=None)]
    )
    assert tree["metadata"]["keywords"] == "a, b"
    assert tree["metadata"]["author"] is None
    assert results[0]["data"]["author"] == "Ada"
    fails([act("set_metadata", title="x")], "VALIDATION_ERROR", "unknown key")
    fails([act("set_metadata")], "MISSING_REQUIRED_FIELD", "author")


def test_refs_are_checked_when_the_caller_can_tell() -> None:
    image = act(
        "add_element", type="image", position={"x": 0, "y": 0, "w": 1, "h": 1}, data={"src": "uploads:upl_x"}
    )
    with pytest.raises(AuthoringError, match="no image 'uploads:upl_x'"):
        apply_actions(new_tree(), [image], C2, minter(), ref_exists=lambda ref: False)
    tree, _ = apply_actions(new_tree(), [image], C2, minter(), ref_exists=lambda ref: ref == "uploads:upl_x")
    assert len(tree["nodes"]) == 1


@pytest.mark.parametrize(
    ("actions", "vocab", "code", "fragment"),
    [
        ("nope", C2, "VALIDATION_ERROR", "actions must be an array"),
        ([], C2, "INVALID_INPUT", "at least 1"),
        ([TITLE] * 501, C2, "INVALID_INPUT", "at most 500"),
        ([TITLE] * 501, B2, "INVALID_INPUT", "at most 500"),
        ([5], C2, "VALIDATION_ERROR", "actions[0] must be an object"),
        ([{"args": {}}], C2, "MISSING_REQUIRED_FIELD", "actions[0].type"),
        ([{"type": "add_elemnt", "args": {}}], C2, "VALIDATION_ERROR", "did you mean 'add_element'"),
        ([{"type": "add_element", "args": [], "x": 1}], C2, "VALIDATION_ERROR", "unknown key"),
        ([{"type": "add_element", "args": []}], C2, "VALIDATION_ERROR", "args must be an object"),
    ],
)
def test_batch_shape_errors(actions: Any, vocab: Any, code: str, fragment: str) -> None:
    fails(actions, code, fragment, vocab=vocab)


def test_empty_batch_is_fine_where_no_minimum_is_stated() -> None:
    tree, results = run([], B2)
    assert results == []
    assert tree == new_tree()


def test_hostile_nesting_and_size_are_bounded() -> None:
    deep: Any = "x"
    for _ in range(5_000):
        deep = [deep]
    fails(
        [
            act(
                "add_element",
                type="text",
                position={"x": 0, "y": 0},
                data={"content": "a"},
                styles={"s": deep},
            )
        ],
        "INVALID_INPUT",
        "nested deeper",
    )
    fails(
        [act("add_element", type="text", name="n" * 101, position={"x": 0, "y": 0}, data={"content": "a"})],
        "INVALID_INPUT",
        "at most 100",
    )
    fails(
        [act("add_element", type="text", position={"x": 0, "y": 0}, data={"content": "a" * 20_001})],
        "INVALID_INPUT",
        "20000",
    )


def test_atomic_batch_leaves_the_input_alone_even_after_changes() -> None:
    tree, _ = run([TITLE])
    before = copy.deepcopy(tree)
    fails(
        [
            act("update_element", name="title", data={"content": "changed"}),
            act("add_page"),
            act("remove_element", name="nobody"),
        ],
        "INVALID_INPUT",
        "actions[2] (remove_element)",
        tree=tree,
    )
    assert tree == before


def test_element_and_page_counts_are_bounded() -> None:
    tree = new_tree()
    tree["pages"] += [dict(tree["pages"][0], id=f"page-x{i}", children=[]) for i in range(99)]
    fails([act("add_page")], "INVALID_INPUT", "at most 100 pages", tree=tree)
    small = new_tree()
    small["nodes"] = {f"n{i}": {} for i in range(5_000)}
    fails([TITLE], "INVALID_INPUT", "at most 5000 elements", tree=small)


def test_a_value_found_after_the_actions_ran_is_blamed_on_the_first_action_that_sent_it() -> None:
    inline = "data:image/svg+xml,<svg/>"
    cells = {"cells": [["a", {"type": "image", "data": {"src": inline}}]]}
    actions = [
        TITLE,
        act("add_element", type="table", name="t", data=cells),
        act("set_page_background", page=0, backgroundImage=inline),
    ]
    assert failed_action(actions, inline) == "actions[1] (add_element) failed: "
    assert failed_action(actions[2:], inline) == "actions[0] (set_page_background) failed: "
    assert failed_action([TITLE, "not an action"], inline) == ""
