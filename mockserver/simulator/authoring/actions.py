"""Era B/C authoring: `{type, args}` actions applied in order to a copy of the tree, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import pages
from .binding import Context, bind, bound_names, unbind
from .content import check_styles, element_data, merge
from .elements import derive, make_node, summary, typed_position
from .errors import AuthoringError
from .guard import boolean, integer, keys, need, obj, one_of, string, suggest
from .limits import MAX_NAME, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from .steps import ACTIONS, apply_steps
from .tree import Tree, attach, by_id, by_name, check_room, detach, fresh_id, name_taken, page_index
from .vocabulary import Vocabulary

_ID_HINT = (
    "ids are minted by the server: leave id out, then use the id in the result or address the element by name"
)
_BIND_HINT = (
    "the variable takes the element's name and the bound field follows from its type; send only name or id"
)
ORDER = ("front", "back", "forward", "backward")


def _name(value: Any, where: str) -> str:
    return string(value, where, MAX_NAME, non_empty=True)


def address(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    """The element `args` names by exactly one of `name` or `id`."""
    key = one_of(args, ("name", "id"), "args")
    value = string(args[key], f"args.{key}", MAX_NAME)
    return by_name(ctx.tree, value, "args.name") if key == "name" else by_id(ctx.tree, value, "args.id")


def _unique(ctx: Context, name: str, where: str, keep: str | None = None) -> None:
    if name_taken(ctx.tree, name, keep):
        raise AuthoringError(
            "INVALID_INPUT", f"{where}: an element named {name!r} already exists; element names are unique"
        )


def add_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("type", "name", "page", "position", "data", "styles"), "args", {"id": _ID_HINT})
    kind = string(need(args, "type", "args"), "args.type", 50)
    if kind not in ctx.vocab.element_types:
        listed = ", ".join(sorted(ctx.vocab.element_types))
        raise AuthoringError(
            "INVALID_INPUT",
            f"args.type: unknown element type {kind!r}{suggest(kind, ctx.vocab.element_types)}; "
            f"one of {listed}",
        )
    name = None if args.get("name") is None else _name(args["name"], "args.name")
    if name is not None:
        _unique(ctx, name, "args.name")
    page = page_index(ctx.tree, args.get("page", 0), "args.page")
    position = typed_position(kind, need(args, "position", "args"), "args.position")
    data = element_data(kind, need(args, "data", "args"), "args.data", ctx.vocab)
    styles = check_styles(args.get("styles"), "args.styles", ctx.vocab)
    check_room(ctx.tree)
    node = make_node(kind, fresh_id(ctx.tree, ctx.mint, kind), name, page, position, data, styles)
    ctx.check_node_refs(node, "args")
    attach(ctx.tree, node)
    return summary(node)


def _resize(cells: list[list[Any]], rows: int, columns: int) -> list[list[Any]]:
    grid = [(row + [""] * columns)[:columns] for row in cells[:rows]]
    return grid + [[""] * columns for _ in range(rows - len(grid))]


def _patch_data(ctx: Context, node: dict[str, Any], raw: Any) -> None:
    patch = obj(raw, "args.data")
    old = dict(node["data"])
    if node["type"] == "table":
        if patch.get("width") is not None and patch.get("columnWidths") is None:
            old.pop("columnWidths", None)
        if patch.get("cells") is None and (patch.get("rows") is not None or patch.get("columns") is not None):
            rows = integer(patch.get("rows", old["rows"]), "args.data.rows", 1, MAX_TABLE_ROWS)
            columns = integer(patch.get("columns", old["columns"]), "args.data.columns", 1, MAX_TABLE_COLUMNS)
            old["cells"] = _resize(old["cells"], rows, columns)
            patch = {**patch, "rows": rows, "columns": columns}
    refit = "columnWidths" not in patch
    node["data"] = element_data(node["type"], merge(old, patch), "args.data", ctx.vocab, refit=refit)


def update_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    changes = ["newName", "position", "data", "styles"] + (
        ["isLocked", "isHidden"] if ctx.vocab.element_flags else []
    )
    keys(
        args,
        ["name", "id", *changes],
        "args",
        {"type": "an element's type cannot change: remove it and add a new one"},
    )
    node = address(ctx, args)
    if not any(args.get(key) is not None for key in changes):
        raise AuthoringError("MISSING_REQUIRED_FIELD", f"args: send at least one of {', '.join(changes)}")
    if args.get("newName") is not None:
        new_name = _name(args["newName"], "args.newName")
        _unique(ctx, new_name, "args.newName", keep=node["id"])
        for old in bound_names(ctx.tree, node["id"]):
            ctx.tree["variables"][new_name] = ctx.tree["variables"].pop(old)
        node["name"] = new_name
    if args.get("position") is not None:
        for key, value in typed_position(node["type"], args["position"], "args.position", patch=True).items():
            if value is None:
                node["position"].pop(key, None)
            else:
                node["position"][key] = value
    if args.get("data") is not None:
        _patch_data(ctx, node, args["data"])
    if args.get("styles") is not None:
        node["styles"] = merge(
            node["styles"], check_styles(args["styles"], "args.styles", ctx.vocab, patch=True)
        )
    for flag in ("isLocked", "isHidden"):
        if args.get(flag) is not None and flag in changes:
            node[flag] = boolean(args[flag], f"args.{flag}")
    derive(node)
    ctx.check_node_refs(node, "args")
    return summary(node)


def remove_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("name", "id"), "args")
    node = detach(ctx.tree, address(ctx, args)["id"])
    return {"id": node["id"], "name": node["name"]}


def reorder_element(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("name", "id", "to"), "args")
    node = address(ctx, args)
    children: list[str] = ctx.tree["pages"][node["page"]]["children"]
    here, last = children.index(node["id"]), len(children) - 1
    to = need(args, "to", "args")
    if isinstance(to, str):
        if to not in ORDER:
            raise AuthoringError(
                "INVALID_INPUT", f"args.to must be one of {', '.join(ORDER)} or an index{suggest(to, ORDER)}"
            )
        target = {"front": last, "back": 0, "forward": min(here + 1, last), "backward": max(here - 1, 0)}[to]
    else:
        target = integer(to, "args.to", 0, last)
    children.remove(node["id"])
    children.insert(target, node["id"])
    return {"id": node["id"], "name": node["name"], "index": target}


def bind_variable(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("name", "id"), "args", {"field": _BIND_HINT, "variable": _BIND_HINT, "type": _BIND_HINT})
    node = address(ctx, args)
    if node["name"] is None:
        raise AuthoringError(
            "INVALID_INPUT",
            f"args: element {node['id']!r} has no name; name it (update_element newName) to bind it",
        )
    return bind(ctx.tree, node, node["name"], "args")


def unbind_variable(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    keys(args, ("name", "id"), "args")
    return unbind(ctx.tree, address(ctx, args), "args")


def page_action(
    operation: Callable[..., dict[str, Any]], with_vocab: bool = True
) -> Callable[[Context, dict[str, Any]], dict[str, Any]]:
    def run(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
        result = (
            operation(ctx.tree, args, "args", ctx.vocab) if with_vocab else operation(ctx.tree, args, "args")
        )
        for page in ctx.tree["pages"]:
            ctx.check_ref((page["background"] or {}).get("backgroundImage"), "args.backgroundImage")
        ctx.check_ref(
            (ctx.tree["document"]["background"] or {}).get("backgroundImage"), "args.backgroundImage"
        )
        return result

    return run


HANDLERS: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    "add_element": add_element,
    "update_element": update_element,
    "remove_element": remove_element,
    "reorder_element": reorder_element,
    "bind_variable": bind_variable,
    "unbind_variable": unbind_variable,
    "add_page": page_action(pages.add_page),
    "update_page": page_action(pages.update_page),
    "remove_page": page_action(pages.remove_page, with_vocab=False),
    "set_page_background": page_action(pages.set_page_background),
    "set_document_background": page_action(pages.set_document_background),
    "set_metadata": page_action(pages.set_metadata, with_vocab=False),
}


def apply_actions(
    tree: Tree,
    actions: Sequence[Any],
    vocab: Vocabulary,
    mint: Callable[[str], str],
    *,
    ref_exists: Callable[[str], bool] | None = None,
) -> tuple[Tree, list[dict[str, Any]]]:
    """Apply `actions` to a copy of `tree`: (the new tree, one result per action).

    Any failure raises AuthoringError naming the index, the action and the fix, and leaves
    `tree` untouched. `ref_exists` (when given) checks `assets:`/`uploads:` sources.
    """
    return apply_steps(ACTIONS, HANDLERS, tree, actions, vocab, mint, ref_exists)
