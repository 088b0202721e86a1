"""One way to tell a person what was wrong with what they gave: a pydantic error as catalog code + message.

Used by every surface that validates input: scenario files (with `file:line:col`),
the admin API, the Python controls, and the simulator's request bodies. Locations
read as the data is written, `rules[0].reply.error`, and the internal tags of
tagged unions (`~error`, `~single`) never show.

Which catalog code: a required field that is absent is MISSING_REQUIRED_FIELD; a
value of the right type that is not acceptable (out of range, too long, not one
of the allowed values) is INVALID_INPUT; anything else (a wrong type, an unknown
key, a wrong shape, a rule that does not say a known thing) is VALIDATION_ERROR.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

TAG_PREFIX = "~"
"""Tagged-union branches are named `~tag`, so they can be dropped from the locations people read."""

MAX_SHOWN = 5
"""Problems named in one message (the rest are counted)."""

VALUE_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "literal_error",
        "enum",
        "invalid_value",
    }
)
"""Error kinds about a value that has the right type but is not acceptable (INVALID_INPUT)."""


def visible(loc: Iterable[str | int]) -> tuple[str | int, ...]:
    """`loc` without the internal union tags."""
    return tuple(step for step in loc if not str(step).startswith(TAG_PREFIX))


def dotted(path: Sequence[str | int], root: str = "") -> str:
    """`("rules", 0, "reply", "error")` as `rules[0].reply.error` (under `root`, if given)."""
    out = root
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def code_for(exc: ValidationError) -> str:
    """The catalog code for the first problem of `exc`."""
    kind = exc.errors(include_url=False)[0]["type"]
    if kind == "missing":
        return "MISSING_REQUIRED_FIELD"
    return "INVALID_INPUT" if kind in VALUE_ERRORS else "VALIDATION_ERROR"


def describe(error: Any) -> str:
    """One pydantic error's message, as a sentence fragment (`is required`, `unknown key 'x'`)."""
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known key"
    message: str = error["msg"]
    hint = (error.get("ctx") or {}).get("hint")
    text = message[:1].lower() + message[1:]
    return f"{text} ({hint})" if hint else text


def message(exc: ValidationError, root: str = "") -> str:
    """Every problem of `exc` as `where: what`, joined by `; ` (at most MAX_SHOWN named)."""
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:MAX_SHOWN]:
        where = dotted(visible(error["loc"]), root)
        parts.append(f"{where}: {describe(error)}" if where else describe(error))
    if len(errors) > MAX_SHOWN:
        parts.append(f"and {len(errors) - MAX_SHOWN} more")
    return "; ".join(parts)
