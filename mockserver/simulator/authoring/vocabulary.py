"""What one docs revision lets a client author: tool/action names, element types, schemes, limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ACTIONS_B = frozenset(
    {
        "add_element",
        "update_element",
        "remove_element",
        "reorder_element",
        "bind_variable",
        "unbind_variable",
        "add_page",
        "set_page_background",
        "set_document_background",
        "set_metadata",
    }
)
ACTIONS_C2 = ACTIONS_B | {"update_page", "remove_page"}
ELEMENTS = frozenset({"text", "image", "qr", "barcode", "shape", "table"})
ELEMENTS_C2 = ELEMENTS | {"icon"}
TOOLS_A = frozenset(
    {
        "add_page",
        "add_element",
        "update_element",
        "remove_element",
        "bind_variable",
        "add_elements",
        "update_elements",
        "remove_elements",
        "bind_variables",
        "unbind_variables",
        "set_page_background",
        "set_document_background",
        "set_metadata",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """What one revision allows. `action_types` holds tool names in Era A, action types in B/C."""

    era: Literal["A", "B", "C"]
    action_types: frozenset[str]
    element_types: frozenset[str]
    image_schemes: tuple[str, ...]  # ref schemes an image *variable value* may use
    max_actions: int | None = None  # None: the simulator's own bound (limits.MAX_CALLS)
    legacy_style_keys: bool = False  # styles.bold / styles.italic accepted (A, B1)
    min_actions: int = 0  # C: a tree patch carries 1-500 actions
    element_flags: bool = False  # update_element accepts isLocked / isHidden (C2)
    src_schemes: tuple[str, ...] = ("assets", "data", "https")  # element data.src, backgroundImage
    drop_inline_images: bool = False  # C2: data: image values are dropped before rendering
    fonts: bool = False  # C2: styles.fontFamily must name a font of GET /fonts (normalised to its case)


def vocabulary(revision: str) -> Vocabulary:
    """The vocabulary of a revision name: A, B1, B2, C1 or C2."""
    if revision == "A":
        return Vocabulary("A", TOOLS_A, ELEMENTS, ("assets",), legacy_style_keys=True)
    if revision in ("B1", "B2"):
        return Vocabulary("B", ACTIONS_B, ELEMENTS, ("assets",), legacy_style_keys=revision == "B1")
    c_refs = ("uploads", "assets", "data", "https")
    if revision == "C1":
        # C1's variables page still says `assets:`, but C1 can only create `uploads:` refs: accept both.
        return Vocabulary(
            "C", ACTIONS_B, ELEMENTS, ("uploads", "assets"), 500, min_actions=1, src_schemes=c_refs
        )
    if revision == "C2":
        return Vocabulary(
            "C",
            ACTIONS_C2,
            ELEMENTS_C2,
            ("uploads", "assets"),
            500,
            min_actions=1,
            element_flags=True,
            src_schemes=c_refs,
            drop_inline_images=True,
            fonts=True,
        )
    raise ValueError(f"unknown revision {revision!r}")
