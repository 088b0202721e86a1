"""The general reader of `yamldoc`: documents with anchors, aliases or merge keys, and problems.

The parser's events are composed into nodes (iteratively, as PyYAML's composer would, with the
same errors), then turned into plain data. Aliases and `<<` merge keys are expanded under a budget
counted on the EXPANDED document (values visited, merge entries walked, characters of text), and a
document with anchors is measured before any of it is expanded, so a small file of nested aliases
is refused before it can take exponential time or memory.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from .yamlbase import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_TEXT,
    TOO_DEEP,
    Document,
    Mark,
    Path,
    YamlProblem,
)
from .yamlscalars import (
    SCALARS,
    STR,
    Parser,
    construct,
    implicit_tag,
    plain_value,
)

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = SCALARS | {_MAP, _SEQ}


def document(parser: Parser) -> Document:
    """The plain data of the parser's single document, within the size budget, with every position.

    Only a document with an anchor can have aliases, so only then is its expanded size measured
    before it is expanded; without one, expanding it is linear in the file anyway (and the budget
    still bounds it).
    """
    root, anchored = _compose(parser)
    doc = Document(data={})
    if root is not None:
        if anchored:
            _measure(root, {}, set())
        doc.data = _convert(root, (), doc, _Budget(), set())
    return doc


def _at(mark: Any) -> Mark:
    return (mark.line + 1, mark.column + 1)


def _mark(node: yaml.Node) -> Mark:
    return _at(node.start_mark)


def _compose(parser: Parser) -> tuple[yaml.Node | None, bool]:
    """The root node of the single document and whether it has anchors; iterative, so any nesting is
    safe to read (deeper than MAX_DEPTH is refused). Undefined aliases, duplicate anchors and a second
    document are syntax errors, worded as PyYAML's composer words them."""
    get = parser.get_event
    get()  # StreamStartEvent
    if isinstance(get(), StreamEndEvent):
        return None, False
    anchors: dict[str, yaml.Node] = {}
    stack: list[tuple[yaml.Node, list[yaml.Node]]] = []  # open collections; a mapping's waiting key
    root: yaml.Node | None = None
    while True:
        event = get()
        if isinstance(event, DocumentEndEvent):
            break
        if isinstance(event, MappingEndEvent | SequenceEndEvent):
            stack.pop()
            continue
        opened = False
        if isinstance(event, AliasEvent):
            found = anchors.get(str(event.anchor))
            if found is None:
                raise YamlProblem(
                    _at(event.start_mark), f"YAML syntax error: found undefined alias {event.anchor!r}"
                )
            node: yaml.Node = found
        else:
            node, opened = _node(event, len(stack)), not isinstance(event, ScalarEvent)
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise YamlProblem(
                        _at(event.start_mark),
                        f"YAML syntax error: found duplicate anchor {event.anchor!r}; first occurrence"
                        " second occurrence",
                    )
                anchors[event.anchor] = node
        if not stack:
            root = node
        elif isinstance(stack[-1][0], yaml.MappingNode):
            collection, waiting = stack[-1]
            if waiting:
                collection.value.append((waiting.pop(), node))
            else:
                waiting.append(node)
        else:
            stack[-1][0].value.append(node)
        if opened:
            stack.append((node, []))
    following = get()
    if not isinstance(following, StreamEndEvent):
        raise YamlProblem(
            _at(following.start_mark),
            "YAML syntax error: expected a single document in the stream but found another document",
        )
    return root, bool(anchors)


def _node(event: Any, depth: int) -> yaml.Node:
    """The node an event starts, its tag resolved as PyYAML's composer resolves it."""
    # libyaml's marks or the pure-Python parser's: both have the line and column that positions read
    tag, start, end = event.tag, event.start_mark, event.end_mark
    if type(event) is ScalarEvent:
        if tag is None or tag == "!":
            tag = implicit_tag(event.value) if event.implicit[0] else STR
        return yaml.ScalarNode(tag, event.value, start, end, event.style)
    if depth >= MAX_DEPTH:
        raise YamlProblem(_at(start), TOO_DEEP)
    if type(event) is MappingStartEvent:
        return yaml.MappingNode(_MAP if tag in (None, "!") else tag, [], start, None)
    return yaml.SequenceNode(_SEQ if tag in (None, "!") else tag, [], start, None)


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


def _measure(node: yaml.Node, sizes: dict[int, tuple[int, int]], inside: set[int]) -> tuple[int, int]:
    """Values and characters of text `node` expands to, once per distinct node (linear in the file).

    An upper bound (merged keys are counted even when an own key overrides them), so a bomb is
    refused before any of it is expanded, at the smallest node that is too large. Recursive only as
    deep as the file nests (an alias is measured before it is used).
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


def _scalar(node: yaml.Node) -> Any:
    try:
        return construct(node.tag, node.value)
    except ValueError as exc:
        raise YamlProblem(_mark(node), str(exc)) from None


def _convert(node: yaml.Node, path: Path, doc: Document, budget: _Budget, inside: set[int]) -> Any:
    """Node → plain data. `budget` bounds alias expansion; `inside` catches alias loops; a collection
    deeper than MAX_DEPTH (aliases expanded) is refused, so the recursion is bounded."""
    if id(node) in inside:
        raise YamlProblem(_mark(node), "an alias refers to a node that contains it")
    budget.spend(node, text=len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
    doc.values[path] = _mark(node)
    if node.tag not in _PLAIN_TAGS:
        raise YamlProblem(_mark(node), f"unsupported YAML tag {node.tag!r}: only plain data is allowed")
    if isinstance(node, yaml.ScalarNode):
        return plain_value(_scalar(node))
    if len(path) >= MAX_DEPTH:
        raise YamlProblem(_mark(node), TOO_DEEP)
    inside.add(id(node))
    try:
        return _convert_collection(node, path, doc, budget, inside)
    finally:
        inside.discard(id(node))


def _convert_collection(node: yaml.Node, path: Path, doc: Document, budget: _Budget, inside: set[int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in _pairs(node, budget):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in SCALARS:
                raise YamlProblem(_mark(key_node), "a mapping key must be plain text")
            key = str(_scalar(key_node))
            budget.spend(key_node, text=len(key))
            if key in result:
                raise YamlProblem(_mark(key_node), f"duplicate key {key!r}")
            doc.keys[(*path, key)] = _mark(key_node)
            result[key] = _convert(value_node, (*path, key), doc, budget, inside)
        return result
    return [_convert(item, (*path, i), doc, budget, inside) for i, item in enumerate(node.value)]


def _pairs(node: yaml.MappingNode, budget: _Budget, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
    """Key/value nodes, with `<<` merge keys expanded (explicit keys win); each entry walked costs one.

    A merge of a mapping that merges another, and so on, is followed at most MAX_DEPTH deep.
    """
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    own: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise YamlProblem(_mark(source), "'<<' must merge a mapping or a list of mappings")
            if depth >= MAX_DEPTH:
                raise YamlProblem(_mark(source), f"merge keys merge one another over {MAX_DEPTH} levels deep")
            pairs = _pairs(source, budget, depth + 1)
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
