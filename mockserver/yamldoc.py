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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

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


# --- reading -------------------------------------------------------------------------------------------


class Parser(Protocol):
    """What is read of a YAML parser: libyaml's or PyYAML's pure-Python one."""

    def get_event(self) -> Any: ...

    def dispose(self) -> None: ...


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
    from . import yamlnodes  # the general reader: only documents with aliases, merges or problems need it

    events = parser(text)
    try:
        return _plain(events)
    except _General:
        pass
    finally:
        events.dispose()
    events = parser(text)
    try:
        return yamlnodes.document(events)
    finally:
        events.dispose()


def _position(text: str, index: int) -> Mark:
    """(line, column) of character `index` of `text`, both from 1."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


class _General(Exception):
    """The document needs the general reader: an anchor, an alias, a merge key, a tag, or a problem."""


_MISSING = object()


def _scalar(text: str) -> Any:
    """The value of a plain scalar that is a value; _General unless its tag is one of SCALARS."""
    tag = implicit_tag(text)
    if tag not in SCALARS:  # `<<` as a value, `=`, ...: the general reader says what is wrong
        raise _General
    try:
        return plain_value(construct(tag, text))
    except ValueError:
        raise _General from None


def _key(text: str) -> str:
    """A plain scalar that is a key, as text; _General for `<<` (a merge key) and the like."""
    tag = implicit_tag(text)
    if tag not in SCALARS:
        raise _General
    try:
        return str(construct(tag, text))
    except ValueError:
        raise _General from None


def _plain(parser: Parser) -> Document:
    """The document built straight from the events, when it is plain data without a problem.

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
    names: dict[str, str] = {}  # plain text → the key it is: a file repeats its keys more
    stack: list[tuple[Any, Path, Path, bool]] = []  # (parent, path, here, in_dict) of each enclosing one
    parent: Any = None  # the collection being filled: a dict, a list, or None at the top
    path: Path = ()  # the path of `parent`
    here: Path = ()  # in a dict, the path of the value that comes next
    in_dict = False
    want_key = False  # in a dict, whether a key comes next
    root: Any = None
    nodes = text = 0
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if event.anchor is not None or (tag is not None and tag != "!"):
                raise _General
            value = event.value
            start = event.start_mark
            mark = (start.line + 1, start.column + 1)
            if want_key:
                if event.implicit[0]:
                    name = names.get(value)
                    if name is None:
                        name = names[value] = _key(value)
                else:
                    name = value
                nodes += 1
                text += len(name)
                if name in parent or nodes > MAX_NODES or text > MAX_TEXT:
                    raise _General
                here = (*path, name)
                keys[here] = mark
                want_key = False
                continue
            if event.implicit[0]:
                item = scalars.get(value, _MISSING)
                if item is _MISSING:
                    item = scalars[value] = _scalar(value)
            else:
                item = value
            nodes += 1
            text += len(value)
            if nodes > MAX_NODES or text > MAX_TEXT:
                raise _General
            if in_dict:
                values[here] = mark
                parent[here[-1]] = item
                want_key = True
            elif parent is not None:
                values[(*path, len(parent))] = mark
                parent.append(item)
            else:
                values[()] = mark
                root = item
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            tag = event.tag
            if event.anchor is not None or (tag is not None and tag != "!") or len(stack) >= MAX_DEPTH:
                raise _General
            nodes += 1
            if want_key or nodes > MAX_NODES:  # a mapping or a list as a key
                raise _General
            if not in_dict:
                here = (*path, len(parent)) if parent is not None else ()
            start = event.start_mark
            values[here] = (start.line + 1, start.column + 1)
            stack.append((parent, path, here, in_dict))
            in_dict = want_key = kind is MappingStartEvent
            parent, path = ({} if in_dict else []), here
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = parent
            parent, path, here, in_dict = stack.pop()
            want_key = in_dict
            if in_dict:
                parent[here[-1]] = done
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
