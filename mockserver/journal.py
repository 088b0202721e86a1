"""The request journal: what each request was and what answered it, newest last, bounded.

Recording is cheap: an entry keeps the request, cut to bounded sizes, and the
outcome. The "why did no rule take it?" explanation is worked out only when
the journal is read, so matching cost does not grow with the rule count.
Memory is bounded three ways: entries per journal, bytes kept per entry, and
bytes kept by all journals together (a shared `JournalBudget`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .credentials import credentials_in, mask_header, scrub
from .exchange import Incoming, Outcome
from .loader import CompiledScenario
from .matching import compile_glob
from .rules import Rule

BODY_LIMIT = 4096
"""Bytes of a request body kept in an entry (the rest is dropped, and said so)."""
TEXT_LIMIT = 4096
"""Characters kept of the path, of the query string, and of each header value."""
HEADERS_LIMIT = 8192
"""Characters kept of all headers of an entry together (names and values); the rest are dropped."""
TOTAL_BYTES = 64 * 1024 * 1024
"""Bytes all journals of a server keep together (see JournalBudget)."""
ENTRY_OVERHEAD = 600
"""Rough bytes of an entry besides the kept texts (objects, outcome reference)."""
_CUT = "…"


@dataclass(slots=True)
class Entry:
    seq: int
    at: float
    incoming: Incoming
    """The request as kept: body, path, query and headers cut to the limits above."""
    outcome: Outcome
    duration: float
    scenario: CompiledScenario
    added: Sequence[Rule]
    body_length: int
    """Bytes of the body as received."""
    headers_cut: bool
    size: int
    """Bytes this entry is counted for in the budget."""

    def to_json(self) -> dict[str, Any]:
        incoming, outcome = self.incoming, self.outcome
        truncated = self.body_length > len(incoming.body)
        entry: dict[str, Any] = {
            "id": self.seq,
            "time": datetime.fromtimestamp(self.at, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "method": incoming.method,
            "path": incoming.path,
            "operation": incoming.operation,
            "revision": incoming.revision or None,
            "query": {
                name: values if len(values) > 1 else values[0] for name, values in incoming.query.items()
            },
            "headers": {name: mask_header(name, value) for name, value in incoming.headers.items()},
            "body": incoming.body.decode("utf-8", "replace"),
            "bodyTruncated": truncated,
            "bodyLength": self.body_length,
            "answeredBy": outcome.answered_by,
            "scenario": self.scenario.name,
            "status": outcome.status,
            "code": outcome.code,
            "fault": outcome.fault,
            "durationMs": round(self.duration * 1000, 3),
        }
        if self.headers_cut:
            entry["headersTruncated"] = True
        if outcome.answered_by == "simulator":
            closest = closest_rule([*self.added, *self.scenario.rules.rules], incoming)
            if closest is not None and truncated and closest["why"].startswith("body is not JSON"):
                closest["why"] = f"the journal keeps only the first {BODY_LIMIT} bytes of the body"
            entry["closestRule"] = closest
        return entry


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + _CUT


def _kept_headers(headers: Mapping[str, str]) -> tuple[Mapping[str, str], bool, int]:
    """Headers within the limits, whether any was cut or dropped, and the characters kept."""
    values = headers.values()
    size = sum(map(len, headers)) + sum(map(len, values))  # C loops: this runs for every request
    if size <= TEXT_LIMIT or (size <= HEADERS_LIMIT and max(map(len, values)) <= TEXT_LIMIT):
        return headers, False, size
    kept: dict[str, str] = {}
    size = 0
    for name, value in headers.items():
        value = _cut(value)
        if size + len(name) + len(value) > HEADERS_LIMIT:
            continue
        kept[name] = value
        size += len(name) + len(value)
    return kept, True, size


def kept(incoming: Incoming) -> tuple[Incoming, bool, int]:
    """What an entry keeps of `incoming` (itself when it is within every limit: no copy on the hot
    path), whether headers were cut, and its rough size in bytes."""
    headers, cut, size = _kept_headers(incoming.headers)
    path, query, body = incoming.path, incoming.query_string, incoming.body
    if not cut and len(body) <= BODY_LIMIT and len(path) <= TEXT_LIMIT and len(query) <= TEXT_LIMIT:
        return incoming, False, size + len(path) + len(query) + len(body) + ENTRY_OVERHEAD
    copy = Incoming(
        incoming.method, _cut(incoming.path), _cut(incoming.query_string), None, incoming.body[:BODY_LIMIT]
    )
    copy.headers = headers
    copy.operation, copy.revision = incoming.operation, incoming.revision
    size += len(copy.path) + len(copy.query_string) + len(copy.body) + ENTRY_OVERHEAD
    return copy, cut, size


class JournalBudget:
    """Bytes kept by all journals of a server together.

    Over the budget, the journal recording drops its own oldest entries (keeping at least the
    newest), so the total stays near `limit` however many sessions there are; a session that is
    evicted or reset gives its bytes back.
    """

    def __init__(self, limit: int = TOTAL_BYTES) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def add(self, size: int) -> bool:
        """Count `size` more bytes; True when the total is now over the limit."""
        with self._lock:
            self.used += size
            return self.used > self.limit


def closest_rule(rules: Sequence[Rule], incoming: Incoming) -> dict[str, str] | None:
    """The rule that came nearest to taking `incoming`, and why it did not (None: no rules)."""
    best: tuple[int, int] | None = None
    found: dict[str, str] | None = None
    for position, rule in enumerate(rules):
        matcher = rule.matcher
        path_ok = (
            matcher.operation == incoming.operation
            if matcher.operation is not None
            else matcher.path.match(incoming.path) is not None
        )
        method_ok = matcher.method is None or matcher.method == incoming.method
        score = (2 * path_ok + method_ok, -position)
        if best is None or score > best:
            reason = matcher.mismatch(incoming) or "it matches, but its times, sequence or chance were spent"
            best, found = score, {"rule": rule.id, "why": scrub(reason, credentials_in(incoming.headers))}
    return found


class Journal:
    """Entries of one session, at most `limit` (the oldest drop off), within the shared `budget`."""

    def __init__(self, limit: int, budget: JournalBudget | None = None) -> None:
        self.limit = limit
        """0 turns recording off."""
        self.budget = budget or JournalBudget()
        self._entries: deque[Entry] = deque()
        self._seq = 0
        self.bytes = 0
        """Bytes this journal's entries are counted for."""

    def record(
        self,
        incoming: Incoming,
        outcome: Outcome,
        started: float,
        scenario: CompiledScenario,
        added: Sequence[Rule] = (),
    ) -> None:
        """Keep one exchange; `added` are the session's run-time rules when it was answered."""
        self._seq += 1
        duration = time.perf_counter() - started
        copy, headers_cut, size = kept(incoming)
        entry = Entry(
            self._seq,
            time.time(),
            copy,
            outcome,
            duration,
            scenario,
            added,
            len(incoming.body),
            headers_cut,
            size,
        )
        entries = self._entries
        entries.append(entry)
        while len(entries) > self.limit:  # at the limit: one out for one in, one budget update for both
            size -= entries.popleft().size
        self.bytes += size
        over = self.budget.add(size)
        while over and len(entries) > 1:
            over = self._drop_oldest()

    def _drop_oldest(self) -> bool:
        size = self._entries.popleft().size
        self.bytes -= size
        return self.budget.add(-size)

    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def clear(self) -> None:
        """Forget every entry (giving their bytes back to the budget); ids start again from 1."""
        self._entries.clear()
        self.budget.add(-self.bytes)
        self.bytes = 0
        self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def select(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        """Entries as JSON, filtered by method, path (glob), status, code; `limit` keeps the newest N."""
        entries: Iterable[Entry] = list(self._entries)
        if method := filters.get("method"):
            entries = [e for e in entries if e.incoming.method == method.upper()]
        if path := filters.get("path"):
            glob = compile_glob(path)
            entries = [e for e in entries if glob.matches(e.incoming.path)]
        if status := filters.get("status"):
            entries = [e for e in entries if str(e.outcome.status) == status]
        if code := filters.get("code"):
            entries = [e for e in entries if e.outcome.code == code]
        selected = list(entries)
        if limit := filters.get("limit"):
            selected = selected[-int(limit) :] if int(limit) > 0 else []
        return [entry.to_json() for entry in selected]
