"""Reading YAML safely, keeping where every key and value stands in the file.

Only the YAML composer runs (no constructor), so no tag can build an object;
scalars are resolved by hand from the plain, safe tags. Aliases and `<<` merge
keys are expanded under a budget counted on the EXPANDED document (values
visited, merge entries walked, characters of text), so a small file of nested
aliases cannot take exponential time or memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
Mark = tuple[int, int]  # (line, column), both from 1

_SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}
_PLAIN_TAGS = _SCALARS | {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
MAX_NODES = 200_000
"""Values of one file after aliases and merge keys are expanded (merge entries walked included)."""
MAX_TEXT = 20 * 1024 * 1024
"""Characters of text (keys and scalar values) of one file after aliases and merge keys are expanded."""


class _Budget:
    """What is left of MAX_NODES and MAX_TEXT while one document is expanded."""

    __slots__ = ("nodes", "text")

    def __init__(self) -> None:
        self.nodes = MAX_NODES
        self.text = MAX_TEXT

    def spend(self, node: yaml.Node, nodes: int = 1, text: int = 0) -> None:
        self.nodes -= nodes
        self.text -= text
        _check_size(node, MAX_NODES - self.nodes, MAX_TEXT - self.text)


def _check_size(node: yaml.Node, nodes: int, text: int) -> None:
    """YamlProblem at `node` when `nodes` values or `text` characters are over the limits."""
    what = "document too large once aliases and merge keys are expanded"
    if nodes > MAX_NODES:
        raise YamlProblem(_mark(node), f"{what} (over {MAX_NODES:,} values)")
    if text > MAX_TEXT:
        raise YamlProblem(_mark(node), f"{what} (over {MAX_TEXT // 2**20} MB of text)")


class YamlProblem(Exception):
    """One problem found while reading, with its position."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


@dataclass
class Document:
    """Plain data (dicts, lists, scalars) plus the position of each value and key."""

    data: Any
    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

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


_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser, when PyYAML was built with it: the same nodes and marks, several times faster."""


def _compose_fast(text: str) -> tuple[yaml.Node | None, yaml.CSafeLoader] | None:
    """The root node by libyaml, or None when it is missing or the text is not a clean document."""
    if _FAST_LOADER is None:
        return None
    loader = _FAST_LOADER(text)
    try:
        return loader.get_single_node(), loader
    except Exception:  # any problem: the pure-Python parser reads it again and words it
        return None
    finally:
        loader.dispose()


def read(text: str, trusted: bool = False) -> Document:
    """Parse one YAML document; raises YamlProblem for syntax and unsafe content.

    A `trusted` text (a file shipped in the package) is composed by libyaml when it is there: the
    built-in scenarios are read at every start. Others always go through the pure-Python parser,
    which checks every character and cannot overflow the C stack on deep nesting.
    """
    fast = _compose_fast(text) if trusted else None
    if fast is not None:
        return _document(fast[0], fast[1], anchored="&" in text)
    try:
        loader = yaml.SafeLoader(text)  # its reader already rejects unprintable characters
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(_position(text, exc.position), f"YAML error: {exc.reason}") from None
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlProblem(where, f"YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem((1, 1), f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem((1, 1), "the document is nested too deeply") from None
    finally:
        loader.dispose()
    return _document(root, loader, anchored="&" in text)


def _document(root: yaml.Node | None, loader: yaml.SafeLoader | yaml.CSafeLoader, anchored: bool) -> Document:
    """The plain data of a composed document, within the size budget, with every position.

    Only a document with an anchor (`&`) can have aliases, so only then is its expanded size
    measured before it is expanded; without one, expanding it is linear in the file anyway (and the
    budget still bounds it).
    """
    doc = Document(data={})
    if root is not None:
        try:
            if anchored:
                _measure(root, {}, set())
            doc.data = _convert(root, (), doc, loader, _Budget(), set())
        except RecursionError:
            raise YamlProblem(_mark(root), "the document is nested too deeply") from None
    return doc


def _position(text: str, index: int) -> Mark:
    """(line, column) of character `index` of `text`, both from 1."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _mark(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _measure(node: yaml.Node, sizes: dict[int, tuple[int, int]], inside: set[int]) -> tuple[int, int]:
    """Values and characters of text `node` expands to, once per distinct node (linear in the file).

    An upper bound (merged keys are counted even when an own key overrides them), so a bomb is
    refused before any of it is expanded, at the smallest node that is too large.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    if id(node) in inside:
        raise YamlProblem(_mark(node), "an alias refers to a node that contains it")
    nodes, text = 1, 0
    if isinstance(node, yaml.ScalarNode):
        text = len(node.value)
    else:
        inside.add(id(node))
        children = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        for child in children:
            more_nodes, more_text = _measure(child, sizes, inside)
            nodes, text = nodes + more_nodes, text + more_text
        inside.discard(id(node))
    _check_size(node, nodes, text)
    sizes[id(node)] = (nodes, text)
    return nodes, text


def _convert(
    node: yaml.Node,
    path: Path,
    doc: Document,
    loader: yaml.SafeLoader | yaml.CSafeLoader,
    budget: _Budget,
    inside: set[int],
) -> Any:
    """Node → plain data. `budget` bounds alias expansion; `inside` catches alias loops."""
    if id(node) in inside:
        raise YamlProblem(_mark(node), "an alias refers to a node that contains it")
    budget.spend(node, text=len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
    doc.values[path] = _mark(node)
    if node.tag not in _PLAIN_TAGS:
        raise YamlProblem(_mark(node), f"unsupported YAML tag {node.tag!r}: only plain data is allowed")
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_object(node)
        return value.isoformat() if hasattr(value, "isoformat") else value
    inside.add(id(node))
    try:
        return _convert_collection(node, path, doc, loader, budget, inside)
    finally:
        inside.discard(id(node))


def _convert_collection(
    node: yaml.Node,
    path: Path,
    doc: Document,
    loader: yaml.SafeLoader | yaml.CSafeLoader,
    budget: _Budget,
    inside: set[int],
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in _pairs(node, budget):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALARS:
                raise YamlProblem(_mark(key_node), "a mapping key must be plain text")
            key = str(loader.construct_object(key_node))
            budget.spend(key_node, text=len(key))
            if key in result:
                raise YamlProblem(_mark(key_node), f"duplicate key {key!r}")
            doc.keys[(*path, key)] = _mark(key_node)
            result[key] = _convert(value_node, (*path, key), doc, loader, budget, inside)
        return result
    return [_convert(item, (*path, i), doc, loader, budget, inside) for i, item in enumerate(node.value)]


def _pairs(node: yaml.MappingNode, budget: _Budget) -> list[tuple[yaml.Node, yaml.Node]]:
    """Key/value nodes, with `<<` merge keys expanded (explicit keys win); each entry walked costs one."""
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    own: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != "tag:yaml.org,2002:merge":
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise YamlProblem(_mark(source), "'<<' must merge a mapping or a list of mappings")
            pairs = _pairs(source, budget)
            budget.spend(value_node, nodes=len(pairs))
            merged.extend(pairs)
    own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    seen: set[Any] = set()
    result = []
    for key_node, value_node in merged:
        if key_node.value not in own_keys and key_node.value not in seen:
            seen.add(key_node.value)
            result.append((key_node, value_node))
    return result + own
