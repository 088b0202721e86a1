"""The public surface: `mockserver.__all__` changes only together with this list."""

from __future__ import annotations

import mockserver

PUBLIC = [
    "JournalEntry",
    "MockApp",
    "MockAsgi",
    "MockControl",
    "MockServer",
    "MockServerError",
    "OperationError",
    "Problem",
    "ScenarioError",
    "ServerStartError",
    "Settings",
    "__version__",
    "create_app",
]


def test_the_public_names_are_exactly_the_pinned_ones() -> None:
    assert sorted(mockserver.__all__) == PUBLIC, (
        "a public name appeared or disappeared: update PUBLIC on purpose"
    )


def test_every_public_name_exists() -> None:
    missing = [name for name in mockserver.__all__ if not hasattr(mockserver, name)]
    assert missing == []
