"""The guidance findings of one sweep run.

STOPGAP: until the live guidance (branch i16-live: `MockControl.guidance()`) is merged, the findings are
worked out here with `mockserver.guidance.check()` on Exchanges built from the run's journal. The
journal keeps no Retry-After and masks keys (the masked key stands in for the credential), which is
good enough for a sweep: it sends no Retry-After and hands out one key. `findings` is the one
function to replace by `mock.guidance()` once that exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..control import JournalEntry, MockControl
from ..guidance import Exchange, Finding, body_digest, check, request_target

ADDRESS = "127.0.0.1"
"""The journal does not record the client's address; a sweep's command runs on this machine."""


def findings(mock: MockControl, entries: Sequence[JournalEntry]) -> list[Finding]:
    """The findings of the session's requests `entries` (the whole journal of one run), oldest first."""
    del mock  # STOPGAP: `return mock.guidance()` once i16-live is merged
    return check([_exchange(entry) for entry in entries])


def _exchange(entry: JournalEntry) -> Exchange:
    answered = datetime.fromisoformat(entry.time.replace("Z", "+00:00")).timestamp()
    duration = entry.duration_ms / 1000
    key = entry.headers.get("x-api-key")
    return Exchange(
        request_id=entry.id,
        at=answered - duration,
        duration=duration,
        client=key or ADDRESS,
        credential=key,
        method=entry.method,
        path=request_target(entry.path, entry.query),
        operation=entry.operation,
        body_digest=body_digest(entry.body.encode("utf-8"), entry.headers.get("content-type")),
        status=entry.status or None,
        code=entry.code,
        fault=entry.fault,
    )
