"""What yamldoc's two readers share and the loader sees: positions, limits, problems and documents.

No PyYAML here: a start that reads only the package's own files (their JSON twins, `packaged`)
never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Path = tuple[str | int, ...]
Mark = tuple[int, int]  # (line, column), both from 1

MAX_NODES = 200_000
"""Values of one file after aliases and merge keys are expanded (merge entries walked included)."""
MAX_TEXT = 20 * 1024 * 1024
"""Characters of text (keys and scalar values) of one file after aliases and merge keys are expanded."""
MAX_DEPTH = 100
"""Mappings and lists inside one another, in the file and once aliases are expanded."""
TOO_DEEP = f"mappings and lists nest deeper than {MAX_DEPTH} levels"


class YamlProblem(Exception):
    """One problem found while reading, with its position."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class Document:
    """Plain data (dicts, lists, scalars) plus the position of each value and key.

    Positions are only for messages, so a document may be given a way to find them instead
    (`positions`: the text read again, positions recorded), used when they are first asked for.
    """

    def __init__(
        self,
        data: Any,
        values: dict[Path, Mark] | None = None,
        keys: dict[Path, Mark] | None = None,
        positions: Callable[[], Document] | None = None,
    ) -> None:
        self.data = data
        self._values = {} if values is None else values
        self._keys = {} if keys is None else keys
        self._positions = positions

    @property
    def values(self) -> dict[Path, Mark]:
        """Where each value starts, by its path."""
        self._find_positions()
        return self._values

    @property
    def keys(self) -> dict[Path, Mark]:
        """Where each mapping key stands, by the path of its value."""
        self._find_positions()
        return self._keys

    def keeping(self, data: Any) -> Document:
        """This document's positions (or its way to find them) with `data` in place of its own: what a
        cache keeps of a document whose data lives on in another form."""
        return Document(data, self._values, self._keys, self._positions)

    def _find_positions(self) -> None:
        if self._positions is not None:
            found = self._positions()
            self._values, self._keys, self._positions = found.values, found.keys, None

    def locate(self, loc: Iterable[str | int]) -> tuple[Path, Mark, bool]:
        """Follow `loc` (e.g. a pydantic error location) as far as the data goes.

        Steps that are not keys or indexes of the data (union tags) are skipped.
        Returns the path followed, its position, and whether the last step of
        `loc` named a key that is absent (so the position is its mapping's).
        """
        path: Path = ()
        node = self.data
        steps = list(loc)
        missing = False
        for i, step in enumerate(steps):
            child = _child(node, step)
            if child is _ABSENT:
                missing = i == len(steps) - 1 and isinstance(node, dict)
                continue
            node = child
            path = (*path, step)
        return path, self.values.get(path, (1, 1)), missing


_ABSENT = object()


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(step, _ABSENT)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _ABSENT
