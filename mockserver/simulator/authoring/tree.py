"""The design tree: a blank tree, paper sizes, and lookups of pages and nodes inside one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import AuthoringError
from .guard import choice, integer, suggest
from .limits import MAX_NODES, MAX_PAGES

A4 = (595.28, 841.89)
PAPER: dict[str, tuple[float, float]] = {
    "A4": A4,
    "A3": (841.89, 1190.55),
    "A5": (419.53, 595.28),
    "Letter": (612.0, 792.0),
    "Legal": (612.0, 1008.0),
}
ORIENTATIONS = ("portrait", "landscape")

Tree = dict[str, Any]


def page_size(size: str, orientation: str) -> tuple[float, float]:
    """(width, height) in points of a paper format; landscape puts the long side across."""
    width, height = PAPER[choice(size, "size", PAPER)]
    return orient(width, height, choice(orientation, "orientation", ORIENTATIONS))


def orient(width: float, height: float, orientation: str) -> tuple[float, float]:
    short, long = sorted((width, height))
    return (long, short) if orientation == "landscape" else (short, long)


def new_page(tree: Tree, width: float, height: float) -> dict[str, Any]:
    """A blank page with an id no other page of `tree` has (page-1, page-2, ...)."""
    taken = {page["id"] for page in tree.get("pages", [])}
    number = len(taken) + 1
    while f"page-{number}" in taken:
        number += 1
    return {
        "id": f"page-{number}",
        "name": None,
        "width": width,
        "height": height,
        "background": None,
        "children": [],
    }


def new_tree(width: float = A4[0], height: float = A4[1]) -> Tree:
    """A design tree with one blank page of the given size (A4 portrait by default)."""
    tree: Tree = {
        "metadata": {
            "schemaVersion": "v1",
            "author": None,
            "subject": None,
            "keywords": None,
            "creator": None,
        },
        "document": {"background": None},
        "pages": [],
        "nodes": {},
        "variables": {},
    }
    tree["pages"].append(new_page(tree, width, height))
    return tree


def page_index(tree: Tree, value: Any, where: str) -> int:
    """A page index that exists in `tree`."""
    count = len(tree["pages"])
    index = integer(value, where, 0, MAX_PAGES)
    if index >= count:
        raise AuthoringError(
            "INVALID_INPUT", f"{where}: no page {index}; the design has {count} page(s), numbered from 0"
        )
    return index


def check_room(tree: Tree, adding: int = 1) -> None:
    if len(tree["nodes"]) + adding > MAX_NODES:
        raise AuthoringError("INVALID_INPUT", f"a design holds at most {MAX_NODES} elements")


def check_page_room(tree: Tree) -> None:
    if len(tree["pages"]) >= MAX_PAGES:
        raise AuthoringError("INVALID_INPUT", f"a design holds at most {MAX_PAGES} pages")


def by_id(tree: Tree, node_id: str, where: str) -> dict[str, Any]:
    node = tree["nodes"].get(node_id)
    if node is None:
        raise AuthoringError(
            "INVALID_INPUT", f"{where}: no element with id {node_id!r}{suggest(node_id, tree['nodes'])}"
        )
    return node  # type: ignore[no-any-return]


def by_name(tree: Tree, name: str, where: str) -> dict[str, Any]:
    names: dict[str, dict[str, Any]] = {
        node["name"]: node for node in tree["nodes"].values() if node.get("name") is not None
    }
    node = names.get(name)
    if node is None:
        raise AuthoringError("INVALID_INPUT", f"{where}: no element named {name!r}{suggest(name, names)}")
    return node


def name_taken(tree: Tree, name: str, keep: str | None = None) -> bool:
    return any(node.get("name") == name and node["id"] != keep for node in tree["nodes"].values())


def fresh_id(tree: Tree, mint: Callable[[str], str], prefix: str) -> str:
    """A minted id not yet used in `tree` (a mint that repeats itself gets a few more tries)."""
    for _ in range(100):
        node_id = mint(prefix)
        if node_id not in tree["nodes"]:
            return node_id
    raise RuntimeError(f"mint({prefix!r}) keeps returning ids that are taken")


def attach(tree: Tree, node: dict[str, Any]) -> None:
    """Put `node` on top of its page's paint order."""
    tree["nodes"][node["id"]] = node
    tree["pages"][node["page"]]["children"].append(node["id"])


def detach(tree: Tree, node_id: str) -> dict[str, Any]:
    """Remove a node and any variable bound to it; returns the node."""
    node: dict[str, Any] = tree["nodes"].pop(node_id)
    tree["pages"][node["page"]]["children"].remove(node_id)
    for name in [n for n, v in tree["variables"].items() if v["nodeId"] == node_id]:
        del tree["variables"][name]
    return node
