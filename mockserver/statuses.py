"""Which HTTP statuses a reply may answer with, and which of them must go out without a body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

NO_BODY_STATUSES = frozenset({204, 205, 304})
"""Final statuses HTTP sends without content (1xx are interim and never a final answer)."""


def forbids_body(status: int) -> bool:
    """True for a status whose response must carry no body: 1xx, 204, 205 and 304."""
    return status < 200 or status in NO_BODY_STATUSES


def final_status(value: int) -> int:
    """A reply's status must be a final one: 1xx are interim answers a mock cannot end on."""
    if 100 <= value <= 199:
        raise PydanticCustomError(
            "interim_status",
            "status {status} is an interim (1xx) response, which cannot be the answer to a request;"
            " use a final status, 200-599",
            {"status": value},
        )
    if not 200 <= value <= 599:
        raise PydanticCustomError(
            "bad_status", "status must be between 200 and 599, got {status}", {"status": value}
        )
    return value


def no_body_for(info: ValidationInfo, key: str) -> None:
    """Refuse `key` (data, body, file) when the reply's status forbids a body."""
    status = info.data.get("status")
    if isinstance(status, int) and forbids_body(status):
        raise PydanticCustomError(
            "body_forbidden",
            "status {status} forbids a body; drop '{key}'",
            {"status": status, "key": key, "hint": f"a reply of just {{status: {status}}} sends none"},
        )


def no_body(key: str) -> Callable[[Any, ValidationInfo], Any]:
    """A field validator refusing `key` (when given) on a reply whose status forbids a body."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if value is not None:
            no_body_for(info, key)
        return value

    return check
