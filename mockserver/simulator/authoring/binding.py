"""Explicit variable bindings stored in the tree: name -> {nodeId, field, type}."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .content import BOUND_FIELD
from .errors import AuthoringError
from .tree import Tree
from .vocabulary import Vocabulary


@dataclass
class Context:
    """What one batch of tools or actions works with: the working copy and the request's helpers."""

    tree: Tree
    vocab: Vocabulary
    mint: Callable[[str], str]
    ref_exists: Callable[[str], bool] | None

    def check_ref(self, src: Any, where: str) -> None:
        """An `assets:` / `uploads:` source must name an existing image (when the caller can tell)."""
        if not isinstance(src, str) or self.ref_exists is None:
            return
        if src.split(":", 1)[0] in ("assets", "uploads") and not self.ref_exists(src):
            raise AuthoringError("INVALID_INPUT", f"{where}: no image {src!r} in this workspace")

    def check_node_refs(self, node: dict[str, Any], where: str) -> None:
        """Every `assets:`/`uploads:` image source of `node` exists."""
        sources: list[tuple[dict[str, Any], str]] = []
        if node["type"] == "image":
            sources.append((node["data"], f"{where}.data.src"))
        elif node["type"] == "table":
            for r, row in enumerate(node["data"]["cells"]):
                for c, cell in enumerate(row):
                    if isinstance(cell, dict) and cell["type"] == "image":
                        sources.append((cell["data"], f"{where}.data.cells[{r}][{c}].data.src"))
        for data, at in sources:
            self.check_ref(data.get("src"), at)


def bound_names(tree: Tree, node_id: str) -> list[str]:
    return [name for name, v in tree["variables"].items() if v["nodeId"] == node_id]


def bind(tree: Tree, node: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    """Bind `node`'s content field to variable `name`; rebinding the same pair is a no-op."""
    field = BOUND_FIELD.get(node["type"])
    if field is None:
        raise AuthoringError(
            "INVALID_INPUT",
            f"{where}: a {node['type']} element cannot be bound; "
            "bind a text, image, table, qr or barcode element",
        )
    taken = tree["variables"].get(name)
    if taken is not None and taken["nodeId"] != node["id"]:
        raise AuthoringError(
            "INVALID_INPUT",
            f"{where}: variable {name!r} is already bound to element {taken['nodeId']!r}; unbind it first",
        )
    others = [other for other in bound_names(tree, node["id"]) if other != name]
    if others:
        raise AuthoringError(
            "INVALID_INPUT",
            f"{where}: element {node['id']!r} is already bound as {others[0]!r}; unbind it first",
        )
    tree["variables"][name] = {"nodeId": node["id"], "field": field, "type": node["type"]}
    return {"name": name, "id": node["id"], "type": node["type"], "field": field}


def unbind(tree: Tree, node: dict[str, Any], where: str) -> dict[str, Any]:
    names = bound_names(tree, node["id"])
    if not names:
        raise AuthoringError("INVALID_INPUT", f"{where}: element {node['id']!r} is not bound to a variable")
    for name in names:
        del tree["variables"][name]
    return {"name": names[0], "id": node["id"]}
