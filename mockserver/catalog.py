"""The documented error catalog and the response envelope.

This is the only module that spells out the envelope or pairs an error code
with an HTTP status; everything else asks it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import packaged


@dataclass(frozen=True)
class ErrorCode:
    """One documented error: its stable code, HTTP status and default message."""

    code: str
    status: int
    message: str
    when: str

    def envelope(self, message: str | None = None) -> dict[str, Any]:
        """The error envelope for this code, with `message` or the default one."""
        return error_envelope(self.code, message)


def _load() -> Mapping[str, ErrorCode]:
    return {row["code"]: ErrorCode(**row) for row in packaged.data("catalog.yaml")}


CODES: Mapping[str, ErrorCode] = _load()
"""Every documented error code, in the documented order."""


def lookup(code: str) -> ErrorCode:
    """The catalog entry for `code`; KeyError names the code and the nearest one."""
    try:
        return CODES[code]
    except KeyError:
        hint = suggest(code)
        extra = f" (did you mean {hint!r}?)" if hint else ""
        raise KeyError(f"unknown error code {code!r}{extra}") from None


def suggest(code: str) -> str | None:
    """The documented code closest to `code`, if one is close enough."""
    matches = difflib.get_close_matches(code.upper(), CODES, n=1, cutoff=0.6)
    return matches[0] if matches else None


def error_envelope(code: str, message: str | None = None) -> dict[str, Any]:
    """`{"status": "error", "data": null, "error": {"code", "message"}}`."""
    entry = CODES[code]
    return {
        "status": "error",
        "data": None,
        "error": {"code": code, "message": entry.message if message is None else message},
    }


def success_envelope(data: Any) -> dict[str, Any]:
    """`{"status": "success", "data": data, "error": null}`."""
    return {"status": "success", "data": data, "error": None}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What `json.dumps` with these options would build again at every call (it keeps no state)."""


def encode(document: Any) -> bytes:
    """Compact UTF-8 JSON, the one encoding every response body uses."""
    return _ENCODER.encode(document).encode("utf-8")
