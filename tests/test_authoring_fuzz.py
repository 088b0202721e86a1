"""Untrusted authoring input of any shape fails only with AuthoringError, never a crash."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.simulator.authoring import AuthoringError, apply_actions, apply_tools, new_tree, vocabulary

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 600)
    | st.floats(allow_nan=True)
    | st.sampled_from(["text", "table", "qr", "image", "shape", "title", "assets:a", "front", "x", ""]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "args",
                    "name",
                    "id",
                    "position",
                    "data",
                    "styles",
                    "x",
                    "y",
                    "w",
                    "h",
                    "size",
                    "content",
                    "cells",
                    "src",
                    "page",
                    "to",
                    "tool",
                    "input",
                    "elements",
                    "maxWidth",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)
KINDS = st.sampled_from(
    [
        "add_element",
        "update_element",
        "remove_element",
        "reorder_element",
        "bind_variable",
        "unbind_variable",
        "add_page",
        "update_page",
        "remove_page",
        "set_page_background",
        "set_document_background",
        "set_metadata",
    ]
)
TOOLS = st.sampled_from(
    [
        "add_element",
        "add_elements",
        "update_elements",
        "remove_elements",
        "bind_variables",
        "unbind_variables",
        "set_page_background",
        "add_page",
    ]
)


def _mint() -> Any:
    numbers = iter(range(1, 10_000))
    return lambda prefix: f"{prefix}-{next(numbers)}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(KINDS, JSON), max_size=4))
def test_actions_of_any_shape(pairs: list[tuple[str, Any]]) -> None:
    tree = new_tree()
    before = copy.deepcopy(tree)
    actions = [{"type": kind, "args": args} for kind, args in pairs]
    try:
        apply_actions(tree, actions, vocabulary("C2"), _mint())
    except AuthoringError as exc:
        code = exc.code
    else:
        code = "VALIDATION_ERROR"
    assert code in ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")
    assert tree == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TOOLS, JSON), max_size=4))
def test_tools_of_any_shape(pairs: list[tuple[str, Any]]) -> None:
    tree = new_tree()
    before = copy.deepcopy(tree)
    try:
        apply_tools(
            tree, [{"tool": name, "input": payload} for name, payload in pairs], vocabulary("A"), _mint()
        )
    except AuthoringError as exc:
        code = exc.code
    else:
        code = "VALIDATION_ERROR"
    assert code in ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")
    assert tree == before
