"""Grading a client against the API's error-handling guidance, from the requests the mock saw.

Pure: no I/O. Feed `Exchange`s (built from journal entries) to `check`, or one at a time to a
`Checker` while the mock runs; each `Finding` names the guidance broken, the requests that show it
and how to fix the client.
"""

from __future__ import annotations

from .checker import Checker, check
from .exchange import Exchange
from .findings import RULES, Finding, RequestRef
from .identity import (
    CREDENTIAL_REJECTED,
    DETERMINISTIC,
    FAULTS,
    body_digest,
    is_failure,
    is_transient,
    parse_retry_after,
    request_target,
)
from .thresholds import BOUNDS, HELP, Thresholds, thresholds_from

__all__ = [
    "BOUNDS",
    "CREDENTIAL_REJECTED",
    "DETERMINISTIC",
    "FAULTS",
    "HELP",
    "RULES",
    "Checker",
    "Exchange",
    "Finding",
    "RequestRef",
    "Thresholds",
    "body_digest",
    "check",
    "is_failure",
    "is_transient",
    "parse_retry_after",
    "request_target",
    "thresholds_from",
]
