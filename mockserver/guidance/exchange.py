"""One request and its answer, as the guidance checks need it from a journal entry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Exchange:
    """A request the mock answered, reduced to what the checks read; not changed once made.

    Not a frozen dataclass: one is made for every failed request, and a frozen one's `__init__` sets
    each of its 13 fields through `object.__setattr__`, which made building it cost 6 times as much.

    `at` is when the request arrived and `duration` how long the answer took, both in seconds on one
    clock (the journal's: epoch seconds); the answer went out at `at + duration`. `client` names who
    sent it in findings (the masked credential, else the address); `credential` is the full key or
    token, used only to tell clients and credentials apart and never shown. `path` is the request
    target with its query (see `identity.request_target`); `body_digest` is `identity.body_digest`.
    `status` is None when no HTTP answer was sent (a reset or a hang); `retry_after` is the seconds of
    a Retry-After the answer carried.
    """

    request_id: int
    at: float
    client: str
    method: str
    path: str
    operation: str | None
    body_digest: str
    status: int | None
    code: str | None = None
    fault: str | None = None
    retry_after: float | None = None
    credential: str | None = None
    duration: float = 0.0

    @property
    def answered(self) -> float:
        """When the answer went out (or the connection ended)."""
        return self.at + self.duration

    @property
    def outcome(self) -> str:
        """`500 INTERNAL_ERROR`, `connection_reset`, `200`: the answer in a few characters."""
        if self.fault is not None:
            return self.fault
        return " ".join(str(part) for part in (self.status, self.code) if part is not None) or "no answer"
