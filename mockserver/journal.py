"""The request journal: what each request was and what answered it, newest last, bounded.

Recording is cheap: an entry keeps the request, cut to bounded sizes, and the
outcome. Memory is bounded three ways: entries per journal, bytes kept per
entry, and bytes kept by all journals together (a shared `JournalBudget`).

The answer. An entry keeps the Outcome that answered, for the details view
(`"response"` in `Entry.to_json`). An answer body of at most `RESPONSE_BYTES`
is kept as it is (no copy: recording costs one length check) and its length
is counted in the entry's budget size, even when it is a rule's reply shared
by every request it answers (an over-count, never an under-count). A longer
body is replaced by a cut copy of its first `RESPONSE_BYTES` (enough for the
`RESPONSE_TEXT_LIMIT` characters shown), or by nothing when it is binary
(a PDF, a PNG: the view shows no bytes of those), so one large simulator
answer never keeps megabytes alive. An entry thus counts for at most
`RESPONSE_BYTES` of answer, and the budget holds.

The closest rule. "Why did no rule take it?" is worked out only when an entry
is read, at most once per entry (kept on the entry), and only from plausible
rules: those whose literal path prefix lies on the request's path, or whose
operation is the request's (`RuleIndex.plausible`), under any method. Among
them the closest is the one with the path (or operation) right, then the
method right, the earlier rule winning a tie. When no rule is plausible,
`closestRule` is null: a rule for another path says nothing about this
request, and looking at all of them made reads cost grow with the rule count.
An entry keeps the rule indexes it was answered under (the scenario's and the
session's run-time rules), which are replaced, never changed, so it costs
nothing to record them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from .budget import SharedBudget
from .credentials import credentials_in, mask_header, scrub
from .exchange import Incoming, Outcome
from .loader import CompiledScenario
from .matching import RequestMatcher
from .rules import Rule, RuleIndex
from .statuses import forbids_body

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
RESPONSE_TEXT_LIMIT = 4096
"""Characters of an answer's body shown in an entry's `response`."""
RESPONSE_BYTES = 4 * RESPONSE_TEXT_LIMIT
"""Bytes of an answer's body an entry keeps: `RESPONSE_TEXT_LIMIT` characters of UTF-8 at most."""
NO_RULES = RuleIndex(())
_CUT = "…"
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "image/svg+xml",
    }
)


def is_binary(media_type: str) -> bool:
    """Whether an answer of `media_type` is not text (a PDF, a PNG, octet-stream): shown as no body."""
    essence = media_type.partition(";")[0].strip().lower()
    return not (essence.startswith("text/") or essence in _TEXT_TYPES or essence.endswith(("+json", "+xml")))


def _latin1(text: str) -> str:
    """`text` as it goes out in a header (latin-1, anything else replaced), as `send_outcome` sends it."""
    return text.encode("latin-1", "replace").decode("latin-1")


def response_headers(outcome: Outcome, body_length: int) -> dict[str, str]:
    """The headers `replies.send_outcome` sends for `outcome`, to any method (names lowercase; a
    repeated name's values joined with ', '); `body_length` is the length of the whole body."""
    headers: dict[str, str] = {}
    if forbids_body(outcome.status):
        if outcome.status == 205:
            headers["content-length"] = "0"
    else:
        headers["content-type"] = _latin1(outcome.media_type)
        headers["content-length"] = str(body_length)
    headers["x-mock-answered-by"] = _latin1(outcome.answered_by)
    for name, value in outcome.headers:
        name, value = name.lower(), _latin1(value)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


@dataclass(slots=True)
class Entry:
    """One exchange as the journal keeps it; `to_json` renders it (no lock needed: an entry is not
    changed once recorded, but for its closest rule, worked out once, the same by whoever does it)."""

    seq: int
    at: float
    incoming: Incoming
    """The request as kept: body, path, query and headers cut to the limits above."""
    outcome: Outcome
    duration: float
    scenario: CompiledScenario
    added: RuleIndex
    """The session's run-time rules when the request was answered (checked before the scenario's)."""
    body_length: int
    """Bytes of the body as received."""
    headers_cut: bool
    size: int
    """Bytes this entry is counted for in the budget."""
    response_length: int = 0
    """Bytes of the answer's body as made (the entry may keep fewer: see the module's docstring)."""
    explained: tuple[dict[str, str] | None] | None = None
    """The closest rule, once worked out (`closest()`); None until then."""

    def closest(self) -> dict[str, str] | None:
        """The plausible rule that came nearest to taking the request, and why it did not (None: no
        plausible rule); worked out on the first call only."""
        explained = self.explained
        if explained is None:
            incoming = self.incoming
            path, operation = incoming.path, incoming.operation
            rules = [*self.added.plausible(path, operation), *self.scenario.rules.plausible(path, operation)]
            found = closest_rule(rules, incoming)
            if (
                found is not None
                and self.body_length > len(incoming.body)
                and found["why"].startswith("body is not JSON")
            ):
                found["why"] = f"the journal keeps only the first {BODY_LIMIT} bytes of the body"
            explained = self.explained = (found,)
        return explained[0]

    def response(self) -> dict[str, Any]:
        """The answer as it went out: headers, body (text, cut; none when binary), its length."""
        outcome = self.outcome
        if outcome.fault is not None:  # the connection was reset, or left hanging: nothing was sent
            return {"headers": {}, "body": "", "bodyLength": 0, "bodyTruncated": False, "binary": False}
        length = self.response_length
        headers = response_headers(outcome, length)
        secrets = credentials_in(self.incoming.headers)
        headers = {name: scrub(mask_header(name, value), secrets) for name, value in headers.items()}
        if forbids_body(outcome.status) or self.incoming.method == "HEAD":
            length = 0
        binary = length > 0 and is_binary(outcome.media_type)
        text = "" if binary or not length else outcome.body.decode("utf-8", "replace")
        truncated = len(text) > RESPONSE_TEXT_LIMIT or (not binary and length > len(outcome.body))
        return {
            "headers": headers,
            "body": scrub(text[:RESPONSE_TEXT_LIMIT], secrets),
            "bodyLength": length,
            "bodyTruncated": truncated,
            "binary": binary,
        }

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
            "response": self.response(),
        }
        if self.headers_cut:
            entry["headersTruncated"] = True
        if outcome.answered_by == "simulator":
            closest = self.closest()
            entry["closestRule"] = None if closest is None else dict(closest)
        return entry


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + _CUT


def _cut_headers(headers: Mapping[str, str]) -> tuple[dict[str, str], int]:
    """Headers over the limits cut to them (values cut, the last ones dropped), and the characters kept."""
    kept: dict[str, str] = {}
    size = 0
    for name, value in headers.items():
        value = _cut(value)
        if size + len(name) + len(value) > HEADERS_LIMIT:
            continue
        kept[name] = value
        size += len(name) + len(value)
    return kept, size


def kept(incoming: Incoming) -> tuple[Incoming, bool, int]:
    """What an entry keeps of `incoming` (itself when it is within every limit: no copy on the hot
    path), whether headers were cut, and its rough size in bytes."""
    path, query, body = incoming.path, incoming.query_string, incoming.body
    headers: Mapping[str, str] = incoming.headers
    values = headers.values()
    size = sum(map(len, headers)) + sum(map(len, values))  # C loops: this runs for every request
    whole = size <= TEXT_LIMIT or (size <= HEADERS_LIMIT and max(map(len, values)) <= TEXT_LIMIT)
    if whole and len(body) <= BODY_LIMIT and len(path) <= TEXT_LIMIT and len(query) <= TEXT_LIMIT:
        return incoming, False, size + len(path) + len(query) + len(body) + ENTRY_OVERHEAD
    if not whole:
        headers, size = _cut_headers(headers)
    copy = Incoming(
        incoming.method, _cut(incoming.path), _cut(incoming.query_string), None, incoming.body[:BODY_LIMIT]
    )
    copy.headers = headers
    copy.operation, copy.revision = incoming.operation, incoming.revision
    size += len(copy.path) + len(copy.query_string) + len(copy.body) + ENTRY_OVERHEAD
    return copy, not whole, size


class JournalBudget(SharedBudget):
    """Bytes kept by all journals of a server together.

    Over the budget, the journal recording drops its own oldest entries (keeping at least the
    newest), so the total stays near `limit` however many sessions there are; a session that is
    evicted or reset gives its bytes back.
    """

    def __init__(self, limit: int = TOTAL_BYTES) -> None:
        super().__init__(limit)


def closest_rule(rules: Sequence[Rule], incoming: Incoming) -> dict[str, str] | None:
    """The rule of `rules` (in the order they are checked) that came nearest to taking `incoming`,
    and why it did not (None: no rules)."""
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
        duration: float,
        scenario: CompiledScenario,
        added: RuleIndex = NO_RULES,
    ) -> int:
        """Keep one exchange that took `duration` seconds; `added` is the index of the session's
        run-time rules when it was answered.

        Returns the entry's id."""
        self._seq += 1
        copy, headers_cut, size = kept(incoming)
        answer_length = len(outcome.body)
        if answer_length > RESPONSE_BYTES:  # a cut copy, or nothing when binary: see the docstring
            kept_body = b"" if is_binary(outcome.media_type) else outcome.body[:RESPONSE_BYTES]
            outcome = replace(outcome, body=kept_body)
        size += len(outcome.body)
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
            answer_length,
        )
        entries = self._entries
        entries.append(entry)
        while len(entries) > self.limit:  # at the limit: one out for one in, one budget update for both
            size -= entries.popleft().size
        self.bytes += size
        over = self.budget.add(size)
        while over and len(entries) > 1:
            over = self._drop_oldest()
        return self._seq

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

    def select(
        self,
        *matchers: RequestMatcher,
        status: int | None = None,
        code: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """The entries, oldest first, that every matcher matches (compiled from a `when`: see
        `operations.requests`) and answered with `status` and error `code`; `limit` keeps the newest N.

        Call it under the session's lock; render the entries (`Entry.to_json`) after releasing it.
        """
        compiled = matchers
        wanted = len(self._entries) if limit is None else limit
        selected: list[Entry] = []
        for entry in reversed(self._entries):  # newest first: stop once `limit` are found
            if len(selected) >= wanted:
                break
            outcome = entry.outcome
            if status is not None and outcome.status != status:
                continue
            if code is not None and outcome.code != code:
                continue
            incoming = entry.incoming
            if all(matcher.matches(incoming) for matcher in compiled):
                selected.append(entry)
        selected.reverse()
        return selected
