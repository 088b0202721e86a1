"""The one exception the authoring engine raises: a catalog code plus a message that names the fix."""

from __future__ import annotations

from typing import Literal

Code = Literal["VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD"]


class AuthoringError(Exception):
    """Bad authoring input, answered with HTTP 400 and `code` from the error catalog.

    `VALIDATION_ERROR`: the shape is wrong (a wrong JSON type, an unknown key, an unknown tool
    or action). `INVALID_INPUT`: the shape is right but a value is not acceptable (out of range,
    a missing element, a duplicate name). `MISSING_REQUIRED_FIELD`: a required key is absent.
    """

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code: Code = code
        self.message = message

    def prefixed(self, prefix: str) -> AuthoringError:
        """The same error with `prefix` put before the message (the failing index and name)."""
        return AuthoringError(self.code, f"{prefix}{self.message}")
