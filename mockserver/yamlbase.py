"""What yamldoc's two readers share: positions, limits, problems, documents and plain scalars."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import yaml

Path = tuple[str | int, ...]
Mark = tuple[int, int]  # (line, column), both from 1

STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    _INT,
    "tag:yaml.org,2002:float",
    STR,
    "tag:yaml.org,2002:timestamp",
}
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


# --- scalars -------------------------------------------------------------------------------------------

_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers
_BUILD = yaml.constructor.SafeConstructor.yaml_constructors
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # its scalar methods keep no state


def implicit_tag(text: str) -> str:
    """The tag of a plain scalar, as PyYAML's resolver gives it (YAML 1.1: null, bool, int, ...)."""
    for tag, regexp in _IMPLICIT.get(text[:1], ()):
        if regexp.match(text):
            return str(tag)
    return STR


def construct(tag: str, text: str) -> Any:
    """The value of scalar `text` tagged `tag` (one of SCALARS); ValueError when it is not one."""
    if tag == STR:
        return text
    build = _BUILD.get(tag) if tag in SCALARS else None
    try:
        if tag == _INT and text.isascii() and text.isdigit() and (text[0] != "0" or text == "0"):
            return int(text)  # the usual int, decimal (`010` is octal in YAML 1.1)
        if build is None:
            raise ValueError
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (ValueError, KeyError, AttributeError, TypeError, OverflowError, yaml.YAMLError):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ValueError(f"{shown!r} is not a valid {tag.replace('tag:yaml.org,2002:', '!!')}") from None


def plain_value(value: Any) -> Any:
    """A constructed scalar as data: a date or time becomes its ISO text."""
    return value.isoformat() if hasattr(value, "isoformat") else value


class Parser(Protocol):
    """What is read of a YAML parser: libyaml's or PyYAML's pure-Python one."""

    def get_event(self) -> Any: ...

    def dispose(self) -> None: ...
