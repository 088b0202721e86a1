"""Checks on untrusted JSON: types, required and unknown keys, ranges, lengths, depth."""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping
from typing import Any

from .errors import AuthoringError
from .limits import MAX_DEPTH, MAX_JSON_NODES, MAX_STRING


def kind(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def suggest(word: str, options: Collection[str]) -> str:
    """' (did you mean 'x'?)' when one option is close to `word`, else ''."""
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be an object, not {kind(value)}")
    return value


def array(value: Any, where: str, max_items: int, min_items: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be an array, not {kind(value)}")
    if len(value) > max_items:
        raise AuthoringError(
            "INVALID_INPUT", f"{where} holds {len(value)} items; at most {max_items} allowed"
        )
    if len(value) < min_items:
        raise AuthoringError("INVALID_INPUT", f"{where} must hold at least {min_items} item(s)")
    return value


def keys(
    value: Mapping[str, Any], allowed: Collection[str], where: str, hints: Mapping[str, str] = {}
) -> None:
    """Reject any key outside `allowed`; `hints` maps a rejected key to the fix to name."""
    for key in value:
        if key in allowed:
            continue
        fix = hints.get(key)
        if fix is None:
            fix = f"{suggest(key, allowed).strip()} allowed keys: {', '.join(sorted(allowed))}".strip()
        raise AuthoringError("VALIDATION_ERROR", f"{where}.{key}: unknown key; {fix}")


def need(value: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in value or value[key] is None:
        raise AuthoringError("MISSING_REQUIRED_FIELD", f"{where}.{key} is required")
    return value[key]


def one_of(value: Mapping[str, Any], choices: tuple[str, str], where: str) -> str:
    """The one key of `choices` present in `value`; both or neither is an error."""
    present = [key for key in choices if value.get(key) is not None]
    if len(present) == 2:
        raise AuthoringError(
            "VALIDATION_ERROR", f"{where}: send exactly one of {choices[0]!r} or {choices[1]!r}"
        )
    if not present:
        raise AuthoringError(
            "MISSING_REQUIRED_FIELD", f"{where}.{choices[0]} or {where}.{choices[1]} is required"
        )
    return present[0]


def number(value: Any, where: str, low: float, high: float, *, above: bool = False) -> float:
    """A finite JSON number in [low, high] (or (low, high] with `above`); ints stay ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be a number, not {kind(value)}")
    if not math.isfinite(value) or value > high or value < low or (above and value == low):
        bound = f"greater than {low:g}" if above else f"at least {low:g}"
        raise AuthoringError("INVALID_INPUT", f"{where} must be {bound} and at most {high:g}")
    return value


def integer(value: Any, where: str, low: int, high: int) -> int:
    """An integer in [low, high]; an integral float such as 2.0 counts."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be an integer, not {kind(value)}")
    if not low <= value <= high:
        raise AuthoringError("INVALID_INPUT", f"{where} must be between {low} and {high}")
    return value


def string(value: Any, where: str, max_len: int = MAX_STRING, *, non_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be a string, not {kind(value)}")
    if len(value) > max_len:
        raise AuthoringError("INVALID_INPUT", f"{where} is {len(value)} characters long; at most {max_len}")
    if non_empty and not value.strip():
        raise AuthoringError("INVALID_INPUT", f"{where} must not be empty")
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise AuthoringError("VALIDATION_ERROR", f"{where} must be true or false, not {kind(value)}")
    return value


def choice(value: Any, where: str, options: Collection[str]) -> str:
    text = string(value, where, 100)
    if text not in options:
        listed = ", ".join(repr(o) for o in sorted(options))
        raise AuthoringError("INVALID_INPUT", f"{where} must be one of {listed}{suggest(text, options)}")
    return text


def bounded(value: Any, where: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_JSON_NODES) -> None:
    """Reject JSON nested deeper than `max_depth` or holding more than `max_nodes` values.

    Iterative, so a hostile payload nested thousands deep cannot exhaust the Python stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise AuthoringError("INVALID_INPUT", f"{where} is too large: more than {max_nodes} values")
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise AuthoringError("INVALID_INPUT", f"{where} is nested deeper than {max_depth} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
