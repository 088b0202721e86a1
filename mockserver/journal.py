"""The request journal: what each request was and what answered it, newest last, bounded.

Recording is cheap: an entry keeps the request as received and the outcome.
The "why did no rule take it?" explanation is worked out only when the
journal is read, so matching cost does not grow with the rule count.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: float
    incoming: Incoming
    outcome: Outcome
    duration: float
    scenario: CompiledScenario
    added: Sequence[Rule]

    def to_json(self) -> dict[str, Any]:
        incoming, outcome = self.incoming, self.outcome
        body = incoming.body[:BODY_LIMIT].decode("utf-8", "replace")
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
            "body": body,
            "bodyTruncated": len(incoming.body) > BODY_LIMIT,
            "answeredBy": outcome.answered_by,
            "scenario": self.scenario.name,
            "status": outcome.status,
            "code": outcome.code,
            "fault": outcome.fault,
            "durationMs": round(self.duration * 1000, 3),
        }
        if outcome.answered_by == "simulator":
            entry["closestRule"] = closest_rule([*self.added, *self.scenario.rules.rules], incoming)
        return entry


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
    """Entries of one session, at most `limit` (the oldest drop off)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        """0 turns recording off."""
        self._entries: deque[Entry] = deque(maxlen=limit)
        self._seq = 0

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
        self._entries.append(Entry(self._seq, time.time(), incoming, outcome, duration, scenario, added))

    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def clear(self) -> None:
        """Forget every entry; ids start again from 1."""
        self._entries.clear()
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
