"""Plain scalars as YAML 1.1 resolves them (null, bool, int, float, timestamp, text), and the parser
both of yamldoc's readers read events from."""

from __future__ import annotations

from typing import Any, Protocol

import yaml

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
