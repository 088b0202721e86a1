"""Reading YAML safely, keeping where every key and value stands in the file.

No YAML constructor runs, so no tag can build an object: the parser's events are read here, with
an explicit stack (any nesting depth is safe to read; deeper than MAX_DEPTH is refused), and
scalars are resolved by hand from the plain, safe tags, as YAML 1.1 does. libyaml's parser reads
the text when PyYAML has it; a text it refuses, or a PyYAML without it, goes to PyYAML's
pure-Python parser, whose messages are the ones shown (libyaml accepts a few texts the
pure-Python parser refuses, such as a tab before a value).

A document without anchors, aliases or merge keys, the usual case, is built straight from the
events. Any other document, and any that has a problem to word, is read by `yamlnodes`: composed
into nodes, then expanded under a budget counted on the EXPANDED document, so a small file of
nested aliases cannot take exponential time or memory.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from . import yamlnodes
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
    Parser,
    construct,
    implicit_tag,
    plain_value,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_TEXT",
    "TOO_DEEP",
    "Document",
    "Mark",
    "Path",
    "YamlProblem",
    "read",
]


def _libyaml() -> Callable[[str], Parser] | None:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return None
    return CParser


FAST_PARSER: Callable[[str], Parser] | None = _libyaml()
"""libyaml's event parser, iterative and several times faster than the pure-Python one; None without it."""
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def read(text: str) -> Document:
    """Parse one YAML document; raises YamlProblem for syntax and unsafe content."""
    unprintable = _NON_PRINTABLE.search(text)
    if unprintable:
        where = _position(text, unprintable.start())
        raise YamlProblem(where, "YAML error: special characters are not allowed")
    if FAST_PARSER is not None:
        try:
            return _read(FAST_PARSER, text)
        except yaml.YAMLError:
            pass  # libyaml refuses it: the pure-Python parser reads it again and words what is wrong
    try:
        return _read(yaml.SafeLoader, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlProblem(where, f"YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem((1, 1), f"YAML error: {exc}") from None


def _read(parser: Callable[[str], Parser], text: str) -> Document:
    def positions() -> Document:
        return _with(parser, text, partial(_plain, marks=True))

    try:
        data = _with(parser, text, _plain).data
    except _General:
        return _with(parser, text, yamlnodes.document)
    return Document(data, positions=positions)  # read again with positions when a message needs them


def _with(parser: Callable[[str], Parser], text: str, reader: Callable[[Parser], Document]) -> Document:
    events = parser(text)
    try:
        return reader(events)
    finally:
        events.dispose()


def _position(text: str, index: int) -> Mark:
    """(line, column) of character `index` of `text`, both from 1."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


class _General(Exception):
    """The document needs the general reader: an anchor, an alias, a merge key, a tag, or a problem."""


_MISSING = object()


def _resolved(text: str) -> Any:
    """The value of a plain scalar; _General unless its tag is one of SCALARS (not `<<` or `=`, for
    the general reader to take or word) and its text fits it."""
    tag = implicit_tag(text)
    if tag not in SCALARS:
        raise _General
    try:
        return construct(tag, text)
    except ValueError:
        raise _General from None


def _plain(parser: Parser, marks: bool = False) -> Document:
    """The document built straight from the events, when it is plain data without a problem; with
    `marks`, the position of each value and key too (half the work: done only when asked for).

    Anything else raises _General, and the general reader reads the text again: this one only has
    to agree with it on the documents it accepts.
    """
    get = parser.get_event
    get()  # StreamStartEvent
    if isinstance(get(), StreamEndEvent):
        return Document(data={})
    values: dict[Path, Mark] = {}
    keys: dict[Path, Mark] = {}
    scalars: dict[str, Any] = {}  # plain text → its value: a file repeats its values
    names: dict[str, Any] = {}  # plain text → the key it is: a file repeats its keys more
    stack: list[tuple[Any, Path, Any, bool]] = []  # (parent, path, key, in_dict) of each enclosing one
    parent: Any = None  # the collection being filled: a dict, a list, or None at the top
    path: Path = ()  # with marks, the path of `parent`
    here: Path = ()  # with marks, in a dict, the path of the value that comes next
    key: Any = None  # in a dict, the key of the value that comes next
    in_dict = False
    want_key = False  # in a dict, whether a key comes next
    root: Any = None
    mark: Mark = (1, 1)  # with marks, the position of the scalar at hand
    nodes = text = 0
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:  # `!!str 1`, `! 1`: the general reader
                raise _General
            value = event.value
            if marks:
                start = event.start_mark
                mark = (start.line + 1, start.column + 1)
            if event.implicit[0]:
                known = names if want_key else scalars
                item = known.get(value, _MISSING)
                if item is _MISSING:
                    found = _resolved(value)
                    item = known[value] = str(found) if want_key else plain_value(found)
            else:
                item = value
            nodes += 1
            text += len(item if want_key else value)  # a key's text as a key (`0x10` is `16`)
            if nodes > MAX_NODES or text > MAX_TEXT:
                raise _General
            if want_key:
                if item in parent:  # a duplicate key
                    raise _General
                key = item
                want_key = False
                if marks:
                    here = (*path, item)
                    keys[here] = mark
            elif in_dict:
                parent[key] = item
                want_key = True
                if marks:
                    values[here] = mark
            elif parent is not None:
                if marks:
                    values[(*path, len(parent))] = mark
                parent.append(item)
            else:
                root = item
                if marks:
                    values[()] = mark
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _General
            nodes += 1
            if want_key or nodes > MAX_NODES:  # a mapping or a list as a key
                raise _General
            if marks:
                if not in_dict:
                    here = (*path, len(parent)) if parent is not None else ()
                start = event.start_mark
                values[here] = (start.line + 1, start.column + 1)
            stack.append((parent, path, key, in_dict))
            in_dict = want_key = kind is MappingStartEvent
            parent, path = ({} if in_dict else []), here
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = parent
            parent, path, key, in_dict = stack.pop()
            want_key = in_dict
            if in_dict:
                parent[key] = done
            elif parent is not None:
                parent.append(done)
            else:
                root = done
        elif kind is DocumentEndEvent:
            break
        else:  # an alias
            raise _General
    if not isinstance(get(), StreamEndEvent):  # a second document: the general reader words it
        raise _General
    return Document(root, values, keys)
