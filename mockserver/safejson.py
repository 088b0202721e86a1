"""Parsing JSON from outside (API and admin bodies) with a bound on how deeply it nests.

`json.loads` recurses once per level, so a body of 100,000 `[` raises
RecursionError; everything that walks the document afterwards (matchers,
validation, encoding) would too. The depth is checked first, on the text,
at C speed: strings are blanked out, the brackets that remain are counted.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate, repeat
from typing import Any

MAX_DEPTH = 64
"""Arrays and objects nested deeper than this are refused, as if the body were not JSON."""

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_KEEP_BRACKETS = {code: None for code in range(128) if chr(code) not in "[]{}"}
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
TOO_DEEP = f"arrays and objects nest deeper than {MAX_DEPTH} levels"


class JsonProblem(ValueError):
    """Not valid JSON, or nested too deeply: `reason` says which (for a message after "not valid JSON: ")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def too_deep(text: str) -> bool:
    """Whether the arrays and objects of JSON `text` nest deeper than MAX_DEPTH."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    # Outside strings: between every other quote, unless an escaped quote makes that unreliable.
    outside = "".join(text.split('"')[::2]) if '\\"' not in text else _STRING.sub("", text)
    brackets = outside.translate(_KEEP_BRACKETS)
    return max(accumulate(map(_STEP.get, brackets, repeat(0))), default=0) > MAX_DEPTH


def loads(raw: bytes | str) -> Any:
    """`raw` parsed as JSON; JsonProblem when it is not JSON or nests deeper than MAX_DEPTH."""
    try:
        text = raw.decode(json.detect_encoding(raw)) if isinstance(raw, bytes) else raw
    except (UnicodeDecodeError, LookupError):
        raise JsonProblem("it is not UTF-8 text") from None
    if too_deep(text):
        raise JsonProblem(TOO_DEEP)
    try:
        return json.loads(text)
    except RecursionError:  # unreachable after the scan above; a last line of defence
        raise JsonProblem(TOO_DEEP) from None
    except ValueError as exc:
        raise JsonProblem(str(exc)) from None
