"""The design-tree authoring engine: pure functions, no I/O, one entry point per operation.

Build (`new_tree`, `tree_for_variables`), edit (`apply_tools` for Era A, `apply_actions` for B/C),
read variables (`variables`), check and apply generate-time values (`check_values`, `fill`), and
describe the vocabulary (`tool_catalog`, `action_catalog`). Every edit works on a deep copy.
"""

from __future__ import annotations

from .actions import apply_actions
from .catalog import action_catalog, tool_catalog
from .errors import AuthoringError
from .fonts import FONTS
from .starting import tree_for_variables
from .steps import failed_action
from .tools import apply_tools
from .tree import PAPER, new_tree, page_size
from .variables import check_values, fill, variables
from .vocabulary import Vocabulary, vocabulary

__all__ = [
    "FONTS",
    "PAPER",
    "AuthoringError",
    "Vocabulary",
    "action_catalog",
    "apply_actions",
    "apply_tools",
    "check_values",
    "failed_action",
    "fill",
    "new_tree",
    "page_size",
    "tool_catalog",
    "tree_for_variables",
    "variables",
    "vocabulary",
]
