"""Applying one request's steps (Era A tool calls or Era B/C actions) in order, all or nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .binding import Context
from .errors import AuthoringError
from .guard import array, bounded, keys, need, obj, string, suggest
from .limits import MAX_CALLS
from .tree import Tree
from .vocabulary import Vocabulary

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Shape:
    """How one era spells a step: `{tool, input}` under `tools`, or `{type, args}` under `actions`."""

    noun: str
    name_key: str
    args_key: str
    kind: str
    catalog: str


TOOLS = Shape("tools", "tool", "input", "tool", "GET /tools")
ACTIONS = Shape("actions", "type", "args", "action", "GET /actions")


def apply_steps(
    shape: Shape,
    handlers: Mapping[str, Handler],
    tree: Tree,
    steps: Sequence[Any],
    vocab: Vocabulary,
    mint: Callable[[str], str],
    ref_exists: Callable[[str], bool] | None,
) -> tuple[Tree, list[dict[str, Any]]]:
    """Run `steps` on a copy of `tree`: (the new tree, one result per step); `tree` is never changed.

    A failure raises AuthoringError naming the index, the step and the fix:
    `actions[1] (bind_variable) failed: …`.
    """
    items = array(steps, shape.noun, vocab.max_actions or MAX_CALLS, vocab.min_actions)
    ctx = Context(copy.deepcopy(tree), vocab, mint, ref_exists)
    results = []
    for index, step in enumerate(items):
        where = f"{shape.noun}[{index}]"
        bounded(step, where)
        body = obj(step, where)
        keys(body, (shape.name_key, shape.args_key), where)
        name = string(need(body, shape.name_key, where), f"{where}.{shape.name_key}", 50)
        if name not in vocab.action_types or name not in handlers:
            hint = suggest(name, vocab.action_types)
            raise AuthoringError(
                "VALIDATION_ERROR",
                f"{where}.{shape.name_key}: unknown {shape.kind} {name!r}{hint}; {shape.catalog} lists them",
            )
        raw = body.get(shape.args_key)
        args = {} if raw is None else obj(raw, f"{where}.{shape.args_key}")
        try:
            data = handlers[name](ctx, args)
        except AuthoringError as exc:
            raise exc.prefixed(_failed(where, name)) from None
        results.append({shape.name_key: name, "status": "success", "data": data})
    return ctx.tree, results


def _failed(where: str, name: str) -> str:
    """How a failing step is named, before what went wrong: `actions[1] (bind_variable) failed: `."""
    return f"{where} ({name}) failed: "


def failed_action(actions: Sequence[Any], value: str) -> str:
    """The name `_failed` gives the first of `actions` whose args hold `value` (a string found only once
    every action has run, such as an inline image refused as an upload), or "" when none holds it."""
    for index, action in enumerate(actions):
        if isinstance(action, dict) and _holds(action.get(ACTIONS.args_key), value):
            return _failed(f"{ACTIONS.noun}[{index}]", str(action.get(ACTIONS.name_key)))
    return ""


def _holds(document: Any, value: str) -> bool:
    """Whether `value` is `document` or a string within it (a request body: nested at most 64 deep)."""
    if isinstance(document, dict):
        return any(_holds(item, value) for item in document.values())
    if isinstance(document, list):
        return any(_holds(item, value) for item in document)
    return isinstance(document, str) and document == value
